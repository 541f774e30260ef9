"""Truncated BPTT (`--tbptt K`) on long sequences vs full back-propagation, side by side: what the
backward pass holds, the time of one training step, and how far the truncated gradient is from
the full one. The forward pass (the loss) must not change.

The model is the hierarchical video head's upper LSTM + attention (128-d window summaries,
hidden 128) on L windows, batch 8, a cross-entropy loss on random labels. "Held for backward"
counts the bytes of every tensor autograd saves (a saved-tensors hook); with truncation, a
chunk's activations are recomputed in the backward pass, so only the chunk inputs and the
carried states are held.

    python bench/tbptt.py [--lengths 256 1024] [--chunks 16 64]
"""
from __future__ import annotations

import argparse
import time

import torch
from torch import nn

from vision.model.sequence import set_tbptt
from vision.model.video import VideoHead

B, SUMMARY, HIDDEN, CLASSES = 8, 128, 128, 9


def step(head: VideoHead, x: torch.Tensor, y: torch.Tensor) -> tuple[float, int, float, torch.Tensor]:
    """One forward + backward: loss, bytes held for backward, seconds, flat gradient."""
    head.zero_grad()
    held = 0

    def pack(t: torch.Tensor) -> torch.Tensor:
        nonlocal held
        held += t.numel() * t.element_size()
        return t

    started = time.perf_counter()
    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        logits, _ = head(x, torch.ones(x.shape[:2], dtype=torch.bool))
        loss = nn.functional.cross_entropy(logits, y)
    loss.backward()
    seconds = time.perf_counter() - started
    return loss.item(), held, seconds, torch.cat([p.grad.flatten() for p in head.parameters()])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lengths", type=int, nargs="+", default=[256, 1024])
    parser.add_argument("--chunks", type=int, nargs="+", default=[16, 64])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    torch.manual_seed(0)
    head = VideoHead(SUMMARY, HIDDEN, CLASSES, dropout=0.0).train()
    print(f"{'L':>5} {'K':>6} {'loss':>9} {'held for backward':>18} {'step s':>7} {'grad cos vs full':>17} {'|grad|/full':>12}")
    for length in args.lengths:
        x, y = torch.randn(B, length, SUMMARY), torch.randint(0, CLASSES, (B,))
        full = None
        for k in [0, *args.chunks]:
            set_tbptt(head, k)
            runs = [step(head, x, y) for _ in range(args.repeats)]
            loss, held, _, grad = runs[0]
            seconds = min(r[2] for r in runs)
            full = full or (loss, held, grad)
            cos = torch.nn.functional.cosine_similarity(grad, full[2], dim=0).item()
            print(f"{length:>5} {k or 'full':>6} {loss:>9.5f} {held / 2**20:>15.1f} MB {seconds:>7.3f} {cos:>17.4f} "
                  f"{grad.norm().item() / full[2].norm().item():>12.3f}", flush=True)


if __name__ == "__main__":
    main()
