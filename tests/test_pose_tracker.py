"""PoseTracker end to end: real people, nobody, tracking, several streams, bad frames, and the
landmarks against MediaPipe's own pipeline on a real video."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from vision.pose.estimator import PoseEstimator
from vision.pose.runtime import onnxruntime_available
from vision.pose.skeleton import LANDMARK_NAMES
from vision.pose.tracker import PoseTracker, track_batch

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def estimator() -> PoseEstimator:
    return PoseEstimator("cpu")


@pytest.fixture(scope="module")
def person() -> np.ndarray:
    """A real photo of a man standing in a living room, 256x256 (stream-pose-ml's example video, MIT)."""
    return np.load(DATA / "pose_reference.npz")["landmarks_input_0"]


class CountingEstimator(PoseEstimator):
    def __init__(self, inner: PoseEstimator) -> None:
        self.__dict__.update(inner.__dict__)
        self.detect_calls = 0

    def detect(self, frames, min_score=0.5):  # noqa: ANN001, ANN201
        self.detect_calls += len(frames)
        return super().detect(frames, min_score)


def _shifted(img: np.ndarray, dx: int) -> np.ndarray:
    pad = np.pad(img, ((0, 0), (40, 40), (0, 0)), mode="edge")
    return np.ascontiguousarray(pad[:, 40 - dx: 40 - dx + img.shape[1]])


def test_a_person_gives_33_plausible_landmarks(estimator: PoseEstimator, person: np.ndarray) -> None:
    pose = PoseTracker(estimator).update(person)
    assert pose is not None and pose.score > 0.9
    lms = pose.landmarks
    assert lms.shape == (33, 4) and lms.dtype == np.float32 and np.isfinite(lms).all()
    assert ((lms[:, 3] >= 0) & (lms[:, 3] <= 1)).all()
    name = LANDMARK_NAMES.index
    assert lms[name("nose"), 1] < lms[name("left_hip"), 1] < lms[name("left_ankle"), 1]  # upright
    # he faces the camera: his left shoulder is on the image's right
    assert lms[name("left_shoulder"), 0] > lms[name("right_shoulder"), 0]
    x1, y1, x2, y2 = pose.box
    assert 0 <= x1 < x2 <= 256 and 0 <= y1 < y2 <= 256 and y2 - y1 > 150
    assert pose.world.shape == (33, 3) and np.abs(pose.world).max() < 2.0  # metres around the hips


def test_nobody_gives_none_and_the_detector_runs_until_someone_appears(estimator: PoseEstimator,
                                                                        person: np.ndarray) -> None:
    counting = CountingEstimator(estimator)
    tracker = PoseTracker(counting)
    blank = np.full((256, 256, 3), 90, np.uint8)
    assert tracker.update(blank) is None and tracker.update(blank) is None
    assert counting.detect_calls == 2
    first = tracker.update(person)
    poses = [tracker.update(_shifted(person, dx)) for dx in (4, 8, 12, 16)]
    assert counting.detect_calls == 3  # tracked from the landmarks after the first detection
    assert all(p is not None and p.track == first.track for p in poses)
    hips = [p.landmarks[23, 0] for p in [first, *poses]]
    assert hips[-1] - hips[0] > 8  # the track follows him as he moves right
    assert tracker.update(blank) is None  # he leaves: the track ends
    again = tracker.update(person)
    assert again is not None and again.track != first.track


def test_streams_step_together_like_alone(estimator: PoseEstimator, person: np.ndarray) -> None:
    a, b = PoseTracker(estimator, smooth=False), PoseTracker(estimator, smooth=False)
    blank = np.zeros((120, 200, 3), np.uint8)
    together = track_batch([a, b], [person, blank])
    alone = PoseTracker(estimator, smooth=False).update(person)
    assert together[1] is None
    np.testing.assert_allclose(together[0].landmarks, alone.landmarks, atol=1e-3)


def test_bad_frames_are_refused_with_a_clear_error(estimator: PoseEstimator, person: np.ndarray) -> None:
    tracker = PoseTracker(estimator)
    for bad, words in [(person.astype(np.float32), "uint8"), (np.zeros((10, 10, 5), np.uint8), "shape"),
                       (np.zeros((1, 1, 3), np.uint8), "shape"), ([[1, 2]], "numpy")]:
        with pytest.raises(ValueError, match=words):
            tracker.update(bad)
    grey = tracker.update(person.mean(axis=2).astype(np.uint8))
    assert grey is not None  # a grey camera still shows a person


def test_smoothing_can_be_switched_off(estimator: PoseEstimator, person: np.ndarray) -> None:
    frames = [person, _shifted(person, 10)]
    smoothed, plain = PoseTracker(estimator), PoseTracker(estimator, smooth=False)
    smooth = [smoothed.update(f) for f in frames]
    raw = [plain.update(f) for f in frames]
    np.testing.assert_allclose(smooth[0].landmarks[:, :2], raw[0].landmarks[:, :2], atol=1e-3)
    raw_step = raw[1].landmarks[23, 0] - raw[0].landmarks[23, 0]
    smooth_step = smooth[1].landmarks[23, 0] - smooth[0].landmarks[23, 0]
    assert raw_step > 5 and 0 < smooth_step < raw_step  # One-Euro lags a sudden jump


@pytest.mark.skipif(not onnxruntime_available(), reason="onnxruntime not installed")
def test_torch_and_onnxruntime_backends_agree(person: np.ndarray) -> None:
    a = PoseTracker(PoseEstimator("cpu", backend="torch")).update(person)
    b = PoseTracker(PoseEstimator("cpu", backend="onnxruntime")).update(person)
    assert np.abs(a.landmarks[:, :2] - b.landmarks[:, :2]).max() < 0.5


def test_landmarks_match_mediapipe_on_a_real_video(estimator: PoseEstimator, shared_data: Path) -> None:
    """spm_example_video.webm (a man walking away from and towards the camera, 1280x720): our
    tracker against MediaPipe 0.10.21's own (tools/mediapipe_landmarks.py, stored)."""
    from vision.pose.video import track_video

    ref = np.load(DATA / "spm_mediapipe_landmarks.npz")["landmarks_0"]
    video = track_video(shared_data / "spm_example_video.webm", PoseTracker(estimator))
    ours = video.landmarks()
    assert ours.shape == ref.shape
    found, ref_found = np.isfinite(ours[:, 0, 0]), np.isfinite(ref[:, 0, 0])
    assert abs(found.mean() - ref_found.mean()) <= 0.02
    both = found & ref_found
    torso = np.linalg.norm((ref[both, 11, :2] + ref[both, 12, :2]) / 2 - (ref[both, 23, :2] + ref[both, 24, :2]) / 2, axis=1)
    err = np.linalg.norm(ours[both, :, :2] - ref[both, :, :2], axis=2) / torso[:, None]
    assert np.median(err) <= 0.03
    assert len({p.track for p in video.poses if p is not None}) == 1  # one person, one steady track
