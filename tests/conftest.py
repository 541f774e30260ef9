"""Shared fixtures. Qt must run offscreen in tests (pytest-qt has no ini option for it)."""
from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
import torch  # noqa: E402

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "real"

torch.set_num_threads(min(2, os.cpu_count() or 1))


@pytest.fixture
def shared_data() -> Path:
    """The camera-recorded videos beside the checkout; skips where they are absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data/real is not present on this machine")
    return SHARED_DATA


@pytest.fixture(scope="session")
def synth_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small vision-synth dataset (3 classes x 6 clips, ~1 s each) shared by the session."""
    from vision.data.synthset import SynthOptions, make_synth_dataset

    options = SynthOptions(
        classes=("MoveLeft", "MoveRight", "NoAction"), clips_per_class=6, clips_per_group=2, seed=3, seconds=(1.0, 1.5)
    )
    return make_synth_dataset(tmp_path_factory.mktemp("synth"), options)
