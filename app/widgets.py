"""Widgets of the main window: the painted ones (the video, the top-k bars, the temporal-attention
strip), the unknown-threshold control, and a button helper."""
from __future__ import annotations

import numpy as np
from PyQt6.QtCore import QRectF, Qt, pyqtSignal
from PyQt6.QtGui import QColor, QImage, QPainter
from PyQt6.QtWidgets import QDoubleSpinBox, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QWidget

BAR_COLOR = QColor(66, 133, 244)
TEXT_COLOR = QColor(235, 235, 235)
PANEL_COLOR = QColor(32, 33, 36)
STATUS_COLOR = QColor(120, 96, 20)
OVERLAY_COLOR = QColor(255, 82, 82)


def button(text: str, slot, tip: str = "") -> QPushButton:  # noqa: ANN001 (any callable)
    """A push button that calls `slot()` (without Qt's `checked` argument) when clicked."""
    widget = QPushButton(text)
    widget.clicked.connect(lambda *_: slot())
    widget.setToolTip(tip)
    return widget


def to_qimage(rgb: np.ndarray) -> QImage:
    """A QImage owning a copy of an RGB (H, W, 3) uint8 frame."""
    rgb = np.ascontiguousarray(rgb)
    h, w, _ = rgb.shape
    return QImage(rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()


class ThresholdControl(QWidget):
    """"Unknown below [0.47] [Model's]": the top probability under which a prediction says
    "unknown" (0: never). Shows the loaded model's own value until the user sets one; `changed`
    carries the user's value, or None after "Model's" (each model's own again)."""

    changed = pyqtSignal(object)

    def __init__(self, override: float | None = None) -> None:
        super().__init__()
        self.override, self.model_value = override, 0.0
        self.spin = QDoubleSpinBox()
        self.spin.setRange(0.0, 0.99)
        self.spin.setSingleStep(0.05)
        self.spin.setDecimals(2)
        self.spin.setToolTip('A prediction whose top probability is below this says "unknown"; 0: never')
        self.spin.setValue(override or 0.0)
        self.spin.valueChanged.connect(self._on_edit)
        self.reset = button("Model's", lambda: self.set_override(None), "Go back to the model's calibrated threshold")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel("Unknown below"))
        row.addWidget(self.spin)
        row.addWidget(self.reset)
        self._sync()

    def show_model(self, value: float) -> None:
        """The loaded model's own threshold (shown while the user has not set one)."""
        self.model_value = value
        self._sync()

    def set_override(self, value: float | None) -> None:
        """Use `value` for every model from now on (None: each model's own)."""
        self.override = value
        self._sync()
        self.changed.emit(value)

    def _on_edit(self, value: float) -> None:
        if value != (self.model_value if self.override is None else self.override):
            self.set_override(round(value, 2))

    def _sync(self) -> None:
        self.spin.blockSignals(True)
        self.spin.setValue(self.model_value if self.override is None else self.override)
        self.spin.blockSignals(False)
        self.reset.setEnabled(self.override is not None)


class VideoView(QWidget):
    """Shows the current frame scaled to fit (aspect kept), or a centred message."""

    def __init__(self) -> None:
        super().__init__()
        self.setMinimumSize(320, 240)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._image: QImage | None = None
        self._message = "starting…"
        self._overlay = ""

    def set_frame(self, rgb: np.ndarray) -> None:
        self._image, self._message = to_qimage(rgb), ""
        self.update()

    def set_message(self, text: str) -> None:
        """Text shown instead of (or, once a frame exists, over) the video."""
        self._message = text
        self.update()

    def set_overlay(self, text: str) -> None:
        """Large text over the picture that frames do not clear (teach mode's 3-2-1 and REC)."""
        self._overlay = text
        self.update()

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt API)
        p = QPainter(self)
        p.fillRect(self.rect(), Qt.GlobalColor.black)
        if self._image is not None:
            scaled = self._image.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
            x, y = (self.width() - scaled.width()) // 2, (self.height() - scaled.height()) // 2
            p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            p.drawImage(QRectF(x, y, scaled.width(), scaled.height()), self._image)
        if self._overlay:
            font = p.font()
            big = len(self._overlay) <= 2  # a countdown digit
            font.setPointSizeF(font.pointSizeF() * (6 if big else 1.6))
            font.setBold(True)
            p.setFont(font)
            p.setPen(OVERLAY_COLOR)
            where = Qt.AlignmentFlag.AlignCenter if big else Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft
            p.drawText(self.rect().adjusted(16, 12, -16, -12), where, self._overlay)
            p.setFont(self.font())
        if self._message:
            p.setPen(TEXT_COLOR)
            p.drawText(self.rect().adjusted(20, 20, -20, -20), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self._message)
        p.end()


class PredictionBars(QWidget):
    """Top-k labels as horizontal probability bars; a status ("no person", "unknown") takes the
    first row, with its reason in smaller type on the right (and in the tooltip), and the bars
    below it are dimmed."""

    def __init__(self, k: int = 5) -> None:
        super().__init__()
        self.k = k
        self.items: list[tuple[str, float]] = []
        self.status = ""
        self.reason = ""
        self.setMinimumSize(260, 28 * k + 8)

    def set_items(self, items: list[tuple[str, float]], status: str = "", reason: str = "") -> None:
        self.status, self.reason = status, reason if status else ""
        self.items = items[: self.k - (1 if status else 0)]
        self.setToolTip(f"{status}: {reason}" if status and reason else "")
        self.update()

    def paintEvent(self, event) -> None:  # noqa: N802
        p = QPainter(self)
        p.fillRect(self.rect(), PANEL_COLOR)
        row = (self.height() - 8) / self.k
        if self.status:
            p.fillRect(QRectF(6, 7, self.width() - 12, row - 6), STATUS_COLOR)
            p.setPen(TEXT_COLOR)
            head = QRectF(12, 4, self.width() - 24, row)
            p.drawText(head, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, self.status)
            if self.reason:
                self._draw_reason(p, head.adjusted(p.fontMetrics().horizontalAdvance(self.status) + 10, 0, 0, 0))
        for i, (label, prob) in enumerate(self.items, start=1 if self.status else 0):
            top = 4 + i * row
            bar = QRectF(6, top + 3, (self.width() - 12) * max(0.0, min(1.0, prob)), row - 6)
            color = BAR_COLOR if i == 0 else BAR_COLOR.darker(160)
            p.fillRect(bar, color.darker(200) if self.status else color)
            p.setPen(TEXT_COLOR)
            text_rect = QRectF(12, top, self.width() - 24, row)
            p.drawText(text_rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, label)
            p.drawText(text_rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, f"{prob:.2f}")
        p.end()

    def _draw_reason(self, p: QPainter, rect: QRectF) -> None:
        """The status's reason, smaller and dimmer, right-aligned in `rect` (elided to fit)."""
        font = p.font()
        font.setPointSizeF(font.pointSizeF() * 0.85)
        p.setFont(font)
        p.setPen(TEXT_COLOR.darker(130))
        text = p.fontMetrics().elidedText(self.reason, Qt.TextElideMode.ElideRight, int(rect.width()))
        p.drawText(rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, text)
        p.setFont(self.font())


class TemporalStrip(QWidget):
    """One cell per frame of the window (oldest left); brightness = temporal attention weight."""

    def __init__(self) -> None:
        super().__init__()
        self.weights = np.zeros(0)
        self.setMinimumSize(260, 34)
        self.setToolTip("temporal attention over the last T sampled frames (newest on the right)")

    def set_weights(self, weights: np.ndarray) -> None:
        self.weights = np.asarray(weights, np.float32)
        self.update()

    def paintEvent(self, event) -> None:  # noqa: N802
        p = QPainter(self)
        p.fillRect(self.rect(), PANEL_COLOR)
        n = len(self.weights)
        if n:
            peak = float(self.weights.max()) or 1.0
            cell = (self.width() - 8) / n
            for i, w in enumerate(self.weights):
                level = float(w) / peak
                color = QColor(int(40 + 215 * level), int(40 + 120 * level), 40)
                p.fillRect(QRectF(4 + i * cell + 1, 4, cell - 2, self.height() - 8), color)
        p.end()
