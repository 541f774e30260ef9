"""`no_action` (standing or sitting idle) and `other` (plausible motion that is none of the classes)."""
from __future__ import annotations

import numpy as np

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
    for s in SIDES:
        p[f"{s}_hip_flex"], p[f"{s}_knee"], p[f"{s}_hip_abd"] = ctx.u(80, 95), ctx.u(75, 100), ctx.u(3, 12)


@action("no_action", own_timing=True)
def no_action(ctx: MotionContext) -> Pose:
    """Standing (sometimes sitting) idle: sway, weight shifts, looking around, small fidgets."""
    p, t = ctx.pose(), ctx.t
    names = list(_ARM_POSTURES)
    style = names[ctx.rng.choice(len(names), p=[0.45, 0.15, 0.15, 0.15, 0.1])]
    for s in SIDES:
        _posture(p, ctx, s, style if ctx.chance(0.85) else "hanging")
    p.info.update(arms=style, seated=ctx.chance(0.1))
    if p.info["seated"]:
        _sit(p, ctx)
    else:  # weight shifts from foot to foot, the pelvis dropping on the unloaded side
        shift = ctx.u(1, 6) * smooth_noise(ctx.rng, t, 0.25)[0]
        p["l_hip_abd"] += shift
        p["r_hip_abd"] -= shift
        p["roll"] = 0.4 * shift
        p[f"{ctx.hand}_knee"] += ctx.u(0, 15) * ctx.chance(0.4)
        sway = ctx.u(0.5, 2.5) * smooth_noise(ctx.rng, t, 0.3)[0]
        for s in SIDES:
            p[f"{s}_hip_flex"] += sway
    p["neck_yaw"] = ctx.u(0, 35) * smooth_noise(ctx.rng, t, 0.35)[0]
    p["neck_flex"] = ctx.u(-5, 15) + ctx.u(0, 8) * smooth_noise(ctx.rng, t, 0.4)[0]
    p["spine_flex"] = ctx.u(-3, 8)
    for s in SIDES:  # fidgeting hands
        for name, amp in (("sh_el", 5), ("sh_az", 8), ("elbow", 12)):
            p[f"{s}_{name}"] += ctx.u(0, amp) * smooth_noise(ctx.rng, t, 0.7)[0]
    if ctx.chance(0.3):  # one brief gesture: touch the face or scratch the head, then back
        g = pulse(t, ctx.u(0, max(t[-1] - 1.5, 0.1)), ctx.u(0.3, 0.6), ctx.u(0.2, 0.8), ctx.u(0.3, 0.6))
        s = ctx.hand
        for name, target in (("sh_el", ctx.u(35, 80)), ("sh_az", ctx.u(70, 100)), ("sh_tw", 0), ("elbow", ctx.u(120, 145))):
            p[f"{s}_{name}"] += (target - p[f"{s}_{name}"]) * g
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
