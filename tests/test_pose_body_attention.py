"""`pose_body_attention`: the pose model's spatial attention (the app's heatmap) may only fall on
the canvas cells the body is drawn in, never on the empty canvas around it."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from vision.checkpoint import load_checkpoint
from vision.config import ConfigError, ModelConfig
from vision.model import build_model
from vision.model.pose_encoder import OFF_BODY, PoseHeatmaps, body_prior
from vision.pose.features import sequence_features

DATA = Path(__file__).parent / "data"
DEFAULT = Path(__file__).resolve().parents[1] / "weights" / "default"


@pytest.fixture(scope="module")
def features() -> torch.Tensor:
    """Features of a real person's landmarks (the BlazePose reference frame), 4 frames."""
    raw = np.load(DATA / "pose_reference.npz")["landmarks_output_0_195"].reshape(39, 5)  # x, y, z, vis, presence
    lms = raw[None, :33, :4].astype(np.float64)
    lms[..., 3] = 1.0
    return torch.from_numpy(sequence_features(np.repeat(lms, 4, 0)))


def _body_mass(model, x: torch.Tensor) -> float:  # noqa: ANN001
    with torch.no_grad():
        attn = model.encode_frames(x[None]).attention_maps[0]
    body = body_prior(PoseHeatmaps(48)(x), attn.shape[-1]) > np.log(OFF_BODY) + 1e-6
    return float((attn * body).sum((1, 2)).mean())


def test_attention_stays_on_the_body(features: torch.Tensor) -> None:
    torch.manual_seed(0)
    free = build_model(ModelConfig(num_classes=3, input="pose")).eval()
    bound = build_model(ModelConfig(num_classes=3, input="pose", pose_body_attention=True)).eval()
    bound.load_state_dict(free.state_dict())  # the same weights: the prior has no parameters
    with torch.no_grad():  # the spatial scores of an untrained model are not uniform; make them wild
        for m in (free, bound):
            m.pose.spatial.score.weight.mul_(50)
    assert _body_mass(bound, features) > 0.98
    assert _body_mass(free, features) < 0.9


def test_prior_is_flat_for_nobody() -> None:
    prior = body_prior(torch.zeros(2, 7, 48, 48), 12)
    assert prior.shape == (2, 12, 12) and torch.allclose(prior, torch.full_like(prior, np.log(OFF_BODY)))


def test_config_needs_heatmaps() -> None:
    with pytest.raises(ConfigError, match="pose_body_attention"):
        ModelConfig(num_classes=2, input="pose", pose_features="coords", pose_body_attention=True)


def test_the_shipped_model_looks_at_the_body(features: torch.Tensor) -> None:
    model = load_checkpoint(DEFAULT).model
    assert model.config.pose_body_attention
    assert _body_mass(model, features) > 0.95
