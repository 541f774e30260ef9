"""`vision-classify INPUT...`: per-window timeline + overall label for each video.

Inputs may be files, directories (searched recursively) or glob patterns. A failing input is
reported on stderr and the batch goes on; the exit code is 1 if any input failed.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from vision.cli.common import add_common, batch_exit, expand_inputs, output_video_path, report_failure, run_cli

WEIGHTS_ROOT = Path(__file__).resolve().parents[2] / "weights"
DEFAULT_WEIGHTS = WEIGHTS_ROOT / "default"  # the shipped pose model: human actions
SHAPES_WEIGHTS = WEIGHTS_ROOT / "shapes"  # the earlier synthetic-shapes RGB model


def resolve_weights(text: str | Path) -> Path:
    """A checkpoint/export directory, or the name of a shipped model (`default`, `shapes`)."""
    path = Path(text)
    if not path.exists() and len(path.parts) == 1 and (WEIGHTS_ROOT / path).is_dir():
        return WEIGHTS_ROOT / path
    return path


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="vision-classify", description=__doc__.splitlines()[0])
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="video files, directories or glob patterns")
    p.add_argument("--weights", default=str(DEFAULT_WEIGHTS), help="checkpoint directory, or a shipped model's name "
                   "(default: weights/default, the pose model; 'shapes': the synthetic-shapes model)")
    p.add_argument("--window", type=int, help="frames per window (default: the model's clip length T)")
    p.add_argument("--stride", type=int, help="frames between windows (default: the model's stride)")
    p.add_argument("--fps", type=float, help="sampling rate (default: the model's fps)")
    p.add_argument("--topk", type=int, default=5, help="labels kept per window and per video (5)")
    p.add_argument("--overall", choices=["auto", "average", "video"], default="auto",
                   help="how the video's overall label is made: 'average' of the window probabilities, or "
                   "'video': the checkpoint's hierarchical video head (vision-train --video-head); "
                   "auto (default): the video head when the checkpoint has one")
    p.add_argument("--brief", action="store_true", help="one line per video, without the timeline")
    p.add_argument("--json", type=Path, help="write results as a JSON array (or JSON Lines if it ends in .jsonl)")
    p.add_argument("--csv", type=Path, help="write one CSV row per window")
    p.add_argument("--save-video", type=Path, help="annotated MP4 (a directory when there are several inputs)")
    p.add_argument("--opacity", type=float, default=0.5, help="heatmap opacity in annotated videos (0.5)")
    p.add_argument("--colormap", default="turbo", choices=["turbo", "jet", "inferno", "viridis", "hot"], help="heatmap colours")
    add_backend(p)
    add_unknown_threshold(p)
    p.add_argument("--batch-size", type=int, default=64, help="frames per encoder batch (64)")
    p.add_argument("--shard", help="I/N: process only the I-th of N interleaved parts of the file list (0-based); "
                   "under torchrun, RANK/WORLD_SIZE are used")
    add_common(p)
    return p


def load_weights(weights: str, device: str, backend: str = "torch", cuda_graphs: bool = False,
                 unknown_threshold: float | None = None):
    """Load a checkpoint (torch) or an export directory (onnxruntime / torchscript), with a hint
    when the default weights are not there; `cuda_graphs` replays the inference step as CUDA
    graphs (torch backend on CUDA; ignored elsewhere); `unknown_threshold` replaces the
    checkpoint's calibrated one (0: never `unknown`)."""
    from vision.checkpoint import load_checkpoint
    from vision.device import resolve_device
    from vision.errors import CheckpointError

    weights = str(resolve_weights(weights))
    if Path(weights) == DEFAULT_WEIGHTS and not DEFAULT_WEIGHTS.is_dir():
        raise CheckpointError(
            f"no default model at {DEFAULT_WEIGHTS}; train one (vision-train DATA_DIR --out runs/NAME) "
            "and pass --weights runs/NAME/best"
        )
    if backend != "torch":
        from vision.export.runtime import load_export

        ckpt = load_export(weights, backend, resolve_device(device))
    else:
        ckpt = load_checkpoint(weights, resolve_device(device), fuse=True)
    if cuda_graphs and backend == "torch":
        from vision.engine.graphs import use_cuda_graphs

        ckpt = use_cuda_graphs(ckpt)
    if unknown_threshold is not None:
        ckpt.extra = {**ckpt.extra, "unknown_threshold": unknown_threshold}
    return ckpt


def add_unknown_threshold(p: argparse.ArgumentParser) -> None:
    """--unknown-threshold, shared by the commands that run a model."""
    p.add_argument("--unknown-threshold", type=unit_interval, metavar="T",
                   help="say 'unknown' when a window's top probability is below T (default: the checkpoint's "
                   "calibrated threshold, if any; 0 = never). Measured trade-off on real clips: README, "
                   "'Held-out real clips'")


def unit_interval(text: str) -> float:
    """argparse type: a float in [0, 1)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"must be in [0, 1), got {text}")
    return value


def add_backend(p: argparse.ArgumentParser) -> None:
    """--backend, shared by the commands that run a model."""
    p.add_argument("--backend", default="torch", choices=["torch", "onnxruntime", "torchscript"],
                   help="torch runs a checkpoint; onnxruntime/torchscript run a vision-export directory (--weights)")
    p.add_argument("--cuda-graphs", action=argparse.BooleanOptionalAction, default=False,
                   help="torch on CUDA: capture the encoder and head calls as CUDA graphs once per batch shape "
                   "and replay them (default off until measured faster on a GPU; no effect on CPU)")


def parse_shard(text: str | None) -> tuple[int, int]:
    """`I/N` -> (I, N); falls back to torchrun's RANK/WORLD_SIZE, else (0, 1)."""
    if text is None:
        return int(os.environ.get("RANK", "0")), int(os.environ.get("WORLD_SIZE", "1"))
    try:
        i, n = (int(v) for v in text.split("/"))
    except ValueError:
        raise ValueError(f"--shard must look like I/N, got {text!r}") from None
    if not 0 <= i < n:
        raise ValueError(f"--shard I/N needs 0 <= I < N, got {text!r}")
    return i, n


def _sharded(path: Path | None, i: int, n: int) -> Path | None:
    if path is None or n == 1:
        return path
    return path.with_name(f"{path.stem}.shard{i}of{n}{path.suffix}")


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        shard, shards = parse_shard(args.shard)
    except ValueError as exc:
        parser.error(str(exc))
    if args.topk < 1 or args.batch_size < 1 or not 0 <= args.opacity <= 1:
        parser.error("--topk and --batch-size must be >= 1, --opacity in [0, 1]")

    def body() -> int:
        from tqdm import tqdm

        from vision.engine.annotate import write_annotated
        from vision.engine.batch import classify_video
        from vision.engine.outputs import ResultWriter, format_timeline
        from vision.errors import VisionError

        ckpt = load_weights(args.weights, args.device, args.backend, args.cuda_graphs, args.unknown_threshold)
        paths = expand_inputs(args.inputs)[shard::shards]
        writer = ResultWriter(_sharded(args.json, shard, shards), _sharded(args.csv, shard, shards))
        failed = 0
        bar = tqdm(total=len(paths), unit="video", disable=args.quiet or None)
        for path in paths:
            bar.set_description(path.name[-30:])
            try:
                result = classify_video(ckpt, path, window=args.window, stride=args.stride, fps=args.fps,
                                        k=args.topk, batch_size=args.batch_size, overall=args.overall)
                if args.save_video is not None:
                    write_annotated(result, output_video_path(args.save_video, path, len(paths) > 1), args.opacity, args.colormap)
            except (VisionError, OSError) as exc:
                failed += 1
                bar.clear()
                report_failure("vision-classify", writer, path, exc)
            else:
                writer.add(result.to_json(), result)
                label, p = result.top
                how = ", overall label from the video head" if result.overall == "video" else ""
                said = f"{label} ({result.reason})" if result.reason else f"{label} {p:.2f}"
                bar.write(f"{path}  {said}  ({result.duration:.1f} s, {result.frames} frames{how})")
                if not args.brief:
                    bar.write(format_timeline(result))
            bar.update(1)
        bar.close()
        return batch_exit("vision-classify", failed, len(paths))

    return run_cli("vision-classify", body, args.debug)


if __name__ == "__main__":
    sys.exit(main())
