"""Landmark sequence files: one clip of 33 BlazePose landmarks per frame, as an `.npz`.

Format (other code reads it; keep it stable):

- `landmarks` float32 (T, 33, 4): x_px, y_px, z_px, visibility. x/y are pixels of the source
  frame; z is depth relative to the hip midpoint on the same scale as x (smaller = nearer the
  camera), like MediaPipe's; visibility in [0, 1]. A frame with nobody is a row of NaN.
- `fps` float32 scalar (> 0), `size` int32 (2,) = (width, height) of the (virtual) frame.
- `meta` a JSON object as a string (class, camera yaw/elevation, distance, seed, ...).

Files are written atomically and read with `allow_pickle=False`; every defect is one
`DatasetError` line naming the file.
"""
from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from vision.atomic import atomic_file
from vision.errors import DatasetError
from vision.pose.skeleton import LANDMARK_NAMES  # noqa: F401 (part of this module's API)

NUM_LANDMARKS = 33
KEYS = ("landmarks", "fps", "size", "meta")
_ZIP_MAGIC = b"PK\x03\x04"
_NPY_MAGIC = b"\x93NUMPY"


@dataclass(frozen=True)
class LandmarkSequence:
    """One clip: landmarks (T, 33, 4) float32, fps, frame size (width, height), meta dict."""

    landmarks: np.ndarray
    fps: float
    size: tuple[int, int]
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def present(self) -> np.ndarray:
        """(T,) bool: frames where somebody was tracked (rows that are not NaN)."""
        return ~np.isnan(self.landmarks[:, 0, 0])


def validate_sequence(seq: LandmarkSequence, where: str = "sequence") -> None:
    """Raise `DatasetError` (one line, prefixed with `where`) unless `seq` follows the format."""
    lm = seq.landmarks
    if not isinstance(lm, np.ndarray) or lm.ndim != 3 or lm.shape[1:] != (NUM_LANDMARKS, 4):
        shape = getattr(lm, "shape", type(lm).__name__)
        raise DatasetError(f"{where}: landmarks must have shape (T, {NUM_LANDMARKS}, 4), got {shape}")
    if not np.issubdtype(lm.dtype, np.floating):
        raise DatasetError(f"{where}: landmarks must be floating point, got {lm.dtype}")
    if lm.shape[0] == 0:
        raise DatasetError(f"{where}: empty sequence (T = 0)")
    if np.isinf(lm).any():
        raise DatasetError(f"{where}: landmarks hold inf values")
    nan = np.isnan(lm).reshape(len(lm), -1)
    partial = nan.any(1) & ~nan.all(1)
    if partial.any():
        raise DatasetError(f"{where}: frame {int(np.argmax(partial))} is partly NaN (a frame with nobody is all NaN)")
    vis = lm[~nan.all(1), :, 3]
    if vis.size and (vis.min() < 0 or vis.max() > 1):
        raise DatasetError(f"{where}: visibility outside [0, 1] ({vis.min():.3g} .. {vis.max():.3g})")
    if not np.isfinite(seq.fps) or seq.fps <= 0:
        raise DatasetError(f"{where}: fps must be > 0, got {seq.fps}")
    if len(seq.size) != 2 or min(seq.size) <= 0:
        raise DatasetError(f"{where}: size must be two positive integers (width, height), got {seq.size}")
    if not isinstance(seq.meta, dict):
        raise DatasetError(f"{where}: meta must be a dict, got {type(seq.meta).__name__}")


def save_sequence(path: str | Path, seq: LandmarkSequence) -> Path:
    """Validate `seq` and write it to `path` (.npz, uncompressed, atomic); returns the path."""
    path = Path(path)
    validate_sequence(seq, str(path))
    try:
        meta = json.dumps(seq.meta, sort_keys=True, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise DatasetError(f"{path}: meta is not JSON-serialisable ({exc})") from None
    arrays = {
        "landmarks": np.ascontiguousarray(seq.landmarks, dtype=np.float32),
        "fps": np.float32(seq.fps),
        "size": np.asarray(seq.size, dtype=np.int32),
        "meta": np.array(meta),  # a unicode array: loads without pickle
    }
    with atomic_file(path) as tmp, open(tmp, "wb") as f:
        np.savez(f, **arrays)
    return path


def load_sequence(path: str | Path) -> LandmarkSequence:
    """Read and validate one `.npz` landmark sequence; raises `DatasetError` on any defect."""
    path = Path(path)
    try:
        with open(path, "rb") as f:
            magic = f.read(6)
    except OSError as exc:
        raise DatasetError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if magic.startswith(_NPY_MAGIC):
        raise DatasetError(f"{path}: a single .npy array, not an .npz landmark archive")
    if not magic.startswith(_ZIP_MAGIC):
        raise DatasetError(f"{path}: not an .npz file")
    try:
        with np.load(path, allow_pickle=False) as npz:
            missing = [k for k in KEYS if k not in npz.files]
            if missing:
                raise DatasetError(f"{path}: missing key(s) {', '.join(missing)} (has {', '.join(npz.files) or 'none'})")
            arrays = {k: npz[k] for k in KEYS}
    except DatasetError:
        raise
    except ValueError as exc:
        if "pickle" in str(exc):
            raise DatasetError(f"{path}: holds pickled objects (refused: allow_pickle=False)") from None
        raise DatasetError(f"{path}: unreadable npz ({exc})") from None
    except (OSError, zipfile.BadZipFile, EOFError) as exc:
        raise DatasetError(f"{path}: corrupt npz archive ({exc})") from None
    return _from_arrays(arrays, str(path))


def _from_arrays(arrays: dict[str, np.ndarray], where: str) -> LandmarkSequence:
    fps, size, meta = arrays["fps"], arrays["size"], arrays["meta"]
    if fps.shape != () or not np.issubdtype(fps.dtype, np.number):
        raise DatasetError(f"{where}: fps must be a number, got shape {fps.shape} {fps.dtype}")
    if size.shape != (2,) or not np.issubdtype(size.dtype, np.integer):
        raise DatasetError(f"{where}: size must be 2 integers (width, height), got shape {size.shape} {size.dtype}")
    if meta.shape != () or meta.dtype.kind != "U":
        raise DatasetError(f"{where}: meta must be a JSON string, got shape {meta.shape} {meta.dtype}")
    try:
        meta_dict = json.loads(str(meta))
    except json.JSONDecodeError as exc:
        raise DatasetError(f"{where}: meta is not valid JSON ({exc.msg})") from None
    seq = LandmarkSequence(arrays["landmarks"], float(fps), (int(size[0]), int(size[1])), meta_dict)
    validate_sequence(seq, where)
    return seq
