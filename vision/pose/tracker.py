"""Pose tracking like MediaPipe's pose_landmark graph: detect only when there is no track,
place the next frame's region from this frame's (smoothed) auxiliary landmarks, drop the track
when the pose-presence score falls below a threshold.

    tracker = PoseTracker()                 # CUDA when available, CPU otherwise
    pose = tracker.update(frame_rgb)        # Pose | None (nobody)

One person is followed at a time: the most confident detection starts a track and the track
keeps to that person while the landmark model still finds someone in its region; only when it
is lost does the detector pick again (the most confident person then). `track_batch` steps many
trackers (streams) together, one detector call and one landmark call per step.
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import count

import numpy as np
import torch

from vision.pose.estimator import PoseEstimator, RawPose, as_rgb
from vision.pose.landmarks import NUM_LANDMARKS
from vision.pose.roi import Roi, roi_from_points
from vision.pose.smoothing import PoseSmoother

MIN_PRESENCE = 0.5  # MediaPipe's min_tracking_confidence
DEFAULT_DT = 1.0 / 30.0
_track_ids = count(1)


@dataclass(frozen=True)
class Pose:
    """One person in one frame.

    landmarks: (33, 4) float32 x, y in source-frame pixels, z (depth from the hip centre, in
    pixels like x, smaller = nearer), visibility in [0, 1]; box: (4,) x1, y1, x2, y2 around the
    landmarks; score: pose presence; track: id of the track (a new id = a new person or a
    re-detection after the track was lost); world: (33, 3) metres, hip-centred.
    """

    landmarks: np.ndarray
    box: np.ndarray
    score: float
    track: int
    presence: np.ndarray
    world: np.ndarray
    roi: Roi


def object_scale(points: np.ndarray) -> float:
    """MediaPipe's object scale: the side of the (unscaled) region the two auxiliary points span."""
    return roi_from_points(points[0, :2], points[1, :2], scale=1.0).width


class PoseTracker:
    """Follows one person through a stream of RGB frames."""

    def __init__(self, estimator: PoseEstimator | None = None, device: str | torch.device | None = None,
                 smooth: bool = True, min_presence: float = MIN_PRESENCE,
                 min_detection: float = 0.5) -> None:
        self.estimator = estimator or PoseEstimator(device)
        self.min_presence, self.min_detection = min_presence, min_detection
        self.smoother = PoseSmoother(landmarks=smooth)
        self.roi: Roi | None = None
        self.track = 0
        self.time: float | None = None

    def reset(self) -> None:
        """Forget the current person (the next frame runs the detector)."""
        self.roi = None
        self.smoother.reset()

    def update(self, frame: np.ndarray, timestamp: float | None = None) -> Pose | None:
        """The tracked person in `frame` (RGB uint8), or None when nobody is found.

        timestamp: seconds (for smoothing); default the previous one plus 1/30 s.
        """
        return track_batch([self], [frame], [timestamp])[0]

    # -- the steps `track_batch` runs for many trackers at once --
    def _clock(self, timestamp: float | None) -> float:
        now = timestamp if timestamp is not None else (self.time + DEFAULT_DT if self.time is not None else 0.0)
        if self.time is not None and now <= self.time:  # a file started over: smoothing starts over too
            self.smoother.reset()
        self.time = now
        return now

    def _start(self, people: list) -> None:
        """Start a track on the most confident detection (people: best first)."""
        if people and people[0].score >= self.min_detection:
            kp = people[0].keypoints
            self.roi = roi_from_points(kp[0], kp[1])
            self.track = next(_track_ids)
            self.smoother.reset()

    def _finish(self, raw: RawPose | None, now: float) -> Pose | None:
        """Landmarks for this frame, and the region for the next one (None: track lost)."""
        if raw is None or raw.score < self.min_presence or not np.isfinite(raw.points).all():
            self.reset()
            return None
        roi_used = self.roi
        body, aux = raw.points[:NUM_LANDMARKS], raw.points[NUM_LANDMARKS:NUM_LANDMARKS + 2]
        lms = np.concatenate([body[:, :3], body[:, 3:4]], axis=1)  # x, y, z, visibility
        world = raw.world[:NUM_LANDMARKS]
        lms, aux3, world = self.smoother(lms, aux[:, :3], world, now, object_scale(aux))
        aux = np.concatenate([aux3, aux[:, 3:]], axis=1)
        self.roi = roi_from_points(aux[0, :2], aux[1, :2])
        box = np.concatenate([lms[:, :2].min(0), lms[:, :2].max(0)]).astype(np.float32)
        return Pose(lms.astype(np.float32), box, raw.score, self.track, body[:, 4].astype(np.float32),
                    world.astype(np.float32), roi_used)


def track_batch(trackers: list[PoseTracker], frames: list[np.ndarray],
                timestamps: list[float | None] | None = None) -> list[Pose | None]:
    """Step every tracker on its frame; trackers must share one `PoseEstimator`."""
    if len({id(t.estimator) for t in trackers}) > 1:
        raise ValueError("track_batch: trackers must share one PoseEstimator")
    if not trackers:
        return []
    estimator = trackers[0].estimator
    frames = [as_rgb(f) for f in frames]
    times = [t._clock(s) for t, s in zip(trackers, timestamps or [None] * len(trackers))]
    lost = [i for i, t in enumerate(trackers) if t.roi is None]
    for i, people in zip(lost, estimator.detect([frames[i] for i in lost])):
        trackers[i]._start(people)
    active = [i for i, t in enumerate(trackers) if t.roi is not None]
    raws = dict(zip(active, estimator.landmarks([frames[i] for i in active], [trackers[i].roi for i in active])))
    return [t._finish(raws.get(i), times[i]) for i, t in enumerate(trackers)]
