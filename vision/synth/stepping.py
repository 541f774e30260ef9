"""Walking on planned footsteps: what `walk`'s variants (and standing over planted feet) share.

A time grid padded past the clip's edges, ground axes for a heading, the footsteps of a
continuous gait along a path (`_walk_plan`), and the pelvis and arms that ride on the feet
(`_pelvis`, `_arms`); `_continuous` puts them together for a steady gait.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vision.synth.footwork import (
    FootPlan,
    FootTrack,
    box_smooth,
    solve_legs,
    track_foot,
)
from vision.synth.geometry import ramp, smooth_noise, smoothstep
from vision.synth.motion import MotionContext
from vision.synth.skeleton import SIDES, Pose

_SIGN = {"l": 1, "r": -1}
_PAD = 2.0  # s of plan before and after the clip: steps run on across its edges


@dataclass(frozen=True)
class _Grid:
    """The clip's frame times padded on both sides; `clip` picks the clip's frames."""

    t: np.ndarray
    clip: slice
    dt: float

    def frames(self, seconds: float) -> int:
        return max(1, round(seconds / self.dt))


def _grid(ctx: MotionContext, pad: float = _PAD) -> _Grid:
    dt = float(ctx.t[1] - ctx.t[0]) if ctx.n > 1 else 1 / 30
    n_pad = int(np.ceil(pad / dt))
    return _Grid(ctx.t[0] + dt * np.arange(-n_pad, ctx.n + n_pad), slice(n_pad, n_pad + ctx.n), dt)


def _left_axis(yaw_deg: np.ndarray) -> np.ndarray:
    """(…, 2) ground (x, z) of the own-left axis for a heading (the body frame's x turned by yaw)."""
    a = np.deg2rad(yaw_deg)
    return np.stack([np.cos(a), -np.sin(a)], -1)


def _forward_axis(yaw_deg: np.ndarray) -> np.ndarray:
    a = np.deg2rad(yaw_deg)
    return np.stack([np.sin(a), np.cos(a)], -1)


@dataclass(frozen=True)
class _Gait:
    """A continuous stepping pattern along a path."""

    direction: float  # degrees of travel from the heading: 0 forward, 180 backward, +90 to the own left
    speed: float  # m/s along the path
    cadence: float  # steps per second (both feet)
    duty: float  # share of a stride each foot stands
    half_width: float  # m from the path to each ankle
    lift: float  # m of ankle clearance mid-swing
    land_pitch: float  # degrees at touch-down (> 0 toes first)
    off_pitch: float  # degrees at lift-off (> 0 the heel rises first)
    load: float  # s to roll flat after touch-down
    push: float  # s of roll before lift-off
    toe_out: tuple[float, float]  # degrees, left and right


def _envelope(ctx: MotionContext, t: np.ndarray) -> np.ndarray:
    """The clip's envelope on a padded grid: a clip that opens or ends mid-action keeps going past its edges."""
    env = np.ones(len(t))
    if ctx.ramp_in:
        env *= ramp(t, ctx.start, ctx.ramp_in)
    if ctx.ramp_out:
        env *= 1 - ramp(t, ctx.end - ctx.ramp_out, ctx.ramp_out)
    return env


def _walk_plan(ctx: MotionContext, grid: _Grid, g: _Gait, heading: np.ndarray) -> dict[str, FootTrack]:
    """Footsteps of a continuous gait: each foot put down beside the path where the pelvis will be mid-stance."""
    t = grid.t
    ang = heading + g.direction
    speed = g.speed * _envelope(ctx, t)
    path = np.cumsum(speed[:, None] * _forward_axis(ang), 0) * grid.dt
    path -= path[grid.clip.start]
    cycle = 2.0 / g.cadence
    stride = g.speed * cycle  # each foot's travel per step it takes
    first = t[0] - cycle + ctx.u(0, cycle)
    lead = int(ctx.rng.integers(2))
    tracks = {}
    for j, s in enumerate(SIDES):
        plan = FootPlan()
        for land in np.arange(first + (0.0 if j == lead else 0.5 * cycle), t[-1] + cycle, cycle):
            off = land + g.duty * cycle
            mid = 0.5 * (land + off)
            h = float(np.interp(mid, t, heading))
            centre = np.array([np.interp(mid, t, path[:, 0]), np.interp(mid, t, path[:, 1])])
            pos = centre + _SIGN[s] * g.half_width * _left_axis(np.array(h))
            plan.stand(land, off, (float(pos[0]), float(pos[1])), h + _SIGN[s] * g.toe_out[j], land_pitch=g.land_pitch,
                       off_pitch=g.off_pitch, load=g.load, push=g.push, lift=g.lift)
        _scale_rolls(plan, stride)
        tracks[s] = track_foot(plan, ctx.body, s, t)
    return tracks


def _scale_rolls(plan: FootPlan, full: float) -> None:
    """Short steps (speeding up, slowing down) roll and lift less than full ones."""
    for k in range(1, len(plan.pos)):
        step = float(np.hypot(*np.subtract(plan.pos[k], plan.pos[k - 1])))
        frac = min(1.0, step / max(full, 1e-6))
        plan.land_pitch[k] *= frac
        plan.off_pitch[k - 1] *= frac
        plan.lift[k] *= max(0.5, frac)


@dataclass(frozen=True)
class _Body:
    """How the pelvis and arms ride on the footsteps."""

    sway: float  # m towards the standing foot
    roll: float  # degrees the pelvis drops on the swinging side
    rotation: float  # degrees the pelvis turns with the leading leg
    lean: float  # pelvis pitch, degrees
    arm_swing: float  # degrees of arm swing against the legs
    smooth: float  # s: the pelvis follows the feet averaged over this (a step period for a steady gait)


def _pelvis(p: Pose, ctx: MotionContext, grid: _Grid, feet: dict[str, FootTrack], b: _Body, step: float,
            toe_out: tuple[float, float], knee_bend: float, sway_noise: float = 0.0) -> np.ndarray:
    """Pelvis path, yaw, roll and pitch from the feet; solves the legs; returns q (T,): > 0 the left foot ahead."""
    l, r = feet["l"], feet["r"]
    window = grid.frames(b.smooth)
    heading = box_smooth((l.yaw + r.yaw - toe_out[0] + toe_out[1]) / 2, window)
    centre = box_smooth(box_smooth((l.ref + r.ref) / 2, window), grid.frames(0.08))
    standing = box_smooth(l.stance.astype(float) - r.stance.astype(float), grid.frames(max(0.4 * b.smooth, 0.25)))  # +1: only the left
    centre += b.sway * standing[:, None] * _left_axis(heading)
    if sway_noise:  # standing still is not perfectly still
        centre += sway_noise * smooth_noise(ctx.rng, grid.t, 0.35, n=2).T
    fwd = _forward_axis(heading)
    ahead = ((l.ref - r.ref) * fwd).sum(1) / max(step, 0.05)  # > 0: the left foot leads
    q = box_smooth(np.clip(ahead, -1.5, 1.5), grid.frames(0.1))
    sl = grid.clip
    p["yaw"] = (heading - b.rotation * q)[sl]  # the pelvis turns with the leading leg
    p["roll"] = (-b.roll * standing)[sl]  # > 0 drops the own left: the side that swings
    p["pitch"] = b.lean
    solve_legs(p, ctx.body, feet, centre, knee_bend, sl)
    p["spine_twist"] = 0.8 * b.rotation * q[sl]  # the shoulders turn against the pelvis
    return q[sl]


def _arms(p: Pose, ctx: MotionContext, q: np.ndarray, swing: float) -> None:
    """Each arm swings forward with the other side's leg."""
    elbow = ctx.u(12, 28)
    for s in SIDES:
        forward = -_SIGN[s] * q  # the left arm comes forward as the right foot does
        p[f"{s}_sh_az"] = ctx.u(75, 95)
        p[f"{s}_sh_tw"] = p[f"{s}_sh_az"] * ctx.u(0.8, 1.0)  # the elbow bends forward in the swing plane
        p[f"{s}_sh_el"] = ctx.u(2, 6) + swing * forward
        p[f"{s}_elbow"] = elbow + ctx.u(0.2, 0.5) * swing * np.maximum(forward, 0)


def _heading(ctx: MotionContext, grid: _Grid, turn: float = 0.0) -> np.ndarray:
    """Degrees: a slight wander, plus `turn` degrees spread over most of the clip; only while walking."""
    t = grid.t
    duration = float(ctx.t[-1] - ctx.t[0]) + grid.dt
    rate = np.full(len(t), ctx.u(-8, 8) / max(duration, 1e-3))
    if turn:
        span = duration * ctx.u(0.6, 1.0)
        start = ctx.t[0] + ctx.u(0, duration - span)
        rate = rate + turn * np.gradient(smoothstep((t - start) / span), grid.dt)
    heading = np.cumsum(rate * _envelope(ctx, t)) * grid.dt  # someone standing does not turn
    return heading - heading[grid.clip.start]


def _continuous(ctx: MotionContext, g: _Gait, b: _Body, knee_bend: float, turn: float = 0.0) -> Pose:
    p = ctx.pose()
    grid = _grid(ctx)
    feet = _walk_plan(ctx, grid, g, _heading(ctx, grid, turn))
    step = g.speed / g.cadence
    q = _pelvis(p, ctx, grid, feet, b, step, g.toe_out, knee_bend)
    _arms(p, ctx, q, b.arm_swing)
    p["spine_flex"] = ctx.u(-2, 5)
    p["neck_flex"] = ctx.u(-5, 12)
    return p


def _toe_out(ctx: MotionContext) -> tuple[float, float]:
    return ctx.u(0, 12), ctx.u(0, 12)


def _scale(ctx: MotionContext) -> float:
    """Step lengths scale with stature."""
    return ctx.body.height / 1.7
