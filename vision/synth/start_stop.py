"""`walk`'s `start_stop` variant: bouts of single steps separated by pauses standing still.

A bout is a foot out and the other joining it (now and then a step through first), forwards,
backwards, sideways or diagonally; `_schedule` fits bouts and pauses into the clip.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vision.synth.footwork import FootPlan, track_foot
from vision.synth.motion import MotionContext
from vision.synth.skeleton import SIDES, Pose
from vision.synth.stepping import (
    _SIGN,
    _arms,
    _Body,
    _forward_axis,
    _grid,
    _left_axis,
    _pelvis,
    _scale,
    _toe_out,
)

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
