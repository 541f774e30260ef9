"""How many 30 fps streams one GPU sustains with `StreamingClassifier.push_many` batching.

Each stream pushes 640x480 frames at 30 fps timestamps (the model samples them at its own
fps); a stream count is sustained when S seconds of stream time are processed in <= S
seconds of wall time. Decoding is not included (a GPU box decodes with NVDEC or capture
threads); preprocessing (resize on the CPU) is. Also checks on the device that the
streaming logits equal offline `forward` on the same frames.

    python bench/gpu_streams.py [--weights weights/default] [--seconds 3]
"""
from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from vision.checkpoint import load_checkpoint
from vision.cli.classify import DEFAULT_WEIGHTS
from vision.data.transforms import preprocess_frames
from vision.engine.stream import StreamingClassifier
from vision.video.synth import render_sequence


def parity(ckpt, frames: list[np.ndarray]) -> float:
    """Max |streaming - offline| logit-probability difference for one window on the device."""
    t = ckpt.clip_config.num_frames
    stream = StreamingClassifier(ckpt, ema=0.0, sample_fps=None)
    pred = None
    for i, f in enumerate(frames[:t]):
        pred = stream.push(f, i / 30) or pred
    x = preprocess_frames(np.stack(frames[:t]), ckpt.clip_config).unsqueeze(0).to(stream.device)
    with torch.no_grad():
        probs = torch.softmax(ckpt.model(x).logits.float(), 1)[0].cpu().numpy()
    return float(np.abs(np.sort(probs)[::-1][: len(pred.probs)] - np.array(pred.probs)).max())


def sustained(ckpt, frames: list[np.ndarray], n: int, seconds: float) -> float:
    """Wall seconds to process `seconds` of n streams at 30 fps."""
    engine = StreamingClassifier(ckpt)
    ticks = int(seconds * 30)
    engine.push_many([(s, frames[0], 0.0) for s in range(n)])  # warm-up
    torch.cuda.synchronize()
    t0 = time.perf_counter()
    for k in range(1, ticks + 1):
        engine.push_many([(s, frames[(k + s) % len(frames)], k / 30) for s in range(n)])
    torch.cuda.synchronize()
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weights", help="checkpoint directory (default: weights/default if present)")
    parser.add_argument("--seconds", type=float, default=3.0, help="stream time per measurement")
    parser.add_argument("--streams", type=int, nargs="*", default=[1, 8, 16, 32, 64, 96, 128])
    args = parser.parse_args()
    if not torch.cuda.is_available():
        raise SystemExit("gpu_streams.py needs a CUDA device")
    ckpt = load_checkpoint(args.weights or DEFAULT_WEIGHTS, device="cuda")
    frames, _ = render_sequence(["MoveLeft", "Wave", "Grow"], 1.0, np.random.default_rng(0), 640, 480, 30)
    print(f"device {torch.cuda.get_device_name()}  streaming vs offline max |dp| {parity(ckpt, frames):.2e}")
    print(f"{'streams':>8} {'wall s':>8} {'x real time':>12} {'sustained':>10}")
    best = 0
    for n in args.streams:
        wall = sustained(ckpt, frames, n, args.seconds)
        ok = wall <= args.seconds
        best = max(best, n) if ok else best
        print(f"{n:>8} {wall:>8.2f} {args.seconds / wall:>12.2f} {'yes' if ok else 'no':>10}", flush=True)
    print(f"sustained 30 fps streams on one GPU: {best}")


if __name__ == "__main__":
    main()
