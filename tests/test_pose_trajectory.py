"""`pose_trajectory`: the head reads where the hips went and how much the body grew since the
window's first frame, the cue that tells a step towards or away from the camera from standing."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from vision.config import ConfigError, ModelConfig
from vision.model import build_model
from vision.model.network import TRAJECTORY_GAIN, window_trajectory
from vision.model.pose_encoder import MOTION_DIM, PoseFrameEncoder
from vision.pose.features import PRESENT, sequence_features


def _walk_away(frames: int = 12, shrink: float = 0.02) -> np.ndarray:
    """(T, 33, 4) landmarks of a body that shrinks (walks away) and drifts right."""
    base = np.zeros((33, 4))
    base[:, 0] = 320 + np.linspace(-40, 40, 33)
    base[:, 1] = np.linspace(100, 400, 33)
    base[:, 3] = 1.0
    lms = np.repeat(base[None], frames, 0)
    scale = (1 - shrink) ** np.arange(frames)[:, None]
    lms[..., 0] = (lms[..., 0] - 320) * scale + 320 + 3 * np.arange(frames)[:, None]
    lms[..., 1] = (lms[..., 1] - 250) * scale + 250
    return lms


def test_config_needs_pose_input() -> None:
    with pytest.raises(ConfigError, match="pose_trajectory needs input 'pose'"):
        ModelConfig(num_classes=2, pose_trajectory=True)


def test_encoder_passes_the_motion_numbers_through() -> None:
    torch.manual_seed(0)
    encoder = PoseFrameEncoder("fused", 16, trajectory=True, motion_gain=2.0).eval()
    x = torch.from_numpy(sequence_features(_walk_away()))
    with torch.no_grad():
        emb, _ = encoder(x)
    assert emb.shape == (12, 16)
    torch.testing.assert_close(emb[:, -MOTION_DIM:], x[:, PRESENT + 1:] * 2.0)


def test_window_trajectory_sums_motion_from_the_first_frame() -> None:
    feats = torch.from_numpy(sequence_features(_walk_away()))[None]  # (1, T, F)
    emb = torch.cat([torch.ones(1, 12, 5), feats[..., PRESENT + 1:]], dim=2)
    out = window_trajectory(emb)
    assert torch.equal(out[..., :5], emb[..., :5])
    travel = out[0, :, -MOTION_DIM:] / TRAJECTORY_GAIN
    assert travel[0].abs().max() == 0  # nothing travelled yet at the first frame
    dlog = travel[:, 2].numpy()
    np.testing.assert_allclose(dlog, np.log(0.98) * np.arange(12), atol=1e-4)  # the body shrank 2% a frame
    assert (np.diff(travel[:, 0].numpy()) > 0).all()  # drifting right, in body heights


def test_a_trajectory_model_tells_walking_away_from_standing_by_travel_alone() -> None:
    """With only the motion numbers differing between the classes, a few steps learn them."""
    torch.manual_seed(0)
    rng = np.random.default_rng(0)

    def clips(n: int) -> tuple[torch.Tensor, torch.Tensor]:
        xs = []
        for i in range(n):
            lms = _walk_away(16, shrink=(i % 2) * rng.uniform(0.01, 0.02))
            lms[..., :2] += rng.normal(0, 1.5, lms[..., :2].shape)
            lms[..., 0] -= 3 * np.arange(16)[:, None]  # no drift: growth alone
            xs.append(sequence_features(lms))
        return torch.from_numpy(np.stack(xs)), torch.arange(n) % 2

    model = build_model(ModelConfig(num_classes=2, input="pose", pose_features="coords", embed_dim=16,
                                    lstm_hidden=16, dropout=0.0, pose_trajectory=True))
    x, y = clips(32)
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3)
    for _ in range(40):
        loss = torch.nn.functional.cross_entropy(model(x).logits, y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    xt, yt = clips(32)
    with torch.no_grad():
        assert (model(xt).logits.argmax(1) == yt).float().mean() >= 0.9
