"""How many 30 fps streams one GPU sustains with `StreamingClassifier.push_many` batching, and
what CUDA graphs (`--cuda-graphs`) change: eager vs graphs, side by side in one run.

Each stream pushes 640x480 frames at 30 fps timestamps (the model samples them at its own
fps); a stream count is sustained when S seconds of stream time are processed in <= S
seconds of wall time. Decoding is not included (a GPU box decodes with NVDEC or capture
threads); preprocessing (resize on the CPU) is. Also checks on the device that the
streaming logits equal offline `forward` on the same frames, and graphs equal eager.

    python bench/gpu_streams.py [--weights weights/shapes] [--seconds 3]
"""
from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from vision.checkpoint import load_checkpoint
from vision.cli.classify import SHAPES_WEIGHTS
from vision.data.transforms import preprocess_frames
from vision.engine.graphs import use_cuda_graphs
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


def graphs_vs_eager(ckpt, graphed, frames: list[np.ndarray]) -> float:
    """Max |p_graphs - p_eager| over 3 streams x 40 sampled frames."""
    a, b = (StreamingClassifier(c, ema=0.0, sample_fps=None) for c in (ckpt, graphed))
    worst = 0.0
    for i, f in enumerate(frames[:40]):
        pa, pb = (e.push_many([(s, f, i / 30) for s in range(3)]) for e in (a, b))
        worst = max([worst, *(float(np.abs(pa[s].all_probs - pb[s].all_probs).max()) for s in pa)])
    return worst


def latency_ms(ckpt, frames: list[np.ndarray], pushes: int = 200) -> tuple[float, float]:
    """p50 / p95 wall time of one push at 1 stream, every frame sampled (encoder + head + copy back)."""
    engine = StreamingClassifier(ckpt, sample_fps=None)
    times = []
    for k in range(pushes + 20):
        t0 = time.perf_counter()
        engine.push(frames[k % len(frames)], k / 30)
        torch.cuda.synchronize()
        if k >= 20:  # after warm-up (and, with graphs, the captures of the first window lengths)
            times.append((time.perf_counter() - t0) * 1000)
    return float(np.percentile(times, 50)), float(np.percentile(times, 95))


def sustained(ckpt, frames: list[np.ndarray], n: int, seconds: float) -> float:
    """Wall seconds to process `seconds` of n streams at 30 fps."""
    engine = StreamingClassifier(ckpt)
    ticks = int(seconds * 30)
    for k in range(-60, 0):  # warm-up: 20 sampled frames fill the windows (graphs: every shape captured)
        engine.push_many([(s, frames[0], k / 30) for s in range(n)])
    torch.cuda.synchronize()
    t0 = time.perf_counter()
    for k in range(1, ticks + 1):
        engine.push_many([(s, frames[(k + s) % len(frames)], k / 30) for s in range(n)])
    torch.cuda.synchronize()
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weights", help="checkpoint directory (default: weights/shapes if present)")
    parser.add_argument("--seconds", type=float, default=3.0, help="stream time per measurement")
    parser.add_argument("--streams", type=int, nargs="*", default=[1, 16, 64, 96, 128])
    args = parser.parse_args()
    if not torch.cuda.is_available():
        raise SystemExit("gpu_streams.py needs a CUDA device")
    ckpt = load_checkpoint(args.weights or SHAPES_WEIGHTS, device="cuda", fuse=True)
    graphed = use_cuda_graphs(ckpt)
    frames, _ = render_sequence(["MoveLeft", "Wave", "Grow"], 1.0, np.random.default_rng(0), 640, 480, 30)
    print(f"device {torch.cuda.get_device_name()}  streaming vs offline max |dp| {parity(ckpt, frames):.2e}  "
          f"graphs vs eager max |dp| {graphs_vs_eager(ckpt, graphed, frames):.2e}")
    modes = {"eager": ckpt, "graphs": graphed}
    lat = {name: latency_ms(c, frames) for name, c in modes.items()}
    print(f"1 stream, one push (every frame sampled): eager p50/p95 {lat['eager'][0]:.2f}/{lat['eager'][1]:.2f} ms, "
          f"graphs {lat['graphs'][0]:.2f}/{lat['graphs'][1]:.2f} ms = {lat['eager'][0] / lat['graphs'][0]:.2f}x")
    print(f"{'streams':>8} {'eager fps':>10} {'graphs fps':>11} {'graphs/eager':>13} {'eager x rt':>11} {'graphs x rt':>12}")
    best = {name: 0 for name in modes}
    for n in args.streams:
        wall = {name: sustained(c, frames, n, args.seconds) for name, c in modes.items()}
        fps = {name: n * 30 * args.seconds / w for name, w in wall.items()}  # input frames handled per second
        for name, w in wall.items():
            best[name] = max(best[name], n) if w <= args.seconds else best[name]
        print(f"{n:>8} {fps['eager']:>10.0f} {fps['graphs']:>11.0f} {fps['graphs'] / fps['eager']:>13.2f} "
              f"{args.seconds / wall['eager']:>11.2f} {args.seconds / wall['graphs']:>12.2f}", flush=True)
    print(f"sustained 30 fps streams on one GPU: eager {best['eager']}, graphs {best['graphs']}")


if __name__ == "__main__":
    main()
