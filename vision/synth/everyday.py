"""Everyday arm postures of people standing or sitting about, said as where the hands are.

Real people who are doing none of the actions very often have their forearms forward: hands
resting on a table or a counter, a phone or a cup held in front of the chest, typing, talking
with small gestures, hands in pockets, arms folded, a hand on the hip. Each posture here is
planned in two steps so a clip can draw all its choices first: `plan_posture` draws the numbers
and says how it bends the trunk and head (a lean over a low table, the head down over a phone);
the returned `Posture.build` then places the hands on the measured trunk (`reach.Torso`):

- on the world (`surface`, `typing`, `writing`, the counter of `leaning`): the hands stay where
  they were put while the body sways over its planted feet;
- on the body (`pockets`, `hand_on_hip`, `holding_arm`, a phone at the ear): they follow the hip,
  the other arm or the head;
- in front of the chest (`phone`, `holding`, `talking`, `arms_folded`): they ride with the chest,
  plus their own small motions (typing, scrolling, gestures of a few centimetres).

Sizes are metres for a 1.7 m person, scaled with stature. The variants, stances and `Posture`
are in `posture`; placing a hand and the arms that do nothing are in `hands`.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from vision.synth.geometry import smooth_noise, smoothstep
from vision.synth.hands import (
    _axes,
    _bursts,
    _chest_target,
    _const,
    _free_arm,
    _on_hip,
    _on_thigh,
    _pocket,
    _reach,
    _scale,
    _sign,
    _wiggle,
)
from vision.synth.motion import MotionContext, pulse
from vision.synth.posture import (
    REST_POSTURES,
    SEATED,
    STANDING,
    Angles,
    Posture,
    rest_angles,
)
from vision.synth.reach import Torso, arm_points, solve_arm
from vision.synth.skeleton import SIDES


def _surface_points(ctx: MotionContext, torso: Torso, drop: float, inward: dict[str, float], reach: dict[str, float]) -> dict[str, np.ndarray]:
    """Where each hand rests on a horizontal surface `drop` m below the mean shoulder height (world, (3,))."""
    fwd, left, up = _axes(torso)
    shoulders = {s: torso.shoulder[s].mean(0) for s in SIDES}
    height = (shoulders["l"][1] + shoulders["r"][1]) / 2 - drop
    points = {}
    for s, r in reach.items():
        sh = shoulders[s]
        across = inward[s]
        down = sh[1] - height
        ahead = np.sqrt(max(r * r - down * down - across * across, (0.12 * _scale(ctx)) ** 2))
        points[s] = sh - _sign(s) * across * left + ahead * fwd - down * up
    return points


def _surface(ctx: MotionContext, stance: str, name: str, calm: bool) -> Posture:
    """Hands resting on a table, counter or desk in front; typing or writing on it."""
    k, body = _scale(ctx), ctx.body
    arm = body.upper_arm + body.forearm
    seated = stance == SEATED
    hands = list(SIDES)
    free: dict[str, tuple[str, Callable, bool]] = {}
    if name == "surface" and ctx.chance(0.3):  # one hand on the table, the other elsewhere
        hands = [ctx.hand]
        free[ctx.other] = _free_arm(ctx, ctx.other, stance)
    drop = (ctx.u(0.35, 0.6) if seated else ctx.u(0.5, 0.85)) * arm
    close = name == "typing"  # the hands near each other on a keyboard
    inward = {s: body.shoulder_half * (ctx.u(0.55, 0.85) if close else ctx.u(0.0, 0.75)) for s in SIDES}
    reach = {s: ctx.u(0.62, 0.9) * arm for s in hands}
    pole = {s: (ctx.u(0.05, 0.5), -1.0, -ctx.u(0.0, 0.5)) for s in SIDES}
    lean = ctx.u(0, 12) * max(0.0, drop / arm - 0.55) / 0.3 if not seated else ctx.u(-3, 10)
    trunk = {"spine_flex": lean, "neck_flex": ctx.u(0, 20)}
    info: dict = {"surface_drop": round(drop / arm, 2), "hands": "both" if len(hands) == 2 else "one"}
    motion = {s: np.zeros((ctx.n, 3)) for s in hands}
    if name == "typing":
        trunk["neck_flex"] = ctx.u(15, 40) if ctx.chance(0.4) else ctx.u(-5, 15)  # at the keys, or at a screen
        bursts = _bursts(ctx, (0.6, 2.5), (0.3, 1.5), 0.75)
        for s in hands:
            motion[s] = bursts[:, None] * _wiggle(ctx, ctx.u(0.003, 0.008) * k, ctx.u(3, 6), (1.0, 0.6, 0.8))
        if ctx.chance(0.35):  # a hand goes to the mouse and back
            s = ctx.hand
            away = pulse(ctx.t, ctx.u(0, max(ctx.t[-1] - 1.2, 0.1)), ctx.u(0.3, 0.5), ctx.u(0.3, 1.5), ctx.u(0.3, 0.5))
            motion[s] = motion[s] + away[:, None] * np.array([-_sign(s) * ctx.u(0.12, 0.22), 0.0, ctx.u(-0.05, 0.05)]) * k
            info["mouse"] = s
    elif name == "writing":
        trunk["neck_flex"] = ctx.u(25, 45)
        trunk["spine_flex"] = trunk["spine_flex"] + ctx.u(3, 12)
        s = ctx.hand
        strokes = _wiggle(ctx, ctx.u(0.002, 0.005) * k, ctx.u(3, 5), (1.0, 0.3, 0.7))
        cycle = (ctx.t * ctx.u(0.3, 0.6) + ctx.u(0, 1)) % 1.0  # along the line, quickly back at its end
        line = ctx.u(0.03, 0.07) * k * np.where(cycle < 0.85, cycle / 0.85, (1 - cycle) / 0.15)
        motion[s] = strokes + np.stack([-_sign(s) * line, 0 * line, 0 * line], 1)
    elif not calm and not seated and ctx.chance(0.3):  # a hand moves to another spot on the surface and stays
        s = hands[int(ctx.rng.integers(len(hands)))]
        move = smoothstep((ctx.t - ctx.u(0, max(ctx.t[-1] - 0.6, 0.1))) / ctx.u(0.4, 0.8))
        motion[s] = move[:, None] * np.array([ctx.u(-0.1, 0.1), 0.0, ctx.u(-0.08, 0.08)]) * k
        info["moved"] = s

    def build(torso: Torso) -> dict[str, Angles]:
        points = _surface_points(ctx, torso, drop, inward, reach)
        fwd, left, up = _axes(torso)
        arms = {}
        for s in hands:
            world = points[s] + motion[s] @ np.stack([left, up, fwd])  # motion in (left, up, forward)
            arms[s] = _reach(ctx, torso, s, world, pole[s], (-0.15, -0.25, 1.0))
            if name == "typing":
                arms[s]["wrist"] = arms[s]["wrist"] + ctx.u(3, 10) * smooth_noise(ctx.rng, ctx.t, 4.0)[0]
        for s, (_, make, _) in free.items():
            arms[s] = make(torso)
        return arms

    held = frozenset(hands) | frozenset(s for s, (_, _, h) in free.items() if h)
    info.update({f"{s}_arm": n for s, (n, _, _) in free.items()})
    return Posture(name, build, held, trunk, info)


def _phone(ctx: MotionContext, stance: str, calm: bool) -> Posture:
    """Looking down at a phone held in front of the chest, one hand or both; the thumb scrolls."""
    k, body = _scale(ctx), ctx.body
    both = ctx.chance(0.45)
    y, z = -ctx.u(0.24, 0.4) * k, ctx.u(0.2, 0.32) * k
    spread = ctx.u(0.03, 0.06) * k
    scroll = _bursts(ctx, (0.3, 1.2), (0.5, 2.5), 0.5)[:, None] * _wiggle(ctx, ctx.u(0.002, 0.006) * k, 3.0, (0.5, 1.0, 0.3))
    scroll *= 0.0 if calm else 1.0  # calm: reading, the thumb still
    free = {} if both else {ctx.other: _free_arm(ctx, ctx.other, stance)}
    hands = list(SIDES) if both else [ctx.hand]
    pole = {s: (ctx.u(0.1, 0.5), -1.0, -ctx.u(0.0, 0.3)) for s in SIDES}
    centre = ctx.u(-0.03, 0.05) * k  # the phone's offset from the midline towards `hand`

    def build(torso: Torso) -> dict[str, Angles]:
        arms = {}
        for s in hands:
            x = body.shoulder_half + (centre if s == ctx.hand else -centre) - spread  # from the shoulder to the midline
            target = _chest_target(s, -x, y, z) + scroll
            arms[s] = solve_arm(body, s, np.broadcast_to(target, (ctx.n, 3)), pole[s], (-0.3, 0.8, 0.6))
        for s, (_, make, _) in free.items():
            arms[s] = make(torso)
        return arms

    held = frozenset(hands) | frozenset(s for s, (_, _, h) in free.items() if h)
    info = {"hands": "both" if both else "one", **{f"{s}_arm": n for s, (n, _, _) in free.items()}}
    return Posture("phone", build, held, {"neck_flex": ctx.u(20, 45), "spine_flex": ctx.u(0, 10)}, info)


def _holding(ctx: MotionContext, stance: str, calm: bool) -> Posture:
    """Holding something in front: a cup (now and then a sip), a phone at face height or at the ear."""
    k, body = _scale(ctx), ctx.body
    obj = ("cup", "phone_up", "phone_ear")[int(ctx.rng.choice(3, p=[0.5, 0.25, 0.25]))]
    s = ctx.hand
    free = {ctx.other: _free_arm(ctx, ctx.other, stance)}
    trunk: dict[str, float] = {"neck_flex": ctx.u(-5, 10)}
    sip = np.zeros(ctx.n)
    if obj == "cup":
        base = _chest_target(s, -body.shoulder_half * ctx.u(0.0, 0.7), -ctx.u(0.3, 0.45) * k, ctx.u(0.15, 0.3) * k)
        pole, hand = (ctx.u(0.2, 0.6), -1.0, -ctx.u(0.0, 0.3)), (-0.3, 1.0, 0.3)
        if ctx.chance(0.5) and not calm:
            sip = pulse(ctx.t, ctx.u(0, max(ctx.t[-1] - 1.5, 0.1)), ctx.u(0.4, 0.7), ctx.u(0.3, 1.0), ctx.u(0.4, 0.7))
    elif obj == "phone_up":  # reading or filming at face height
        base = _chest_target(s, -body.shoulder_half * ctx.u(0.6, 1.0), ctx.u(-0.05, 0.08) * k, ctx.u(0.22, 0.35) * k)
        pole, hand = (ctx.u(0.1, 0.4), -1.0, -ctx.u(0.0, 0.3)), (-0.3, 1.0, 0.2)
        trunk["neck_flex"] = ctx.u(0, 15)
    else:  # a call: the phone at the ear, so the wrist below it by most of a hand, in front of the jaw
        base = None
        # The elbow points down and forward: the wrist is about level with the shoulder, so that is across the arm.
        pole, hand = (ctx.u(0.2, 0.7), -1.0, ctx.u(0.3, 0.8)), (-0.3, 1.0, 0.0)
    # Wrist targets in the head's axes: the hand spans from there to the ear or the mouth.
    ear = np.array([_sign(s) * ctx.u(1.2, 1.5) * body.head_r, -ctx.u(0.7, 0.9) * body.hand, ctx.u(0.7, 1.1) * body.head_r])
    mouth = np.array([_sign(s) * 0.3 * body.head_r, -0.55 * body.head_r - 0.45 * body.hand, 1.3 * body.head_r + 0.04 * k])

    def build(torso: Torso) -> dict[str, Angles]:
        if base is None:
            target = torso.to_shoulder(s, torso.from_head(ear))
        else:
            target = np.broadcast_to(base, (ctx.n, 3))
            if sip.any():
                target = target + sip[:, None] * (torso.to_shoulder(s, torso.from_head(mouth)) - target)
        arms = {s: solve_arm(body, s, target, np.asarray(pole), np.asarray(hand))}
        for o, (_, make, _) in free.items():
            arms[o] = make(torso)
        return arms

    held = frozenset([s]) | frozenset(o for o, (_, _, h) in free.items() if h)
    info = {"object": obj, "sip": bool(sip.any()), **{f"{o}_arm": n for o, (n, _, _) in free.items()}}
    return Posture("holding", build, held, trunk, info, {"neck_flex": -ctx.u(5, 20) * sip})  # the head tips back to drink


def _pockets(ctx: MotionContext, stance: str, calm: bool) -> Posture:
    """Hands in the trouser pockets, front or back; both or one."""
    front = ctx.chance(0.75)
    hands = list(SIDES) if ctx.chance(0.65) else [ctx.hand]
    makers = {s: _pocket(ctx, s, front) for s in hands}
    free = {s: _free_arm(ctx, s, stance) for s in SIDES if s not in hands}

    def build(torso: Torso) -> dict[str, Angles]:
        arms = {s: make(torso) for s, make in makers.items()}
        arms.update({s: make(torso) for s, (_, make, _) in free.items()})
        return arms

    held = frozenset(hands) | frozenset(s for s, (_, _, h) in free.items() if h)
    info = {"pockets": "front" if front else "back", "hands": "both" if len(hands) == 2 else "one",
            **{f"{s}_arm": n for s, (n, _, _) in free.items()}}
    return Posture("pockets", build, held, {}, info)


def _talking(ctx: MotionContext, stance: str, calm: bool) -> Posture:
    """Talking: one or both hands in front of the belly or chest, moving a few centimetres to ~15 cm in irregular spells."""
    k, body = _scale(ctx), ctx.body
    both = ctx.chance(0.5)
    hands = list(SIDES) if both else [ctx.hand]
    free = {s: _free_arm(ctx, s, stance) for s in SIDES if s not in hands}
    size = ctx.u(0.03, 0.15) * k  # the typical extent of a gesture at the wrist
    amp = size / 4  # smooth noise has unit RMS: about four of it from one extreme to the other
    spells = _bursts(ctx, (0.5, 2.0), (0.3, 1.5), 0.7)
    base, move, pole = {}, {}, {}
    shared = _wiggle(ctx, 1.0, ctx.u(0.8, 2.0), (1.0, 0.8, 0.6))
    for s in hands:
        base[s] = _chest_target(s, -body.shoulder_half * ctx.u(0.1, 0.8), -ctx.u(0.3, 0.45) * k, ctx.u(0.12, 0.28) * k)
        own = _wiggle(ctx, 1.0, ctx.u(0.8, 2.0), (1.0, 0.8, 0.6))
        mix = ctx.u(0.0, 0.7)  # two hands partly move together
        shape = (mix * shared + (1 - mix) * own) * np.array([_sign(s), 1.0, 1.0])
        beats = sum(pulse(ctx.t, ctx.u(0, ctx.t[-1] + 0.1), 0.12, 0.05, 0.2) for _ in range(int(ctx.rng.integers(0, 4))))
        move[s] = (amp * shape + np.asarray(beats)[..., None] * np.array([0.0, -0.6 * amp, 0.2 * amp])) * spells[:, None]
        pole[s] = (ctx.u(0.0, 0.3), -1.0, -ctx.u(0.1, 0.4))  # elbows near the body: the forearm does the talking
    hand = (-0.2, 0.2, 1.0)

    def build(torso: Torso) -> dict[str, Angles]:
        arms = {s: solve_arm(body, s, base[s] + move[s], np.asarray(pole[s]), np.asarray(hand)) for s in hands}
        arms.update({s: make(torso) for s, (_, make, _) in free.items()})
        return arms

    held = frozenset(hands) | frozenset(s for s, (_, _, h) in free.items() if h)
    info = {"hands": "both" if both else "one", "gesture_m": round(size, 3), **{f"{s}_arm": n for s, (n, _, _) in free.items()}}
    head = {"neck_flex": ctx.u(1, 4) * spells * smooth_noise(ctx.rng, ctx.t, 1.5)[0],  # nods and turns with the words
            "neck_yaw": ctx.u(3, 12) * smooth_noise(ctx.rng, ctx.t, 0.5)[0]}
    return Posture("talking", build, held, {"neck_flex": ctx.u(-5, 10)}, info, head)


def _arms_folded(ctx: MotionContext, stance: str, calm: bool) -> Posture:
    """Arms folded across the lower chest, each hand at the other upper arm; one forearm over the other."""
    k, body = _scale(ctx), ctx.body
    top = SIDES[int(ctx.rng.integers(2))]
    y, z = -ctx.u(0.2, 0.3) * k, ctx.u(0.11, 0.17) * k
    across = {s: body.shoulder_half * (1 + ctx.u(0.5, 0.95)) for s in SIDES}
    pole = {s: (ctx.u(0.3, 0.8), -1.0, ctx.u(-0.2, 0.25)) for s in SIDES}
    step = ctx.u(0.02, 0.045) * k

    def build(torso: Torso) -> dict[str, Angles]:
        arms = {}
        for s in SIDES:
            up = step if s == top else -step * 0.3
            target = _chest_target(s, -across[s], y + up, z + (0.02 * k if s == top else 0.0))
            arms[s] = solve_arm(body, s, np.broadcast_to(target, (ctx.n, 3)), np.asarray(pole[s]), (-1.0, 0.1, -0.3))
        return arms

    return Posture("arms_folded", build, frozenset(SIDES), {}, {"top": top})


def _hand_on_hip(ctx: MotionContext, stance: str, calm: bool) -> Posture:
    """One hand on the hip; the other hangs, is in a pocket, or holds a phone at the side."""
    s = ctx.hand
    hip = _on_hip(ctx, s)
    free = {ctx.other: _free_arm(ctx, ctx.other, stance)}

    def build(torso: Torso) -> dict[str, Angles]:
        return {s: hip(torso), **{o: make(torso) for o, (_, make, _) in free.items()}}

    held = frozenset([s]) | frozenset(o for o, (_, _, h) in free.items() if h)
    return Posture("hand_on_hip", build, held, {"spine_side": _sign(s) * ctx.u(0, 5)},
                   {"side": s, **{f"{o}_arm": n for o, (n, _, _) in free.items()}})


def _holding_arm(ctx: MotionContext, stance: str, calm: bool) -> Posture:
    """One hand holds the other arm (above the elbow or the forearm), the held arm hanging a little in front."""
    s, o = ctx.hand, ctx.other
    k, body = _scale(ctx), ctx.body
    held_arm = {"sh_el": ctx.u(8, 20), "sh_az": ctx.u(50, 90), "elbow": ctx.u(10, 45), "wrist": 0.0}
    held_arm["sh_tw"] = held_arm["sh_az"] * ctx.u(0.6, 0.9)
    on_forearm = ctx.chance(0.35)
    at = ctx.u(0.2, 0.6) if on_forearm else ctx.u(0.55, 0.95)
    pole = (ctx.u(0.2, 0.6), -1.0, -ctx.u(0.0, 0.3))
    front = ctx.u(0.03, 0.06) * k

    def build(torso: Torso) -> dict[str, Angles]:
        other = _const(ctx.n, held_arm)
        elbow, wrist = arm_points(body, o, other)
        point = elbow + at * (wrist - elbow) if on_forearm else at * elbow
        world = torso.from_chest(o, point + np.array([0.0, 0.0, front]))
        return {o: other, s: _reach(ctx, torso, s, world, pole, (-1.0, 0.0, 0.3))}

    return Posture("holding_arm", build, frozenset(SIDES), {},
                   {"holder": s, "grip": "forearm" if on_forearm else "upper_arm"})


def _arms_down(ctx: MotionContext, stance: str, calm: bool) -> Posture:
    """The first version's rest postures (hanging, crossed, on the hips, clasped in front, behind the back); seated: hands on the thighs too."""
    names = list(REST_POSTURES)
    if stance == SEATED and ctx.chance(0.5):
        makers = {s: _on_thigh(ctx, s) for s in SIDES}
        return Posture("arms_down", lambda torso: {s: m(torso) for s, m in makers.items()}, frozenset(SIDES), {},
                       {"arms": "on_thighs"})
    style = names[ctx.rng.choice(len(names), p=[0.45, 0.15, 0.15, 0.15, 0.1])]
    angles = {s: rest_angles(ctx, style if ctx.chance(0.85) else "hanging") for s in SIDES}
    return Posture("arms_down", lambda torso: {s: _const(ctx.n, a) for s, a in angles.items()}, frozenset(), {},
                   {"arms": style})


def _leaning_arms(ctx: MotionContext, calm: bool) -> Posture:
    """Leaning: a forearm on a counter at the side, or one of the standing postures over a hip pushed out."""
    if ctx.chance(0.5):
        make = (_arms_folded, _pockets, _phone, _hand_on_hip, _arms_down)[int(ctx.rng.choice(5, p=[0.25, 0.25, 0.2, 0.15, 0.15]))]
        p = make(ctx, STANDING, calm)
        p.info = {"arms": p.name, **p.info}
        p.name = "leaning"
        return p
    s = ctx.hand
    k, body = _scale(ctx), ctx.body
    arm = body.upper_arm + body.forearm
    out, drop, ahead = ctx.u(0.0, 0.12) * k, ctx.u(0.4, 0.6) * arm, ctx.u(0.15, 0.3) * k
    pole = (ctx.u(0.5, 1.0), -1.0, -ctx.u(0.0, 0.5))
    free = {ctx.other: _free_arm(ctx, ctx.other, STANDING)}

    def build(torso: Torso) -> dict[str, Angles]:
        fwd, left, up = _axes(torso)
        sh = torso.shoulder[s].mean(0)
        point = sh + _sign(s) * out * left - drop * up + ahead * fwd
        arms = {s: _reach(ctx, torso, s, point, pole, (-0.5, -0.2, 1.0))}
        arms.update({o: make(torso) for o, (_, make, _) in free.items()})
        return arms

    held = frozenset([s]) | frozenset(o for o, (_, _, h) in free.items() if h)
    return Posture("leaning", build, held, {"spine_side": _sign(s) * ctx.u(2, 8)},
                   {"arms": "counter", "side": s, **{f"{o}_arm": n for o, (n, _, _) in free.items()}})


def plan_posture(ctx: MotionContext, variant: str, stance: str, calm: bool = False) -> Posture:
    """Draw `variant`'s posture for a clip in `stance` (see VARIANT_STANCES); `calm`: no sips, scrolling or moves."""
    if variant in ("surface", "typing", "writing"):
        return _surface(ctx, stance, variant, calm)
    if variant == "leaning":
        return _leaning_arms(ctx, calm)
    makers = {"phone": _phone, "holding": _holding, "pockets": _pockets, "talking": _talking, "arms_folded": _arms_folded,
              "hand_on_hip": _hand_on_hip, "holding_arm": _holding_arm, "arms_down": _arms_down}
    return makers[variant](ctx, stance, calm)
