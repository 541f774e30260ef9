"""`RecordFlow`: teach mode's Record button, from the 3-2-1 countdown to a clip in its label.

Countdown ticks over the live view, then the pipeline hands every frame the model sees to a
`ClipRecorder` for N seconds; the recorder writes the clip in its own thread and reports back
through a signal. A clip in which a person was looked for but hardly found is kept only if the
user says so (a question box; closing it discards). Changing the source mid-recording drops
the recording.
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from PyQt6.QtCore import QObject, QTimer, pyqtSignal
from PyQt6.QtWidgets import QMessageBox, QWidget

from app.cliprecorder import ClipRecorder, RecordedClip
from app.teachstore import TeachStore

if TYPE_CHECKING:
    from app.window import MainWindow

MIN_PERSON = 0.5  # below this share of frames with somebody, a clip is kept only if the user says so


def landmark_cache(encoder: str | Path | None, cache_dir: Path):  # noqa: ANN201 (SampledLandmarkCache | None)
    """Where few-shot training on `encoder` looks for a clip's landmarks (its tracking rate), so
    a recording can leave them there; None unless `encoder` is a pose checkpoint."""
    from vision.checkpoint import read_checkpoint_info
    from vision.errors import CheckpointError
    from vision.train.fewshot_embed import TRACK_RATE, SampledLandmarkCache

    try:
        info = read_checkpoint_info(encoder) if encoder else None
    except CheckpointError:
        info = None
    if info is None or info.model_config.input != "pose":
        return None
    fps = info.clip_config.fps
    return SampledLandmarkCache(Path(cache_dir) / "pose", None if fps is None else fps * TRACK_RATE)


class RecordFlow(QObject):
    """Signals: `said(text, error)` for the panel's status line, `clips_changed()`."""

    said = pyqtSignal(str, bool)
    clips_changed = pyqtSignal()
    _recorded = pyqtSignal(object)  # from the writer thread

    def __init__(self, window: MainWindow, store: TeachStore, seconds: Callable[[], int],
                 landmark_cache: Callable[[], object], parent: QWidget) -> None:
        super().__init__(parent)
        self.window, self.store, self._seconds, self._landmark_cache = window, store, seconds, landmark_cache
        self.parent_widget = parent
        self.countdown_ms = 1000  # one tick of 3-2-1
        self.recorder: ClipRecorder | None = None
        self.pending: RecordedClip | None = None  # nobody in view: waiting for Keep / Discard
        self.question: QMessageBox | None = None
        self._pipeline = None
        self._label = ""
        self._ticks = 0
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._tick)
        self._recorded.connect(self._on_recorded)

    @property
    def busy(self) -> bool:
        return self._timer.isActive() or self.recorder is not None

    def start(self, label: str) -> bool:
        """Count down, then record `label` (False when busy or there is no source)."""
        if self.busy or self.pending is not None or self.window.pipeline is None:
            return False
        self.window.set_paused(False)
        self._label, self._ticks = label, 3
        self.window.video.set_overlay("3")
        self._timer.start(self.countdown_ms)
        return True

    def _tick(self) -> None:
        if self.recorder is not None:  # recording: the REC line, and stop when the time is up
            seconds, limit = self.recorder.seconds, self._seconds()
            self.window.video.set_overlay(f"● REC {seconds:.1f} / {limit} s")
            if seconds >= limit or time.monotonic() - self.recorder.started >= limit + 1:
                self._timer.stop()
                self._pipeline.set_clip_sink(None)
                self.window.video.set_overlay("saving…")
                self.recorder.finish()
            return
        self._ticks -= 1
        if self._ticks > 0:
            self.window.video.set_overlay(str(self._ticks))
            return
        self._pipeline = self.window.pipeline
        if self._pipeline is None:
            self.abort("the source stopped")
            return
        self.recorder = ClipRecorder(self.store.new_clip_path(self._label), self._recorded.emit,
                                     max_seconds=self._seconds() + 0.5, landmark_cache=self._landmark_cache())
        self._pipeline.set_clip_sink(self.recorder.add)
        self.window.video.set_overlay("● REC")
        self._timer.start(100)

    def abort(self, why: str) -> None:
        """Drop a countdown or recording in progress (nothing is written)."""
        if not self.busy:
            return
        self._timer.stop()
        if self.recorder is not None:
            self._pipeline.set_clip_sink(None)
            self.recorder.cancel()
            self.recorder = None
        self.window.video.set_overlay("")
        self.said.emit(f"recording stopped: {why}", True)

    def _on_recorded(self, clip: RecordedClip) -> None:
        self.recorder = None
        self.window.video.set_overlay("")
        if clip.path is None:
            self.said.emit(f"recording failed: {clip.error}", True)
            self.window.show_banner(f"recording failed: {clip.error}", error=True)
            return
        self.clips_changed.emit()
        if clip.person is not None and clip.person < MIN_PERSON:
            self._ask_keep(clip)
            return
        self.said.emit(f"recorded {clip.path.name}: {clip.seconds:.1f} s at {clip.fps:.0f} fps", False)

    def _ask_keep(self, clip: RecordedClip) -> None:
        self.pending = clip
        box = self.question = QMessageBox(self.parent_widget)
        box.setWindowTitle("Nobody in view")
        box.setIcon(QMessageBox.Icon.Warning)
        box.setText(f"A person was found in only {clip.person:.0%} of this clip. Keep it anyway?\n\n"
                    "(Keep it for actions without people, e.g. a machine or objects moving.)")
        box.setStandardButtons(QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard)
        box.setDefaultButton(QMessageBox.StandardButton.Discard)
        box.finished.connect(lambda code: self.resolve(code == QMessageBox.StandardButton.Save.value))
        box.open()
        self.said.emit(f"nobody in view in {1 - clip.person:.0%} of {clip.path.name}: keep it?", True)
        self.clips_changed.emit()

    def resolve(self, keep: bool) -> None:
        """Keep or discard the clip waiting for an answer."""
        clip, self.pending = self.pending, None
        if self.question is not None:
            question, self.question = self.question, None
            question.blockSignals(True)
            question.close()
        if clip is None:
            return
        if not keep:
            self.store.delete_clip(Path(clip.path))
        self.said.emit(f"kept {clip.path.name}" if keep else f"discarded {clip.path.name}", False)
        self.clips_changed.emit()
