"""The hierarchical video head: model, overall label in batch mode, training it with vision-train."""
from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.torch import load_file

from vision.checkpoint import load_checkpoint, save_checkpoint
from vision.cli.train import main as train_main
from vision.config import ClipConfig, ModelConfig
from vision.engine.batch import classify_video
from vision.errors import CheckpointError, ConfigError, ExportError
from vision.model import build_model

LABELS = ["MoveLeft", "MoveRight", "NoAction"]
CLIP = ClipConfig(num_frames=6, frame_size=32, fps=10.0, stride=3)


def _model(video_head: bool = True) -> torch.nn.Module:
    torch.manual_seed(0)
    config = ModelConfig(num_classes=3, embed_dim=16, lstm_hidden=12, dropout=0.0, video_head=video_head, video_hidden=8)
    return build_model(config).eval()


def test_video_head_masks_padded_windows_exactly() -> None:
    model = _model()
    short, long = torch.randn(1, 2, 12), torch.randn(1, 5, 12)
    padded = torch.cat([short, 50 * torch.randn(1, 3, 12)], dim=1)
    mask = torch.tensor([[1, 1, 0, 0, 0], [1, 1, 1, 1, 1]], dtype=torch.bool)
    with torch.no_grad():
        out = model.classify_summaries(torch.cat([padded, long]), mask)
        torch.testing.assert_close(out.logits[0], model.classify_summaries(short).logits[0], rtol=0, atol=1e-5)
    assert out.logits.shape == (2, 3) and (out.temporal_weights[0, 2:] == 0).all()
    with pytest.raises(ValueError, match="no video head"):
        _model(video_head=False).classify_summaries(long)


def test_an_untrained_video_head_is_the_average_of_the_window_probabilities() -> None:
    model = _model()
    summaries, mask = torch.randn(2, 4, 12), torch.tensor([[1, 1, 1, 1], [1, 1, 0, 0]], dtype=torch.bool)
    with torch.no_grad():
        video = model.classify_summaries(summaries, mask).logits.softmax(1)
        windows = model.head(summaries).softmax(2)  # (2, 4, C): the window classifier on each summary
    torch.testing.assert_close(video[0], windows[0].mean(0))
    torch.testing.assert_close(video[1], windows[1, :2].mean(0))


@pytest.fixture(scope="module")
def window_ckpt(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A (random-weight) window model for the synth_root classes, as --init."""
    return save_checkpoint(tmp_path_factory.mktemp("init") / "window", _model(video_head=False), CLIP, LABELS)


def test_overall_label_comes_from_the_video_head_when_there_is_one(synth_root: Path, window_ckpt: Path, tmp_path: Path) -> None:
    video = sorted((synth_root / "MoveLeft").iterdir())[0]
    model = _model()
    model.load_state_dict(load_file(str(window_ckpt / "model.safetensors")), strict=False)
    with torch.no_grad():
        model.video.head[1].bias.copy_(torch.tensor([0.0, 0.0, 50.0]))  # a head that always says NoAction
    ckpt = load_checkpoint(save_checkpoint(tmp_path / "video", model, CLIP, LABELS))
    window_only = load_checkpoint(window_ckpt)
    hierarchical, averaged = classify_video(ckpt, video), classify_video(ckpt, video, overall="average")
    assert hierarchical.overall == "video" and hierarchical.top[0] == "NoAction" and hierarchical.top[1] > 0.99
    reference = classify_video(window_only, video)
    assert averaged.overall == reference.overall == "average"
    np.testing.assert_allclose(averaged.window_probs, reference.window_probs, atol=1e-6)  # windows untouched
    assert averaged.summary == reference.summary
    with pytest.raises(CheckpointError, match="no video head"):
        classify_video(window_only, video, overall="video")
    from vision.export.exporter import export_checkpoint

    with pytest.raises(ExportError, match="video head") as info:
        export_checkpoint(ckpt.path, tmp_path / "export", "onnx")
    assert "\n" not in str(info.value)


def test_vision_train_video_head_trains_only_the_head(synth_root: Path, window_ckpt: Path, tmp_path: Path) -> None:
    run = tmp_path / "run"
    args = [str(synth_root), "--out", str(run), "--cache-dir", str(tmp_path / "c"), "--quiet", "--video-head",
            "--init", str(window_ckpt), "--video-hidden", "8", "--epochs", "2", "--batch-size", "2",
            "--accumulate", "2", "--tbptt", "2", "--lr", "0.05"]
    assert train_main(args) == 0
    with (run / "metrics.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 2 and float(rows[1]["train_loss"]) > 0
    trained = load_checkpoint(run / "last")
    assert trained.model_config.video_head and trained.clip_config == CLIP  # the window model's clips
    before, after = load_file(str(window_ckpt / "model.safetensors")), load_file(str(run / "last" / "model.safetensors"))
    assert all(torch.equal(before[k], after[k]) for k in before)  # the window model stayed frozen
    fresh = _model().state_dict()
    assert any(not torch.equal(after[k], fresh[k]) for k in after if k.startswith("video."))  # the head learned
    result = classify_video(trained, sorted((synth_root / "NoAction").iterdir())[0])
    assert result.overall == "video"


def test_video_head_needs_an_init_checkpoint_of_the_same_classes(synth_root: Path, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="init"):
        from vision.train.config import TrainConfig

        TrainConfig(data_dir="d", out="o", video_head=True)
    other = save_checkpoint(tmp_path / "other", build_model(ModelConfig(num_classes=2, embed_dim=16, lstm_hidden=12)),
                            CLIP, ["a", "b"])
    assert train_main([str(synth_root), "--out", str(tmp_path / "r"), "--cache-dir", str(tmp_path / "c"), "--quiet",
                       "--video-head", "--init", str(other)]) == 1
