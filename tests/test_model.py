"""ActionNet: shapes for every backbone, attention invariants, masking, and that it learns."""
from __future__ import annotations

import pytest
import torch

from vision.config import POOLINGS, ModelConfig
from vision.model import available_backbones, build_model
from vision.model.sequence import reverse_within_lengths

B, T, SIZE, CLASSES = 2, 4, 64, 5


def _model(**kw) -> torch.nn.Module:
    torch.manual_seed(0)
    cfg = ModelConfig(num_classes=CLASSES, embed_dim=32, lstm_hidden=24, dropout=0.0, **kw)
    return build_model(cfg).eval()


@pytest.mark.parametrize("backbone", available_backbones())
@pytest.mark.parametrize("bidirectional", [False, True])
def test_shapes_every_backbone_and_pooling(backbone: str, bidirectional: bool) -> None:
    clip = torch.randn(B, T, 3, SIZE, SIZE)
    for pooling in POOLINGS:
        model = _model(backbone=backbone, pooling=pooling, bidirectional=bidirectional)
        with torch.no_grad():
            out = model(clip)
        assert out.logits.shape == (B, CLASSES)
        assert out.temporal_weights.shape == (B, T)
        assert out.attention_maps.shape[:2] == (B, T)
        maps = out.attention_maps
        assert (maps >= 0).all()
        torch.testing.assert_close(maps.sum(dim=(2, 3)), torch.ones(B, T))
        torch.testing.assert_close(out.temporal_weights.sum(1), torch.ones(B))


def test_frame_only_ablation_ignores_frame_order() -> None:
    model = _model(lstm_layers=0, pooling="mean")
    clip = torch.randn(1, 5, 3, SIZE, SIZE)
    with torch.no_grad():
        forward, backward = model(clip).logits, model(clip.flip(1)).logits
    torch.testing.assert_close(forward, backward)
    assert not list(model.lstm.parameters())
    lstm = _model(pooling="mean")
    with torch.no_grad():
        assert not torch.allclose(lstm(clip).logits, lstm(clip.flip(1)).logits)


@pytest.mark.parametrize("backbone", ["tiny", "mobilenet_v3_small"])
def test_fused_model_matches_and_has_no_batchnorm(backbone: str) -> None:
    from vision.model.fuse import fuse_conv_bn

    model = _model(backbone=backbone)
    with torch.no_grad():  # non-trivial BN statistics
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_(-0.5, 0.5)
                m.running_var.uniform_(0.5, 2.0)
    fused = fuse_conv_bn(model)
    assert not any(isinstance(m, torch.nn.BatchNorm2d) for m in fused.encoder.modules()) or backbone != "tiny"
    clip = torch.randn(1, 3, 3, SIZE, SIZE)
    with torch.no_grad():
        torch.testing.assert_close(fused(clip).logits, model(clip).logits, rtol=1e-4, atol=1e-4)
    assert any(isinstance(m, torch.nn.BatchNorm2d) for m in model.modules())  # original untouched


def test_tiny_heatmap_resolution() -> None:
    with torch.no_grad():
        out = _model()(torch.randn(1, 2, 3, 112, 112))
    assert out.attention_maps.shape == (1, 2, 14, 14)


def test_encode_frames_accepts_flat_and_clip_batches() -> None:
    model = _model()
    frames = torch.randn(B * T, 3, SIZE, SIZE)
    with torch.no_grad():
        flat = model.encode_frames(frames)
        nested = model.encode_frames(frames.view(B, T, 3, SIZE, SIZE))
    assert flat.embeddings.shape == (B * T, 32)
    torch.testing.assert_close(nested.embeddings.reshape(B * T, -1), flat.embeddings)


@pytest.mark.parametrize("pooling", POOLINGS)
def test_split_api_equals_forward(pooling: str) -> None:
    model = _model(pooling=pooling, bidirectional=True, lstm_layers=2)
    clip = torch.randn(B, T, 3, SIZE, SIZE)
    with torch.no_grad():
        emb, _ = model.encode_frames(clip)
        logits, weights = model.classify_embeddings(emb)
        out = model(clip)
    torch.testing.assert_close(logits, out.logits, rtol=0, atol=1e-6)
    torch.testing.assert_close(weights, out.temporal_weights, rtol=0, atol=1e-6)


@pytest.mark.parametrize("pooling", POOLINGS)
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("motion", [False, True])
def test_masked_clip_equals_unpadded_clip(pooling: str, bidirectional: bool, motion: bool) -> None:
    model = _model(pooling=pooling, bidirectional=bidirectional, lstm_layers=2, motion_features=motion)
    short = torch.randn(1, 3, 3, SIZE, SIZE)
    full = torch.randn(1, 6, 3, SIZE, SIZE)
    # Batch a 3-frame clip padded with loud noise next to a full 6-frame clip.
    padded = torch.cat([short, 100 * torch.randn(1, 3, 3, SIZE, SIZE)], dim=1)
    mask = torch.tensor([[1, 1, 1, 0, 0, 0], [1, 1, 1, 1, 1, 1]], dtype=torch.bool)
    with torch.no_grad():
        batched = model(torch.cat([padded, full]), mask)
        alone_short = model(short)
        alone_full = model(full)
    torch.testing.assert_close(batched.logits[0], alone_short.logits[0], rtol=0, atol=1e-5)
    torch.testing.assert_close(batched.logits[1], alone_full.logits[0], rtol=0, atol=1e-5)
    weights = batched.temporal_weights
    assert (weights[0, 3:] == 0).all()
    torch.testing.assert_close(weights[0, :3], alone_short.temporal_weights[0], rtol=0, atol=1e-5)
    torch.testing.assert_close(weights.sum(1), torch.ones(2))


def test_bad_masks_are_rejected() -> None:
    model = _model()
    emb = torch.randn(1, 4, 32)
    with pytest.raises(ValueError, match="prefix"):
        model.classify_embeddings(emb, torch.tensor([[True, False, True, True]]))
    with pytest.raises(ValueError, match="at least one"):
        model.classify_embeddings(emb, torch.zeros(1, 4, dtype=torch.bool))


def test_reverse_within_lengths() -> None:
    x = torch.arange(5.0).view(1, 5, 1).repeat(2, 1, 1)
    out = reverse_within_lengths(x, torch.tensor([3, 5]))
    assert out[0, :, 0].tolist() == [2, 1, 0, 3, 4]
    assert out[1, :, 0].tolist() == [4, 3, 2, 1, 0]


def test_tiny_model_overfits_a_small_batch() -> None:
    torch.manual_seed(0)
    model = build_model(ModelConfig(num_classes=4, embed_dim=32, lstm_hidden=32, dropout=0.0))
    model.train()
    clips = torch.randn(8, 4, 3, 32, 32)
    labels = torch.arange(8) % 4
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    first = None
    for _ in range(150):
        optimizer.zero_grad()
        loss = loss_fn(model(clips).logits, labels)
        loss.backward()
        if first is None:
            first = loss.item()
            grads = {
                part: sum(p.grad.abs().sum().item() for p in getattr(model, part).parameters())
                for part in ("encoder", "spatial", "lstm", "temporal", "head")
            }
            assert all(g > 0 for g in grads.values()), grads
        optimizer.step()
        if loss.item() < 0.1 * first:
            break
    assert loss.item() < 0.1 * first, (first, loss.item())


def test_unknown_backbone_suggests_close_names() -> None:
    from vision.errors import ConfigError

    with pytest.raises(ConfigError, match="did you mean resnet18"):
        build_model(ModelConfig(num_classes=2, backbone="resnet19"))
