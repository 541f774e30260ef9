"""Export to ONNX / TorchScript (+ int8) and the export backends: parity with torch, bad dirs."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from vision.checkpoint import load_checkpoint, save_checkpoint
from vision.cli.classify import SHAPES_WEIGHTS
from vision.config import ClipConfig, ModelConfig
from vision.data.transforms import preprocess_frames
from vision.engine.batch import classify_video
from vision.engine.stream import StreamingClassifier
from vision.errors import CheckpointError
from vision.export.exporter import export_checkpoint
from vision.export.runtime import RUNTIME_OF_FORMAT, load_export
from vision.model import build_model
from vision.video.synth import ACTIONS, ClipSpec, random_appearance, render_clip

BACKEND = RUNTIME_OF_FORMAT  # export format -> the runtime that loads it


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, bool], Path]:
    root = tmp_path_factory.mktemp("exports")
    return {
        (fmt, q): export_checkpoint(SHAPES_WEIGHTS, root / f"{fmt}-{q}", fmt, q)
        for fmt in ("onnx", "torchscript") for q in (False, True)
    }


@pytest.fixture(scope="module")
def synth_clips() -> torch.Tensor:
    """A synthetic test set: 6 clips of each of the 9 actions, preprocessed (54, 16, 3, 112, 112)."""
    clip_config, clips = ClipConfig(), []
    for k, action in enumerate(ACTIONS):
        for j in range(6):
            rng = np.random.default_rng([77, k, j])
            frames = render_clip(action, random_appearance(rng, action in ("Wave", "Jump")), rng, ClipSpec(192, 144, 10.0, 16))
            clips.append(preprocess_frames(np.stack(frames), clip_config))
    return torch.stack(clips)


def logits(model, clips: torch.Tensor, mask: torch.Tensor | None = None) -> np.ndarray:
    with torch.no_grad():
        emb = model.encode_frames(clips).embeddings
        return model.classify_embeddings(emb, mask).logits.numpy()


@pytest.mark.parametrize("fmt", ["onnx", "torchscript"])
def test_fp32_export_matches_torch(exports, fmt: str) -> None:
    torch_model = load_checkpoint(SHAPES_WEIGHTS).model
    exported = load_export(exports[(fmt, False)], BACKEND[fmt]).model
    clips = torch.randn(3, 12, 3, 112, 112)  # another batch size and length than the example
    mask = torch.ones(3, 12, dtype=torch.bool)
    mask[2, 7:] = False
    assert np.abs(logits(exported, clips, mask) - logits(torch_model, clips, mask)).max() <= 1e-3
    with torch.no_grad():
        a = exported.encode_frames(clips[0]).attention_maps.numpy()
        b = torch_model.encode_frames(clips[0]).attention_maps.numpy()
    assert np.abs(a - b).max() <= 1e-4


def test_torchvision_backbone_exports_to_onnx_and_torchscript(tmp_path: Path) -> None:
    model = build_model(ModelConfig(num_classes=4, backbone="mobilenet_v3_small", lstm_hidden=32, embed_dim=64))
    ckpt = save_checkpoint(tmp_path / "mnv3", model, ClipConfig(frame_size=96), ["a", "b", "c", "d"])
    clips = torch.randn(2, 5, 3, 96, 96)
    expected = logits(load_checkpoint(ckpt).model, clips)
    for fmt in ("onnx", "torchscript"):
        exported = load_export(export_checkpoint(ckpt, tmp_path / fmt, fmt), BACKEND[fmt]).model
        assert np.abs(logits(exported, clips) - expected).max() <= 1e-3, fmt


@pytest.mark.parametrize("fmt", ["onnx", "torchscript"])
def test_int8_agrees_with_fp32_on_synthetic_clips(exports, synth_clips: torch.Tensor, fmt: str) -> None:
    fp32 = logits(load_checkpoint(SHAPES_WEIGHTS).model, synth_clips).argmax(1)
    int8 = logits(load_export(exports[(fmt, True)], BACKEND[fmt]).model, synth_clips).argmax(1)
    assert (fp32 == int8).mean() >= 0.98
    truth = np.repeat(np.arange(len(ACTIONS)), 6)
    assert (fp32 == truth).mean() >= 0.8  # the clips are a real test: the model knows them


def test_engines_run_on_the_onnx_backend(exports, tmp_path: Path) -> None:
    from vision.video.encode import write_video
    from vision.video.synth import render_sequence

    frames, _ = render_sequence(["MoveLeft", "Grow"], 2.0, np.random.default_rng(5), 320, 240, 25.0)
    video = write_video(tmp_path / "v.mp4", frames, 25.0)
    onnx_ckpt = load_export(exports[("onnx", False)])
    ours, ref = classify_video(onnx_ckpt, video), classify_video(load_checkpoint(SHAPES_WEIGHTS), video)
    assert [w.labels[0] for w in ours.windows] == [w.labels[0] for w in ref.windows]
    assert np.abs(ours.window_probs - ref.window_probs).max() <= 1e-3
    stream = StreamingClassifier(onnx_ckpt)
    preds = [p for i, f in enumerate(frames) if (p := stream.push(f, i / 25.0)) is not None]
    assert preds and preds[-1].heatmap.shape == ours.attention_maps.shape[1:]


def test_bad_export_dirs_give_one_line_errors(exports, tmp_path: Path) -> None:
    good = exports[("onnx", False)]
    with pytest.raises(CheckpointError, match="not an export directory"):
        load_export(SHAPES_WEIGHTS)
    with pytest.raises(CheckpointError, match="cannot run on the torchscript backend"):
        load_export(good, "torchscript")
    corrupt = Path(shutil.copytree(good, tmp_path / "corrupt"))
    data = bytearray((corrupt / "encoder.onnx").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (corrupt / "encoder.onnx").write_bytes(bytes(data))
    with pytest.raises(CheckpointError, match="checksum mismatch"):
        load_export(corrupt)
    mismatched = Path(shutil.copytree(good, tmp_path / "mismatched"))
    config = json.loads((mismatched / "config.json").read_text())
    config["model"]["num_classes"] = 5
    (mismatched / "config.json").write_text(json.dumps(config))
    (mismatched / "labels.json").write_text(json.dumps(list("abcde")))
    with pytest.raises(CheckpointError, match="9 classes"):
        load_export(mismatched)
    run = subprocess.run([sys.executable, "-m", "vision.cli.classify", str(SHAPES_WEIGHTS / "labels.json"),
                          "--backend", "onnxruntime", "--weights", str(corrupt)], capture_output=True, text=True)
    assert run.returncode == 1 and run.stderr.count("\n") == 1 and "checksum mismatch" in run.stderr
