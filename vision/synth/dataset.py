"""Write `vision-synth --pose` datasets: a UCF101-style tree of landmark `.npz` clips + split files.

A group (UCF101's gNN) is one body with its own camera habits acting out every class; the
test split takes whole groups, so test bodies are never seen in training. Every clip has its
own seed, so the tree is the same whatever the number of worker processes.
"""
from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from vision.data.landmarks import load_sequence, save_sequence
from vision.data.synthset import clip_name, group_layout, test_groups, write_split_files
from vision.synth.actions import ALL_CLASSES, CLASSES, get_action
from vision.synth.camera import CameraRange, random_camera_range
from vision.synth.clip import ClipOptions, synthesize_clip
from vision.synth.skeleton import BodyShape, random_body, random_marks

PREVIEW_DIR = ".preview"  # hidden, so folder-mode indexing does not take it for a class


@dataclass(frozen=True)
class PoseSynthOptions:
    """What `make_pose_dataset` writes."""

    classes: tuple[str, ...] = CLASSES
    clips_per_class: int = 20
    clips_per_group: int = 4
    test_fraction: float = 0.3
    seed: int = 0
    clip: ClipOptions = field(default_factory=ClipOptions)
    blazepose_marks: bool = False  # hip and shoulder landmarks where BlazePose marks them, off the joints


_MARKS_STREAM = 1  # the marks' own random stream: turning them on changes nothing else in a group


def group_actor(seed: int, group: int, marks: bool = False) -> tuple[BodyShape, CameraRange]:
    """The body and camera habits of group `group` (the same in every class); `marks`: with its
    hip and shoulder landmarks off the joints (`random_marks`), the body otherwise the same."""
    rng = np.random.default_rng([seed, group])
    body, habits = random_body(rng), random_camera_range(rng)
    if marks:
        body = random_marks(np.random.default_rng([seed, group, _MARKS_STREAM]), body)
    return body, habits


def _jobs(out: Path, options: PoseSynthOptions) -> list[tuple[Path, PoseSynthOptions, str, int, int, bool]]:
    layout = group_layout(options.clips_per_class, options.clips_per_group)
    tests = test_groups(max(g for g, _ in layout), options.test_fraction)
    return [(out, options, c, g, k, g in tests) for c in options.classes for g, k in layout]


def make_pose_dataset(
    out_dir: str | Path,
    options: PoseSynthOptions = PoseSynthOptions(),
    progress: Callable[[int, int], None] | None = None,
    workers: int = 1,
) -> Path:
    """Synthesise the dataset into `out_dir` with `workers` processes; deterministic for `options.seed`."""
    for name in options.classes:
        get_action(name)  # unknown names fail here, with close matches
    out = Path(out_dir)
    for name in options.classes:
        (out / name).mkdir(parents=True, exist_ok=True)
    jobs = _jobs(out, options)
    train_lines: list[str] = []
    test_lines: list[str] = []
    with ProcessPoolExecutor(workers) if workers > 1 else nullcontext() as pool:
        names = pool.map(_write_one, jobs, chunksize=16) if pool else map(_write_one, jobs)
        for done, ((_, _, action, _, _, is_test), name) in enumerate(zip(jobs, names), start=1):
            if is_test:
                test_lines.append(f"{action}/{name}")
            else:
                train_lines.append(f"{action}/{name} {options.classes.index(action) + 1}")
            if progress:
                progress(done, len(jobs))
    write_split_files(out, options.classes, train_lines, test_lines)
    return out


def _write_one(job: tuple[Path, PoseSynthOptions, str, int, int, bool]) -> str:
    """Synthesise and write one clip; returns its file name."""
    out, options, action, group, clip, is_test = job
    body, habits = group_actor(options.seed, group, options.blazepose_marks)
    # Seeds use the class's place in ALL_CLASSES: a clip does not change when others are asked for.
    rng = np.random.default_rng([options.seed, ALL_CLASSES.index(action), group, clip])
    meta = {"group": group, "clip": clip, "seed": options.seed, "split": "test" if is_test else "train"}
    seq = synthesize_clip(action, body, habits, rng, options.clip, meta)
    name = clip_name(action, group, clip, ".npz")
    save_sequence(out / action / name, seq)
    return name


def render_previews(out_dir: str | Path, options: PoseSynthOptions, per_class: int, workers: int = 1) -> list[Path]:
    """Stick-figure .mp4 videos of the first `per_class` clips of each class (distinct bodies).

    They go to `OUT/.preview/<class>/`, beside (not inside) the dataset's class folders.
    """
    out = Path(out_dir)
    jobs = [(out, action, name) for action in options.classes
            for name in [clip_name(action, g, k, ".npz") for g, k in group_layout(options.clips_per_class, options.clips_per_group)][:per_class]]
    with ProcessPoolExecutor(workers) if workers > 1 else nullcontext() as pool:
        return list(pool.map(_render_one, jobs) if pool else map(_render_one, jobs))


def _render_one(job: tuple[Path, str, str]) -> Path:
    from vision.synth.draw import render_video

    out, action, name = job
    seq = load_sequence(out / action / name)
    title = f"{action} yaw {seq.meta.get('yaw_deg', 0):.0f} el {seq.meta.get('elevation_deg', 0):.0f}"
    return render_video(seq, out / PREVIEW_DIR / action / name.replace(".npz", ".mp4"), title=title)
