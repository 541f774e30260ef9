"""The shipped synthetic-shapes model (weights/shapes, `--weights shapes`) and its demo video, checked on the real files."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from vision.checkpoint import load_checkpoint, read_model_card
from vision.cli.classify import SHAPES_WEIGHTS
from vision.engine.batch import classify_video

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "assets" / "demo.mp4"


def window_truth(segments: list[dict], start: float, end: float, min_share: float) -> str | None:
    """The segment label covering at least `min_share` of the window, else None (ambiguous)."""
    for seg in segments:
        overlap = min(end, seg["end"]) - max(start, seg["start"])
        if overlap >= min_share * (end - start):
            return seg["label"]
    return None


def test_shapes_weights_load_and_have_a_model_card() -> None:
    ckpt = load_checkpoint(SHAPES_WEIGHTS)
    assert len(ckpt.labels) >= 8 and "NoAction" in ckpt.labels
    card = read_model_card(SHAPES_WEIGHTS)
    assert card and "vision-train" in card and "vision-synth" in card
    size = sum(p.stat().st_size for p in SHAPES_WEIGHTS.iterdir())
    assert size <= 10 * 1024 * 1024


def test_demo_timeline_follows_the_known_action_sequence() -> None:
    truth = json.loads(DEMO.with_suffix(".json").read_text())["segments"]
    result = classify_video(load_checkpoint(SHAPES_WEIGHTS), DEMO)
    judged = [(w, window_truth(truth, w.start, w.end, 0.75)) for w in result.windows]
    judged = [(w, label) for w, label in judged if label is not None]
    correct = sum(w.labels[0] == label for w, label in judged)
    assert len(judged) >= 0.6 * len(result.windows)
    assert correct / len(judged) >= 0.9, f"{correct}/{len(judged)} windows right"
    # the order of the dominant labels follows the script
    seen = [label for w, label in judged if w.labels[0] == label]
    assert [s["label"] for s in truth] == list(dict.fromkeys(seen))


def test_real_footage_through_the_shapes_model(shared_data: Path) -> None:
    ckpt = load_checkpoint(SHAPES_WEIGHTS)
    for name in ("cup.mp4", "spm_example_video.webm", "vtest.avi"):
        result = classify_video(ckpt, shared_data / name)
        assert result.windows, name
        assert result.summary[0][0] in ckpt.labels
        for w in result.windows:
            assert w.probs == sorted(w.probs, reverse=True) and 0 <= w.probs[-1] <= w.probs[0] <= 1
            assert abs(sum(w.temporal_weights) - 1) < 1e-3


def test_shapes_command_prints_the_demo_timeline(capsys: pytest.CaptureFixture[str]) -> None:
    from vision.cli.classify import main

    assert main([str(DEMO), "--weights", "shapes", "--quiet"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith(str(DEMO)) and "27.0 s" in lines[0]
    printed = [line.split()[4] for line in lines[1:]]  # "  0.0 - 3.2 s  Label  0.99"
    truth = [s["label"] for s in json.loads(DEMO.with_suffix(".json").read_text())["segments"]]
    it = iter(printed)
    assert all(label in it for label in truth), printed  # the script's order, as a subsequence
