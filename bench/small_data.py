"""Learning curves on small data: test top-1 at 4/8/16/32 training clips per class, per recipe, with time.

One dataset is generated (a fresh seed; by default the `paths` generator, which the recipe was
not tuned on), with 8 test clips per class from groups never used for training. Nested training
subsets (the first k clips of each class, spread over its groups) are written as extra split files
(`trainlist0N.txt`/`testlist0N.txt`, one N per size), so every run reads the same videos. Every run
is `vision-train` then `vision-eval` in its own process; its wall and CPU seconds are recorded.

Recipes: `adaptive` is `vision-train DATA` with no flags; `adaptive-rgb`, `adaptive-motion` and
`adaptive-flow` change only the input; `fixed` is the pre-adaptive recipe (`--no-auto`), given
`--holdout 0.25` so that it, too, picks its best epoch without looking at the test list.

    python bench/small_data.py --out bench-out/small [--style paths] [--seed 21] [--sizes 4 8 16 32]
        [--recipes adaptive adaptive-rgb fixed] [--frame-size 64] [--plot curve.png]
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from vision.data.synthset import CRLF, STYLES, SynthOptions, make_synth_dataset  # noqa: E402
from vision.data.ucf import index_dataset  # noqa: E402

RECIPES = {
    "adaptive": [],
    "adaptive-rgb": ["--input", "rgb"],
    "adaptive-motion": ["--input", "rgb+motion"],
    "adaptive-flow": ["--input", "flow"],
    "fixed": ["--no-auto", "--holdout", "0.25"],
}
TEST_PER_CLASS = 8
CLIPS_PER_GROUP = 4


def make_data(root: Path, style: str, seed: int, classes: tuple[str, ...] | None, largest: int, seconds: tuple[float, float]) -> Path:
    """The dataset: `largest` training and TEST_PER_CLASS test clips per class (split 1), once."""
    if (root / "classInd.txt").is_file():
        return root
    total = largest + TEST_PER_CLASS
    options = SynthOptions(classes=classes or STYLES[style], clips_per_class=total, clips_per_group=CLIPS_PER_GROUP,
                           test_fraction=TEST_PER_CLASS / total, seed=seed, seconds=seconds, style=style)
    return make_synth_dataset(root, options, workers=1)


def write_subsets(root: Path, sizes: list[int]) -> dict[int, int]:
    """Split files with the first k training clips of each class (round-robin over its groups); size -> split."""
    index = index_dataset(root, 1)
    test = (root / "testlist01.txt").read_text()
    splits = {}
    for n, k in enumerate(sizes, start=2):
        lines = []
        for label, name in enumerate(index.classes):
            mine = [i for i in index.train if i.label == label]
            groups = sorted({i.group for i in mine})
            order = [c for j in range(len(mine)) for g in groups for c in [x for x in mine if x.group == g][j:j + 1]]
            lines += [f"{name}/{i.path.name} {label + 1}" for i in order[:k]]
        (root / f"trainlist{n:02d}.txt").write_text("".join(line + CRLF for line in lines))
        (root / f"testlist{n:02d}.txt").write_text(test)
        splits[k] = n
    return splits


def run(cmd: list[str], log: Path) -> tuple[float, float]:
    """Run `cmd`, output to `log`; (wall, CPU seconds of the child)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    with log.open("a") as out:
        code = subprocess.call(cmd, stdout=out, stderr=subprocess.STDOUT)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if code != 0:
        raise SystemExit(f"failed ({code}): {' '.join(cmd)}; see {log}")
    return time.perf_counter() - start, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def one_run(root: Path, out: Path, recipe: str, k: int, split: int, extra: list[str]) -> dict:
    """Train and evaluate one recipe at one size; the figures of the run."""
    run_dir, log = out / "runs" / f"{recipe}-{k}", out / "logs" / f"{recipe}-{k}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text("")
    py = sys.executable
    train = [py, "-m", "vision.cli.train", str(root), "--out", str(run_dir), "--split", str(split), "--quiet",
             "--cache-dir", str(out / "cache"), *RECIPES[recipe], *extra]
    wall, cpu = run(train, log)
    ev = out / "eval" / f"{recipe}-{k}"
    eval_wall, eval_cpu = run([py, "-m", "vision.cli.eval", str(run_dir / "best"), str(root), "--split", str(split),
                               "--out", str(ev), "--quiet"], log)
    summary = json.loads((ev / "summary.json").read_text())
    config = json.loads((run_dir / "best" / "config.json").read_text())
    return {"recipe": recipe, "clips_per_class": k, "top1": summary["top1"], "test_videos": summary["videos"],
            "input": config["model"]["input"], "epochs_run": len((run_dir / "metrics.csv").read_text().splitlines()) - 1,
            "train_wall_s": round(wall, 1), "train_cpu_s": round(cpu, 1), "eval_wall_s": round(eval_wall, 1),
            "eval_cpu_s": round(eval_cpu, 1)}


def plot(results: list[dict], path: Path, title: str) -> None:
    """Test top-1 against training clips per class, one line per recipe, training CPU minutes at each point
    (CPU time, not wall: a shared or paused machine does not change it)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for recipe in dict.fromkeys(r["recipe"] for r in results):
        rows = sorted((r for r in results if r["recipe"] == recipe), key=lambda r: r["clips_per_class"])
        xs, ys = [r["clips_per_class"] for r in rows], [100 * r["top1"] for r in rows]
        ax.plot(xs, ys, marker="o", label=f"{recipe} ({rows[0]['input']})")
        for r, x, y in zip(rows, xs, ys):
            ax.annotate(f"{r['train_cpu_s'] / 60:.1f} CPU min", (x, y), textcoords="offset points", xytext=(4, -11), fontsize=7)
    chance = 100 / max(1, results[0].get("classes", 7))
    ax.axhline(chance, color="grey", linestyle=":", label="chance")
    ax.set_xscale("log", base=2)
    ax.set_xticks(sorted({r["clips_per_class"] for r in results}), labels=[str(x) for x in sorted({r["clips_per_class"] for r in results})])
    ax.set(xlabel="training clips per class", ylabel="test top-1 (%)", ylim=(0, 100), title=title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="work directory (data, runs, logs, results.json)")
    parser.add_argument("--style", default="paths", choices=["paths", "shapes"], help="generator (paths)")
    parser.add_argument("--seed", type=int, default=21, help="generator seed (21)")
    parser.add_argument("--classes", nargs="*", help="classes (default: the 7 of issue 21 for paths, all for shapes)")
    parser.add_argument("--sizes", type=int, nargs="+", default=[4, 8, 16, 32], help="training clips per class")
    parser.add_argument("--recipes", nargs="+", default=["adaptive", "adaptive-rgb", "fixed"], choices=list(RECIPES))
    parser.add_argument("--seconds", type=float, nargs=2, default=(2.0, 4.0), help="clip length range (2 4)")
    parser.add_argument("--plot", help="PNG of the learning curves (default OUT/learning_curves.png)")
    parser.add_argument("extra", nargs="*", help="more vision-train flags after --, for every run")
    args = parser.parse_args()
    out = Path(args.out)
    classes = tuple(args.classes) if args.classes else (
        ("Clockwise", "CounterClockwise", "Left", "Right", "Up", "Down", "Bounce") if args.style == "paths" else None)
    root = make_data(out / "data", args.style, args.seed, classes, max(args.sizes), tuple(args.seconds))
    splits = write_subsets(root, args.sizes)
    results_file = out / "results.json"
    results = json.loads(results_file.read_text()) if results_file.is_file() else []
    done = {(r["recipe"], r["clips_per_class"]) for r in results}
    n_classes = len(index_dataset(root, 1).classes)
    print(f"{args.style} generator, seed {args.seed}, {n_classes} classes; {os.cpu_count()} CPUs, "
          f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}", flush=True)
    for k in args.sizes:
        for recipe in args.recipes:
            if (recipe, k) in done:
                continue
            row = {**one_run(root, out, recipe, k, splits[k], args.extra), "classes": n_classes}
            results.append(row)
            results_file.write_text(json.dumps(results, indent=1) + "\n")
            print(f"{recipe:16s} {k:3d} clips/class: top-1 {row['top1']:6.1%} ({row['input']}, "
                  f"{row['epochs_run']} epochs)  train {row['train_wall_s']:6.1f} s wall / {row['train_cpu_s']:6.1f} s CPU",
                  flush=True)
    plot(results, Path(args.plot) if args.plot else out / "learning_curves.png",
         f"{args.style} generator, seed {args.seed}: {n_classes} classes, {TEST_PER_CLASS} test clips each")


if __name__ == "__main__":
    main()
