"""`vision-stream SOURCE`: headless live classification, one JSON line per prediction.

SOURCE is a webcam index (0), a video file or an RTSP/HTTP URL. Ctrl-C (or SIGTERM) stops
cleanly: the capture thread is joined and the source released.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
import time
from pathlib import Path

from vision.cli.common import add_common, run_cli


def build_parser() -> argparse.ArgumentParser:
    from vision.cli.classify import DEFAULT_WEIGHTS, add_backend, add_unknown_threshold

    p = argparse.ArgumentParser(prog="vision-stream", description=__doc__.splitlines()[0])
    p.add_argument("source", help="webcam index, video file or stream URL")
    p.add_argument("--weights", default=str(DEFAULT_WEIGHTS), help="checkpoint directory, or a shipped model's name "
                   "(default, shapes)")
    p.add_argument("--jsonl", type=Path, help="append predictions here instead of standard output")
    p.add_argument("--stride", type=int, help="sampled frames between predictions (default 1)")
    p.add_argument("--topk", type=int, default=5, help="labels per prediction (5)")
    p.add_argument("--ema", type=float, default=0.6, help="smoothing of probabilities over predictions (0.6; 0 = off)")
    p.add_argument("--loop", action="store_true", help="restart a file source at its end")
    p.add_argument("--fast", action="store_true", help="read a file as fast as possible instead of at its native fps; frames the model "
                   "cannot keep up with are dropped (latest wins): for every window of a file, use vision-classify")
    add_backend(p)
    add_unknown_threshold(p)
    p.add_argument("--max-seconds", type=float, help="stop after this many seconds")
    add_common(p)
    return p


def prediction_record(pred, capture_fps: float, latency_ms: float) -> dict:
    """The JSON line of one prediction."""
    return {
        "time": round(pred.timestamp, 3),
        "frame": pred.frame_index,
        "label": pred.label,  # the top class, or "no person" / "unknown"
        "reason": pred.reason,  # why "no person" / "unknown" ("" with a class)
        "probability": round(pred.smoothed_probs[0], 4),
        "topk": [[label, round(p, 4)] for label, p in zip(pred.smoothed_labels, pred.smoothed_probs)],
        "raw_topk": [[label, round(p, 4)] for label, p in zip(pred.labels, pred.probs)],
        "temporal_weights": [round(float(w), 4) for w in pred.temporal_weights],
        "latency_ms": round(latency_ms, 2),
        "model_ms": round(pred.latency.total_ms, 2),
        "capture_fps": round(capture_fps, 2),
    }


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)

    def body() -> int:
        from vision.cli.classify import load_weights
        from vision.engine.stream import StreamingClassifier
        from vision.video.capture import CaptureThread, SourceState

        ckpt = load_weights(args.weights, args.device, args.backend, args.cuda_graphs, args.unknown_threshold)
        engine = StreamingClassifier(ckpt, stride=args.stride, k=args.topk, ema=args.ema)
        stop = threading.Event()
        previous = {s: signal.signal(s, lambda *_: stop.set()) for s in (signal.SIGINT, signal.SIGTERM)}

        def on_state(state: SourceState, message: str) -> None:
            if not args.quiet and state not in (SourceState.RUNNING, SourceState.STOPPED):
                print(f"vision-stream: {state.value}: {message}", file=sys.stderr, flush=True)

        out = args.jsonl.open("a") if args.jsonl else sys.stdout
        capture = CaptureThread(args.source, realtime=not args.fast, loop=args.loop, on_state=on_state).start()
        started, last, count = time.monotonic(), -1, 0
        try:
            while not stop.is_set():
                if args.max_seconds is not None and time.monotonic() - started > args.max_seconds:
                    break
                frame = capture.wait_frame(last, timeout=0.5)
                if frame is None:
                    if capture.state in (SourceState.ENDED, SourceState.FAILED):
                        break
                    continue
                last = frame.index
                pred = engine.push(frame.rgb, frame.timestamp)
                if pred is not None:
                    latency = (time.monotonic() - frame.captured_at) * 1000
                    try:
                        out.write(json.dumps(prediction_record(pred, capture.stats().fps, latency)) + "\n")
                        out.flush()
                    except BrokenPipeError:  # e.g. `vision-stream 0 | head`: the reader is gone
                        # Python's documented recipe: no second BrokenPipeError at interpreter exit
                        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
                        break
                    count += 1
        finally:
            capture.stop()
            for s, handler in previous.items():
                signal.signal(s, handler)
            if args.jsonl:
                out.close()
        stats = capture.stats()
        if not args.quiet:
            print(f"vision-stream: {count} predictions, {stats.captured} frames captured, "
                  f"{stats.dropped} dropped (latest-frame-wins)", file=sys.stderr)
        return 1 if capture.state == SourceState.FAILED else 0

    return run_cli("vision-stream", body, args.debug)


if __name__ == "__main__":
    sys.exit(main())
