"""An LSTM stack that honours a prefix mask without packing.

A forward LSTM is causal, so padding after the valid steps cannot change their outputs. The
backward direction runs on each clip reversed *within its own length*, which puts the padding
at the end again. This keeps masked clips exactly equal to unpadded ones and stays plain
tensor ops (gather), so the head exports to ONNX, unlike `pack_padded_sequence`.

Deep stacks can add a residual connection and LayerNorm around every layer after the first
(both per step, so masking stays exact). Training on long sequences can truncate
back-propagation through time (`tbptt`): the sequence runs in chunks, the LSTM state is
carried from chunk to chunk but detached, and each chunk is recomputed in the backward pass,
so only one chunk's activations are held at a time. The forward result does not change.
"""
from __future__ import annotations

import torch
from torch import nn
from torch.utils.checkpoint import checkpoint


def reverse_within_lengths(x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """Reverse x (B, T, D) along T inside each clip's valid prefix; padding stays in place."""
    t = x.shape[1]
    steps = torch.arange(t, device=x.device).unsqueeze(0)  # (1, T)
    lengths = lengths.unsqueeze(1)  # (B, 1)
    index = torch.where(steps < lengths, lengths - 1 - steps, steps)  # (B, T)
    return x.gather(1, index.unsqueeze(2).expand(-1, -1, x.shape[2]))


def truncated_lstm(lstm: nn.LSTM, x: torch.Tensor, steps: int) -> torch.Tensor:
    """`lstm(x)[0]` for x (B, T, D) in chunks of `steps`: state carried, gradients cut between chunks."""
    outputs, state = [], None
    for start in range(0, x.shape[1], steps):
        chunk = x[:, start : start + steps]  # (B, K, D)
        if state is None:
            out, state = checkpoint(lstm, chunk, use_reentrant=False)
        else:
            out, state = checkpoint(lstm, chunk, (state[0].detach(), state[1].detach()), use_reentrant=False)
        outputs.append(out)
    return torch.cat(outputs, dim=1)  # (B, T, H)


def init_forget_bias(lstm: nn.LSTM, value: float) -> None:
    """Set the forget gates' total bias (PyTorch's gate order: input, forget, cell, output)."""
    h = lstm.hidden_size
    with torch.no_grad():
        for name, bias in lstm.named_parameters():
            if name.startswith("bias_ih"):
                bias[h : 2 * h] = value
            elif name.startswith("bias_hh"):
                bias[h : 2 * h] = 0.0


class MaskedLSTM(nn.Module):
    """Stacked (optionally bidirectional) LSTM; output (B, T, H * directions).

    With `layers=0` it is the identity (output = input): the frame-level ablation, whose
    temporal pooling sees no frame order. `tbptt` (steps, 0 = off) applies in training only.
    """

    def __init__(
        self,
        input_size: int,
        hidden: int,
        layers: int,
        dropout: float,
        bidirectional: bool,
        *,
        residual: bool = False,
        layernorm: bool = False,
        forget_bias: float | None = None,
    ) -> None:
        super().__init__()
        self.bidirectional = bidirectional
        self.residual = residual
        self.tbptt = 0
        self.output_size = hidden * (2 if bidirectional else 1) if layers else input_size
        sizes = ([input_size] + [self.output_size] * (layers - 1)) if layers else []
        self.forward_layers = nn.ModuleList(nn.LSTM(s, hidden, batch_first=True) for s in sizes)
        self.backward_layers = nn.ModuleList(
            nn.LSTM(s, hidden, batch_first=True) for s in sizes if bidirectional
        )
        # norms[i - 1] before layer i >= 1, norms[-1] on the stack's output
        self.norms = nn.ModuleList(nn.LayerNorm(self.output_size) for _ in sizes) if layernorm else None
        self.dropout = nn.Dropout(dropout)
        if forget_bias is not None:
            for lstm in [*self.forward_layers, *self.backward_layers]:
                init_forget_bias(lstm, forget_bias)

    def _run(self, lstm: nn.LSTM, x: torch.Tensor) -> torch.Tensor:
        if self.tbptt and self.training and torch.is_grad_enabled() and x.shape[1] > self.tbptt:
            return truncated_lstm(lstm, x, self.tbptt)
        return lstm(x)[0]

    def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """x (B, T, D), lengths (B,) -> outputs (B, T, H*dirs); padded steps are garbage."""
        for i, forward_lstm in enumerate(self.forward_layers):
            inputs = x
            if i > 0:
                inputs = self.dropout(self.norms[i - 1](x) if self.norms is not None else x)
            out = self._run(forward_lstm, inputs)  # (B, T, H)
            if self.bidirectional:
                back = self._run(self.backward_layers[i], reverse_within_lengths(inputs, lengths))
                out = torch.cat([out, reverse_within_lengths(back, lengths)], dim=2)  # (B, T, 2H)
            x = x + out if self.residual and i > 0 else out
        if self.norms is not None and len(self.norms):
            x = self.norms[-1](x)
        return x


def set_tbptt(model: nn.Module, steps: int) -> None:
    """Truncate back-propagation through time to `steps` in every `MaskedLSTM` of `model` (0: off)."""
    for module in model.modules():
        if isinstance(module, MaskedLSTM):
            module.tbptt = steps
