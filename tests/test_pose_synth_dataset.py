"""Pose synthesiser: dataset layout, group-wise split, determinism across workers, CLI."""
from __future__ import annotations

from pathlib import Path

import pytest

from vision.cli.synth import main as synth_main
from vision.data.landmarks import load_sequence
from vision.data.ucf import index_dataset
from vision.synth.clip import ClipOptions
from vision.synth.dataset import PoseSynthOptions, make_pose_dataset


def _tiny_dataset(out: Path, workers: int, classes=("walk", "clap", "no_action")) -> Path:
    options = PoseSynthOptions(classes=classes, clips_per_class=4, clips_per_group=1, seed=7,
                               clip=ClipOptions(seconds=(0.5, 0.6)))
    return make_pose_dataset(out, options, workers=workers)


def test_dataset_is_deterministic_whatever_the_workers(tmp_path: Path) -> None:
    a = _tiny_dataset(tmp_path / "a", workers=1)
    b = _tiny_dataset(tmp_path / "b", workers=2)
    files = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    assert len(files) == 3 * 4 + 3
    for rel in files:
        assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel
    # A class's clips do not depend on which other classes are asked for.
    c = _tiny_dataset(tmp_path / "c", workers=1, classes=("clap",))
    assert (c / "clap" / "v_clap_g02_c01.npz").read_bytes() == (a / "clap" / "v_clap_g02_c01.npz").read_bytes()


def test_dataset_split_keeps_test_bodies_out_of_training(tmp_path: Path) -> None:
    root = _tiny_dataset(tmp_path / "ds", workers=1)
    index = index_dataset(root)
    assert index.mode == "split-files" and index.classes == ["walk", "clap", "no_action"]
    train = [load_sequence(i.path) for i in index.train]
    test = [load_sequence(i.path) for i in index.test]
    assert train and test
    train_bodies = {s.meta["body"]["height"] for s in train}
    test_bodies = {s.meta["body"]["height"] for s in test}
    assert train_bodies.isdisjoint(test_bodies)
    assert {s.meta["group"] for s in train}.isdisjoint({s.meta["group"] for s in test})
    assert {s.meta["split"] for s in test} == {"test"}
    # One body acts out every class: each group appears in all three classes.
    by_group = {}
    for s in train + test:
        by_group.setdefault(s.meta["group"], set()).add(s.meta["class"])
    assert all(len(v) == 3 for v in by_group.values())
    for item, seq in zip(index.train, train):
        assert seq.meta["class"] == index.classes[item.label] == item.path.parent.name


def test_cli_pose_mode_writes_the_tree_and_previews(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "pose"
    assert synth_main([str(out), "--pose", "--clips-per-class", "2", "--classes", "kick,squat", "--include-other",
                       "--seconds", "0.4", "0.5", "--render-videos", "1", "--seed", "3"]) == 0
    assert "clips/min" in capsys.readouterr().out
    assert (out / "classInd.txt").read_bytes() == b"1 kick\r\n2 squat\r\n3 other\r\n"
    assert sorted(p.name for p in (out / "kick").iterdir()) == ["v_kick_g01_c01.npz", "v_kick_g02_c01.npz"]
    previews = sorted((out / ".preview").rglob("*.mp4"))
    assert [p.relative_to(out / ".preview").as_posix() for p in previews] == [
        "kick/v_kick_g01_c01.mp4", "other/v_other_g01_c01.mp4", "squat/v_squat_g01_c01.mp4"]
    assert index_dataset(out, split=None).classes == ["kick", "other", "squat"]  # previews are not a class
    assert synth_main([str(out), "--pose", "--classes", "wave", "--quiet"]) == 2
    assert "did you mean" in capsys.readouterr().err
    assert synth_main([str(out), "--render-videos", "1", "--quiet"]) == 2


def test_cli_facing_rate_and_blazepose_marks(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "facing"
    assert synth_main([str(out), "--pose", "--clips-per-class", "4", "--classes", "walk", "--seconds", "0.4", "0.5",
                       "--facing-rate", "1", "--blazepose-marks", "--busy-hands", "1", "--quiet"]) == 0
    metas = [load_sequence(p).meta for p in sorted((out / "walk").glob("*.npz"))]
    assert len(metas) == 4
    assert all(min(m["yaw_deg"] % 360, 360 - m["yaw_deg"] % 360) <= 30 for m in metas)
    assert all(m["body"]["hip_mark_drop"] > 0 for m in metas)
    assert all(m["variant"]["hands"] in ("pockets", "phone", "holding", "arms_folded", "talking") for m in metas)
    plain = tmp_path / "plain"
    assert synth_main([str(plain), "--pose", "--clips-per-class", "4", "--classes", "walk", "--seconds", "0.4", "0.5",
                       "--quiet"]) == 0
    assert all(load_sequence(p).meta["body"]["hip_mark_drop"] == 0 for p in (plain / "walk").glob("*.npz"))
    assert synth_main([str(out), "--pose", "--facing-rate", "1.5", "--quiet"]) == 2
    assert "--facing-rate" in capsys.readouterr().err
    assert synth_main([str(out), "--blazepose-marks", "--quiet"]) == 2
    assert synth_main([str(out), "--pose", "--busy-hands", "-0.1", "--quiet"]) == 2
    wide = tmp_path / "wide"
    assert synth_main([str(wide), "--pose", "--clips-per-class", "4", "--classes", "walk", "--seconds", "0.4", "0.5",
                       "--wide-arms", "1", "--quiet"]) == 0
    assert all(load_sequence(p).meta["variant"]["arms"] == "wide" for p in (wide / "walk").glob("*.npz"))
    assert synth_main([str(out), "--wide-arms", "0.5", "--quiet"]) == 2
    assert "--wide-arms" in capsys.readouterr().err
    assert synth_main([str(out), "--pose", "--wide-arms", "2", "--quiet"]) == 2
    held = tmp_path / "held"
    assert synth_main([str(held), "--pose", "--clips-per-class", "3", "--classes", "no_action", "--seconds", "0.4",
                       "0.5", "--held-poses", "1", "--quiet"]) == 0
    assert all(load_sequence(p).meta["variant"]["variant"] == "held" for p in (held / "no_action").glob("*.npz"))
    assert synth_main([str(out), "--held-poses", "0.5", "--quiet"]) == 2
    assert synth_main([str(out), "--pose", "--held-poses", "-1", "--quiet"]) == 2
    assert "--held-poses" in capsys.readouterr().err
