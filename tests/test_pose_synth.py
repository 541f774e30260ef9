"""Pose synthesiser: classes, body and camera geometry, noise model, dataset layout, CLI."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from vision.cli.synth import main as synth_main
from vision.data.landmarks import load_sequence, validate_sequence
from vision.data.ucf import index_dataset
from vision.synth.actions import ALL_CLASSES, CLASSES, OTHER, get_action
from vision.synth.camera import CameraRange, View, frame_camera
from vision.synth.clip import ClipOptions, animate, clip_geometry, synthesize_clip
from vision.synth.dataset import PoseSynthOptions, make_pose_dataset
from vision.synth.noise import TrackerNoise, apply_noise
from vision.synth.skeleton import Pose, random_body
from vision.synth.topology import HIPS, LEG_LEFT, LEG_RIGHT
from vision.synth.walking import WALK_VARIANTS

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


def test_classes_are_the_fifteen_actions_plus_no_action() -> None:
    expected = {"jumping_jack", "walk", "run", "squat", "bend_pick_up", "wave_one_hand", "wave_both_hands", "clap",
                "arm_circles", "punch", "kick", "jump_in_place", "sit_stand", "lunge", "raise_both_arms", "no_action"}
    assert set(CLASSES) == expected and len(CLASSES) == 16
    assert OTHER not in CLASSES and ALL_CLASSES[-1] == OTHER
    with pytest.raises(ValueError, match="did you mean wave_one_hand"):
        get_action("wave_one_han")


@pytest.mark.parametrize("action", ALL_CLASSES)
def test_every_class_makes_a_valid_clip(action: str) -> None:
    # Seed 4: about 1 clip in 70 (any class) is framed so tightly and off-centre that head and
    # trunk stay outside the frame throughout (no person at all); seeds 3, 5 and 6 draw one for
    # some class (walk and kick, other, no_action).
    seq = synthesize_clip(action, _body(1), HABITS, np.random.default_rng(4), ClipOptions(seconds=(1.0, 1.2)))
    validate_sequence(seq, action)
    assert seq.meta["class"] == action and seq.landmarks.dtype == np.float32
    assert 15 <= seq.fps <= 30 and round(seq.fps * 1.0) - 1 <= len(seq.landmarks) <= round(seq.fps * 1.2) + 1
    assert 0 <= seq.meta["yaw_deg"] < 360 and seq.meta["present_frames"] > 0


def test_same_seed_same_clip_other_seed_other_clip() -> None:
    def clip(seed: int):
        return synthesize_clip("wave_one_hand", _body(), HABITS, np.random.default_rng(seed))

    a, b, c = clip(5), clip(5), clip(6)
    np.testing.assert_array_equal(a.landmarks, b.landmarks)
    assert a.meta == b.meta
    assert a.landmarks.shape != c.landmarks.shape or not np.array_equal(a.landmarks, c.landmarks, equal_nan=True)


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
    assert (front[:, 0, 2] < 0).all() and (back[:, 0, 2] > 0).all()  # the nose is in front of the hips
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


def test_actions_change_the_body_as_named() -> None:
    body = _body()
    rng = np.random.default_rng

    def world(action: str, seed: int = 0) -> np.ndarray:
        return animate(action, body, rng(seed), 90, FPS).world.points

    hip_height = lambda w: w[:, HIPS, 1].mean(1)
    stand = hip_height(world("no_action")).mean()
    assert hip_height(world("squat")).min() < 0.8 * stand
    assert hip_height(world("sit_stand")).min() < 0.75 * stand
    assert world("jump_in_place")[..., 1].min(1).max() > 0.05  # both feet off the ground
    assert (world("raise_both_arms")[:, [15, 16], 1].min(1) > world("raise_both_arms")[:, 0, 1]).any()
    clap = world("clap")
    hands_apart = np.linalg.norm(clap[:, 15] - clap[:, 16], axis=1)
    assert hands_apart.min() < 0.12 and hands_apart.max() > 0.3  # hands meet and part


def _side_view_clip(noise: TrackerNoise, yaw: float = 90.0, seed: int = 0):
    body, anim = _animate_variant("walk", in_place=True, seed=seed)
    camera, exact = _project(anim.world.points, yaw=yaw, facing=float(anim.pose["yaw"][0]))
    geo = clip_geometry(anim.world, camera, body)
    return exact, apply_noise(exact, geo, camera.size, FPS, noise, np.random.default_rng(seed)), geo


def test_clean_noise_is_the_exact_projection() -> None:
    exact, out, _ = _side_view_clip(TrackerNoise.clean())
    np.testing.assert_allclose(out[..., :3], exact, atol=1e-3)
    assert (out[..., 3] == 1.0).all()


def _swapped_frames(exact: np.ndarray, out: np.ndarray) -> np.ndarray:
    legs = np.r_[LEG_LEFT, LEG_RIGHT]
    crossed = np.r_[LEG_RIGHT, LEG_LEFT]
    same = np.abs(out[:, legs, :2] - exact[:, legs, :2]).max((1, 2))
    swapped = np.abs(out[:, legs, :2] - exact[:, crossed, :2]).max((1, 2))
    return swapped < same


def test_noise_swaps_legs_only_when_asked_and_only_side_on() -> None:
    only_swaps = replace(TrackerNoise.clean(), swap_rate=8.0, swap_arms_share=0.0)
    exact, out, geo = _side_view_clip(only_swaps, yaw=90.0)
    assert geo.sideness.mean() > 0.9 and _swapped_frames(exact, out).sum() >= 3
    exact, out, _ = _side_view_clip(only_swaps.without_swaps(), yaw=90.0)
    assert not _swapped_frames(exact, out).any()
    exact, out, geo = _side_view_clip(only_swaps, yaw=0.0)
    assert geo.sideness.mean() < 0.1 and _swapped_frames(exact, out).sum() <= 2


def test_default_noise_jitters_hands_more_than_hips_and_loses_frames() -> None:
    noise = replace(TrackerNoise(), outlier_rate=0.0, swap_rate=0.0, flip_rate=0.0, lag=0.0, miss_rate=0.1)
    exact, out, geo = _side_view_clip(noise, yaw=20.0)
    present = ~np.isnan(out[:, 0, 0])
    assert 0 < present.sum() < len(out)
    err = np.linalg.norm(out[present, :, :2] - exact[present, :, :2], axis=-1) / geo.person_px[present, None]
    assert err[:, [15, 16]].mean() > 1.5 * err[:, HIPS].mean()
    sigma = np.hypot(noise.jitter, noise.roi_jitter)  # per axis, in person heights: the point's own + the shared shift
    assert 0.5 * sigma < err[:, HIPS].mean() < 3 * sigma  # jitter of about the configured size
    assert ((out[present, :, 3] >= 0) & (out[present, :, 3] <= 1)).all()


def test_far_side_and_out_of_frame_points_are_less_visible() -> None:
    noise = replace(TrackerNoise.clean(), far_side_drop=0.5, outside_factor=0.2, visible=(0.95, 1.0), min_inside=0.4)
    exact, out, _ = _side_view_clip(noise, yaw=90.0)  # camera at the person's left
    assert out[:, 27, 3].mean() > out[:, 28, 3].mean() + 0.3  # the right ankle is on the far side
    shifted = exact.copy()
    shifted[:, :, 0] += 2000  # everything pushed out of the frame
    body, anim = _animate_variant("walk", in_place=True)
    camera, _ = _project(anim.world.points, 90.0)
    geo = clip_geometry(anim.world, camera, body)
    gone = apply_noise(shifted, geo, camera.size, FPS, replace(noise, min_inside=0.0), np.random.default_rng(0))
    assert gone[..., 3].max() <= 0.2
    lost = apply_noise(shifted, geo, camera.size, FPS, noise, np.random.default_rng(0))  # nobody detected
    assert np.isnan(lost).all()


def test_measured_noise_features_hand_outliers_visibility_fade_and_depth_scale() -> None:
    """The parts of the model added with the measured defaults (vision/synth/noise.py table)."""
    exact, _, geo = _side_view_clip(TrackerNoise.clean(), yaw=0.0)
    size = _view(0.0).size  # the frame _side_view_clip projects into

    def run(**changes):
        return apply_noise(exact, geo, size, FPS, replace(TrackerNoise.clean(), **changes), np.random.default_rng(1))

    # An outlier on a hand point moves the wrist and its three hand points together, nothing else.
    out = run(outlier_rate=0.002, outlier_hands=20.0, outlier_size=0.2, outlier_whole_hand=True)
    moved = np.abs(out[..., :2] - exact[..., :2]).max(-1) > 1.0  # (T, 33) px
    assert moved[:, [15, 17, 19, 21]].any() or moved[:, [16, 18, 20, 22]].any()
    for hand in ([15, 17, 19, 21], [16, 18, 20, 22]):
        assert (moved[:, hand].all(1) == moved[:, hand].any(1)).all()
    assert moved[:, 15:23].sum() > 10 * moved[:, np.r_[0:15, 23:33]].sum()
    # z scales the exact depth offsets.
    np.testing.assert_allclose(run(z_scale=2.5)[..., 2], 2.5 * exact[..., 2], rtol=1e-5, atol=1e-3)
    # Visibility outside the frame fades with the distance outside.
    shifted = exact.copy()
    shifted[..., 0] += size[0] - exact[:, 11, 0:1] + 5  # the left shoulder just outside, the rest further
    faded = apply_noise(shifted, geo, size, FPS, replace(TrackerNoise.clean(), outside_factor=0.5, outside_decay=0.1,
                                                                 min_inside=0.0), np.random.default_rng(1))
    far_out = shifted[:, 12, 0] > shifted[:, 11, 0] + 0.05 * geo.person_px
    assert (faded[:, 11, 3] <= 0.5).all() and (faded[far_out, 12, 3] < faded[far_out, 11, 3]).all()
    # Logit wander keeps the score in [0, 1] and leaves a plainly visible torso near 1.
    vis = run(visible=(0.99, 1.0), visible_hands=(0.3, 0.9), visibility_logit_noise=1.0, visibility_time=0.5,
              visibility_smooth=0.3)[..., 3]
    assert (vis >= 0).all() and (vis <= 1).all()
    assert vis[:, [11, 12, 23, 24]].min() > 0.9 and vis[:, 15:23].std(0).mean() > 0.02


def test_far_side_drop_spares_face_and_torso_when_asked() -> None:
    noise = replace(TrackerNoise.clean(), far_side_drop=0.5, far_side_core=0.0)
    _, out, geo = _side_view_clip(noise, yaw=90.0)
    assert geo.far[:, 8].mean() > 0.2  # the right ear is turned away ...
    assert (out[:, 0:13, 3] == 1.0).all() and (out[:, [23, 24], 3] == 1.0).all()  # ... but keeps its score
    assert out[:, 28, 3].mean() < 0.7  # the far ankle does not


def _tiny_dataset(out: Path, workers: int, classes=("walk", "clap", "no_action")) -> Path:
    options = PoseSynthOptions(classes=classes, clips_per_class=4, clips_per_group=1, seed=7,
                               clip=ClipOptions(seconds=(0.5, 0.6)))
    return make_pose_dataset(out, options, workers=workers)


def test_dataset_is_deterministic_whatever_the_workers(tmp_path: Path) -> None:
    a = _tiny_dataset(tmp_path / "a", workers=1)
    b = _tiny_dataset(tmp_path / "b", workers=2)
    files = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    assert len(files) == 3 * 4 + 3
    for rel in files:
        assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel
    # A class's clips do not depend on which other classes are asked for.
    c = _tiny_dataset(tmp_path / "c", workers=1, classes=("clap",))
    assert (c / "clap" / "v_clap_g02_c01.npz").read_bytes() == (a / "clap" / "v_clap_g02_c01.npz").read_bytes()


def test_dataset_split_keeps_test_bodies_out_of_training(tmp_path: Path) -> None:
    root = _tiny_dataset(tmp_path / "ds", workers=1)
    index = index_dataset(root)
    assert index.mode == "split-files" and index.classes == ["walk", "clap", "no_action"]
    train = [load_sequence(i.path) for i in index.train]
    test = [load_sequence(i.path) for i in index.test]
    assert train and test
    train_bodies = {s.meta["body"]["height"] for s in train}
    test_bodies = {s.meta["body"]["height"] for s in test}
    assert train_bodies.isdisjoint(test_bodies)
    assert {s.meta["group"] for s in train}.isdisjoint({s.meta["group"] for s in test})
    assert {s.meta["split"] for s in test} == {"test"}
    # One body acts out every class: each group appears in all three classes.
    by_group = {}
    for s in train + test:
        by_group.setdefault(s.meta["group"], set()).add(s.meta["class"])
    assert all(len(v) == 3 for v in by_group.values())
    for item, seq in zip(index.train, train):
        assert seq.meta["class"] == index.classes[item.label] == item.path.parent.name


def test_cli_pose_mode_writes_the_tree_and_previews(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "pose"
    assert synth_main([str(out), "--pose", "--clips-per-class", "2", "--classes", "kick,squat", "--include-other",
                       "--seconds", "0.4", "0.5", "--render-videos", "1", "--seed", "3"]) == 0
    assert "clips/min" in capsys.readouterr().out
    assert (out / "classInd.txt").read_bytes() == b"1 kick\r\n2 squat\r\n3 other\r\n"
    assert sorted(p.name for p in (out / "kick").iterdir()) == ["v_kick_g01_c01.npz", "v_kick_g02_c01.npz"]
    previews = sorted((out / ".preview").rglob("*.mp4"))
    assert [p.relative_to(out / ".preview").as_posix() for p in previews] == [
        "kick/v_kick_g01_c01.mp4", "other/v_other_g01_c01.mp4", "squat/v_squat_g01_c01.mp4"]
    assert index_dataset(out, split=None).classes == ["kick", "other", "squat"]  # previews are not a class
    assert synth_main([str(out), "--pose", "--classes", "wave", "--quiet"]) == 2
    assert "did you mean" in capsys.readouterr().err
    assert synth_main([str(out), "--render-videos", "1", "--quiet"]) == 2


def test_noise_parameters_come_from_json(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    noise = TrackerNoise.from_dict({"swap_rate": 1.5, "swap_frames": [3, 4]})
    assert noise.swap_rate == 1.5 and noise.swap_frames == (3, 4) and noise.jitter == TrackerNoise().jitter
    with pytest.raises(ValueError, match="did you mean swap_rate"):
        TrackerNoise.from_dict({"swap_rat": 1.0})
    config = tmp_path / "noise.json"
    config.write_text('{"miss_rate": 0.0, "dropout_rate": 0.0, "min_inside": 0.0}')
    args = ["--pose", "--clips-per-class", "1", "--classes", "clap", "--seconds", "0.4", "0.4", "--quiet"]
    assert synth_main([str(tmp_path / "a"), *args, "--noise", str(config)]) == 0
    seq = load_sequence(tmp_path / "a" / "clap" / "v_clap_g01_c01.npz")
    assert seq.meta["noise"]["miss_rate"] == 0.0 and seq.present.all()
    assert synth_main([str(tmp_path / "b"), *args, "--clean"]) == 0
    assert (load_sequence(tmp_path / "b" / "clap" / "v_clap_g01_c01.npz").landmarks[..., 3] == 1).all()
    config.write_text('{"jiter": 0.1}')
    assert synth_main([str(tmp_path / "c"), *args, "--noise", str(config)]) == 2
    assert "did you mean jitter" in capsys.readouterr().err


def test_detection_needs_head_and_trunk_not_limbs() -> None:
    body, anim = _animate_variant("walk", in_place=True)
    camera, exact = _project(anim.world.points, 0.0)
    geo = clip_geometry(anim.world, camera, body)
    noise = replace(TrackerNoise.clean(), min_inside=0.5)
    limbs_out = exact.copy()
    limbs_out[:, 13:23, 1] -= 5000  # arms far above the frame
    limbs_out[:, 25:, 1] += 5000  # legs far below it
    kept = apply_noise(limbs_out, geo, camera.size, FPS, noise, np.random.default_rng(0))
    assert not np.isnan(kept).any()
    head_out = exact.copy()
    head_out[:, :13, 1] -= 5000
    head_out[:, 23:25, 1] += 5000
    assert np.isnan(apply_noise(head_out, geo, camera.size, FPS, noise, np.random.default_rng(0))).all()


# --- walk variants and no_action (vision/synth/walking.py, footwork.py, idle.py) ---

SOLES = [29, 31, 30, 32]  # left heel, left toe, right heel, right toe


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


def _foot_heights(points: np.ndarray) -> np.ndarray:
    """(T, 2) height of each foot's lowest sole point above the ground."""
    ground = points[:, SOLES, 1].min(1, keepdims=True)
    return np.stack([points[:, [29, 31], 1].min(1), points[:, [30, 32], 1].min(1)], 1) - ground


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
        points, info = anim.world.points, anim.pose.info
        for w, hip, s in ((15, 23, "l"), (16, 24, "r")):
            if f"{s}_arm" not in info:
                assert near(points[:, w], points[:, hip]) < 0.2  # the wrist at the hip, in the pocket
    for anim in _find_no_action("hand_on_hip", 3, still=True):
        points, s = anim.world.points, anim.pose.info["side"]
        w, hip, elbow, shoulder = (15, 23, 13, 11) if s == "l" else (16, 24, 14, 12)
        left, _ = _body_axes(anim)
        out = 1 if s == "l" else -1
        assert near(points[:, w], points[:, hip]) < 0.2
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


def _clip_windows(n: int, fps: float, seconds: float = 1.6) -> list[slice]:
    """Every window of `seconds` inside a clip of n frames (the whole clip when it is shorter)."""
    w = round(seconds * fps)
    return [slice(0, n)] if n <= w else [slice(i, i + w) for i in range(n - w + 1)]


def _elbow_angles(points: np.ndarray) -> np.ndarray:
    """(T, 2) inner elbow angles (180 = straight), left and right."""
    out = []
    for sh, el, wr in ((11, 13, 15), (12, 14, 16)):
        a, b = points[:, sh] - points[:, el], points[:, wr] - points[:, el]
        cos = (a * b).sum(1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)
        out.append(np.degrees(np.arccos(np.clip(cos, -1, 1))))
    return np.stack(out, 1)


def test_every_window_of_a_kick_or_punch_clip_shows_the_action() -> None:
    """Kick: a foot > 15 cm off the ground; punch: an elbow opening > 60 degrees to nearly straight; in any 1.6 s."""
    options = ClipOptions()
    for k in range(60):
        for action in ("kick", "punch"):
            rng = np.random.default_rng([31, k])
            fps = float(rng.choice(options.fps))
            n = max(2, round(rng.uniform(*options.seconds) * fps))
            anim = animate(action, _body(300 + k), rng, n, fps, options)
            points = anim.world.points
            if action == "kick":
                lift = _foot_heights(points).max(1)
                assert all(lift[w].max() > 0.15 for w in _clip_windows(n, fps)), (k, anim.pose.info)
            else:
                angle = _elbow_angles(points)
                opened = angle - angle.min(0)
                assert all(((opened[w] > 60) & (angle[w] > 150)).any() for w in _clip_windows(n, fps)), (k, anim.pose.info)


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


def test_held_hands_keep_their_place_through_personal_style() -> None:
    """A hand put on a point gets no personal offset or tremor (the clip builder leaves `pose.held` alone)."""
    anim = _find_no_action("surface", 1, still=True)[0]
    assert {"l_sh_el", "r_elbow"} & anim.pose.held
    points = anim.world.points
    on = [w for w, s in ((15, "l"), (16, "r")) if f"{s}_arm" not in anim.pose.info]
    assert max(np.ptp(points[:, w], axis=0).max() for w in on) < 0.02


def test_walk_and_no_action_are_deterministic() -> None:
    for action in ("walk", "no_action", "other", "kick", "punch"):
        a, b, c = (synthesize_clip(action, _body(), HABITS, np.random.default_rng(s)) for s in (21, 21, 22))
        np.testing.assert_array_equal(a.landmarks, b.landmarks)
        assert a.meta == b.meta
        assert a.landmarks.shape != c.landmarks.shape or not np.array_equal(a.landmarks, c.landmarks, equal_nan=True)
