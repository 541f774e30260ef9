"""`TrainWorker`: few-shot training in a QThread, and the new model loaded there too.

The worker only turns `vision.train.fewshot` into signals: `progress(Progress)` while it runs,
then exactly one of `finished(FewShotResult, StreamingClassifier)` (the engine is loaded and
ready for `LivePipeline.swap_model`, so the live view does not stall on it), `cancelled()` or
`failed(message)`. Cancelling is cooperative: the library checks between clips and steps, and
nothing is written, so the model that was live stays live.
"""
from __future__ import annotations

import threading

from PyQt6.QtCore import QThread, pyqtSignal

from vision.errors import VisionError
from vision.train.fewshot import (
    FewShotConfig,
    FewShotResult,
    Progress,
    TrainingCancelled,
    train_few_shot,
)


class TrainWorker(QThread):
    progress = pyqtSignal(object)  # Progress
    log = pyqtSignal(str)
    finished_ok = pyqtSignal(object, object)  # FewShotResult, StreamingClassifier
    cancelled = pyqtSignal()
    failed = pyqtSignal(str)

    def __init__(self, config: FewShotConfig, device: str = "cpu") -> None:
        super().__init__()
        self.config, self.device = config, device
        self._cancel = threading.Event()

    def cancel(self) -> None:
        """Ask training to stop at the next check (returns at once)."""
        self._cancel.set()

    def run(self) -> None:
        from vision.cli.classify import load_weights
        from vision.engine.stream import StreamingClassifier

        try:
            result = train_few_shot(self.config, progress=self._progress, cancelled=self._cancel.is_set,
                                    log=self.log.emit)
            if self._cancel.is_set():
                raise TrainingCancelled()
            engine = StreamingClassifier(load_weights(str(result.checkpoint), self.device))
        except TrainingCancelled:
            self.cancelled.emit()
            return
        except (VisionError, OSError, ValueError) as exc:
            self.failed.emit(" ".join(str(exc).split()))
            return
        except Exception as exc:  # noqa: BLE001 (a bug must not take the app down with it)
            self.failed.emit(f"training failed: {type(exc).__name__}: {exc}")
            return
        self.finished_ok.emit(result, engine)

    def _progress(self, p: Progress) -> None:
        self.progress.emit(p)


def describe(result: FewShotResult, seconds: float) -> str:
    """The panel's summary of a finished run (rich text): accuracy, a line per label, unknown, warnings."""
    held = "n/a (one clip per label)" if result.accuracy is None else f"{result.accuracy:.0%}"
    lines = [f"<b>held-out accuracy {held}</b> ({result.head} head, {result.input} encoder, {seconds:.1f} s)"]
    lines += [f"{name}: {right}/{total} held-out clips right" for name, (right, total) in result.per_class.items()]
    if result.rejection:
        lines.append(f"unknown: {result.rejection['false_accept']:.0%} false accepts on a left-out label")
    lines += [f"<span style='color:#ffb74d'>{w}</span>" for w in result.warnings]
    return "<br>".join(lines)
