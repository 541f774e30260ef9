"""`vision-synth OUT_DIR`: render a UCF101-style synthetic action dataset (shape videos, or with
`--pose` human-motion landmark sequences)."""
from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from vision.synth.noise import TrackerNoise


# Options that only mean something with --pose (argparse names).
POSE_ONLY = ("include_other", "render_videos", "noise", "clean", "facing_rate", "busy_hands", "wide_arms",
             "held_poses", "blazepose_marks")


def build_parser() -> argparse.ArgumentParser:
    from vision.synth.actions import CLASSES as POSE_CLASSES
    from vision.video.paths import PATH_ACTIONS
    from vision.video.synth import ACTIONS

    p = argparse.ArgumentParser(
        prog="vision-synth",
        description="Render synthetic action clips as a UCF101-style tree with classInd.txt, "
        "trainlist01.txt and testlist01.txt.",
    )
    p.add_argument("out_dir", help="output directory (created if missing); with --sequence, the video file")
    p.add_argument("--style", choices=["shapes", "paths"], default="shapes", help="shapes (default): polygons and "
                   "stick figures moving, turning, scaling, waving; paths: another generator, one object (ball, ring, "
                   f"sprite...) moving along a path ({' '.join(PATH_ACTIONS)}) in other scenes")
    p.add_argument("--pose", action="store_true", help="synthesise 3D human motion as BlazePose landmark sequences "
                   "(.npz per clip, see vision/data/landmarks.py) instead of shape videos")
    p.add_argument("--include-other", action="store_true", help="--pose: add the 'other' class (random motion that "
                   "is none of the classes, for training or calibrating a rejection)")
    p.add_argument("--noise", metavar="JSON", help="--pose: tracker-noise parameters overriding the defaults "
                   "(a JSON object of vision.synth.noise.TrackerNoise fields, e.g. measured on real footage)")
    p.add_argument("--clean", action="store_true", help="--pose: no tracker noise at all (exact projections)")
    p.add_argument("--facing-rate", type=float, default=0.0, metavar="R", help="--pose: share of clips filmed from "
                   "within 30 degrees of the face, as at a webcam (default 0: camera yaw uniform over the circle)")
    p.add_argument("--busy-hands", type=float, default=0.0, metavar="R", help="--pose: share of walk clips whose "
                   "hands are busy (pockets, a phone, a cup, folded arms) instead of swinging (default 0)")
    p.add_argument("--wide-arms", type=float, default=0.0, metavar="R", help="--pose: share of the other walk "
                   "clips whose arms are carried 6-24 degrees out from the body, as for balance (default 0)")
    p.add_argument("--held-poses", type=float, default=0.0, metavar="R", help="--pose: share of no_action clips "
                   "that hold one moment of another class still (mid-stride, arms up): static negatives, so a model "
                   "tells actions by motion, not by a posture (default 0)")
    p.add_argument("--blazepose-marks", action="store_true", help="--pose: put the hip and shoulder landmarks where "
                   "BlazePose marks them (outer hip: below and outside the joint), drawn per body, not on the joints")
    p.add_argument("--render-videos", type=int, default=0, metavar="K", help="--pose: also draw K stick-figure .mp4 "
                   "videos per class into OUT/.preview/ to look at (default 0)")
    p.add_argument("--sequence", action="store_true", help="write ONE video acting out --classes in order "
                   "(--seconds MIN is the length of each action) plus OUT.json with the ground-truth segments")
    p.add_argument("--size", type=int, nargs=2, default=(640, 480), metavar=("W", "H"), help="--sequence frame size (640 480)")
    p.add_argument("--fps", type=float, default=30.0, help="--sequence frame rate (30)")
    p.add_argument("--classes", nargs="*", help=f"classes to render (default all: {' '.join(ACTIONS)}; "
                   f"with --pose: {' '.join(POSE_CLASSES)})")
    p.add_argument("--clips-per-class", type=int, default=20, help="clips per class (default 20)")
    p.add_argument("--clips-per-group", type=int, default=4, help="clips sharing one look, UCF101's gXX (default 4)")
    p.add_argument("--test-fraction", type=float, default=0.3, help="share of groups in testlist01 (default 0.3)")
    p.add_argument("--seed", type=int, default=0, help="random seed; same seed, same videos (default 0)")
    p.add_argument("--format", choices=["avi", "mp4", "mkv", "webm"], default="avi", help="container (default avi, MPEG-4 like UCF101)")
    p.add_argument("--seconds", type=float, nargs=2, metavar=("MIN", "MAX"),
                   help="clip length range in seconds (default 2 4; with --pose 1.5 4)")
    p.add_argument("--workers", type=int, default=1, help="render clips in this many processes (default 1); "
                   "the output does not depend on it")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    return p


def _failure(exc: Exception) -> int:
    """One error line; exit code 1 for I/O trouble, 2 for bad options."""
    print(f"vision-synth: error: {exc}", file=sys.stderr)
    return 1 if isinstance(exc, OSError) else 2


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from tqdm import tqdm

    from vision.data.synthset import SynthOptions, make_synth_dataset, parse_classes

    if args.clips_per_class < 1 or args.clips_per_group < 1 or not 0 <= args.test_fraction < 1:
        print("vision-synth: error: --clips-per-class/--clips-per-group must be >= 1, --test-fraction in [0, 1)", file=sys.stderr)
        return 2
    if args.seconds is None:
        args.seconds = (1.5, 4.0) if args.pose else (2.0, 4.0)
    if not 0 < args.seconds[0] <= args.seconds[1]:
        print("vision-synth: error: --seconds needs 0 < MIN <= MAX", file=sys.stderr)
        return 2
    if args.pose and args.sequence:
        print("vision-synth: error: --pose writes a dataset; --sequence is for shape videos", file=sys.stderr)
        return 2
    pose_only = [f"--{name.replace('_', '-')}" for name in POSE_ONLY if getattr(args, name)]
    if pose_only and not args.pose:
        print(f"vision-synth: error: {', '.join(pose_only)} need{'s' if len(pose_only) == 1 else ''} --pose", file=sys.stderr)
        return 2
    if args.render_videos < 0:
        print("vision-synth: error: --render-videos must be >= 0", file=sys.stderr)
        return 2
    for name in ("facing_rate", "busy_hands", "wide_arms", "held_poses"):
        if not 0 <= getattr(args, name) <= 1:
            print(f"vision-synth: error: --{name.replace('_', '-')} must be between 0 and 1", file=sys.stderr)
            return 2
    if args.style != "shapes" and (args.pose or args.sequence):
        print("vision-synth: error: --style paths writes a dataset of videos (no --pose or --sequence)", file=sys.stderr)
        return 2
    if args.sequence:
        return _write_sequence(args)
    if args.pose:
        return _write_pose_dataset(args)
    options = SynthOptions(
        classes=parse_classes(args.classes, args.style),
        clips_per_class=args.clips_per_class,
        clips_per_group=args.clips_per_group,
        test_fraction=args.test_fraction,
        seed=args.seed,
        suffix="." + args.format,
        seconds=tuple(args.seconds),
        style=args.style,
    )
    bar = tqdm(total=len(options.classes) * options.clips_per_class, unit="clip", disable=args.quiet)
    try:
        out = make_synth_dataset(args.out_dir, options, progress=lambda done, total: bar.update(1),
                                 workers=max(1, args.workers))
    except (ValueError, OSError) as exc:
        return _failure(exc)
    finally:
        bar.close()
    if not args.quiet:
        print(f"wrote {bar.n} clips of {len(options.classes)} classes to {out}")
    return 0


def _write_pose_dataset(args: argparse.Namespace) -> int:
    import time
    from dataclasses import replace

    from tqdm import tqdm

    from vision.synth.actions import CLASSES, OTHER
    from vision.synth.dataset import (
        PREVIEW_DIR,
        PoseSynthOptions,
        make_pose_dataset,
        render_previews,
    )

    classes = tuple(n for item in args.classes or () for n in item.split(",") if n) or CLASSES
    if args.include_other and OTHER not in classes:
        classes += (OTHER,)
    try:
        noise = _read_noise(args)
    except (ValueError, TypeError, OSError) as exc:
        print(f"vision-synth: error: --noise {args.noise}: {exc}", file=sys.stderr)
        return 2
    defaults = PoseSynthOptions()
    options = PoseSynthOptions(
        classes=classes,
        clips_per_class=args.clips_per_class,
        clips_per_group=args.clips_per_group,
        test_fraction=args.test_fraction,
        seed=args.seed,
        clip=replace(defaults.clip, seconds=tuple(args.seconds), noise=noise, facing_rate=args.facing_rate,
                     busy_hands=args.busy_hands, wide_arms=args.wide_arms, held_poses=args.held_poses),
        blazepose_marks=args.blazepose_marks,
    )
    workers = max(1, args.workers)
    bar = tqdm(total=len(classes) * options.clips_per_class, unit="clip", disable=args.quiet)
    start = time.perf_counter()
    try:
        out = make_pose_dataset(args.out_dir, options, progress=lambda done, total: bar.update(1), workers=workers)
        seconds = time.perf_counter() - start
        bar.close()
        videos = render_previews(out, options, min(args.render_videos, options.clips_per_class), workers) if args.render_videos else []
    except (ValueError, OSError) as exc:
        return _failure(exc)
    finally:
        bar.close()
    if not args.quiet:
        rate = bar.n / seconds * 60 if seconds > 0 else float("inf")
        print(f"wrote {bar.n} landmark clips of {len(classes)} classes to {out} in {seconds:.1f} s ({rate:.0f} clips/min)")
        if videos:
            print(f"wrote {len(videos)} stick-figure videos to {out / PREVIEW_DIR}")
    return 0


def _read_noise(args: argparse.Namespace) -> TrackerNoise:
    import json
    from pathlib import Path

    from vision.synth.noise import TrackerNoise

    if args.clean:
        return TrackerNoise.clean()
    if not args.noise:
        return TrackerNoise()
    values = json.loads(Path(args.noise).read_text())
    if not isinstance(values, dict):
        raise TypeError("expected a JSON object of parameter names and values")
    return TrackerNoise.from_dict(values)


def _write_sequence(args: argparse.Namespace) -> int:
    import json
    from pathlib import Path

    import numpy as np

    from vision.data.synthset import parse_classes
    from vision.video.encode import write_video
    from vision.video.synth import render_sequence

    out = Path(args.out_dir)
    try:
        frames, segments = render_sequence(list(parse_classes(args.classes)), args.seconds[0],
                                           np.random.default_rng(args.seed), *args.size, args.fps)
        write_video(out, frames, args.fps)
    except (ValueError, OSError) as exc:
        print(f"vision-synth: error: {exc}", file=sys.stderr)
        return 2 if isinstance(exc, ValueError) else 1
    truth = [{"label": s.action, "start": round(s.start, 3), "end": round(s.end, 3)} for s in segments]
    out.with_suffix(".json").write_text(json.dumps({"seed": args.seed, "segments": truth}, indent=1) + "\n")
    if not args.quiet:
        print(f"wrote {out} ({len(frames)} frames) and {out.with_suffix('.json')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
