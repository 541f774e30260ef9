"""Pose synthesiser: bodies, kinematics (arm inverse kinematics too) and camera geometry."""
from __future__ import annotations

import numpy as np

from pose_synth_helpers import FPS, _animate_variant, _body, _project, _view
from vision.synth.camera import frame_camera
from vision.synth.clip import animate
from vision.synth.skeleton import Pose
from vision.synth.topology import HIPS


def test_bodies_differ_in_proportions_and_stand_on_the_ground() -> None:
    a, b = _body(0), _body(1)
    assert a.height != b.height and a.upper_arm / a.height != b.upper_arm / b.height
    world = animate("no_action", a, np.random.default_rng(0), 30, FPS).world.points
    assert np.allclose(world[..., 1].min(1), 0.0, atol=1e-9)  # the lowest sole point touches the ground
    assert 0.85 * a.height < world[:, 0, 1].mean() < a.height  # the nose sits just under the top of the head


def test_arm_elevation_180_puts_the_hand_overhead() -> None:
    body = _body()
    pose = Pose(2)
    pose["l_sh_el"] = [0.0, 180.0]
    world = animate_pose(body, pose)
    assert world[0, 15, 1] < world[0, 11, 1] and world[1, 15, 1] > world[1, 11, 1] + 0.5 * body.upper_arm
    assert world[1, 15, 1] > world[1, 0, 1]  # wrist above the nose


def animate_pose(body, pose: Pose) -> np.ndarray:
    from vision.synth.kinematics import forward_kinematics

    return forward_kinematics(body, pose, FPS).points


def test_projection_left_right_and_depth_follow_the_view() -> None:
    world = animate_pose(_body(), Pose(3))
    _, front = _project(world, yaw=0.0)
    _, back = _project(world, yaw=180.0)
    _, left_side = _project(world, yaw=90.0)
    # Facing the camera, the person's left shoulder is on the image's right; from behind, on its left.
    assert (front[:, 11, 0] > front[:, 12, 0]).all()
    assert (back[:, 11, 0] < back[:, 12, 0]).all()
    assert (front[:, 0, 1] < front[:, 27, 1]).all()  # head above ankles (y grows downwards)
    # z: relative to the hips, negative is nearer. From the left side the left shoulder is nearer.
    assert (left_side[:, 11, 2] < left_side[:, 12, 2]).all()
    # the nose is in front of the hips: nearer than them from the front, farther from behind than from the front
    # (from behind, a camera looking down sees the head, higher, nearer than the hips: only the comparison is safe)
    assert (front[:, 0, 2] < 0).all() and (back[:, 0, 2] > front[:, 0, 2] + 0.05 * abs(front[:, 0, 2])).all()
    np.testing.assert_allclose(front[:, HIPS, 2].mean(1), 0.0, atol=1e-9)


def test_a_body_turned_away_mirrors_the_view() -> None:
    """Camera yaw is relative to the person's facing: turning both leaves the picture unchanged."""
    world = animate_pose(_body(), Pose(2))
    turn = np.deg2rad(70.0)
    rot = np.array([[np.cos(turn), 0, np.sin(turn)], [0, 1, 0], [-np.sin(turn), 0, np.cos(turn)]])
    _, a = _project(world, yaw=30.0)
    _, b = _project(world @ rot.T, yaw=30.0, facing=70.0)
    np.testing.assert_allclose(a, b, atol=1e-6)


def test_framing_fills_the_frame_as_asked() -> None:
    world = animate("jumping_jack", _body(), np.random.default_rng(0), 60, FPS).world.points
    for size in ((640, 480), (720, 1280)):
        camera, _ = frame_camera(world, 0.0, _view(0.0, size=size, fill=0.7))
        uv = camera.pixels(world)
        extent = (uv.reshape(-1, 2).max(0) - uv.reshape(-1, 2).min(0)) / size
        assert 0.6 < extent.max() < 0.75 and (uv.reshape(-1, 2) >= 0).all() and (uv.reshape(-1, 2) <= size).all()


def test_walking_across_moves_the_hips_and_marching_in_place_does_not() -> None:
    body, crossing = _animate_variant("walk", in_place=False)
    _, marching = _animate_variant("walk", in_place=True)
    for anim, far in ((crossing, True), (marching, False)):
        camera, px = _project(anim.world.points, yaw=90.0, facing=float(anim.pose["yaw"][0]))
        hip_x = px[:, HIPS, 0].mean(1)
        person = body.height * camera.focal / camera.to_camera(anim.world.points[:, HIPS].mean(1))[:, 2]
        moved = abs(hip_x[-1] - hip_x[0]) / person.mean()  # in person heights
        assert (moved > 0.5) if far else (moved < 0.15), (far, moved)


def test_walking_towards_the_camera_grows_the_person() -> None:
    _, anim = _animate_variant("walk", in_place=False, seed=2)
    facing = float(anim.pose["yaw"][0])
    for yaw, grows in ((0.0, True), (180.0, False)):
        _, px = _project(anim.world.points, yaw=yaw, facing=facing)
        height = px[:, 27:29, 1].mean(1) - px[:, 0, 1]  # nose to ankles, pixels
        assert (height[-1] > 1.2 * height[0]) if grows else (height[-1] < 0.85 * height[0])


def test_arm_inverse_kinematics_puts_the_wrist_on_the_target() -> None:
    from vision.synth.kinematics import forward_kinematics
    from vision.synth.reach import measure_torso, solve_arm

    body = _body(3)
    rng = np.random.default_rng(0)
    n = 40
    pose = Pose(n)
    pose["spine_flex"], pose["spine_twist"], pose["yaw"] = rng.uniform(-10, 30, n), rng.uniform(-20, 20, n), 35.0
    torso = measure_torso(body, pose, FPS)
    arm = body.upper_arm + body.forearm
    targets = {}
    for s, sign in (("l", 1.0), ("r", -1.0)):
        direction = rng.normal(size=(n, 3))
        direction /= np.linalg.norm(direction, axis=1, keepdims=True)
        targets[s] = direction * rng.uniform(0.3, 0.95, (n, 1)) * arm  # reachable, anywhere round the shoulder
        for c, v in solve_arm(body, s, targets[s], np.array([0.3, -1.0, -0.3])).items():
            pose[f"{s}_{c}"] = v
    for s in ("l", "r"):
        pose[f"{s}_ankle"] += pose[f"{s}_knee"] - pose[f"{s}_hip_flex"] + pose["pitch"]
    points = forward_kinematics(body, pose, FPS).points
    for s, w in (("l", 15), ("r", 16)):
        np.testing.assert_allclose(points[:, w], torso.from_chest(s, targets[s]), atol=1e-9)


def test_blazepose_marks_hips_and_shoulders_off_the_joints() -> None:
    """BlazePose marks the outer hip, below and outside the femoral head, and shoulders a little low;
    the joints (knees, elbows) do not move with the marks, and bodies span real torso/thigh ratios."""
    from dataclasses import asdict, replace

    from vision.synth.dataset import group_actor
    from vision.synth.skeleton import random_marks

    body = replace(_body(0), hip_mark_drop=0.06, hip_mark_out=0.02, shoulder_mark_drop=0.02)
    marks, joints = animate_pose(body, Pose(2)), animate_pose(body.joints_only(), Pose(2))
    np.testing.assert_allclose(marks[:, 25:29], joints[:, 25:29], atol=1e-9)  # knees and ankles
    np.testing.assert_allclose(marks[:, 13:17], joints[:, 13:17], atol=1e-9)  # elbows and wrists
    np.testing.assert_allclose(marks[:, [23, 24], 1], joints[:, [23, 24], 1] - 0.06, atol=0.005)
    np.testing.assert_allclose(marks[:, [11, 12], 1], joints[:, [11, 12], 1] - 0.02, atol=1e-9)
    assert (np.abs(marks[:, 23, 0] - marks[:, 24, 0]) > np.abs(joints[:, 23, 0] - joints[:, 24, 0]) + 0.035).all()

    def torso_over_thigh(b) -> float:
        w = animate_pose(b, Pose(1))[0]
        return float(np.linalg.norm(w[[11, 12]].mean(0) - w[[23, 24]].mean(0)) / np.linalg.norm(w[23] - w[25]))

    rng = np.random.default_rng(0)
    plain = [torso_over_thigh(_body(seed)) for seed in range(300)]
    marked = [torso_over_thigh(random_marks(rng, _body(seed))) for seed in range(300)]
    # joint centres give 1.05-1.22 (5th-95th percentile); BlazePose on a real person standing gave 1.5
    assert np.percentile(plain, 95) < 1.3 and np.percentile(marked, 5) < 1.15 and np.percentile(marked, 95) > 1.6
    # turning the marks on changes only the marks: same body, same camera habits
    (a, ha), (b, hb) = group_actor(7, 3), group_actor(7, 3, marks=True)
    assert ha == hb and b.joints_only() == a and b.hip_mark_drop > 0
    assert {k for k, v in asdict(a).items() if asdict(b)[k] != v} == {"hip_mark_drop", "hip_mark_out", "shoulder_mark_drop"}


def test_facing_rate_puts_that_share_of_cameras_in_front_of_the_face() -> None:
    from vision.synth.camera import FACING_YAW, CameraRange, random_view

    habits = CameraRange((0.0, 10.0), (55.0, 65.0))

    def frontal_share(rate: float) -> float:
        rng = np.random.default_rng(0)
        yaws = np.array([random_view(rng, habits, facing_rate=rate).yaw for _ in range(2000)])
        return float((np.minimum(yaws, 360 - yaws) <= FACING_YAW).mean())

    assert frontal_share(1.0) == 1.0
    assert abs(frontal_share(0.0) - 2 * FACING_YAW / 360) < 0.03  # uniform over the circle
    assert abs(frontal_share(0.3) - (0.3 + 0.7 * 2 * FACING_YAW / 360)) < 0.04
