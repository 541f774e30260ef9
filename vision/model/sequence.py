"""An LSTM stack that honours a prefix mask without packing.

A forward LSTM is causal, so padding after the valid steps cannot change their outputs. The
backward direction runs on each clip reversed *within its own length*, which puts the padding
at the end again. This keeps masked clips exactly equal to unpadded ones and stays plain
tensor ops (gather), so the head exports to ONNX, unlike `pack_padded_sequence`.
"""
from __future__ import annotations

import torch
from torch import nn


def reverse_within_lengths(x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """Reverse x (B, T, D) along T inside each clip's valid prefix; padding stays in place."""
    t = x.shape[1]
    steps = torch.arange(t, device=x.device).unsqueeze(0)  # (1, T)
    lengths = lengths.unsqueeze(1)  # (B, 1)
    index = torch.where(steps < lengths, lengths - 1 - steps, steps)  # (B, T)
    return x.gather(1, index.unsqueeze(2).expand_as(x))


class MaskedLSTM(nn.Module):
    """Stacked (optionally bidirectional) LSTM; output (B, T, H * directions).

    With `layers=0` it is the identity (output = input): the frame-level ablation, whose
    temporal pooling sees no frame order.
    """

    def __init__(
        self, input_size: int, hidden: int, layers: int, dropout: float, bidirectional: bool
    ) -> None:
        super().__init__()
        self.bidirectional = bidirectional
        self.output_size = hidden * (2 if bidirectional else 1) if layers else input_size
        sizes = ([input_size] + [self.output_size] * (layers - 1)) if layers else []
        self.forward_layers = nn.ModuleList(nn.LSTM(s, hidden, batch_first=True) for s in sizes)
        self.backward_layers = nn.ModuleList(
            nn.LSTM(s, hidden, batch_first=True) for s in sizes if bidirectional
        )
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """x (B, T, D), lengths (B,) -> outputs (B, T, H*dirs); padded steps are garbage."""
        for i, forward_lstm in enumerate(self.forward_layers):
            if i > 0:
                x = self.dropout(x)
            out, _ = forward_lstm(x)  # (B, T, H)
            if self.bidirectional:
                back, _ = self.backward_layers[i](reverse_within_lengths(x, lengths))
                out = torch.cat([out, reverse_within_lengths(back, lengths)], dim=2)  # (B, T, 2H)
            x = out
        return x
