"""Encode every frame once, then classify windows over the cached embeddings.

Shared by batch classification and evaluation: the cost is one encoder pass per sampled frame
however many (overlapping) windows are classified.
"""
from __future__ import annotations

import contextlib
from typing import Sequence

import numpy as np
import torch

from vision.config import ClipConfig
from vision.data.transforms import preprocess_frames
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
def encode_video(model: ActionNet, frames: np.ndarray, clip: ClipConfig, batch_size: int = 64) -> FrameEncoding:
    """Embeddings (N, D) and attention maps (N, h, w) of RGB uint8 frames (N, H, W, 3), on CPU."""
    device = model_device(model)
    embeddings, maps = [], []
    for start in range(0, len(frames), batch_size):
        x = preprocess_frames(np.asarray(frames[start : start + batch_size]), clip).to(device)  # (b, 3, S, S)
        if device.type == "cuda":
            x = x.contiguous(memory_format=torch.channels_last)
        with autocast_for(device):
            out = model.encode_frames(x)
        embeddings.append(out.embeddings.float().cpu())
        maps.append(out.attention_maps.float().cpu())
    return FrameEncoding(torch.cat(embeddings), torch.cat(maps))


@torch.no_grad()
def classify_windows(
    model: ActionNet, embeddings: torch.Tensor, windows: Sequence[np.ndarray], batch_size: int = 256
) -> HeadOutput:
    """Logits (W, C) and temporal weights (W, T) for index windows into `embeddings` (N, D).

    Windows shorter than the longest are right-padded and masked.
    """
    device = model_device(model)
    t = max(len(w) for w in windows)
    logits, weights = [], []
    for start in range(0, len(windows), batch_size):
        chunk = windows[start : start + batch_size]
        index = torch.zeros(len(chunk), t, dtype=torch.long)
        mask = torch.zeros(len(chunk), t, dtype=torch.bool)
        for i, w in enumerate(chunk):
            index[i, : len(w)] = torch.as_tensor(w)
            mask[i, : len(w)] = True
        emb = embeddings[index].to(device)  # (b, T, D)
        with autocast_for(device):
            out = model.classify_embeddings(emb, mask.to(device))
        logits.append(out.logits.float().cpu())
        weights.append(out.temporal_weights.float().cpu())
    return HeadOutput(torch.cat(logits), torch.cat(weights))
