"""Backbone weights from a local file or the torch hub cache (offline)."""
from __future__ import annotations

from pathlib import Path

import pytest
import torch
import torchvision
from safetensors.torch import save_file

from vision.config import ModelConfig
from vision.errors import CheckpointError, ConfigError
from vision.model import build_model
from vision.model.pretrained import imagenet_cache_path


def _reference_state(name: str) -> dict[str, torch.Tensor]:
    torch.manual_seed(1)
    return torchvision.models.get_model(name, weights=None).state_dict()


def test_backbone_from_safetensors_file(tmp_path: Path) -> None:
    state = _reference_state("mobilenet_v3_small")
    path = tmp_path / "mnv3.safetensors"
    save_file({k: v.contiguous() for k, v in state.items()}, str(path))
    model = build_model(ModelConfig(num_classes=2, backbone="mobilenet_v3_small"), pretrained=str(path))
    assert torch.equal(model.encoder[0][0].weight, state["features.0.0.weight"])


def test_backbone_from_pth_file_weights_only(tmp_path: Path) -> None:
    state = _reference_state("resnet18")
    path = tmp_path / "r18.pth"
    torch.save(state, path)
    model = build_model(ModelConfig(num_classes=2, backbone="resnet18"), pretrained=str(path))
    assert torch.equal(model.encoder[0].weight, state["conv1.weight"])


def test_imagenet_weights_found_in_hub_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    cached = imagenet_cache_path("resnet18")
    assert cached.is_relative_to(tmp_path)
    cached.parent.mkdir(parents=True)
    state = _reference_state("resnet18")
    torch.save(state, cached)
    model = build_model(ModelConfig(num_classes=2, backbone="resnet18"), pretrained="imagenet")
    assert torch.equal(model.encoder[0].weight, state["conv1.weight"])


def test_wrong_weights_file_is_a_clear_error(tmp_path: Path) -> None:
    state = _reference_state("mobilenet_v3_small")
    path = tmp_path / "mnv3.safetensors"
    save_file({k: v.contiguous() for k, v in state.items()}, str(path))
    with pytest.raises(CheckpointError, match="do not fit resnet18"):
        build_model(ModelConfig(num_classes=2, backbone="resnet18"), pretrained=str(path))
    with pytest.raises(CheckpointError, match="not found"):
        build_model(ModelConfig(num_classes=2), pretrained=str(tmp_path / "none.safetensors"))
    (tmp_path / "w.bin").write_bytes(b"x")
    with pytest.raises(CheckpointError, match=r"\.safetensors, \.pth or \.pt"):
        build_model(ModelConfig(num_classes=2), pretrained=str(tmp_path / "w.bin"))


def test_tiny_has_no_imagenet_weights() -> None:
    with pytest.raises(ConfigError, match="no ImageNet weights"):
        build_model(ModelConfig(num_classes=2), pretrained="imagenet")
