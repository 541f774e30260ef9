"""`no_action`: standing or sitting about, doing none of the actions (`other` is in `nonactions`).

`no_action` variants (`meta["variant"]["variant"]`, shares in `VARIANT_WEIGHTS`; see `everyday`
for how each places the hands): `arms_down` (the first version's rest postures: hanging,
crossed, on the hips, clasped in front, behind the back; seated also on the thighs), `surface`
(hands resting on a table, counter or desk), `typing`, `writing`, `phone` (looking down at it),
`holding` (a cup, a phone at face height or at the ear), `pockets`, `talking` (small irregular
hand gestures), `arms_folded`, `hand_on_hip`, `holding_arm` and `leaning` (weight on one leg,
the hip out, the trunk tilted; a forearm on a counter or one of the standing postures).
`meta["variant"]["stance"]` is standing, seated or leaning; `calm` (about 40 % of the clips)
means a few millimetres of sway and hands at rest. Other clips shift their weight, look about,
and a third of them change posture once (`then`), easing over about a second.
Feet never leave the floor: standing is solved over planted feet (`footwork`), never a step.
"""
from __future__ import annotations

import numpy as np

from vision.synth.everyday import plan_posture
from vision.synth.footwork import FootPlan, solve_legs, track_foot
from vision.synth.geometry import smooth_noise, smoothstep
from vision.synth.motion import MotionContext, pulse
from vision.synth.posture import (
    LEANING,
    MOVING_HANDS,
    SEATED,
    STANDING,
    VARIANT_STANCES,
    Posture,
    hold_postures,
)
from vision.synth.registry import action
from vision.synth.skeleton import SIDES, Pose

VARIANT_WEIGHTS = {
    "arms_down": 0.24, "surface": 0.09, "typing": 0.06, "writing": 0.03, "phone": 0.10, "holding": 0.07,
    "pockets": 0.08, "talking": 0.10, "arms_folded": 0.06, "hand_on_hip": 0.05, "holding_arm": 0.04, "leaning": 0.08,
}  # fmt: skip
VARIANTS = tuple(VARIANT_WEIGHTS)
SEATED_SHARE = 0.15  # of the variants that may be seated
CALM_SHARE = 0.49  # of the variants whose hands may rest: about 40 % of all clips
SHIFT_SHARE = 0.35  # of the clips that are not calm: one change of posture


def keyframes(ctx: MotionContext, lo: float, hi: float, every: tuple[float, float]) -> np.ndarray:
    """(T,) eased moves between random values in [lo, hi], a new one every `every` seconds."""
    times = [ctx.t[0] - ctx.u(0, every[1])]
    while times[-1] <= ctx.t[-1]:
        times.append(times[-1] + ctx.u(*every))
    knots = np.array(times)
    values = ctx.rng.uniform(lo, hi, len(knots))
    k = np.clip(np.searchsorted(knots, ctx.t, side="right") - 1, 0, len(knots) - 2)
    x = smoothstep((ctx.t - knots[k]) / (knots[k + 1] - knots[k]))
    return values[k] + (values[k + 1] - values[k]) * x


def _sit(p: Pose, ctx: MotionContext) -> None:
    """Seated on an unseen chair with both feet on the floor (each shin's tilt solved to reach it)."""
    thigh, shin = ctx.body.thigh, ctx.body.shin
    p["pitch"] = ctx.u(-5, 8)
    flex = [ctx.u(80, 95), 0.0]
    flex[1] = flex[0] + ctx.u(-8, 8)
    lean = [np.deg2rad(f - p["pitch"][0]) for f in flex]  # thigh from vertical, world
    tilt0 = np.deg2rad(ctx.u(-15, 25))  # shin tilted back (> 0: feet tucked under the seat)
    drop = thigh * np.cos(lean[0]) + shin * np.cos(tilt0)  # hip to ankle, vertically
    cos1 = (drop - thigh * np.cos(lean[1])) / shin
    tilt1 = np.arccos(np.clip(cos1, -1.0, 1.0)) * (1 if ctx.chance(0.6) else -1)
    if cos1 > 1:  # the second shin cannot reach: its thigh tilts to make up the difference
        tilt1, lean[1] = 0.0, np.arccos(np.clip((drop - shin) / thigh, -1.0, 1.0))
        flex[1] = float(np.rad2deg(lean[1])) + p["pitch"][0]
    abd = ctx.u(3, 12)
    for s, f, tilt in zip(SIDES, flex, (tilt0, tilt1)):
        p[f"{s}_hip_flex"] = f
        p[f"{s}_knee"] = np.rad2deg(tilt) - p["pitch"] + f
        p[f"{s}_hip_abd"] = abd + ctx.u(-2, 2)
    p.planted = True  # no personal offsets on the legs: both feet stay on the floor


def _stand(p: Pose, ctx: MotionContext, still: bool, leaning: bool = False) -> None:
    """Both feet planted where they stand; the pelvis sways and shifts its weight over them.

    `leaning`: the weight on one leg, the hip pushed out over it, the other knee relaxed.
    """
    t = ctx.t
    half = ctx.u(0.05, 0.15) * ctx.body.height / 1.7
    ahead = ctx.u(0.0, 0.1) if ctx.chance(0.4) else 0.0  # one foot a little forward
    front = SIDES[int(ctx.rng.integers(2))]
    feet = {}
    for s in SIDES:
        plan = FootPlan()
        sign = 1 if s == "l" else -1
        plan.stand(float(t[0]) - 1.0, float(t[-1]) + 1.0, (sign * half, ahead if s == front else 0.0), sign * ctx.u(0, 15))
        feet[s] = track_foot(plan, ctx.body, s, t)
    centre = (feet["l"].ref + feet["r"].ref) / 2
    loaded = 1 if ctx.hand == "r" else -1  # +1: the left leg bears the weight
    if still:  # postural sway of a few millimetres
        sway = np.array([ctx.u(0.001, 0.004), ctx.u(0.002, 0.006)])
        centre = centre + sway * smooth_noise(ctx.rng, t, 0.3, n=2).T
        p["roll"] = 0.0
        if leaning:  # the hip out over the loaded leg, held
            out = loaded * ctx.u(0.03, 0.055)
            centre[:, 0] += out
            p["roll"] = -ctx.u(60, 100) * out
            p.info["rest_leg"] = ctx.hand
    else:  # weight shifts from foot to foot, the pelvis dropping on the unloaded side
        shift = ctx.u(0.005, 0.03) * smooth_noise(ctx.rng, t, 0.25)[0]
        if leaning:
            shift = 0.4 * shift + loaded * ctx.u(0.03, 0.055)
            p.info["rest_leg"] = ctx.hand
        elif ctx.chance(0.4):  # resting on one leg: the other knee relaxes as its hip drops
            shift = shift + loaded * ctx.u(0.015, 0.045)
            p.info["rest_leg"] = ctx.hand
        centre = centre + np.stack([shift, ctx.u(0.003, 0.012) * smooth_noise(ctx.rng, t, 0.3)[0]], 1)
        p["roll"] = -(ctx.u(60, 100) if leaning else ctx.u(40, 80)) * shift
        p["yaw"] = ctx.u(0, 4) * smooth_noise(ctx.rng, t, 0.15)[0]
    p["pitch"] = ctx.u(-3, 3)
    if leaning:  # the trunk tilts back over the loaded leg
        p["spine_side"] = -loaded * ctx.u(2, 7)
    solve_legs(p, ctx.body, feet, centre, ctx.u(1, 6), softness=0.0005)


def _second(ctx: MotionContext, first: str, stance: str) -> str:
    """A posture to change to: another one that fits the stance."""
    names = [v for v in VARIANTS if stance in VARIANT_STANCES[v] and v != first]
    weights = np.array([VARIANT_WEIGHTS[v] for v in names])
    return names[int(ctx.rng.choice(len(names), p=weights / weights.sum()))]


@action("no_action", own_timing=True)
def no_action(ctx: MotionContext) -> Pose:
    """Standing, leaning or seated, doing none of the actions: an everyday posture (see the module doc).

    Feet stay on the floor throughout: weight shifts move the pelvis over planted feet, never a
    step (that would be `walk`'s start-stop variant).
    """
    p, t = ctx.pose(), ctx.t
    variant = VARIANTS[int(ctx.rng.choice(len(VARIANTS), p=list(VARIANT_WEIGHTS.values())))]
    stances = VARIANT_STANCES[variant]
    stance = stances[0] if len(stances) == 1 else SEATED if SEATED in stances and ctx.chance(SEATED_SHARE) else STANDING
    calm = variant not in MOVING_HANDS and ctx.chance(CALM_SHARE)
    postures = [plan_posture(ctx, variant, stance, calm)]
    mix = np.zeros(ctx.n)
    if not calm and ctx.chance(SHIFT_SHARE):  # one change of posture: each held for a while, then eased over
        then = variant if variant == "leaning" else _second(ctx, variant, stance)
        postures.append(plan_posture(ctx, then, stance))
        span = ctx.u(0.6, 1.2) / ctx.speed
        start = ctx.u(0.3, max(0.35, float(t[-1]) - span - 0.3))
        mix = smoothstep((t - start) / span)
    p.info.update(variant=variant, stance=stance, calm=calm, seated=stance == SEATED, **postures[0].info)
    if len(postures) > 1:
        p.info["then"] = postures[1].info.get("arms", postures[1].name) if variant == "leaning" else postures[1].name
    if stance == SEATED:
        _sit(p, ctx)
    else:
        _stand(p, ctx, calm, leaning=stance == LEANING)
    # Breathing: the chest rises and falls 12-20 times a minute.
    p["spine_flex"] = ctx.u(-3, 8) + ctx.u(0.2, 0.6) * np.sin(2 * np.pi * ctx.u(0.2, 0.33) * t + ctx.u(0, 2 * np.pi))
    if calm:  # eyes ahead (or on what the hands hold), hands at rest: only the personal tremor, turned down
        p["neck_yaw"] = ctx.u(0, 3) * smooth_noise(ctx.rng, t, 0.2)[0]
        p["neck_flex"] = ctx.u(-5, 15) + ctx.u(0, 1.5) * smooth_noise(ctx.rng, t, 0.3)[0]
        p.tremor = ctx.u(0.1, 0.3)
    else:
        p["neck_yaw"] = ctx.u(0, 35) * smooth_noise(ctx.rng, t, 0.35)[0]
        p["neck_flex"] = ctx.u(-5, 15) + ctx.u(0, 8) * smooth_noise(ctx.rng, t, 0.4)[0]
    _arms(p, ctx, postures, mix, calm)
    return p


def _arms(p: Pose, ctx: MotionContext, postures: list[Posture], mix: np.ndarray, calm: bool) -> None:
    """Trunk and head of the postures, then the arms on the measured trunk; free hands fidget unless calm."""
    weights = [1 - mix, mix] if len(postures) > 1 else [np.ones(ctx.n)]
    free = hold_postures(p, ctx, postures, weights)
    if calm:
        return
    t = ctx.t
    for s in free:  # restless hands: a few centimetres of drift at the wrist
        for name, amp in (("sh_el", 3), ("sh_az", 5), ("elbow", 8)):
            p[f"{s}_{name}"] += ctx.u(0, amp) * smooth_noise(ctx.rng, t, 0.5)[0]
    if free and ctx.chance(0.3):  # one brief gesture: touch the face or scratch the head, then back
        g = pulse(t, ctx.u(0, max(t[-1] - 1.5, 0.1)), ctx.u(0.3, 0.6), ctx.u(0.2, 0.8), ctx.u(0.3, 0.6))
        s = ctx.hand if ctx.hand in free else free[0]
        for name, target in (("sh_el", ctx.u(35, 80)), ("sh_az", ctx.u(70, 100)), ("sh_tw", 0), ("elbow", ctx.u(120, 145))):
            p[f"{s}_{name}"] += (target - p[f"{s}_{name}"]) * g
        p.info["gesture"] = "face"
    elif free and ctx.chance(0.3):  # or a small adjustment: one forearm comes up a little (a sleeve, a pocket) and back
        g = pulse(t, ctx.u(0, max(t[-1] - 1.2, 0.1)), ctx.u(0.3, 0.6), ctx.u(0.0, 0.8), ctx.u(0.3, 0.6))
        s = free[int(ctx.rng.integers(len(free)))]
        p[f"{s}_elbow"] += ctx.u(10, 30) * g
        p[f"{s}_sh_el"] += ctx.u(3, 10) * g
        p.info["gesture"] = "adjust"
