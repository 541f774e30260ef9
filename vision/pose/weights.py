"""Where the converted BlazePose weights live, and loading them into the torch modules."""
from __future__ import annotations

from pathlib import Path

import torch
from safetensors.torch import load_file
from torch import nn

from vision.errors import CheckpointError
from vision.pose.detector_net import PoseDetectorNet
from vision.pose.landmark_net import PoseLandmarkNet

POSE_WEIGHTS = Path(__file__).resolve().parents[2] / "weights" / "pose"
DETECTOR_FILE = "pose_detection.safetensors"
LANDMARK_FILE = "pose_landmark_full.safetensors"


def _load(module: nn.Module, path: Path, device: torch.device) -> nn.Module:
    if not path.is_file():
        raise CheckpointError(f"{path}: pose weights not found (run `python -m vision.pose.convert`)")
    try:
        state = load_file(str(path))
    except Exception as exc:  # safetensors raises several types for corrupt files
        raise CheckpointError(f"{path}: not a readable safetensors file ({exc})") from None
    state = {k: v.float() for k, v in state.items()}
    expected = module.state_dict()
    bad = [k for k in expected if k not in state or state[k].shape != expected[k].shape]
    extra = [k for k in state if k not in expected]
    if bad or extra:
        raise CheckpointError(f"{path}: tensors do not fit {type(module).__name__} "
                              f"(mismatched: {bad[:3]}, unexpected: {extra[:3]})")
    if not all(torch.isfinite(v).all() for v in state.values()):
        raise CheckpointError(f"{path}: weights contain NaN or inf")
    module.load_state_dict(state)
    return module.eval().to(device)


def load_pose_nets(directory: str | Path | None = None, device: torch.device | str = "cpu"
                   ) -> tuple[PoseDetectorNet, PoseLandmarkNet]:
    """The detector and landmark networks with converted weights, in eval mode on `device`."""
    root = Path(directory) if directory is not None else POSE_WEIGHTS
    device = torch.device(device)
    detector = _load(PoseDetectorNet(), root / DETECTOR_FILE, device)
    landmarks = _load(PoseLandmarkNet(), root / LANDMARK_FILE, device)
    return detector, landmarks
