"""`TrainingPlot`: a small live plot of training loss and held-out accuracy (QPainter, no extra
dependency). Loss is scaled to its own maximum; accuracy is drawn on a fixed 0-100% scale."""
from __future__ import annotations

from PyQt6.QtCore import QPointF, QRectF, Qt
from PyQt6.QtGui import QColor, QPainter, QPainterPath, QPen
from PyQt6.QtWidgets import QSizePolicy, QWidget

from app.widgets import PANEL_COLOR, TEXT_COLOR

LOSS_COLOR = QColor(239, 108, 0)
ACC_COLOR = QColor(67, 160, 71)
GRID_COLOR = QColor(70, 70, 74)


class TrainingPlot(QWidget):
    """`add_loss(value)` and `add_accuracy(value)` append points; `clear()` starts over."""

    def __init__(self) -> None:
        super().__init__()
        self.losses: list[float] = []
        self.accuracies: list[float] = []
        self.setMinimumSize(220, 110)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setToolTip("orange: training loss of the head being fitted; green: held-out clip accuracy")

    def clear(self) -> None:
        self.losses, self.accuracies = [], []
        self.update()

    def add_loss(self, value: float) -> None:
        self.losses.append(float(value))
        self.update()

    def add_accuracy(self, value: float) -> None:
        self.accuracies.append(float(value))
        self.update()

    def _series(self, p: QPainter, area: QRectF, values: list[float], top: float, color: QColor) -> None:
        if not values:
            return
        n = max(len(values) - 1, 1)
        path = QPainterPath()
        for i, v in enumerate(values):
            point = QPointF(area.left() + area.width() * i / n, area.bottom() - area.height() * min(v / top, 1.0))
            path.moveTo(point) if i == 0 else path.lineTo(point)
        p.setPen(QPen(color, 2))
        p.drawPath(path)
        if len(values) == 1:
            p.drawEllipse(path.currentPosition(), 2.5, 2.5)

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt API)
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), PANEL_COLOR)
        area = QRectF(8, 20, self.width() - 16, self.height() - 28)
        p.setPen(GRID_COLOR)
        for f in (0.0, 0.5, 1.0):
            y = area.bottom() - area.height() * f
            p.drawLine(QPointF(area.left(), y), QPointF(area.right(), y))
        self._series(p, area, self.losses, max(self.losses, default=1.0) or 1.0, LOSS_COLOR)
        self._series(p, area, self.accuracies, 1.0, ACC_COLOR)
        p.setPen(LOSS_COLOR)
        loss = f"loss {self.losses[-1]:.3f}" if self.losses else "loss"
        p.drawText(QRectF(8, 2, self.width() / 2, 16), Qt.AlignmentFlag.AlignLeft, loss)
        p.setPen(ACC_COLOR if self.accuracies else TEXT_COLOR)
        acc = f"held-out {self.accuracies[-1]:.0%}" if self.accuracies else "held-out accuracy"
        p.drawText(QRectF(self.width() / 2, 2, self.width() / 2 - 8, 16), Qt.AlignmentFlag.AlignRight, acc)
        p.end()
