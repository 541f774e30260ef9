"""The window's chrome: menu bar (File, View, Help), toolbar and status bar fields.

Built once for a `MainWindow`; the actions call the window's own methods, so this module holds
no behaviour of its own beyond the About box.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from PyQt6.QtCore import Qt
from PyQt6.QtGui import QAction, QKeySequence
from PyQt6.QtWidgets import QLabel, QMenu, QMessageBox

from vision.checkpoint import read_model_card
from vision.video.sources import available_cameras, redact

if TYPE_CHECKING:
    from app.window import MainWindow

STATUS_FIELDS = ("source", "state", "capture", "inference", "latency", "pose", "device", "model")


def _action(window: MainWindow, text: str, slot, shortcut: str | None = None, checkable: bool = False,  # noqa: ANN001
            tip: str = "") -> QAction:
    action = QAction(text, window)
    action.triggered.connect(slot)
    action.setCheckable(checkable)
    if shortcut:
        action.setShortcut(QKeySequence(shortcut))
    if tip:
        action.setStatusTip(tip)
    window.addAction(action)  # shortcuts work with the menu bar hidden, too
    return action


def build_chrome(window: MainWindow) -> None:
    """Menus, toolbar and status bar; the actions become attributes of `window`."""
    w = window
    w.open_file_action = _action(w, "Open video…", w.choose_file, "Ctrl+O", tip="play a video file")
    w.open_url_action = _action(w, "Open stream…", w.choose_url, "Ctrl+U", tip="an RTSP/HTTP stream")
    w.model_action = _action(w, "Open weights…", lambda: w.choose_model(), "Ctrl+W", tip="load another checkpoint")
    w.snapshot_action = _action(w, "Save snapshot", lambda: w.snapshot(), "S", tip="the annotated frame as PNG")
    w.record_action = _action(w, "Record", lambda checked: w.set_recording(checked), "R", checkable=True,
                              tip="record the annotated view to MP4")
    w.quit_action = _action(w, "Quit", w.close, "Ctrl+Q")
    w.pause_action = _action(w, "Pause", lambda checked: w.set_paused(checked), "Space", checkable=True)
    w.heatmap_action = _action(w, "Heatmap", lambda checked: w.heatmap_box.setChecked(checked), "H", checkable=True)
    w.skeleton_action = _action(w, "Skeleton", lambda checked: w.skeleton_box.setChecked(checked), "K", checkable=True)
    w.heatmap_box.toggled.connect(w.heatmap_action.setChecked)
    w.skeleton_box.toggled.connect(w.skeleton_action.setChecked)
    w.heatmap_action.setChecked(w.heatmap_box.isChecked())
    w.skeleton_action.setChecked(w.skeleton_box.isChecked())
    w.teach_action = w.teach_dock.toggleViewAction()
    w.teach_action.setText("Teach panel")
    w.teach_action.setShortcut(QKeySequence("T"))
    w.teach_action.setStatusTip("record and train your own actions")
    w.addAction(w.teach_action)
    about = _action(w, "About vision-app…", lambda: show_about(w), "F1")

    bar = w.menuBar()
    file = bar.addMenu("&File")
    file.addAction(w.open_file_action)
    w.source_menu = file.addMenu("Open camera")
    w.source_menu.aboutToShow.connect(lambda: fill_source_menu(w, w.source_menu))
    file.addAction(w.open_url_action)
    file.addSeparator()
    file.addAction(w.model_action)
    file.addAction(w.snapshot_action)
    file.addAction(w.record_action)
    file.addSeparator()
    file.addAction(w.quit_action)
    view = bar.addMenu("&View")
    for action in (w.heatmap_action, w.skeleton_action, w.teach_action, w.pause_action):
        view.addAction(action)
    bar.addMenu("&Help").addAction(about)

    tools = w.addToolBar("Main")
    tools.setObjectName("main-toolbar")
    tools.setMovable(False)
    tools.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    for action in (w.open_file_action, w.model_action, w.pause_action, w.snapshot_action, w.record_action,
                   w.teach_action):
        tools.addAction(action)

    w.status_fields = {name: QLabel() for name in STATUS_FIELDS}
    for name in STATUS_FIELDS:
        w.statusBar().addPermanentWidget(w.status_fields[name])
    fill_source_menu(w, w.source_menu)


def fill_source_menu(window: MainWindow, menu: QMenu) -> None:
    """Cameras found now, and the demo video."""
    from app.window import DEMO_VIDEO

    menu.clear()
    for index in available_cameras() or [0]:
        menu.addAction(f"Camera {index}", lambda i=index: window.start(i))
    if DEMO_VIDEO.is_file():
        menu.addSeparator()
        menu.addAction("Demo video", lambda: window.start(str(DEMO_VIDEO), loop=True))


def source_text(source: str | int) -> str:
    """The source as the status bar names it (no credentials, no long paths)."""
    if isinstance(source, int):
        return f"camera {source}"
    text = redact(source)
    return text if "://" in text else text.rsplit("/", 1)[-1]


def show_about(window: MainWindow) -> None:
    """About box with the model card of the model now live."""
    card = read_model_card(window.weights) or "(this checkpoint has no MODEL_CARD.md)"
    box = QMessageBox(window)
    box.setWindowTitle("About vision-app")
    box.setTextFormat(Qt.TextFormat.MarkdownText)
    box.setText(f"**vision-app** — CNN-LSTM-attention action recognition\n\n**Model:** `{window.weights}`\n\n{card}")
    box.open()
    window.about_box = box
