"""`MainWindow`: live video with the attention heatmap, top-k bars, temporal strip and controls.

The window only draws and routes user actions; capture and inference run in `LivePipeline`
(a QThread), recording in `Recorder` (a thread), teach-mode training in `TrainWorker` (a
QThread, driven by the Teach dock). Menus, toolbar and status bar are built by `app.chrome`.
Nothing here waits on the model.
"""
from __future__ import annotations

import os
import time
from collections import deque
from pathlib import Path

from PyQt6.QtCore import QSettings, Qt
from PyQt6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMainWindow,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from app.chrome import build_chrome, source_text
from app.pipeline import LivePipeline, LiveUpdate, ModelInfo
from app.recorder import Recorder
from app.teach import TeachPanel
from app.widgets import PredictionBars, TemporalStrip, ThresholdControl, VideoView, to_qimage
from vision.checkpoint import read_checkpoint_info
from vision.errors import CheckpointError
from vision.export.runtime import backend_for, read_manifest
from vision.overlay import COLORMAPS, annotate, caption_lines, draw_caption
from vision.pose.skeleton import draw_skeleton
from vision.video.capture import rate
from vision.video.sources import is_camera, redact

DEMO_VIDEO = Path(__file__).resolve().parents[1] / "assets" / "person_demo.webm"


class MainWindow(QMainWindow):
    """The `vision-app` window. `source` is a camera index, a file or a URL."""

    def __init__(
        self, source: str | int, weights: str, device: str = "auto", settings: QSettings | None = None,
        loop: bool | None = None, unknown_threshold: float | None = None,
    ) -> None:
        super().__init__()
        self.unknown_threshold = unknown_threshold
        self.setWindowTitle("vision-app — live action recognition")
        self.settings = settings or QSettings("vision-action", "vision-app")
        self.weights, self.device = weights, device
        self.source: str | int = source
        self.pipeline: LivePipeline | None = None
        self.retired: list[LivePipeline] = []
        self.recorder: Recorder | None = None
        self.model: ModelInfo | None = None
        self.update_: LiveUpdate | None = None
        self.paused = False
        self.display_times: deque[float] = deque(maxlen=30)
        self.display_latency_ms = 0.0
        self.notice = ""  # shown while the source runs, e.g. "no camera, playing the demo"
        self._build()
        self._restore_settings()
        self.start(source, weights, loop)

    # -- layout ----------------------------------------------------------------------------
    def _build(self) -> None:
        self.video = VideoView()
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.hide()
        self.bars = PredictionBars()
        self.strip = TemporalStrip()
        self.heatmap_box = QCheckBox("Heatmap (H)")
        self.heatmap_box.setChecked(True)
        self.skeleton_box = QCheckBox("Skeleton (K)")
        self.skeleton_box.toggled.connect(self._on_skeleton)
        self.opacity = QSlider(Qt.Orientation.Horizontal)
        self.opacity.setRange(0, 100)
        self.opacity.setValue(50)
        self.colormap = QComboBox()
        self.colormap.addItems(list(COLORMAPS))
        self.threshold = ThresholdControl(self.unknown_threshold)
        self.threshold.changed.connect(self._on_threshold)
        for widget in (self.heatmap_box, self.opacity, self.colormap):
            signal = getattr(widget, "toggled", None) or getattr(widget, "valueChanged", None) or widget.currentIndexChanged
            signal.connect(self.redraw)

        side = QVBoxLayout()
        side.addWidget(QLabel("<b>Predictions</b> (smoothed)"))
        side.addWidget(self.bars)
        side.addWidget(self.threshold)
        side.addWidget(QLabel("<b>Temporal attention</b> (last T frames)"))
        side.addWidget(self.strip)
        side.addWidget(self.heatmap_box)
        side.addWidget(self.skeleton_box)
        side.addWidget(QLabel("Opacity"))
        side.addWidget(self.opacity)
        side.addWidget(QLabel("Colormap"))
        side.addWidget(self.colormap)
        side.addStretch(1)
        left = QVBoxLayout()
        left.addWidget(self.banner)
        left.addWidget(self.video, 1)
        body = QHBoxLayout()
        body.addLayout(left, 1)
        body.addLayout(side)
        central = QWidget()
        central.setLayout(body)
        self.setCentralWidget(central)

        self.teach = TeachPanel(self, self.settings.value("teach_dir", None) or None)
        self.teach_dock = QDockWidget("Teach", self)
        self.teach_dock.setObjectName("teach-dock")
        self.teach_dock.setWidget(self.teach)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.teach_dock)
        self.teach_dock.hide()
        build_chrome(self)
        self.resize(1100, 600)

    # -- pipeline ----------------------------------------------------------------------------
    def start(self, source: str | int | None = None, weights: str | None = None, loop: bool | None = None) -> None:
        """(Re)start capture + inference on `source` with `weights`; the old pipeline winds down."""
        self.source = self.source if source is None else source
        self.weights = weights or self.weights
        self._retire()
        loop = loop if loop is not None else (isinstance(self.source, str) and os.path.abspath(self.source) == str(DEMO_VIDEO))
        pipeline = LivePipeline(self.source, self.weights, self.device, loop=loop, backend=backend_for(self.weights),
                                unknown_threshold=self.unknown_threshold)
        pipeline.updated.connect(self._on_update)
        pipeline.state_changed.connect(self._on_state)
        pipeline.model_ready.connect(self._on_model)
        pipeline.failed.connect(self._on_failed)
        pipeline.set_skeleton(self.skeleton_box.isChecked())
        self.pipeline = pipeline
        self.update_ = None
        self.bars.set_items([])
        self.strip.set_weights([])
        self.video.set_message(f"opening {redact(self.source)}…")
        self.notice = ""
        self._set_banner("")
        self.set_paused(False)  # a new source plays
        self.status_fields["source"].setText(source_text(self.source))
        self.teach.source_changed()
        pipeline.start()

    def swap_model(self, weights: str, engine=None) -> None:  # noqa: ANN001 (a loaded StreamingClassifier)
        """Run another model on the source that is playing (no restart): teach mode's hot swap."""
        self.weights = weights
        if self.pipeline is not None:
            self.pipeline.swap_model(weights, engine)

    def device_name(self) -> str:
        """The device models run on ('cpu', 'cuda', ...), as the running model reports it."""
        if self.model is not None:
            return self.model.device
        from vision.device import resolve_device

        return str(resolve_device(self.device))

    def show_banner(self, text: str, error: bool = False) -> None:
        self._set_banner(text, error)

    def _retire(self) -> None:
        if self.pipeline is not None:
            old, self.pipeline = self.pipeline, None
            for signal in (old.updated, old.state_changed, old.model_ready, old.failed):
                signal.disconnect()
            old.request_stop()  # it winds down in the background; closeEvent waits for it
            self.retired.append(old)
        self.retired = [p for p in self.retired if p.isRunning()]

    def _on_update(self) -> None:
        if self.pipeline is None:
            return
        update = self.pipeline.take()
        if update is None or self.paused:  # one already in flight when paused is dropped: the frame freezes at once
            return
        self.update_ = update
        if update.prediction is not None:
            pred = update.prediction
            self.bars.set_items(list(zip(pred.smoothed_labels, pred.smoothed_probs)), pred.status, pred.reason)
            self.strip.set_weights(pred.temporal_weights)
        self.redraw()
        now = time.monotonic()
        self.display_times.append(now)
        self.display_latency_ms = (now - update.captured_at) * 1000
        self._update_status(update)

    def _on_state(self, state: str, message: str) -> None:
        self.status_fields["state"].setText(state)
        if state == "failed" and is_camera(self.source) and self.update_ is None:
            self._fall_back_to_demo(message)
        elif state in ("reconnecting", "failed"):
            self._set_banner(f"{state}: {message}", error=state == "failed")
        elif state == "ended":
            self._set_banner("end of file — choose another source in the File menu")
        else:
            self._set_banner(self.notice)

    def _on_model(self, info: ModelInfo) -> None:
        if self.model is not None and self.model.path != info.path:  # swapped: the old labels go
            self.bars.set_items([])
            self.strip.set_weights([])
        self.model = info
        self.status_fields["model"].setText(f"{info.name} ({info.backbone}, {len(info.labels)} classes)")
        self.status_fields["device"].setText(info.device)
        self.threshold.show_model(info.unknown_threshold)
        self.teach.model_changed(info.name)

    def _on_failed(self, message: str) -> None:
        self._set_banner(message, error=True)
        self.video.set_message("nothing to show: " + message)

    def _fall_back_to_demo(self, message: str) -> None:
        if not DEMO_VIDEO.is_file():
            self._set_banner(f"no camera ({message}); open a file or stream from the File menu", error=True)
            return
        self.start(str(DEMO_VIDEO), loop=True)
        self.notice = f"No camera found ({message}). Playing the demo video instead."
        self._set_banner(self.notice)

    def _set_banner(self, text: str, error: bool = False) -> None:
        self.banner.setText(text)
        self.banner.setStyleSheet(f"padding: 4px; background: {'#8b1a1a' if error else '#5a4a00'}; color: white;")
        self.banner.setVisible(bool(text))

    # -- drawing ---------------------------------------------------------------------------------
    def annotated_frame(self, with_caption: bool = False):
        """The current frame as drawn (heatmap per the controls), optionally with the top-k caption."""
        if self.update_ is None:
            return None
        pred = self.update_.prediction
        heat = pred.heatmap if pred is not None and self.heatmap_box.isChecked() else None
        shown = annotate(self.update_.rgb, heat, self.opacity.value() / 100, self.colormap.currentText(), [])
        if self.skeleton_box.isChecked() and self.update_.pose is not None:
            draw_skeleton(shown, self.update_.pose.landmarks)
        return self._captioned(shown) if with_caption else shown

    def _captioned(self, shown):
        """A copy of a drawn frame with the smoothed top-3 caption (snapshots and recordings)."""
        pred = self.update_.prediction if self.update_ is not None else None
        lines = [] if pred is None else caption_lines(pred.smoothed_labels, pred.smoothed_probs, pred.status, pred.reason)
        return draw_caption(shown.copy(), lines)

    def redraw(self) -> None:
        frame = self.annotated_frame()
        if frame is None:
            return
        self.video.set_frame(frame)
        if self.recorder is not None and not self.paused:
            self.recorder.write(self._captioned(frame))  # the heatmap is blended once per frame

    def display_fps(self) -> float:
        return rate(self.display_times)

    def _update_status(self, u: LiveUpdate) -> None:
        f = self.status_fields
        f["capture"].setText(f"shown {self.display_fps():4.1f} fps (capture {u.capture_fps:4.1f})")
        f["inference"].setText(f"predictions {u.inference_fps:4.1f}/s")
        f["latency"].setText(f"latency {u.latency_ms:4.0f} ms")
        f["pose"].setText(f"pose {u.pose_ms:4.1f} ms" if self.skeleton_box.isChecked() else "")

    # -- user actions -------------------------------------------------------------------------------
    def _on_skeleton(self, on: bool) -> None:
        if self.pipeline is not None:
            self.pipeline.set_skeleton(on)
        self.redraw()

    def _on_threshold(self, value: float | None) -> None:
        self.unknown_threshold = value  # a new source or model keeps it
        if self.pipeline is not None:
            self.pipeline.set_unknown_threshold(value)

    def set_paused(self, paused: bool) -> None:
        self.paused = paused
        self.pause_action.setChecked(paused)
        if self.pipeline is not None:
            self.pipeline.set_paused(paused)
        self.status_fields["state"].setText("paused" if paused else "running")

    def snapshot(self, path: str | Path | None = None) -> Path | None:
        """Save the annotated frame as PNG (default: the snapshot folder, timestamped)."""
        frame = self.annotated_frame(with_caption=True)
        if frame is None:
            return None
        target = Path(path) if path else self._output_dir() / time.strftime("snapshot-%Y%m%d-%H%M%S.png")
        if not to_qimage(frame).save(str(target)):
            self._set_banner(f"could not write {target}", error=True)
            return None
        self.statusBar().showMessage(f"saved {target}", 4000)
        return target

    def set_recording(self, on: bool, path: str | Path | None = None) -> Path | None:
        """Start recording annotated frames to an MP4, or stop and finalise it (returns its path)."""
        self.record_action.setChecked(on)
        if on and self.recorder is None:
            fps = (self.update_.capture_fps if self.update_ else 0) or 30.0
            target = Path(path) if path else self._output_dir() / time.strftime("recording-%Y%m%d-%H%M%S.mp4")
            self.recorder = Recorder(target, round(fps))
            self.statusBar().showMessage(f"recording to {target}")
            return target
        if not on and self.recorder is not None:
            recorder, self.recorder = self.recorder, None
            out = recorder.close()
            if recorder.error:
                self._set_banner(f"recording failed: {recorder.error}", error=True)
            else:
                self.statusBar().showMessage(f"saved {out} ({recorder.written} frames)", 6000)
            return out
        return None

    def _output_dir(self) -> Path:
        folder = Path(self.settings.value("output_dir", str(Path.home() / "Videos" / "vision-app")))
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open video", str(self.settings.value("last_dir", "")))
        if path:
            self.settings.setValue("last_dir", str(Path(path).parent))
            self.start(path)

    def choose_url(self) -> None:
        url, ok = QInputDialog.getText(self, "Open stream", "RTSP/HTTP URL:")
        if ok and url.strip():
            self.start(url.strip())

    def choose_model(self, directory: str | None = None) -> bool:
        """Switch to the checkpoint in `directory` (asks when None); an invalid one is reported."""
        directory = directory or QFileDialog.getExistingDirectory(self, "Choose checkpoint directory", self.weights)
        if not directory:
            return False
        try:
            read_checkpoint_info(directory)  # cheap checks before stopping the running model
            if backend_for(directory) != "torch":
                read_manifest(Path(directory))
        except CheckpointError as exc:
            self._set_banner(f"cannot use this model: {exc}", error=True)
            return False
        self.settings.setValue("weights", directory)
        self.start(weights=directory)
        return True

    # -- settings and shutdown ------------------------------------------------------------------------
    def _restore_settings(self) -> None:
        s = self.settings
        self.heatmap_box.setChecked(s.value("heatmap", True, type=bool))
        self.skeleton_box.setChecked(s.value("skeleton", False, type=bool))
        self.opacity.setValue(s.value("opacity", 50, type=int))
        self.colormap.setCurrentText(s.value("colormap", "turbo"))
        if s.value("geometry") is not None:
            self.restoreGeometry(s.value("geometry"))
        if s.value("window_state") is not None:  # toolbar and the Teach dock
            self.restoreState(s.value("window_state"))

    def _save_settings(self) -> None:
        s = self.settings
        s.setValue("heatmap", self.heatmap_box.isChecked())
        s.setValue("skeleton", self.skeleton_box.isChecked())
        s.setValue("opacity", self.opacity.value())
        s.setValue("colormap", self.colormap.currentText())
        s.setValue("geometry", self.saveGeometry())
        s.setValue("window_state", self.saveState())

    def closeEvent(self, event) -> None:  # noqa: N802
        """Finalise a recording, stop every thread, release the camera."""
        self._save_settings()
        self.teach.shutdown()
        self.set_recording(False)
        self._retire()
        for pipeline in self.retired:
            pipeline.stop()
        self.retired.clear()
        super().closeEvent(event)
