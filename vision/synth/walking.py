"""`walk`: the ways people walk in front of a camera, each a variant drawn per clip (`meta["variant"]`).

Shares in `WALK_WEIGHTS` (forward 30 %, slow and start_stop 16 % each, backward 14 %,
side_step and turning 12 % each):

- `forward`: continuous walking along the facing direction, or marching in place (the
  joint-angle gait shared with `run`, see `periodic`).
- `backward`: facing one way and moving the other; toes land first and the heel leaves last
  (forward walking reversed in time), shorter and slower steps.
- `side_step`: lateral steps, the leading foot out and the other one after it, closing to
  feet together or staying apart.
- `slow`: 0.4-0.8 m/s, short steps and long double support.
- `start_stop`: one to three single steps (a foot out, the other joins it; now and then a
  step through first) forwards, backwards, sideways or diagonally, separated by pauses of
  0.3-1.5 s standing with the feet together; stepping fills at least half of the clip.
- `turning`: normal walking while the heading turns gradually (40-150 degrees in a clip, at
  most 70 degrees a second), the head leading into the turn.

All but `forward` are planned as footsteps (`footwork`): a stance foot stays where it was put,
and the pelvis follows the feet. The direction of travel relative to the camera stays uniform
over the circle, since the camera's yaw is.
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
from vision.synth.motion import MotionContext, pulse
from vision.synth.periodic import _gait
from vision.synth.registry import action
from vision.synth.skeleton import SIDES, Pose

WALK_VARIANTS = ("forward", "backward", "side_step", "slow", "start_stop", "turning")
WALK_WEIGHTS = (0.30, 0.14, 0.12, 0.16, 0.16, 0.12)
_SIGN = {"l": 1, "r": -1}
_PAD = 2.0  # s of plan before and after the clip: steps run on across its edges


@action("walk", own_timing=True)
def walk(ctx: MotionContext) -> Pose:
    """Walking: forward, backward, sideways, slowly, in single steps with pauses, or turning."""
    variant = WALK_VARIANTS[int(ctx.rng.choice(len(WALK_VARIANTS), p=WALK_WEIGHTS))]
    if variant == "forward":
        p = _gait(ctx, run=False)
        p.blend_from_neutral(ctx.envelope())
    else:
        p = _MAKERS[variant](ctx)
    p.info = {"variant": variant, "in_place": bool(p.info.get("in_place", False)),
              **{k: v for k, v in p.info.items() if k != "in_place"}}
    return p


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


def _backward(ctx: MotionContext) -> Pose:
    cadence = ctx.u(1.3, 1.9) * ctx.speed**0.5
    step = ctx.u(0.2, 0.45) * _scale(ctx)
    g = _Gait(180.0, step * cadence, cadence, ctx.u(0.6, 0.7), ctx.u(0.04, 0.08), ctx.u(0.03, 0.06),
              ctx.u(8, 18), -ctx.u(4, 14), ctx.u(0.1, 0.16), ctx.u(0.1, 0.2), _toe_out(ctx))
    b = _Body(ctx.u(0.01, 0.03), ctx.u(1, 4), ctx.u(1, 4), ctx.u(0, 6), ctx.u(3, 14) * ctx.amplitude, 1 / cadence)
    p = _continuous(ctx, g, b, ctx.u(5, 12))
    p["spine_flex"] = ctx.u(0, 8)
    if ctx.chance(0.3):  # a glance over the shoulder at where the feet are going
        glance = pulse(ctx.t, ctx.u(0, max(ctx.t[-1] - 1.0, 0.05)), ctx.u(0.25, 0.5), ctx.u(0.2, 0.8), ctx.u(0.25, 0.5))
        side = 1 if ctx.chance(0.5) else -1
        p["neck_yaw"] = side * ctx.u(25, 60) * glance
        p["spine_twist"] += side * ctx.u(5, 15) * glance
        p.info["glance"] = True
    return p


def _slow(ctx: MotionContext) -> Pose:
    speed = ctx.u(0.4, 0.8)
    cadence = ctx.u(1.2, 1.7)
    g = _Gait(0.0, speed, cadence, ctx.u(0.65, 0.72), ctx.u(0.04, 0.08), ctx.u(0.03, 0.05),
              -ctx.u(5, 12), ctx.u(10, 22), ctx.u(0.1, 0.16), ctx.u(0.12, 0.22), _toe_out(ctx))
    b = _Body(ctx.u(0.015, 0.035), ctx.u(1, 3), ctx.u(1, 4), ctx.u(-1, 4), ctx.u(3, 12) * ctx.amplitude, 1 / cadence)
    p = _continuous(ctx, g, b, ctx.u(5, 12))
    p.info["speed_mps"] = round(speed, 3)
    return p


def _normal_gait(ctx: MotionContext, direction: float = 0.0) -> tuple[_Gait, _Body]:
    cadence = ctx.u(1.6, 2.0) * ctx.speed**0.3
    step = ctx.u(0.33, 0.42) * ctx.body.height * ctx.speed**0.3
    g = _Gait(direction, step * cadence, cadence, ctx.u(0.58, 0.64), ctx.u(0.04, 0.08), ctx.u(0.04, 0.07),
              -ctx.u(10, 20), ctx.u(20, 35), ctx.u(0.08, 0.12), ctx.u(0.12, 0.2), _toe_out(ctx))
    b = _Body(ctx.u(0.01, 0.025), ctx.u(2, 5), ctx.u(2, 6), ctx.u(-2, 4), ctx.u(10, 25) * ctx.amplitude, 1 / cadence)
    return g, b


def _turning(ctx: MotionContext) -> Pose:
    duration = float(ctx.t[-1] - ctx.t[0]) + (float(ctx.t[1] - ctx.t[0]) if ctx.n > 1 else 0.0)
    turn = min(ctx.u(40, 150), 70 * duration) * (1 if ctx.chance(0.5) else -1)
    g, b = _normal_gait(ctx)
    p = _continuous(ctx, g, b, ctx.u(5, 12), turn=turn)
    heading = box_smooth(p["yaw"], max(1, round(0.8 / float(ctx.t[1] - ctx.t[0])))) if ctx.n > 1 else p["yaw"]
    rate = np.gradient(heading, ctx.t) if ctx.n > 1 else np.zeros(ctx.n)
    p["neck_yaw"] = np.clip(rate * ctx.u(0.2, 0.5), -30, 30)  # the head leads into the turn
    p.info["turn_deg"] = round(turn, 1)
    return p


def _side_step(ctx: MotionContext) -> Pose:
    direction = 90.0 if ctx.chance(0.5) else -90.0  # towards the own left or right
    apart = ctx.chance(0.35)
    narrow = (ctx.u(0.28, 0.4) if apart else ctx.u(0.14, 0.24)) * _scale(ctx)
    wide = narrow + ctx.u(0.2, 0.4) * _scale(ctx)
    cadence = ctx.u(1.4, 2.4) * ctx.speed**0.5
    cycle = 2 / cadence
    g = _Gait(direction, (wide - narrow) / cycle, cadence, ctx.u(0.6, 0.75), (wide + narrow) / 4, ctx.u(0.03, 0.07),
              ctx.u(0, 5), ctx.u(0, 8), ctx.u(0.06, 0.1), ctx.u(0.06, 0.12), (ctx.u(0, 10), ctx.u(0, 10)))
    b = _Body(0.0, ctx.u(1, 3), 0.0, ctx.u(-2, 5), 0.0, 1 / cadence)
    p = ctx.pose()
    grid = _grid(ctx)
    feet = _walk_plan(ctx, grid, g, _heading(ctx, grid))
    _pelvis(p, ctx, grid, feet, b, (wide - narrow) / 2, g.toe_out, ctx.u(5, 12))
    apartness = np.hypot(*(feet["l"].ref - feet["r"].ref).T)[grid.clip]
    open_ = (apartness - narrow) / max(wide - narrow, 1e-3)
    for s in SIDES:  # arms hang, or lift a little away from the body as the feet part
        p[f"{s}_sh_az"] = ctx.u(-10, 20)
        p[f"{s}_sh_el"] = ctx.u(5, 12) + ctx.u(0, 10) * open_
        p[f"{s}_elbow"] = ctx.u(10, 40)
    p["neck_flex"] = ctx.u(-5, 12)
    p.info.update(apart=apart, towards="left" if direction > 0 else "right")
    return p


# Single steps: the directions people step in and how far (m at 1.7 m stature).
_STEP_DIRECTIONS = {0.0: (0.38, (0.25, 0.55)), 180.0: (0.32, (0.2, 0.45)), 90.0: (0.08, (0.2, 0.4)),
                    -90.0: (0.08, (0.2, 0.4)), 45.0: (0.035, (0.25, 0.45)), -45.0: (0.035, (0.25, 0.45)),
                    135.0: (0.03, (0.2, 0.4)), -135.0: (0.03, (0.2, 0.4))}  # fmt: skip


@dataclass(frozen=True)
class _Move:
    """One foot's swing inside a bout of single steps."""

    side: str
    start: float  # s after the bout starts
    duration: float
    to: float  # share of the bout's displacement the foot ends at
    turn: float  # share of the bout's turn


@dataclass(frozen=True)
class _Bout:
    """A single step (a foot out, the other joins it), or a step through and a join."""

    direction: float  # degrees from the heading
    length: float  # m the feet end up from where they stood
    moves: tuple[_Move, ...]

    def motion(self, margin: float) -> float:
        """Seconds the body moves: `margin` before the first lift-off to `margin` after the last touch-down."""
        return max(m.start + m.duration for m in self.moves) + 2 * margin

    def scaled(self, f: float) -> _Bout:
        """Quicker (f < 1, with steps as much shorter: the same speed) or slower (f > 1, the same steps)."""
        moves = tuple(_Move(m.side, m.start * f, m.duration * f, m.to, m.turn) for m in self.moves)
        return _Bout(self.direction, self.length * min(1.0, f), moves)


_EDGE_PAUSE = 0.4  # s: a clip with one bout stands still at least this long before or after it
_BOUT_SPEED = 0.6  # m/s: the most the pelvis moves in one foot's swing (half the foot's travel)


def _bout(ctx: MotionContext, direction: float, tempo: float, through_ok: bool) -> _Bout:
    """A bout of single steps towards `direction`; the leading foot is the one on that side."""
    lateral = np.sin(np.deg2rad(direction))
    lead = ("l" if lateral > 0 else "r") if abs(lateral) > 0.5 else SIDES[int(ctx.rng.integers(2))]
    trail = "r" if lead == "l" else "l"
    through = through_ok and abs(lateral) < 0.8 and ctx.chance(0.25)
    step = _step_length(ctx, direction)
    # (side, share of the bout's displacement it ends at, share of its turn); a foot travels `step`
    # per share of 0.5 moved in a step through, `step` per single step otherwise.
    plan = [(lead, 0.5, 0.5), (trail, 1.0, 1.0), (lead, 1.0, 1.0)] if through else [(lead, 1.0, 1.0), (trail, 1.0, 1.0)]
    length = 2 * step if through else step
    moves, clock, at = [], 0.0, {lead: 0.0, trail: 0.0}
    for k, (side, to, turn) in enumerate(plan):
        if k:
            clock += ctx.u(0.03, 0.2) / tempo  # both feet down while the weight moves across
        travel = (to - at[side]) * length
        duration = max(ctx.u(0.3, 0.6) / tempo, 0.5 * travel / _BOUT_SPEED)
        moves.append(_Move(side, clock, duration, to, turn))
        clock += duration
        at[side] = to
    return _Bout(direction, length, tuple(moves))


def _schedule(ctx: MotionContext, duration: float, tempo: float, margin: float) -> list[tuple[float, _Bout]]:
    """Bouts of steps and the pauses between them: (start, bout) per bout.

    A bout's motion lasts from `margin` before its first lift-off to `margin` after its last
    touch-down (the pelvis moves over that span). Pauses between bouts are 0.3-1.5 s; stepping
    fills at least half of the clip where its length allows; a clip with one bout keeps a pause
    of at least `_EDGE_PAUSE` before or after it. Short clips get quicker, shorter steps, long ones
    slower steps or more bouts.
    """
    max_bouts = max(3, int(np.ceil(duration / 1.3)))
    n = int(min(ctx.rng.choice([1, 2, 3], p=[0.35, 0.4, 0.25]), max_bouts))
    directions = list(_STEP_DIRECTIONS)
    weights = np.array([w for w, _ in _STEP_DIRECTIONS.values()])
    main = directions[int(ctx.rng.choice(len(directions), p=weights / weights.sum()))]

    def new_bout() -> _Bout:
        # Mostly the clip's main direction (people step the same way again), with some scatter.
        d = main if ctx.chance(0.85) else directions[int(ctx.rng.choice(len(directions), p=weights / weights.sum()))]
        return _bout(ctx, d + ctx.u(-15, 15), tempo, duration >= 2.5)

    bouts = [new_bout() for _ in range(n)]
    pauses = [ctx.u(0.3, 1.5) for _ in range(n - 1)]

    def stepping() -> float:
        return sum(b.motion(margin) for b in bouts)

    def needed() -> float:
        return stepping() + sum(pauses) + (_EDGE_PAUSE if len(bouts) == 1 else 0.0)

    pace = 1.0  # > 1: slower steps
    for _ in range(60):
        if needed() > duration + 1e-9:  # too long: shorter pauses, then quicker steps, then fewer bouts
            if any(p > 0.3 for p in pauses):
                pauses = [max(0.3, p - 0.1) for p in pauses]
            elif pace > 0.55:
                bouts, pace = [b.scaled(0.95) for b in bouts], pace * 0.95
            elif len(bouts) > 1:
                bouts.pop()
                pauses.pop()
            else:
                break
        elif stepping() < 0.5 * duration:  # too little stepping: another bout, else slower steps
            extra = new_bout().scaled(pace)
            room = duration - (needed() - (_EDGE_PAUSE if len(bouts) == 1 else 0.0) + extra.motion(margin))
            if len(bouts) < max_bouts and room >= 0.3:
                bouts.append(extra)
                pauses.append(min(ctx.u(0.3, 1.5), room))
            elif pace < 1.6:
                bouts, pace = [b.scaled(1.05) for b in bouts], pace * 1.05
            else:
                break
        else:
            break
    free = max(duration - stepping() - sum(pauses), 0.0)
    if len(bouts) == 1 and free >= _EDGE_PAUSE:
        before = ctx.u(_EDGE_PAUSE, free) if ctx.chance(0.5) else free - ctx.u(_EDGE_PAUSE, free)
    else:
        before = ctx.u(0, free)
    out, clock = [], before
    for k, b in enumerate(bouts):
        out.append((clock, b))
        clock += b.motion(margin) + (pauses[k] if k < len(pauses) else 0.0)
    return out


def _roll(ctx: MotionContext, along: float, length: float) -> tuple[float, float]:
    """(land, off) pitch of a single step whose direction is `along` (cosine with the foot's heading)."""
    scale = min(1.0, length / 0.35)
    if along > 0.5:  # forward: heel first, push off the toes
        return -ctx.u(5, 15) * scale, ctx.u(8, 20) * scale
    if along < -0.5:  # backward: toes first
        return ctx.u(6, 18) * scale, ctx.u(-8, 10) * scale
    return ctx.u(0, 6) * scale, ctx.u(0, 10) * scale


def _start_stop(ctx: MotionContext) -> Pose:
    p = ctx.pose()
    grid = _grid(ctx, 1.0)
    duration = float(ctx.t[-1] - ctx.t[0]) + grid.dt
    tempo = ctx.speed**0.5
    smooth = ctx.u(0.25, 0.4)
    margin = smooth / 2 + 0.05
    bouts = _schedule(ctx, duration, tempo, margin)
    half = ctx.u(0.06, 0.12) * _scale(ctx)
    toe_out = _toe_out(ctx)
    heading = 0.0
    centre = np.zeros(2)
    feet = {s: centre + _SIGN[s] * half * _left_axis(np.array(heading)) for s in SIDES}
    state = {s: {"land": grid.t[0] - 1.0, "pos": feet[s], "yaw": heading + _SIGN[s] * toe_out[j], "land_pitch": 0.0,
                 "load": 0.1, "lift": 0.05} for j, s in enumerate(SIDES)}
    plans = {s: FootPlan() for s in SIDES}
    directions = []
    for start, bout in bouts:
        turn = ctx.u(-40, 40) if ctx.chance(0.15) else 0.0
        directions.append(round(bout.direction % 360, 1))
        origin, head0 = centre.copy(), heading
        shift = bout.length * _forward_axis(np.array(heading + bout.direction))
        for m in bout.moves:
            j = SIDES.index(m.side)
            h = head0 + turn * m.turn
            target_centre = origin + m.to * shift
            pos = target_centre + _SIGN[m.side] * half * _left_axis(np.array(h))
            t0 = start + margin + m.start
            st = state[m.side]
            along = float(np.dot(pos - st["pos"], _forward_axis(np.array(st["yaw"] - _SIGN[m.side] * toe_out[j]))))
            dist = float(np.hypot(*(pos - st["pos"])))
            land_pitch, off_pitch = _roll(ctx, along / max(dist, 1e-6), dist)
            plans[m.side].stand(st["land"], t0, tuple(st["pos"]), st["yaw"], land_pitch=st["land_pitch"],
                                off_pitch=off_pitch, load=st["load"], push=ctx.u(0.08, 0.2), lift=st["lift"])
            state[m.side] = {"land": t0 + m.duration, "pos": pos, "yaw": h + _SIGN[m.side] * toe_out[j],
                             "land_pitch": land_pitch, "load": ctx.u(0.08, 0.18),
                             "lift": ctx.u(0.03, 0.07) * max(0.5, min(1.0, dist / 0.3))}
        centre, heading = origin + shift, head0 + turn
    for s in SIDES:
        st = state[s]
        plans[s].stand(st["land"], grid.t[-1] + 1.0, tuple(st["pos"]), st["yaw"], land_pitch=st["land_pitch"],
                       load=st["load"], lift=st["lift"])
    tracks = {s: track_foot(plans[s], ctx.body, s, grid.t) for s in SIDES}
    b = _Body(ctx.u(0.02, 0.05), ctx.u(1, 4), ctx.u(1, 3), ctx.u(-2, 4), ctx.u(0, 8) * ctx.amplitude, smooth)
    q = _pelvis(p, ctx, grid, tracks, b, 0.3, toe_out, ctx.u(4, 10), sway_noise=ctx.u(0.001, 0.004))
    _arms(p, ctx, q, b.arm_swing)
    p["neck_flex"] = ctx.u(-5, 15)
    p["spine_flex"] = ctx.u(-2, 5)
    stepping = sum(min(s0 + b.motion(margin), duration) - max(s0, 0.0) for s0, b in bouts) / duration
    p.info.update(bouts=len(bouts), moves=sum(len(b.moves) for _, b in bouts), directions=",".join(str(d) for d in directions),
                  stepping=round(stepping, 3))
    return p


def _step_length(ctx: MotionContext, direction: float) -> float:
    nearest = min(_STEP_DIRECTIONS, key=lambda d: abs((direction - d + 180) % 360 - 180))
    lo, hi = _STEP_DIRECTIONS[nearest][1]
    return ctx.u(lo, hi) * _scale(ctx)


_MAKERS = {"backward": _backward, "side_step": _side_step, "slow": _slow, "start_stop": _start_stop, "turning": _turning}
