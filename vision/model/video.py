"""The upper level of the hierarchical head: one label for a whole (long) video.

The window model's LSTM and temporal pooling summarise each window of T frames into one
vector (the lower level), and its classifier turns each summary into window probabilities.
This module runs an LSTM over the windows (summary and probabilities), attention-pools its
outputs and adds a learned correction to the log of today's overall label, the average of the
window probabilities. Its last layer starts at zero, so an untrained video head *is* averaging,
and training learns only what averaging misses. The LSTM is causal (unidirectional).
"""
from __future__ import annotations

import torch
from torch import nn

from vision.model.attention import TemporalPool
from vision.model.sequence import MaskedLSTM


class VideoHead(nn.Module):
    """Window summaries (B, W, S), window logits (B, W, C), valid windows (B, W) -> logits (B, C), weights (B, W)."""

    def __init__(self, summary_size: int, hidden: int, num_classes: int, dropout: float) -> None:
        super().__init__()
        self.lstm = MaskedLSTM(summary_size + num_classes, hidden, 1, 0.0, False)
        self.pool = TemporalPool("attention", hidden, False)
        self.head = nn.Sequential(nn.Dropout(dropout), nn.Linear(hidden, num_classes))
        nn.init.zeros_(self.head[1].weight)
        nn.init.zeros_(self.head[1].bias)

    def forward(
        self, summaries: torch.Tensor, window_logits: torch.Tensor, mask: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        probs = window_logits.float().softmax(dim=2)  # (B, W, C)
        valid = mask.unsqueeze(2).to(probs.dtype)
        average = (probs * valid).sum(1) / valid.sum(1)  # (B, C): the mean of the window probabilities
        x = torch.cat([summaries, probs.to(summaries.dtype)], dim=2)  # (B, W, S + C)
        outputs = self.lstm(x, mask.sum(dim=1))  # (B, W, hidden)
        pooled, weights = self.pool(outputs, mask)  # (B, hidden), (B, W)
        return self.head(pooled).float() + average.clamp_min(1e-8).log(), weights
