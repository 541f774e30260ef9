"""`no_action` (standing or sitting idle) and `other` (plausible motion that is none of the classes)."""
from __future__ import annotations

import numpy as np

from vision.synth.footwork import FootPlan, solve_legs, track_foot
from vision.synth.geometry import smooth_noise, smoothstep
from vision.synth.motion import MotionContext, pulse
from vision.synth.registry import action
from vision.synth.skeleton import SIDES, Pose

# Arm rest postures: (sh_el, sh_az, sh_tw, elbow) centres; each drawn with a little spread.
_ARM_POSTURES = {
    "hanging": (7, 0, 0, 12),
    "crossed": (22, 95, -65, 115),
    "hips": (40, -10, -85, 105),
    "clasped_front": (18, 95, -40, 50),
    "behind_back": (-18, 85, 30, 45),
}


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


def _posture(p: Pose, ctx: MotionContext, s: str, name: str) -> None:
    el, az, tw, elbow = _ARM_POSTURES[name]
    p[f"{s}_sh_el"], p[f"{s}_sh_az"] = el + ctx.u(-5, 5), az + ctx.u(-8, 8)
    p[f"{s}_sh_tw"], p[f"{s}_elbow"] = tw + ctx.u(-10, 10), elbow + ctx.u(-10, 10)


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


def _stand(p: Pose, ctx: MotionContext, still: bool) -> None:
    """Both feet planted where they stand; the pelvis sways and shifts its weight over them."""
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
    if still:  # postural sway of a few millimetres
        sway = np.array([ctx.u(0.001, 0.004), ctx.u(0.002, 0.006)])
        centre = centre + sway * smooth_noise(ctx.rng, t, 0.3, n=2).T
        p["roll"] = 0.0
    else:  # weight shifts from foot to foot, the pelvis dropping on the unloaded side
        shift = ctx.u(0.005, 0.03) * smooth_noise(ctx.rng, t, 0.25)[0]
        if ctx.chance(0.4):  # resting on one leg: the other knee relaxes as its hip drops
            loaded = 1 if ctx.hand == "r" else -1  # +1: the left leg bears the weight
            shift = shift + loaded * ctx.u(0.015, 0.045)
            p.info["rest_leg"] = ctx.hand
        centre = centre + np.stack([shift, ctx.u(0.003, 0.012) * smooth_noise(ctx.rng, t, 0.3)[0]], 1)
        p["roll"] = -ctx.u(40, 80) * shift  # degrees per metre of shift: the unloaded hip drops
        p["yaw"] = ctx.u(0, 4) * smooth_noise(ctx.rng, t, 0.15)[0]
    p["pitch"] = ctx.u(-3, 3)
    solve_legs(p, ctx.body, feet, centre, ctx.u(1, 6), softness=0.0005)


@action("no_action", own_timing=True)
def no_action(ctx: MotionContext) -> Pose:
    """Idle: standing still (a few mm of sway), standing with weight shifts and fidgets, or seated.

    Feet stay on the floor throughout: weight shifts move the pelvis over planted feet, never a
    step (that would be `walk`'s start-stop variant).
    """
    p, t = ctx.pose(), ctx.t
    names = list(_ARM_POSTURES)
    style = names[ctx.rng.choice(len(names), p=[0.45, 0.15, 0.15, 0.15, 0.1])]
    for s in SIDES:
        _posture(p, ctx, s, style if ctx.chance(0.85) else "hanging")
    seated = ctx.chance(0.1)
    still = not seated and ctx.chance(0.45)  # about 40 % of all clips
    p.info.update(variant="seated" if seated else "still" if still else "idle", arms=style, seated=seated)
    if seated:
        _sit(p, ctx)
    else:
        _stand(p, ctx, still)
    # Breathing: the chest rises and falls 12-20 times a minute.
    p["spine_flex"] = ctx.u(-3, 8) + ctx.u(0.2, 0.6) * np.sin(2 * np.pi * ctx.u(0.2, 0.33) * t + ctx.u(0, 2 * np.pi))
    if still:  # eyes ahead, hands at rest: only the personal tremor, turned down
        p["neck_yaw"] = ctx.u(0, 3) * smooth_noise(ctx.rng, t, 0.2)[0]
        p["neck_flex"] = ctx.u(-5, 15) + ctx.u(0, 1.5) * smooth_noise(ctx.rng, t, 0.3)[0]
        p.tremor = ctx.u(0.1, 0.3)
        return p
    p["neck_yaw"] = ctx.u(0, 35) * smooth_noise(ctx.rng, t, 0.35)[0]
    p["neck_flex"] = ctx.u(-5, 15) + ctx.u(0, 8) * smooth_noise(ctx.rng, t, 0.4)[0]
    for s in SIDES:  # restless hands: a few centimetres of drift at the wrist
        for name, amp in (("sh_el", 3), ("sh_az", 5), ("elbow", 8)):
            p[f"{s}_{name}"] += ctx.u(0, amp) * smooth_noise(ctx.rng, t, 0.5)[0]
    if ctx.chance(0.3):  # one brief gesture: touch the face or scratch the head, then back
        g = pulse(t, ctx.u(0, max(t[-1] - 1.5, 0.1)), ctx.u(0.3, 0.6), ctx.u(0.2, 0.8), ctx.u(0.3, 0.6))
        s = ctx.hand
        for name, target in (("sh_el", ctx.u(35, 80)), ("sh_az", ctx.u(70, 100)), ("sh_tw", 0), ("elbow", ctx.u(120, 145))):
            p[f"{s}_{name}"] += (target - p[f"{s}_{name}"]) * g
    elif ctx.chance(0.3):  # or a small adjustment: one forearm comes up a little (a sleeve, a pocket) and back
        g = pulse(t, ctx.u(0, max(t[-1] - 1.2, 0.1)), ctx.u(0.3, 0.6), ctx.u(0.0, 0.8), ctx.u(0.3, 0.6))
        s = SIDES[int(ctx.rng.integers(2))]
        p[f"{s}_elbow"] += ctx.u(10, 30) * g
        p[f"{s}_sh_el"] += ctx.u(3, 10) * g
    return p


# Channels `other` may move and the ranges of its keyframes. Arm elevation stays below the
# overhead of raise/wave/jumping jack, and nothing repeats, so no class is acted out.
_OTHER_RANGES = {
    "spine_flex": (-10, 45), "spine_side": (-25, 25), "spine_twist": (-40, 40),
    "neck_flex": (-30, 40), "neck_yaw": (-60, 60), "neck_side": (-25, 25), "yaw": (-150, 150),
    "sh_el": (0, 115), "sh_az": (-20, 130), "sh_tw": (-60, 60), "elbow": (0, 140),
    "hip_flex": (-15, 45), "hip_abd": (0, 30), "knee": (0, 50),
}  # fmt: skip


@action("other", own_timing=True)
def other(ctx: MotionContext) -> Pose:
    """Random unstructured movement of a few body parts: stretching, turning, reaching, looking."""
    p = no_action(ctx) if ctx.chance(0.5) else ctx.pose()
    p.info = {"base": p.info.pop("variant", "neutral"), **p.info}  # what it starts from; `variant` is no_action's
    limb = ("sh", "elbow", "hip", "knee")
    pool = [n for n in _OTHER_RANGES if not n.startswith(limb)]
    pool += [f"{s}_{n}" for s in SIDES for n in _OTHER_RANGES if n.startswith(limb)]
    chosen = ctx.rng.choice(len(pool), size=int(ctx.rng.integers(2, 7)), replace=False)
    p.info["moves"] = ",".join(pool[i] for i in chosen)
    env = ctx.envelope()
    for i in chosen:
        name = pool[i]
        lo, hi = _OTHER_RANGES[name.split("_", 1)[1] if name[:2] in ("l_", "r_") else name]
        move = keyframes(ctx, lo, hi, (0.5, 1.6))
        p[name] += (move - p[name]) * env * ctx.u(0.5, 1.0)
    return p
