"""ModelConfig options of the temporal side: forget-gate bias, attention temperatures, residual +
LayerNorm LSTM stacks, multihead pooling, truncated BPTT, and that their defaults change nothing."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from vision.checkpoint import load_checkpoint
from vision.cli.classify import SHAPES_WEIGHTS
from vision.config import ModelConfig
from vision.errors import ConfigError
from vision.model import build_model
from vision.model.sequence import MaskedLSTM, set_tbptt, truncated_lstm

REFERENCE = Path(__file__).parent / "data" / "default_logits.json"
B, T, SIZE, CLASSES = 2, 5, 48, 4


def _model(**kw) -> torch.nn.Module:
    torch.manual_seed(0)
    return build_model(ModelConfig(num_classes=CLASSES, embed_dim=16, lstm_hidden=12, dropout=0.0, **kw)).eval()


def test_default_weights_give_the_logits_of_the_code_that_trained_them() -> None:
    """Reference logits were computed on weights/default before any of these options existed."""
    ref = json.loads(REFERENCE.read_text())
    clip = torch.randn(2, 16, 3, 112, 112, generator=torch.Generator().manual_seed(ref["seed"]))
    with torch.no_grad():
        out = load_checkpoint(SHAPES_WEIGHTS).model(clip)
    torch.testing.assert_close(out.logits, torch.tensor(ref["logits"]), rtol=0, atol=1e-5)
    torch.testing.assert_close(out.temporal_weights, torch.tensor(ref["temporal_weights"]), rtol=0, atol=1e-6)


def test_forget_bias_sets_every_forget_gate_and_nothing_else() -> None:
    lstm = MaskedLSTM(6, 8, 3, 0.0, True, forget_bias=1.0)
    default = MaskedLSTM(6, 8, 3, 0.0, True)
    for module in (*lstm.forward_layers, *lstm.backward_layers):
        total = module.bias_ih_l0 + module.bias_hh_l0  # (4H,): input, forget, cell, output gates
        assert torch.equal(total[8:16], torch.ones(8))
        assert not torch.equal(total[:8], torch.ones(8))  # the other gates keep PyTorch's init
    assert not torch.allclose((default.forward_layers[0].bias_ih_l0 + default.forward_layers[0].bias_hh_l0)[8:16], torch.ones(8))


@pytest.mark.parametrize("pooling", ["attention", "multihead"])
def test_temperature_sharpens_spatial_and_temporal_attention_exactly(pooling: str) -> None:
    """softmax(s / tau) = softmax(s) ** (1 / tau), renormalised: the same weights, another temperature."""
    base = _model(pooling=pooling, attention_heads=1)
    hot = _model(pooling=pooling, attention_heads=1, spatial_temperature=0.5, temporal_temperature=0.25)
    hot.load_state_dict(base.state_dict())
    clip = torch.randn(B, T, 3, SIZE, SIZE)
    mask = torch.tensor([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]], dtype=torch.bool)
    with torch.no_grad():
        a, b = base(clip, mask), hot(clip, mask)
    maps = a.attention_maps**2
    torch.testing.assert_close(b.attention_maps, maps / maps.sum(dim=(2, 3), keepdim=True))
    weights = a.temporal_weights**4
    torch.testing.assert_close(b.temporal_weights, weights / weights.sum(1, keepdim=True))
    assert (b.temporal_weights[1, 3:] == 0).all()


def test_learned_temperatures_start_where_fixed_ones_are_and_get_gradients() -> None:
    fixed = _model(spatial_temperature=0.7, temporal_temperature=1.5)
    learned = _model(spatial_temperature=0.7, temporal_temperature=1.5, learn_temperature=True)
    names = {n for n, _ in learned.named_parameters()} - {n for n, _ in fixed.named_parameters()}
    assert names == {"spatial.temperature.log_tau", "temporal.temperature.log_tau"}
    learned.load_state_dict(fixed.state_dict(), strict=False)
    clip = torch.randn(B, T, 3, SIZE, SIZE)
    with torch.no_grad():
        torch.testing.assert_close(learned(clip).logits, fixed(clip).logits)
    learned(clip).logits.square().sum().backward()
    assert all(dict(learned.named_parameters())[n].grad.abs() > 0 for n in names)


def test_residual_skips_a_layer_that_outputs_nothing_and_layernorm_normalises() -> None:
    torch.manual_seed(0)
    x, lengths = torch.randn(2, 7, 6), torch.tensor([7, 4])
    stack = MaskedLSTM(6, 8, 4, 0.0, False, residual=True)
    with torch.no_grad():  # an LSTM with all-zero weights and biases outputs exactly 0
        for layer in stack.forward_layers[1:]:
            for p in layer.parameters():
                p.zero_()
        first = stack.forward_layers[0](x)[0]
        torch.testing.assert_close(stack(x, lengths), first)
        stack.residual = False
        assert stack(x, lengths).abs().max() == 0
    normed = MaskedLSTM(6, 8, 4, 0.0, True, residual=True, layernorm=True)
    with torch.no_grad():
        out = normed(x, lengths)  # (2, 7, 16)
    torch.testing.assert_close(out.mean(-1), torch.zeros(2, 7), rtol=0, atol=1e-5)
    torch.testing.assert_close(out.std(-1, unbiased=False), torch.ones(2, 7), rtol=0, atol=1e-3)


@pytest.mark.parametrize("options", [
    dict(lstm_layers=4, lstm_residual=True, lstm_layernorm=True, bidirectional=True),
    dict(lstm_layers=2, pooling="multihead", forget_bias=1.0, learn_temperature=True, temporal_temperature=0.5),
])
def test_masked_clips_equal_unpadded_clips_with_the_options(options: dict) -> None:
    model = _model(**options)
    short, full = torch.randn(1, 3, 3, SIZE, SIZE), torch.randn(1, T, 3, SIZE, SIZE)
    padded = torch.cat([short, 100 * torch.randn(1, T - 3, 3, SIZE, SIZE)], dim=1)
    mask = torch.tensor([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], dtype=torch.bool)
    with torch.no_grad():
        batched = model(torch.cat([padded, full]), mask)
        torch.testing.assert_close(batched.logits[0], model(short).logits[0], rtol=0, atol=1e-5)
        torch.testing.assert_close(batched.logits[1], model(full).logits[0], rtol=0, atol=1e-5)
    assert (batched.temporal_weights[0, 3:] == 0).all()
    torch.testing.assert_close(batched.temporal_weights.sum(1), torch.ones(2))


def test_multihead_heads_must_divide_the_pooled_width() -> None:
    with pytest.raises(ConfigError, match="5 heads do not divide the 12"):
        ModelConfig(num_classes=2, lstm_hidden=12, pooling="multihead", attention_heads=5)
    assert ModelConfig(num_classes=2, lstm_hidden=12, bidirectional=True, pooling="multihead", attention_heads=8)
    with pytest.raises(ConfigError, match="temperature"):
        ModelConfig(num_classes=2, temporal_temperature=0.0)


def test_truncated_bptt_keeps_the_forward_pass_and_cuts_gradients_between_chunks() -> None:
    torch.manual_seed(0)
    lstm = torch.nn.LSTM(3, 5, batch_first=True)
    x = torch.randn(2, 12, 3, requires_grad=True)
    full = lstm(x)[0]
    chunked = truncated_lstm(lstm, x, 4)
    torch.testing.assert_close(chunked, full)
    (grad_full,) = torch.autograd.grad(full[:, -1].sum(), x)
    (grad_cut,) = torch.autograd.grad(truncated_lstm(lstm, x, 4)[:, -1].sum(), x)
    assert grad_full[:, :8].abs().sum() > 0 and grad_cut[:, :8].abs().sum() == 0  # earlier chunks: cut
    torch.testing.assert_close(grad_cut[:, 8:], grad_full[:, 8:])  # within the last chunk: exact
    (grad_long,) = torch.autograd.grad(truncated_lstm(lstm, x, 12)[:, -1].sum(), x)
    torch.testing.assert_close(grad_long, grad_full)


def test_tbptt_applies_in_training_only_and_matches_the_full_forward(monkeypatch: pytest.MonkeyPatch) -> None:
    import vision.model.sequence as sequence

    calls: list[int] = []
    monkeypatch.setattr(sequence, "truncated_lstm", lambda lstm, x, k: calls.append(k) or truncated_lstm(lstm, x, k))
    model = _model(lstm_layers=2, bidirectional=True)
    emb = torch.randn(B, 7, 16)
    model.train()
    model.classify_embeddings(emb).logits.sum().backward()
    full = [p.grad.clone() for p in model.lstm.parameters()]
    model.zero_grad()
    set_tbptt(model, 2)
    with torch.no_grad():
        assert not calls
        reference = model.classify_embeddings(emb).logits
    logits = model.classify_embeddings(emb).logits
    assert calls == [2, 2, 2, 2]  # both directions of both layers ran in chunks
    torch.testing.assert_close(logits, reference)
    logits.sum().backward()
    cut = [p.grad for p in model.lstm.parameters()]
    assert all(g is not None for g in cut)
    assert not all(torch.allclose(a, b) for a, b in zip(full, cut))  # truncation changed the gradient
