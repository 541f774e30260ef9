"""Repeated one-shot actions: each repetition goes out from a stance, peaks and comes back."""
from __future__ import annotations

import numpy as np

from vision.synth.geometry import ramp
from vision.synth.motion import MotionContext, pulse
from vision.synth.registry import action
from vision.synth.skeleton import SIDES, Pose


def _guard(p: Pose, ctx: MotionContext) -> None:
    """Fists up in front of the chin (boxing guard), one foot a little ahead."""
    for s in SIDES:
        p[f"{s}_sh_el"] = ctx.u(25, 40)
        p[f"{s}_sh_az"] = ctx.u(75, 95)
        p[f"{s}_sh_tw"] = ctx.u(0, 20)
        p[f"{s}_elbow"] = ctx.u(110, 135)
    lead = ctx.u(8, 15)
    p[f"{ctx.other}_hip_flex"], p[f"{ctx.hand}_hip_flex"] = lead, -lead
    for s in SIDES:
        p[f"{s}_knee"] = ctx.u(8, 18)


def _arms_rest(p: Pose, ctx: MotionContext) -> None:
    """A random resting arm posture for leg exercises: hanging, on the hips, or held forward."""
    style = int(ctx.rng.integers(3))
    p.info["arms"] = ("hanging", "hips", "forward")[style]
    for s in SIDES:
        if style == 1:  # hands on hips
            p[f"{s}_sh_el"], p[f"{s}_sh_az"], p[f"{s}_sh_tw"], p[f"{s}_elbow"] = ctx.u(30, 45), ctx.u(-20, 0), -60, ctx.u(95, 115)
        elif style == 2:  # forearms forward, hands together at the chest
            p[f"{s}_sh_el"], p[f"{s}_sh_az"], p[f"{s}_elbow"] = ctx.u(15, 30), ctx.u(60, 90), ctx.u(95, 120)


# Kicks and punches must show in every window a model sees of their clips (1.6 s at 10 fps), or
# the guard between them teaches it that a guard alone is the action: repetitions start at most
# this far apart, and the ramps in and out of the stance are kept short.
MOST_APART = {"punch": 1.0, "kick": 1.15}  # s between the starts of two repetitions
RAMP_MOST = 0.4  # s


def steady_reps(ctx: MotionContext, duration: float, shape: tuple[float, float, float], most_apart: float,
                least_rest: float = 0.1) -> tuple[list[np.ndarray], np.ndarray]:
    """Repetitions spread evenly over the whole active window, and the clip's envelope for them.

    Each repetition lasts `duration` seconds at speed 1 (shorter if its slot is), rising, holding and
    falling over the fractions `shape` of it. The active window (between the ramps, which are
    shortened to `RAMP_MOST` and further when a repetition would not fit) is cut into equal slots
    of at most `most_apart` seconds with one repetition in each, so consecutive repetitions start
    at most that far apart and none is weakened by a ramp. A clip that opens or ends mid-action may
    cut its first or last repetition. Returns (one (T,) 0..1 profile per repetition, (T,) envelope).
    """
    t = ctx.t
    d = duration / ctx.speed**0.5 * ctx.u(0.9, 1.1)
    ramp_in, ramp_out = min(ctx.ramp_in, RAMP_MOST), min(ctx.ramp_out, RAMP_MOST)
    clip_end = float(t[-1]) + (float(t[1] - t[0]) if ctx.n > 1 else 0.0)
    lo = ctx.start + ramp_in if ramp_in else -ctx.u(0.0, 0.4) * d
    hi = ctx.end - ramp_out if ramp_out else clip_end + ctx.u(0.0, 0.4) * d
    if hi - lo < d + least_rest and (ramp_in or ramp_out):  # quicker ramps, down to 0.15 s, to make room
        short = d + least_rest - (hi - lo)
        cut_in = min(short * ramp_in / (ramp_in + ramp_out), max(ramp_in - 0.15, 0.0))
        cut_out = min(short - cut_in, max(ramp_out - 0.15, 0.0))
        ramp_in, ramp_out = ramp_in - cut_in, ramp_out - cut_out
        lo, hi = lo - cut_in, hi + cut_out
    n = max(1, int(np.ceil((hi - lo) / most_apart)))
    slot = (hi - lo) / n
    d = min(d, slot - least_rest) if slot > 2 * least_rest else slot
    free = slot - d
    offset = free * ctx.u(0.3, 0.7)  # where a repetition sits in its slot, the same in all (steady rhythm)
    starts = [lo + k * slot + np.clip(offset + free * ctx.u(-0.2, 0.2), 0.0, free) for k in range(n)]
    rise, hold, fall = (f / sum(shape) for f in shape)
    reps = [pulse(t, s0, rise * d, hold * d, fall * d) for s0 in starts]
    # Without a ramp, lo < 0 and hi > the clip's end: the steps fall outside and the envelope is 1.
    env = ramp(t, lo - ramp_in, ramp_in) * (1 - ramp(t, hi, ramp_out))
    return reps, env


@action("punch", one_sided=True, own_timing=True)
def punch(ctx: MotionContext) -> Pose:
    """Straight punches from a guard: one hand only, alternating, or at random; the arm extends nearly straight every time."""
    p = ctx.pose()
    _guard(p, ctx)
    pattern = int(ctx.rng.integers(3))  # 0: the `hand` side only, 1: alternating, 2: random sides
    p.info["pattern"] = ("one_hand", "alternating", "random")[pattern]
    reps, env = steady_reps(ctx, ctx.u(0.38, 0.6), (0.22, 0.06, 0.4), MOST_APART["punch"])
    p.blend_from_neutral(env)  # the guard comes up with the ramp in, down with the ramp out
    p.info["reps"] = len(reps)
    for k, q in enumerate(reps):
        s = ctx.hand if pattern == 0 else (ctx.hand, ctx.other)[k % 2] if pattern == 1 else SIDES[ctx.rng.integers(2)]
        q = q * env  # a punch cut by the ease-out stays inside the stance
        reach = ctx.u(0.9, 1.0)  # nearly straight: the amplitude shows in the shoulder and trunk, not the elbow
        p[f"{s}_sh_el"] += (ctx.u(75, 92) * min(ctx.amplitude, 1.05) ** 0.5 - p[f"{s}_sh_el"]) * q
        p[f"{s}_sh_az"] += (ctx.u(92, 105) - p[f"{s}_sh_az"]) * q
        p[f"{s}_elbow"] += (ctx.u(0, 12) - p[f"{s}_elbow"]) * q * reach
        sign = 1 if s == "l" else -1  # the chest turns away from the punching arm
        p["spine_twist"] += -sign * ctx.u(10, 22) * min(ctx.amplitude, 1.1) * q
        p["yaw"] += -sign * ctx.u(2, 8) * q
    return p


@action("kick", one_sided=True, own_timing=True)
def kick(ctx: MotionContext) -> Pose:
    """Front (or side) kicks: chamber the knee, extend, retract; the arms guard or balance. The foot always clears the floor by well over 15 cm."""
    p = ctx.pose()
    if ctx.chance(0.5):
        _guard(p, ctx)
    else:
        for s in SIDES:
            p[f"{s}_sh_el"], p[f"{s}_sh_az"], p[f"{s}_elbow"] = ctx.u(25, 50), ctx.u(0, 40), ctx.u(20, 60)
    alternate = ctx.chance(0.3)
    side_kick = ctx.chance(0.25)
    p.info.update(alternate=alternate, side_kick=side_kick)
    reps, env = steady_reps(ctx, ctx.u(0.7, 1.05), (0.35, 0.1, 0.35), MOST_APART["kick"])
    p.blend_from_neutral(env)
    p.info["reps"] = len(reps)
    amplitude = max(ctx.amplitude, 0.9)  # a small kick is still a kick
    for k, q in enumerate(reps):
        s = (ctx.hand, ctx.other)[k % 2] if alternate else ctx.hand
        sign = 1 if s == "l" else -1
        q = q * env
        p[f"{s}_knee"] += ctx.u(70, 100) * np.sin(np.pi * q)  # chamber on the way out and back
        p[f"{s}_ankle"] += -ctx.u(10, 30) * q  # pointed toes
        if side_kick:  # the leg rises sideways and the trunk leans away
            p[f"{s}_hip_abd"] += ctx.u(50, 75) * amplitude * q
            p[f"{s}_hip_flex"] += ctx.u(10, 30) * q
            p["roll"] += -sign * ctx.u(15, 30) * q
        else:
            p[f"{s}_hip_flex"] += (ctx.u(60, 95) * amplitude - p[f"{s}_hip_flex"]) * q
            p["pitch"] += -ctx.u(5, 15) * q
    return p


@action("squat", own_timing=True)
def squat(ctx: MotionContext) -> Pose:
    """Squats: hips back and down, knees forward, the trunk leans; arms rest or reach forward."""
    p = ctx.pose()
    _arms_rest(p, ctx)
    arms_forward = ctx.chance(0.35)
    q = np.max(ctx.reps(ctx.u(1.6, 2.8), 6, 0.4, 0.1, 0.4), axis=0)
    depth = ctx.u(0.55, 1.0) * min(ctx.amplitude, 1.1)
    lean = ctx.u(15, 30) * depth * q
    p["pitch"] = lean
    p["spine_flex"] = ctx.u(5, 20) * depth * q
    for s in SIDES:
        # Thighs end near horizontal at full depth; the pelvis pitch is part of hip flexion.
        p[f"{s}_hip_flex"] = 100 * depth * q + lean
        p[f"{s}_knee"] = 3 + 115 * depth * q
        p[f"{s}_hip_abd"] = 3 + ctx.u(5, 15) * q
        if arms_forward:
            p[f"{s}_sh_el"] = 7 + (ctx.u(75, 95) - 7) * q
            p[f"{s}_sh_az"] = 90
    p.blend_from_neutral(np.maximum(q, ctx.envelope()))  # the resting arms come with the set
    return p


@action("bend_pick_up", one_sided=True, own_timing=True)
def bend_pick_up(ctx: MotionContext) -> Pose:
    """Bending down to pick something up with one hand (stooping or half squatting), then up."""
    p = ctx.pose()
    q = np.max(ctx.reps(ctx.u(2.0, 3.4), 2, 0.35, 0.2, 0.35), axis=0)
    stoop = ctx.chance(0.6)
    p.info["stoop"] = stoop
    knee = ctx.u(10, 30) if stoop else ctx.u(60, 100)
    bend = (ctx.u(70, 95) if stoop else ctx.u(45, 70)) * min(ctx.amplitude, 1.1)
    pelvis = bend * ctx.u(0.5, 0.65)
    p["pitch"] = pelvis * q
    p["spine_flex"] = (bend - pelvis) * q
    p["neck_flex"] = -ctx.u(0, 30) * q  # the head comes up a little to look at the object
    for s in SIDES:
        p[f"{s}_hip_flex"] = (pelvis + knee * 0.55) * q
        p[f"{s}_knee"] = 3 + knee * q
        # A hanging arm stays vertical while the trunk tilts: elevation = trunk bend.
        reach = ctx.u(10, 25) if s == ctx.hand else ctx.u(-15, 5)
        p[f"{s}_sh_el"] = 7 + (bend + reach) * q
        p[f"{s}_sh_az"] = 90 * q
        p[f"{s}_elbow"] = 12 + (ctx.u(0, 10) if s == ctx.hand else ctx.u(10, 60)) * q
    return p


@action("jump_in_place", own_timing=True)
def jump_in_place(ctx: MotionContext) -> Pose:
    """Vertical jumps: crouch with the arms back, take off swinging them up, land soft."""
    p = ctx.pose()
    reps = ctx.reps(ctx.u(0.9, 1.4), 4, 1.0, 0.0, 0.0)
    height = ctx.u(0.12, 0.35) * ctx.amplitude
    arm_top = ctx.u(60, 170)
    for q in reps:  # q rises 0 -> 1 over the repetition; its stages are fixed fractions
        active = (q > 0) & (q < 1)
        crouch = pulse(q, 0.0, 0.3, 0.0, 0.12) + pulse(q, 0.62, 0.1, 0.0, 0.28)  # before take-off, after landing
        air = np.where((q > 0.42) & (q < 0.62), np.sin(np.pi * (q - 0.42) / 0.2), 0.0) * active
        swing = pulse(q, 0.25, 0.17, 0.1, 0.35) * active  # arms from behind to up
        back = pulse(q, 0.0, 0.25, 0.0, 0.17) * active
        depth = ctx.u(0.6, 1.0)
        p["lift"] += height * air
        p["pitch"] += 20 * depth * crouch
        for s in SIDES:
            p[f"{s}_hip_flex"] += (70 * depth + 20) * crouch
            p[f"{s}_knee"] += 85 * depth * crouch
            p[f"{s}_ankle"] += -30 * air  # toes point down in the air
            # The swing plane turns forward while the arms are still low (no jump).
            p[f"{s}_sh_az"] += (85 - p[f"{s}_sh_az"]) * np.clip(8 * np.minimum(q, 1 - q), 0, 1) * active
            p[f"{s}_sh_el"] += arm_top * swing - 35 * back
    return p


@action("sit_stand", own_timing=True)
def sit_stand(ctx: MotionContext) -> Pose:
    """Sitting down on (or standing up from) an unseen chair, or both in one clip."""
    p = ctx.pose()
    variant = int(ctx.rng.integers(3))  # 0 sit down, 1 stand up, 2 sit down then stand up
    p.info["variant"] = ("sit_down", "stand_up", "sit_down_stand_up")[variant]
    move = ctx.u(0.9, 1.8) / ctx.speed
    free = max(ctx.end - ctx.start - move * (2 if variant == 2 else 1), 0.0)
    t0 = ctx.start + ctx.u(0, free * (0.4 if variant == 2 else 1.0))
    if variant == 2:
        seated = pulse(ctx.t, t0, move, ctx.u(0.2, max(0.25, free * 0.6)), move)
    else:
        seated = pulse(ctx.t, t0, move, 1e9, 0.0)
        seated = 1 - seated if variant == 1 else seated
    # The trunk leans forward most mid-way, to bring the weight over the feet.
    lean = ctx.u(25, 45) * np.sin(np.pi * np.clip(seated, 0, 1)) ** 0.8
    back = ctx.u(-8, 8) * seated  # leaning on the backrest, or upright
    thigh, knee = ctx.u(80, 95), ctx.u(80, 100)
    p["pitch"] = lean + back
    hands = ctx.rng.integers(2)  # 0 on the thighs when seated, 1 hanging beside the chair
    for s in SIDES:
        p[f"{s}_hip_flex"] = thigh * seated + p["pitch"]
        p[f"{s}_knee"] = 3 + knee * seated
        p[f"{s}_hip_abd"] = 3 + ctx.u(0, 10) * seated
        if hands == 0:
            p[f"{s}_sh_el"] = 7 + ctx.u(20, 35) * seated
            p[f"{s}_sh_az"] = 85 * seated
            p[f"{s}_elbow"] = 12 + ctx.u(30, 60) * seated
    return p


@action("lunge", one_sided=True, own_timing=True)
def lunge(ctx: MotionContext) -> Pose:
    """Forward lunges: step out, drop the back knee, push back; same leg or alternating."""
    p = ctx.pose()
    _arms_rest(p, ctx)
    alternate = ctx.chance(0.5)
    reps = ctx.reps(ctx.u(1.7, 2.8), 4, 0.4, 0.15, 0.4)
    p.info.update(alternate=alternate, reps=len(reps))
    for k, q in enumerate(reps):
        front = (ctx.hand, ctx.other)[k % 2] if alternate else ctx.hand
        rear = "r" if front == "l" else "l"
        step = np.clip(q / 0.45, 0, 1)  # the front foot reaches out before the body drops
        drop = np.clip((q - 0.35) / 0.65, 0, 1)
        depth = ctx.u(0.7, 1.0) * min(ctx.amplitude, 1.1)
        p[f"{front}_hip_flex"] += ctx.u(35, 45) * step + ctx.u(35, 50) * depth * drop
        p[f"{front}_knee"] += ctx.u(30, 45) * step * (1 - drop) + ctx.u(80, 100) * depth * drop
        p[f"{rear}_hip_flex"] += -ctx.u(15, 30) * depth * drop
        p[f"{rear}_knee"] += ctx.u(75, 100) * depth * drop
        p[f"{rear}_ankle"] += -ctx.u(50, 80) * depth * drop  # up on the toes of the back foot
        p["spine_flex"] += ctx.u(-5, 10) * q
    p.blend_from_neutral(np.maximum(np.max(reps, axis=0), ctx.envelope()))
    return p


@action("raise_both_arms", own_timing=True)
def raise_both_arms(ctx: MotionContext) -> Pose:
    """Both arms up overhead (through the sides or the front, or 'hands up'), held, lowered."""
    p = ctx.pose()
    q = np.max(ctx.reps(ctx.u(1.8, 3.4), 3, 0.3, 0.35, 0.3), axis=0)
    style = int(ctx.rng.integers(3))  # 0 sideways, 1 forward, 2 hands up (elbows bent, forearms up)
    p.info["style"] = ("sideways", "forward", "hands_up")[style]
    top = ctx.u(150, 178) * min(ctx.amplitude, 1.1)
    for s in SIDES:
        if style == 2:
            p[f"{s}_sh_el"] = 7 + ctx.u(80, 105) * q
            p[f"{s}_sh_az"] = ctx.u(0, 25) * q
            p[f"{s}_sh_tw"] = ctx.u(80, 95) * q
            p[f"{s}_elbow"] = 12 + ctx.u(70, 95) * q
        else:
            p[f"{s}_sh_el"] = 7 + (top - 7) * q
            p[f"{s}_sh_az"] = (ctx.u(-5, 20) if style == 0 else ctx.u(75, 95)) * q
            p[f"{s}_elbow"] = 12 + ctx.u(-8, 10) * q
    p["neck_flex"] = -ctx.u(0, 20) * q
    return p
