"""What an action generator gets (`MotionContext`) and the timing shapes it builds motions from.

Periodic actions run a phase with a slowly drifting rate; one-shot actions are repetitions of
an eased go / hold / return pulse. Both live inside the clip's active window, which may begin
and end in the neutral stance (transitions in and out) or be cut by the clip's edges.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vision.synth.geometry import ramp, smooth_noise
from vision.synth.skeleton import BodyShape, Pose


@dataclass(frozen=True)
class MotionContext:
    """Per-clip timing and style handed to an action generator."""

    t: np.ndarray  # (T,) seconds from the clip's first frame
    rng: np.random.Generator
    body: BodyShape  # for motions that must fit the body (hands meeting in a clap)
    speed: float  # rate multiplier (1 = typical)
    amplitude: float  # range-of-motion multiplier (1 = typical)
    hand: str  # "l" or "r": the acting side of one-sided actions
    start: float  # the action is fully on from `start + ramp_in` ...
    end: float  # ... until `end - ramp_out`
    ramp_in: float  # 0: the clip opens mid-action
    ramp_out: float  # 0: the clip ends mid-action
    busy_hands: float = 0.0  # share of walking clips with the hands busy (pockets, a phone, a cup; `walking`)
    wide_arms: float = 0.0  # share of walking clips with the arms carried away from the body (`walking`)

    @property
    def other(self) -> str:
        """The side that is not `hand`."""
        return "r" if self.hand == "l" else "l"

    @property
    def n(self) -> int:
        """Number of frames."""
        return len(self.t)

    def pose(self) -> Pose:
        """A neutral pose over this clip's frames."""
        return Pose(self.n)

    def envelope(self) -> np.ndarray:
        """(T,) 0 in the neutral stance, 1 while the action is fully on."""
        return ramp(self.t, self.start, self.ramp_in) * (1 - ramp(self.t, self.end - self.ramp_out, self.ramp_out))

    def phase(self, freq: float) -> np.ndarray:
        """(T,) radians of a cycle at `freq` Hz x speed, its rate drifting +-8 %, random start."""
        rate = freq * self.speed * (1 + 0.08 * smooth_noise(self.rng, self.t, 0.3)[0])
        dt = np.diff(self.t, prepend=self.t[0])
        return 2 * np.pi * np.cumsum(rate * dt) + self.rng.uniform(0, 2 * np.pi)

    def u(self, lo: float, hi: float) -> float:
        """A uniform random draw (shorthand for the many style choices)."""
        return float(self.rng.uniform(lo, hi))

    def chance(self, p: float) -> bool:
        """True with probability p."""
        return bool(self.rng.random() < p)

    def reps(self, period: float, max_reps: int, rise: float, hold: float, fall: float) -> list[np.ndarray]:
        """One (T,) 0..1 profile per repetition that fits inside the active window.

        Each repetition eases up over `rise`, holds, eases back over `fall`, then rests; all
        are fractions of `period` (seconds at speed 1). At least one always happens (shortened
        when the window is shorter than a period); a clip that opens or ends mid-action may
        cut its first or last one.
        """
        p = period / self.speed * self.u(0.85, 1.15)
        lo = self.start - (0.0 if self.ramp_in else self.u(0.0, 0.5) * p)
        hi = self.end + (0.0 if self.ramp_out else self.u(0.0, 0.5) * p)
        window = max(hi - lo, 1e-3)
        n = int(np.clip(np.floor(window / p), 1, max_reps))
        p = min(p, window / n)
        gap = (window - n * p) * self.u(0.0, 1.0)  # where the set starts inside the window
        return [pulse(self.t, lo + gap + k * p, rise * p, hold * p, fall * p) for k in range(n)]


def pulse(t: np.ndarray, start: float, rise: float, hold: float, fall: float) -> np.ndarray:
    """(T,) eased 0 -> 1 over `rise`, 1 for `hold`, eased back to 0 over `fall`."""
    return ramp(t, start, rise) * (1 - ramp(t, start + rise + hold, fall))


def harmonic(phase: np.ndarray, rng: np.random.Generator, second: float = 0.15) -> np.ndarray:
    """(T,) sin(phase) with a small random second harmonic: no two clips swing identically."""
    return np.sin(phase) + rng.uniform(0, second) * np.sin(2 * phase + rng.uniform(0, 2 * np.pi))


def half_wave(x: np.ndarray) -> np.ndarray:
    """max(0, x): the 'only one way' part of a swing (knee lift, push)."""
    return np.maximum(x, 0.0)


def cycle01(phase: np.ndarray) -> np.ndarray:
    """(T,) 0 at phase 0, 1 at phase pi: a smooth open/close cycle."""
    return 0.5 * (1 - np.cos(phase))


def random_window(rng: np.random.Generator, duration: float) -> tuple[float, float, float, float]:
    """(start, end, ramp_in, ramp_out) of the action inside a clip of `duration` seconds.

    Half the clips open in the neutral stance and ease in, half open mid-action; the same for
    the end. The action always fills at least about half of the clip.
    """
    ramp_in = float(rng.uniform(0.25, 0.6)) if rng.random() < 0.5 else 0.0
    ramp_out = float(rng.uniform(0.25, 0.6)) if rng.random() < 0.5 else 0.0
    start = float(rng.uniform(0.0, 0.12 * duration)) if ramp_in else 0.0
    end = duration - (float(rng.uniform(0.0, 0.12 * duration)) if ramp_out else 0.0)
    return start, end, ramp_in, ramp_out

