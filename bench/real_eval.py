"""A checkpoint on hand-labelled real clips, window by window.

    python bench/real_eval.py weights/default                          # the clips in ../shared/data/real
    python bench/real_eval.py runs/NAME/best --labels /path/labels.json --root /path   # another labelled set
    python bench/real_eval.py runs/s1/best runs/s2/best runs/s3/best   # several seeds: mean and spread too

Labels (tests/data/real_labels.json's schema): per clip, `segments` of `{start, end, label}`
covering it. Each window of `vision-classify`'s timeline is scored against the label at its
centre: a class must match; `no_person` must come out as "no person"; `other` (an action
outside the label set) counts as right when the model says "unknown"; `ambiguous` is skipped.
Prints per-label recall, what each label was taken for, and a line per clip; `--thresholds 0
0.4 0.4668` adds what each `unknown` threshold would do (from the windows' top probabilities).
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from vision.checkpoint import load_checkpoint  # noqa: E402
from vision.engine import batch  # noqa: E402
from vision.engine.batch import classify_video  # noqa: E402
from vision.engine.posefront import NO_PERSON, UNKNOWN  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
EXPECTED = {"no_person": NO_PERSON, "other": UNKNOWN}


def track_once() -> None:
    """Let several checkpoints share one tracking pass per clip: what the tracker gives depends on
    the clip and the sampling rate only, never on the action model."""
    tracked = {}
    track = batch.track_video_samples

    def cached(path, fps, device="cpu"):  # noqa: ANN001, ANN202
        key = (str(path), fps, device)
        if key not in tracked:
            tracked[key] = track(path, fps, device)
        return tracked[key]

    batch.track_video_samples = cached


def label_at(segments: list[dict], t: float) -> str:
    """The hand label at time `t` (the last segment when t is past the end)."""
    for seg in segments:
        if seg["start"] <= t < seg["end"]:
            return seg["label"]
    return segments[-1]["label"]


def score(ckpt, clips: list[dict], root: Path, only: set[str] | None = None) -> dict:  # noqa: ANN001
    """Window-level results: {true label: Counter(predicted label)}, per-clip lines and per-clip
    {label: [right, windows]}."""
    confusion: dict[str, Counter] = defaultdict(Counter)
    lines, per_clip, windows = [], {}, []
    for clip in clips:
        if only and clip["path"] not in only:
            continue
        result = classify_video(ckpt, root / clip["path"])
        per_label: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for w in result.windows:
            truth = label_at(clip["segments"], (w.start + w.end) / 2)
            if truth == "ambiguous":
                continue
            windows.append((truth, w.status == NO_PERSON, w.labels[0], w.probs[0]))
            confusion[truth][w.label] += 1
            per_label[truth][0] += w.label == EXPECTED.get(truth, truth)
            per_label[truth][1] += 1
        per_clip[clip["path"]] = dict(per_label)
        runs = Counter(w.label for w in result.windows).most_common(3)
        recalls = " ".join(f"{t} {h}/{n}" for t, (h, n) in sorted(per_label.items()))
        lines.append(f"{clip['path']:<44} right: {recalls:<34} says: " + ", ".join(f"{k} x{v}" for k, v in runs))
    return {"confusion": confusion, "lines": lines, "clips": per_clip, "windows": windows}


def sweep(outcome: dict, thresholds: list[float]) -> str:
    """What each `unknown` threshold would do: known windows right, right ones lost, `other` caught."""
    known = [w for w in outcome["windows"] if w[0] not in EXPECTED]
    other = [w for w in outcome["windows"] if w[0] == "other"]
    rows = [f"  {'threshold':>9}  known right (of {len(known)})  right turned unknown  other caught (of {len(other)})"]
    for t in thresholds:
        right = sum(not nobody and top == truth and p >= t for truth, nobody, top, p in known)
        lost = sum(not nobody and top == truth and p < t for truth, nobody, top, p in known)
        caught = sum(not nobody and p < t for _, nobody, _, p in other)
        rows.append(f"  {t:>9.4f}  {right:>21}  {lost:>20}  {caught:>22}")
    return "\n".join(rows)


def report(outcome: dict) -> tuple[float, str]:
    """Mean per-label recall and a printable table."""
    rows, recalls = [], []
    for truth, predicted in sorted(outcome["confusion"].items()):
        n = sum(predicted.values())
        right = predicted[EXPECTED.get(truth, truth)]
        recalls.append(right / n)
        taken = ", ".join(f"{k} {v}" for k, v in predicted.most_common(4))
        rows.append(f"  {truth:<14} {right:>4}/{n:<4} {right / n:6.1%}   taken for: {taken}")
    mean = sum(recalls) / max(1, len(recalls))
    return mean, "\n".join(rows)


def spread(outcomes: list[dict]) -> str:
    """Mean and range over several checkpoints of each label's recall and each clip's."""
    def stats(values: list[float]) -> str:
        v = np.array(values)
        return f"mean {v.mean():6.1%}  sd {v.std(ddof=1) if len(v) > 1 else 0.0:5.1%}  range {v.min():6.1%}-{v.max():6.1%}"

    rows = [f"over {len(outcomes)} checkpoints, window recall:"]
    for truth in sorted(outcomes[0]["confusion"]):
        rows.append(f"  {truth:<44} " + stats([o["confusion"][truth][EXPECTED.get(truth, truth)]
                                                / max(1, sum(o["confusion"][truth].values())) for o in outcomes]))
    for path, labels in outcomes[0]["clips"].items():
        for truth in sorted(labels):
            rows.append(f"  {path + ' ' + truth:<44} "
                        + stats([o["clips"][path][truth][0] / max(1, o["clips"][path][truth][1]) for o in outcomes]))
    return "\n".join(rows)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("checkpoint", nargs="+", help="one checkpoint, or several (seeds) for mean and spread")
    p.add_argument("--labels", type=Path, default=ROOT / "tests" / "data" / "real_labels.json")
    p.add_argument("--root", type=Path, default=ROOT.parent / "shared" / "data" / "real")
    p.add_argument("--only", nargs="*", help="score only these clip paths")
    p.add_argument("--device", default="cpu")
    p.add_argument("--thresholds", type=float, nargs="*", help="also show what these `unknown` thresholds would do")
    args = p.parse_args()
    clips = json.loads(args.labels.read_text())
    track_once()
    outcomes = []
    for checkpoint in args.checkpoint:
        ckpt = load_checkpoint(checkpoint, args.device, fuse=True)
        outcome = score(ckpt, clips, args.root, set(args.only) if args.only else None)
        mean, table = report(outcome)
        print(f"{checkpoint} on {args.labels.name} ({len(outcome['lines'])} clips), windows scored at their centre")
        print(table)
        print(f"  mean recall over labels: {mean:.1%}")
        print("\n".join(outcome["lines"]) + "\n")
        if args.thresholds:
            print(sweep(outcome, args.thresholds) + "\n")
        outcomes.append(outcome)
    if len(outcomes) > 1:
        print(spread(outcomes))


if __name__ == "__main__":
    main()
