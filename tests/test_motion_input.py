"""Motion input (frame differences beside or instead of RGB): one definition through training data,
evaluation, batch, streaming and export."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from vision.checkpoint import load_checkpoint, save_checkpoint
from vision.config import ClipConfig, ModelConfig
from vision.data.cache import DecodeParams, FrameCache
from vision.data.clips import ClipDataset, dense_windows
from vision.data.motion import consecutive_motion, frame_channels, model_inputs, stack_motion
from vision.data.transforms import preprocess_frames
from vision.data.ucf import VideoItem
from vision.engine.batch import classify_video
from vision.engine.stream import StreamingClassifier
from vision.engine.windows import classify_windows, encode_video
from vision.errors import ConfigError
from vision.model import build_model
from vision.train.evaluate import video_probs
from vision.video.decode import iter_frames
from vision.video.encode import write_video

CLIP = ClipConfig(num_frames=5, frame_size=32, fps=10, stride=2)
FLOW_CLIP = ClipConfig(num_frames=5, frame_size=64, fps=10, stride=2)  # flow as the small-data recipe sees it


def _frames(n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.integers(0, 255, (n, 32, 32, 3), dtype=np.uint8)


def _checkpoint(root: Path, input: str):
    torch.manual_seed(0)
    model = build_model(ModelConfig(num_classes=3, embed_dim=16, lstm_hidden=16, input=input))
    return load_checkpoint(save_checkpoint(root / "m", model, CLIP, ["a", "b", "c"]))


@pytest.fixture(scope="module", params=["rgb+motion", "flow"])
def ckpt(request, tmp_path_factory: pytest.TempPathFactory):
    return _checkpoint(tmp_path_factory.mktemp("w"), request.param)


def test_differences_follow_the_frame_order() -> None:
    x = torch.arange(4.0).view(4, 1, 1, 1).expand(4, 3, 2, 2)  # frame i is all i
    both = consecutive_motion(x, "rgb+motion", CLIP)
    assert both.shape == (4, 6, 2, 2) and frame_channels("rgb+motion") == 6 and frame_channels("motion") == 3
    assert torch.equal(both[:, :3], x) and frame_channels("rgb+flow") == 5 and frame_channels("flow") == 2
    assert both[0, 3:].abs().max() == 0 and torch.all(both[1:, 3:] == 1)  # first frame: no predecessor
    before = torch.full((3, 2, 2), -2.0)
    assert torch.all(consecutive_motion(x, "motion", CLIP, before)[0] == 2)
    assert consecutive_motion(x, "rgb", CLIP) is x and stack_motion(x, x, "rgb", CLIP) is x


@pytest.mark.parametrize("object_value, background", [(230, 20), (20, 230)])
def test_flow_points_the_way_things_move_whatever_their_contrast(object_value: int, background: int) -> None:
    frames = np.full((3, 64, 64, 3), background, np.uint8)
    for i, frame in enumerate(frames):
        frame[20:32, 16 + 2 * i : 28 + 2 * i] = object_value  # 2 px right per frame
    flow = model_inputs(frames, FLOW_CLIP, "flow")  # (3, 2, 64, 64)
    moving = flow[1:, 0, 20:32, 16:30]
    assert flow.shape == (3, 2, 64, 64) and flow[0].abs().max() == 0
    assert moving.mean() > 0.5 * 2 and flow[1:, 1].abs().mean() < 0.2  # x: ~2 px of a 64-px frame


def test_flow_is_relative_to_the_camera() -> None:
    """A textured scene shaken or panned by the camera reads (nearly) zero; an object moving over it
    reads its own motion, not the pan's."""
    rng = np.random.default_rng(0)
    texture = np.kron(rng.integers(0, 2, (20, 20)) * 120 + 60, np.ones((4, 4))).astype(np.uint8)  # 80 x 80 checks
    pan = np.stack([np.repeat(texture[8:72, 2 * i : 64 + 2 * i, None], 3, axis=2) for i in range(3)])
    still = model_inputs(pan, FLOW_CLIP, "flow")  # the whole picture moves 2 px left per frame
    assert still[1:].abs().mean() < 0.3
    moving = pan.copy()
    patch = np.kron(rng.integers(0, 2, (4, 4)) * 200 + 40, np.ones((4, 4))).astype(np.uint8)[..., None]  # 16 x 16
    for i, frame in enumerate(moving):
        frame[20:36, 16 + 3 * i : 32 + 3 * i] = patch  # 3 px right per frame in the picture, 5 px against the scene
    flow = model_inputs(moving, FLOW_CLIP, "flow")
    assert flow[1:, 0, 22:34, 21:33].mean() > 0.5 * 5  # x: to the right, relative to the scene


def test_motion_models_take_their_channels_and_old_configs_stay_rgb() -> None:
    assert ModelConfig(num_classes=2).input == "rgb"  # the default every earlier checkpoint was written with
    model = build_model(ModelConfig(num_classes=2, embed_dim=8, lstm_hidden=8, input="rgb+motion"))
    assert model(torch.randn(2, 3, 6, 32, 32)).logits.shape == (2, 2)
    with pytest.raises(ConfigError, match="tiny"):
        ModelConfig(num_classes=2, input="rgb+motion", backbone="resnet18")


def test_training_clips_carry_the_difference_from_the_frame_before(tmp_path: Path) -> None:
    frames = _frames(12)
    video = write_video(tmp_path / "v.avi", list(frames), fps=10)
    cache = FrameCache(tmp_path / "cache", DecodeParams(10, 32))
    decoded = np.asarray(cache.load(video).frames)
    item = VideoItem(video, 0, "g")
    clip, mask, _ = ClipDataset([item], CLIP, cache, "center", input="rgb+motion")[0]
    start = (len(decoded) - 5) // 2
    x = preprocess_frames(decoded[start - 1 : start + 5], CLIP)
    assert clip.shape == (5, 6, 32, 32) and mask.all()
    torch.testing.assert_close(clip[:, 3:], x[1:] - x[:-1])  # the first one too: from the frame before the clip


def test_encoding_in_chunks_equals_one_pass(ckpt) -> None:
    frames = _frames(11)
    whole = encode_video(ckpt.model, frames, CLIP, batch_size=64).embeddings
    chunks = encode_video(ckpt.model, frames, CLIP, batch_size=3).embeddings
    torch.testing.assert_close(chunks, whole, atol=1e-5, rtol=0)
    tail = encode_video(ckpt.model, frames[4:], CLIP, before=frames[3]).embeddings
    torch.testing.assert_close(tail, whole[4:], atol=1e-5, rtol=0)


def test_streaming_equals_offline_on_the_same_frames(ckpt) -> None:
    frames = _frames(9, seed=1)
    engine = StreamingClassifier(ckpt, ema=0.0, sample_fps=None)
    preds = [engine.push(f, i / 10) for i, f in enumerate(frames)]
    emb = encode_video(ckpt.model, frames, CLIP).embeddings
    logits = classify_windows(ckpt.model, emb, [np.arange(4, 9)]).logits
    np.testing.assert_allclose(preds[-1].all_probs, torch.softmax(logits, 1)[0].numpy(), atol=1e-5)
    x = model_inputs(frames, CLIP, ckpt.model_config.input)[None]  # the same through forward()
    with torch.no_grad():
        out = ckpt.model(x[:, 4:])
    np.testing.assert_allclose(preds[-1].heatmap, out.attention_maps[0, -1].numpy(), atol=1e-5)


def test_evaluation_and_batch_read_each_frames_predecessor(ckpt, tmp_path: Path) -> None:
    frames = _frames(14, seed=2)
    emb = encode_video(ckpt.model, frames, CLIP).embeddings
    centre = np.arange(4, 9)
    expected = torch.softmax(classify_windows(ckpt.model, emb, [centre]).logits, 1)[0].numpy()
    np.testing.assert_allclose(video_probs(ckpt, frames, clips=1), expected, atol=1e-5)
    video = write_video(tmp_path / "v.mp4", list(frames), fps=10)
    result = classify_video(ckpt, video, batch_size=4)  # chunks of 4: predecessors across chunk ends
    decoded = np.stack([f.rgb for f in iter_frames(video, fps=10, size=(32, 32))])
    emb = encode_video(ckpt.model, decoded, CLIP).embeddings  # one pass over the same frames
    windows = dense_windows(len(decoded), CLIP.num_frames, CLIP.stride)
    offline = torch.softmax(classify_windows(ckpt.model, emb, windows).logits, 1).numpy()
    assert result.frames == 14 and len(windows) >= 4
    np.testing.assert_allclose(result.window_probs, offline, atol=1e-5)


def test_onnx_export_runs_motion_models_with_parity(tmp_path: Path) -> None:
    pytest.importorskip("onnxruntime")
    from vision.export.exporter import export_checkpoint
    from vision.export.runtime import load_export

    ckpt = _checkpoint(tmp_path, "flow")  # the small-data recipe's input: 2 channels, flow computed outside the graph

    exported = load_export(export_checkpoint(ckpt.path, tmp_path / "onnx", "onnx"), "onnxruntime")
    frames = _frames(8, seed=3)
    a = encode_video(exported.model, frames, CLIP).embeddings
    b = encode_video(ckpt.model, frames, CLIP).embeddings
    assert (a - b).abs().max() <= 1e-4
    engine = StreamingClassifier(exported, ema=0.0, sample_fps=None)
    preds = [engine.push(f, i / 10) for i, f in enumerate(frames)]
    expected = torch.softmax(classify_windows(ckpt.model, b, [np.arange(3, 8)]).logits, 1)[0].numpy()
    np.testing.assert_allclose(preds[-1].all_probs, expected, atol=1e-4)
