"""Pose models through the engines: streaming equals offline, `no person`, window restarts on a
new track, batch timelines, `vision-train --input pose` and `vision-eval` on landmark data."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from vision.checkpoint import load_checkpoint, save_checkpoint
from vision.config import ClipConfig, ModelConfig
from vision.engine.batch import classify_video
from vision.engine.posefront import NO_PERSON, UNKNOWN, pair_features, segments
from vision.engine.stream import StreamingClassifier
from vision.model import build_model
from vision.pose.features import FEATURE_DIM, PRESENT, sequence_features, upright
from vision.video.encode import write_video

DATA = Path(__file__).parent / "data"
LABELS = ["walk", "no_action", "wave_one_hand"]


@pytest.fixture(scope="module")
def person() -> np.ndarray:
    return np.load(DATA / "pose_reference.npz")["landmarks_input_0"]


@pytest.fixture(scope="module")
def pose_ckpt(tmp_path_factory: pytest.TempPathFactory):
    torch.manual_seed(0)
    model = build_model(ModelConfig(num_classes=3, input="pose", pose_features="fused"))
    path = save_checkpoint(tmp_path_factory.mktemp("ck") / "pose", model, ClipConfig(num_frames=6, fps=10.0), LABELS)
    return load_checkpoint(path)


def _frames(person: np.ndarray, n: int, empty: range = range(0)) -> list[np.ndarray]:
    blank = np.full_like(person, 70)
    return [blank if i in empty else np.roll(person, 2 * i, axis=1) for i in range(n)]


def test_pair_features_match_sequence_features() -> None:
    rng = np.random.default_rng(0)
    lms = rng.uniform(50, 200, (3, 33, 4)).astype(np.float32)
    lms[..., 3] = 1.0
    seq = sequence_features(lms)
    np.testing.assert_allclose(pair_features(lms[0], lms[1]), seq[1], atol=1e-6)
    assert pair_features(None, lms[1])[PRESENT + 1:].tolist() == [0, 0, 0]  # no motion without a previous frame
    assert not pair_features(lms[0], None).any()  # nobody: all zero


@pytest.fixture(scope="module")
def trajectory_ckpt(tmp_path_factory: pytest.TempPathFactory):
    torch.manual_seed(1)
    model = build_model(ModelConfig(num_classes=3, input="pose", pose_features="fused", pose_trajectory=True))
    path = save_checkpoint(tmp_path_factory.mktemp("ck") / "traj", model, ClipConfig(num_frames=6, fps=10.0), LABELS)
    return load_checkpoint(path)


@pytest.mark.parametrize("name", ["pose_ckpt", "trajectory_ckpt"])
def test_streaming_window_equals_offline_forward(name: str, person: np.ndarray, request: pytest.FixtureRequest) -> None:
    pose_ckpt = request.getfixturevalue(name)
    engine = StreamingClassifier(pose_ckpt, ema=0.0)
    preds = [engine.push(f, i / 10) for i, f in enumerate(_frames(person, 8))]
    last = [p for p in preds if p is not None][-1]
    # the same frames tracked the same way, offline
    from vision.engine.posefront import PoseStream
    from vision.pose.tracker import PoseTracker

    stream = PoseStream(PoseTracker(engine._pose_estimator))
    feats = []
    for i, f in enumerate(_frames(person, 8)):
        stream.observe(f, i / 10)
        feats.append(stream.sample()[0])
    x = torch.from_numpy(np.stack(feats[-6:]))[None]  # (1, T, F)
    with torch.no_grad():
        probs = torch.softmax(pose_ckpt.model(x).logits, 1)[0].numpy()
    np.testing.assert_allclose(last.all_probs, probs, atol=1e-4)
    assert last.pose is not None and last.status in ("", UNKNOWN)
    assert last.heatmap.shape[1] == 96 and last.heatmap.max() > 0  # over the frame, on the person


def test_no_person_and_restart_on_a_new_track(pose_ckpt, person: np.ndarray) -> None:
    engine = StreamingClassifier(pose_ckpt)
    frames = _frames(person, 20, empty=range(6, 13))
    preds = {i: engine.push(f, i / 10) for i, f in enumerate(frames)}
    assert preds[5] is not None and preds[5].status != NO_PERSON
    assert preds[11].status == NO_PERSON and preds[11].label == NO_PERSON
    assert preds[11].reason.startswith("a person in ") and preds[5].reason == ""
    # he comes back as a new track: the window restarts, so nothing until it fills again
    assert all(preds[i] is None for i in range(13, 18)) and preds[18] is not None
    assert preds[18].status != NO_PERSON and len(preds[18].temporal_weights) == 6


def test_segments_split_at_new_tracks_only() -> None:
    assert segments(np.array([1, 1, 0, 1, 2, 2, 0, 0, 3])) == [(0, 4), (4, 8), (8, 9)]
    assert segments(np.array([0, 0, 0])) == [(0, 3)]


def test_batch_timeline_with_nobody_and_a_person(pose_ckpt, person: np.ndarray, tmp_path: Path) -> None:
    empty = write_video(tmp_path / "empty.mp4", [np.full((120, 160, 3), 60, np.uint8)] * 20, fps=10)
    result = classify_video(pose_ckpt, empty)
    assert result.top == (NO_PERSON, 1.0) and all(w.label == NO_PERSON for w in result.windows)
    clip = write_video(tmp_path / "person.mp4", _frames(person, 12), fps=10)
    result = classify_video(pose_ckpt, clip)
    assert result.top[0] in LABELS and result.windows[0].label != NO_PERSON
    assert result.attention_maps.shape[0] == 12 and result.attention_maps.max() > 0
    short = write_video(tmp_path / "short.mp4", _frames(person, 3), fps=10)  # shorter than one window
    assert len(classify_video(pose_ckpt, short).windows) == 1


def test_train_and_eval_on_landmark_data(tmp_path: Path) -> None:
    from vision.cli.eval import main as eval_main
    from vision.cli.synth import main as synth_main
    from vision.cli.train import main as train_main

    data = tmp_path / "data"
    assert synth_main([str(data), "--pose", "--classes", "squat", "walk", "--clips-per-class", "6",
                       "--seed", "2", "--quiet"]) == 0
    run = tmp_path / "run"
    assert train_main([str(data), "--out", str(run), "--input", "pose", "--epochs", "1", "--batch-size", "4",
                       "--frames", "8", "--quiet"]) == 0
    ckpt = load_checkpoint(run / "best")
    assert ckpt.model_config.input == "pose" and ckpt.labels == ["squat", "walk"]
    assert eval_main([str(run / "best"), str(data), "--quiet", "--out", str(tmp_path / "eval")]) == 0
    assert FEATURE_DIM == ckpt.model.pose.coords[0].in_features


def test_calibrated_threshold_makes_unsure_windows_unknown(pose_ckpt, person: np.ndarray, tmp_path: Path) -> None:
    from vision.train.calibrate import choose_threshold, write_extra

    chosen = choose_threshold(np.array([0.9, 0.8, 0.95, 0.7]), np.array([0.5, 0.85, 0.3]), accept=0.75)
    assert chosen["unknown_threshold"] == pytest.approx(0.775)
    assert chosen["known_accepted"] == 0.75 and chosen["other_false_accept"] == pytest.approx(1 / 3, abs=1e-3)
    path = save_checkpoint(tmp_path / "cal", pose_ckpt.model, pose_ckpt.clip_config, LABELS)
    write_extra(path, {"unknown_threshold": 0.99})  # an untrained 3-class model is never that sure
    clip = write_video(tmp_path / "person.mp4", _frames(person, 12), fps=10)
    result = classify_video(load_checkpoint(path), clip)
    assert all(w.label == UNKNOWN for w in result.windows)
    assert all(w.reason == f"top {w.probs[0]:.2f} below the threshold 0.99" for w in result.windows)
    assert result.to_json()["timeline"][0]["reason"] == result.windows[0].reason
    assert load_checkpoint(path).labels == LABELS  # the checkpoint still loads as before


def test_two_people_crossing_get_a_clear_answer(pose_ckpt, person: np.ndarray, tmp_path: Path) -> None:
    """One person stands at the left; a second walks in from the right, across and in front of him
    (windows restart on a new track: test_no_person_and_restart_on_a_new_track)."""
    frames = []
    for i in range(30):
        canvas = np.full((256, 768, 3), 70, np.uint8)
        canvas[:, :256] = person
        x = 512 - 24 * i  # the second person, pasted over the first where they meet
        lo, hi = max(0, x), min(768, x + 256)
        if hi > lo:
            canvas[:, lo:hi] = person[:, lo - x:hi - x]
        frames.append(canvas)
    allowed = set(LABELS) | {NO_PERSON, UNKNOWN}
    engine = StreamingClassifier(pose_ckpt)
    preds = [p for i, f in enumerate(frames) if (p := engine.push(f, i / 10)) is not None]
    assert preds and all(p.label in allowed for p in preds)
    result = classify_video(pose_ckpt, write_video(tmp_path / "two.mp4", frames, fps=10))
    assert result.windows and all(w.label in allowed for w in result.windows)
    assert result.top[0] in allowed


def test_upright_reads_the_torso_angle_from_the_features() -> None:
    lms = np.zeros((1, 33, 4), np.float32)
    lms[..., 3] = 1.0
    lms[0, [11, 12], :2] = [[90, 100], [110, 100]]  # shoulders above the hips (y down)
    lms[0, [23, 24], :2] = [[92, 160], [108, 160]]
    lms[0, [27, 28], :2] = [[92, 260], [108, 260]]

    def tilted(degrees: float) -> np.ndarray:
        a = np.radians(degrees)
        rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
        out = lms.copy()
        out[..., :2] = (lms[..., :2] - 160) @ rot.T + 160
        return sequence_features(out)
    assert [bool(upright(tilted(d))[0]) for d in (0, 45, 65, -65)] == [True] * 4  # standing, bending
    assert [bool(upright(tilted(d))[0]) for d in (80, 90, 180, -90)] == [False] * 4  # lying, upside down
    assert upright(np.zeros((2, FEATURE_DIM), np.float32)).all()  # nobody: not "not upright"


def test_a_person_lying_down_is_unknown_to_upright_only_models(pose_ckpt, person: np.ndarray, tmp_path: Path) -> None:
    """A model trained only on upright people (`upright_only`, as the shipped one) says `unknown`
    for a body across the view (a person lying down, or an arm taken for a person), in the
    stream and in batch, whatever its classes say; other models (a taught `lie down`) still answer."""
    from vision.train.calibrate import write_extra

    path = save_checkpoint(tmp_path / "upright", pose_ckpt.model, pose_ckpt.clip_config, LABELS)
    write_extra(path, {"upright_only": True})
    upright_only = load_checkpoint(path)
    lying = [np.ascontiguousarray(np.rot90(f)) for f in _frames(person, 8)]
    video = write_video(tmp_path / "lying.mp4", lying, fps=10)
    engine = StreamingClassifier(upright_only, ema=0.0)
    preds = [p for i, f in enumerate(lying) if (p := engine.push(f, i / 10)) is not None]
    assert preds and all(p.status == UNKNOWN and p.pose is not None for p in preds)
    assert all(p.reason == "not upright in most frames" for p in preds)
    result = classify_video(upright_only, video)
    assert result.windows and all(w.label == UNKNOWN and w.reason == preds[0].reason for w in result.windows)
    n = len(result.windows)
    assert result.top[0] == UNKNOWN and result.reason == f"{n} of {n} windows with a person"
    assert result.to_json()["label"] == UNKNOWN
    standing = classify_video(upright_only, write_video(tmp_path / "standing.mp4", _frames(person, 8), fps=10))
    assert all(w.status == "" for w in standing.windows)
    assert standing.top[0] in LABELS and standing.reason == ""
    assert all(w.status == "" for w in classify_video(pose_ckpt, video).windows)  # not upright-only: a class
    engine = StreamingClassifier(pose_ckpt, ema=0.0)
    assert all(p.status == "" for i, f in enumerate(lying) if (p := engine.push(f, i / 10)) is not None)
