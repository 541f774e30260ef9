"""`TrainConfig`: every training option, saved as `train_config.json` in the run directory."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from vision.config import ClipConfig, ModelConfig
from vision.errors import ConfigError

SCHEDULERS = ("plateau", "cosine", "none")
AMP_MODES = ("auto", "bf16", "fp16", "off")


@dataclass(frozen=True)
class TrainConfig:
    """Data, model, optimisation and runtime options of one training run."""

    data_dir: str
    out: str
    split: int | None = 1
    val_fraction: float = 0.2
    # model
    backbone: str = "tiny"
    pretrained: str | None = None
    embed_dim: int = 128
    lstm_hidden: int = 128
    lstm_layers: int = 1
    bidirectional: bool = False
    lstm_dropout: float = 0.0
    pooling: str = "attention"
    dropout: float = 0.3
    motion_features: bool = True
    forget_bias: float | None = None
    lstm_residual: bool = False
    lstm_layernorm: bool = False
    spatial_temperature: float = 1.0
    temporal_temperature: float = 1.0
    learn_temperature: bool = False
    attention_heads: int = 4
    video_head: bool = False  # train only a video head on long videos, over --init's frozen window model
    video_hidden: int = 128
    input: str = "rgb"  # "pose": body landmarks (.npz sequences, or videos tracked once)
    pose_features: str = "fused"
    pose_motion_gain: float = 1.0  # x10 was tried on 2 seeds: the model still ignored hip motion (README)
    pose_trajectory: bool = False
    pose_body_attention: bool = False
    init: str | None = None  # checkpoint whose weights the model starts from (needed by video_head)
    freeze_backbone: bool | None = None  # None: frozen when pretrained
    unfreeze_last: int = 0  # with a frozen backbone, train its last N blocks/modules anyway
    backbone_lr_scale: float = 0.1  # backbone parameters train at lr * this
    augment: bool | None = None  # None: on, except when training from cached backbone features
    # clips
    num_frames: int = 16
    frame_size: int = 112
    fps: float | None = 10.0
    flip: bool | None = None  # None: the input's old default (RGB: no flips; pose: mirrored skeletons)
    crop_scale: float = 0.6  # smallest area share of the random-resized crop
    color_jitter: float = 0.3  # brightness/contrast/saturation jitter strength (0: none)
    speed_jitter: float = 0.0  # playback-rate jitter: rates in [1/(1+x), 1+x] (0: recorded speed)
    pose_jitter: float = 0.01  # pose input: white landmark noise added in training, in body heights per frame
    clips_per_video: int = 1  # temporal crops of every training video per epoch
    holdout: float = 0.0  # with a test list: share of the training list held out for validation (0: validate on the test list)
    # optimisation
    batch_size: int = 16
    epochs: int = 30
    lr: float = 2e-3
    weight_decay: float = 1e-4
    scheduler: str = "plateau"
    warmup_epochs: int = 1
    plateau_patience: int = 2
    plateau_factor: float = 0.5
    early_stop: int = 8
    grad_clip: float = 1.0
    accumulate: int = 1  # micro-batches per optimizer step: effective batch = batch_size * accumulate (* ranks)
    tbptt: int = 0  # truncate back-propagation through time to this many LSTM steps (0: off)
    class_weights: bool = False
    label_smoothing: float = 0.0
    # runtime
    seed: int = 0
    workers: int = 0
    device: str = "auto"
    amp: str = "auto"
    cache: bool = True
    cache_dir: str | None = None
    max_bad_fraction: float = 0.1
    # adaptive recipe (vision.train.recipe): choose the options not in `explicit` from the data
    auto: bool = False  # the library default is the fixed recipe; vision-train turns this on
    explicit: tuple[str, ...] = ()  # options the user set: the recipe leaves them alone

    def __post_init__(self) -> None:
        if self.scheduler not in SCHEDULERS:
            raise ConfigError(f"scheduler must be one of {', '.join(SCHEDULERS)}")
        if self.amp not in AMP_MODES:
            raise ConfigError(f"amp must be one of {', '.join(AMP_MODES)}")
        if self.batch_size < 1 or self.epochs < 1 or self.lr <= 0:
            raise ConfigError("batch_size and epochs must be >= 1 and lr > 0")
        if not 0 <= self.max_bad_fraction <= 1:
            raise ConfigError("max_bad_fraction must be in [0, 1]")
        if self.accumulate < 1 or self.tbptt < 0:
            raise ConfigError("accumulate must be >= 1 and tbptt >= 0")
        if not 0 < self.crop_scale <= 1 or min(self.color_jitter, self.speed_jitter, self.pose_jitter) < 0:
            raise ConfigError("crop_scale must be in (0, 1], color_jitter, speed_jitter and pose_jitter >= 0")
        if self.clips_per_video < 1 or not 0 <= self.holdout < 1:
            raise ConfigError("clips_per_video must be >= 1 and holdout in [0, 1)")
        object.__setattr__(self, "explicit", tuple(self.explicit))  # JSON gives a list
        if self.video_head and self.init is None:
            raise ConfigError("video_head trains over a window model: give its checkpoint as init (--init)")

    def model_config(self, num_classes: int) -> ModelConfig:
        """The architecture this run trains (every ModelConfig field but num_classes comes from here)."""
        names = [f.name for f in dataclasses.fields(ModelConfig) if f.name != "num_classes"]
        return ModelConfig(num_classes=num_classes, **{name: getattr(self, name) for name in names})

    def clip_config(self) -> ClipConfig:
        """Clip sampling and preprocessing, stored in every checkpoint of the run."""
        from vision.model.encoder import BACKBONE_NORMALIZATION

        default = ClipConfig()
        mean, std = BACKBONE_NORMALIZATION.get(self.backbone, (default.mean, default.std))
        return ClipConfig(num_frames=self.num_frames, frame_size=self.frame_size, fps=self.fps, mean=mean, std=std)

    @property
    def feature_cache(self) -> bool:
        """Train from cached backbone feature maps: fully frozen backbone, no spatial augmentation."""
        return self.frozen and self.unfreeze_last == 0 and self.augment is not True and self.cache and self.input == "rgb"

    @property
    def frozen(self) -> bool:
        """Whether the backbone is frozen (default: when it starts from pretrained weights)."""
        return self.pretrained is not None if self.freeze_backbone is None else self.freeze_backbone
