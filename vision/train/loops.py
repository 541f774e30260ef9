"""One training epoch and one evaluation pass; AMP on CUDA, plain fp32 on CPU."""
from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Iterable

import numpy as np
import torch
from torch import nn
from tqdm import tqdm


@dataclass(frozen=True)
class Precision:
    """Autocast dtype (None = fp32) and whether fp16 needs a gradient scaler."""

    dtype: torch.dtype | None

    @staticmethod
    def choose(mode: str, device: torch.device) -> "Precision":
        if device.type != "cuda" or mode == "off":
            return Precision(None)
        if mode == "fp16" or (mode == "auto" and not torch.cuda.is_bf16_supported()):
            return Precision(torch.float16)
        return Precision(torch.bfloat16)

    def autocast(self, device: torch.device) -> contextlib.AbstractContextManager:
        if self.dtype is None:
            return contextlib.nullcontext()
        return torch.autocast(device.type, dtype=self.dtype)

    @property
    def needs_scaler(self) -> bool:
        return self.dtype == torch.float16


@dataclass(frozen=True)
class EpochStats:
    loss: float
    accuracy: float
    clips: int


def _to_device(batch: Iterable[torch.Tensor], device: torch.device) -> list[torch.Tensor]:
    return [t.to(device, non_blocking=True) for t in batch]


def _no_sync(model: nn.Module, sync: bool) -> contextlib.AbstractContextManager:
    """DDP all-reduces gradients on every backward; between accumulated micro-batches it need not."""
    if sync or not isinstance(model, nn.parallel.DistributedDataParallel):
        return contextlib.nullcontext()
    return model.no_sync()


def train_epoch(
    model: nn.Module,
    loader: Iterable,
    optimizer: torch.optim.Optimizer,
    loss_fn: nn.Module,
    device: torch.device,
    precision: Precision,
    scaler: torch.amp.GradScaler | None,
    grad_clip: float,
    desc: str,
    show_progress: bool,
    accumulate: int = 1,
) -> EpochStats:
    """Train over `loader` once; returns mean loss and accuracy over this process's clips.

    With `accumulate` N, gradients of N consecutive micro-batches are summed, each loss scaled by
    1/N, before one optimizer step (clipping and the fp16 scaler act on the sum): the same update
    as one batch N times larger. A last group of m < N micro-batches is scaled by 1/m.
    """
    model.train()
    loss_sum, correct, seen = 0.0, 0, 0
    batches = len(loader)  # type: ignore[arg-type]
    bar = tqdm(loader, desc=desc, unit="batch", leave=False, disable=not show_progress)
    for i, (clips, mask, labels) in enumerate(bar):
        clips, mask, labels = _to_device((clips, mask, labels), device)
        first = i - i % accumulate  # index of this group's first micro-batch
        group = min(accumulate, batches - first)
        step = i == first + group - 1
        if i == first:
            optimizer.zero_grad(set_to_none=True)
        with _no_sync(model, step):
            with precision.autocast(device):
                logits = model(clips, mask).logits
                loss = loss_fn(logits.float(), labels)
            if not torch.isfinite(loss):
                raise FloatingPointError(f"training loss became {loss.item()} (try a lower --lr)")
            (scaler.scale(loss / group) if scaler is not None else loss / group).backward()
        if step:
            if scaler is not None:
                scaler.unscale_(optimizer)
            if grad_clip > 0:
                nn.utils.clip_grad_norm_(model.parameters(), grad_clip)
            if scaler is not None:
                scaler.step(optimizer)
                scaler.update()
            else:
                optimizer.step()
        n = labels.shape[0]
        loss_sum += loss.item() * n
        correct += int((logits.argmax(1) == labels).sum())
        seen += n
        bar.set_postfix(loss=f"{loss_sum / seen:.3f}", acc=f"{correct / seen:.1%}")
    return EpochStats(loss_sum / max(1, seen), correct / max(1, seen), seen)


@torch.no_grad()
def predict(
    model: nn.Module, loader: Iterable, device: torch.device, precision: Precision, desc: str, show_progress: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Class probabilities (N, C) and labels (N,) over `loader`."""
    model.eval()
    probs, labels = [], []
    for clips, mask, y in tqdm(loader, desc=desc, unit="batch", leave=False, disable=not show_progress):
        clips, mask = _to_device((clips, mask), device)
        with precision.autocast(device):
            logits = model(clips, mask).logits
        probs.append(logits.float().softmax(1).cpu().numpy())
        labels.append(y.numpy())
    if not probs:
        return np.zeros((0, 0), np.float32), np.zeros(0, np.int64)
    return np.concatenate(probs), np.concatenate(labels)
