"""The desktop app in a real (offscreen) Qt window, on real encoded videos and the shipped model."""
from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest
from PyQt6.QtCore import QSettings, Qt

from app.window import DEMO_VIDEO, MainWindow
from vision.checkpoint import save_checkpoint
from vision.cli.classify import SHAPES_WEIGHTS
from vision.config import ClipConfig, ModelConfig
from vision.model import build_model
from vision.video.decode import probe, read_video
from vision.video.encode import write_video
from vision.video.synth import render_sequence

WAIT_MS = 20000


@pytest.fixture(scope="module")
def videos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Two short synthetic videos (320x240, 25 fps) and a file that is not a video."""
    root = tmp_path_factory.mktemp("app-videos")
    out = {}
    for name, actions in (("a", ["MoveLeft", "Grow"]), ("b", ["Wave"])):
        frames, _ = render_sequence(actions, 3.0, np.random.default_rng(len(name)), 320, 240, 25.0)
        out[name] = write_video(root / f"{name}.mp4", frames, 25.0)
    out["bad"] = root / "notes.mp4"
    out["bad"].write_text("not a video\n")
    return out


@pytest.fixture()
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture()
def window(qtbot, videos: dict[str, Path], settings: QSettings):
    w = MainWindow(str(videos["a"]), str(SHAPES_WEIGHTS), "cpu", settings, loop=True)  # a slow machine never runs out
    qtbot.addWidget(w)
    w.show()
    yield w
    w.close()


def wait_for_prediction(qtbot, w: MainWindow) -> None:
    qtbot.waitUntil(lambda: w.update_ is not None and w.update_.prediction is not None, timeout=WAIT_MS)


def pixels(w: MainWindow) -> np.ndarray:
    image = w.video.grab().toImage()
    ptr = image.constBits()
    ptr.setsize(image.sizeInBytes())
    return np.frombuffer(ptr, np.uint8).reshape(image.height(), image.bytesPerLine())[:, : image.width() * 4].copy()


def test_predictions_and_heatmap_appear(qtbot, window: MainWindow) -> None:
    wait_for_prediction(qtbot, window)
    pred = window.update_.prediction
    assert pred.heatmap.ndim == 2 and abs(pred.heatmap.sum() - 1) < 1e-3
    assert window.bars.items and window.bars.items[0][0] in pred.smoothed_labels
    assert len(window.strip.weights) == 16
    assert "tiny" in window.status_fields["model"].text()


def test_heatmap_toggle_opacity_and_colormap_change_the_picture(qtbot, window: MainWindow) -> None:
    wait_for_prediction(qtbot, window)
    window.set_paused(True)
    qtbot.wait(300)  # let an update already in flight land
    window.redraw()
    shown = pixels(window)
    qtbot.keyClick(window, Qt.Key.Key_H)  # shortcut: heatmap off
    assert not window.heatmap_box.isChecked()
    plain = pixels(window)
    assert np.abs(shown.astype(int) - plain).sum() > 0
    window.heatmap_box.setChecked(True)
    window.opacity.setValue(10)
    faint = pixels(window)
    window.opacity.setValue(90)
    strong = pixels(window)
    assert np.abs(strong.astype(int) - plain).sum() > np.abs(faint.astype(int) - plain).sum() > 0
    window.colormap.setCurrentText("viridis")
    assert np.abs(pixels(window).astype(int) - strong).sum() > 0


def test_space_pauses_and_resumes(qtbot, window: MainWindow) -> None:
    wait_for_prediction(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert window.paused
    frozen = window.update_.frame_index
    qtbot.wait(800)  # updates that were in flight are dropped: the shown frame is frozen at once
    assert window.update_.frame_index == frozen
    qtbot.keyClick(window, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: window.update_.frame_index > frozen, timeout=WAIT_MS)


def test_switching_source_and_model(qtbot, window: MainWindow, videos: dict[str, Path], tmp_path: Path) -> None:
    wait_for_prediction(qtbot, window)
    window.set_paused(True)
    window.start(str(videos["b"]))  # a new source plays even if the old one was paused
    assert not window.paused and not window.pause_action.isChecked()
    qtbot.waitUntil(lambda: window.pipeline.source == str(videos["b"]) and window.update_ is not None
                    and window.update_.prediction is not None, timeout=WAIT_MS)
    labels = ["Alpha", "Beta", "Gamma"]
    other = save_checkpoint(tmp_path / "other", build_model(ModelConfig(num_classes=3)), ClipConfig(), labels)
    assert window.choose_model(str(other))
    qtbot.waitUntil(lambda: window.model is not None and window.model.labels == labels, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: window.update_ is not None and window.update_.prediction is not None, timeout=WAIT_MS)
    assert {label for label, _ in window.bars.items} <= set(labels)


def test_invalid_model_and_unreadable_file_are_reported_and_the_app_keeps_running(
    qtbot, window: MainWindow, videos: dict[str, Path], tmp_path: Path
) -> None:
    wait_for_prediction(qtbot, window)
    (tmp_path / "broken").mkdir()
    assert not window.choose_model(str(tmp_path / "broken"))
    assert window.banner.isVisible() and "cannot use this model" in window.banner.text()
    before = window.update_.frame_index
    qtbot.waitUntil(lambda: window.update_.frame_index > before, timeout=WAIT_MS)  # still playing
    window.start(str(videos["bad"]))
    qtbot.waitUntil(lambda: window.banner.isVisible() and "notes.mp4" in window.banner.text(), timeout=WAIT_MS)
    window.start(str(videos["a"]))  # and a good source works again
    wait_for_prediction(qtbot, window)


def test_missing_camera_falls_back_to_the_demo(qtbot, settings: QSettings) -> None:
    w = MainWindow(57, str(SHAPES_WEIGHTS), "cpu", settings)  # no camera has index 57
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(lambda: w.pipeline is not None and w.pipeline.source == str(DEMO_VIDEO), timeout=WAIT_MS)
    assert "No camera found" in w.banner.text()
    wait_for_prediction(qtbot, w)
    assert "No camera found" in w.banner.text()
    w.close()


def test_snapshot_and_recording(qtbot, window: MainWindow, tmp_path: Path) -> None:
    wait_for_prediction(qtbot, window)
    shot = window.snapshot(tmp_path / "shot.png")
    assert shot and shot.stat().st_size > 1000
    out = window.set_recording(True, tmp_path / "rec.mp4")
    recorder = window.recorder
    qtbot.waitUntil(lambda: recorder.written > 20, timeout=WAIT_MS)  # a loaded machine shows fewer fps
    assert window.set_recording(False) == out
    frames, _ = read_video(out)
    assert recorder.dropped == 0
    assert abs(len(frames) - recorder.written) <= 2
    assert probe(out).width == window.update_.rgb.shape[1]


def test_settings_are_remembered_and_close_stops_every_thread(qtbot, videos: dict[str, Path], settings: QSettings) -> None:
    w = MainWindow(str(videos["a"]), str(SHAPES_WEIGHTS), "cpu", settings)
    qtbot.addWidget(w)
    w.show()
    wait_for_prediction(qtbot, w)
    w.opacity.setValue(73)
    w.colormap.setCurrentText("inferno")
    w.set_recording(True, Path(settings.fileName()).with_name("r.mp4"))
    qtbot.wait(300)
    pipeline = w.pipeline
    w.close()
    assert pipeline.isFinished() and pipeline.capture is not None and not pipeline.capture.is_alive()
    alive = [t.name for t in threading.enumerate()
             if t.is_alive() and t is not threading.main_thread() and not isinstance(t, threading._DummyThread)]
    assert not [name for name in alive if name.startswith(("capture", "recorder"))], alive
    again = MainWindow(str(videos["a"]), str(SHAPES_WEIGHTS), "cpu", settings)
    qtbot.addWidget(again)
    assert again.opacity.value() == 73 and again.colormap.currentText() == "inferno"
    again.close()


def test_command_line_source_and_loop() -> None:
    from app.main import build_parser, parse_source

    args = build_parser().parse_args(["--source", "2", "--loop"])
    assert parse_source(args.source) == 2 and args.loop
    assert parse_source("rtsp://cam/stream") == "rtsp://cam/stream" and parse_source(None) == 0
    assert not build_parser().parse_args([]).loop


def test_skeleton_toggle_draws_the_tracked_person(qtbot, settings: QSettings, tmp_path: Path) -> None:
    person = np.load(Path(__file__).parent / "data" / "pose_reference.npz")["landmarks_input_0"]
    video = write_video(tmp_path / "person.mp4", [np.roll(person, i, axis=1) for i in range(30)], 15.0)
    w = MainWindow(str(video), str(SHAPES_WEIGHTS), "cpu", settings, loop=True)
    qtbot.addWidget(w)
    w.show()
    wait_for_prediction(qtbot, w)
    assert w.update_.pose is None and w.status_fields["pose"].text() == ""
    qtbot.keyClick(w, Qt.Key.Key_K)  # skeleton on
    assert w.skeleton_box.isChecked()
    qtbot.waitUntil(lambda: w.update_ is not None and w.update_.pose is not None, timeout=WAIT_MS)
    assert w.update_.pose.score > 0.5 and "pose" in w.status_fields["pose"].text()
    w.set_paused(True)
    qtbot.wait(300)
    w.redraw()
    with_skeleton = pixels(w)
    w.skeleton_box.setChecked(False)  # the heatmap stays; only the limbs go
    assert w.heatmap_box.isChecked()
    assert np.abs(with_skeleton.astype(int) - pixels(w)).sum() > 0
    w.close()


def test_unknown_threshold_from_the_command_line_and_the_side_panel_reaches_the_live_engine(qtbot, videos: dict[str, Path],
                                                                         settings: QSettings) -> None:
    from app.main import build_parser

    assert build_parser().parse_args(["--unknown-threshold", "0.4"]).unknown_threshold == 0.4
    assert build_parser().parse_args([]).unknown_threshold is None
    w = MainWindow(str(videos["a"]), str(SHAPES_WEIGHTS), "cpu", settings, loop=True, unknown_threshold=0.99)
    qtbot.addWidget(w)
    w.show()
    wait_for_prediction(qtbot, w)
    assert w.pipeline.engine.unknown_threshold == 0.99
    prediction = w.update_.prediction
    assert (prediction.status == "unknown") == (prediction.smoothed_probs[0] < 0.99)
    if prediction.status:  # the panel says why, in its headline and its tooltip
        assert w.bars.reason == prediction.reason == f"top {prediction.smoothed_probs[0]:.2f} below the threshold 0.99"
        assert w.bars.toolTip() == f"unknown: {prediction.reason}"
    else:
        assert w.bars.reason == prediction.reason == "" and w.bars.toolTip() == ""
    # The side panel's control: it shows the override, "Model's" gives the model its own back,
    # an edit is live at once and outlives a change of source.
    control, own = w.threshold, w.model.unknown_threshold
    assert control.spin.value() == 0.99 and control.reset.isEnabled()
    control.reset.click()
    assert w.pipeline.engine.unknown_threshold == own and control.spin.value() == round(own, 2)
    assert not control.reset.isEnabled() and w.unknown_threshold is None
    control.spin.setValue(0.3)
    assert w.pipeline.engine.unknown_threshold == 0.3 and w.unknown_threshold == 0.3
    w.start(str(videos["b"]), loop=True)
    wait_for_prediction(qtbot, w)
    assert w.pipeline.engine.unknown_threshold == 0.3 and control.spin.value() == 0.3
    w.close()
