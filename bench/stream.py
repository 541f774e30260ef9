"""Streaming cost and the live pipeline, measured side by side in one run.

1. Cost per new frame: `StreamingClassifier.push` (encode the new frame once + the head) vs the
   naive way (preprocess and encode all T frames of the window again, then the head).
   Goal: ratio >= 0.8 * T. Also printed: what one encoder call on T frames costs in single-frame
   calls, the most that encoding each frame once can save on the encoder against a naive way
   that batches its window (the rest of the ratio comes from preprocessing each frame once).
2. Live pipeline on a 640x480 30 fps file paced at its native rate: delivered fps (frames the
   capture thread hands to the inference loop), predictions/s, capture->prediction latency.
   Goals on the 2-core CPU: >= 25 fps delivered, >= 10 predictions/s, p95 <= 100 ms.

    .venv/bin/python bench/stream.py [--weights DIR] [--seconds 20]

`--backend onnxruntime` measures the same on an ONNX export of the model.
Without --weights it uses weights/shapes (or, when absent, a randomly initialised model of
the default architecture: the cost does not depend on the weights' values.
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from _common import add_model_options, bench_checkpoint, with_backend
from vision.data.transforms import preprocess_frames
from vision.engine.stream import StreamingClassifier
from vision.video.capture import CaptureThread, SourceState
from vision.video.encode import write_video
from vision.video.synth import ACTIONS, render_sequence


@torch.no_grad()
def per_frame_costs(ckpt, frames: list[np.ndarray], repeats: int = 3) -> tuple[float, float]:
    """Best-of-`repeats` seconds per new frame: streaming vs naive window re-encode."""
    t = ckpt.clip_config.num_frames
    stream_best = naive_best = float("inf")
    for _ in range(repeats):  # interleaved so machine noise hits both alike
        engine = StreamingClassifier(ckpt, stride=1, sample_fps=None)
        for i, f in enumerate(frames[:t]):  # fill the ring first
            engine.push(f, i)
        start = time.perf_counter()
        for i, f in enumerate(frames[t:], start=t):
            engine.push(f, i)
        stream_best = min(stream_best, (time.perf_counter() - start) / (len(frames) - t))
        start = time.perf_counter()
        for i in range(t, len(frames)):
            window = preprocess_frames(np.stack(frames[i - t + 1 : i + 1]), ckpt.clip_config)[None]
            emb = ckpt.model.encode_frames(window.to(engine.device)).embeddings
            ckpt.model.classify_embeddings(emb)
        naive_best = min(naive_best, (time.perf_counter() - start) / (len(frames) - t))
    return stream_best, naive_best


@torch.no_grad()
def batching_gain(ckpt, frames: list[np.ndarray], repeats: int = 20) -> float:
    """How many single-frame encoder calls one call on T frames costs: on the encoder, a streaming
    engine (which must encode each frame alone as it arrives) saves at most this much."""
    engine = StreamingClassifier(ckpt)  # its BatchNorm-folded model, as streaming runs it
    t = ckpt.clip_config.num_frames
    x = preprocess_frames(np.stack(frames[:t]), ckpt.clip_config).to(engine.device)
    one = many = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for i in range(t):
            engine.model.encode_frames(x[i : i + 1])
        one = min(one, (time.perf_counter() - start) / t)
        start = time.perf_counter()
        engine.model.encode_frames(x)
        many = min(many, time.perf_counter() - start)
    return many / one


def live_pipeline(ckpt, path: Path) -> dict[str, float]:
    engine = StreamingClassifier(ckpt)
    latencies, stamps, delivered, last = [], [], 0, -1
    started = time.monotonic()
    with CaptureThread(path, realtime=True) as cap:
        while True:
            frame = cap.wait_frame(last, timeout=1.0)
            if frame is None:
                if cap.state in (SourceState.ENDED, SourceState.FAILED):
                    break
                continue
            last, delivered = frame.index, delivered + 1
            if engine.push(frame.rgb, frame.timestamp) is not None:
                stamps.append(time.monotonic())
                latencies.append((stamps[-1] - frame.captured_at) * 1000)
        stats = cap.stats()
    elapsed = time.monotonic() - started
    return {
        "delivered_fps": delivered / elapsed, "captured": stats.captured, "dropped": stats.dropped,
        # steady state: from the first prediction (the first window takes T sampled frames to fill)
        "predictions_per_s": (len(stamps) - 1) / (stamps[-1] - stamps[0]),
        "p50_ms": float(np.percentile(latencies, 50)), "p95_ms": float(np.percentile(latencies, 95)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_model_options(parser)
    parser.add_argument("--frame-size", type=int, help="input size of the random-init model (default 112)")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of the 640x480 30 fps test video")
    args = parser.parse_args()
    torch.set_num_threads(2)
    with tempfile.TemporaryDirectory() as tmp:
        ckpt, name = bench_checkpoint(args.weights, Path(tmp), args.backbone, args.frame_size)
        ckpt, name = with_backend(ckpt, name, args.backend, Path(tmp))
        clip = ckpt.clip_config
        print(f"model: {name} ({ckpt.model_config.backbone}, {clip.frame_size}px, T={clip.num_frames}, "
              f"stride {clip.stride}, {clip.fps} fps)")
        n = max(1, round(args.seconds / 4))
        frames, _ = render_sequence([ACTIONS[i % len(ACTIONS)] for i in range(n)], args.seconds / n,
                                    np.random.default_rng(0), 640, 480, 30)
        path = write_video(Path(tmp) / "live.mp4", frames, 30)
        stream_s, naive_s = per_frame_costs(ckpt, frames[: clip.num_frames + 60])
        t = clip.num_frames
        print(f"per new frame: streaming {stream_s * 1000:6.2f} ms | naive re-encode of T={t} "
              f"{naive_s * 1000:7.2f} ms | ratio {naive_s / stream_s:5.1f}x (goal >= {0.8 * t:.1f}x)")
        print(f"encoder alone: a call on T={t} frames costs {batching_gain(ckpt, frames):4.1f}x a single-frame call "
              f"({t}x if batching gained nothing): the most encoding each frame once saves on the encoder")
        live = live_pipeline(ckpt, path)
        print(f"live 640x480 30 fps file: delivered {live['delivered_fps']:5.1f} fps (goal >= 25), "
              f"{live['predictions_per_s']:4.1f} predictions/s (goal >= 10), latency p50 "
              f"{live['p50_ms']:5.1f} ms p95 {live['p95_ms']:5.1f} ms (goal <= 100); "
              f"{live['dropped']} of {live['captured']} frames dropped")


if __name__ == "__main__":
    main()
