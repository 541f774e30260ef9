"""The upper level of the hierarchical head: one label for a whole (long) video.

The window model's LSTM and temporal pooling summarise each window of T frames into one
vector (the lower level); this module runs an LSTM over the sequence of window summaries,
attention-pools its outputs and classifies. It is causal (unidirectional), so the label of a
video's first W windows never depends on what comes later.
"""
from __future__ import annotations

import torch
from torch import nn

from vision.model.attention import TemporalPool
from vision.model.sequence import MaskedLSTM


class VideoHead(nn.Module):
    """Window summaries (B, W, S) with a valid-window mask (B, W) -> logits (B, C), weights (B, W)."""

    def __init__(self, summary_size: int, hidden: int, num_classes: int, dropout: float) -> None:
        super().__init__()
        self.lstm = MaskedLSTM(summary_size, hidden, 1, 0.0, False)
        self.pool = TemporalPool("attention", hidden, False)
        self.head = nn.Sequential(nn.Dropout(dropout), nn.Linear(hidden, num_classes))

    def forward(self, summaries: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        outputs = self.lstm(summaries, mask.sum(dim=1))  # (B, W, hidden)
        pooled, weights = self.pool(outputs, mask)  # (B, hidden), (B, W)
        return self.head(pooled), weights
