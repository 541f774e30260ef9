"""Encode every frame once, then classify windows over the cached embeddings.

Shared by batch classification and evaluation: the cost is one encoder pass per sampled frame
however many (overlapping) windows are classified.
"""
from __future__ import annotations

import contextlib
from typing import Iterator, Sequence

import numpy as np
import torch

from vision.config import ClipConfig
from vision.data.motion import model_inputs
from vision.model import ActionNet
from vision.model.network import FrameEncoding, HeadOutput


def autocast_for(device: torch.device) -> contextlib.AbstractContextManager:
    """bf16/fp16 autocast on CUDA (inference), nothing on CPU."""
    if device.type != "cuda":
        return contextlib.nullcontext()
    dtype = torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    return torch.autocast("cuda", dtype=dtype)


def model_device(model) -> torch.device:
    """Where the model runs: an export backend says so itself, an nn.Module by its parameters."""
    device = getattr(model, "device", None)
    return device if isinstance(device, torch.device) else next(model.parameters()).device


@torch.no_grad()
def encode_video(model: ActionNet, frames: np.ndarray, clip: ClipConfig, batch_size: int = 64,
                 before: np.ndarray | None = None) -> FrameEncoding:
    """Embeddings (N, D) and attention maps (N, h, w) of consecutive RGB uint8 frames (N, H, W, 3), on CPU.

    A motion-input model takes each frame's difference from the one before (`vision.data.motion`):
    `before` (H, W, 3) is the frame sampled just before `frames[0]` (None: the video starts there).
    """
    device = model_device(model)
    input = model.config.input
    embeddings, maps = [], []
    for start in range(0, len(frames), batch_size):
        previous = before if start == 0 else frames[start - 1]
        x = model_inputs(np.asarray(frames[start : start + batch_size]), clip, input, previous).to(device)  # (b, C, S, S)
        if device.type == "cuda":
            x = x.contiguous(memory_format=torch.channels_last)
        with autocast_for(device):
            out = model.encode_frames(x)
        embeddings.append(out.embeddings.float().cpu())
        maps.append(out.attention_maps.float().cpu())
    return FrameEncoding(torch.cat(embeddings), torch.cat(maps))


@torch.no_grad()
def encode_features(model: ActionNet, features: np.ndarray, batch_size: int = 256) -> FrameEncoding:
    """Pose models: embeddings (N, D) and canvas attention maps (N, h, w) of feature vectors (N, F)."""
    device = model_device(model)
    embeddings, maps = [], []
    for start in range(0, len(features), batch_size):
        x = torch.from_numpy(np.asarray(features[start : start + batch_size], np.float32)).to(device)
        with autocast_for(device):
            out = model.encode_frames(x)
        embeddings.append(out.embeddings.float().cpu())
        maps.append(out.attention_maps.float().cpu())
    return FrameEncoding(torch.cat(embeddings), torch.cat(maps))


def window_batches(
    embeddings: torch.Tensor, windows: Sequence[np.ndarray], batch_size: int, device: torch.device
) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """Embeddings (b, T, D) and masks (b, T) of index windows into `embeddings` (N, D), on `device`.

    Windows shorter than the longest are right-padded and masked.
    """
    t = max(len(w) for w in windows)
    for start in range(0, len(windows), batch_size):
        chunk = windows[start : start + batch_size]
        index = torch.zeros(len(chunk), t, dtype=torch.long)
        mask = torch.zeros(len(chunk), t, dtype=torch.bool)
        for i, w in enumerate(chunk):
            index[i, : len(w)] = torch.as_tensor(w)
            mask[i, : len(w)] = True
        yield embeddings[index].to(device), mask.to(device)  # (b, T, D), (b, T)


@torch.no_grad()
def classify_windows(
    model: ActionNet, embeddings: torch.Tensor, windows: Sequence[np.ndarray], batch_size: int = 256
) -> HeadOutput:
    """Logits (W, C) and temporal weights (W, T) for index windows into `embeddings` (N, D)."""
    device = model_device(model)
    logits, weights = [], []
    for emb, mask in window_batches(embeddings, windows, batch_size, device):
        with autocast_for(device):
            out = model.classify_embeddings(emb, mask)
        logits.append(out.logits.float().cpu())
        weights.append(out.temporal_weights.float().cpu())
    return HeadOutput(torch.cat(logits), torch.cat(weights))


@torch.no_grad()
def window_summaries(
    model: ActionNet, embeddings: torch.Tensor, windows: Sequence[np.ndarray], batch_size: int = 256
) -> torch.Tensor:
    """The window model's summary (W, S) of each index window: what a video head reads."""
    device = model_device(model)
    out = []
    for emb, mask in window_batches(embeddings, windows, batch_size, device):
        with autocast_for(device):
            out.append(model.summarise_windows(emb, mask).float().cpu())
    return torch.cat(out)


@torch.no_grad()
def classify_summaries(model: ActionNet, summaries: torch.Tensor) -> HeadOutput:
    """The video head's logits (1, C) and window weights (1, W) for one video's summaries (W, S)."""
    device = model_device(model)
    with autocast_for(device):
        out = model.classify_summaries(summaries.unsqueeze(0).to(device))
    return HeadOutput(out.logits.float().cpu(), out.temporal_weights.float().cpu())
