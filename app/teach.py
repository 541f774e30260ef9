"""`TeachPanel`: record and train your own actions inside the app (a dock beside the live view).

Labels are folders of clips (`TeachStore`). Record counts 3-2-1 over the live view, then keeps
the frames the live model sees for N seconds (`ClipRecorder`); Import copies a folder in. Train
runs `vision.train.fewshot` in a `TrainWorker` thread while the live view keeps running, plots
its loss and held-out accuracy, and swaps the new model into the running pipeline when it is
done; Revert swaps the previous one back, Save copies the new one where the user wants it.
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from PyQt6.QtCore import QStandardPaths, Qt, QUrl
from PyQt6.QtGui import QDesktopServices
from PyQt6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QProgressBar,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.cliprecorder import RecordedClip
from app.plot import TrainingPlot
from app.teachrecord import RecordFlow, landmark_cache
from app.teachstore import TeachError, TeachStore
from app.trainworker import TrainWorker, describe
from app.widgets import button
from vision.checkpoint import copy_checkpoint
from vision.errors import VisionError
from vision.train.fewshot import FewShotConfig, FewShotResult, Progress, default_encoder

if TYPE_CHECKING:
    from app.window import MainWindow


def app_data_dir() -> Path:
    """The user data folder (Qt's AppDataLocation, e.g. ~/.local/share/vision-action/vision-app)."""
    return Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation))


class TeachPanel(QWidget):
    """The teach dock's contents. `root`: the data folder (labels); models and caches go beside it."""

    def __init__(self, window: MainWindow, root: str | Path | None = None) -> None:
        super().__init__()
        self.window = window
        base = app_data_dir()
        self.store = TeachStore(root or base / "teach")
        self.models_dir = self.store.root.parent / "teach-models"
        self.cache_dir = self.store.root.parent / "teach-cache"
        self.encoder: str | None = window.settings.value("teach_encoder", None) or None
        self.worker: TrainWorker | None = None
        self.previous_weights: str | None = None  # the model live before the last training
        self.trained: FewShotResult | None = None
        self._live_source: str | int | None = None  # what was playing before a clip was played back
        self.flow = RecordFlow(window, self.store, self.seconds_value, self._landmark_cache, self)
        self.flow.said.connect(self._say)
        self.flow.clips_changed.connect(self._on_flow)
        self.flow.said.connect(lambda *_: self._on_flow())
        self._build()
        self.refresh()

    # -- layout ------------------------------------------------------------------------------------
    def _build(self) -> None:
        self.folder_label = QLabel()
        self.folder_label.setWordWrap(True)
        self.folder_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.labels = QListWidget()
        self.labels.currentItemChanged.connect(lambda *_: self._fill_clips())
        self.clips = QListWidget()
        self.clips.itemDoubleClicked.connect(lambda *_: self.play_clip())
        self.seconds = QSpinBox()
        self.seconds.setRange(1, 10)
        self.seconds.setValue(3)
        self.seconds.setSuffix(" s")
        self.record_button = button("● Record", self.record, "3-2-1, then record the live view for the set seconds")
        self.train_button = button("Train", self.train, "train on every label with clips (the live view keeps running)")
        self.cancel_button = button("Cancel", self.cancel, "stop training; the model now live stays live")
        self.cancel_button.setEnabled(False)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.stage = QLabel("")
        self.plot = TrainingPlot()
        self.result = QLabel("")
        self.result.setWordWrap(True)
        self.live_model = QLabel("")
        self.live_model.setWordWrap(True)
        self.save_button = button("Save…", self.save_model, "copy the trained model to a folder of your choice")
        self.revert_button = button("Revert", self.revert, "go back to the model that was live before training")
        self.save_button.setEnabled(False)
        self.revert_button.setEnabled(False)

        def row(*widgets: QWidget) -> QHBoxLayout:
            layout = QHBoxLayout()
            for w in widgets:
                layout.addWidget(w)
            return layout

        box = QVBoxLayout(self)
        box.addWidget(QLabel("<b>Data folder</b>"))
        box.addLayout(row(self.folder_label, button("Open", self.open_folder, "show the folder")))
        box.addWidget(QLabel("<b>Labels</b> (clips)"))
        box.addWidget(self.labels, 2)
        box.addLayout(row(button("Add…", self.add_label), button("Rename…", self.rename_label),
                          button("Delete", self.delete_label)))
        box.addWidget(QLabel("<b>Clips</b> of the selected label"))
        box.addWidget(self.clips, 1)
        box.addLayout(row(button("Play", self.play_clip, "play the clip in the view (Back to live returns)"),
                          button("Back to live", self.back_to_live), button("Delete", self.delete_clip)))
        box.addLayout(row(self.seconds, self.record_button, button("Import…", self.import_folder,
                                                                    "copy in a folder of videos or of class folders")))
        box.addLayout(row(self.train_button, self.cancel_button))
        box.addWidget(self.progress)
        box.addWidget(self.stage)
        box.addWidget(self.plot)
        box.addWidget(self.result)
        box.addWidget(self.live_model)
        box.addLayout(row(self.save_button, self.revert_button))
        self.setMinimumWidth(280)

    # -- labels and clips ---------------------------------------------------------------------------
    def refresh(self) -> None:
        """Re-read the data folder into the lists (keeps the selection)."""
        self.folder_label.setText(str(self.store.root))
        current = self.current_label()
        self.labels.clear()
        for name, n in self.store.counts().items():
            item = QListWidgetItem(f"{name}  ({n} clip{'s' if n != 1 else ''})")
            item.setData(Qt.ItemDataRole.UserRole, name)
            self.labels.addItem(item)
            if name == current:
                self.labels.setCurrentItem(item)
        if self.labels.currentItem() is None and self.labels.count():
            self.labels.setCurrentRow(0)
        self._fill_clips()

    def current_label(self) -> str | None:
        item = self.labels.currentItem()
        return None if item is None else item.data(Qt.ItemDataRole.UserRole)

    def select_label(self, name: str) -> None:
        for i in range(self.labels.count()):
            if self.labels.item(i).data(Qt.ItemDataRole.UserRole) == name:
                self.labels.setCurrentRow(i)

    def _fill_clips(self) -> None:
        self.clips.clear()
        label = self.current_label()
        for path in self.store.clips(label) if label else []:
            item = QListWidgetItem(path.name)
            item.setData(Qt.ItemDataRole.UserRole, str(path))
            self.clips.addItem(item)

    def seconds_value(self) -> int:
        return self.seconds.value()

    def _say(self, text: str, error: bool = False) -> None:
        self.stage.setText(text)
        self.stage.setStyleSheet("color: #ff8a80;" if error else "")

    def add_label(self, name: str | None = None) -> str | None:
        if name is None:
            name, ok = QInputDialog.getText(self, "New label", "Name of the action:")
            if not ok:
                return None
        try:
            name = self.store.add_label(name)
        except (TeachError, OSError) as exc:
            self._say(str(exc), error=True)
            return None
        self.refresh()
        self.select_label(name)
        return name

    def rename_label(self, new: str | None = None) -> None:
        old = self.current_label()
        if old is None:
            return
        if new is None:
            new, ok = QInputDialog.getText(self, "Rename label", "New name:", text=old)
            if not ok:
                return
        try:
            new = self.store.rename_label(old, new)
        except (TeachError, OSError) as exc:
            self._say(str(exc), error=True)
            return
        self.refresh()
        self.select_label(new)

    def delete_label(self) -> None:
        label = self.current_label()
        if label is not None:
            self.store.delete_label(label)
            self.refresh()

    def delete_clip(self) -> None:
        item = self.clips.currentItem()
        if item is not None:
            self.store.delete_clip(Path(item.data(Qt.ItemDataRole.UserRole)))
            self.refresh()

    def play_clip(self) -> None:
        """Play the selected clip in the live view (the model runs on it too)."""
        item = self.clips.currentItem()
        if item is None:
            return
        if self._live_source is None:
            self._live_source = self.window.source
        self.window.start(item.data(Qt.ItemDataRole.UserRole), loop=True)

    def back_to_live(self) -> None:
        source = self._live_source
        if source is not None:
            self._live_source = None
            self.window.start(source)

    def open_folder(self) -> None:
        self.store.root.mkdir(parents=True, exist_ok=True)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.store.root)))

    def import_folder(self, folder: str | None = None) -> dict[str, int]:
        folder = folder or QFileDialog.getExistingDirectory(self, "Import clips: a folder of videos or of class folders")
        if not folder:
            return {}
        try:
            copied = self.store.import_folder(folder, self.current_label())
        except (TeachError, OSError) as exc:
            self._say(str(exc), error=True)
            return {}
        self.refresh()
        self._say("imported " + ", ".join(f"{n} into {label}" for label, n in copied.items()))
        return copied

    # -- recording (app.teachrecord) ----------------------------------------------------------------
    @property
    def busy_recording(self) -> bool:
        return self.flow.busy

    @property
    def pending(self) -> RecordedClip | None:
        """A clip with nobody in it, waiting for Keep / Discard."""
        return self.flow.pending

    @property
    def question(self) -> QMessageBox | None:
        return self.flow.question

    @property
    def countdown_ms(self) -> int:
        return self.flow.countdown_ms

    @countdown_ms.setter
    def countdown_ms(self, value: int) -> None:
        self.flow.countdown_ms = value

    def record(self) -> bool:
        """Start the 3-2-1 countdown for the selected label."""
        label = self.current_label()
        if label is None:
            self._say("add a label first, then record it", error=True)
            return False
        started = self.flow.start(label)
        self.record_button.setEnabled(not started)
        return started

    def resolve_pending(self, keep: bool) -> None:
        self.flow.resolve(keep)

    def source_changed(self) -> None:
        """The window started another source: a recording in progress is dropped."""
        self.flow.abort("the source changed")

    def _landmark_cache(self):  # noqa: ANN202 (SampledLandmarkCache | None)
        return landmark_cache(self.encoder or default_encoder("pose"), self.cache_dir)

    def _on_flow(self) -> None:
        """The recording flow changed something: the lists, and what may be pressed."""
        self.refresh()
        self.record_button.setEnabled(not self.flow.busy)
        self.train_button.setEnabled(self.worker is None and self.flow.pending is None)

    # -- training ------------------------------------------------------------------------------------
    def train(self) -> bool:
        """Train on every label with clips, in the background."""
        if self.worker is not None or self.flow.pending is not None:
            return False
        counts = self.store.counts()
        ready = [label for label, n in counts.items() if n > 0]
        if len(ready) < 2:
            self._say("record clips for at least two labels first (two clips each is better)", error=True)
            return False
        note = [label for label, n in counts.items() if n == 0]
        out = self.models_dir / time.strftime("%Y%m%d-%H%M%S")
        config = FewShotConfig(str(self.store.root), str(out), encoder=self.encoder, classes=tuple(ready),
                               device=self.window.device_name(), cache_dir=str(self.cache_dir))
        worker = self.worker = TrainWorker(config, self.window.device_name())
        worker.progress.connect(self._on_progress)
        worker.finished_ok.connect(self._on_trained)
        worker.cancelled.connect(self._on_cancelled)
        worker.failed.connect(self._on_failed)
        self.plot.clear()
        self.progress.setValue(0)
        self.result.setText("labels without clips, left out: " + ", ".join(note) if note else "")
        self.train_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self._say("starting…")
        self._started = time.perf_counter()
        worker.start()
        return True

    def cancel(self) -> None:
        if self.worker is not None:
            self.worker.cancel()
            self._say("cancelling…")

    def _on_progress(self, p: Progress) -> None:
        self.progress.setValue(round(100 * p.done))
        self._say(f"{p.stage}: {p.message}" if p.message else p.stage)
        if p.loss is not None:
            self.plot.add_loss(p.loss)
        if p.accuracy is not None:
            self.plot.add_accuracy(p.accuracy)

    def _finish_worker(self) -> None:
        worker, self.worker = self.worker, None
        if worker is not None:
            worker.wait(5000)
        self.train_button.setEnabled(self.flow.pending is None)
        self.cancel_button.setEnabled(False)

    def _on_trained(self, result: FewShotResult, engine) -> None:  # noqa: ANN001 (StreamingClassifier)
        self._finish_worker()
        seconds = time.perf_counter() - self._started
        self.trained = result
        self.result.setText(describe(result, seconds))
        self.progress.setValue(100)
        self._say("live: the new model is running")
        if self.previous_weights is None or self.window.weights != str(result.checkpoint):
            self.previous_weights = self.window.weights
        self.window.swap_model(str(result.checkpoint), engine)
        self.save_button.setEnabled(True)
        self.revert_button.setEnabled(True)

    def _on_cancelled(self) -> None:
        self._finish_worker()
        self._say("cancelled: the previous model is still live")

    def _on_failed(self, message: str) -> None:
        self._finish_worker()
        self._say(f"training failed: {message}", error=True)

    def model_changed(self, name: str) -> None:
        self.live_model.setText(f"live model: <b>{name}</b>")

    # -- keeping or dropping the result ----------------------------------------------------------------
    def revert(self) -> None:
        """Put the model that was live before training back (the source keeps running)."""
        if self.previous_weights is not None:
            self.window.swap_model(self.previous_weights)
            self.revert_button.setEnabled(False)
            self._say("reverted to the previous model")

    def save_model(self, target: str | Path | None = None) -> Path | None:
        """Copy the trained checkpoint to `target` (asks when None) and make it the app's model."""
        if self.trained is None:
            return None
        if target is None:
            target, _ = QFileDialog.getSaveFileName(self, "Save the model as a folder", str(Path.home() / "my-actions"))
            if not target:
                return None
        try:
            target = copy_checkpoint(self.trained.checkpoint, target)
        except (OSError, VisionError) as exc:
            self._say(f"could not save: {exc}", error=True)
            return None
        self.window.settings.setValue("weights", str(target))
        if self.window.weights == str(self.trained.checkpoint):
            self.window.weights = str(target)
        self._say(f"saved to {target}")
        return target

    def shutdown(self) -> None:
        """Stop training and recording (window closing)."""
        self.flow.abort("closing")
        if self.worker is not None:
            self.worker.cancel()
            self.worker.wait(10000)
            self.worker = None
