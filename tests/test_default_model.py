"""The shipped pose model (weights/default) on real footage: the quick start's promises, checked
on the real files — a person is found and named with one of the model's actions, an empty scene
says "no person", and the model card says what the model was trained on and where it fails."""
from __future__ import annotations

from pathlib import Path

import pytest

from vision.checkpoint import load_checkpoint, read_model_card
from vision.cli.classify import DEFAULT_WEIGHTS
from vision.engine.batch import classify_video
from vision.engine.posefront import NO_PERSON

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


def test_quick_start_command_on_the_person_demo(capsys: pytest.CaptureFixture[str]) -> None:
    from vision.cli.classify import main

    assert main([str(PERSON_DEMO), "--quiet"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith(str(PERSON_DEMO)) and "12.7 s" in lines[0]
    assert len(lines) >= 2 and NO_PERSON not in lines[0]
