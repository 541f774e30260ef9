"""Pose synthesiser: `walk` variants (vision/synth/walking.py, stepping.py, start_stop.py, footwork.py)."""
from __future__ import annotations

import numpy as np

from pose_synth_helpers import FPS, HABITS, SOLES, _body, _foot_heights, _joint_points
from vision.synth.clip import ClipOptions, animate, synthesize_clip
from vision.synth.topology import HIPS
from vision.synth.walking import WALK_VARIANTS


def _walks(variant: str, count: int, frames: int = 90, seed: int = 0) -> list:
    """The first `count` (body, animation) pairs of a walk variant over consecutive seeds."""
    found = []
    for k in range(400):
        body = _body(100 + k)
        anim = animate("walk", body, np.random.default_rng([seed, k]), frames, FPS)
        if anim.pose.info["variant"] == variant:
            found.append((body, anim))
            if len(found) == count:
                return found
    raise AssertionError(f"fewer than {count} {variant} walks in 400 seeds")


def _hips(anim) -> np.ndarray:
    return anim.world.points[:, HIPS].mean(1)[:, [0, 2]]  # (T, 2) ground x, z


def _axes(anim) -> tuple[np.ndarray, np.ndarray]:
    """(T, 2) the pelvis's facing and own-left directions on the ground."""
    yaw = np.deg2rad(anim.pose["yaw"])
    return np.stack([np.sin(yaw), np.cos(yaw)], 1), np.stack([np.cos(yaw), -np.sin(yaw)], 1)


def _travel(anim) -> tuple[float, float]:
    """Metres travelled along the body's own facing and own-left axes (summed frame by frame)."""
    step = np.diff(_hips(anim), axis=0)
    facing, left = _axes(anim)
    return float((step * facing[1:]).sum()), float((step * left[1:]).sum())


def _hip_speed(anim) -> np.ndarray:
    k = 3  # over 0.1 s
    hips = _hips(anim)
    return np.linalg.norm(hips[k:] - hips[:-k], axis=1) * FPS / k


def _contact_drift(points: np.ndarray) -> float:
    """Largest horizontal drift of a sole point during one continuous contact with the ground (m)."""
    ground = points[:, SOLES, 1].min(1)
    worst = 0.0
    for k in SOLES:
        on = np.r_[0, (points[:, k, 1] - ground < 0.003).astype(int), 0]
        edges = np.flatnonzero(np.diff(on))
        for a, b in zip(edges[::2], edges[1::2]):
            seg = points[a:b, k][:, [0, 2]]
            worst = max(worst, float(np.linalg.norm(seg - seg[0], axis=1).max()))
    return worst


def test_every_walk_variant_appears_and_is_recorded() -> None:
    seen = {animate("walk", _body(k), np.random.default_rng([11, k]), 45, FPS).pose.info["variant"] for k in range(60)}
    assert seen == set(WALK_VARIANTS)
    seq = synthesize_clip("walk", _body(), HABITS, np.random.default_rng(4), ClipOptions(seconds=(1.5, 2.0)))
    assert seq.meta["variant"]["variant"] in WALK_VARIANTS and "in_place" in seq.meta["variant"]


def test_backward_walking_moves_against_the_facing_direction_toes_first() -> None:
    for _, anim in _walks("backward", 4):
        along, left = _travel(anim)
        assert along < -0.4 and abs(left) < 0.3 * abs(along), (along, left)
        points = anim.world.points
        heights = _foot_heights(points)
        landings = 0
        for foot, (heel, toe) in enumerate(((29, 31), (30, 32))):  # the toe touches down before the heel
            down = np.flatnonzero((heights[:-1, foot] > 0.01) & (heights[1:, foot] <= 0.01)) + 1
            for i in down:
                landings += 1
                assert points[i, toe, 1] < points[i, heel, 1]
        assert landings >= 2
    for _, anim in _walks("slow", 2):  # walking forwards, the heel touches down first
        assert _travel(anim)[0] > 0.4
        points = anim.world.points
        heights = _foot_heights(points)
        down = np.flatnonzero((heights[:-1, 0] > 0.01) & (heights[1:, 0] <= 0.01)) + 1
        assert len(down) and (points[down, 29, 1] < points[down, 31, 1]).all()


def test_side_stepping_moves_sideways_without_crossing_the_feet() -> None:
    for _, anim in _walks("side_step", 4):
        along, left = _travel(anim)
        assert abs(left) > 0.3 and abs(along) < 0.25 * abs(left), (along, left)
        assert (left > 0) == (anim.pose.info["towards"] == "left")
        _, axis = _axes(anim)
        ankles = anim.world.points[:, [27, 28]][..., [0, 2]]
        apart = ((ankles[:, 0] - ankles[:, 1]) * axis).sum(1)  # the left ankle stays on the left
        assert apart.min() > 0.05


def test_start_stop_walking_pauses_and_steps() -> None:
    for frames in (45, 90, 120):
        for _, anim in _walks("start_stop", 3, frames=frames):
            speed = _hip_speed(anim)
            still = np.r_[0, (speed < 0.05).astype(int), 0]
            edges = np.flatnonzero(np.diff(still))
            longest = max(b - a for a, b in zip(edges[::2], edges[1::2])) / FPS
            assert longest >= 0.3, (frames, longest)  # a pause with the hips still
            assert speed.max() > 0.15  # and stepping
            assert _foot_heights(anim.world.points).max() > 0.02  # a foot leaves the ground
            assert anim.pose.info["stepping"] >= 0.5 and 1 <= anim.pose.info["bouts"] <= 3


def test_slow_walking_is_slow_and_turning_turns() -> None:
    slow = [np.median(_hip_speed(a)) for _, a in _walks("slow", 5)]
    assert 0.3 < np.median(slow) < 0.8 and max(slow) < 0.9
    for _, anim in _walks("turning", 3):
        yaw = anim.pose["yaw"]
        assert abs(yaw[-1] - yaw[0]) > 30
        hips = _hips(anim)
        heading = lambda v: np.degrees(np.arctan2(v[0], v[1]))
        turned = heading(hips[-1] - hips[-31]) - heading(hips[30] - hips[0])
        assert abs((turned + 180) % 360 - 180) > 20  # the path bends, not only the body


def test_planned_footsteps_do_not_slide() -> None:
    for variant in ("backward", "side_step", "slow", "start_stop", "turning"):
        for _, anim in _walks(variant, 3):
            assert _contact_drift(anim.world.points) < 0.01, variant


def test_busy_hands_walk_with_the_hands_held_while_the_legs_carry_the_body() -> None:
    """`busy_hands`: walking with the hands in the pockets (or on a phone...): the wrists stay by
    the hips while the body travels; without the option the arms swing and no draw is spent."""
    options = ClipOptions(busy_hands=1.0)
    found = []
    for k in range(300):
        anim = animate("walk", _body(k), np.random.default_rng(k), 90, FPS, options)
        info = anim.pose.info
        if info["variant"] == "forward" and not info["in_place"] and info.get("hands") == "pockets":
            found.append(anim)
        if len(found) == 2:
            break
    assert found
    for anim in found:
        joints = _joint_points(anim)
        travel = np.linalg.norm(_hips(anim)[-1] - _hips(anim)[0])
        assert travel > 0.5
        near = [np.linalg.norm(joints[:, w] - joints[:, h], axis=1).max() for w, h in ((15, 23), (16, 24))]
        assert min(near) < 0.2  # a hand in its pocket all the way
    plain = animate("walk", _body(1), np.random.default_rng(1), 60, FPS)
    assert "hands" not in plain.pose.info
    again = animate("walk", _body(1), np.random.default_rng(1), 60, FPS, ClipOptions(busy_hands=0.0))
    np.testing.assert_array_equal(plain.world.points, again.world.points)


def test_wide_arms_carry_the_arms_out_from_the_body_and_still_swinging() -> None:
    """`wide_arms`: the elbows and wrists are carried out sideways (as for balance), the arms'
    forward-backward swing kept; without the option no draw is spent."""
    pairs = []
    for k in range(60):
        wide = animate("walk", _body(k), np.random.default_rng(k), 60, FPS, ClipOptions(wide_arms=1.0))
        if wide.pose.info.get("arms") == "wide" and wide.pose.info["variant"] == "forward":
            pairs.append((animate("walk", _body(k), np.random.default_rng(k), 60, FPS), wide))
            seed = k
    assert len(pairs) >= 4

    def out_from_hips(points: np.ndarray, joint: int) -> float:
        """How far a left (odd index) or right joint is from the hips' centre along the hip line (m, mean)."""
        across = points[:, 23] - points[:, 24]  # the left hip from the right one
        across /= np.linalg.norm(across, axis=1, keepdims=True)
        side = 1 if joint % 2 else -1
        return float(side * ((points[:, joint] - points[:, HIPS].mean(1)) * across).sum(1).mean())

    def swing(anim, points: np.ndarray) -> float:
        """The range of the left wrist's reach in front of its shoulder along the facing (m)."""
        facing = np.stack([np.sin(np.deg2rad(anim.pose["yaw"])), np.cos(np.deg2rad(anim.pose["yaw"]))], 1)
        return float(np.ptp(((points[:, 15] - points[:, 11])[:, [0, 2]] * facing).sum(1)))

    for joint in (13, 14, 15, 16):  # elbows and wrists: out by several cm
        gained = [out_from_hips(_joint_points(w), joint) - out_from_hips(_joint_points(p), joint) for p, w in pairs]
        assert np.mean(gained) > 0.03, (joint, gained)
    assert all(swing(w, _joint_points(w)) > 0.1 for _, w in pairs)  # still swinging
    again = animate("walk", _body(seed), np.random.default_rng(seed), 60, FPS, ClipOptions(wide_arms=0.0))
    np.testing.assert_array_equal(pairs[-1][0].world.points, again.world.points)


def test_abduct_is_exact_at_zero_and_turns_the_arm_out() -> None:
    """`abduct` re-expresses the arm's direction: unchanged at 0 degrees, out by the angle asked."""
    from vision.synth.kinematics import _arm
    from vision.synth.walking import abduct

    el, az = np.array([-25.0, -3.0, 0.0, 4.0, 30.0]), np.full(5, 85.0)
    for out in (0.0, 15.0):
        el2, az2 = abduct(el, az, out)
        for side in (1, -1):
            before = _arm(np.deg2rad(el), np.deg2rad(az), np.zeros(5), side) @ np.array([0, -1.0, 0])
            after = _arm(np.deg2rad(el2), np.deg2rad(az2), np.zeros(5), side) @ np.array([0, -1.0, 0])
            np.testing.assert_allclose(after[:, 2], before[:, 2], atol=1e-9)  # the same forward reach
            lateral = np.degrees(np.arctan2(side * after[:, 0], -after[:, 1])) - np.degrees(
                np.arctan2(side * before[:, 0], -before[:, 1]))
            np.testing.assert_allclose(lateral, out, atol=0.6 if out else 1e-9)
