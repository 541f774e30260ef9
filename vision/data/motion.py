"""Motion as an input: what changed between each sampled frame and the frame sampled before it.

`ModelConfig.input` "motion" feeds the CNN the difference `x_t - x_(t-1)` (normalised frames)
instead of RGB, "flow" the dense optical flow (x, y displacement), "rgb+motion" and "rgb+flow"
RGB with either stacked on the channel axis: the direction of motion is then visible to the CNN
itself, not only to the LSTM through embedding differences. The first frame of a video or stream
has no predecessor: its motion is zero. Training, batch, streaming and exported graphs all build
their inputs here (outside the graphs), so they see the same thing.
"""
from __future__ import annotations

import numpy as np
import torch

from vision.config import ClipConfig
from vision.data.transforms import preprocess_frames

FRAME_CHANNELS = {"rgb": 3, "motion": 3, "rgb+motion": 6, "flow": 2, "rgb+flow": 5}
FLOW_REFERENCE = 64  # flow is measured in pixels of a frame this wide, whatever the input size


def has_motion(input: str) -> bool:
    """Whether a model with this `ModelConfig.input` reads each frame's predecessor too."""
    return input in ("motion", "rgb+motion", "flow", "rgb+flow")


def frame_channels(input: str) -> int:
    """Channels of one frame's model input (a pose model's frames are not images: 3 by convention)."""
    return FRAME_CHANNELS.get(input, 3)


def _gray(x: torch.Tensor, clip: ClipConfig) -> np.ndarray:
    """Normalised RGB (N, 3, S, S) -> grey uint8 (N, S, S), as the flow estimator wants it."""
    mean = torch.tensor(clip.mean).view(1, 3, 1, 1)
    std = torch.tensor(clip.std).view(1, 3, 1, 1)
    rgb = (x.detach().float().cpu() * std + mean).clamp(0, 1)  # (N, 3, S, S) in [0, 1]
    grey = rgb[:, 0] * 0.299 + rgb[:, 1] * 0.587 + rgb[:, 2] * 0.114  # (N, S, S)
    return (grey * 255).round().to(torch.uint8).numpy()


def optical_flow(previous: torch.Tensor, x: torch.Tensor, clip: ClipConfig) -> torch.Tensor:
    """Dense optical flow (Farneback, OpenCV) from each `previous` frame to its `x` frame: (N, 2, S, S),
    x and y displacement in pixels of a `FLOW_REFERENCE`-wide frame, relative to the camera.

    Unlike a difference it does not depend on whether the object is lighter or darker than what it
    moves over. The frame's median displacement (the camera's own shake or pan: the background
    fills most of the frame) is subtracted, so a still background reads zero whatever its texture.
    A 15 px window over 3 pyramid levels gives smooth fields that follow the motion more than the
    moving thing's outline. Both were chosen on small synthetic folders where a scene's texture
    had leaked into the flow through camera shake (README, "Small folders")."""
    import cv2

    a, b = _gray(previous, clip), _gray(x, clip)
    out = np.zeros((len(a), 2, *a.shape[1:]), np.float32)
    for i, (p, q) in enumerate(zip(a, b)):
        if not np.array_equal(p, q):
            flow = cv2.calcOpticalFlowFarneback(p, q, None, 0.5, 3, 15, 3, 5, 1.1, 0)  # (S, S, 2)
            out[i] = flow.transpose(2, 0, 1)
    out -= np.median(out.reshape(len(out), 2, -1), axis=2)[:, :, None, None]  # (N, 2, 1, 1): the camera
    return torch.from_numpy(out * (FLOW_REFERENCE / a.shape[-1])).to(x.device)


def stack_motion(x: torch.Tensor, previous: torch.Tensor, input: str, clip: ClipConfig) -> torch.Tensor:
    """Normalised frames x (N, 3, S, S) and the frame sampled before each (N, 3, S, S) -> (N, C, S, S)."""
    if not has_motion(input):
        return x
    parts = [x] if input.startswith("rgb+") else []
    if input.endswith("flow"):
        parts.append(optical_flow(previous, x, clip))  # (N, 2, S, S)
    else:
        parts.append(x - previous)  # (N, 3, S, S)
    return parts[0] if len(parts) == 1 else torch.cat(parts, dim=1)


def consecutive_motion(x: torch.Tensor, input: str, clip: ClipConfig, before: torch.Tensor | None = None) -> torch.Tensor:
    """Model input of consecutive frames x (N, 3, S, S); `before` (3, S, S) is the frame sampled just
    before x[0] (None: x[0] starts the video, its motion is zero)."""
    if not has_motion(input) or len(x) == 0:
        return x
    head = x[:1] if before is None else before[None].to(x)
    return stack_motion(x, torch.cat([head, x[:-1]]), input, clip)  # previous of x[i] is x[i-1]


def model_inputs(frames: np.ndarray, clip: ClipConfig, input: str, before: np.ndarray | None = None) -> torch.Tensor:
    """Consecutive RGB uint8 frames (N, H, W, 3) -> model input (N, C, S, S); `before` (H, W, 3) is
    the frame sampled just before them, if any."""
    x = preprocess_frames(frames, clip)  # (N, 3, S, S)
    if not has_motion(input):
        return x
    prev = None if before is None else preprocess_frames(np.asarray(before)[None], clip)[0]
    return consecutive_motion(x, input, clip, prev)
