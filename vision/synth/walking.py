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
and the pelvis follows the feet (`stepping`; the single steps of `start_stop` in `start_stop`).
The direction of travel relative to the camera follows the camera's yaw: uniform over the
circle, plus the share of clips filmed from in front of the face (`ClipOptions.facing_rate`),
where stepping forwards or backwards is walking towards or away from the camera.
"""
from __future__ import annotations

import numpy as np

from vision.synth.everyday import plan_posture
from vision.synth.footwork import box_smooth
from vision.synth.motion import MotionContext, pulse
from vision.synth.periodic import _gait
from vision.synth.posture import STANDING, hold_postures
from vision.synth.registry import action
from vision.synth.skeleton import SIDES, Pose
from vision.synth.start_stop import _start_stop
from vision.synth.stepping import (
    _Body,
    _continuous,
    _Gait,
    _grid,
    _heading,
    _pelvis,
    _scale,
    _toe_out,
    _walk_plan,
)

WALK_VARIANTS = ("forward", "backward", "side_step", "slow", "start_stop", "turning")
WALK_WEIGHTS = (0.30, 0.14, 0.12, 0.16, 0.16, 0.12)


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
    if ctx.busy_hands and ctx.chance(ctx.busy_hands):
        _busy_hands(p, ctx)
    elif ctx.wide_arms and ctx.chance(ctx.wide_arms):
        _wide_arms(p, ctx)
    return p


# What people walk with their hands doing (`no_action`'s postures, on the walking trunk).
BUSY_HANDS = {"pockets": 0.35, "phone": 0.25, "holding": 0.2, "arms_folded": 0.1, "talking": 0.1}


def _busy_hands(p: Pose, ctx: MotionContext) -> None:
    """Replace the swinging arms with a `no_action` posture held while walking, so that walking is
    told by the legs and the travel, not by arms hanging at the sides."""
    names = list(BUSY_HANDS)
    variant = names[int(ctx.rng.choice(len(names), p=list(BUSY_HANDS.values())))]
    hold_postures(p, ctx, [plan_posture(ctx, variant, STANDING)], [np.ones(ctx.n)])
    p.info["hands"] = variant


WIDE_ARMS_DEG = (6.0, 24.0)  # how far out from the body the arms are carried


def _wide_arms(p: Pose, ctx: MotionContext) -> None:
    """Carry both arms away from the body (abducted by `WIDE_ARMS_DEG`), their swing unchanged: as
    people hold them for balance stepping back or stepping carefully, or over a broad build or a
    coat. Walkers' arms otherwise hang straight down the sides, which `no_action`'s do not always:
    a model must not tell the two apart by that."""
    for s in SIDES:
        p[f"{s}_sh_el"], az = abduct(p[f"{s}_sh_el"], p[f"{s}_sh_az"], ctx.u(*WIDE_ARMS_DEG))
        p[f"{s}_sh_tw"] = p[f"{s}_sh_tw"] + (az - p[f"{s}_sh_az"])  # the same twist about the arm
        p[f"{s}_sh_az"] = az
    p.info["arms"] = "wide"


def abduct(elevation: np.ndarray, azimuth: np.ndarray, degrees: float) -> tuple[np.ndarray, np.ndarray]:
    """A shoulder's (elevation, azimuth) (`kinematics._arm`: raised by `elevation` in the plane
    swung `azimuth` forward from the side) with the arm turned out sideways by `degrees` more."""
    el, az, out = np.deg2rad(elevation), np.deg2rad(azimuth), np.deg2rad(degrees)
    side, down, front = np.cos(az) * np.sin(el), np.cos(el), np.sin(az) * np.sin(el)
    side, down = side * np.cos(out) + down * np.sin(out), down * np.cos(out) - side * np.sin(out)
    return np.rad2deg(np.arccos(np.clip(down, -1, 1))), np.rad2deg(np.arctan2(front, side))


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


_MAKERS = {"backward": _backward, "side_step": _side_step, "slow": _slow, "start_stop": _start_stop, "turning": _turning}
