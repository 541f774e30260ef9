"""`classify_video`: decode once, encode each sampled frame once, slide windows over embeddings.

The cost is one encoder pass per sampled frame whatever the stride; windows only run the
small temporal head. The overall label averages the window probabilities, or, for a checkpoint
with a video head (`vision-train --video-head`), comes from that head over the window summaries.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import torch

from vision.checkpoint import Checkpoint
from vision.data.clips import dense_windows
from vision.engine.posefront import NO_PERSON, UNKNOWN, Rejection, frame_heatmap, segments, track_video_samples, window_verdict
from vision.engine.windows import (classify_summaries, classify_windows, encode_features, encode_video, model_device,
                                   window_batches, window_summaries)
from vision.pose.features import PRESENT, upright
from vision.errors import CheckpointError
from vision.video.decode import iter_frames, probe


@dataclass(frozen=True)
class WindowResult:
    """One window of the timeline: time span, top-k and the temporal attention weights."""

    start: float
    end: float
    first_frame: int
    last_frame: int
    labels: list[str]
    probs: list[float]
    temporal_weights: list[float]
    status: str = ""  # pose models: "no person" or "unknown" instead of a class
    reason: str = ""  # why the status, in a few words (`posefront.window_verdict`)

    @property
    def label(self) -> str:
        return self.status or self.labels[0]


@dataclass
class VideoResult:
    """Timeline and whole-video summary of one video."""

    path: str
    duration: float
    native_fps: float
    sampled_fps: float | None
    frames: int  # sampled frames fed to the encoder
    windows: list[WindowResult]
    summary: list[tuple[str, float]]
    seconds: float = 0.0
    times: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)
    attention_maps: np.ndarray = field(default_factory=lambda: np.zeros((0, 1, 1)), repr=False)
    window_probs: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)), repr=False)
    overall: str = "average"  # how `summary` was made: "average" of windows or the "video" head
    reason: str = ""  # an `unknown` summary: how many windows with a person were `unknown`

    @property
    def top(self) -> tuple[str, float]:
        return self.summary[0]

    def to_json(self) -> dict:
        """A JSON-ready dict (no arrays)."""
        return {
            "path": self.path,
            "duration": round(self.duration, 3),
            "native_fps": round(self.native_fps, 3),
            "sampled_fps": self.sampled_fps,
            "frames": self.frames,
            "label": self.summary[0][0],
            "probability": round(self.summary[0][1], 5),
            "summary": [{"label": label, "probability": round(p, 5)} for label, p in self.summary],
            "overall": self.overall,
            "reason": self.reason,
            "timeline": [
                {
                    "start": round(w.start, 3), "end": round(w.end, 3),
                    "first_frame": w.first_frame, "last_frame": w.last_frame,
                    "label": w.label, "reason": w.reason,
                    "labels": w.labels, "probs": [round(p, 5) for p in w.probs],
                    "temporal_weights": [round(x, 5) for x in w.temporal_weights],
                }
                for w in self.windows
            ],
            "seconds": round(self.seconds, 3),
        }


def topk(probs: np.ndarray, labels: list[str], k: int) -> tuple[list[str], list[float]]:
    """The k most probable labels and their probabilities."""
    order = np.argsort(-probs)[: min(k, len(labels))]
    return [labels[i] for i in order], [float(probs[i]) for i in order]


OVERALL = ("auto", "average", "video")


def overall_probs(ckpt: Checkpoint, embeddings: torch.Tensor, window_probs: np.ndarray, how: str = "auto") -> tuple[np.ndarray, str]:
    """The video's class probabilities (C,) and how they were made.

    `average`: the mean of the window probabilities. `video`: the checkpoint's video head over
    window summaries taken with the checkpoint's own T and stride (what the head was trained
    on, whatever windows the timeline uses). `auto`: the video head when there is one.
    """
    has_head = getattr(ckpt.model, "video", None) is not None
    if how not in OVERALL:
        raise ValueError(f"overall must be one of {', '.join(OVERALL)}, got {how!r}")
    if how == "video" and not has_head:
        raise CheckpointError(f"{ckpt.path}: no video head (train one with vision-train --video-head)")
    if how == "average" or not has_head:
        return window_probs.mean(0), "average"
    clip = ckpt.clip_config
    summaries = window_summaries(ckpt.model, embeddings, dense_windows(len(embeddings), clip.num_frames, clip.stride))
    logits = classify_summaries(ckpt.model, summaries).logits  # (1, C)
    return torch.softmax(logits, dim=1)[0].numpy(), "video"


@torch.no_grad()
def classify_video(
    ckpt: Checkpoint,
    path: str | Path,
    *,
    window: int | None = None,
    stride: int | None = None,
    fps: float | None = None,
    k: int = 5,
    batch_size: int = 64,
    progress: Callable[[int], None] | None = None,
    overall: str = "auto",
) -> VideoResult:
    """Classify one video file; raises `VideoError` for unreadable input.

    Args:
        window, stride, fps: override the checkpoint's clip length, head stride and sampling rate.
        overall: how the overall label is made (see `overall_probs`).
        progress: called with the number of frames just encoded.
    """
    started = time.perf_counter()
    clip = ckpt.clip_config
    t, s = window or clip.num_frames, stride or clip.stride
    sample_fps = fps or clip.fps
    info = probe(path)
    if ckpt.model_config.input == "pose":
        emb, frame_times, maps, windows, features = _encode_pose_video(ckpt, path, sample_fps, t, s, batch_size)
        if progress:
            progress(len(emb))
        return _video_result(ckpt, path, info, emb, frame_times, maps, windows, sample_fps, k, overall, started,
                             features)
    embeddings, maps, times, chunk, chunk_times = [], [], [], [], []
    before: list[np.ndarray] = []  # the last frame of the previous chunk (motion input's predecessor)

    def flush() -> None:
        encoded = encode_video(ckpt.model, np.stack(chunk), clip, batch_size, before[0] if before else None)
        before[:] = [chunk[-1]]
        embeddings.append(encoded.embeddings)
        maps.append(encoded.attention_maps.numpy())
        times.extend(chunk_times)
        if progress:
            progress(len(chunk))
        chunk.clear()
        chunk_times.clear()

    size = (clip.frame_size, clip.frame_size)
    # Decode once, each kept frame shrunk to the model's input as it is converted to RGB (cheaper,
    # and a batch of full-size 8K frames would take 6 GB); stream them in encoder batches.
    for frame in iter_frames(path, fps=sample_fps, size=size):
        chunk.append(frame.rgb)
        chunk_times.append(frame.time)
        if len(chunk) == batch_size:
            flush()
    if chunk:
        flush()
    emb = torch.cat(embeddings)  # (N, D)
    return _video_result(ckpt, path, info, emb, np.array(times), np.concatenate(maps), dense_windows(len(emb), t, s),
                         sample_fps, k, overall, started)


def _encode_pose_video(ckpt: Checkpoint, path: str | Path, sample_fps: float | None, t: int, s: int,
                       batch_size: int) -> tuple[torch.Tensor, np.ndarray, np.ndarray, list[np.ndarray], np.ndarray]:
    """Pose models: track the sampled frames, encode their features; windows never span two tracks."""
    device = model_device(ckpt.model)
    video = track_video_samples(path, sample_fps, "cuda" if device.type == "cuda" else "cpu")
    encoded = encode_features(ckpt.model, video.features, batch_size)
    w, h = video.size
    maps = np.stack([frame_heatmap(m, c, w, h).astype(np.float16)
                     for m, c in zip(encoded.attention_maps.numpy(), video.canvases)])
    windows = [win + a for a, b in segments(video.tracks) for win in dense_windows(b - a, t, s)]
    return encoded.embeddings, video.times, maps, windows, video.features


def window_distances(model, embeddings: torch.Tensor, windows: list[np.ndarray], rejection: Rejection  # noqa: ANN001
                     ) -> np.ndarray | None:
    """(W,) distance of each window to the nearest class prototype (few-shot rejection), or None."""
    if rejection.prototypes is None:
        return None
    out = [rejection.distances(model, emb, mask) for emb, mask in window_batches(embeddings, windows, 256, model_device(model))]
    return None if any(d is None for d in out) else np.concatenate(out)


def _video_result(ckpt: Checkpoint, path: str | Path, info, emb: torch.Tensor, frame_times: np.ndarray,  # noqa: ANN001
                  maps: np.ndarray, windows: list[np.ndarray], sample_fps: float | None, k: int, overall: str,
                  started: float, features: np.ndarray | None = None) -> VideoResult:
    """Classify the windows over the encoded frames and assemble the timeline and summary
    (`features`: pose models' per-frame features, for the `no person` and upright checks)."""
    head = classify_windows(ckpt.model, emb, windows)
    probs = torch.softmax(head.logits, dim=1).numpy()  # (W, C)
    step = 1.0 / sample_fps if sample_fps else 1.0 / info.fps
    rejection = Rejection.from_extra(ckpt.extra)
    distances = window_distances(ckpt.model, emb, windows, rejection)
    results = []
    for i, (w, p, weights) in enumerate(zip(windows, probs, head.temporal_weights.numpy())):
        labels, ps = topk(p, ckpt.labels, k)
        seen = features[w, PRESENT] > 0 if features is not None else np.ones(len(w), bool)
        standing = upright(features[w]) if features is not None and rejection.upright_only else None
        status, reason = window_verdict(seen, p, rejection.threshold,
                                        None if distances is None else float(distances[i]), rejection.radius, standing)
        results.append(WindowResult(
            float(frame_times[w[0]]), float(frame_times[w[-1]] + step), int(w[0]), int(w[-1]),
            labels, ps, [float(x) for x in weights[: len(w)]], status, reason,
        ))
    summary, how, reason = _summary(ckpt, emb, probs, results, overall, k)
    duration = info.duration or float(frame_times[-1] + step)
    return VideoResult(
        str(path), duration, info.fps, sample_fps, len(emb), results, summary,
        time.perf_counter() - started, frame_times, maps, probs, how, reason,
    )


def _summary(ckpt: Checkpoint, emb: torch.Tensor, probs: np.ndarray, results: list[WindowResult], overall: str,
             k: int) -> tuple[list[tuple[str, float]], str, str]:
    """The whole video's top-k, how it was made and a reason: `no person` when no window shows
    one; `unknown` when most windows with a person are (their share as its probability); else
    the windows that name a class, averaged (or the video head)."""
    person = [i for i, r in enumerate(results) if r.status != NO_PERSON]
    named = [i for i in person if not results[i].status]
    if not person:
        return [(NO_PERSON, 1.0)], "average", ""
    if 2 * len(named) < len(person):
        unknown = len(person) - len(named)
        return [(UNKNOWN, unknown / len(person))], "average", f"{unknown} of {len(person)} windows with a person"
    video_probs, how = overall_probs(ckpt, emb, probs[named], overall)
    return list(zip(*topk(video_probs, ckpt.labels, k))), how, ""
