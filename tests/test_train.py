"""vision-train / vision-eval: real training steps on generated videos, resume, bad input."""
from __future__ import annotations

import csv
import shutil
from pathlib import Path

from vision.checkpoint import load_checkpoint
from vision.cli.eval import main as eval_main
from vision.cli.train import main as train_main
from vision.train.state import read_state

# --no-auto: these tests are about the trainer's mechanics (the adaptive recipe: tests/test_recipe_run.py)
FAST = ["--frames", "6", "--frame-size", "32", "--batch-size", "4", "--embed-dim", "16", "--lstm-hidden", "16", "--quiet",
        "--no-auto"]


def _rows(run: Path) -> list[dict]:
    with (run / "metrics.csv").open() as f:
        return list(csv.DictReader(f))


def _train(data: Path, run: Path, cache: Path, *extra: str) -> int:
    return train_main([str(data), "--out", str(run), "--cache-dir", str(cache), *FAST, *extra])


def test_train_writes_a_complete_run(synth_root: Path, tmp_path: Path) -> None:
    run = tmp_path / "run"
    assert _train(synth_root, run, tmp_path / "c", "--epochs", "2", "--scheduler", "cosine", "--class-weights") == 0
    rows = _rows(run)
    assert [r["epoch"] for r in rows] == ["1", "2"]
    assert all(float(r["train_clips_per_s"]) > 0 and r["gpu_peak_mb"] == "" for r in rows)  # CPU run
    for name in ("report.txt", "confusion_matrix.png", "train_config.json"):
        assert (run / name).stat().st_size > 0
    assert "precision" in (run / "report.txt").read_text()
    best = load_checkpoint(run / "best")
    assert best.labels == ["MoveLeft", "MoveRight", "NoAction"]
    assert best.clip_config.num_frames == 6 and best.extra["epoch"] in (1, 2)
    last = load_checkpoint(run / "last")
    assert last.extra["epoch"] == 2
    # from scratch, the whole model (the CNN too) learns at --lr: one AdamW group holding everything
    groups = read_state(run / "last")["optimizer"]["param_groups"]
    assert len(groups) == 1 and len(groups[0]["params"]) == len(list(last.model.parameters()))


def test_resume_of_finished_run_does_nothing_unless_extended(synth_root: Path, tmp_path: Path, capsys) -> None:
    run = tmp_path / "run"
    cosine = ("--scheduler", "cosine", "--warmup-epochs", "0", "--lr", "1e-3")
    assert _train(synth_root, run, tmp_path / "c", "--epochs", "1", *cosine) == 0  # ends at lr 0
    assert train_main(["--resume", str(run), "--quiet"]) == 0
    assert "already finished" in capsys.readouterr().out
    assert len(_rows(run)) == 1
    assert train_main(["--resume", str(run), "--epochs", "3", "--quiet"]) == 0
    rows = _rows(run)
    assert [r["epoch"] for r in rows] == ["1", "2", "3"]
    # the extended schedule, not the finished run's final lr of 0: cosine at 1/3 and 2/3 of 3 epochs
    assert [round(float(r["lr"]), 6) for r in rows] == [0.001, 0.00075, 0.00025]


def test_resume_of_a_non_run_is_one_line_error(tmp_path: Path, capsys) -> None:
    assert train_main(["--resume", str(tmp_path), "--quiet"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("vision-train: error:") and "not a training run" in err and "\n" not in err


def test_empty_dataset_is_one_line_error(tmp_path: Path, capsys) -> None:
    (tmp_path / "data").mkdir()
    assert _train(tmp_path / "data", tmp_path / "run", tmp_path / "c") == 1
    err = capsys.readouterr().err.strip()
    assert "no class folders" in err and "\n" not in err


def _copy(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("*.txt"))  # folder mode
    return dst


def test_unreadable_videos_are_skipped_with_a_warning(synth_root: Path, tmp_path: Path, capsys) -> None:
    data = _copy(synth_root, tmp_path / "data")
    bad = data / "MoveLeft" / "v_MoveLeft_g09_c01.avi"
    bad.write_text("not a video")
    assert _train(data, tmp_path / "run", tmp_path / "c", "--epochs", "1", "--max-bad-fraction", "0.1") == 0
    err = capsys.readouterr().err
    assert "skipping 1 unreadable video(s)" in err and bad.name in err
    for extra in ("v_MoveRight_g09_c01.avi", "v_NoAction_g09_c01.avi", "v_NoAction_g09_c02.avi"):
        (data / extra.split("_")[1] / extra).write_bytes(b"\0" * 100)
    assert _train(data, tmp_path / "run2", tmp_path / "c", "--epochs", "1", "--max-bad-fraction", "0.1") == 1
    assert "4 of 22 videos are unreadable" in capsys.readouterr().err


def test_class_with_one_clip_trains_with_a_warning(synth_root: Path, tmp_path: Path, capsys) -> None:
    data = _copy(synth_root, tmp_path / "data")
    for clip in sorted((data / "NoAction").iterdir())[1:]:
        clip.unlink()
    assert _train(data, tmp_path / "run", tmp_path / "c", "--epochs", "1") == 0
    assert "without validation videos: NoAction" in capsys.readouterr().err


def test_eval_averages_clips_and_writes_reports(synth_root: Path, tmp_path: Path, capsys) -> None:
    run = tmp_path / "run"
    assert _train(synth_root, run, tmp_path / "c", "--epochs", "1") == 0
    out = tmp_path / "eval"
    assert eval_main([str(run / "best"), str(synth_root), "--clips", "3", "--out", str(out), "--quiet"]) == 0
    import json

    summary = json.loads((out / "summary.json").read_text())
    assert summary["videos"] == 6 and 0 <= summary["top1"] <= 1 and summary["clips"] == 3
    assert len(summary["predictions"]) == 6 and (out / "confusion_matrix.png").exists()
    assert "top-1" in capsys.readouterr().out
    assert eval_main([str(tmp_path / "nope"), str(synth_root), "--quiet"]) == 1
