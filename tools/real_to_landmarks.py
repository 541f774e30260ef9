"""Cut hand-labelled real videos into landmark clips in the UCF101 layout (for training).

    python tools/real_to_landmarks.py LABELS.json ROOT OUT [--classes a b ...] [--licensed-only]

Each labelled segment of a class the model knows becomes `OUT/<class>/v_<class>_gNN_cMM.npz`
(one group per source video, so a video never ends up on both sides of a split): the
tracker's landmarks over the segment, at the video's rate. Segments shorter than `--min-seconds`
are skipped; long ones are cut into pieces of at most `--max-seconds`. Only clips marked
`redistributable` are used with `--licensed-only` (weights trained on the rest could not ship).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from vision.data.landmarks import LandmarkSequence, save_sequence  # noqa: E402
from vision.data.posedata import LandmarkCache  # noqa: E402


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("labels", type=Path)
    p.add_argument("root", type=Path)
    p.add_argument("out", type=Path)
    p.add_argument("--classes", nargs="*", help="labels to keep (default: every label but no_person/other/ambiguous)")
    p.add_argument("--licensed-only", action="store_true", help="only clips whose license allows redistribution")
    p.add_argument("--min-seconds", type=float, default=1.0)
    p.add_argument("--max-seconds", type=float, default=4.0)
    p.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "vision-action" / "pose")
    args = p.parse_args()
    skip = {"no_person", "other", "ambiguous"}
    cache = LandmarkCache(args.cache)
    counts: dict[str, int] = {}
    for group, clip in enumerate(json.loads(args.labels.read_text()), start=1):
        if args.licensed_only and not clip.get("redistributable"):
            continue
        seq = cache.load(args.root / clip["path"])
        for seg in clip["segments"]:
            label = seg["label"]
            if label in skip or (args.classes and label not in args.classes):
                continue
            a, b = int(seg["start"] * seq.fps), int(seg["end"] * seq.fps)
            step = int(args.max_seconds * seq.fps)
            for start in range(a, b, step):
                piece = seq.landmarks[start: min(b, start + step)]
                if len(piece) < args.min_seconds * seq.fps or np.isnan(piece[:, 0, 0]).mean() > 0.5:
                    continue
                counts[label] = counts.get(label, 0) + 1
                meta = {"class": label, "source": clip["path"], "license": clip.get("license"),
                        "start": start / seq.fps, "note": seg.get("note", "")}
                out = args.out / label / f"v_{label}_g{group:02d}_c{counts[label]:02d}.npz"
                save_sequence(out, LandmarkSequence(piece, seq.fps, seq.size, meta))
    print(json.dumps(counts))


if __name__ == "__main__":
    main()
