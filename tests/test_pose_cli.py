"""`vision-pose` on real-person and empty videos, bad inputs, JSON/CSV/skeleton-video outputs."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from vision.cli.pose import main
from vision.video.decode import read_video
from vision.video.encode import write_video

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def videos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("pose_videos")
    person = np.load(DATA / "pose_reference.npz")["landmarks_input_0"]
    frames = [np.roll(person, 2 * i, axis=1) for i in range(8)]  # he drifts to the right
    empty = [np.full((120, 160, 3), 40 + 10 * i, np.uint8) for i in range(5)]
    text = root / "notes.mp4"
    text.write_text("not a video")
    return {"person": write_video(root / "person.mp4", frames, fps=10),
            "empty": write_video(root / "empty.mp4", empty, fps=10), "text": text, "missing": root / "gone.mp4"}


def test_outputs_for_a_person_and_for_nobody(videos: dict[str, Path], tmp_path: Path, capsys) -> None:
    out_json, out_csv = tmp_path / "poses.json", tmp_path / "poses.csv"
    rc = main([str(videos["person"]), str(videos["empty"]), "--json", str(out_json), "--csv", str(out_csv),
               "--device", "cpu", "--quiet"])
    assert rc == 0
    person, empty = json.loads(out_json.read_text())
    assert (person["width"], person["height"], person["fps"]) == (256, 256, 10.0)
    assert [f["index"] for f in person["frames"]] == list(range(8))
    for f in person["frames"]:
        (p,) = f["persons"]
        assert len(p["landmarks"]) == 33 and all(len(lm) == 4 for lm in p["landmarks"])
        assert p["score"] > 0.5 and p["box"][0] < p["box"][2]
    assert all(f["persons"] == [] for f in empty["frames"]) and len(empty["frames"]) == 5
    rows = list(csv.reader(out_csv.open()))
    assert rows[0][:5] == ["path", "index", "time", "score", "track"] and len(rows[0]) == 5 + 33 * 4
    assert rows[0][5:9] == ["nose_x", "nose_y", "nose_z", "nose_visibility"]
    assert len(rows) == 1 + 8  # one row per frame with a person; nobody gives no rows
    assert "person in 100% of 8 frames" in capsys.readouterr().out


def test_bad_inputs_are_reported_and_the_rest_goes_on(videos: dict[str, Path], tmp_path: Path, capsys) -> None:
    out_json = tmp_path / "poses.jsonl"
    rc = main([str(videos["missing"]), str(videos["text"]), str(videos["person"]), "--json", str(out_json),
               "--device", "cpu", "--quiet"])
    assert rc == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 3 and "gone.mp4" in err[0] and "notes.mp4" in err[1] and "2 of 3" in err[2]
    records = [json.loads(line) for line in out_json.read_text().splitlines()]
    assert "error" in records[0] and "error" in records[1] and len(records[2]["frames"]) == 8


def test_skeleton_video(videos: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "skeleton.mp4"
    assert main([str(videos["person"]), "--save-video", str(out), "--device", "cpu", "--quiet", "--no-smooth"]) == 0
    drawn, _ = read_video(out)
    plain, _ = read_video(videos["person"])
    assert drawn.shape == plain.shape
    changed = np.abs(drawn.astype(int) - plain.astype(int)).max(axis=-1) > 60
    assert 0.005 < changed.mean() < 0.2  # limbs drawn, the picture still there
