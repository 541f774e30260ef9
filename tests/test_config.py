"""Config dataclasses: validation and JSON round trip."""
from __future__ import annotations

import json

import pytest

from vision.config import ClipConfig, ModelConfig, from_dict, to_dict
from vision.errors import ConfigError


def test_json_round_trip() -> None:
    model = ModelConfig(num_classes=7, backbone="resnet18", bidirectional=True, pooling="mean")
    clip = ClipConfig(num_frames=8, fps=None, mean=(0.5, 0.5, 0.5))
    assert from_dict(ModelConfig, json.loads(json.dumps(to_dict(model)))) == model
    assert from_dict(ClipConfig, json.loads(json.dumps(to_dict(clip)))) == clip


@pytest.mark.parametrize(
    "kwargs",
    [{"num_classes": 0}, {"num_classes": 2, "pooling": "sum"}, {"num_classes": 2, "dropout": 1.0}],
)
def test_invalid_model_config(kwargs: dict) -> None:
    with pytest.raises(ConfigError):
        ModelConfig(**kwargs)


@pytest.mark.parametrize("kwargs", [{"num_frames": 0}, {"fps": -1.0}, {"std": (0.0, 1.0, 1.0)}])
def test_invalid_clip_config(kwargs: dict) -> None:
    with pytest.raises(ConfigError):
        ClipConfig(**kwargs)


def test_from_dict_rejects_unknown_and_missing_keys() -> None:
    with pytest.raises(ConfigError, match="unknown ClipConfig keys: typo"):
        from_dict(ClipConfig, {"typo": 1})
    with pytest.raises(ConfigError, match="num_classes"):
        from_dict(ModelConfig, {})
    with pytest.raises(ConfigError, match="JSON object"):
        from_dict(ModelConfig, [1, 2])


def test_train_config_mirrors_every_model_field_and_default() -> None:
    import dataclasses

    from vision.train.config import TrainConfig

    train_fields = {f.name: f.default for f in dataclasses.fields(TrainConfig)}
    for f in dataclasses.fields(ModelConfig):
        if f.name != "num_classes":
            assert train_fields[f.name] == f.default, f.name
    cfg = TrainConfig(data_dir="d", out="o", pooling="max", lstm_layers=2)
    assert cfg.model_config(5) == ModelConfig(num_classes=5, pooling="max", lstm_layers=2)
