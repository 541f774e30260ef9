"""`ActionNet`: frame CNN -> spatial attention pooling -> LSTM -> temporal pooling -> head.

The encoder/head split is what makes streaming cheap: each frame is encoded once
(`encode_frames`), and the small head (`classify_embeddings`) runs over cached embeddings.
"""
from __future__ import annotations

from typing import NamedTuple

import torch
from torch import nn

from vision.config import ModelConfig
from vision.data.motion import frame_channels
from vision.model.attention import SpatialAttentionPool, Temperature, TemporalPool, lengths_from_mask
from vision.model.encoder import build_encoder
from vision.model.pose_encoder import MOTION_DIM, PoseFrameEncoder
from vision.model.sequence import MaskedLSTM
from vision.model.video import VideoHead


class FrameEncoding(NamedTuple):
    """Per-frame outputs of the encoder."""

    embeddings: torch.Tensor  # (..., D)
    attention_maps: torch.Tensor  # (..., h, w), each map sums to 1


class HeadOutput(NamedTuple):
    """Outputs of the temporal head."""

    logits: torch.Tensor  # (B, num_classes)
    temporal_weights: torch.Tensor  # (B, T), sums to 1 over valid steps


class ActionOutput(NamedTuple):
    """Everything `forward` produces for a clip."""

    logits: torch.Tensor  # (B, num_classes)
    temporal_weights: torch.Tensor  # (B, T)
    attention_maps: torch.Tensor  # (B, T, h, w)


TRAJECTORY_GAIN = 5.0  # a walk moves the hips or the body's size by ~0.1-0.3 over a window: ~0.5-1.5 read


def window_trajectory(embeddings: torch.Tensor) -> torch.Tensor:
    """Pose embeddings (B, T, D) whose last `MOTION_DIM` numbers are per-step motion -> the same
    with those numbers summed from the window's first frame (where the hips have gone and how much
    the body has grown since then, in body heights), times `TRAJECTORY_GAIN`."""
    motion = embeddings[..., -MOTION_DIM:]
    travel = (motion.cumsum(dim=1) - motion[:, :1]) * TRAJECTORY_GAIN  # the first step came from outside
    return torch.cat([embeddings[..., :-MOTION_DIM], travel], dim=-1)


class ActionNet(nn.Module):
    """CNN-LSTM-attention action classifier for clips (B, T, 3, H, W)."""

    def __init__(self, config: ModelConfig, pretrained: str | None = None) -> None:
        super().__init__()
        self.config = config
        learn = config.learn_temperature
        if config.input == "pose":  # landmarks in, rendered and encoded per frame
            self.pose = PoseFrameEncoder(config.pose_features, config.embed_dim,
                                         Temperature(config.spatial_temperature, learn),
                                         motion_gain=config.pose_motion_gain, trajectory=config.pose_trajectory,
                                         body_attention=config.pose_body_attention)
        else:
            encoder = build_encoder(config.backbone, pretrained, frame_channels(config.input))
            self.encoder = encoder.features
            self.spatial = SpatialAttentionPool(
                encoder.out_channels, config.embed_dim, Temperature(config.spatial_temperature, learn)
            )
        # Deltas feed the LSTM; without one (the frame-only ablation) they would leak frame order.
        self.motion_features = config.motion_features and config.lstm_layers > 0
        self.lstm = MaskedLSTM(
            config.embed_dim * (2 if self.motion_features else 1),
            config.lstm_hidden,
            config.lstm_layers,
            config.lstm_dropout,
            config.bidirectional,
            residual=config.lstm_residual,
            layernorm=config.lstm_layernorm,
            forget_bias=config.forget_bias,
        )
        self.temporal = TemporalPool(
            config.pooling, self.lstm.output_size, config.bidirectional,
            Temperature(config.temporal_temperature, learn), config.attention_heads,
        )
        self.head = nn.Sequential(
            nn.Dropout(config.dropout), nn.Linear(self.lstm.output_size, config.num_classes)
        )
        self.video = (
            VideoHead(self.lstm.output_size, config.video_hidden, config.num_classes, config.dropout)
            if config.video_head else None
        )

    def encode_frames(self, frames: torch.Tensor) -> FrameEncoding:
        """Encode frames (..., C, H, W) -> embeddings (..., D) and maps (..., h, w).

        C is 3 for RGB, 3 or 6 with motion input (`vision.data.motion`: built by the caller, from
        consecutive sampled frames). A pose model's frames are feature vectors (..., FEATURE_DIM).
        """
        if self.config.input == "pose":
            lead = frames.shape[:-1]
            emb, attn = self.pose(frames.reshape(-1, frames.shape[-1]))  # (N, D), (N, h, w)
            return FrameEncoding(emb.reshape(*lead, -1), attn.reshape(*lead, *attn.shape[-2:]))
        lead = frames.shape[:-3]
        fmap = self.encoder(frames.reshape(-1, *frames.shape[-3:]))  # (N, C, h, w)
        return self.pool_features(fmap.reshape(*lead, *fmap.shape[1:]))

    def pool_features(self, fmaps: torch.Tensor) -> FrameEncoding:
        """Backbone feature maps (..., C, h, w) -> embeddings (..., D) and attention maps (..., h, w).

        The trainable part of frame encoding: with a frozen backbone, training can cache the
        feature maps once and run only this and the head every epoch.
        """
        lead = fmaps.shape[:-3]
        emb, attn = self.spatial(fmaps.reshape(-1, *fmaps.shape[-3:]))  # (N, D), (N, h, w)
        return FrameEncoding(emb.reshape(*lead, -1), attn.reshape(*lead, *attn.shape[-2:]))

    def classify_embeddings(
        self, embeddings: torch.Tensor, mask: torch.Tensor | None = None
    ) -> HeadOutput:
        """Classify embeddings (B, T, D); `mask` (B, T) marks valid steps (a prefix per clip)."""
        b, t, _ = embeddings.shape
        if mask is None:
            mask = torch.ones(b, t, dtype=torch.bool, device=embeddings.device)
        lengths = lengths_from_mask(mask.bool())  # (B,)
        return self.head_from_lengths(embeddings, mask.bool(), lengths)

    def head_from_lengths(self, embeddings: torch.Tensor, mask: torch.Tensor, lengths: torch.Tensor) -> HeadOutput:
        """`classify_embeddings` without the mask checks: plain tensor ops, as exported to ONNX."""
        pooled, weights = self.summarise(embeddings, mask, lengths)
        return HeadOutput(self.head(pooled), weights)

    def summarise(self, embeddings: torch.Tensor, mask: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Embeddings (B, T, D) -> the window summary the classifier reads (B, H*dirs), weights (B, T)."""
        if self.config.pose_trajectory:  # (only pose models may have it: ModelConfig)
            embeddings = window_trajectory(embeddings)
        if self.motion_features:  # causal deltas: padding after the valid steps cannot leak
            deltas = torch.cat([torch.zeros_like(embeddings[:, :1]), embeddings.diff(dim=1)], dim=1)
            embeddings = torch.cat([embeddings, deltas], dim=2)  # (B, T, 2D)
        outputs = self.lstm(embeddings, lengths)  # (B, T, H*dirs)
        return self.temporal(outputs, mask)  # (B, H*dirs), (B, T)

    def summarise_windows(self, embeddings: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        """Window summaries (B, H*dirs) of embeddings (B, T, D): the video head's input."""
        if mask is None:
            mask = torch.ones(embeddings.shape[:2], dtype=torch.bool, device=embeddings.device)
        return self.summarise(embeddings, mask.bool(), lengths_from_mask(mask.bool()))[0]

    def classify_summaries(self, summaries: torch.Tensor, mask: torch.Tensor | None = None) -> HeadOutput:
        """Video logits (B, C) and per-window weights (B, W) from window summaries (B, W, H*dirs)."""
        if self.video is None:
            raise ValueError("this model has no video head (ModelConfig.video_head)")
        if mask is None:
            mask = torch.ones(summaries.shape[:2], dtype=torch.bool, device=summaries.device)
        lengths_from_mask(mask.bool())  # the same prefix rule as frames within a window
        return HeadOutput(*self.video(summaries, self.head(summaries), mask.bool()))  # window classifier per summary

    def forward(self, clip: torch.Tensor, mask: torch.Tensor | None = None) -> ActionOutput:
        """Classify clips (B, T, 3, H, W) (pose: (B, T, FEATURE_DIM)); padded frames (mask False)
        never affect the result."""
        emb, maps = self.encode_frames(clip)  # (B, T, D), (B, T, h, w)
        logits, weights = self.classify_embeddings(emb, mask)
        return ActionOutput(logits, weights, maps)


class FeatureHead(nn.Module):
    """`ActionNet` from cached backbone feature maps (B, T, C, h, w): what frozen-backbone epochs train."""

    def __init__(self, net: ActionNet) -> None:
        super().__init__()
        self.net = net

    def forward(self, fmaps: torch.Tensor, mask: torch.Tensor | None = None) -> ActionOutput:
        emb, maps = self.net.pool_features(fmaps)
        logits, weights = self.net.classify_embeddings(emb, mask)
        return ActionOutput(logits, weights, maps)


def build_model(config: ModelConfig, pretrained: str | None = None) -> ActionNet:
    """Build an `ActionNet`; `pretrained` ('imagenet' or a file) initialises the backbone."""
    return ActionNet(config, pretrained)
