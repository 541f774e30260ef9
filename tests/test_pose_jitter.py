"""`vision-train --pose-jitter`: the white landmark noise a pose model trains under, from the
command line to the training samples."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from vision.cli.train import build_parser, config_from_args
from vision.data.posedata import resample
from vision.errors import ConfigError
from vision.synth.clip import ClipOptions
from vision.synth.dataset import PoseSynthOptions, make_pose_dataset
from vision.train.config import TrainConfig
from vision.train.trainer import Trainer


def test_flag_reaches_the_config_and_negative_noise_is_refused() -> None:
    args = build_parser().parse_args(["data", "--out", "run", "--input", "pose", "--pose-jitter", "0.002"])
    config = config_from_args(args)
    assert config.pose_jitter == 0.002 and "pose_jitter" in config.explicit
    assert config_from_args(build_parser().parse_args(["data", "--out", "run"])).pose_jitter == 0.01
    with pytest.raises(ConfigError, match="pose_jitter"):
        TrainConfig(data_dir="d", out="o", pose_jitter=-0.01)


def _sample_noise(root: Path, run: Path, jitter: float) -> float:
    """Median difference (pixels) between two draws of a training clip's augmented landmarks."""
    config = TrainConfig(data_dir=str(root), out=str(run), input="pose", pose_jitter=jitter, epochs=1, device="cpu",
                         batch_size=2, cache_dir=str(run / "cache"))
    trainer = Trainer(config, run, resume=False, log=lambda *_: None, show_progress=False)
    assert trainer.train_set.augment.jitter == jitter
    trainer.train_set.augment = replace(trainer.train_set.augment, rotate=0.0, scale=(1.0, 1.0), mirror=False,
                                        drop=0.0, speed=(1.0, 1.0))
    seq = trainer.train_set.cache.load(trainer.train_set.items[0].path)
    lms = resample(seq, config.fps)
    a, b = (trainer.train_set.augment(lms, seq.size, np.random.default_rng(i))[..., :2] for i in (1, 2))
    return float(np.median(np.abs(a - b)))


def test_training_samples_carry_the_chosen_noise(tmp_path: Path) -> None:
    """Drawn twice with the other augmentations off, a clip's landmarks differ by the noise
    alone: none with --pose-jitter 0, and ten times more at 0.01 than at 0.001."""
    options = PoseSynthOptions(classes=("squat", "clap"), clips_per_class=2, clips_per_group=1, seed=3,
                               clip=ClipOptions(seconds=(1.0, 1.2), partial_rate=0.0))
    make_pose_dataset(tmp_path / "data", options)
    spread = {j: _sample_noise(tmp_path / "data", tmp_path / f"run{j}", j) for j in (0.0, 0.001, 0.01)}
    assert spread[0.0] == 0.0
    assert 5 < spread[0.01] / spread[0.001] < 20
