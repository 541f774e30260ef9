"""Batched BlazePose inference: person detection on whole frames, landmarks on rotated ROIs.

Stateless: tracking lives in `vision.pose.tracker`. Frames are RGB uint8 (H, W, 3). On the CPU
the crops are cut with OpenCV (as MediaPipe does on the CPU); on CUDA each frame is uploaded
once and cropped there with `grid_sample`, so many streams share one detector call and one
landmark call per step.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import torch

from vision.device import resolve_device
from vision.pose import detection, landmarks
from vision.pose.detector_net import INPUT_SIZE as DETECTOR_SIZE
from vision.pose.landmark_net import INPUT_SIZE as LANDMARK_SIZE
from vision.pose.roi import Roi, crop_cv2, crop_torch, letterbox_roi, project
from vision.pose.runtime import Backend, load_runtime


@dataclass(frozen=True)
class RawPose:
    """Landmark-network result for one ROI, in frame pixels, before smoothing."""

    points: np.ndarray  # (39, 5) x, y, z px, visibility, presence (33 landmarks + 6 auxiliary)
    score: float  # pose presence in the ROI
    world: np.ndarray  # (39, 3) metres, hip-centred


def as_rgb(frame: np.ndarray) -> np.ndarray:
    """RGB uint8 (H, W, 3) from RGB, RGBA or grey uint8 frames; anything else is a ValueError."""
    if not isinstance(frame, np.ndarray) or frame.dtype != np.uint8:
        raise ValueError(f"expected a uint8 numpy frame, got {getattr(frame, 'dtype', type(frame).__name__)}")
    if frame.ndim == 2:
        return cv2.cvtColor(frame, cv2.COLOR_GRAY2RGB)
    if frame.ndim == 3 and frame.shape[2] == 4:
        return np.ascontiguousarray(frame[..., :3])
    if frame.ndim != 3 or frame.shape[2] != 3 or min(frame.shape[:2]) < 2:
        raise ValueError(f"expected an (H, W, 3) RGB frame, got shape {frame.shape}")
    return frame


class PoseEstimator:
    """The two converted networks on one device, with MediaPipe's pre- and post-processing.

    backend: `auto` (onnxruntime on a CPU when installed, else torch), `torch` or `onnxruntime`.
    """

    def __init__(self, device: str | torch.device | None = None, weights_dir: str | None = None,
                 backend: Backend = "auto", threads: int = 0) -> None:
        self.device = resolve_device(None if device is None else str(device))
        self.nets = load_runtime(backend, self.device, weights_dir, threads)
        self.backend = self.nets.name

    def _crops(self, frames: list[np.ndarray], rois: list[Roi], size: int, zero_border: bool) -> torch.Tensor:
        """(N, 3, size, size) float32 in [0, 255] on the device."""
        if self.device.type == "cpu":
            batch = np.stack([crop_cv2(f, r, size, zero_border) for f, r in zip(frames, rois)])
            x = torch.from_numpy(batch).permute(0, 3, 1, 2).float()  # (N, 3, S, S)
            return x.contiguous(memory_format=torch.channels_last)
        crops = []
        for frame, roi in zip(frames, rois):  # frames may differ in size: one upload each
            t = torch.from_numpy(frame).to(self.device, non_blocking=True).permute(2, 0, 1)[None].float()
            crops.append(crop_torch(t, [roi], size, zero_border))
        return torch.cat(crops)

    @torch.inference_mode()
    def detect(self, frames: list[np.ndarray], min_score: float = detection.MIN_SCORE) -> list[list[detection.Detection]]:
        """People per frame, best first; boxes and keypoints in frame pixels."""
        if not frames:
            return []
        rois = [letterbox_roi(f.shape[1], f.shape[0]) for f in frames]
        x = self._crops(frames, rois, DETECTOR_SIZE, zero_border=True) / 127.5 - 1.0  # [-1, 1]
        rows, probs = detection.decode(*self.nets.detector(x))
        rows, probs = rows.cpu().numpy(), probs.cpu().numpy()
        out = []
        for i, roi in enumerate(rois):
            found = detection.weighted_nms(rows[i], probs[i], min_score)
            out.append([_to_pixels(d, roi) for d in found])
        return out

    @torch.inference_mode()
    def landmarks(self, frames: list[np.ndarray], rois: list[Roi]) -> list[RawPose]:
        """Landmarks of the person in each ROI (one ROI per frame)."""
        if not frames:
            return []
        x = self._crops(frames, rois, LANDMARK_SIZE, zero_border=False) / 255.0  # [0, 1]
        out = self.nets.landmarks(x)
        points = landmarks.decode_landmarks(out).cpu().numpy()  # (N, 39, 5) crop units
        presence = out.presence.float().cpu().numpy()
        world = out.world.float().cpu().numpy()
        results = []
        for i, roi in enumerate(rois):
            pts = points[i].copy()
            pts[:, :3] = project(pts[:, :3], roi)
            results.append(RawPose(pts, float(presence[i]), _rotate_world(world[i], roi.rotation)))
        return results


def _to_pixels(det: detection.Detection, roi: Roi) -> detection.Detection:
    """Detector units (the letterboxed square, [0, 1]) -> frame pixels."""
    def px(xy: np.ndarray) -> np.ndarray:
        return (xy - 0.5) * roi.width + np.array([roi.cx, roi.cy])

    box = np.concatenate([px(det.box[:2]), px(det.box[2:])]).astype(np.float32)
    return detection.Detection(box, px(det.keypoints).astype(np.float32), det.score)


def _rotate_world(world: np.ndarray, rotation: float) -> np.ndarray:
    """World landmarks come out in the ROI's frame; turn x/y back like MediaPipe's projection."""
    c, s = np.cos(rotation), np.sin(rotation)
    out = world.copy()
    out[:, 0] = c * world[:, 0] - s * world[:, 1]
    out[:, 1] = s * world[:, 0] + c * world[:, 1]
    return out
