"""`LivePipeline`: capture + streaming inference in a QThread, handing the GUI the latest update.

The GUI never waits on the model: the thread keeps one "latest update" slot and emits
`updated` only when the GUI has taken the previous one, so a slow paint drops updates instead
of queueing them (the same latest-wins rule as the capture thread below it).

`swap_model` replaces the model between two frames without touching the source (teach mode's
hot swap); `set_clip_sink` hands every frame the model sees, with the person tracked in it, to
a recorder (teach mode's clips).
"""
from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Callable

import numpy as np
from PyQt6.QtCore import QThread, pyqtSignal

from vision.engine.stream import Prediction, StreamingClassifier
from vision.errors import VisionError
from vision.pose.tracker import Pose, PoseTracker
from vision.video.capture import CaptureThread, SourceState, rate
from vision.video.sources import is_camera


@dataclass(frozen=True)
class LiveUpdate:
    """One frame for the GUI with the newest prediction (which may be a few frames older)."""

    rgb: np.ndarray
    frame_index: int
    captured_at: float  # time.monotonic() of capture
    prediction: Prediction | None
    capture_fps: float
    inference_fps: float  # predictions per second
    latency_ms: float  # capture -> prediction of the newest prediction
    pose: Pose | None = None  # the tracked person in this frame (when the skeleton is on)
    pose_ms: float = 0.0  # what finding that person cost


@dataclass(frozen=True)
class ModelInfo:
    """What the window shows about the loaded model."""

    name: str  # the checkpoint directory's name
    labels: list[str]
    device: str
    backbone: str
    path: str = ""  # the checkpoint directory
    unknown_threshold: float = 0.0  # the model's own: top probability below which it says "unknown" (0: never)


ClipSink = Callable[[np.ndarray, float, "Pose | None", bool], None]  # rgb, timestamp, person, whether looked for


def model_info(ckpt, engine: StreamingClassifier) -> ModelInfo:  # noqa: ANN001 (Checkpoint or export)
    """What the window shows about a loaded model."""
    name = ckpt.path.name if ckpt.path.name not in ("best", "last") else f"{ckpt.path.parent.name}/{ckpt.path.name}"
    backbone = "pose" if engine.is_pose else ckpt.model_config.backbone
    return ModelInfo(name, list(ckpt.labels), str(engine.device), backbone, str(ckpt.path), engine.rejection.threshold)


class LivePipeline(QThread):
    """Runs `CaptureThread(source)` and `StreamingClassifier(weights)` until `stop()`.

    Signals: `updated` (call `take()`), `state_changed(state, message)` with a `SourceState`
    value, `model_ready(ModelInfo)`, `failed(message)` when the model or source cannot start.
    """

    updated = pyqtSignal()
    state_changed = pyqtSignal(str, str)
    model_ready = pyqtSignal(object)
    failed = pyqtSignal(str)

    def __init__(
        self, source: str | int, weights: str, device: str = "auto", *, loop: bool = False, backend: str = "torch",
        unknown_threshold: float | None = None,
    ) -> None:
        super().__init__()
        self.source, self.weights, self.device, self.loop = source, weights, device, loop
        self.backend = backend
        self.unknown_threshold = unknown_threshold  # replaces every model's calibrated one (None: keep each one's)
        self._lock = threading.Lock()
        self._latest: LiveUpdate | None = None
        self._pending = False
        self._stop = threading.Event()
        self._paused = threading.Event()
        self._skeleton = threading.Event()
        self.capture: CaptureThread | None = None
        self.engine: StreamingClassifier | None = None
        self._swap: tuple[str, StreamingClassifier | None] | None = None  # (weights, ready engine or None)
        self._sink: ClipSink | None = None

    # -- GUI side ----------------------------------------------------------------------
    def take(self) -> LiveUpdate | None:
        """The newest update (None if already taken); re-arms the `updated` signal."""
        with self._lock:
            update, self._latest, self._pending = self._latest, None, False
            return update

    def set_paused(self, paused: bool) -> None:
        """Paused: frames are still read (a live source cannot wait) but neither classified nor shown."""
        (self._paused.set if paused else self._paused.clear)()

    def set_skeleton(self, on: bool) -> None:
        """Track body landmarks on every frame (the pose tracker starts on first use)."""
        (self._skeleton.set if on else self._skeleton.clear)()

    def set_unknown_threshold(self, threshold: float | None) -> None:
        """Say "unknown" below this top probability from the next prediction on, for this model and
        every model swapped in later (teach mode's too); None keeps each model's own from now on."""
        self.unknown_threshold = threshold
        if self.engine is not None:
            self._apply_threshold(self.engine)

    def _apply_threshold(self, engine: StreamingClassifier) -> None:
        """The user's threshold, else the model's own (one float the pipeline thread reads per prediction)."""
        engine.unknown_threshold = engine.rejection.threshold if self.unknown_threshold is None else self.unknown_threshold

    def swap_model(self, weights: str, engine: StreamingClassifier | None = None) -> None:
        """Run `weights` from the next frame on, the source untouched. `engine`: the model already
        loaded (e.g. by a training thread), else the pipeline thread loads it (a short stall)."""
        with self._lock:
            self._swap = (weights, engine)

    def set_clip_sink(self, sink: ClipSink | None) -> None:
        """Hand every frame the model sees to `sink` (None: stop); called from the pipeline thread."""
        self._sink = sink

    def request_stop(self) -> None:
        """Ask the thread to stop without waiting (it releases the source on its way out)."""
        self._stop.set()

    def stop(self, wait_ms: int = 5000) -> None:
        """Stop capture and inference and join the thread (releases the camera)."""
        self.request_stop()
        self.wait(wait_ms)

    # -- worker thread -------------------------------------------------------------------
    def run(self) -> None:
        from vision.cli.classify import load_weights

        try:
            ckpt = load_weights(self.weights, self.device, self.backend)
        except (VisionError, OSError) as exc:
            self.failed.emit(str(exc))
            return
        engine = self.engine = StreamingClassifier(ckpt)
        self._apply_threshold(engine)
        self.model_ready.emit(model_info(ckpt, engine))
        # A camera that is not there fails at once (the window then plays the demo); a camera lost
        # later, or a stream, is retried as usual.
        retry_first_open = False if is_camera(self.source) else None
        capture = CaptureThread(self.source, loop=self.loop, retry_first_open=retry_first_open, on_state=self._on_state)
        self.capture = capture.start()
        try:
            self._loop(capture)
        finally:
            capture.stop()

    def _take_swap(self) -> None:
        """Switch to a model handed over by `swap_model` (on failure the old one keeps running)."""
        from vision.cli.classify import load_weights

        with self._lock:
            swap, self._swap = self._swap, None
        weights, engine = swap
        try:
            engine = engine or StreamingClassifier(load_weights(weights, self.device, self.backend))
        except (VisionError, OSError) as exc:
            self.failed.emit(f"cannot switch model: {exc}")
            return
        self._apply_threshold(engine)  # a model trained in the app takes the user's threshold too
        self.engine, self.weights = engine, weights
        self.model_ready.emit(model_info(engine.ckpt, engine))

    def _on_state(self, state: SourceState, message: str) -> None:
        self.state_changed.emit(state.value, message)

    def _track(self, tracker: PoseTracker | None, rgb: np.ndarray, timestamp: float
               ) -> tuple[PoseTracker | None, Pose | None, float]:
        """The person in `rgb` when the skeleton is on; the tracker is made on first use."""
        if not self._skeleton.is_set():
            return tracker, None, 0.0
        if self.engine.is_pose:  # the model tracks every frame anyway: draw what it found
            return tracker, *self.engine.last_pose()
        if tracker is None:
            try:
                tracker = PoseTracker(device=self.device)
            except (VisionError, OSError) as exc:
                self._skeleton.clear()
                self.failed.emit(f"no skeleton: {exc}")
                return None, None, 0.0
        start = time.perf_counter()
        pose = tracker.update(rgb, timestamp)
        return tracker, pose, (time.perf_counter() - start) * 1000

    def _record(self, rgb: np.ndarray, timestamp: float, pose: Pose | None) -> None:
        """Hand a frame to the clip sink with the person in it, when anybody looked for one."""
        sink = self._sink
        if sink is None:
            return
        if self.engine.is_pose:
            sink(rgb, timestamp, self.engine.last_pose()[0], True)
        else:
            sink(rgb, timestamp, pose, self._skeleton.is_set())

    def _loop(self, capture: CaptureThread) -> None:
        last_index, prediction, latency_ms = -1, None, 0.0
        tracker: PoseTracker | None = None
        predicted_at: deque[float] = deque(maxlen=20)  # times of the last predictions
        while not self._stop.is_set():
            if self._swap is not None:  # between frames, paused or not
                self._take_swap()
                prediction = None  # the old model's labels
            frame = capture.wait_frame(last_index, timeout=0.2)
            if frame is None:
                if capture.state in (SourceState.ENDED, SourceState.FAILED):
                    self._stop.wait(0.2)
                continue
            last_index = frame.index
            if self._paused.is_set():
                continue
            new = self.engine.push(frame.rgb, frame.timestamp)
            tracker, pose, pose_ms = self._track(tracker, frame.rgb, frame.timestamp)
            self._record(frame.rgb, frame.timestamp, pose)
            if new is not None:
                prediction = new
                now = time.monotonic()
                latency_ms = (now - frame.captured_at) * 1000
                predicted_at.append(now)
            update = LiveUpdate(
                frame.rgb, frame.index, frame.captured_at, prediction, capture.stats().fps, rate(predicted_at), latency_ms,
                pose, pose_ms,
            )
            with self._lock:
                self._latest, notify = update, not self._pending
                self._pending = True
            if notify:
                self.updated.emit()
