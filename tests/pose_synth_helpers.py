"""Shared by the pose synthesiser tests (test_pose_synth*.py): bodies, views, projection, foot heights."""
from __future__ import annotations

import numpy as np

from vision.synth.camera import CameraRange, View, frame_camera
from vision.synth.clip import animate
from vision.synth.kinematics import forward_kinematics
from vision.synth.skeleton import random_body

FPS = 30.0

HABITS = CameraRange((5.0, 10.0), (55.0, 60.0))


def _body(seed: int = 0):
    return random_body(np.random.default_rng(seed))


def _view(yaw: float, size=(640, 480), fill: float = 0.8) -> View:
    return View(yaw=yaw, elevation=8.0, roll=0.0, fov=60.0, size=size, fill=fill, offset=(0.0, 0.0), upper_body=False)


def _project(world_points: np.ndarray, yaw: float, facing: float = 0.0):
    camera, _ = frame_camera(world_points, facing, _view(yaw))
    return camera, camera.project(world_points)


def _animate_variant(action: str, in_place: bool, seed: int = 0):
    """The first seed whose forward walk is (or is not) in place, keeping its heading (views stay as asked)."""
    body = _body(seed)
    for k in range(200):
        anim = animate(action, body, np.random.default_rng([seed, k]), 60, FPS)
        yaw = anim.pose["yaw"]
        if anim.pose.info["variant"] == "forward" and anim.pose.info["in_place"] == in_place and np.ptp(yaw) < 8:
            return body, anim
    raise AssertionError("no such variant in 200 seeds")


SOLES = [29, 31, 30, 32]  # left heel, left toe, right heel, right toe


def _foot_heights(points: np.ndarray) -> np.ndarray:
    """(T, 2) height of each foot's lowest sole point above the ground."""
    ground = points[:, SOLES, 1].min(1, keepdims=True)
    return np.stack([points[:, [29, 31], 1].min(1), points[:, [30, 32], 1].min(1)], 1) - ground


def _joint_points(anim) -> np.ndarray:
    """(T, 33, 3) the animation's points with hips and shoulders on the joints, not where BlazePose marks them."""
    return forward_kinematics(anim.context.body.joints_only(), anim.pose, FPS).points
