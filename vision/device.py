"""Pick the compute device: CUDA when present, CPU otherwise; `--device` overrides."""
from __future__ import annotations

import torch

from vision.errors import ConfigError


def resolve_device(name: str | None = None) -> torch.device:
    """Return the device for `name` ('auto'/None, 'cpu', 'cuda', 'cuda:1', ...)."""
    if name in (None, "", "auto"):
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        device = torch.device(name)
    except RuntimeError as exc:
        raise ConfigError(f"unknown device {name!r}: {exc}") from None
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ConfigError(f"device {name!r} requested but CUDA is not available")
    return device
