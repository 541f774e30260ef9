"""`vision-train DATA --out RUN` with no recipe flags: the recipe is printed, used, and stored."""
from __future__ import annotations

import json
from pathlib import Path

from vision.checkpoint import load_checkpoint
from vision.cli.eval import main as eval_main
from vision.cli.train import main as train_main
from vision.data.ucf import index_dataset

TINY = ["--frames", "6", "--frame-size", "32", "--embed-dim", "16", "--lstm-hidden", "16", "--epochs", "2", "--quiet"]


def test_default_run_chooses_prints_and_stores_its_recipe(synth_root: Path, tmp_path: Path, capsys) -> None:
    run = tmp_path / "run"
    assert train_main([str(synth_root), "--out", str(run), "--cache-dir", str(tmp_path / "c"), *TINY]) == 0
    out = capsys.readouterr().out
    block = out[out.index("recipe (small data)"):].split("\nepoch")[0].splitlines()
    assert any(line.split()[:2] == ["input", "flow"] for line in block)  # nobody in the clips: optical flow
    assert any(line.split()[:2] == ["epochs", "2"] and "[your flag]" in line for line in block)
    assert "test list" in out and "never used for training" in out  # the verdict line after training

    config = json.loads((run / "train_config.json").read_text())
    assert config["auto"] and config["input"] == "flow" and config["holdout"] > 0 and config["clips_per_video"] > 1
    assert "epochs" in config["explicit"] and "input" not in config["explicit"]
    best = load_checkpoint(run / "best")
    assert best.model_config.input == "flow" and best.extra["recipe"]["regime"] == "small"
    assert best.extra["recipe"]["options"]["flip"] == {"value": False, "why": best.extra["recipe"]["options"]["flip"]["why"],
                                                       "source": "data"}
    # validation came from the training list: the test list stays unseen until vision-eval
    index = index_dataset(synth_root)
    metrics = (run / "metrics.csv").read_text().splitlines()
    assert len(metrics) == 3 and len(index.test) == 6
    assert eval_main([str(run / "best"), str(synth_root), "--out", str(tmp_path / "ev"), "--quiet"]) == 0
    line = [x for x in capsys.readouterr().out.splitlines() if "top-1" in x]
    assert len(line) == 1 and line[0].startswith("6 videos  top-1 ")
    assert train_main(["--resume", str(run), "--epochs", "3", "--quiet"]) == 0  # extended: same recipe, kept
    assert "recipe (" not in capsys.readouterr().out
    assert load_checkpoint(run / "last").extra["recipe"] == best.extra["recipe"]


def test_no_auto_keeps_the_fixed_defaults(synth_root: Path, tmp_path: Path, capsys) -> None:
    run = tmp_path / "run"
    assert train_main([str(synth_root), "--out", str(run), "--cache-dir", str(tmp_path / "c"), "--no-auto", *TINY]) == 0
    assert "recipe (" not in capsys.readouterr().out
    config = json.loads((run / "train_config.json").read_text())
    assert not config["auto"] and config["input"] == "rgb" and config["holdout"] == 0 and config["clips_per_video"] == 1
    assert "recipe" not in load_checkpoint(run / "best").extra
