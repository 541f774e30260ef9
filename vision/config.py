"""Frozen, JSON round-trippable configuration dataclasses.

Only the CLIs parse strings; everything past `vision/cli/` takes these typed objects.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, TypeVar

from vision.errors import ConfigError

POOLINGS = ("last", "mean", "max", "attention", "multihead")
INPUTS = ("rgb", "pose", "motion", "rgb+motion", "flow", "rgb+flow")
POSE_FEATURES = ("heatmap", "coords", "fused")
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)

T = TypeVar("T")


@dataclass(frozen=True)
class ModelConfig:
    """Architecture of an `ActionNet`: everything needed to rebuild it (weights aside)."""

    num_classes: int
    backbone: str = "tiny"
    embed_dim: int = 128
    lstm_hidden: int = 128
    lstm_layers: int = 1
    bidirectional: bool = False
    lstm_dropout: float = 0.0
    pooling: str = "attention"
    dropout: float = 0.3
    motion_features: bool = True  # feed [e_t, e_t - e_(t-1)] to the LSTM: motion made linear
    # Each default below reproduces the checkpoints written before the field existed.
    forget_bias: float | None = None  # initial LSTM forget-gate bias (None: PyTorch's uniform init)
    lstm_residual: bool = False  # x + LSTM(x) around every layer after the first
    lstm_layernorm: bool = False  # LayerNorm on each layer's input after the first, and on the output
    spatial_temperature: float = 1.0  # softmax(scores / tau) in the spatial attention (the heatmap)
    temporal_temperature: float = 1.0  # the same for temporal pooling (attention and multihead)
    learn_temperature: bool = False  # learn both temperatures (as log tau), starting from the values above
    attention_heads: int = 4  # heads of `pooling="multihead"` (nn.MultiheadAttention)
    video_head: bool = False  # hierarchical head: an upper LSTM + attention over window summaries
    video_hidden: int = 128  # its LSTM size
    # "rgb": frames; "pose": body landmarks (vision.pose.features) per frame; "motion": the difference
    # of each sampled frame from the one before, "flow": the optical flow between them, "rgb+motion"
    # and "rgb+flow": RGB with either (vision.data.motion)
    input: str = "rgb"
    pose_features: str = "fused"  # pose input: "heatmap" (rendered, CNN), "coords" (MLP) or "fused"
    # pose input: the hip velocity and body growth (body heights per sampled frame, ~0.01-0.08 when
    # walking) are multiplied by this before the model reads them (x10 did not make a model use them)
    pose_motion_gain: float = 1.0
    # pose input: the head also reads the window's trajectory, where the hips have gone and how much
    # the body has grown since the window's first frame (summed motion numbers; walking towards or
    # away from the camera shows there, not in the legs)
    pose_trajectory: bool = False
    # pose input: the spatial attention (the app's heatmap) may only fall on cells the body is drawn in
    pose_body_attention: bool = False

    def __post_init__(self) -> None:
        if self.num_classes < 1:
            raise ConfigError(f"num_classes must be >= 1, got {self.num_classes}")
        if self.pooling not in POOLINGS:
            raise ConfigError(f"pooling must be one of {', '.join(POOLINGS)}, got {self.pooling!r}")
        for name in ("embed_dim", "lstm_hidden"):
            if getattr(self, name) < 1:
                raise ConfigError(f"{name} must be >= 1, got {getattr(self, name)}")
        if self.lstm_layers < 0:
            raise ConfigError(f"lstm_layers must be >= 0 (0: no LSTM, frame-level ablation), got {self.lstm_layers}")
        for name in ("dropout", "lstm_dropout"):
            if not 0.0 <= getattr(self, name) < 1.0:
                raise ConfigError(f"{name} must be in [0, 1), got {getattr(self, name)}")
        for name in ("spatial_temperature", "temporal_temperature"):
            if not getattr(self, name) > 0:
                raise ConfigError(f"{name} must be > 0, got {getattr(self, name)}")
        if self.input not in INPUTS:
            raise ConfigError(f"input must be one of {', '.join(INPUTS)}, got {self.input!r}")
        if self.pose_features not in POSE_FEATURES:
            raise ConfigError(f"pose_features must be one of {', '.join(POSE_FEATURES)}, got {self.pose_features!r}")
        if self.pose_body_attention and (self.input != "pose" or self.pose_features == "coords"):
            raise ConfigError("pose_body_attention needs input 'pose' with heatmaps (pose_features heatmap or fused)")
        if self.pose_trajectory and (self.input != "pose" or self.embed_dim <= 3):
            raise ConfigError("pose_trajectory needs input 'pose' and embed_dim > 3")
        if not self.pose_motion_gain > 0:
            raise ConfigError(f"pose_motion_gain must be > 0, got {self.pose_motion_gain}")
        if self.input in ("rgb+motion", "flow", "rgb+flow") and self.backbone != "tiny":
            raise ConfigError(f"input {self.input} ({'2' if self.input == 'flow' else '5-6'} channels) needs the "
                              f"tiny backbone, not {self.backbone} (input motion, frame differences, has 3)")
        if self.attention_heads < 1 or self.video_hidden < 1:
            raise ConfigError("attention_heads and video_hidden must be >= 1")
        if self.pooling == "multihead" and self.temporal_width % self.attention_heads:
            raise ConfigError(f"multihead pooling: {self.attention_heads} heads do not divide the "
                              f"{self.temporal_width} features it pools")

    @property
    def temporal_width(self) -> int:
        """Size of each step's features that temporal pooling sees."""
        if self.lstm_layers == 0:  # no LSTM, no motion features: the embeddings themselves
            return self.embed_dim
        return self.lstm_hidden * (2 if self.bidirectional else 1)


@dataclass(frozen=True)
class ClipConfig:
    """How frames are sampled and preprocessed before they reach the model.

    Attributes:
        num_frames: clip length T (window of the temporal head).
        frame_size: square side in pixels each frame is resized to.
        fps: sampling rate in frames per second (None: every decoded frame).
        stride: frames between two temporal-head runs when streaming / sliding windows.
        mean, std: per-channel normalisation of RGB values scaled to [0, 1].
    """

    num_frames: int = 16
    frame_size: int = 112
    fps: float | None = 10.0
    stride: int = 4
    mean: tuple[float, float, float] = IMAGENET_MEAN
    std: tuple[float, float, float] = IMAGENET_STD

    def __post_init__(self) -> None:
        if self.num_frames < 1 or self.frame_size < 16 or self.stride < 1:
            raise ConfigError(
                f"need num_frames >= 1, frame_size >= 16, stride >= 1; got "
                f"{self.num_frames}, {self.frame_size}, {self.stride}"
            )
        if self.fps is not None and self.fps <= 0:
            raise ConfigError(f"fps must be positive or None, got {self.fps}")
        if len(self.mean) != 3 or len(self.std) != 3 or min(self.std) <= 0:
            raise ConfigError("mean and std need 3 values each, std > 0")
        # JSON gives lists; keep the dataclass hashable and comparable.
        object.__setattr__(self, "mean", tuple(float(v) for v in self.mean))
        object.__setattr__(self, "std", tuple(float(v) for v in self.std))


def to_dict(config: Any) -> dict[str, Any]:
    """A JSON-ready dict of a config dataclass."""
    return dataclasses.asdict(config)


def from_dict(cls: type[T], data: Any) -> T:
    """Build `cls` from a dict, rejecting unknown keys with a clear `ConfigError`."""
    if not isinstance(data, dict):
        raise ConfigError(f"{cls.__name__} must be a JSON object, got {type(data).__name__}")
    known = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(f"unknown {cls.__name__} keys: {', '.join(unknown)}")
    try:
        return cls(**data)
    except TypeError as exc:  # a required field is missing
        raise ConfigError(f"bad {cls.__name__}: {exc}") from None

