"""Training state for `--resume`: optimizer, scheduler, scaler, counters and RNG states.

Tensors go to `training_state.safetensors`, everything else to `training_state.json`; nothing
is pickled. Both live inside the atomically written `last/` checkpoint directory.
"""
from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import numpy as np
import torch

from vision.errors import CheckpointError

STATE_TENSORS = "training_state.safetensors"
STATE_JSON = "training_state.json"


def _split_tensors(obj: Any, prefix: str, tensors: dict[str, torch.Tensor]) -> Any:
    """Replace tensors in a nested structure by `{"__tensor__": key}` and collect them."""
    if torch.is_tensor(obj):
        tensors[prefix] = obj.detach().cpu().contiguous()
        return {"__tensor__": prefix}
    if isinstance(obj, np.ndarray):
        tensors[prefix] = torch.from_numpy(obj.astype(np.int64))
        return {"__ndarray__": prefix, "dtype": str(obj.dtype)}
    if isinstance(obj, dict):
        return {"__dict__": [[k, _split_tensors(v, f"{prefix}.{i}", tensors)] for i, (k, v) in enumerate(obj.items())]}
    if isinstance(obj, (list, tuple)):
        items = [_split_tensors(v, f"{prefix}.{i}", tensors) for i, v in enumerate(obj)]
        return {"__tuple__": items} if isinstance(obj, tuple) else items
    return obj


def _join_tensors(obj: Any, tensors: dict[str, torch.Tensor]) -> Any:
    if isinstance(obj, dict):
        if "__tensor__" in obj:
            return tensors[obj["__tensor__"]]
        if "__ndarray__" in obj:
            return tensors[obj["__ndarray__"]].numpy().astype(obj["dtype"])
        if "__tuple__" in obj:
            return tuple(_join_tensors(v, tensors) for v in obj["__tuple__"])
        if "__dict__" in obj:
            return {k: _join_tensors(v, tensors) for k, v in obj["__dict__"]}
        return {k: _join_tensors(v, tensors) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_join_tensors(v, tensors) for v in obj]
    return obj


def rng_state() -> dict[str, Any]:
    """Python, NumPy and torch (CPU and CUDA) generator states."""
    state = {"python": random.getstate(), "numpy": np.random.get_state(), "torch": torch.get_rng_state()}
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict[str, Any]) -> None:
    """Restore what `rng_state` captured."""
    version, internal, gauss = state["python"]
    random.setstate((version, tuple(internal), gauss))
    np.random.set_state(state["numpy"])
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def write_state(directory: Path, state: dict[str, Any]) -> None:
    """Write `state` (nested dicts/lists of JSON values, tensors and arrays) into `directory`."""
    from safetensors.torch import save_file

    tensors: dict[str, torch.Tensor] = {}
    skeleton = _split_tensors(state, "s", tensors)
    save_file(tensors, str(directory / STATE_TENSORS))
    (directory / STATE_JSON).write_text(json.dumps(skeleton))


def read_state(directory: Path) -> dict[str, Any]:
    """Read what `write_state` wrote; `CheckpointError` if missing or damaged."""
    from safetensors.torch import load_file

    try:
        tensors = load_file(str(directory / STATE_TENSORS))
        skeleton = json.loads((directory / STATE_JSON).read_text())
        return _join_tensors(skeleton, tensors)
    except FileNotFoundError as exc:
        raise CheckpointError(f"{directory}: no training state ({Path(exc.filename).name} missing)") from None
    except Exception as exc:  # damaged files: one line, never unpickled
        raise CheckpointError(f"{directory}: damaged training state ({exc.__class__.__name__}: {exc})") from None
