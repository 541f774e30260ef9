"""Teach mode in the real (offscreen) window: labels, recording from a file standing in for a
camera, background training, the hot swap into the running pipeline, and the bad inputs."""
from __future__ import annotations

import errno
from pathlib import Path

import numpy as np
import pytest
import torch
from PyQt6.QtCore import QSettings

from app.teachstore import TeachError, TeachStore
from app.window import MainWindow
from vision.checkpoint import save_checkpoint
from vision.config import ClipConfig, ModelConfig
from vision.model import build_model
from vision.video.encode import write_video
from vision.video.synth import render_sequence

WAIT_MS = 60000
ENCODER_LABELS = ["a", "b", "c"]


@pytest.fixture(scope="module")
def encoder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small pose checkpoint: the live model, and the frozen encoder teach mode builds on."""
    torch.manual_seed(0)
    model = build_model(ModelConfig(num_classes=3, input="pose", embed_dim=32, lstm_hidden=32))
    clip = ClipConfig(num_frames=8, frame_size=32, fps=10.0, stride=2)
    return save_checkpoint(tmp_path_factory.mktemp("enc") / "pose", model, clip, ENCODER_LABELS)


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A real photo of a person sliding right, the same sliding left, and a scene with nobody."""
    root = tmp_path_factory.mktemp("teach-sources")
    person = np.load(Path(__file__).parent / "data" / "pose_reference.npz")["landmarks_input_0"]
    canvas = np.zeros((256, 384, 3), np.uint8)

    def slide(step: int) -> list[np.ndarray]:
        frames = []
        for i in range(30):
            frame = canvas.copy()
            x = 64 + step * (i - 15)
            frame[:, x : x + 256] = person
            frames.append(frame)
        return frames

    empty, _ = render_sequence(["MoveLeft"], 2.0, np.random.default_rng(1), 320, 240, 15.0)
    return {"right": write_video(root / "right.mp4", slide(3), 15.0),
            "left": write_video(root / "left.mp4", slide(-3), 15.0),
            "empty": write_video(root / "empty.mp4", empty, 15.0)}


@pytest.fixture()
def window(qtbot, tmp_path: Path, encoder: Path, sources: dict[str, Path]):
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    settings.setValue("teach_dir", str(tmp_path / "teach"))
    settings.setValue("teach_encoder", str(encoder))
    w = MainWindow(str(sources["right"]), str(encoder), "cpu", settings, loop=True)
    qtbot.addWidget(w)
    w.show()
    w.teach_dock.show()
    w.teach.countdown_ms = 50
    w.teach.seconds.setValue(1)
    qtbot.waitUntil(lambda: w.update_ is not None, timeout=WAIT_MS)
    yield w
    w.close()


def record(qtbot, w: MainWindow, label: str) -> None:
    """Record one clip of `label` and wait until it is written (or refused)."""
    w.teach.select_label(label)
    before = len(w.teach.store.clips(label))
    assert w.teach.record()
    qtbot.waitUntil(lambda: not w.teach.busy_recording, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: len(w.teach.store.clips(label)) > before or w.teach.pending is not None
                    or "failed" in w.teach.stage.text(), timeout=WAIT_MS)


def test_teach_the_window_two_actions_and_see_them_live(qtbot, window: MainWindow, sources: dict[str, Path]) -> None:
    w, panel = window, window.teach
    assert panel.add_label("slide right") and panel.add_label("slide left")
    assert [panel.labels.item(i).text() for i in range(2)] == ["slide left  (0 clips)", "slide right  (0 clips)"]
    for _ in range(2):
        record(qtbot, w, "slide right")
    clips = panel.store.clips("slide right")
    assert len(clips) == 2 and all(c.suffix == ".mp4" and c.stat().st_size > 1000 for c in clips)
    w.start(str(sources["left"]), loop=True)  # the "camera" now shows the other action
    qtbot.waitUntil(lambda: w.update_ is not None, timeout=WAIT_MS)
    for _ in range(2):
        record(qtbot, w, "slide left")
    assert panel.store.counts() == {"slide left": 2, "slide right": 2}
    assert "slide left  (2 clips)" == panel.labels.item(0).text()

    pipeline, capture = w.pipeline, w.pipeline.capture
    w.threshold.spin.setValue(0.5)  # the user's threshold holds for the model trained here too
    assert panel.train()
    assert not panel.train_button.isEnabled() and panel.cancel_button.isEnabled()
    qtbot.waitUntil(lambda: w.model is not None and w.model.labels == ["slide left", "slide right"], timeout=WAIT_MS * 2)
    assert w.pipeline is pipeline and pipeline.capture is capture and capture.is_alive()  # hot swap, no restart
    qtbot.waitUntil(lambda: w.update_ is not None and w.update_.prediction is not None
                    and set(w.update_.prediction.labels) <= {"slide left", "slide right"}, timeout=WAIT_MS)
    assert {label for label, _ in w.bars.items} <= {"slide left", "slide right"}
    assert w.pipeline.engine.unknown_threshold == 0.5
    assert panel.progress.value() == 100 and "held-out accuracy" in panel.result.text()
    assert panel.plot.accuracies and "slide left" in panel.live_model.text() or "best" in panel.live_model.text()
    assert panel.train_button.isEnabled() and panel.save_button.isEnabled()

    saved = panel.save_model(w.teach.store.root.parent / "mine")
    assert (saved / "model.safetensors").is_file() and w.settings.value("weights") == str(saved)
    panel.revert()  # the model before training, on the same running source
    qtbot.waitUntil(lambda: w.model.labels == ENCODER_LABELS, timeout=WAIT_MS)
    assert w.pipeline is pipeline


def test_recording_with_nobody_in_view_keeps_the_clip_only_if_asked(qtbot, window: MainWindow,
                                                                    sources: dict[str, Path]) -> None:
    w, panel = window, window.teach
    panel.add_label("nothing")
    w.start(str(sources["empty"]), loop=True)
    qtbot.waitUntil(lambda: w.update_ is not None, timeout=WAIT_MS)
    record(qtbot, w, "nothing")
    assert panel.pending is not None and panel.question is not None and panel.pending.person < 0.5
    assert not panel.train_button.isEnabled()  # no training with an open question
    panel.resolve_pending(keep=False)
    assert panel.store.clips("nothing") == [] and "discarded" in panel.stage.text()
    record(qtbot, w, "nothing")
    panel.resolve_pending(keep=True)
    assert len(panel.store.clips("nothing")) == 1 and panel.train_button.isEnabled()


def test_disk_full_while_recording_leaves_no_half_file(qtbot, window: MainWindow, monkeypatch) -> None:
    from vision.video import encode

    w, panel = window, window.teach
    panel.add_label("wave")
    real_write = encode.VideoWriter.write
    written = []

    def full_disk(self, rgb):  # noqa: ANN001
        if len(written) >= 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        written.append(1)
        real_write(self, rgb)

    monkeypatch.setattr(encode.VideoWriter, "write", full_disk)
    record(qtbot, w, "wave")
    assert "No space left on device" in panel.stage.text() and "recording failed" in w.banner.text()
    assert list((panel.store.root / "wave").iterdir()) == []  # not even a hidden temporary file
    assert panel.record_button.isEnabled()


def test_cancel_mid_training_keeps_the_old_model_live(qtbot, window: MainWindow, encoder: Path) -> None:
    w, panel = window, window.teach
    for name in ("x", "y"):
        panel.add_label(name)
        for _ in range(2):
            record(qtbot, w, name)
    pipeline = w.pipeline
    assert panel.train()
    stages = []
    panel.worker.progress.connect(lambda p: (stages.append(p.stage), p.stage == "choosing a head" and panel.cancel()))
    qtbot.waitUntil(lambda: panel.worker is None, timeout=WAIT_MS)
    assert "choosing a head" in stages  # cancelled in the middle, not before it began
    assert "cancelled" in panel.stage.text() and w.model.labels == ENCODER_LABELS and w.weights == str(encoder)
    assert w.pipeline is pipeline and not list(panel.models_dir.glob("*/best"))
    assert panel.train_button.isEnabled() and not panel.cancel_button.isEnabled()


def test_training_needs_two_labels_with_clips(qtbot, window: MainWindow) -> None:
    panel = window.teach
    panel.add_label("alone")
    record(qtbot, window, "alone")
    panel.add_label("empty")
    assert not panel.train() and "at least two labels" in panel.stage.text()


def test_store_labels_and_import(tmp_path: Path, sources: dict[str, Path]) -> None:
    store = TeachStore(tmp_path / "teach")
    assert store.add_label("  Wave ") == "Wave"
    with pytest.raises(TeachError, match="already"):
        store.add_label("wave")
    with pytest.raises(TeachError, match="cannot be a label"):
        store.add_label("a/b")
    assert store.rename_label("Wave", "wave hand") == "wave hand"
    outside = tmp_path / "outside"
    (outside / "Jump").mkdir(parents=True)
    (outside / "Jump" / "j1.mp4").write_bytes(sources["right"].read_bytes())
    (outside / "Jump" / "broken.mp4").write_text("not a video")  # copied; training names and skips it
    assert store.import_folder(outside) == {"Jump": 2}
    flat = tmp_path / "flat"
    flat.mkdir()
    (flat / "v.mp4").write_bytes(sources["left"].read_bytes())
    with pytest.raises(TeachError, match="choose the label"):
        store.import_folder(flat)
    assert store.import_folder(flat, "wave hand") == {"wave hand": 1}
    assert store.counts() == {"Jump": 2, "wave hand": 1}
    store.delete_label("Jump")
    assert store.labels() == ["wave hand"]
