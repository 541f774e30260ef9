"""Cyclic actions: a phase at the action's own rate, blended in and out by the clip envelope."""
from __future__ import annotations

import numpy as np

from vision.synth.kinematics import forward_kinematics
from vision.synth.motion import MotionContext, cycle01, half_wave, harmonic
from vision.synth.registry import action
from vision.synth.skeleton import SIDES, Pose

_HAND_L, _HAND_R = [15, 17, 19], [16, 18, 20]  # wrist, pinky, index


def _flight(wave: np.ndarray, ground_share: float) -> np.ndarray:
    """0..1 height profile that is 0 (feet on the ground) wherever `wave` < `ground_share`."""
    return half_wave(wave - ground_share) / (1 - ground_share)


@action("jumping_jack")
def jumping_jack(ctx: MotionContext) -> Pose:
    """Arms sweep sideways overhead while the legs jump apart, and back."""
    p, a = ctx.pose(), ctx.amplitude
    ph = ctx.phase(ctx.u(0.75, 1.25))
    opened = cycle01(ph)  # 0 closed, 1 arms overhead and legs apart
    top, spread, az = ctx.u(140, 175) * min(a, 1.05), ctx.u(9, 18) * a, ctx.u(-5, 25)
    for s in SIDES:
        p[f"{s}_sh_el"] = 8 + (top - 8) * opened
        p[f"{s}_sh_az"] = az
        p[f"{s}_elbow"] = 12 + ctx.u(0, 20) * opened
        p[f"{s}_hip_abd"] = 3 + spread * opened
        # Soft landing at both ends; the thigh tilts forward by half the knee bend, keeping
        # the hips over the feet.
        bend = ctx.u(10, 25) * np.cos(ph) ** 2
        p[f"{s}_knee"] = 5 + bend
        p[f"{s}_hip_flex"] = 0.5 * bend
        p[f"{s}_ankle"] = -15 * np.sin(ph) ** 2  # toes push off while airborne
    p["lift"] = ctx.u(0.03, 0.08) * a * _flight(np.abs(np.sin(ph)), 0.35)  # a hop on each change
    return p


def _gait(ctx: MotionContext, run: bool) -> Pose:
    """Walking or jogging, travelling along the facing direction or in place (`walk`'s forward variant, `run`).

    Travel is not animated: the stance foot drives the root (see kinematics), so a forward
    stride moves the body exactly by its step and marching in place stays put.
    """
    p, a = ctx.pose(), ctx.amplitude
    in_place = ctx.chance(0.35)
    p.info["in_place"] = in_place
    p.momentum = run and not in_place
    ph = ctx.phase(ctx.u(1.2, 1.55) if run else ctx.u(0.8, 1.05))
    knee_peak = ctx.u(85, 115) if run else ctx.u(50, 65)
    arm_swing = (ctx.u(25, 45) if run else ctx.u(12, 28)) * a
    elbow = ctx.u(75, 100) if run else ctx.u(12, 30)
    for s, shift in (("l", 0.0), ("r", np.pi)):
        leg = ph + shift
        if in_place:  # march / high knees: the thigh only lifts, the shin hangs below the knee
            lift = (ctx.u(45, 75) if run else ctx.u(25, 45)) * a * half_wave(np.sin(leg)) ** 1.2
            p[f"{s}_hip_flex"] = 2 + lift
            p[f"{s}_knee"] = 4 + lift * ctx.u(1.1, 1.4)
        else:
            swing = (ctx.u(24, 32) if run else ctx.u(18, 27)) * a
            p[f"{s}_hip_flex"] = (8 if run else 3) + swing * harmonic(leg, ctx.rng, 0.1)
            # The knee folds most in mid-swing, as the thigh passes forward; nearly straight in stance.
            p[f"{s}_knee"] = 5 + knee_peak * half_wave(np.cos(leg - 0.4)) ** 1.5
            p[f"{s}_ankle"] = 12 * np.sin(leg)  # toes up at heel strike, down at toe-off
        p[f"{s}_sh_az"] = ctx.u(75, 95)
        if not run:  # the twist that makes the elbow bend forward in that plane (else the forearm swings inwards)
            p[f"{s}_sh_tw"] = p[f"{s}_sh_az"] * ctx.u(0.8, 1.0)
        p[f"{s}_sh_el"] = 4 + arm_swing * -np.sin(leg)  # each arm swings with the opposite leg
        p[f"{s}_elbow"] = elbow + 10 * half_wave(-np.sin(leg))
    p["yaw"] = ctx.u(3, 7) * np.sin(ph) + ctx.u(-15, 15) * ctx.t / max(ctx.t[-1], 1e-3) * ctx.chance(0.3)
    p["spine_twist"] = -0.8 * (p["yaw"] - p["yaw"].mean())  # shoulders counter-rotate the pelvis
    p["pitch"] = ctx.u(5, 12) if run else ctx.u(-2, 4)
    p["roll"] = ctx.u(1, 3) * np.sin(ph)
    if run:  # a flight phase between the steps
        p["lift"] = ctx.u(0.02, 0.07) * a * _flight(np.sin(2 * ph - 0.8), 0.4)
    return p


@action("run")
def run(ctx: MotionContext) -> Pose:
    """Jogging, travelling or in place (high knees)."""
    return _gait(ctx, run=True)


def _wave_arm(p: Pose, ctx: MotionContext, s: str, ph: np.ndarray, style: int, amp: float) -> None:
    if style == 0:  # forearm up, swinging side to side about the elbow
        p[f"{s}_sh_el"] = ctx.u(75, 125)
        p[f"{s}_sh_az"] = ctx.u(0, 40)
        p[f"{s}_sh_tw"] = ctx.u(75, 100)
        p[f"{s}_elbow"] = ctx.u(55, 85) + amp * harmonic(ph, ctx.rng)
    else:  # the whole arm overhead, swaying in the frontal plane
        p[f"{s}_sh_el"] = ctx.u(140, 165) + amp * harmonic(ph, ctx.rng)
        p[f"{s}_sh_az"] = ctx.u(-5, 20)
        p[f"{s}_elbow"] = ctx.u(8, 30)
        p[f"{s}_sh_tw"] = ctx.u(60, 90)


@action("wave_one_hand", one_sided=True)
def wave_one_hand(ctx: MotionContext) -> Pose:
    """One hand raised and waving; the other arm hangs."""
    p = ctx.pose()
    style = int(ctx.rng.random() < 0.3)
    p.info["style"] = ("forearm", "whole_arm")[style]
    _wave_arm(p, ctx, ctx.hand, ctx.phase(ctx.u(1.4, 3.0)), style, ctx.u(15, 35) * ctx.amplitude)
    p["neck_side"] = ctx.u(-5, 5)
    return p


@action("wave_both_hands")
def wave_both_hands(ctx: MotionContext) -> Pose:
    """Both hands raised and waving, mirrored or alternating."""
    p = ctx.pose()
    style = int(ctx.rng.random() < 0.4)
    ph = ctx.phase(ctx.u(1.2, 2.6))
    amp = ctx.u(15, 35) * ctx.amplitude
    # Mirrored: both swing outwards together. The other way: both swing the same way (a sway).
    mirrored = ctx.chance(0.6)
    p.info.update(style=("forearm", "whole_arm")[style], mirrored=mirrored)
    _wave_arm(p, ctx, "l", ph, style, amp)
    _wave_arm(p, ctx, "r", ph if mirrored else ph + np.pi, style, amp)
    return p


def _hands_meet(ctx: MotionContext, vary: str, values: np.ndarray, fixed: dict[str, float], gap: float = 0.04) -> float:
    """The value of arm channel `vary` (both sides) at which this body's hands are `gap` m apart.

    Evaluated by forward kinematics over all candidate `values` at once (one frame each).
    """
    p = Pose(len(values))
    for s in SIDES:
        for name, value in {**fixed, vary: values}.items():
            p[f"{s}_{name}"] = value
    points = forward_kinematics(ctx.body, p, 30.0).points
    apart = points[:, _HAND_L].mean(1)[:, 0] - points[:, _HAND_R].mean(1)[:, 0]  # x: the own left
    return float(values[np.argmin(np.abs(apart - gap))])


@action("clap")
def clap(ctx: MotionContext) -> Pose:
    """Hands meeting in front of the chest (sometimes overhead), rhythmically."""
    p = ctx.pose()
    ph = ctx.phase(ctx.u(1.5, 3.0))
    closed = cycle01(ph) ** 0.7  # hands spend longer apart-to-together than apart
    p.info["overhead"] = ctx.chance(0.15)
    if p.info["overhead"]:  # the raised arms close over the head
        fixed = {"sh_az": ctx.u(0, 15), "elbow": ctx.u(15, 35), "sh_tw": 0.0}
        vary, open_, shut = "sh_el", ctx.u(120, 145), _hands_meet(ctx, "sh_el", np.linspace(150, 230, 41), fixed)
    else:  # in front of the chest: the arms swing together horizontally
        fixed = {"sh_el": ctx.u(45, 80), "elbow": ctx.u(35, 65), "sh_tw": 0.0}
        vary, open_, shut = "sh_az", ctx.u(40, 65), _hands_meet(ctx, "sh_az", np.linspace(60, 140, 41), fixed)
    for s in SIDES:
        for name, value in fixed.items():
            p[f"{s}_{name}"] = value
        p[f"{s}_{vary}"] = open_ + (shut - open_) * closed
    return p


@action("arm_circles", own_timing=True)
def arm_circles(ctx: MotionContext) -> Pose:
    """Both arms circling: small circles held out sideways, or big windmills."""
    p = ctx.pose()
    env = ctx.envelope()
    forward = 1 if ctx.chance(0.5) else -1
    p.info.update(forward=forward > 0, style="small" if ctx.chance(0.55) else "windmill")
    if p.info["style"] == "small":  # arms out to the sides, small to medium circles
        ph = forward * ctx.phase(ctx.u(1.2, 2.4))
        r, el0, az0 = ctx.u(10, 35) * ctx.amplitude, ctx.u(80, 100), ctx.u(-5, 15)
        for s in SIDES:
            p[f"{s}_sh_el"] = el0 + r * np.sin(ph)
            p[f"{s}_sh_az"] = az0 + r * np.cos(ph)
            p[f"{s}_elbow"] = ctx.u(3, 15)
        p.blend_from_neutral(env)
        return p
    # Windmill: the straight arm turns all the way round. An angle past 360 cannot be blended
    # from neutral, so the turning rate follows the envelope instead: the arm starts from
    # hanging, and when the clip eases out it makes whole turns only, ending where it began.
    rate = ctx.u(0.6, 1.1) * ctx.speed * 2 * np.pi * env
    turned = np.cumsum(rate * np.diff(ctx.t, prepend=ctx.t[0]))
    start = 0.0 if ctx.ramp_in else ctx.u(0, 2 * np.pi)
    if ctx.ramp_out and turned[-1] > 0:
        turns = max(1, round((start + turned[-1]) / (2 * np.pi)), int(np.ceil(start / (2 * np.pi) + 1e-6)))
        turned *= (2 * np.pi * turns - start) / turned[-1]
    az = ctx.u(70, 90) if ctx.chance(0.7) else ctx.u(0, 20)
    # Alternating arms (backstroke) only when the clip has no neutral end to start or stop from.
    offset = np.pi if not (ctx.ramp_in or ctx.ramp_out) and ctx.chance(0.3) else 0.0
    for s in SIDES:
        p[f"{s}_sh_az"] = az
        p[f"{s}_elbow"] = ctx.u(3, 15)
    p.blend_from_neutral(env)
    for s, shift in (("l", 0.0), ("r", offset)):
        p[f"{s}_sh_el"] = np.rad2deg(forward * (start + turned + shift))
    return p
