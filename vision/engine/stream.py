"""`StreamingClassifier`: live predictions at one encoder pass per sampled frame.

Each sampled frame is preprocessed and encoded once; its embedding and attention map go into a
ring of the last T frames, and every `stride` frames the temporal head runs over the ring. The
window's logits equal `ActionNet.forward` on the same T frames. Several streams can be pushed
together so their frames share one encoder call (many cameras, one GPU).

Pose models track the person on every pushed frame (`vision.engine.posefront`); a sampled
frame's "encoding" is its landmark features through the model's pose encoder. Their windows
restart when a new track begins, and say `no person` when most of the window is empty.
"""
from __future__ import annotations

import math
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Hashable

import numpy as np
import torch

from vision.checkpoint import Checkpoint
from vision.data.motion import has_motion, stack_motion
from vision.data.transforms import preprocess_frames, resize_frames
from vision.engine.windows import autocast_for, model_device
from vision.engine.posefront import PoseStream, Rejection, frame_heatmap, shared_estimator, window_verdict
from vision.model.fuse import fuse_conv_bn
from vision.pose.features import PRESENT, upright
from vision.pose.tracker import Pose, PoseTracker


@dataclass(frozen=True)
class Latency:
    """Where the time of one prediction went, in milliseconds (encode: this frame's share)."""

    preprocess_ms: float
    encode_ms: float
    head_ms: float

    @property
    def total_ms(self) -> float:
        return self.preprocess_ms + self.encode_ms + self.head_ms


@dataclass(frozen=True)
class Prediction:
    """One streaming prediction (immutable, safe to hand to another thread)."""

    frame_index: int  # index among sampled frames of this stream
    timestamp: float  # seconds, the newest frame's time
    labels: list[str]  # top-k of this window
    probs: list[float]
    smoothed_labels: list[str]  # top-k of the EMA-smoothed probabilities
    smoothed_probs: list[float]
    all_probs: np.ndarray  # (C,) smoothed, in label order
    heatmap: np.ndarray  # (h, w) spatial attention of the newest frame
    temporal_weights: np.ndarray  # (n,) over the window's frames, oldest first
    latency: Latency
    status: str = ""  # "" (a class), "no person" or "unknown" (`posefront.window_verdict` says when)
    reason: str = ""  # why the status, in a few words (`posefront.window_verdict`)
    pose: Pose | None = None  # pose models: the person tracked in the newest frame

    @property
    def label(self) -> str:
        """What to show: the smoothed top label, or the status when there is one."""
        return self.status or self.smoothed_labels[0]


@dataclass
class _Stream:
    embeddings: deque = field(default_factory=deque)
    maps: deque = field(default_factory=deque)
    present: deque = field(default_factory=deque)  # pose models: whether each frame showed the person
    upright: deque = field(default_factory=deque)  # pose models: whether that person stood upright
    pose: PoseStream | None = None
    previous: torch.Tensor | None = None  # motion-input models: the last sampled frame, preprocessed
    sampled: int = 0
    last_slot: int | None = None
    smoothed: np.ndarray | None = None
    distance: float | None = None  # EMA-smoothed distance to the nearest class (few-shot rejection)
    preprocess_ms: float = 0.0
    encode_ms: float = 0.0


class StreamingClassifier:
    """Classify live frames with a loaded checkpoint.

    Args:
        ckpt: loaded checkpoint (model on its device, eval mode).
        stride: sampled frames between predictions (default 1: the head costs ~1 ms, so live
            views update on every sampled frame; the checkpoint's stride is for batch windows).
        k: labels kept in each prediction.
        ema: weight of the previous smoothed probabilities (0 = no smoothing).
        sample_fps: sampling rate by timestamp (default: the model's fps; None in the
            checkpoint means every frame). Frames between samples are skipped cheaply.
        min_frames: frames needed before the first prediction (default T).
    """

    def __init__(
        self,
        ckpt: Checkpoint,
        *,
        stride: int | None = None,
        k: int = 5,
        ema: float = 0.6,
        sample_fps: float | None | str = "model",
        min_frames: int | None = None,
    ) -> None:
        self.ckpt = ckpt
        self.clip = ckpt.clip_config
        self.window = self.clip.num_frames
        self.stride = stride or 1
        self.k = k
        self.ema = ema
        self.sample_fps = self.clip.fps if sample_fps == "model" else sample_fps
        self.min_frames = min(self.window, min_frames or self.window)
        self.device = model_device(ckpt.model)
        # batch-of-one encoding: fewer, fused ops (export backends come fused from their runtime)
        self.model = fuse_conv_bn(ckpt.model) if isinstance(ckpt.model, torch.nn.Module) else ckpt.model
        self._streams: dict[Hashable, _Stream] = {}
        self.is_pose = ckpt.model_config.input == "pose"
        self.motion = has_motion(ckpt.model_config.input)
        self.rejection = Rejection.from_extra(ckpt.extra)
        self.unknown_threshold = self.rejection.threshold
        self._pose_estimator = shared_estimator(str(self.device)) if self.is_pose else None

    def reset(self, stream: Hashable | None = None) -> None:
        """Forget the frames of one stream (or all)."""
        if stream is None:
            self._streams.clear()
        else:
            self._streams.pop(stream, None)

    def _state(self, stream: Hashable) -> _Stream:
        if stream not in self._streams:
            pose = PoseStream(PoseTracker(self._pose_estimator)) if self.is_pose else None
            self._streams[stream] = _Stream(*(deque(maxlen=self.window) for _ in range(4)), pose)
        return self._streams[stream]

    def last_pose(self, stream: Hashable = 0) -> tuple[Pose | None, float]:
        """Pose models: the person tracked in the newest frame of `stream` (sampled or not), and
        what tracking that frame cost in milliseconds."""
        state = self._streams.get(stream)
        return (None, 0.0) if state is None or state.pose is None else (state.pose.last_pose, state.pose.ms)

    def wants(self, timestamp: float, stream: Hashable = 0) -> bool:
        """Whether a frame at `timestamp` would be sampled (callers may skip decoding it)."""
        if self.sample_fps is None or self.is_pose:  # pose models track every frame
            return True
        last = self._state(stream).last_slot
        return last is None or self._slot(timestamp) > last

    def _slot(self, timestamp: float) -> int:
        return math.floor(timestamp * self.sample_fps + 1e-6)

    def push(self, rgb: np.ndarray, timestamp: float, stream: Hashable = 0) -> Prediction | None:
        """Add one RGB frame (H, W, 3) uint8; returns a Prediction when the head ran."""
        return self.push_many([(stream, rgb, timestamp)]).get(stream)

    @torch.no_grad()
    def push_many(self, frames: list[tuple[Hashable, np.ndarray, float]]) -> dict[Hashable, Prediction]:
        """Add frames of several streams with one batched encoder call; returns new predictions."""
        taken = []
        t0 = time.perf_counter()
        for stream, rgb, ts in frames:
            state = self._state(stream)
            if state.pose is not None:
                state.pose.observe(rgb, ts)
            if self._sampled(state, ts):
                taken.append((stream, rgb, ts))
        if not taken:
            return {}
        if self.is_pose:
            x, canvases = self._pose_inputs(taken)
        else:
            size = self.clip.frame_size  # streams may differ in frame size: resize each, then stack
            x = preprocess_frames(np.concatenate([resize_frames(rgb[None], size) for _, rgb, _ in taken]), self.clip)
            if self.motion:
                x = self._with_motion(x, [stream for stream, _, _ in taken])
        standing = self.is_pose and self.rejection.upright_only  # only then does a window ask
        upright_rows = upright(x.numpy()) if standing else np.ones(len(taken), bool)
        x = x.to(self.device)  # (n, C, S, S) or pose features (n, F)
        if self.device.type == "cuda" and x.ndim == 4:
            x = x.contiguous(memory_format=torch.channels_last)
        t1 = time.perf_counter()
        with autocast_for(self.device):
            encoded = self.model.encode_frames(x)
        emb = encoded.embeddings.float()  # (n, D), stays on the device
        maps = encoded.attention_maps.float().cpu().numpy()  # (n, h, w)
        if self.is_pose:  # canvas maps -> maps over each frame, where the person is
            maps = [frame_heatmap(m, c, rgb.shape[1], rgb.shape[0]) for m, c, (_, rgb, _) in zip(maps, canvases, taken)]
        if self.device.type == "cuda":
            torch.cuda.synchronize()
        t2 = time.perf_counter()
        share = 1000.0 / len(taken)
        due = []
        for i, (stream, _, ts) in enumerate(taken):
            state = self._state(stream)
            state.embeddings.append(emb[i])
            state.maps.append(maps[i])
            state.present.append(bool(x[i, PRESENT] > 0) if self.is_pose else True)
            state.upright.append(bool(upright_rows[i]))
            state.sampled += 1
            state.preprocess_ms = (t1 - t0) * share
            state.encode_ms = (t2 - t1) * share
            if len(state.embeddings) >= self.min_frames and (state.sampled - self.min_frames) % self.stride == 0:
                due.append((stream, ts))
        return self._run_head(due)

    def _sampled(self, state: _Stream, timestamp: float) -> bool:
        """Whether a frame at `timestamp` is a model sample (and take its time slot)."""
        if self.sample_fps is None:
            return True
        slot = self._slot(timestamp)
        if state.last_slot is not None and slot <= state.last_slot:
            return False
        state.last_slot = slot
        return True

    def _with_motion(self, x: torch.Tensor, streams: list[Hashable]) -> torch.Tensor:
        """Motion-input models: frames (n, 3, S, S) -> each stacked with its difference from the
        stream's previous sampled frame (`vision.data.motion`)."""
        previous = []
        for i, stream in enumerate(streams):
            state = self._state(stream)
            previous.append(x[i] if state.previous is None else state.previous)  # a stream's first frame: no motion
            state.previous = x[i]
        return stack_motion(x, torch.stack(previous), self.ckpt.model_config.input, self.clip)  # (n, C, S, S)

    def _pose_inputs(self, taken: list[tuple[Hashable, np.ndarray, float]]) -> tuple[torch.Tensor, list]:
        """Features (n, F) of the sampled frames and their canvases; restarts windows on new tracks."""
        feats, canvases = [], []
        for stream, _, _ in taken:
            state = self._state(stream)
            f, canvas, restart = state.pose.sample()
            if restart:  # another person (or the same one found again): a fresh window
                for ring in (state.embeddings, state.maps, state.present, state.upright):
                    ring.clear()
                state.sampled, state.smoothed, state.distance = 0, None, None
            feats.append(f)
            canvases.append(canvas)
        return torch.from_numpy(np.stack(feats)), canvases

    def _run_head(self, due: list[tuple[Hashable, float]]) -> dict[Hashable, Prediction]:
        if not due:
            return {}
        t0 = time.perf_counter()
        states = [self._state(s) for s, _ in due]
        longest = max(len(s.embeddings) for s in states)
        batch = torch.zeros(len(due), longest, states[0].embeddings[0].shape[0], device=self.device)
        mask = torch.zeros(len(due), longest, dtype=torch.bool, device=self.device)
        for i, state in enumerate(states):
            n = len(state.embeddings)
            batch[i, :n] = torch.stack(list(state.embeddings))
            mask[i, :n] = True
        with autocast_for(self.device):
            head = self.model.classify_embeddings(batch, mask)
        probs = torch.softmax(head.logits.float(), dim=1).cpu().numpy()  # (b, C)
        distances = self.rejection.distances(self.model, batch, mask)  # (b,) or None
        weights = head.temporal_weights.float().cpu().numpy()
        head_ms = (time.perf_counter() - t0) * 1000 / len(due)
        out = {}
        for i, ((stream, ts), state) in enumerate(zip(due, states)):
            p = probs[i]
            state.smoothed = p if state.smoothed is None else self.ema * state.smoothed + (1 - self.ema) * p
            if distances is not None:
                d = float(distances[i])
                state.distance = d if state.distance is None else self.ema * state.distance + (1 - self.ema) * d
            top, top_s = np.argsort(-p)[: self.k], np.argsort(-state.smoothed)[: self.k]
            status, reason = window_verdict(np.array(state.present), state.smoothed, self.unknown_threshold,
                                            state.distance, self.rejection.radius,
                                            np.array(state.upright) if self.rejection.upright_only else None)
            labels = self.ckpt.labels
            out[stream] = Prediction(
                frame_index=state.sampled - 1,
                timestamp=ts,
                labels=[labels[j] for j in top],
                probs=[float(p[j]) for j in top],
                smoothed_labels=[labels[j] for j in top_s],
                smoothed_probs=[float(state.smoothed[j]) for j in top_s],
                all_probs=state.smoothed.copy(),
                heatmap=state.maps[-1],
                temporal_weights=weights[i, : len(state.embeddings)].copy(),
                latency=Latency(state.preprocess_ms, state.encode_ms, head_ms),
                status=status,
                reason=reason,
                pose=None if state.pose is None else state.pose.last_pose,
            )
        return out

