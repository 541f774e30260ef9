"""`pose_motion_gain`: the hip velocity and body growth a pose model reads, scaled so that it can
learn from them (checkpoints written before the option: `tests/test_checkpoint.py`)."""
from __future__ import annotations

import numpy as np
import torch

from vision.config import ModelConfig
from vision.model import build_model
from vision.model.pose_encoder import PoseFrameEncoder
from vision.pose.features import FEATURE_DIM, PRESENT, sequence_features
from vision.train.config import TrainConfig


def test_train_config_passes_the_gain_on() -> None:
    assert TrainConfig(data_dir="d", out="o", pose_motion_gain=10.0).model_config(3).pose_motion_gain == 10.0


def test_gain_scales_only_the_motion_numbers() -> None:
    torch.manual_seed(0)
    scaled = PoseFrameEncoder("fused", 16, motion_gain=10.0).eval()
    plain = PoseFrameEncoder("fused", 16).eval()
    plain.load_state_dict(scaled.state_dict())
    x = torch.randn(5, FEATURE_DIM) * 0.05
    by_hand = x.clone()
    by_hand[:, PRESENT + 1:] *= 10.0
    with torch.no_grad():
        (a, attn_a), (b, attn_b) = scaled(x), plain(by_hand)
    torch.testing.assert_close(a, b)
    torch.testing.assert_close(attn_a, attn_b)


def _clips(n: int, rng: np.random.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """The same standing pose; label 1 walks towards the camera (grows and drifts), label 0 stays."""
    base = np.zeros((33, 4))
    base[:, 0] = 320 + rng.normal(0, 20, 33)
    base[:, 1] = np.linspace(100, 400, 33)
    base[:, 3] = 1.0
    xs, ys = [], []
    for i in range(n):
        label = i % 2
        growth = 1 + label * rng.uniform(0.01, 0.03) * np.arange(16)[:, None, None]
        lms = np.repeat(base[None], 16, 0)
        lms[..., :2] = (lms[..., :2] - [320, 250]) * growth + [320, 250]
        lms[..., :2] += rng.normal(0, 1.5, lms[..., :2].shape)  # tracker jitter
        xs.append(sequence_features(lms)), ys.append(label)
    return torch.from_numpy(np.stack(xs)), torch.tensor(ys)


def _train(gain: float, steps: int = 40) -> float:
    torch.manual_seed(0)
    model = build_model(ModelConfig(num_classes=2, input="pose", pose_features="coords", embed_dim=16,
                                    lstm_hidden=16, dropout=0.0, pose_motion_gain=gain))
    x, y = _clips(32, np.random.default_rng(0))
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3)
    for _ in range(steps):
        loss = torch.nn.functional.cross_entropy(model(x).logits, y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    xt, yt = _clips(32, np.random.default_rng(1))
    with torch.no_grad():
        return float((model(xt).logits.argmax(1) == yt).float().mean())


def test_motion_alone_is_learnt_with_the_gain() -> None:
    """Clips that differ only in the body's growth: after 40 steps the model that reads it x10
    tells them apart, the one that reads it as it is still guesses."""
    scaled, plain = _train(10.0), _train(1.0)
    assert scaled >= 0.8
    assert scaled - plain >= 0.2
