"""Checkpoint directories: `model.safetensors` + `config.json` + `labels.json` (+ MODEL_CARD.md).

Weights are safetensors only (never pickle); the JSON carries everything needed to rebuild the
model and preprocess its input. Loading validates version, labels and every tensor shape.
"""
from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from vision.atomic import atomic_dir, recover_dir
from vision.config import ClipConfig, ModelConfig, from_dict, to_dict
from vision.errors import CheckpointError, ConfigError
from vision.model import ActionNet, build_model
from vision.model.fuse import fuse_conv_bn

FORMAT_VERSION = 1
WEIGHTS_FILE = "model.safetensors"
CONFIG_FILE = "config.json"
LABELS_FILE = "labels.json"
CARD_FILE = "MODEL_CARD.md"


@dataclass
class CheckpointInfo:
    """What a checkpoint's JSON files say, without its weights."""

    path: Path
    model_config: ModelConfig
    clip_config: ClipConfig
    labels: list[str]
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Checkpoint(CheckpointInfo):
    """A loaded checkpoint: its info plus the model in eval mode."""

    model: ActionNet | None = None


def write_checkpoint_files(
    directory: Path,
    model: ActionNet,
    clip_config: ClipConfig,
    labels: list[str],
    *,
    model_card: str | None = None,
    extra: dict[str, Any] | None = None,
) -> None:
    """Write the checkpoint files into an existing (temporary) directory; not atomic by itself."""
    from safetensors.torch import save_file

    if len(labels) != model.config.num_classes:
        raise CheckpointError(f"{len(labels)} labels for a head of {model.config.num_classes} classes")
    config = {
        "format_version": FORMAT_VERSION,
        "model": to_dict(model.config),
        "clip": to_dict(clip_config),
        "extra": extra or {},
    }
    state = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    save_file(state, str(directory / WEIGHTS_FILE), metadata={"format_version": str(FORMAT_VERSION)})
    (directory / CONFIG_FILE).write_text(json.dumps(config, indent=2) + "\n")
    (directory / LABELS_FILE).write_text(json.dumps(list(labels), indent=1) + "\n")
    if model_card is not None:
        (directory / CARD_FILE).write_text(model_card)


def save_checkpoint(
    path: str | Path,
    model: ActionNet,
    clip_config: ClipConfig,
    labels: list[str],
    *,
    model_card: str | None = None,
    extra: dict[str, Any] | None = None,
) -> Path:
    """Write a checkpoint directory atomically and return its path."""
    path = Path(path)
    with atomic_dir(path) as tmp:
        write_checkpoint_files(tmp, model, clip_config, labels, model_card=model_card, extra=extra)
    return path


def _read_json(path: Path) -> Any:
    if not path.is_file():
        raise CheckpointError(f"{path.parent}: missing {path.name}")
    try:
        return json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise CheckpointError(f"{path}: corrupt JSON ({exc})") from None


def read_checkpoint_info(path: str | Path) -> CheckpointInfo:
    """Read and validate a checkpoint's JSON files (no weights are read)."""
    path = Path(path)
    recover_dir(path)
    if not path.is_dir():
        raise CheckpointError(f"{path}: checkpoint directory not found")
    config = _read_json(path / CONFIG_FILE)
    if not isinstance(config, dict):
        raise CheckpointError(f"{path / CONFIG_FILE}: expected a JSON object")
    version = config.get("format_version")
    if version != FORMAT_VERSION:
        raise CheckpointError(
            f"{path}: checkpoint format version {version!r} is not supported (expected {FORMAT_VERSION})"
        )
    try:
        model_config = from_dict(ModelConfig, config.get("model"))
        clip_config = from_dict(ClipConfig, config.get("clip"))
    except ConfigError as exc:
        raise CheckpointError(f"{path / CONFIG_FILE}: {exc}") from None
    labels = _read_json(path / LABELS_FILE)
    if not isinstance(labels, list) or not all(isinstance(s, str) for s in labels):
        raise CheckpointError(f"{path / LABELS_FILE}: expected a JSON list of class names")
    if len(labels) != model_config.num_classes:
        raise CheckpointError(
            f"{path}: {len(labels)} labels but the model has {model_config.num_classes} classes"
        )
    extra = config.get("extra") or {}
    return CheckpointInfo(path, model_config, clip_config, labels, extra)


def _read_weights(path: Path) -> dict[str, torch.Tensor]:
    from safetensors.torch import load_file

    weights = path / WEIGHTS_FILE
    if not weights.is_file():
        raise CheckpointError(f"{path}: missing {WEIGHTS_FILE}")
    try:
        return load_file(str(weights))
    except Exception as exc:  # not safetensors (e.g. a pickle): report, never unpickle
        raise CheckpointError(f"{weights}: not a valid safetensors file ({exc})") from None


def load_state_strict(model: torch.nn.Module, state: dict[str, torch.Tensor], source: Path) -> None:
    """Load `state` into `model`, with one clear error for any missing/extra/misshaped tensor."""
    expected = model.state_dict()
    missing = sorted(set(expected) - set(state))
    unexpected = sorted(set(state) - set(expected))
    if missing or unexpected:
        raise CheckpointError(
            f"{source}: weights do not match the config: {len(missing)} missing "
            f"{missing[:2]}, {len(unexpected)} unexpected {unexpected[:2]}"
        )
    for key, tensor in expected.items():
        if state[key].shape != tensor.shape:
            raise CheckpointError(
                f"{source}: shape mismatch for {key}: file {tuple(state[key].shape)}, "
                f"model {tuple(tensor.shape)}"
            )
    model.load_state_dict(state)


def load_checkpoint(path: str | Path, device: str | torch.device = "cpu", *, fuse: bool = False) -> Checkpoint:
    """Load a checkpoint directory into an eval-mode `ActionNet` on `device`.

    Weights are laid out channels_last (NHWC convolutions: measured 1.9x faster batched on CPU,
    faster on CUDA); `fuse` also folds BatchNorm into the convolutions (inference only).
    """
    info = read_checkpoint_info(path)
    model = build_model(info.model_config)
    state = _read_weights(info.path)
    broken = [k for k, v in state.items() if v.is_floating_point() and not bool(torch.isfinite(v).all())]
    if broken:
        raise CheckpointError(f"{info.path}: {len(broken)} weight tensor(s) hold NaN/inf (e.g. {broken[0]}); "
                              "the run that wrote it diverged")
    load_state_strict(model, state, info.path)
    model.to(device, memory_format=torch.channels_last).eval()
    if fuse:
        model = fuse_conv_bn(model)
    return Checkpoint(info.path, info.model_config, info.clip_config, info.labels, info.extra, model)


def read_model_card(path: str | Path) -> str | None:
    """The checkpoint's MODEL_CARD.md text, or None."""
    card = Path(path) / CARD_FILE
    return card.read_text() if card.is_file() else None


def copy_checkpoint(source: str | Path, target: str | Path) -> Path:
    """Copy the checkpoint folder `source` to `target` atomically (a previous `target` is replaced
    only once the copy is complete); raises `CheckpointError` naming `source` when it is not one."""
    read_checkpoint_info(source)
    target = Path(target)
    with atomic_dir(target) as tmp:
        for f in Path(source).iterdir():
            if f.is_file():
                shutil.copy2(f, tmp / f.name)
    return target
