"""Teach mode: "Train" -> model live, 5 classes x 5 clips of 3 s, timed in parts, and what it knows.

    python bench/teach.py                          # pose encoder: weights/default (or another pose checkpoint under weights/)
    python bench/teach.py --encoder runs/pose/best --skip-video

1. Landmark clips (the app's case: a clip's landmarks were tracked while it was recorded, so
   training starts from them): `vision-synth --pose` people, 5 taught classes x 5 clips of 3 s.
   Timed: embedding (frozen encoder, all versions and crops), heads (choice on held-out folds,
   the "unknown" calibration, the final fit), loading the new model into a streaming engine
   (what the app's hot swap waits for). Scored: held-out clip accuracy (the folds), accuracy
   on fresh clips of the taught classes (another seed), and the "unknown" answer: windows of
   fresh taught clips accepted vs windows of 5 other classes accepted (false accepts).
2. Video clips (the command line on new videos): 5 x 5 clips of 3 s, 640x480 at 30 fps, of a
   real photographed person (tests/data/pose_reference.npz) moved by a virtual camera: slide
   left, slide right, bob, zoom, hold still. Timed cold (tracking at 1.5x the model's rate +
   embedding + heads) and with the landmarks already cached (as the app has them).

Every run starts from an empty cache. The machine's load average is printed: on a shared
machine the times are upper bounds.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from vision.checkpoint import load_checkpoint  # noqa: E402
from vision.data.ucf import VideoItem  # noqa: E402
from vision.engine.posefront import Rejection, shared_estimator  # noqa: E402
from vision.engine.stream import StreamingClassifier  # noqa: E402
from vision.synth.clip import ClipOptions  # noqa: E402
from vision.synth.dataset import PoseSynthOptions, make_pose_dataset  # noqa: E402
from vision.train.fewshot import FewShotConfig, default_encoder, train_few_shot  # noqa: E402
from vision.train.fewshot_embed import EmbedOptions, FrozenEncoder  # noqa: E402
from vision.train.fewshot_heads import predict  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
TAUGHT = ("wave_one_hand", "squat", "clap", "punch", "lunge")
OUTSIDE = ("jumping_jack", "arm_circles", "kick", "sit_stand", "raise_both_arms")
MOTIONS = ("slide_left", "slide_right", "bob", "zoom", "still")


def synth(out: Path, classes: tuple[str, ...], clips: int, seed: int) -> Path:
    """UCF101-style folders of 3-s landmark clips (split files removed: a user's folder)."""
    options = PoseSynthOptions(classes=classes, clips_per_class=clips, clips_per_group=1, seed=seed,
                               clip=ClipOptions(seconds=(3.0, 3.0)))
    make_pose_dataset(out, options)
    for name in ("classInd.txt", "trainlist01.txt", "testlist01.txt"):
        (out / name).unlink(missing_ok=True)
    return out


def paste(frame: np.ndarray, img: np.ndarray, x: int, y: int) -> None:
    """Draw `img` with its top-left corner at (x, y), clipped to the frame."""
    h, w = img.shape[:2]
    x0, y0, x1, y1 = max(x, 0), max(y, 0), min(x + w, frame.shape[1]), min(y + h, frame.shape[0])
    if x1 > x0 and y1 > y0:
        frame[y0:y1, x0:x1] = img[y0 - y : y1 - y, x0 - x : x1 - x]


def person_videos(out: Path, clips: int, seed: int) -> Path:
    """5 motions x `clips` videos (3 s, 640x480, 30 fps) of a real photo of a person."""
    from vision.video.encode import write_video

    person = np.load(ROOT / "tests" / "data" / "pose_reference.npz")["landmarks_input_0"]  # (256, 256, 3)
    rng = np.random.default_rng(seed)
    import cv2

    for motion in MOTIONS:
        (out / motion).mkdir(parents=True, exist_ok=True)
        for c in range(clips):
            speed, x0, y0 = rng.uniform(0.7, 1.3), rng.uniform(160, 230), rng.uniform(90, 130)
            if motion == "slide_left":
                x0 += 100  # start right of centre: the person stays in view
            elif motion == "slide_right":
                x0 -= 100
            base = rng.uniform(0.9, 1.1)
            background = np.full((480, 640, 3), rng.integers(30, 200, 3), np.uint8)
            frames = []
            for i in range(90):
                t = i / 30 * speed
                x, y, s = x0, y0, base
                if motion == "slide_left":
                    x -= 60 * t
                elif motion == "slide_right":
                    x += 60 * t
                elif motion == "bob":
                    y += 30 * np.sin(2 * np.pi * 0.8 * t)
                elif motion == "zoom":
                    s *= 1 + 0.25 * np.sin(2 * np.pi * 0.5 * t)
                else:
                    x += rng.normal(0, 1)
                frame = background.copy()
                paste(frame, cv2.resize(person, (int(256 * s),) * 2), int(x), int(y))
                frames.append(frame)
            write_video(out / motion / f"{motion}_{c + 1}.mp4", frames, 30.0)
    return out


def load_avg() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def score_clips(ckpt, encoder_path: Path, root: Path, classes: list[str] | None) -> tuple[float | None, float]:  # noqa: ANN001
    """(clip accuracy or None, share of windows accepted) of the clips under `root` by the few-shot
    checkpoint; `classes` None: the clips are of classes outside its labels."""
    encoder = FrozenEncoder(load_checkpoint(encoder_path), None, EmbedOptions(views=1, crops=3))
    rejection = Rejection.from_extra(ckpt.extra)
    right = total = accepted = windows = 0
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        for path in sorted(folder.iterdir()):
            clip = encoder.embed(VideoItem(path, 0, folder.name))
            probs = predict(ckpt.model, clip.windows, clip.masks)
            distances = rejection.distances(ckpt.model, clip.windows, clip.masks)
            ok = np.ones(len(probs), bool) if distances is None else distances <= rejection.radius
            if rejection.threshold > 0:
                ok &= probs.max(1).values.numpy() >= rejection.threshold
            accepted += int(ok.sum())
            windows += len(ok)
            if classes is not None:
                right += classes[int(probs.mean(0).argmax())] == folder.name
                total += 1
    return (right / total if classes is not None else None), accepted / windows


def timed_run(data: Path, out: Path, encoder: Path, cache: Path) -> tuple[object, float]:
    """train_few_shot plus loading the result into a streaming engine (the app's hot swap)."""
    result = train_few_shot(FewShotConfig(str(data), str(out), encoder=str(encoder), cache_dir=str(cache)),
                            log=lambda s: None)
    shared_estimator("cpu")  # the live view's pose model made the process's pose estimator long ago
    start = time.perf_counter()
    engine = StreamingClassifier(load_checkpoint(result.checkpoint))
    live = time.perf_counter() - start
    assert engine.ckpt.labels == result.labels
    return result, live


def report(title: str, result, live: float) -> None:  # noqa: ANN001
    s = result.seconds
    print(f"{title}: Train -> model live {s['total'] + live:.1f} s = embedding {s['embed']:.1f} s + heads "
          f"{s['heads']:.1f} s + loading {live:.2f} s  (load average {load_avg()})")
    held = ", ".join(f"{k} {v:.0%}" for k, v in result.heldout.items() if v is not None)
    print(f"  head {result.head}; held-out clip accuracy per head: {held}")
    if result.rejection:
        r = result.rejection
        print(f"  unknown (calibrated on the folds): accepts {r['accept_known']:.0%} of held-out known windows, "
              f"{r['false_accept']:.0%} of a left-out class")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--encoder", help="pose checkpoint to build on (default: the shipped pose model)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--skip-video", action="store_true", help="only the landmark part")
    p.add_argument("--keep", help="keep the generated data and runs in this folder")
    args = p.parse_args()
    torch.set_num_threads(min(2, os.cpu_count() or 1))
    encoder = Path(args.encoder) if args.encoder else default_encoder("pose")
    if encoder is None:
        p.error("no pose checkpoint under weights/: pass --encoder DIR")
    tmp = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-teach-"))
    try:
        info = load_checkpoint(encoder)
        print(f"encoder {encoder} ({info.model_config.input}, classes it was trained on: {len(info.labels)}); "
              f"{os.cpu_count()} CPU cores, torch threads {torch.get_num_threads()}")
        data = synth(tmp / "taught", TAUGHT, 5, args.seed)
        fresh = synth(tmp / "fresh", TAUGHT, 5, args.seed + 1)
        outside = synth(tmp / "outside", OUTSIDE, 5, args.seed + 2)
        result, live = timed_run(data, tmp / "run-landmarks", encoder, tmp / "cache-landmarks")
        report("1. landmark clips (5 x 5 x 3 s)", result, live)
        ckpt = load_checkpoint(result.checkpoint)
        accuracy, accepted = score_clips(ckpt, encoder, fresh, result.labels)
        _, false_accepts = score_clips(ckpt, encoder, outside, None)
        print(f"  fresh clips of the taught classes (seed {args.seed + 1}): accuracy {accuracy:.0%}, windows accepted "
              f"{accepted:.0%}; other classes ({', '.join(OUTSIDE)}): {false_accepts:.0%} of windows accepted "
              "(false accepts)")
        if not args.skip_video:
            videos = person_videos(tmp / "videos", 5, args.seed)
            cache = tmp / "cache-videos"
            result, live = timed_run(videos, tmp / "run-videos", encoder, cache)
            report("2a. videos of a real person, cold (tracking + embedding + heads)", result, live)
            shutil.rmtree(cache / "fewshot")  # landmarks stay, as the app's recordings leave them
            result, live = timed_run(videos, tmp / "run-videos-2", encoder, cache)
            report("2b. the same videos, landmarks cached as when recorded in the app", result, live)
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
