"""Pose synthesiser: the tracker noise model (swaps, jitter, visibility, outliers, detection) and its JSON parameters."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from pose_synth_helpers import FPS, _animate_variant, _project, _view
from vision.cli.synth import main as synth_main
from vision.data.landmarks import load_sequence
from vision.synth.clip import clip_geometry
from vision.synth.noise import TrackerNoise, apply_noise
from vision.synth.topology import HIPS, LEG_LEFT, LEG_RIGHT


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
