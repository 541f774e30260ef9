"""Weight averaging of checkpoints (`python -m vision.train.soup`)."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from vision.checkpoint import load_checkpoint, save_checkpoint
from vision.config import ClipConfig, ModelConfig
from vision.errors import CheckpointError
from vision.model import build_model
from vision.pose.features import FEATURE_DIM
from vision.train.calibrate import choose_threshold
from vision.train.soup import main, make_soup

LABELS = ["a", "b", "c"]
CONFIG = ModelConfig(num_classes=3, input="pose", embed_dim=16, lstm_hidden=16, pose_body_attention=True)


def _checkpoint(path: Path, seed: int, labels: list[str] = LABELS, extra: dict | None = None) -> Path:
    torch.manual_seed(seed)
    model = build_model(CONFIG)
    for name, buf in model.named_buffers():  # BatchNorm statistics differ between runs too
        if buf.is_floating_point():
            buf.uniform_(0.5, 1.5)
    return save_checkpoint(path, model, ClipConfig(num_frames=4), labels, extra=extra)


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Path, Path]:
    calibrated = {"epoch": 6, **choose_threshold(np.array([0.9, 0.6]), np.array([0.4]), 0.95),
                  "unknown_calibration": {"known": "fresh", "other": "other"}}  # what calibrate writes
    return _checkpoint(tmp_path / "s1", 1, extra=calibrated), _checkpoint(tmp_path / "s2", 2)


def test_soup_is_the_weighted_mean_of_every_float_tensor(pair: tuple[Path, Path], tmp_path: Path) -> None:
    make_soup(list(pair), tmp_path / "soup", [1.0, 3.0])
    a, b, soup = (load_checkpoint(p).model.state_dict() for p in (*pair, tmp_path / "soup"))
    floats = [k for k, v in a.items() if v.is_floating_point()]
    assert any("running_var" in k for k in floats) and any("lstm" in k for k in floats)
    for key in floats:
        torch.testing.assert_close(soup[key], 0.25 * a[key] + 0.75 * b[key])
    assert not torch.equal(soup[floats[0]], a[floats[0]])


def test_soup_of_one_weight_reproduces_that_checkpoint(pair: tuple[Path, Path], tmp_path: Path) -> None:
    make_soup(list(pair), tmp_path / "soup", [0.0, 2.0])
    clip = torch.rand(2, 4, FEATURE_DIM)
    with torch.no_grad():
        expected = load_checkpoint(pair[1]).model(clip).logits
        got = load_checkpoint(tmp_path / "soup").model(clip).logits
    torch.testing.assert_close(got, expected)


def test_soup_drops_the_threshold_and_names_its_ingredients(pair: tuple[Path, Path], tmp_path: Path) -> None:
    make_soup(list(pair), tmp_path / "soup")
    extra = load_checkpoint(tmp_path / "soup").extra
    assert set(extra) == {"epoch", "soup"}
    assert extra["epoch"] == 6
    assert extra["soup"] == {"ingredients": [str(p) for p in pair], "weights": [1.0, 1.0]}


def test_soup_refuses_checkpoints_of_other_labels(pair: tuple[Path, Path], tmp_path: Path) -> None:
    other = _checkpoint(tmp_path / "other", 3, labels=["a", "b", "z"])
    with pytest.raises(CheckpointError, match="labels differ"):
        make_soup([pair[0], other], tmp_path / "soup")
    assert not (tmp_path / "soup").exists()


def test_cli_gives_one_line_errors_and_nonzero_exit(pair: tuple[Path, Path], tmp_path: Path, capsys) -> None:
    assert main([str(tmp_path / "soup"), str(pair[0])]) == 2
    assert main([str(tmp_path / "soup"), *map(str, pair), "--weights", "1", "-1"]) == 2
    assert main([str(tmp_path / "soup"), str(pair[0]), str(tmp_path / "missing")]) == 2
    errors = capsys.readouterr().err.strip().splitlines()
    assert len(errors) == 3 and all(e.startswith("error: ") for e in errors)
    assert main([str(tmp_path / "soup"), *map(str, pair)]) == 0
    assert json.loads((tmp_path / "soup" / "config.json").read_text())["extra"]["soup"]["weights"] == [1.0, 1.0]
