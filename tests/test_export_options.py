"""ONNX / TorchScript exports of models with the temporal options match torch."""
from __future__ import annotations

from pathlib import Path

import pytest
import torch

from vision.checkpoint import load_checkpoint, save_checkpoint
from vision.config import ClipConfig, ModelConfig
from vision.export.exporter import export_checkpoint
from vision.export.runtime import RUNTIME_OF_FORMAT, load_export
from vision.model import build_model

OPTIONS = {
    "multihead-residual-layernorm-learned-tau": dict(
        lstm_layers=3, lstm_residual=True, lstm_layernorm=True, forget_bias=1.0, pooling="multihead",
        attention_heads=4, learn_temperature=True, spatial_temperature=0.5, temporal_temperature=2.0),
    "bidirectional-attention-fixed-tau": dict(
        lstm_layers=2, bidirectional=True, lstm_layernorm=True, spatial_temperature=0.7, temporal_temperature=0.4),
}


@pytest.mark.parametrize("fmt", ["onnx", "torchscript"])
@pytest.mark.parametrize("name", list(OPTIONS))
def test_exported_options_match_torch(tmp_path: Path, fmt: str, name: str) -> None:
    torch.manual_seed(0)
    model = build_model(ModelConfig(num_classes=3, embed_dim=16, lstm_hidden=12, **OPTIONS[name]))
    with torch.no_grad():  # learned temperatures away from their start, so a dropped one would show
        for p in model.parameters():
            if p.ndim == 0:
                p.add_(0.3)
    ckpt = save_checkpoint(tmp_path / "ckpt", model, ClipConfig(frame_size=48), ["a", "b", "c"])
    exported = load_export(export_checkpoint(ckpt, tmp_path / fmt, fmt), RUNTIME_OF_FORMAT[fmt]).model
    reference = load_checkpoint(ckpt).model
    clips = torch.randn(3, 7, 3, 48, 48)  # another batch size and length than the export's example
    mask = torch.ones(3, 7, dtype=torch.bool)
    mask[1, 4:] = False
    with torch.no_grad():
        ours = exported.classify_embeddings(exported.encode_frames(clips).embeddings, mask)
        ref = reference.classify_embeddings(reference.encode_frames(clips).embeddings, mask)
        maps = exported.encode_frames(clips[0]).attention_maps, reference.encode_frames(clips[0]).attention_maps
    torch.testing.assert_close(ours.logits, ref.logits, rtol=0, atol=1e-3)
    torch.testing.assert_close(ours.temporal_weights, ref.temporal_weights, rtol=0, atol=1e-4)
    torch.testing.assert_close(*maps, rtol=0, atol=1e-4)


@pytest.mark.parametrize("fmt", ["onnx", "torchscript"])
@pytest.mark.parametrize("features", ["fused", "heatmap", "fused+trajectory", "heatmap+body"])
def test_exported_pose_models_match_torch(tmp_path: Path, fmt: str, features: str) -> None:
    from vision.pose.features import FEATURE_DIM

    torch.manual_seed(0)
    model = build_model(ModelConfig(num_classes=3, input="pose", pose_features=features.split("+")[0],
                                    pose_trajectory=features.endswith("+trajectory"),
                                    pose_body_attention=features.endswith("+body")))
    ckpt = save_checkpoint(tmp_path / "ckpt", model, ClipConfig(num_frames=8), ["a", "b", "c"])
    exported = load_export(export_checkpoint(ckpt, tmp_path / fmt, fmt), RUNTIME_OF_FORMAT[fmt]).model
    reference = load_checkpoint(ckpt).model
    frames = (torch.rand(2, 9, FEATURE_DIM) - 0.5) * 0.8  # landmarks around the hips, motion, presence
    with torch.no_grad():
        ours, ref = exported.encode_frames(frames), reference.encode_frames(frames)
        logits = exported.classify_embeddings(ours.embeddings).logits, reference.classify_embeddings(ref.embeddings).logits
    assert ours.attention_maps.shape == ref.attention_maps.shape == (2, 9, *ref.attention_maps.shape[-2:])
    torch.testing.assert_close(ours.attention_maps, ref.attention_maps, rtol=0, atol=1e-4)
    torch.testing.assert_close(*logits, rtol=0, atol=1e-3)
