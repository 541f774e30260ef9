"""Batch mode: equivalence with the offline model, outputs, bad files, sharding, annotated video."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
import torch

from vision.checkpoint import load_checkpoint, save_checkpoint
from vision.cli.classify import expand_inputs, main as classify_main
from vision.config import ClipConfig, ModelConfig
from vision.data.transforms import preprocess_frames
from vision.engine.batch import classify_video
from vision.model import build_model
from vision.video.decode import probe, read_video
from vision.video.encode import write_video
from vision.video.synth import render_sequence


@pytest.fixture(scope="module")
def ckpt_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    torch.manual_seed(0)
    model = build_model(ModelConfig(num_classes=4, embed_dim=16, lstm_hidden=16, bidirectional=True))
    clip = ClipConfig(num_frames=6, frame_size=48, fps=10, stride=2)
    return save_checkpoint(tmp_path_factory.mktemp("w") / "m", model, clip, ["a", "b", "c", "d"])


@pytest.fixture(scope="module")
def video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    frames, _ = render_sequence(["MoveLeft", "Grow"], 1.5, np.random.default_rng(0), 160, 120, 20)
    return write_video(tmp_path_factory.mktemp("v") / "seq.mp4", frames, 20)


def test_windows_equal_offline_forward(ckpt_dir: Path, video: Path) -> None:
    ckpt = load_checkpoint(ckpt_dir)
    result = classify_video(ckpt, video, batch_size=7)  # batch size not dividing N on purpose
    size = ckpt.clip_config.frame_size
    frames, times = read_video(video, fps=10, size=(size, size))  # decoded at the model's size, as batch mode does
    assert result.frames == len(frames) == 30
    np.testing.assert_allclose(result.times, times)
    assert [w.first_frame for w in result.windows] == list(range(0, 25, 2))
    for w, probs in zip(result.windows, result.window_probs):
        clip = preprocess_frames(frames[w.first_frame : w.last_frame + 1], ckpt.clip_config)[None]
        with torch.no_grad():
            out = ckpt.model(clip)
        np.testing.assert_allclose(probs, torch.softmax(out.logits, 1)[0].numpy(), atol=1e-4)
        np.testing.assert_allclose(w.temporal_weights, out.temporal_weights[0].numpy(), atol=1e-4)
    assert result.summary[0][0] in ckpt.labels and abs(sum(p for _, p in result.summary) - 1) < 1e-4
    assert result.windows[-1].end == pytest.approx(3.0, abs=0.11)


def test_cli_mixed_batch_reports_and_continues(ckpt_dir: Path, video: Path, tmp_path: Path, capsys) -> None:
    bad = tmp_path / "bad.mp4"
    bad.write_text("not a video")
    out_json, out_csv = tmp_path / "r.json", tmp_path / "r.csv"
    rc = classify_main([str(video), str(bad), str(tmp_path / "missing.avi"), str(video.parent),
                        "--weights", str(ckpt_dir), "--json", str(out_json), "--csv", str(out_csv), "--quiet"])
    assert rc == 1
    captured = capsys.readouterr()
    assert f"{video}  " in captured.out and "(3.0 s, 30 frames)" in captured.out
    errors = [line for line in captured.err.splitlines() if "error" in line]
    assert len(errors) == 2 and all(line.startswith("vision-classify: error: ") for line in errors)
    records = json.loads(out_json.read_text())
    assert [("error" in r) for r in records] == [False, True, True]  # the directory repeats seq.mp4: deduplicated
    assert records[0]["label"] in "abcd" and len(records[0]["timeline"]) == 13
    rows = list(csv.DictReader(out_csv.open()))
    assert len(rows) == 13 and rows[0]["path"] == str(video)
    assert rows[0]["reason"] == "" and records[0]["timeline"][0]["reason"] == ""  # an RGB model: always a class


def test_cli_good_batch_exits_zero_and_jsonl(ckpt_dir: Path, video: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.jsonl"
    assert classify_main([str(video), "--weights", str(ckpt_dir), "--json", str(out), "--window", "4",
                          "--stride", "4", "--topk", "2", "--quiet"]) == 0
    record = json.loads(out.read_text().splitlines()[0])
    assert len(record["timeline"]) == 8 and len(record["summary"]) == 2


def test_cli_usage_and_weights_errors(ckpt_dir: Path, video: Path, tmp_path: Path, capsys) -> None:
    with pytest.raises(SystemExit) as info:
        classify_main([str(video), "--shard", "3/2"])
    assert info.value.code == 2
    assert classify_main([str(video), "--weights", str(tmp_path), "--quiet"]) == 1
    assert "config.json" in capsys.readouterr().err


def test_expand_inputs_and_shards(tmp_path: Path) -> None:
    for name in ("a/1.mp4", "a/b/2.avi", "a/notes.txt", "c.mkv"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x")
    found = expand_inputs([str(tmp_path / "a"), str(tmp_path / "*.mkv"), str(tmp_path / "nope.mp4")])
    assert [p.name for p in found] == ["1.mp4", "2.avi", "c.mkv", "nope.mp4"]
    shards = [found[i::3] for i in range(3)]
    assert sorted(p for s in shards for p in s) == sorted(found)


def test_annotated_video_has_every_frame(ckpt_dir: Path, video: Path, tmp_path: Path) -> None:
    out = tmp_path / "annotated.mp4"
    assert classify_main([str(video), "--weights", str(ckpt_dir), "--save-video", str(out), "--quiet"]) == 0
    info, source = probe(out), probe(video)
    assert abs(info.frame_count - source.frame_count) <= 1
    assert (info.width, info.height) == (source.width, source.height)
    frames, _ = read_video(out, max_frames=5)
    original, _ = read_video(video, max_frames=5)
    assert np.abs(frames.astype(int) - original.astype(int)).mean() > 5  # heatmap and caption drawn
