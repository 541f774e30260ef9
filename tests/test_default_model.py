"""The shipped pose model (weights/default) on real footage: the quick start's promises, checked
on the real files — a person is found and named with one of the model's actions, an empty scene
says "no person", and the model card says what the model was trained on and where it fails."""
from __future__ import annotations

from pathlib import Path

import pytest

from vision.checkpoint import load_checkpoint, read_model_card
from vision.cli.classify import DEFAULT_WEIGHTS
from vision.engine.batch import classify_video
from vision.engine.posefront import NO_PERSON, UNKNOWN

ROOT = Path(__file__).resolve().parents[1]
PERSON_DEMO = ROOT / "assets" / "person_demo.webm"


@pytest.fixture(scope="module")
def ckpt():
    return load_checkpoint(DEFAULT_WEIGHTS)


def test_default_is_the_pose_model_with_a_model_card(ckpt) -> None:
    assert ckpt.model_config.input == "pose"
    assert {"walk", "no_action", "jumping_jack", "squat", "wave_one_hand"} <= set(ckpt.labels)
    card = read_model_card(DEFAULT_WEIGHTS)
    assert card and "vision-synth" in card and "--pose" in card and "Where it fails" in card
    assert sum(p.stat().st_size for p in DEFAULT_WEIGHTS.iterdir()) <= 10 * 1024 * 1024


def test_person_demo_names_a_person_in_every_window(ckpt) -> None:
    result = classify_video(ckpt, PERSON_DEMO)
    assert len(result.windows) >= 10
    assert all(w.status != NO_PERSON for w in result.windows)
    assert result.summary[0][0] in ckpt.labels + ["unknown"]


def test_a_scene_without_people_says_no_person(ckpt, shared_data: Path) -> None:
    result = classify_video(ckpt, shared_data / "box.mp4")
    assert result.windows and all(w.status == NO_PERSON for w in result.windows)
    assert result.summary[0][0] == NO_PERSON


def test_hands_without_a_body_are_mostly_not_an_action(ckpt, shared_data: Path) -> None:
    """cup.mp4: BlazePose takes a hand and forearm for a small person lying across the view; the
    shipped model only knows upright people, so those windows say unknown, not squat or kick."""
    assert ckpt.extra.get("upright_only") is True
    result = classify_video(ckpt, shared_data / "cup.mp4")
    named = [w.label for w in result.windows if w.label not in (NO_PERSON, UNKNOWN)]
    assert result.windows and len(named) <= 1, named  # one window says squat: the "person" there stands upright on the cup
    assert result.top[0] == UNKNOWN and result.reason.endswith("windows with a person")  # the whole clip too


def test_quick_start_command_on_the_person_demo(capsys: pytest.CaptureFixture[str]) -> None:
    from vision.cli.classify import main

    assert main([str(PERSON_DEMO), "--quiet"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith(str(PERSON_DEMO)) and "12.7 s" in lines[0]
    assert len(lines) >= 2 and NO_PERSON not in lines[0]


def test_unknown_threshold_option_replaces_the_calibrated_one(shared_data: Path, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    """`--unknown-threshold T`: every window below T says unknown (0: none does); bad values exit 2."""
    import json

    from vision.cli.classify import main

    step = shared_data / "steps" / "right_step" / "clip2.mp4"
    said = {}
    for threshold in ("0.99", "0"):
        out = tmp_path / f"{threshold}.json"
        assert main([str(step), "--unknown-threshold", threshold, "--json", str(out), "--quiet"]) == 0
        said[threshold] = [w["label"] for w in json.loads(out.read_text())[0]["timeline"]]
    assert said["0.99"] and set(said["0.99"]) == {"unknown"}  # trained with label smoothing 0.1: top probabilities near 0.91 at most
    assert "unknown" not in said["0"]
    from vision.cli.stream import main as stream_main

    lines = tmp_path / "stream.jsonl"
    assert stream_main([str(PERSON_DEMO), "--fast", "--max-seconds", "8", "--unknown-threshold", "0.99",
                        "--jsonl", str(lines), "--quiet"]) == 0  # a 1 s clip is shorter than a live window
    records = [json.loads(line) for line in lines.read_text().splitlines()]
    streamed = {r["label"] for r in records}
    assert streamed and streamed <= {"unknown", NO_PERSON} and "unknown" in streamed
    assert all(r["reason"].startswith("top ") and r["reason"].endswith("below the threshold 0.99")
               for r in records if r["label"] == "unknown")
    for bad in ("1.5", "-0.1", "half"):
        with pytest.raises(SystemExit) as exit_info:
            main([str(step), "--unknown-threshold", bad, "--quiet"])
        assert exit_info.value.code == 2
    assert "--unknown-threshold" in capsys.readouterr().err
