"""Vectorised rotations and smooth time profiles shared by the body, motions and camera.

Body frame convention (right-handed, metres): x = the person's left, y = up, z = the
direction the person faces. All angles handed to these functions are in radians, one per frame.
"""
from __future__ import annotations

import numpy as np


def rx(a: np.ndarray) -> np.ndarray:
    """(T,) angles -> (T, 3, 3) rotations about x (positive tips +y towards +z)."""
    c, s = np.cos(a), np.sin(a)
    o, z = np.ones_like(a), np.zeros_like(a)
    return np.stack([o, z, z, z, c, -s, z, s, c], -1).reshape(*a.shape, 3, 3)


def ry(a: np.ndarray) -> np.ndarray:
    """(T,) angles -> (T, 3, 3) rotations about y (positive turns +z towards +x)."""
    c, s = np.cos(a), np.sin(a)
    o, z = np.ones_like(a), np.zeros_like(a)
    return np.stack([c, z, s, z, o, z, -s, z, c], -1).reshape(*a.shape, 3, 3)


def rz(a: np.ndarray) -> np.ndarray:
    """(T,) angles -> (T, 3, 3) rotations about z (positive turns +x towards +y)."""
    c, s = np.cos(a), np.sin(a)
    o, z = np.ones_like(a), np.zeros_like(a)
    return np.stack([c, -s, z, s, c, z, z, z, o], -1).reshape(*a.shape, 3, 3)


def smoothstep(x: np.ndarray) -> np.ndarray:
    """0 below 0, 1 above 1, C1-smooth in between: eases every transition."""
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3.0 - 2.0 * x)


def ramp(t: np.ndarray, start: float, duration: float) -> np.ndarray:
    """Eased 0 -> 1 over [start, start + duration] (a step when duration is 0)."""
    if duration <= 0:
        return (t >= start).astype(float)
    return smoothstep((t - start) / duration)


def smooth_noise(rng: np.random.Generator, t: np.ndarray, freq: float, n: int = 1, terms: int = 3) -> np.ndarray:
    """(n, T) random smooth signals with unit-ish amplitude: a few sines up to about `freq` Hz.

    Idle sway, fidgeting and posture drift are band-limited, so a handful of random sines is
    both cheap and realistic; no per-frame random walk (that would flicker).
    """
    f = rng.uniform(0.3, 1.0, (n, terms, 1)) * freq
    p = rng.uniform(0, 2 * np.pi, (n, terms, 1))
    a = rng.uniform(0.5, 1.0, (n, terms, 1))
    out = (a * np.sin(2 * np.pi * f * t + p)).sum(1)  # (n, T)
    return out / np.sqrt((a**2).sum(1) / 2)
