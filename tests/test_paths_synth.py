"""vision-synth --style paths: the second generator (one object following a path)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from vision.cli.synth import main as synth_main
from vision.data.ucf import index_dataset
from vision.video import paths
from vision.video.paths import PATH_ACTIONS, PathMotion, Look, path_at, render_path, render_scene


def _motion(**kw) -> PathMotion:
    base = dict(center=(0.5, 0.5), size=0.1, speed=0.15, radius=0.15, rate=1.0, phase=0.3, sign=1.0, squash=1.0,
                spin=0.0, pan=(0.0, 0.0), blur=1, noise=0.0)
    return PathMotion(**{**base, **kw})


def test_direction_pairs_are_the_same_frames_reversed() -> None:
    """Left played backwards is Right (and so for Up/Down and the two orbits): single frames carry no direction."""
    rng = np.random.default_rng(0)
    scene, color = render_scene(Look("noise", "ball", 12.0), 96, 64, rng)
    for a, b, kw in (("Left", "Right", {}), ("Up", "Down", {}), ("Clockwise", "CounterClockwise", {"speed": 200.0})):
        m = _motion(**kw)
        first = render_path(a, "ball", m, scene, color, 96, 64, 10, 9, np.random.default_rng(1))
        second = render_path(b, "ball", m, scene, color, 96, 64, 10, 9, np.random.default_rng(1))
        for x, y in zip(first, reversed(second)):
            assert np.abs(x.astype(int) - y.astype(int)).max() <= 1
        assert np.abs(first[0].astype(int) - second[0].astype(int)).max() > 50


def test_paths_move_the_way_their_names_say() -> None:
    m = _motion(speed=0.2)
    assert path_at("Right", m, 1.0, 0.5, 1.0)[0] > path_at("Right", m, 0.0, 0.5, 1.0)[0]
    assert path_at("Up", m, 1.0, 0.5, 1.0)[1] < path_at("Up", m, 0.0, 0.5, 1.0)[1]  # image y grows downwards
    orbit = _motion(speed=90.0, phase=0.0)
    x0, y0 = path_at("Clockwise", orbit, 0.5, 0.5, 1.0)  # at angle 0: right of the centre
    x1, y1 = path_at("Clockwise", orbit, 0.6, 0.5, 1.0)
    assert x0 > 0.5 and y1 > y0  # from the right-hand side, clockwise on screen goes down
    bounce = [path_at("Bounce", m, t, 1.0, 1.0) for t in np.linspace(0, 2, 41)]
    assert np.ptp([p[0] for p in bounce]) == 0 and np.ptp([p[1] for p in bounce]) > 0.1
    zig = np.array([path_at("Zigzag", m, t, 1.0, 1.0) for t in np.linspace(0, 2, 41)])
    assert zig[-1, 0] > zig[0, 0] and np.sum(np.diff(np.sign(np.diff(zig[:, 1]))) != 0) >= 2  # turns


def test_clips_are_deterministic_and_every_look_renders() -> None:
    def clip(seed: int, obj: str, scene: str) -> np.ndarray:
        rng = np.random.default_rng(seed)
        return np.stack(paths.render_path_clip("Zigzag", Look(scene, obj, 10.0), rng, 80, 60, 10, 4))

    for obj, scene in zip(paths.OBJECTS, paths.SCENES * 2):
        a = clip(3, obj, scene)
        assert a.shape == (4, 60, 80, 3) and a.dtype == np.uint8 and np.array_equal(a, clip(3, obj, scene))
    with pytest.raises(ValueError, match="unknown path action"):
        paths.random_path(np.random.default_rng(0), "Spin")


def test_cli_writes_a_paths_tree(tmp_path: Path, capsys) -> None:
    out = tmp_path / "ds"
    assert synth_main([str(out), "--style", "paths", "--classes", "Left,Right", "Bounce", "--clips-per-class", "4",
                       "--seconds", "0.5", "0.6", "--seed", "2", "--quiet"]) == 0
    index = index_dataset(out)
    assert index.classes == ["Left", "Right", "Bounce"] and len(index.train) + len(index.test) == 12
    assert synth_main([str(out), "--style", "paths", "--classes", "MoveLeft", "--quiet"]) == 2
    assert "unknown paths classes" in capsys.readouterr().err
    assert synth_main([str(out), "--style", "paths", "--pose", "--quiet"]) == 2
    assert set(PATH_ACTIONS) >= {"Clockwise", "CounterClockwise", "Left", "Right", "Up", "Down", "Bounce"}
