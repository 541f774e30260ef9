"""Overall label of long videos: the hierarchical video head vs averaging (and max-pooling) the
window probabilities, side by side on the same test videos.

Long videos are `vision-synth --sequence` scenes of 5 segments of 2 s (10 fps, 160x120), in
two regimes, each in UCF101's layout with split files: groups g04-g06 train, g03 validates
(the trainer's testlist: its best/ epoch), g01-g02 are the held-out test set, read only here:

- background: the labelled action fills 1 or 2 consecutive segments, NoAction the rest (an
  untrimmed video: a camera that mostly sees nothing happen); NoAction videos are all NoAction.
- distractors: the labelled action fills 2 segments, three *other* actions one each (the label
  is the plurality, which averaging is built for).

The window model is weights/shapes, frozen; `vision-train --video-head --init weights/shapes`
trains only the upper LSTM + attention on each regime's training videos (2 seeds, and one run
with `--tbptt 8`); an untrained video head is exactly the averaging. Figures are top-1 on the
held-out test videos of the best-on-validation checkpoint (and of the final epoch's), through
`vision-classify`'s own code path (`classify_video`, one decode and encode per video).

    python bench/hierarchical.py [--out runs/hierarchical] [--per-class 30] [--epochs 30]
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from vision.checkpoint import load_checkpoint
from vision.cli.classify import SHAPES_WEIGHTS
from vision.cli.synth import main as synth_main
from vision.engine.batch import classify_video
from vision.train.config import TrainConfig
from vision.train.trainer import train
from vision.video.synth import ACTIONS

SEGMENTS, GROUPS, TEST_GROUPS, VAL_GROUPS = 5, 6, 2, 1  # g01-g02 test, g03 validation, g04-g06 train


def script(regime: str, label: str, rng: np.random.Generator) -> list[str]:
    """The segment actions of one video of class `label`."""
    if regime == "background":
        k = 0 if label == "NoAction" else int(rng.integers(1, 3))
        start = int(rng.integers(0, SEGMENTS - k + 1))
        return ["NoAction"] * start + [label] * k + ["NoAction"] * (SEGMENTS - start - k)
    others = list(rng.choice([a for a in ACTIONS if a != label], SEGMENTS - 2, replace=False))
    where = set(rng.choice(SEGMENTS, 2, replace=False).tolist())
    return [label if i in where else others.pop() for i in range(SEGMENTS)]


def make_dataset(root: Path, regime: str, per_class: int, seed: int) -> Path:
    """Render the regime's long videos (skipped when present) and write UCF101 split files (the
    testlist is the validation groups) and `heldout.txt` (the test groups)."""
    if (root / "heldout.txt").exists():
        return root
    train_lines, val_lines, test_lines = [], [], []
    for c, label in enumerate(ACTIONS):
        (root / label).mkdir(parents=True, exist_ok=True)
        for j in range(per_class):
            rng = np.random.default_rng([seed, c, j])
            group, clip = j % GROUPS + 1, j // GROUPS + 1
            name = f"{label}/v_{label}_g{group:02d}_c{clip:02d}.mp4"
            synth_main([str(root / name), "--sequence", "--classes", *script(regime, label, rng), "--seconds", "2", "2",
                        "--seed", str(int(rng.integers(1 << 31))), "--size", "160", "120", "--fps", "10", "--quiet"])
            split = test_lines if group <= TEST_GROUPS else val_lines if group <= TEST_GROUPS + VAL_GROUPS else train_lines
            split.append(name)
    (root / "classInd.txt").write_text("".join(f"{i + 1} {a}\n" for i, a in enumerate(ACTIONS)))
    (root / "trainlist01.txt").write_text("".join(f"{n} {ACTIONS.index(n.split('/')[0]) + 1}\n" for n in train_lines))
    (root / "testlist01.txt").write_text("".join(f"{n}\n" for n in val_lines))
    (root / "heldout.txt").write_text("".join(f"{n}\n" for n in test_lines))
    return root


def test_videos(root: Path) -> list[tuple[Path, str]]:
    return [(root / line, line.split("/")[0]) for line in (root / "heldout.txt").read_text().split()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("runs/hierarchical"))
    parser.add_argument("--weights", type=Path, default=SHAPES_WEIGHTS, help="the frozen window model")
    parser.add_argument("--per-class", type=int, default=30, help="long videos per class and regime")
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--tbptt", type=int, default=8, help="one more run with --tbptt K (0: skip)")
    args = parser.parse_args()
    rows = []
    for r, regime in enumerate(("background", "distractors")):
        started = time.perf_counter()
        data = make_dataset(args.out / f"data-{regime}", regime, args.per_class, 100 + r)
        print(f"{regime}: data ready ({time.perf_counter() - started:.0f} s)", flush=True)
        runs = {f"seed {s}": dict(seed=s) for s in args.seeds}
        if args.tbptt:
            runs[f"seed {args.seeds[0]}, tbptt {args.tbptt}"] = dict(seed=args.seeds[0], tbptt=args.tbptt)
        heads = {}
        for name, options in runs.items():
            run = args.out / f"run-{regime}-{name.replace(' ', '').replace(',', '-')}"
            if not (run / "last").is_dir():
                started = time.perf_counter()
                train(TrainConfig(data_dir=str(data), out=str(run), video_head=True, init=str(args.weights),
                                  epochs=args.epochs, batch_size=8, lr=3e-3, scheduler="cosine",
                                  early_stop=args.epochs + 1, cache_dir=str(args.out / "cache"), **options),
                      log=lambda line: None, show_progress=False)
                print(f"  trained {name}: {time.perf_counter() - started:.0f} s", flush=True)
            for which in ("best", "last"):
                heads[f"{name} {which}"] = load_checkpoint(run / which)
        correct = {"average": 0, "max": 0, **{name: 0 for name in heads}}
        videos = test_videos(data)
        for path, truth in videos:
            for name, ckpt in heads.items():
                result = classify_video(ckpt, path, overall="video")
                correct[name] += result.top[0] == truth
            probs = result.window_probs  # (W, C): the same frozen window model in every checkpoint
            labels = ckpt.labels
            correct["average"] += labels[int(probs.mean(0).argmax())] == truth
            correct["max"] += labels[int(probs.max(0).argmax())] == truth
        rows.append((regime, len(videos), {k: v / len(videos) for k, v in correct.items()}))

    print(f"\noverall label of long videos ({SEGMENTS} segments of 2 s), top-1 on held-out test groups; window "
          f"model {args.weights} (frozen); video head: {args.epochs} epochs, best-on-validation / final checkpoint")
    for regime, n, acc in rows:
        heads = [k[: -len(" best")] for k in acc if k.endswith(" best")]
        print(f"{regime} ({n} test videos): average {acc['average']:.1%}  max {acc['max']:.1%}  video head: "
              + "  ".join(f"{h} {acc[h + ' best']:.1%} / {acc[h + ' last']:.1%}" for h in heads))


if __name__ == "__main__":
    main()
