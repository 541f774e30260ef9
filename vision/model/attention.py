"""Spatial attention pooling (the heatmap) and temporal pooling over LSTM outputs."""
from __future__ import annotations

import math

import torch
from torch import nn


class Temperature(nn.Module):
    """Divides attention scores by tau before their softmax: tau < 1 sharpens a diffuse
    attention, tau > 1 flattens it. Fixed, or learned as log tau (so it stays positive)."""

    def __init__(self, value: float = 1.0, learned: bool = False) -> None:
        super().__init__()
        self.value = float(value)
        self.log_tau = nn.Parameter(torch.tensor(math.log(value))) if learned else None

    @property
    def tau(self) -> torch.Tensor | float:
        return self.value if self.log_tau is None else self.log_tau.exp()

    def forward(self, scores: torch.Tensor) -> torch.Tensor:
        if self.log_tau is None and self.value == 1.0:
            return scores  # the default: the exact graph of checkpoints made before temperatures
        return scores / self.tau


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

    def __init__(self, in_channels: int, embed_dim: int, temperature: Temperature | None = None) -> None:
        super().__init__()
        self.score = nn.Conv2d(in_channels, 1, kernel_size=1)
        self.temperature = temperature or Temperature()
        self.layout = nn.Sequential(
            nn.Conv2d(in_channels, self.LAYOUT_CHANNELS, kernel_size=1), nn.AdaptiveAvgPool2d(self.LAYOUT_GRID)
        )
        layout_dim = self.LAYOUT_CHANNELS * self.LAYOUT_GRID**2
        self.proj = nn.Sequential(nn.Linear(in_channels + self.MOMENTS + layout_dim, embed_dim), nn.LayerNorm(embed_dim))

    def forward(self, fmap: torch.Tensor, prior: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """fmap (N, C, h, w) -> embedding (N, D), attention (N, h, w) summing to 1.

        `prior` (N, h, w), optional: log-weights added to the scores (where attention may go)."""
        n, c, h, w = fmap.shape
        scores = self.temperature(self.score(fmap).flatten(1).float())
        if prior is not None:
            scores = scores + prior.flatten(1).float()
        attn = scores.softmax(dim=1)  # (N, h*w), fp32 under AMP
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


class MultiheadPool(nn.Module):
    """A learned query attends over the steps with `nn.MultiheadAttention`; weights averaged over heads.

    The projections have no bias: a key bias shifts every score of a query equally (the softmax
    cancels it) and a value bias is a constant the classifier's own bias absorbs. Without one,
    scaling the query by 1/tau scales every score by 1/tau: the temperature is exact.
    """

    def __init__(self, hidden: int, heads: int, temperature: Temperature) -> None:
        super().__init__()
        self.query = nn.Parameter(torch.randn(1, 1, hidden) / math.sqrt(hidden))
        self.attention = nn.MultiheadAttention(hidden, heads, bias=False, batch_first=True)
        self.temperature = temperature

    def forward(self, outputs: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        query = self.temperature(self.query.to(outputs.dtype)).expand(outputs.shape[0], 1, -1)  # (B, 1, H)
        # Values as a separate view: with `key is value`, nn.MultiheadAttention packs both projections
        # into one reshape that the ONNX exporter fixes to the example's length.
        values = outputs.view_as(outputs)
        pooled, weights = self.attention(query, outputs, values, key_padding_mask=~mask, need_weights=True)
        return pooled.squeeze(1), weights.squeeze(1).float()  # (B, H), (B, T)


class TemporalPool(nn.Module):
    """Pools LSTM outputs (B, T, H) over valid steps: `last | mean | max | attention | multihead`.

    Returns the pooled vector (B, H) and weights (B, T) that sum to 1 over valid steps and are
    0 on padding: the attention softmax (for multihead, averaged over heads), uniform for mean,
    one-hot for last, and for max the share of channels whose maximum sits at each step.
    """

    def __init__(
        self, mode: str, hidden: int, bidirectional: bool, temperature: Temperature | None = None, heads: int = 4
    ) -> None:
        super().__init__()
        self.mode = mode
        self.bidirectional = bidirectional
        temperature = temperature or Temperature()
        if mode == "attention":  # additive (Bahdanau) scoring
            self.proj = nn.Linear(hidden, hidden)
            self.v = nn.Linear(hidden, 1, bias=False)
            self.temperature = temperature
        elif mode == "multihead":
            self.multihead = MultiheadPool(hidden, heads, temperature)

    def forward(self, outputs: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        b, t, h = outputs.shape
        valid = mask.to(outputs.dtype)  # (B, T)
        if self.mode == "multihead":
            return self.multihead(outputs, mask)
        if self.mode == "attention":
            scores = self.temperature(self.v(torch.tanh(self.proj(outputs))).squeeze(2).float())  # (B, T)
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
