"""Checkpoint round trip, atomic writes and every kind of bad checkpoint."""
from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest
import torch

from vision.atomic import atomic_dir
from vision.checkpoint import copy_checkpoint, load_checkpoint, read_model_card, save_checkpoint
from vision.config import ClipConfig, ModelConfig
from vision.errors import CheckpointError
from vision.model import build_model

LABELS = ["a", "b", "c"]


@pytest.fixture
def ckpt(tmp_path: Path) -> Path:
    torch.manual_seed(0)
    model = build_model(ModelConfig(num_classes=3, embed_dim=16, lstm_hidden=16))
    return save_checkpoint(
        tmp_path / "ckpt", model, ClipConfig(num_frames=4, frame_size=32), LABELS, model_card="# card\n"
    )


@pytest.mark.parametrize("field", ["pose_motion_gain", "pose_trajectory", "pose_body_attention"])
def test_checkpoints_written_before_an_option_load_with_its_default(tmp_path: Path, field: str) -> None:
    model = build_model(ModelConfig(num_classes=3, input="pose", embed_dim=16, lstm_hidden=16,
                                    pose_motion_gain=10.0, pose_body_attention=True))  # (trajectory changes shapes)
    path = save_checkpoint(tmp_path / "old", model, ClipConfig(num_frames=4), LABELS)
    config = json.loads((path / "config.json").read_text())
    del config["model"][field]  # as written before the option existed
    (path / "config.json").write_text(json.dumps(config))
    assert getattr(load_checkpoint(path).model_config, field) == getattr(ModelConfig(num_classes=3), field)


def test_round_trip_gives_bit_identical_logits(tmp_path: Path) -> None:
    torch.manual_seed(0)
    model = build_model(ModelConfig(num_classes=3, pooling="max", bidirectional=True)).eval()
    clip_cfg = ClipConfig(num_frames=4, frame_size=48, fps=12.5, mean=(0.5, 0.5, 0.5), std=(0.5,) * 3)
    path = save_checkpoint(tmp_path / "m", model, clip_cfg, LABELS, extra={"epoch": 3})
    loaded = load_checkpoint(path)
    assert all(torch.equal(a, b) for a, b in zip(model.state_dict().values(), loaded.model.state_dict().values()))
    model.to(memory_format=torch.channels_last)  # the layout load_checkpoint gives
    clip = torch.randn(2, 4, 3, 48, 48)
    with torch.no_grad():
        assert torch.equal(model(clip).logits, loaded.model(clip).logits)
    assert loaded.model_config == model.config
    assert loaded.clip_config == clip_cfg
    assert loaded.labels == LABELS
    assert loaded.extra == {"epoch": 3}
    assert not loaded.model.training


def test_model_card_is_saved(ckpt: Path) -> None:
    assert read_model_card(ckpt) == "# card\n"


def _edit_json(path: Path, fn) -> None:
    data = json.loads(path.read_text())
    fn(data)
    path.write_text(json.dumps(data))


BAD_CASES = {
    "missing dir": (lambda p: p.rename(p.with_name("gone")), "not found"),
    "missing config": (lambda p: (p / "config.json").unlink(), "missing config.json"),
    "missing weights": (lambda p: (p / "model.safetensors").unlink(), "missing model.safetensors"),
    "missing labels": (lambda p: (p / "labels.json").unlink(), "missing labels.json"),
    "corrupt json": (lambda p: (p / "config.json").write_text("{not json"), "corrupt JSON"),
    "wrong version": (
        lambda p: _edit_json(p / "config.json", lambda d: d.update(format_version=99)),
        "format version 99",
    ),
    "label count": (lambda p: (p / "labels.json").write_text('["a", "b"]'), "2 labels but the model has 3"),
    "unknown key": (
        lambda p: _edit_json(p / "config.json", lambda d: d["model"].update(bogus=1)),
        "unknown ModelConfig keys: bogus",
    ),
    "shape mismatch": (
        lambda p: _edit_json(p / "config.json", lambda d: d["model"].update(embed_dim=8)),
        "shape mismatch",
    ),
    "truncated weights": (
        lambda p: (p / "model.safetensors").write_bytes((p / "model.safetensors").read_bytes()[:500]),
        "not a valid safetensors",
    ),
}


@pytest.mark.parametrize("case", BAD_CASES)
def test_bad_checkpoints_give_one_line_errors(ckpt: Path, case: str) -> None:
    damage, message = BAD_CASES[case]
    damage(ckpt)
    with pytest.raises(CheckpointError, match=message) as info:
        load_checkpoint(ckpt)
    assert "\n" not in str(info.value)


class _Exploit:
    """Unpickling this would create a marker file: the loader must never unpickle."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def test_pickle_posing_as_weights_is_never_executed(ckpt: Path, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    (ckpt / "model.safetensors").write_bytes(pickle.dumps({"w": _Exploit(marker)}))
    with pytest.raises(CheckpointError, match="not a valid safetensors"):
        load_checkpoint(ckpt)
    assert not marker.exists()
    pickle.loads(pickle.dumps(_Exploit(marker)))  # the payload is real: unpickling does run it
    assert marker.exists()


def test_failed_write_keeps_previous_checkpoint(ckpt: Path) -> None:
    before = (ckpt / "model.safetensors").read_bytes()
    with pytest.raises(OSError, match="disk full"):
        with atomic_dir(ckpt) as tmp:
            (tmp / "model.safetensors").write_bytes(b"partial")
            raise OSError(28, "disk full")
    assert (ckpt / "model.safetensors").read_bytes() == before
    assert load_checkpoint(ckpt).labels == LABELS
    assert [p.name for p in ckpt.parent.iterdir()] == ["ckpt"]  # no temp dirs left


def test_interrupted_swap_is_recovered(ckpt: Path) -> None:
    # A crash between "old -> backup" and "new -> target" leaves only the backup.
    ckpt.rename(ckpt.with_name(".ckpt.old"))
    assert load_checkpoint(ckpt).labels == LABELS


def test_overwrite_replaces_whole_directory(ckpt: Path) -> None:
    (ckpt / "stale.txt").write_text("x")
    model = build_model(ModelConfig(num_classes=2, embed_dim=16, lstm_hidden=16))
    save_checkpoint(ckpt, model, ClipConfig(num_frames=4, frame_size=32), ["x", "y"])
    assert not (ckpt / "stale.txt").exists()
    assert load_checkpoint(ckpt).labels == ["x", "y"]


def test_save_rejects_label_count_mismatch(tmp_path: Path) -> None:
    model = build_model(ModelConfig(num_classes=3))
    with pytest.raises(CheckpointError, match="2 labels"):
        save_checkpoint(tmp_path / "x", model, ClipConfig(), ["a", "b"])
    assert not (tmp_path / "x").exists()


def test_copy_checkpoint_replaces_the_target_whole_and_refuses_a_non_checkpoint(ckpt: Path, tmp_path: Path) -> None:
    target = tmp_path / "saved"
    target.mkdir()
    (target / "stale.txt").write_text("x")
    assert copy_checkpoint(ckpt, target) == target
    assert not (target / "stale.txt").exists()
    assert load_checkpoint(target).labels == LABELS
    assert read_model_card(target) == "# card\n"
    (tmp_path / "notes").mkdir()
    with pytest.raises(CheckpointError):
        copy_checkpoint(tmp_path / "notes", tmp_path / "elsewhere")
    assert not (tmp_path / "elsewhere").exists()
