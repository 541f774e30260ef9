"""vision-synth: determinism, UCF101 formats, group-wise splits, both index modes."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from vision.cli.synth import main as synth_main
from vision.data.synthset import SynthOptions, make_synth_dataset
from vision.data.ucf import index_dataset
from vision.video.decode import probe, read_video
from vision.video.synth import (
    ACTIONS,
    continue_motion,
    pose_at,
    random_appearance,
    random_clip_spec,
    random_motion,
    render_clip,
)


def test_at_least_eight_classes_with_no_action() -> None:
    assert len(ACTIONS) >= 8 and "NoAction" in ACTIONS


def test_rendering_is_deterministic_for_a_seed() -> None:
    def clip(seed: int) -> np.ndarray:
        rng = np.random.default_rng(seed)
        spec = random_clip_spec(rng, (0.5, 0.6))
        return np.stack(render_clip("Wave", random_appearance(rng, figure=True), rng, spec))

    assert np.array_equal(clip(1), clip(1))
    assert not np.array_equal(clip(1)[:3], clip(2)[:3])


def test_direction_pairs_share_frames_reversed() -> None:
    """MoveLeft played backwards is MoveRight: single frames carry no direction."""
    from vision.video.synth import Motion, render_frames

    rng = np.random.default_rng(0)
    app = random_appearance(rng, figure=False)
    motion = Motion((0.5, 0.5), 0.2, 0.15, 0.1, 0.0, 30.0, (0, 0), 0.0, (1.0, 1.0), 0.0, None)
    args = dict(app=app, motion=motion, width=96, height=64, fps=10, n_frames=11)
    left = render_frames("MoveLeft", rng=np.random.default_rng(1), **args)
    right = render_frames("MoveRight", rng=np.random.default_rng(1), **args)
    for a, b in zip(left, reversed(right)):
        assert np.abs(a.astype(int) - b.astype(int)).max() <= 1
    assert np.abs(left[0].astype(int) - right[0].astype(int)).max() > 100


def test_cli_writes_ucf101_tree(tmp_path: Path) -> None:
    out = tmp_path / "ds"
    assert synth_main([str(out), "--clips-per-class", "4", "--classes", "Grow,Shrink", "NoAction",
                       "--seconds", "0.8", "1.0", "--format", "mp4", "--quiet", "--seed", "5"]) == 0
    lines = (out / "classInd.txt").read_bytes().split(b"\r\n")
    assert lines[:3] == [b"1 Grow", b"2 Shrink", b"3 NoAction"]
    train = (out / "trainlist01.txt").read_text().splitlines()
    test = (out / "testlist01.txt").read_text().splitlines()
    assert train[0].startswith("Grow/v_Grow_g") and train[0].endswith(".mp4 1")
    assert all(len(line.split()) == 1 for line in test)
    assert len(train) + len(test) == 12
    info = probe(out / "Grow" / "v_Grow_g01_c01.mp4")
    assert 15 <= info.fps <= 30 and info.codec == "h264"


def test_synth_indexes_in_both_modes_with_disjoint_groups(synth_root: Path) -> None:
    by_files = index_dataset(synth_root, split=1)
    by_folders = index_dataset(synth_root, split=None)
    assert by_files.mode == "split-files" and by_folders.mode == "folders"
    assert sorted(by_files.classes) == sorted(by_folders.classes)
    for index in (by_files, by_folders):
        assert len(index.train) + len(index.test) == 18
        assert {i.group for i in index.train}.isdisjoint({i.group for i in index.test})
        assert all(n > 0 for n in index.counts(index.test).values())
        assert all(n > 0 for n in index.counts(index.train).values())


def test_same_seed_same_videos(tmp_path: Path) -> None:
    opts = SynthOptions(classes=("Jump",), clips_per_class=2, seconds=(0.5, 0.6), seed=9)
    a = make_synth_dataset(tmp_path / "a", opts)
    b = make_synth_dataset(tmp_path / "b", opts)
    for clip in sorted((a / "Jump").iterdir()):
        assert np.array_equal(read_video(clip)[0], read_video(b / "Jump" / clip.name)[0])


def test_cli_usage_errors(tmp_path: Path) -> None:
    assert synth_main([str(tmp_path), "--classes", "Dance", "--quiet"]) == 2
    assert synth_main([str(tmp_path), "--clips-per-class", "0", "--quiet"]) == 2


def test_worker_count_does_not_change_the_dataset(tmp_path: Path) -> None:
    options = SynthOptions(classes=("MoveLeft", "Wave"), clips_per_class=3, seconds=(0.5, 0.5))
    one = make_synth_dataset(tmp_path / "one", options)
    two = make_synth_dataset(tmp_path / "two", options, workers=2)
    files = sorted(p.relative_to(one) for p in one.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(two) for p in two.rglob("*") if p.is_file())
    assert all((one / f).read_bytes() == (two / f).read_bytes() for f in files)


def test_sequence_actions_continue_where_the_previous_one_ended() -> None:
    rng = np.random.default_rng(3)
    n, fps = 30, 25.0
    mid = (n - 1) / fps / 2
    for before, after in [("MoveLeft", "Grow"), ("RotateClockwise", "Shrink"), ("Grow", "MoveRight")]:
        prev = random_motion(rng, before)
        prev = replace(prev, center=(0.5, 0.5), size=0.18)  # away from the clipping bounds
        nxt = continue_motion(random_motion(rng, after), after, prev, before, n, fps)
        pdx, pdy, pangle, pscale, _ = pose_at(before, prev, (n - 1) / fps, mid)
        dx, dy, angle, scale, _ = pose_at(after, nxt, 0.0, mid)
        assert abs((prev.center[0] + pdx) - (nxt.center[0] + dx)) < 1e-6
        assert abs((prev.center[1] + pdy) - (nxt.center[1] + dy)) < 1e-6
        assert abs(prev.size * pscale - nxt.size * scale) < 1e-6
        assert abs(pangle - angle) < 1e-6
