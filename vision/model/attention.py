"""Spatial attention pooling (the heatmap) and temporal pooling over LSTM outputs."""
from __future__ import annotations

import torch
from torch import nn


class SpatialAttentionPool(nn.Module):
    """`a = softmax_hw(conv1x1(F))`, `v = [sum_hw a * F, moments(a)]`, then a linear projection.

    `a` is the per-frame heatmap the GUI draws: it comes out of the forward pass for free.
    Attention-weighted pooling alone is translation invariant (the map follows a moving object,
    so `sum a * F` does not change), which hides exactly what motion classes need. The map's
    centroid and spread (E[x], E[y], std x, std y in [-1, 1] coordinates) put where the attended
    content is and how large it is into the embedding. A coarse layout summary (8 channels on a
    4x4 grid) gives the LSTM positions before the attention has learned to focus.
    """

    MOMENTS = 4
    LAYOUT_CHANNELS, LAYOUT_GRID = 8, 4

    def __init__(self, in_channels: int, embed_dim: int) -> None:
        super().__init__()
        self.score = nn.Conv2d(in_channels, 1, kernel_size=1)
        self.layout = nn.Sequential(
            nn.Conv2d(in_channels, self.LAYOUT_CHANNELS, kernel_size=1), nn.AdaptiveAvgPool2d(self.LAYOUT_GRID)
        )
        layout_dim = self.LAYOUT_CHANNELS * self.LAYOUT_GRID**2
        self.proj = nn.Sequential(nn.Linear(in_channels + self.MOMENTS + layout_dim, embed_dim), nn.LayerNorm(embed_dim))

    def forward(self, fmap: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """fmap (N, C, h, w) -> embedding (N, D), attention (N, h, w) summing to 1."""
        n, c, h, w = fmap.shape
        attn = self.score(fmap).flatten(1).float().softmax(dim=1)  # (N, h*w), fp32 under AMP
        pooled = torch.bmm(fmap.flatten(2), attn.to(fmap.dtype).unsqueeze(2)).squeeze(2)  # (N, C)
        ys = torch.linspace(-1, 1, h, device=fmap.device).view(h, 1).expand(h, w).reshape(1, -1)
        xs = torch.linspace(-1, 1, w, device=fmap.device).view(1, w).expand(h, w).reshape(1, -1)
        mx, my = (attn * xs).sum(1), (attn * ys).sum(1)  # (N,) centroid
        sx = ((attn * xs.square()).sum(1) - mx.square()).clamp_min(1e-6).sqrt()
        sy = ((attn * ys.square()).sum(1) - my.square()).clamp_min(1e-6).sqrt()
        moments = torch.stack([mx, my, sx, sy], dim=1).to(pooled.dtype)  # (N, 4)
        layout = self.layout(fmap).flatten(1)  # (N, 8 * 4 * 4)
        return self.proj(torch.cat([pooled, moments, layout], dim=1)), attn.view(n, h, w)


def lengths_from_mask(mask: torch.Tensor) -> torch.Tensor:
    """Valid-step counts (B,) of a (B, T) prefix mask; rejects masks with holes or empty rows."""
    lengths = mask.sum(dim=1)
    steps = torch.arange(mask.shape[1], device=mask.device)
    if not torch.equal(mask, steps.unsqueeze(0) < lengths.unsqueeze(1)):
        raise ValueError("mask must mark a prefix of valid steps per clip (padding at the end)")
    if bool((lengths == 0).any()):
        raise ValueError("every clip needs at least one valid step")
    return lengths


class TemporalPool(nn.Module):
    """Pools LSTM outputs (B, T, H) over valid steps: `last | mean | max | attention`.

    Returns the pooled vector (B, H) and weights (B, T) that sum to 1 over valid steps and are
    0 on padding: the attention softmax, uniform for mean, one-hot for last, and for max the
    share of channels whose maximum sits at each step.
    """

    def __init__(self, mode: str, hidden: int, bidirectional: bool) -> None:
        super().__init__()
        self.mode = mode
        self.bidirectional = bidirectional
        if mode == "attention":  # additive (Bahdanau) scoring
            self.proj = nn.Linear(hidden, hidden)
            self.v = nn.Linear(hidden, 1, bias=False)

    def forward(self, outputs: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        b, t, h = outputs.shape
        valid = mask.to(outputs.dtype)  # (B, T)
        if self.mode == "attention":
            scores = self.v(torch.tanh(self.proj(outputs))).squeeze(2).float()  # (B, T)
            weights = scores.masked_fill(~mask, float("-inf")).softmax(dim=1)
            pooled = torch.bmm(weights.to(outputs.dtype).unsqueeze(1), outputs).squeeze(1)
            return pooled, weights
        if self.mode == "mean":
            weights = valid / valid.sum(dim=1, keepdim=True)
            return torch.bmm(weights.unsqueeze(1), outputs).squeeze(1), weights
        if self.mode == "max":
            filled = outputs.masked_fill(~mask.unsqueeze(2), float("-inf"))
            pooled, where = filled.max(dim=1)  # (B, H), (B, H) step index per channel
            counts = torch.zeros(b, t, device=outputs.device, dtype=outputs.dtype)
            counts.scatter_add_(1, where, torch.ones_like(pooled))
            return pooled, counts / h
        # last: forward direction's last valid step; backward direction's step 0 (its end).
        last = mask.sum(dim=1) - 1  # (B,)
        pooled = outputs[torch.arange(b, device=outputs.device), last]  # (B, H)
        weights = nn.functional.one_hot(last, t).to(outputs.dtype)
        if self.bidirectional:
            half = h // 2
            pooled = torch.cat([pooled[:, :half], outputs[:, 0, half:]], dim=1)
            weights = 0.5 * weights + 0.5 * nn.functional.one_hot(torch.zeros_like(last), t)
        return pooled, weights
