"""Write `vision-synth` datasets: a UCF101-style tree of real encoded videos + split files."""
from __future__ import annotations

import math
from concurrent.futures import ProcessPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from vision.video import paths
from vision.video.encode import write_video
from vision.video.synth import ACTIONS, FIGURE_ACTIONS, random_appearance, random_clip_spec, recolor, render_clip

CRLF = "\r\n"  # UCF101's own split files use Windows line ends
STYLES = {"shapes": ACTIONS, "paths": paths.PATH_ACTIONS}  # generator -> its classes


@dataclass(frozen=True)
class SynthOptions:
    """What `make_synth_dataset` writes."""

    classes: tuple[str, ...] = ACTIONS
    clips_per_class: int = 20
    clips_per_group: int = 4
    test_fraction: float = 0.3
    seed: int = 0
    suffix: str = ".avi"
    seconds: tuple[float, float] = (2.0, 4.0)
    style: str = "shapes"  # "shapes": vision.video.synth; "paths": vision.video.paths (another generator)


def clip_name(action: str, group: int, clip: int, suffix: str) -> str:
    """UCF101 file name, e.g. `v_MoveLeft_g03_c02.avi`."""
    return f"v_{action}_g{group:02d}_c{clip:02d}{suffix}"


def group_layout(clips_per_class: int, clips_per_group: int) -> list[tuple[int, int]]:
    """(group, clip) numbers, 1-based; at least two groups so a group-wise split exists."""
    groups = max(2, math.ceil(clips_per_class / clips_per_group)) if clips_per_class > 1 else 1
    return [(k % groups + 1, k // groups + 1) for k in range(clips_per_class)]


def test_groups(n_groups: int, test_fraction: float) -> set[int]:
    """The first groups go to test (UCF101's split 1 tests on g01-g07 of 25)."""
    if n_groups < 2:
        return set()
    return set(range(1, 1 + min(n_groups - 1, max(1, round(n_groups * test_fraction)))))


def make_synth_dataset(
    out_dir: str | Path,
    options: SynthOptions = SynthOptions(),
    progress: Callable[[int, int], None] | None = None,
    workers: int = 1,
) -> Path:
    """Render the dataset into `out_dir` with `workers` processes; deterministic for `options.seed`."""
    out = Path(out_dir)
    train_lines: list[str] = []
    test_lines: list[str] = []
    if options.style not in STYLES:
        raise ValueError(f"unknown style {options.style!r}; known: {', '.join(STYLES)}")
    known = STYLES[options.style]
    unknown = [c for c in options.classes if c not in known]
    if unknown:
        raise ValueError(f"unknown {options.style} classes {unknown}; known: {', '.join(known)}")
    layout = group_layout(options.clips_per_class, options.clips_per_group)
    tests = test_groups(max(g for g, _ in layout), options.test_fraction)
    for action in options.classes:
        (out / action).mkdir(parents=True, exist_ok=True)
    jobs = [(out, options, action, group, clip) for action in options.classes for group, clip in layout]
    # Every clip has its own seed, so the tree is the same whatever the worker count.
    with ProcessPoolExecutor(workers) if workers > 1 else nullcontext() as pool:
        names = pool.map(_render_one, jobs, chunksize=4) if pool else map(_render_one, jobs)
        for done, ((_, _, action, group, _), name) in enumerate(zip(jobs, names), start=1):
            class_id = options.classes.index(action) + 1
            if group in tests:
                test_lines.append(f"{action}/{name}")
            else:
                train_lines.append(f"{action}/{name} {class_id}")
            if progress:
                progress(done, len(jobs))
    write_split_files(out, options.classes, train_lines, test_lines)
    return out


def write_split_files(out: Path, classes: Sequence[str], train_lines: list[str], test_lines: list[str]) -> None:
    """UCF101's classInd.txt, trainlist01.txt (`<Class>/<file> <id>`) and testlist01.txt (`<Class>/<file>`)."""
    (out / "classInd.txt").write_text("".join(f"{i} {c}{CRLF}" for i, c in enumerate(classes, 1)))
    (out / "trainlist01.txt").write_text("".join(line + CRLF for line in train_lines))
    (out / "testlist01.txt").write_text("".join(line + CRLF for line in test_lines))


def _render_one(job: tuple[Path, SynthOptions, str, int, int]) -> str:
    """Render and write one clip; returns its file name."""
    out, options, action, group, clip = job
    if options.style == "paths":
        return _render_path(job)
    action_key = ACTIONS.index(action)  # stable seeds whatever subset is asked for
    # A group is one actor and scene acting out *every* class (seeded by group only),
    # so appearance carries no label: only motion transfers to unseen test groups.
    group_rng = np.random.default_rng([options.seed, group])
    polygon, figure = random_appearance(group_rng, False), random_appearance(group_rng, True)
    use_figure = action in FIGURE_ACTIONS or (
        action == "NoAction" and np.random.default_rng([options.seed, action_key, group]).random() < 0.4
    )
    appearance = figure if use_figure else polygon
    rng = np.random.default_rng([options.seed, action_key, group, clip])
    spec = random_clip_spec(rng, options.seconds)
    name = clip_name(action, group, clip, options.suffix)
    frames = render_clip(action, recolor(appearance, rng), rng, spec)
    write_video(out / action / name, frames, spec.fps)
    return name


def _render_path(job: tuple[Path, SynthOptions, str, int, int]) -> str:
    """`--style paths`: one object following its class's path, the group's look, colours per clip."""
    out, options, action, group, clip = job
    look = paths.random_look(np.random.default_rng([options.seed, 1000 + group]))
    rng = np.random.default_rng([options.seed, 1000 + paths.PATH_ACTIONS.index(action), group, clip])
    width, height, fps, n = paths.random_spec(rng, options.seconds)
    name = clip_name(action, group, clip, options.suffix)
    write_video(out / action / name, paths.render_path_clip(action, look, rng, width, height, fps, n), fps)
    return name


def parse_classes(names: Sequence[str] | None, style: str = "shapes") -> tuple[str, ...]:
    """Class names from the CLI (comma or space separated); all of the style's actions when empty."""
    if not names:
        return STYLES.get(style, ACTIONS)
    return tuple(n for item in names for n in item.split(",") if n)
