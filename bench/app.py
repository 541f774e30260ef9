"""Display fps and latency of the real `vision-app` window on the demo video (default model).

Runs the window for `--seconds` on a paced 640x480 30 fps file source and prints: frames
shown per second, predictions per second, capture->prediction latency (engine) and
capture->shown latency (the whole path to the screen), p50/p95. Use the offscreen platform or
a real X server; `--screenshot PNG` saves the screen with the window.

    QT_QPA_PLATFORM=offscreen python bench/app.py
    xvfb-run -s "-screen 0 1280x720x24" python bench/app.py --screenshot assets/screenshot.png
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PyQt6.QtCore import QSettings, QTimer
from PyQt6.QtWidgets import QApplication

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from app.window import DEMO_VIDEO, MainWindow  # noqa: E402
from vision.cli.classify import DEFAULT_WEIGHTS  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", default=str(DEMO_VIDEO))
    parser.add_argument("--weights", default=str(DEFAULT_WEIGHTS))
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--screenshot", type=Path, help="save a screenshot here (taken at --shot-at seconds)")
    parser.add_argument("--shot-at", type=float, default=7.5)
    parser.add_argument("--skeleton", action="store_true", help="track body landmarks and draw the skeleton")
    args = parser.parse_args()

    app = QApplication(sys.argv[:1])
    settings = QSettings(str(Path(tempfile.mkdtemp()) / "bench.ini"), QSettings.Format.IniFormat)
    window = MainWindow(args.source, args.weights, "cpu", settings, loop=True)  # a short clip plays on
    window.resize(1180, 560)
    window.skeleton_box.setChecked(args.skeleton)
    window.show()
    shown_ms: list[float] = []
    pose_ms: list[float] = []
    engine_ms: list[float] = []
    first: list[float] = []
    predictions: set[float] = set()  # by timestamp: a new track restarts the frame index

    def sample() -> None:  # after every shown frame
        u = window.update_
        if u is None:
            return
        first or first.append(time.monotonic())
        shown_ms.append(window.display_latency_ms)
        if u.pose_ms:
            pose_ms.append(u.pose_ms)
        if u.prediction is not None and u.prediction.timestamp not in predictions:
            predictions.add(u.prediction.timestamp)
            engine_ms.append(u.latency_ms)

    original = window._on_update

    def on_update() -> None:
        original()
        sample()

    window.pipeline.updated.disconnect()
    window.pipeline.updated.connect(on_update)
    if args.screenshot:
        def shoot() -> None:
            screen = app.primaryScreen()
            g = window.frameGeometry()
            image = screen.grabWindow(0, g.x(), g.y(), g.width(), g.height()) if app.platformName() == "xcb" else window.grab()
            image.save(str(args.screenshot))
            print(f"screenshot -> {args.screenshot} ({app.platformName()})")
        QTimer.singleShot(int(args.shot_at * 1000), shoot)
    QTimer.singleShot(int(args.seconds * 1000), app.quit)
    app.exec()
    elapsed = time.monotonic() - first[0] if first else float("nan")
    window.close()
    shown, engine = np.array(shown_ms[30:]), np.array(engine_ms[3:])  # skip the warm-up
    print(f"source {Path(args.source).name}, {args.seconds:.0f} s, platform {app.platformName()}")
    print(f"display      {len(shown_ms) / elapsed:6.1f} frames/s shown")
    print(f"predictions  {len(predictions) / elapsed:6.1f} /s")
    print(f"latency      capture->prediction {_p50_p95(engine)}")
    print(f"             capture->shown      {_p50_p95(shown)}")
    if pose_ms:
        print(f"pose         {np.median(pose_ms[30:]):5.1f} ms per frame (median)")


def _p50_p95(ms: np.ndarray) -> str:
    """`p50 … ms  p95 … ms`, or why there is nothing to measure (too short a run, no prediction)."""
    if not len(ms):
        return "none measured (run longer: the first window and the warm-up are skipped)"
    return f"p50 {np.percentile(ms, 50):5.1f} ms  p95 {np.percentile(ms, 95):5.1f} ms"


if __name__ == "__main__":
    main()
