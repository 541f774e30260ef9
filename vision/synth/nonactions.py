"""`other`: everyday motions that are none of the classes, to train or calibrate a rejection on.

Variants (`meta["variant"]["variant"]`, shares in `OTHER_WEIGHTS`):

- `random`: a few body parts move between random keyframes over `no_action` or the neutral
  stance (the first version of this class);
- `turn_around`: turning in place by 90-200 degrees in small steps (planned footsteps, the head
  leading), empty-handed or carrying a box;
- `stretch`: a side bend with one arm over the head, an arm pulled across the chest, the back
  arched with the hands on it, or the trunk twisted, held a second or two;
- `reach_up` (one arm up to a shelf, the head following) and `reach_side` (out to the side,
  the trunk leaning after it);
- `neck`: bending, tilting, turning or rolling the head;
- `scratch`: a hand to the head, neck, face, the other arm, the side or the thigh, scratching;
- `tie_shoe`: crouching over planted feet with both hands at one shoe, fiddling, and up again
  (or already down when the clip starts);
- `carry`: holding a box in front with both hands, or a bag at the side.

Nothing repeats rhythmically and both arms never go overhead together, so no class is acted
out; all but `random` and `turn_around` start from a `no_action` posture (`base`) and keep its
planted feet. Every event is eased in and out and held for seconds, as people do.
"""
from __future__ import annotations

import numpy as np

from vision.synth.footwork import FootPlan, box_smooth, track_foot
from vision.synth.geometry import smooth_noise, smoothstep
from vision.synth.idle import keyframes, no_action
from vision.synth.motion import MotionContext, pulse
from vision.synth.posture import STANDING, rest_angles
from vision.synth.reach import ARM_CHANNELS, arm_points, measure_torso, solve_arm
from vision.synth.registry import action
from vision.synth.skeleton import SIDES, Pose
from vision.synth.stepping import _Body, _grid, _left_axis, _pelvis

OTHER_WEIGHTS = {
    "random": 0.2, "turn_around": 0.12, "stretch": 0.12, "reach_up": 0.08, "reach_side": 0.08, "neck": 0.08,
    "scratch": 0.12, "tie_shoe": 0.1, "carry": 0.1,
}  # fmt: skip
OTHER_VARIANTS = tuple(OTHER_WEIGHTS)
_SIGN = {"l": 1.0, "r": -1.0}

# Channels `random` may move and the ranges of its keyframes. Arm elevation stays below the
# overhead of raise/wave/jumping jack, and nothing repeats, so no class is acted out.
_OTHER_RANGES = {
    "spine_flex": (-10, 45), "spine_side": (-25, 25), "spine_twist": (-40, 40),
    "neck_flex": (-30, 40), "neck_yaw": (-60, 60), "neck_side": (-25, 25), "yaw": (-150, 150),
    "sh_el": (0, 115), "sh_az": (-20, 130), "sh_tw": (-60, 60), "elbow": (0, 140),
    "hip_flex": (-15, 45), "hip_abd": (0, 30), "knee": (0, 50),
}  # fmt: skip


@action("other", own_timing=True)
def other(ctx: MotionContext) -> Pose:
    """Everyday motion that is none of the classes: see the module doc."""
    variant = OTHER_VARIANTS[int(ctx.rng.choice(len(OTHER_VARIANTS), p=list(OTHER_WEIGHTS.values())))]
    p = _MAKERS[variant](ctx)
    p.info = {"variant": variant, **{k: v for k, v in p.info.items() if k != "variant"}}
    return p


def _base(ctx: MotionContext) -> Pose:
    """A `no_action` clip to act over; its variant is kept as `base`."""
    p = no_action(ctx)
    info = p.info
    p.info = {"base": info.get("variant", "neutral"), "stance": info.get("stance", STANDING)}
    return p


def _event(ctx: MotionContext, rise: tuple[float, float], hold: tuple[float, float], fall: tuple[float, float]) -> np.ndarray:
    """(T,) 0 -> 1 -> 0 eased, placed so that most of it falls inside the clip."""
    r, h, f = ctx.u(*rise) / ctx.speed, ctx.u(*hold), ctx.u(*fall) / ctx.speed
    span = float(ctx.t[-1])
    start = ctx.u(-0.3 * r, max(span - r - h - 0.3 * f, 0.0))
    return pulse(ctx.t, start, r, h, f)


def _mix_arm(p: Pose, side: str, target: dict[str, np.ndarray | float], w: np.ndarray) -> None:
    """Move one arm's channels towards `target` by weight `w` (T,)."""
    for c, v in target.items():
        p[f"{side}_{c}"] += (np.asarray(v) - p[f"{side}_{c}"]) * w
    p.held -= {f"{side}_{c}" for c in ARM_CHANNELS}


def _random(ctx: MotionContext) -> Pose:
    """Random unstructured movement of a few body parts over `no_action` or the neutral stance."""
    p = _base(ctx) if ctx.chance(0.5) else ctx.pose()
    p.info.setdefault("base", "neutral")
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
    p.held = set()
    return p


def _box(ctx: MotionContext) -> dict[str, dict[str, float | np.ndarray]]:
    """Both hands on the sides of a box held in front of the belly: targets and poles per side."""
    k = ctx.body.height / 1.7
    width, y, z = ctx.u(0.28, 0.45) * k, -ctx.u(0.35, 0.5) * k, ctx.u(0.22, 0.35) * k
    return {s: {"target": np.array([_SIGN[s] * (width / 2 - ctx.body.shoulder_half), y, z]),
                "pole": np.array([ctx.u(0.2, 0.6), -1.0, -ctx.u(0.0, 0.3)])} for s in SIDES}


def _turn_around(ctx: MotionContext, carrying: bool | None = None) -> Pose:
    """Turning in place in small steps: the foot on the turning side opens first, the other follows.

    `carrying` (None: drawn, 35 %): a box held in front with both hands.
    """
    p = ctx.pose()
    grid = _grid(ctx, 1.0)
    body = ctx.body
    k = body.height / 1.7
    sign = 1.0 if ctx.chance(0.5) else -1.0  # > 0 turns to the own left
    total = sign * ctx.u(90, 200)
    pairs = max(1, round(abs(total) / ctx.u(60, 100)))
    move, pause = ctx.u(0.3, 0.45) / ctx.speed**0.5, ctx.u(0.03, 0.12)
    duration = pairs * 2 * (move + pause)
    clip = float(ctx.t[-1])
    start = ctx.u(-0.3 * duration, max(clip - 0.7 * duration, 0.0))
    half = ctx.u(0.07, 0.12) * k
    toe_out = (ctx.u(0, 12), ctx.u(0, 12))
    lead = "l" if sign > 0 else "r"
    order = (lead, "r" if lead == "l" else "l")
    centre = np.zeros(2)
    state = {s: {"land": grid.t[0] - 1.0, "heading": 0.0} for s in SIDES}
    plans = {s: FootPlan() for s in SIDES}
    clock = start
    for j in range(1, pairs + 1):
        heading = total * j / pairs
        for s in order:
            st = state[s]
            pos = centre + _SIGN[s] * half * _left_axis(np.array(st["heading"]))
            plans[s].stand(st["land"], clock, (float(pos[0]), float(pos[1])), st["heading"] + _SIGN[s] * toe_out[SIDES.index(s)],
                           lift=ctx.u(0.03, 0.06))
            state[s] = {"land": clock + move, "heading": heading}
            clock += move + pause
    for j, s in enumerate(SIDES):
        st = state[s]
        pos = centre + _SIGN[s] * half * _left_axis(np.array(st["heading"]))
        plans[s].stand(st["land"], grid.t[-1] + 1.0, (float(pos[0]), float(pos[1])), st["heading"] + _SIGN[s] * toe_out[j],
                       lift=ctx.u(0.03, 0.06))
    feet = {s: track_foot(plans[s], body, s, grid.t) for s in SIDES}
    b = _Body(ctx.u(0.01, 0.025), ctx.u(1, 3), ctx.u(1, 4), ctx.u(-2, 4), 0.0, ctx.u(0.3, 0.5))
    _pelvis(p, ctx, grid, feet, b, 0.2, toe_out, ctx.u(4, 10), sway_noise=ctx.u(0.001, 0.003))
    heading = box_smooth(p["yaw"], max(1, round(0.5 / grid.dt)))
    p["neck_yaw"] = np.clip(np.gradient(heading, grid.dt) * ctx.u(0.15, 0.35), -35, 35)  # the head leads into the turn
    p["spine_twist"] = 0.5 * p["neck_yaw"]
    p["spine_flex"] = ctx.u(-2, 6)
    p["neck_flex"] = ctx.u(-5, 15)
    carrying = ctx.chance(0.35) if carrying is None else carrying
    p.info.update(turn_deg=round(total, 1), steps=2 * pairs, carrying=carrying)
    if carrying:
        for s, box in _box(ctx).items():
            for c, v in solve_arm(body, s, np.broadcast_to(box["target"], (ctx.n, 3)), box["pole"], (-1.0, 0.0, 0.4)).items():
                p[f"{s}_{c}"] = v
            p.held |= {f"{s}_{c}" for c in ARM_CHANNELS}
    else:
        for s in SIDES:
            for c, v in rest_angles(ctx, "hanging").items():
                p[f"{s}_{c}"] = v
            p[f"{s}_sh_el"] += ctx.u(0, 6) * smooth_noise(ctx.rng, ctx.t, 0.8)[0]
    return p


def _stretch(ctx: MotionContext) -> Pose:
    """A held stretch: side bend, an arm across the chest, the back arched, or the trunk twisted."""
    p = _base(ctx)
    kind = ("side_bend", "across", "back_arch", "twist")[int(ctx.rng.integers(4))]
    p.info["kind"] = kind
    w = _event(ctx, (0.5, 0.9), (0.8, 2.0), (0.5, 0.9))
    s, o = ctx.hand, ctx.other
    body = ctx.body
    if kind == "side_bend":  # one arm over the head, the trunk bends away from it
        _mix_arm(p, s, {"sh_el": ctx.u(150, 175), "sh_az": ctx.u(-10, 20), "sh_tw": ctx.u(70, 90), "elbow": ctx.u(10, 40),
                        "wrist": 0.0}, w)
        _mix_arm(p, o, {"sh_el": ctx.u(5, 20), "sh_az": ctx.u(-10, 20), "elbow": ctx.u(5, 30)}, w)
        p["spine_side"] += -_SIGN[s] * ctx.u(15, 30) * w
    elif kind == "back_arch":  # hands on the lower back, the chest and head go back
        p["spine_flex"] += (-ctx.u(10, 25) - p["spine_flex"]) * w
        p["neck_flex"] += (-ctx.u(10, 30) - p["neck_flex"]) * w
        torso = measure_torso(body, p, 30.0)
        k = body.height / 1.7
        for side in SIDES:
            spot = torso.from_pelvis(side, np.array([-ctx.u(0.0, 0.04), ctx.u(0.08, 0.16), -ctx.u(0.1, 0.14)]) * k)
            target = solve_arm(body, side, torso.to_shoulder(side, spot), np.array([1.0, -0.5, -0.8]), (-0.5, -1.0, 0.0))
            _mix_arm(p, side, target, w)
    elif kind == "twist":  # elbows out at chest height, the trunk turns to one side
        turn = _SIGN[s] * ctx.u(25, 45) * w
        p["spine_twist"] += turn
        p["neck_yaw"] += 0.5 * turn
        for side in SIDES:
            _mix_arm(p, side, {"sh_el": ctx.u(75, 90), "sh_az": ctx.u(20, 45), "sh_tw": ctx.u(60, 90), "elbow": ctx.u(100, 130)}, w)
    else:  # across: one straight arm across the chest, the other hand pulls it in at the elbow
        straight = {"sh_el": ctx.u(80, 95), "sh_az": ctx.u(145, 165), "sh_tw": 0.0, "elbow": ctx.u(0, 15), "wrist": 0.0}  # flat on the chest
        torso = measure_torso(body, p, 30.0)
        elbow, _ = arm_points(body, s, {c: np.full(ctx.n, float(v)) for c, v in straight.items()})
        spot = torso.from_chest(s, elbow * ctx.u(0.9, 1.1) + np.array([0.0, 0.0, 0.05]))
        puller = solve_arm(body, o, torso.to_shoulder(o, spot), np.array([0.4, -1.0, 0.0]), (1.0, 0.0, 0.3))
        _mix_arm(p, s, straight, w)
        _mix_arm(p, o, puller, w)
    return p


def _reach_up(ctx: MotionContext) -> Pose:
    """One arm up to a high shelf, the head looking up; held while the hand takes something, then down."""
    p = _base(ctx)
    s = ctx.hand
    w = _event(ctx, (0.5, 0.8), (0.3, 1.2), (0.6, 1.0))
    az = ctx.u(50, 100)
    _mix_arm(p, s, {"sh_el": ctx.u(135, 165), "sh_az": az, "sh_tw": az * ctx.u(0.6, 0.9), "elbow": ctx.u(5, 30), "wrist": 0.0}, w)
    p["neck_flex"] += (-ctx.u(15, 35) - p["neck_flex"]) * w
    p["spine_side"] += -_SIGN[s] * ctx.u(0, 6) * w
    return p


def _reach_side(ctx: MotionContext) -> Pose:
    """One arm out to the side (or side and front) at waist to chest height, the trunk leaning and turning after it."""
    p = _base(ctx)
    s = ctx.hand
    w = _event(ctx, (0.5, 0.9), (0.3, 1.2), (0.5, 0.9))
    az = ctx.u(-10, 50)
    _mix_arm(p, s, {"sh_el": ctx.u(55, 95), "sh_az": az, "sh_tw": az * 0.5, "elbow": ctx.u(0, 30), "wrist": 0.0}, w)
    p["spine_side"] += _SIGN[s] * ctx.u(5, 20) * w
    p["spine_twist"] += _SIGN[s] * ctx.u(0, 20) * w
    p["neck_yaw"] += (_SIGN[s] * ctx.u(20, 50) - p["neck_yaw"]) * w
    return p


def _neck(ctx: MotionContext) -> Pose:
    """Head stretches: down, back, to a shoulder, turned, or rolled round; now and then a hand on the head pulls."""
    p = _base(ctx)
    kind = ("flex", "tilt", "turn", "roll")[int(ctx.rng.integers(4))]
    p.info["kind"] = kind
    w = _event(ctx, (0.6, 1.0), (0.6, 2.0), (0.6, 1.0))
    side = _SIGN[ctx.hand]
    if kind == "flex":
        p["neck_flex"] += ((ctx.u(30, 50) if ctx.chance(0.6) else -ctx.u(20, 35)) - p["neck_flex"]) * w
    elif kind == "tilt":
        p["neck_side"] += side * ctx.u(20, 35) * w
    elif kind == "turn":
        p["neck_yaw"] += (side * ctx.u(50, 75) - p["neck_yaw"]) * w
    else:
        phase = 2 * np.pi * np.cumsum(w) * (ctx.t[1] - ctx.t[0] if ctx.n > 1 else 0.0) / ctx.u(2.0, 4.0)
        amp = ctx.u(20, 35) * w
        p["neck_flex"] += amp * np.cos(phase)
        p["neck_side"] += side * amp * np.sin(phase)
    if kind == "tilt" and ctx.chance(0.4):  # the hand over the head helps the tilt
        torso = measure_torso(ctx.body, p, 30.0)
        r = ctx.body.head_r
        spot = torso.from_head(np.array([-side * 0.9 * r, 0.9 * r, 0.0]))
        arm = solve_arm(ctx.body, ctx.hand, torso.to_shoulder(ctx.hand, spot), np.array([1.0, 0.0, 0.3]), (-1.0, 0.3, 0.0))
        _mix_arm(p, ctx.hand, arm, w)
        p.info["hand"] = True
    return p


def _scratch(ctx: MotionContext) -> Pose:
    """A hand goes to a spot on the body and scratches (a few Hz, a centimetre or two), then back."""
    p = _base(ctx)
    s, o = ctx.hand, ctx.other
    body = ctx.body
    spot_name = ("head", "neck", "face", "arm", "side", "thigh")[int(ctx.rng.choice(6, p=[0.25, 0.15, 0.2, 0.15, 0.1, 0.15]))]
    p.info["spot"] = spot_name
    w = _event(ctx, (0.3, 0.6), (0.6, 2.0), (0.3, 0.6))
    torso = measure_torso(body, p, 30.0)
    r, k = body.head_r, body.height / 1.7
    sg = _SIGN[s]
    if spot_name == "head":
        spot, pole = torso.from_head(np.array([sg * 0.4 * r, 1.0 * r, -ctx.u(0.0, 0.8) * r])), np.array([1.0, 0.2, 0.3])
    elif spot_name == "neck":
        spot, pole = torso.from_head(np.array([sg * 0.3 * r, -1.2 * r, -0.9 * r])), np.array([1.0, -0.3, 0.4])
    elif spot_name == "face":
        spot, pole = torso.from_head(np.array([sg * 0.3 * r, -0.5 * r, 1.1 * r])), np.array([0.5, -1.0, 0.3])
    elif spot_name == "arm":  # the other upper arm, which hangs
        elbow, _ = arm_points(body, o, {c: p[f"{o}_{c}"] for c in ARM_CHANNELS})
        spot, pole = torso.from_chest(o, ctx.u(0.4, 0.8) * elbow + np.array([0.0, 0.0, 0.04])), np.array([0.4, -1.0, 0.0])
    elif spot_name == "side":
        spot, pole = torso.from_pelvis(s, np.array([0.06, 0.2, 0.0]) * k), np.array([1.0, -0.3, -0.5])
    else:
        spot, pole = torso.from_pelvis(s, np.array([0.04, -0.2, 0.06]) * k), np.array([0.5, -1.0, -0.2])
    # The fingers scratch: the wrist is most of a hand back from the spot, towards the shoulder.
    back = torso.shoulder[s] - spot
    wrist = spot + 0.5 * body.hand * back / np.linalg.norm(back, axis=1, keepdims=True)
    wrist = wrist + ctx.u(0.006, 0.015) * k * np.sin(2 * np.pi * ctx.u(3, 6) * ctx.t)[:, None] * smooth_noise(ctx.rng, ctx.t, 0.2, n=3).T
    arm = solve_arm(body, s, torso.to_shoulder(s, wrist), pole)
    _mix_arm(p, s, arm, w)
    if spot_name in ("side", "thigh"):
        p["neck_flex"] += ctx.u(0, 15) * w
    return p


def _tie_shoe(ctx: MotionContext) -> Pose:
    """Crouching with the trunk folded over the knees, both hands at one shoe, fiddling; down and up, or already down.

    Joint angles like `squat` (the contact model keeps the feet where they stand): the lean is
    the pelvis's, which the footstep solver does not allow this deep.
    """
    p = ctx.pose()
    body = ctx.body
    k = body.height / 1.7
    t = ctx.t
    shoe = SIDES[int(ctx.rng.integers(2))]
    down_s, up_s = ctx.u(0.7, 1.1) / ctx.speed, ctx.u(0.7, 1.1) / ctx.speed
    already = ctx.chance(0.35)
    clip = float(t[-1])
    if already:  # down from the start, maybe up before the end
        crouch = 1 - smoothstep((t - ctx.u(0.5, max(clip + 0.5, 0.6))) / up_s)
    else:
        start = ctx.u(0.0, max(clip - down_s - 0.8, 0.0))
        crouch = pulse(t, start, down_s, ctx.u(0.8, 3.0), up_s)
    p.info.update(shoe=shoe, already_down=already)
    depth = ctx.u(0.8, 1.0)
    lean = ctx.u(30, 45) * depth * crouch
    p["pitch"] = lean
    p["spine_flex"] = ctx.u(0, 5) + ctx.u(25, 45) * depth * crouch
    p["neck_flex"] = ctx.u(-5, 10) + ctx.u(0, 15) * crouch
    forward = ctx.u(5, 15)  # the shoe's foot a little ahead
    for s in SIDES:
        knee = ctx.u(105, 125) * depth * crouch
        p[f"{s}_knee"] = 3 + knee - (0.3 * forward * crouch if s == shoe else 0.0)
        p[f"{s}_hip_flex"] = 0.85 * knee + lean + (forward * crouch if s == shoe else 0.0)
        p[f"{s}_hip_abd"] = 3 + ctx.u(5, 15) * crouch
    torso = measure_torso(body, p, 30.0)
    fiddle = _fiddle(ctx, 0.015 * k)
    ankle, toe = (27, 31) if shoe == "l" else (28, 32)
    laces = 0.5 * (torso.points[:, ankle] + torso.points[:, toe]) + np.array([0.0, 0.06, 0.0])
    for s in SIDES:
        side = np.cross(torso.pelvis[:, :, 1], torso.pelvis[:, :, 2])  # the pelvis's own left
        spot = laces + _SIGN[s] * 0.05 * k * side + fiddle[s]
        arm = solve_arm(body, s, torso.to_shoulder(s, spot), np.array([ctx.u(0.3, 0.8), 0.0, -1.0]), (-0.3, -1.0, 0.5))
        rest = rest_angles(ctx, "hanging")
        for c in ARM_CHANNELS:
            p[f"{s}_{c}"] = rest[c] + (arm[c] - rest[c]) * smoothstep(crouch * 1.2)
    return p


def _fiddle(ctx: MotionContext, amp: float) -> dict[str, np.ndarray]:
    """Small busy hand motions (laces, a zip): (T, 3) per side."""
    return {s: amp * smooth_noise(ctx.rng, ctx.t, 3.0, n=3).T * np.array([1.0, 0.6, 0.8]) for s in SIDES}


def _carry(ctx: MotionContext) -> Pose:
    """Holding a box in front with both hands, or a bag hanging from one hand (the trunk leans away from it)."""
    if ctx.chance(0.3):  # turning round with it
        p = _turn_around(ctx, carrying=True)
        p.info["load"] = "box"
        return p
    p = _base(ctx)
    body = ctx.body
    if ctx.chance(0.6):
        p.info["load"] = "box"
        for s, box in _box(ctx).items():
            arm = solve_arm(body, s, np.broadcast_to(box["target"], (ctx.n, 3)), box["pole"], (-1.0, 0.0, 0.4))
            _mix_arm(p, s, arm, np.ones(ctx.n))
        p["neck_flex"] += ctx.u(0, 15)
    else:
        p.info["load"] = "bag"
        s = ctx.hand
        _mix_arm(p, s, {"sh_el": ctx.u(8, 18), "sh_az": ctx.u(-10, 20), "sh_tw": 0.0, "elbow": ctx.u(0, 10), "wrist": 0.0},
                 np.ones(ctx.n))
        p["spine_side"] += -_SIGN[s] * ctx.u(3, 8)
    return p


_MAKERS = {"random": _random, "turn_around": _turn_around, "stretch": _stretch, "reach_up": _reach_up,
           "reach_side": _reach_side, "neck": _neck, "scratch": _scratch, "tie_shoe": _tie_shoe, "carry": _carry}
