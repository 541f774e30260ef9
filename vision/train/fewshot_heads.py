"""Few-shot training, step 2: small heads over frozen frame embeddings.

Every head is the encoder checkpoint's own `ActionNet` with a new last layer, so the result is
an ordinary checkpoint that every engine runs unchanged:

- `prototype`: the encoder's LSTM and temporal attention as they are; a window's summary is
  compared with each class's mean summary (its prototype). Squared distances with a shared
  variance are a linear function of the summary (the |x|^2 term is the same for every class
  and cancels in the softmax), so the head is `Linear(W = p / var, b = -|p|^2 / (2 var))`.
- `linear`: the same frozen summaries, a linear layer trained by logistic regression
  (started from the prototypes).
- `lstm`: the LSTM-attention head fine-tuned on the embeddings (encoder frozen), started from
  the encoder's LSTM and the prototypes.
"""
from __future__ import annotations

import copy
import dataclasses
from typing import Callable

import torch
from torch import nn

from vision.model import ActionNet, build_model

HEADS = ("prototype", "linear", "lstm")
LossCallback = Callable[[int, float], None]  # (step, loss)


def head_model(encoder: ActionNet, num_classes: int) -> ActionNet:
    """A copy of `encoder`'s network (frame encoder, LSTM, temporal pooling) with a fresh
    `num_classes` head and no video head, on the CPU, in eval mode."""
    config = dataclasses.replace(encoder.config, num_classes=num_classes, video_head=False)
    model = build_model(config)
    state = {k: v for k, v in encoder.state_dict().items() if not k.startswith(("head.", "video."))}
    missing, unexpected = model.load_state_dict(state, strict=False)
    assert not unexpected and all(k.startswith("head.") for k in missing), (missing, unexpected)
    return model.cpu().eval()


@torch.no_grad()
def summaries(model: ActionNet, windows: torch.Tensor, masks: torch.Tensor, batch: int = 512) -> torch.Tensor:
    """Window summaries (N, S) of embedding windows (N, T, D) with masks (N, T)."""
    model.eval()
    return torch.cat([model.summarise_windows(windows[i : i + batch], masks[i : i + batch])
                      for i in range(0, len(windows), batch)])


def prototypes(summary: torch.Tensor, labels: torch.Tensor, num_classes: int) -> tuple[torch.Tensor, float]:
    """Class means (C, S) of summaries (N, S) and the shared per-dimension variance around them."""
    protos = torch.stack([summary[labels == c].mean(0) for c in range(num_classes)])
    var = float((summary - protos[labels]).square().mean())
    return protos, max(var, 1e-6)


def set_prototype_head(model: ActionNet, protos: torch.Tensor, var: float) -> None:
    """Make `model.head` the nearest-prototype classifier (Gaussian, shared variance `var`)."""
    linear: nn.Linear = model.head[-1]
    with torch.no_grad():
        linear.weight.copy_(protos / var)
        linear.bias.copy_(-protos.square().sum(1) / (2 * var))


def fit_head(kind: str, encoder: ActionNet, windows: torch.Tensor, masks: torch.Tensor, labels: torch.Tensor,
             num_classes: int, *, seed: int = 0, on_loss: LossCallback | None = None,
             cancelled: Callable[[], bool] = lambda: False, summary: torch.Tensor | None = None) -> ActionNet:
    """Train head `kind` on embedding windows (N, T, D), masks (N, T) and labels (N,).

    `summary`: the windows' summaries (N, S) under the encoder's own LSTM, when already
    computed (the prototype and linear heads read nothing else). Returns the whole few-shot
    model (eval mode, CPU). `cancelled` is polled between steps.
    """
    if kind not in HEADS:
        raise ValueError(f"head must be one of {', '.join(HEADS)}, got {kind!r}")
    torch.manual_seed(seed)
    model = head_model(encoder, num_classes)
    if summary is None:
        summary = summaries(model, windows, masks)
    set_prototype_head(model, *prototypes(summary, labels, num_classes))
    if kind == "linear":
        _fit_linear(model, summary, labels, on_loss, cancelled)
    elif kind == "lstm":
        _fit_lstm(model, windows, masks, labels, seed, on_loss, cancelled)
    return model.eval()


def _check(cancelled: Callable[[], bool]) -> None:
    if cancelled():
        from vision.train.fewshot_embed import TrainingCancelled

        raise TrainingCancelled()


def _fit_linear(model: ActionNet, summary: torch.Tensor, labels: torch.Tensor, on_loss: LossCallback | None,
                cancelled: Callable[[], bool], steps: int = 150) -> None:
    """Full-batch logistic regression of the last layer on fixed summaries."""
    linear: nn.Linear = model.head[-1]
    optimizer = torch.optim.Adam(linear.parameters(), lr=0.02, weight_decay=1e-3)
    loss_fn = nn.CrossEntropyLoss(label_smoothing=0.05)
    for step in range(steps):
        _check(cancelled)
        loss = loss_fn(linear(summary), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if on_loss and step % 10 == 0:
            on_loss(step, float(loss.detach()))


def _fit_lstm(model: ActionNet, windows: torch.Tensor, masks: torch.Tensor, labels: torch.Tensor, seed: int,
              on_loss: LossCallback | None, cancelled: Callable[[], bool], steps: int = 30, batch: int = 32) -> None:
    """Fine-tune LSTM, temporal pooling and the last layer on the embedding windows.

    Few, small steps: on 5 x 5 synthetic clips 30 steps of 32 windows held out as well as 60
    of 64 or better (more overfit the handful of clips) at a third of the time."""
    initial = copy.deepcopy(model.state_dict())
    params = [p for n, p in model.named_parameters() if n.startswith(("lstm.", "temporal.", "head."))]
    optimizer = torch.optim.AdamW(params, lr=1e-3, weight_decay=1e-2)
    loss_fn = nn.CrossEntropyLoss(label_smoothing=0.1)
    generator = torch.Generator().manual_seed(seed)
    model.train()
    for step in range(steps):
        _check(cancelled)
        pick = torch.randint(0, len(windows), (min(batch, len(windows)),), generator=generator)
        logits = model.classify_embeddings(windows[pick], masks[pick]).logits  # (b, C)
        loss = loss_fn(logits, labels[pick])
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(params, 1.0)
        optimizer.step()
        if not torch.isfinite(loss):  # diverged: keep the prototype head on the encoder's LSTM
            model.load_state_dict(initial)
            break
        if on_loss and step % 5 == 0:
            on_loss(step, float(loss.detach()))
    model.eval()


@torch.no_grad()
def predict(model: ActionNet, windows: torch.Tensor, masks: torch.Tensor, batch: int = 512) -> torch.Tensor:
    """Class probabilities (N, C) of embedding windows."""
    model.eval()
    out = [torch.softmax(model.classify_embeddings(windows[i : i + batch], masks[i : i + batch]).logits, dim=1)
           for i in range(0, len(windows), batch)]
    return torch.cat(out)
