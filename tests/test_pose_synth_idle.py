"""Pose synthesiser: `no_action` postures and `other` variants (idle.py, everyday.py, nonactions.py)."""
from __future__ import annotations

import numpy as np

from pose_synth_helpers import FPS, HABITS, _body, _foot_heights, _joint_points
from vision.synth.clip import ClipOptions, animate, synthesize_clip
from vision.synth.topology import HIPS


def _no_actions(count: int, seed: int = 12, frames: int = 90) -> list:
    """(body, animation) of `count` no_action clips over consecutive seeds."""
    return [(_body(k), animate("no_action", _body(k), np.random.default_rng([seed, k]), frames, FPS)) for k in range(count)]


def test_no_action_never_lifts_a_foot_and_is_often_nearly_still() -> None:
    calm_sway = []
    for _, anim in _no_actions(60):
        points = anim.world.points
        assert _foot_heights(points).max() < 0.01, anim.pose.info  # planted: weight shifts, never a step
        if anim.pose.info["calm"]:
            hips = points[:, HIPS].mean(1)
            calm_sway.append((np.ptp(hips, axis=0).max(), np.ptp(points[:, [15, 16]], axis=0).max()))
    assert 12 <= len(calm_sway) <= 40  # about 40 %
    hips_ptp, wrists_ptp = np.array(calm_sway).T
    assert hips_ptp.max() < 0.03 and wrists_ptp.max() < 0.04  # millimetres of sway, hands at rest


def test_every_no_action_variant_and_stance_appears_for_a_fixed_seed() -> None:
    from vision.synth.idle import VARIANTS

    infos = [anim.pose.info for _, anim in _no_actions(160, seed=13, frames=30)]
    assert {i["variant"] for i in infos} == set(VARIANTS)
    assert {i["stance"] for i in infos} == {"standing", "seated", "leaning"}
    assert any("then" in i for i in infos)  # some change posture once
    seq = synthesize_clip("no_action", _body(), HABITS, np.random.default_rng(4), ClipOptions(seconds=(1.5, 2.0)))
    assert seq.meta["variant"]["variant"] in VARIANTS and "stance" in seq.meta["variant"] and "calm" in seq.meta["variant"]


def _find_no_action(variant: str, count: int = 1, still: bool = False, seed: int = 14) -> list:
    """The first `count` clips of a no_action variant (`still`: without a change of posture or a gesture)."""
    found = []
    for k in range(600):
        anim = animate("no_action", _body(200 + k), np.random.default_rng([seed, k]), 60, FPS)
        info = anim.pose.info
        if info["variant"] == variant and not (still and ("then" in info or "gesture" in info or "moved" in info)):
            found.append(anim)
            if len(found) == count:
                return found
    raise AssertionError(f"fewer than {count} no_action/{variant} clips in 600 seeds")


def _body_axes(anim) -> tuple[np.ndarray, np.ndarray]:
    """The body's own left and forward on the ground at the first frame (x, z world)."""
    yaw = np.deg2rad(anim.pose["yaw"][0])
    return np.array([np.cos(yaw), 0.0, -np.sin(yaw)]), np.array([np.sin(yaw), 0.0, np.cos(yaw)])


def test_no_action_hands_rest_on_a_surface_forearms_forward_and_stay_put() -> None:
    for anim in _find_no_action("surface", 4, still=True):
        points = anim.world.points
        _, fwd = _body_axes(anim)
        chest = points[:, [11, 12]].mean(1)
        hips = points[:, HIPS].mean(1)
        on = [w for w, s in ((15, "l"), (16, "r")) if f"{s}_arm" not in anim.pose.info]  # the hands on the table
        for w in on:
            ahead = (points[:, w] - chest) @ fwd
            assert ahead.min() > 0.1, ahead.min()  # forearms forward
            assert (points[:, w, 1] > hips[:, 1] - 0.25).all() and (points[:, w, 1] < chest[:, 1]).all()  # table height
            assert np.ptp(points[:, w], axis=0).max() < 0.02  # the hand stays where it was put while the body sways


def test_no_action_postures_put_the_hands_where_they_say() -> None:
    def near(a: np.ndarray, b: np.ndarray) -> float:
        return float(np.linalg.norm(a - b, axis=-1).max())

    for anim in _find_no_action("pockets", 3, still=True):
        points, info, joints = anim.world.points, anim.pose.info, _joint_points(anim)
        for w, hip, s in ((15, 23, "l"), (16, 24, "r")):
            if f"{s}_arm" not in info:
                assert near(points[:, w], joints[:, hip]) < 0.2  # the wrist at the hip, in the pocket
    for anim in _find_no_action("hand_on_hip", 3, still=True):
        points, s = anim.world.points, anim.pose.info["side"]
        w, hip, elbow, shoulder = (15, 23, 13, 11) if s == "l" else (16, 24, 14, 12)
        left, _ = _body_axes(anim)
        out = 1 if s == "l" else -1
        assert near(points[:, w], _joint_points(anim)[:, hip]) < 0.2
        assert ((points[:, elbow] - points[:, shoulder]) @ left * out).min() > 0.03  # the elbow out to the side
    for anim in _find_no_action("arms_folded", 3, still=True):
        points = anim.world.points
        left, fwd = _body_axes(anim)
        mid = points[:, [11, 12]].mean(1)
        assert (((points[:, 15] - mid) @ left) < 0).all() and (((points[:, 16] - mid) @ left) > 0).all()  # crossed over
        assert (((points[:, [15, 16]] - mid[:, None]) @ fwd) > 0.03).all()  # in front of the chest
    for anim in _find_no_action("phone", 3, still=True):
        points = anim.world.points
        _, fwd = _body_axes(anim)
        assert anim.pose["neck_flex"].mean() > 15  # the head down
        holder = 15 if anim.pose.info.get("r_arm") or anim.pose.info["hands"] == "both" else 16
        assert ((points[:, holder] - points[:, [11, 12]].mean(1)) @ fwd).min() > 0.1  # held in front
    for anim in _find_no_action("leaning", 3):
        points = anim.world.points
        left, _ = _body_axes(anim)
        feet = points[:, [27, 28]].mean(1)
        assert abs(float(((points[:, HIPS].mean(1) - feet) @ left).mean())) > 0.02  # the hip out over one leg


def test_talking_gestures_are_centimetres_not_punches() -> None:
    for anim in _find_no_action("talking", 6, still=True):
        points, info = anim.world.points, anim.pose.info
        size = info["gesture_m"]
        assert 0.03 <= size <= 0.15 * anim.context.body.height / 1.7 + 1e-9
        talkers = [15, 16] if info["hands"] == "both" else [15 if anim.context.hand == "l" else 16]
        moved = max(np.ptp(points[:, w], axis=0).max() for w in talkers)
        assert moved < 4 * size + 0.04, (moved, size)
        for w in talkers:  # never an arm thrown out straight
            reach = np.linalg.norm(points[:, w] - points[:, w - 4], axis=1).max()  # wrist from its shoulder
            assert reach < 0.95 * (anim.context.body.upper_arm + anim.context.body.forearm)


def test_every_other_variant_appears_and_does_what_it_says() -> None:
    from vision.synth.nonactions import OTHER_VARIANTS

    seen: dict[str, list] = {}
    for k in range(90):
        anim = animate("other", _body(400 + k), np.random.default_rng([15, k]), 90, FPS)
        assert np.isfinite(anim.world.points).all()
        seen.setdefault(anim.pose.info["variant"], []).append(anim)
    assert set(seen) == set(OTHER_VARIANTS)
    for anim in seen["turn_around"]:
        yaw = anim.pose["yaw"]
        assert abs(yaw[-1] - yaw[0]) > 60 or anim.context.t[-1] < 2.0, anim.pose.info  # turned round
        assert np.ptp(anim.world.points[:, HIPS].mean(1)[:, [0, 2]], axis=0).max() < 0.3  # in place
    for anim in seen["tie_shoe"]:
        hips = anim.world.points[:, HIPS, 1].mean(1)
        assert hips.min() < 0.75 * anim.context.body.leg, anim.pose.info  # down in a crouch
    for anim in seen["reach_up"]:
        s = 15 if anim.context.hand == "l" else 16
        assert (anim.world.points[:, s, 1] > anim.world.points[:, 0, 1]).any()  # a hand above the head
    for variant in ("stretch", "reach_up", "reach_side", "neck", "scratch"):
        for anim in seen[variant]:
            assert _foot_heights(anim.world.points).max() < 0.01  # over no_action's planted feet


def test_held_hands_keep_their_place_through_personal_style() -> None:
    """A hand put on a point gets no personal offset or tremor (the clip builder leaves `pose.held` alone)."""
    anim = _find_no_action("surface", 1, still=True)[0]
    assert {"l_sh_el", "r_elbow"} & anim.pose.held
    points = anim.world.points
    on = [w for w, s in ((15, "l"), (16, "r")) if f"{s}_arm" not in anim.pose.info]
    assert max(np.ptp(points[:, w], axis=0).max() for w in on) < 0.02


def test_held_poses_freeze_a_moment_of_another_class_and_cost_nothing_when_off() -> None:
    """`held_poses`: a no_action clip holds one moment of another class (walk half the time) with
    only the personal tremor moving it; other classes and the option at 0 draw nothing extra."""
    sources, strides = [], []
    for k in range(40):
        anim = animate("no_action", _body(k), np.random.default_rng([5, k]), 60, FPS, ClipOptions(held_poses=1.0))
        info = anim.pose.info
        assert info["variant"] == "held" and info["held_from"] not in ("no_action", "other")
        points = anim.world.points
        assert np.ptp(points, axis=0).max() < 0.12, info  # a held posture: centimetres of tremor, no travel
        assert _foot_heights(points).max() < 0.6, info  # a jump's moment is held on the ground
        sources.append(info["held_from"])
        if info["held_from"] == "walk":
            strides.append(float(np.abs(points[:, 27, 2] - points[:, 28, 2]).mean()))  # ankles apart along z
    assert 10 <= sources.count("walk") <= 30 and len(set(sources)) >= 6
    assert max(strides) > 0.2  # some walkers are held mid-stride, feet apart
    plain = animate("no_action", _body(3), np.random.default_rng(3), 60, FPS)
    again = animate("no_action", _body(3), np.random.default_rng(3), 60, FPS, ClipOptions(held_poses=0.0))
    np.testing.assert_array_equal(plain.world.points, again.world.points)
    walk = animate("walk", _body(3), np.random.default_rng(3), 60, FPS)
    held_option = animate("walk", _body(3), np.random.default_rng(3), 60, FPS, ClipOptions(held_poses=1.0))
    np.testing.assert_array_equal(walk.world.points, held_option.world.points)
