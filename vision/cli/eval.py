"""`vision-eval CHECKPOINT DATA_DIR`: top-1/top-5, per-class report and confusion matrix."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from vision.cli.common import add_common, run_cli


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="vision-eval", description=__doc__.splitlines()[0])
    p.add_argument("checkpoint", help="checkpoint directory (e.g. runs/NAME/best or weights/default)")
    p.add_argument("data_dir", help="dataset root (UCF101-style)")
    p.add_argument("--split", type=int, default=1, help="UCF101 split number (default 1)")
    p.add_argument("--no-split-files", action="store_true", help="ignore split files; use the generated val split")
    p.add_argument("--val-fraction", type=float, default=0.2, help="held-out share without split files (as in training)")
    p.add_argument("--seed", type=int, default=0, help="seed of the generated split (as in training)")
    p.add_argument("--subset", choices=["test", "train", "all"], default="test", help="which videos to score (test)")
    p.add_argument("--clips", type=int, default=1, help="clips per video averaged at test time (default 1)")
    p.add_argument("--out", default="eval-results", help="output directory for summary.json, report.txt, confusion_matrix.png")
    p.add_argument("--cache-dir", help="frame cache directory (default: no cache)")
    add_common(p)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.clips < 1:
        print("vision-eval: error: --clips must be >= 1", file=sys.stderr)
        return 2

    def body() -> int:
        from tqdm import tqdm

        from vision.checkpoint import load_checkpoint
        from vision.data.cache import DecodeParams, FrameCache
        from vision.data.ucf import index_dataset
        from vision.device import resolve_device
        from vision.train.evaluate import evaluate_items, write_evaluation

        ckpt = load_checkpoint(args.checkpoint, resolve_device(args.device), fuse=True)
        index = index_dataset(args.data_dir, None if args.no_split_files else args.split, args.val_fraction, args.seed)
        items = {"test": index.test, "train": index.train, "all": index.train + index.test}[args.subset]
        cache = None
        if args.cache_dir and ckpt.model_config.input == "pose":
            from vision.data.posedata import LandmarkCache

            cache = LandmarkCache(args.cache_dir)
        elif args.cache_dir:
            cache = FrameCache(args.cache_dir, DecodeParams.for_clip(ckpt.clip_config))
        bar = tqdm(total=len(items), desc="evaluating", unit="video", disable=args.quiet or None)
        result = evaluate_items(ckpt, items, index.classes, args.clips, cache, progress=lambda: bar.update(1))
        bar.close()
        meta = {"checkpoint": str(args.checkpoint), "data_dir": str(args.data_dir), "subset": args.subset, "clips": args.clips}
        out = write_evaluation(result, Path(args.out), meta)
        ev = result.evaluation
        print(f"{ev.count} videos  top-1 {ev.top1:.1%}  top-5 {ev.top5:.1%}  ({args.clips} clip(s)/video)  -> {out}")
        return 1 if result.failed and not result.predictions else 0

    return run_cli("vision-eval", body, args.debug)


if __name__ == "__main__":
    sys.exit(main())
