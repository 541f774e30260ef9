"""The front end of pose models in the engines: frames -> tracked person -> per-frame features.

What a pose model sees of a frame is the feature vector of `vision.pose.features`, computed
from the tracker's landmarks on that frame and on the previous sampled frame (for the hip
motion). The same code serves live streams (one tracker per stream, fed every frame) and
batch classification (one tracker per video, fed the sampled frames).

Two rules keep a window about one person: a window restarts when the tracker starts a new
track (another person, or the same one found again after being lost), and a window where
most frames have nobody reports `no person` instead of a class.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import torch

from vision.pose.features import FEATURE_DIM, CanvasTransform, body_height, sequence_features
from vision.pose.tracker import Pose, PoseTracker

NO_PERSON = "no person"
UNKNOWN = "unknown"
MIN_PRESENT = 0.5  # share of a window's frames that must show the person
MIN_UPRIGHT = 0.5  # share of those frames where the person must be upright (else `unknown`)
MIN_BODY = 0.06  # smaller people (body height / frame short side) count as nobody: the detector's
# rare false finds in empty rooms are tiny, and people that far away are not what the model knows


def pair_features(previous: np.ndarray | None, current: np.ndarray | None) -> np.ndarray:
    """(FEATURE_DIM,) features of `current` (33, 4) landmarks, moving from `previous` (or None)."""
    if current is None:
        return np.zeros(FEATURE_DIM, np.float32)
    nan = np.full_like(current, np.nan)
    return sequence_features(np.stack([nan if previous is None else previous, current]))[1]


@dataclass
class PoseStream:
    """One stream's tracker and what the last sampled frame showed."""

    tracker: PoseTracker
    last_pose: Pose | None = None  # of the newest frame, sampled or not (for drawing)
    ms: float = 0.0  # what tracking the newest frame cost
    sampled: np.ndarray | None = None  # landmarks of the previous sampled frame
    track: int | None = None  # track id of the previous sampled frame's person

    def observe(self, rgb: np.ndarray, timestamp: float) -> Pose | None:
        """Track the person in a frame (every frame of a live stream goes through here)."""
        start = time.perf_counter()
        pose = self.tracker.update(rgb, timestamp)
        if pose is not None and body_height(pose.landmarks[None])[0] < MIN_BODY * min(rgb.shape[:2]):
            pose = None
        self.last_pose = pose
        self.ms = (time.perf_counter() - start) * 1000
        return pose

    def sample(self) -> tuple[np.ndarray, CanvasTransform | None, bool]:
        """Features of the newest frame as a model sample, its canvas, and whether the window
        must restart (a new track began)."""
        pose = self.last_pose
        current = None if pose is None else pose.landmarks
        restart = pose is not None and self.track is not None and pose.track != self.track
        feats = pair_features(None if restart else self.sampled, current)
        self.sampled = current
        if pose is not None:
            self.track = pose.track
        return feats, (None if pose is None else CanvasTransform.of(current)), restart


def frame_heatmap(attention: np.ndarray, canvas: CanvasTransform | None, width: int, height: int,
                  out_width: int = 96) -> np.ndarray:
    """A pose model's canvas attention (h, w) as a map over the whole frame (zeros: nobody)."""
    if canvas is None:
        return np.zeros((max(1, round(height * out_width / width)), out_width), np.float32)
    return canvas.to_frame(attention, width, height, out_width)


def window_verdict(present: np.ndarray, probs: np.ndarray, unknown_threshold: float,
                   distance: float | None = None, radius: float = 0.0,
                   upright: np.ndarray | None = None) -> tuple[str, str]:
    """(status, reason) of a pose window: `no person` when most frames are empty; `unknown` when
    the person is not upright in most frames that show them (`vision.pose.features.upright`:
    lying, upside down, a false find), below the calibrated confidence, or (with a `Rejection`
    radius) farther than `radius` from every class; else ("", ""). The reason says which, in a
    few words for people (the app, `vision-stream`, the timeline's JSON)."""
    if present.mean() < MIN_PRESENT:
        return NO_PERSON, f"a person in {int(present.sum())} of {len(present)} frames"
    if upright is not None and upright[present].mean() < MIN_UPRIGHT:
        return UNKNOWN, "not upright in most frames"
    top = float(probs.max())
    if unknown_threshold > 0 and top < unknown_threshold:
        return UNKNOWN, f"top {top:.2f} below the threshold {unknown_threshold:.2f}"
    if distance is not None and radius > 0 and distance > radius:
        return UNKNOWN, "unlike every class it knows"
    return "", ""


@dataclass(frozen=True)
class Rejection:
    """When a window is `unknown`, as a checkpoint's `extra` says.

    `unknown_threshold`: the (smoothed) top probability below it. Few-shot checkpoints
    (`vision.train.fewshot`) may instead carry class prototypes of the window summaries
    (`unknown_prototypes`, (C, S)), a `unknown_scale` and a `unknown_distance` radius: a window
    whose summary's scaled squared distance to the nearest prototype exceeds the radius is an
    action outside the label set, however its probabilities split between the known classes.
    `upright_only` (models that only ever saw upright people, such as the shipped pose model):
    a window whose person is not upright in most frames is `unknown` too.
    """

    threshold: float = 0.0
    prototypes: torch.Tensor | None = None  # (C, S)
    scale: float = 1.0
    radius: float = 0.0
    upright_only: bool = False

    @classmethod
    def from_extra(cls, extra: dict) -> Rejection:
        protos = extra.get("unknown_prototypes")
        radius = float(extra.get("unknown_distance", 0.0) or 0.0)
        return cls(float(extra.get("unknown_threshold", 0.0) or 0.0),
                   torch.tensor(protos, dtype=torch.float32) if protos and radius > 0 else None,
                   float(extra.get("unknown_scale", 1.0)), radius, bool(extra.get("upright_only", False)))

    @torch.no_grad()
    def distances(self, model, embeddings: torch.Tensor, mask: torch.Tensor) -> np.ndarray | None:  # noqa: ANN001
        """(B,) scaled squared distance of each window (B, T, D) to the nearest prototype; None
        without prototypes or for models that cannot summarise windows (export backends)."""
        if self.prototypes is None or not hasattr(model, "summarise_windows"):
            return None
        summary = model.summarise_windows(embeddings, mask).float()  # (B, S)
        protos = self.prototypes.to(summary.device)
        return (torch.cdist(summary, protos).square().min(1).values * self.scale).cpu().numpy()


@dataclass(frozen=True)
class TrackedVideo:
    """A video's sampled frames as a pose model sees them."""

    features: np.ndarray  # (N, FEATURE_DIM)
    times: np.ndarray  # (N,) seconds
    tracks: np.ndarray  # (N,) track id, 0 where nobody was found
    canvases: list[CanvasTransform | None]
    size: tuple[int, int]  # (width, height) of the frames the landmarks are in


_ESTIMATORS: dict[str, object] = {}
TRACK_SHORT_SIDE = 480  # frames are tracked at this short side: the networks see 224/256 px anyway


def shared_estimator(device: str):  # noqa: ANN201 (PoseEstimator; imported lazily)
    """One `PoseEstimator` per device for the whole process (building one exports its graphs)."""
    from vision.pose.estimator import PoseEstimator

    if device not in _ESTIMATORS:
        _ESTIMATORS[device] = PoseEstimator(device)
    return _ESTIMATORS[device]


def track_video_samples(path, fps: float | None, device: str = "cpu") -> TrackedVideo:  # noqa: ANN001
    """Track the person on the frames sampled at `fps` and compute their features."""
    from vision.video.decode import iter_frames, probe

    info = probe(path)
    shrink = TRACK_SHORT_SIDE if min(info.width, info.height) > TRACK_SHORT_SIDE else None
    stream = PoseStream(PoseTracker(shared_estimator(device)))
    feats, times, tracks, canvases, size = [], [], [], [], (info.width, info.height)
    for frame in iter_frames(path, fps=fps, short_side=shrink):
        size = (frame.rgb.shape[1], frame.rgb.shape[0])
        pose = stream.observe(frame.rgb, frame.time)
        f, canvas, _ = stream.sample()
        feats.append(f)
        times.append(frame.time)
        tracks.append(0 if pose is None else pose.track)
        canvases.append(canvas)
    return TrackedVideo(np.stack(feats), np.array(times), np.array(tracks), canvases, size)


def segments(tracks: np.ndarray) -> list[tuple[int, int]]:
    """(start, end) runs of frames that windows may span: a new run wherever a new track starts
    (frames with nobody stay with the run around them, so a window can see the person leave)."""
    cuts = [0]
    last = 0
    for i, t in enumerate(tracks):
        if t and last and t != last:
            cuts.append(i)
        last = t or last
    cuts.append(len(tracks))
    return [(a, b) for a, b in zip(cuts, cuts[1:]) if b > a]
