"""Few-shot training, step 1: every clip through the frozen encoder once, as windows of embeddings.

A clip gives `views` versions of itself (view 0 as recorded, the others with changes that keep
its meaning: playback speed, small camera roll and scale, landmark noise and lost frames for
pose; crops and colour for RGB) and from each version up to `crops` windows of T sampled frames
(all of a clip shorter than T, masked). Mirroring is off by default: a user's classes may be
"step left" and "step right", and nothing tells us they are not (`mirror=True` when they are
not, e.g. waving with either hand).

Pose clips are tracked once at 1.5x the model's rate (not every frame: tracking is the
expensive part, and the batch engine tracks at the model's rate too) and cached as landmark
sequences; embeddings are cached per clip, encoder and options, so training again after
recording one more clip only embeds that clip.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

import numpy as np
import torch

from vision.checkpoint import WEIGHTS_FILE, Checkpoint
from vision.config import ClipConfig
from vision.data.cache import DecodeParams, FrameCache
from vision.data.clips import spread_windows
from vision.data.landmarks import LandmarkSequence, load_sequence
from vision.data.posedata import LandmarkCache, PoseAugment, resample
from vision.data.transforms import TrainAugment, preprocess_frames
from vision.data.ucf import LANDMARK_SUFFIX, VideoItem
from vision.engine.posefront import MIN_BODY, TRACK_SHORT_SIDE
from vision.engine.windows import encode_features
from vision.errors import ConfigError, DatasetError, VideoError
from vision.pose.features import body_height, sequence_features

EMBED_VERSION = 2
TRACK_RATE = 1.5  # clips are tracked at this multiple of the model's fps (room for speed changes)
MIN_PERSON = 0.5  # a clip "has a person" when this share of its frames shows one


@dataclass(frozen=True)
class EmbedOptions:
    """How each clip is turned into training windows."""

    views: int = 6  # versions of each clip: 1 as recorded + augmented ones
    crops: int = 3  # windows of T frames spread over each version (clips longer than T)
    mirror: bool = False  # left/right flips (only when no class depends on the side)
    seed: int = 0


@dataclass
class ClipEmbedding:
    """One clip's windows of frame embeddings."""

    item: VideoItem
    windows: torch.Tensor  # (W, T, D) float32, W = views x crops (fewer for short clips)
    masks: torch.Tensor  # (W, T) bool, valid-step prefix
    views: torch.Tensor  # (W,) int64: the version each window comes from (0 = as recorded)
    frames: int  # sampled frames of the clip as recorded
    seconds: float
    person: float | None  # share of frames with a person (pose clips), else None
    summary: torch.Tensor | None = None  # (W, S) under the encoder's own LSTM (set by the run, not cached)

    @property
    def recorded(self) -> torch.Tensor:
        """(W,) bool: windows of the clip as recorded (what held-out evaluation reads)."""
        return self.views == 0


def person_share(seq: LandmarkSequence) -> float:
    """Share of frames showing a person big enough to count (the engines' rule)."""
    if len(seq.landmarks) == 0:
        return 0.0
    height = body_height(seq.landmarks)
    found = seq.present & (height >= MIN_BODY * min(seq.size))
    return float(found.mean())


class SampledLandmarkCache(LandmarkCache):
    """`LandmarkCache` that tracks videos at `fps` (by timestamp) instead of every frame, and
    at most `TRACK_SHORT_SIDE` pixels on the short side (the networks see 224/256 px anyway)."""

    def __init__(self, root: str | Path | None, fps: float | None, device: str = "cpu") -> None:
        super().__init__(root)
        self.fps, self.device = fps, device

    def key(self, path: Path) -> str:
        return hashlib.sha1(f"{super().key(path)}|fps={self.fps}|short={TRACK_SHORT_SIDE}".encode()).hexdigest()

    def entry(self, path: Path) -> Path | None:
        """Where `path`'s landmarks are (or would be) cached; None without a cache directory."""
        return None if self.root is None else self.root / f"{self.key(path)}.npz"

    def _track(self, path: Path) -> LandmarkSequence:
        from vision.engine.posefront import shared_estimator
        from vision.pose.tracker import PoseTracker
        from vision.video.decode import iter_frames, probe

        info = probe(path)
        shrink = TRACK_SHORT_SIDE if min(info.width, info.height) > TRACK_SHORT_SIDE else None
        tracker = PoseTracker(shared_estimator(self.device))
        rows, times, size = [], [], (info.width, info.height)
        for frame in iter_frames(path, fps=self.fps, short_side=shrink):
            size = (frame.rgb.shape[1], frame.rgb.shape[0])
            pose = tracker.update(frame.rgb, frame.time)
            rows.append(np.full((33, 4), np.nan, np.float32) if pose is None else pose.landmarks)
            times.append(frame.time)
        if not rows:
            raise VideoError(f"{path}: no decodable video frames")
        span = times[-1] - times[0]
        fps = (len(times) - 1) / span if len(times) > 1 and span > 0 else (self.fps or info.fps)
        return LandmarkSequence(np.stack(rows), float(fps), size, {"source": str(path)})


def file_digest(path: Path) -> str:
    """sha1 of a file's bytes (encoder weights: ~1 MB, read once per run)."""
    digest = hashlib.sha1()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class FrozenEncoder:
    """A checkpoint's frame encoder (pose or RGB), frozen, turning clips into `ClipEmbedding`s.

    cache_root: where tracked landmarks, decoded frames and embeddings are kept (None: nowhere).
    """

    def __init__(self, ckpt: Checkpoint, cache_root: Path | None, options: EmbedOptions, device: str = "cpu") -> None:
        if ckpt.model_config.input not in ("pose", "rgb"):
            raise ConfigError(f"{ckpt.path}: few-shot builds on pose or rgb encoders, not {ckpt.model_config.input!r}")
        self.ckpt, self.options = ckpt, options
        self.clip: ClipConfig = ckpt.clip_config
        self.is_pose = ckpt.model_config.input == "pose"
        self.model = ckpt.model.eval()
        for p in self.model.parameters():
            p.requires_grad_(False)
        self.cache_root = cache_root
        track_fps = None if self.clip.fps is None else self.clip.fps * TRACK_RATE
        self.landmarks = SampledLandmarkCache(None if cache_root is None else cache_root / "pose", track_fps, device)
        self.frames = FrameCache(None if cache_root is None else cache_root / "frames", DecodeParams.for_clip(self.clip))
        weights = ckpt.path / WEIGHTS_FILE
        self.identity = f"{EMBED_VERSION}|{file_digest(weights) if weights.is_file() else ckpt.path}|{options}|{self.clip}"

    # -- caching ---------------------------------------------------------------------------------
    def _entry(self, path: Path) -> Path | None:
        if self.cache_root is None:
            return None
        st = path.resolve().stat()
        key = hashlib.sha1(f"{path.resolve()}|{st.st_size}|{st.st_mtime_ns}|{self.identity}".encode()).hexdigest()
        return self.cache_root / "fewshot" / f"{key}.safetensors"

    def embed(self, item: VideoItem) -> ClipEmbedding:
        """The clip's windows; raises `DatasetError` / `VideoError` naming the file."""
        from safetensors.torch import load_file, save_file

        from vision.atomic import atomic_file

        try:
            entry = self._entry(item.path)
        except OSError as exc:
            raise VideoError(f"{item.path}: {exc.strerror or exc}") from None
        if entry is not None and entry.is_file():
            try:
                t = load_file(str(entry))
                meta = json.loads(bytes(t["meta"].tolist()).decode())
                return ClipEmbedding(item, t["windows"], t["masks"].bool(), t["views"], meta["frames"], meta["seconds"],
                                     meta["person"])
            except Exception:  # a damaged entry: embed again
                pass
        clip = self._compute(item)
        if entry is not None:
            meta = json.dumps({"frames": clip.frames, "seconds": clip.seconds, "person": clip.person}).encode()
            tensors = {"windows": clip.windows.contiguous(), "masks": clip.masks.to(torch.uint8), "views": clip.views,
                       "meta": torch.tensor(list(meta), dtype=torch.uint8)}
            entry.parent.mkdir(parents=True, exist_ok=True)
            with atomic_file(entry) as tmp:
                save_file(tensors, str(tmp))
        return clip

    # -- computing -------------------------------------------------------------------------------
    def sequence(self, path: Path) -> LandmarkSequence:
        """A pose clip's landmarks (tracked once, cached)."""
        return load_sequence(path) if path.suffix.lower() == LANDMARK_SUFFIX else self.landmarks.load(path)

    def _compute(self, item: VideoItem) -> ClipEmbedding:
        rng = np.random.default_rng([self.options.seed, int(hashlib.sha1(str(item.path).encode()).hexdigest()[:8], 16)])
        if self.is_pose:
            seq = self.sequence(item.path)
            versions = self._pose_versions(seq, rng)
            encoded = encode_features(self.model, np.concatenate(versions)).embeddings  # (sum n, D)
            person, seconds = person_share(seq), len(seq.landmarks) / seq.fps
        else:
            decoded = self.frames.load(item.path)
            frames = np.asarray(decoded.frames)
            versions = self._rgb_versions(frames, int(rng.integers(2**31)))
            encoded = self._encode_rgb(torch.cat(versions))
            person = None
            seconds = float(decoded.times[-1] - decoded.times[0]) + (1 / self.clip.fps if self.clip.fps else 0.0)
        sizes = [len(v) for v in versions]
        if sizes[0] < 2:
            raise DatasetError(f"{item.path}: too short ({sizes[0]} frame(s) at {self.clip.fps:g} fps; need 2)")
        windows, masks, views = [], [], []
        t = self.clip.num_frames
        for v, emb in enumerate(torch.split(encoded, sizes)):  # emb (n, D)
            for idx in spread_windows(len(emb), t, self.options.crops):
                w = torch.zeros(t, emb.shape[1])
                w[: len(idx)] = emb[idx]
                m = torch.zeros(t, dtype=torch.bool)
                m[: len(idx)] = True
                windows.append(w), masks.append(m), views.append(v)
        return ClipEmbedding(item, torch.stack(windows), torch.stack(masks), torch.tensor(views), sizes[0], seconds, person)

    def _pose_versions(self, seq: LandmarkSequence, rng: np.random.Generator) -> list[np.ndarray]:
        """Feature sequences (n, F) of the clip as recorded and of `views - 1` augmented versions."""
        augment = PoseAugment(mirror=self.options.mirror, rotate=8.0, scale=(0.9, 1.1), jitter=0.008, drop=0.03,
                              speed=(0.8, 1.25))
        out = [sequence_features(resample(seq, self.clip.fps))]
        for _ in range(self.options.views - 1):
            lms = resample(seq, self.clip.fps, rng.uniform(*augment.speed), rng.random())
            out.append(sequence_features(augment(lms, seq.size, rng)))
        return out

    def _rgb_versions(self, frames: np.ndarray, seed: int) -> list[torch.Tensor]:
        """Preprocessed frames (n, 3, S, S) as recorded and `views - 1` augmented versions
        (one crop and colour draw per version; flips only with `mirror`)."""
        augment = TrainAugment(self.clip, flip=self.options.mirror, scale=(0.7, 1.0))
        with torch.random.fork_rng():  # torchvision draws from torch's global generator: the same versions every run
            torch.manual_seed(seed)
            return [preprocess_frames(frames, self.clip)] + [augment(frames) for _ in range(self.options.views - 1)]

    @torch.no_grad()
    def _encode_rgb(self, x: torch.Tensor, batch: int = 64) -> torch.Tensor:
        device = next(self.model.parameters()).device
        out = [self.model.encode_frames(x[i : i + batch].to(device)).embeddings.float().cpu() for i in range(0, len(x), batch)]
        return torch.cat(out)


def embed_all(encoder: FrozenEncoder, items: Iterable[VideoItem], progress: Callable[[int], None] | None = None,
              cancelled: Callable[[], bool] = lambda: False) -> tuple[list[ClipEmbedding], list[tuple[Path, str]]]:
    """Embed every clip; unreadable or too-short ones are returned as `(path, reason)`, not raised."""
    done, bad = [], []
    for i, item in enumerate(items):
        if cancelled():
            raise TrainingCancelled()
        try:
            clip = encoder.embed(item)
        except (DatasetError, VideoError) as exc:
            bad.append((item.path, str(exc)))
        else:
            if clip.person == 0.0:  # a pose model learns nothing from a clip without anybody
                bad.append((item.path, f"{item.path}: nobody found in the clip"))
            else:
                done.append(clip)
        if progress:
            progress(i + 1)
    return done, bad


class TrainingCancelled(Exception):
    """Raised inside few-shot training when its `cancelled` callback says so."""


def probe_person(cache: SampledLandmarkCache, items: list[VideoItem], cancelled: Callable[[], bool] = lambda: False,
                 progress: Callable[[int], None] | None = None) -> tuple[bool, int, int]:
    """Whether a person is found in most clips: `(pose?, clips with a person, clips looked at)`.

    Clips are tracked (and cached) one by one until the answer is certain, so an RGB dataset
    stops after about half its clips. Unreadable clips count as neither.
    """
    readable = len(items)
    yes = no = 0
    for i, item in enumerate(items):
        if cancelled():
            raise TrainingCancelled()
        try:
            seq = load_sequence(item.path) if item.path.suffix.lower() == LANDMARK_SUFFIX else cache.load(item.path)
        except (DatasetError, VideoError):
            readable -= 1
            continue
        finally:
            if progress:
                progress(i + 1)
        if person_share(seq) >= MIN_PERSON:
            yes += 1
        else:
            no += 1
        if yes * 2 > readable or no * 2 >= readable:
            break
    return yes * 2 > readable, yes, yes + no
