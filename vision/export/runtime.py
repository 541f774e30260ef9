"""Run an export directory with the same split API as `ActionNet`, so every engine can use it.

`load_export(dir)` returns a `Checkpoint` whose `model` has `encode_frames`,
`classify_embeddings` and `device`: batch mode, streaming and the GUI work unchanged on an
onnxruntime (or TorchScript) backend. Nothing is unpickled: ONNX files are protobuf, and
TorchScript archives are read by TorchScript's own loader, never by Python's pickle.
"""
from __future__ import annotations

import json
from pathlib import Path

import torch

from vision.checkpoint import Checkpoint, read_checkpoint_info
from vision.config import ModelConfig
from vision.errors import CheckpointError
from vision.export.exporter import FORMATS, MANIFEST, frame_shape, sha256
from vision.model.network import FrameEncoding, HeadOutput

BACKENDS = {"onnxruntime": "onnx", "torchscript": "torchscript"}  # runtime -> export format
RUNTIME_OF_FORMAT = {fmt: runtime for runtime, fmt in BACKENDS.items()}


class ExportedActionNet:
    """ActionNet's inference API over an exported encoder graph and head graph.

    Subclasses run the graphs: `_encode` on a flat (N, C, S, S) batch, `_head` on (B, T, D)
    embeddings with a bool (B, T) mask; the shapes around them are handled here once.
    """

    config: ModelConfig
    device: torch.device

    def _encode(self, frames: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        raise NotImplementedError

    def _head(self, embeddings: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        raise NotImplementedError

    def encode_frames(self, frames: torch.Tensor) -> FrameEncoding:
        dims = 1 if self.config.input == "pose" else 3  # pose models: a feature vector per frame
        lead = frames.shape[:-dims]
        emb, attn = self._encode(frames.reshape(-1, *frames.shape[-dims:]))
        return FrameEncoding(emb.reshape(*lead, -1), attn.reshape(*lead, *attn.shape[-2:]))

    def classify_embeddings(self, embeddings: torch.Tensor, mask: torch.Tensor | None = None) -> HeadOutput:
        b, t, _ = embeddings.shape
        m = torch.ones(b, t, dtype=torch.bool, device=embeddings.device) if mask is None else mask.bool()
        return HeadOutput(*self._head(embeddings, m))


def session_options(threads: int):  # noqa: ANN201 (onnxruntime is optional)
    """onnxruntime options: `threads` intra-op threads that sleep between runs."""
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.log_severity_level = 3  # the dynamic-axis shape notes are not errors
    opts.intra_op_num_threads = threads
    # No busy-waiting between runs: the engines interleave onnxruntime with torch/OpenCV
    # work, and spinning threads fought them for the cores (streaming 35 ms/frame, not ~6).
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return opts


class OnnxActionNet(ExportedActionNet):
    """The graphs on two onnxruntime sessions (CPU)."""

    def __init__(self, encoder: Path, head: Path, config: ModelConfig, threads: int = 0) -> None:
        import onnxruntime as ort

        providers = ["CPUExecutionProvider"]
        try:
            self.encoder = ort.InferenceSession(str(encoder), session_options(threads), providers=providers)
            # The head's ops are too small to split: one thread saves the hand-offs (0.67 -> 0.52 ms).
            self.head = ort.InferenceSession(str(head), session_options(1), providers=providers)
        except Exception as exc:  # onnxruntime raises its own types for a corrupt graph
            raise CheckpointError(f"{encoder.parent}: cannot load ONNX graphs ({str(exc).splitlines()[0]})") from None
        self.config = config
        self.device = torch.device("cpu")

    def _encode(self, frames: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        emb, attn = self.encoder.run(None, {"frames": frames.float().contiguous().numpy()})
        return torch.from_numpy(emb), torch.from_numpy(attn)

    def _head(self, embeddings: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        feeds = {"embeddings": embeddings.float().cpu().numpy(), "mask": mask.cpu().numpy()}
        logits, weights = self.head.run(None, feeds)
        return torch.from_numpy(logits), torch.from_numpy(weights)


class TorchScriptActionNet(ExportedActionNet):
    """The graphs as two TorchScript modules."""

    def __init__(self, encoder: Path, head: Path, config: ModelConfig, device: torch.device) -> None:
        import warnings

        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", FutureWarning)  # torch.jit's deprecation notice
                self.encoder = torch.jit.load(str(encoder), map_location=device).eval()
                self.head = torch.jit.load(str(head), map_location=device).eval()
        except (RuntimeError, ValueError) as exc:
            raise CheckpointError(f"{encoder.parent}: cannot load TorchScript modules ({str(exc).splitlines()[0]})") from None
        self.config, self.device = config, device

    def _encode(self, frames: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.encoder(frames)

    def _head(self, embeddings: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.head(embeddings, mask)


def backend_for(weights: str | Path) -> str:
    """The backend that runs `weights`: 'torch' for a checkpoint, the export's runtime for a
    `vision-export` directory (a damaged manifest is reported when it is loaded)."""
    manifest = Path(weights) / MANIFEST
    if not manifest.is_file():
        return "torch"
    try:
        return RUNTIME_OF_FORMAT[json.loads(manifest.read_text())["format"]]
    except (OSError, ValueError, KeyError, TypeError):
        return "onnxruntime"


def read_manifest(path: Path) -> dict:
    """`export.json`, checked against the files beside it; raises `CheckpointError`."""
    file = path / MANIFEST
    if not path.is_dir():
        raise CheckpointError(f"{path}: export directory not found")
    try:
        manifest = json.loads(file.read_text())
        fmt, files, sums = manifest["format"], manifest["files"], manifest["sha256"]
        if fmt not in FORMATS or set(files) != {"encoder", "head"}:
            raise KeyError("format/files")
    except FileNotFoundError:
        raise CheckpointError(f"{path}: not an export directory (no {MANIFEST}; make one with vision-export)") from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CheckpointError(f"{file}: unreadable export manifest ({exc})") from None
    for name in files.values():
        if not (path / name).is_file():
            raise CheckpointError(f"{path}: {name} is missing")
        if sha256(path / name) != sums.get(name):
            raise CheckpointError(f"{path / name}: checksum mismatch (corrupt or replaced file)")
    return manifest


def load_export(path: str | Path, backend: str = "onnxruntime", device: str | torch.device = "cpu") -> Checkpoint:
    """Load an export directory for `backend` ('onnxruntime' or 'torchscript')."""
    path = Path(path)
    manifest = read_manifest(path)
    if BACKENDS.get(backend) != manifest["format"]:
        raise CheckpointError(f"{path}: a {manifest['format']} export cannot run on the {backend} backend")
    info = read_checkpoint_info(path)
    encoder, head = (path / manifest["files"][role] for role in ("encoder", "head"))
    if manifest["format"] == "onnx":
        model = OnnxActionNet(encoder, head, info.model_config)
    else:
        model = TorchScriptActionNet(encoder, head, info.model_config, torch.device(device))
    _check_shapes(model, info, path)
    return Checkpoint(path, info.model_config, info.clip_config, info.labels, info.extra, model=model)


def _check_shapes(model, info, path: Path) -> None:
    """One tiny forward pass: the graphs must match config.json and labels.json."""
    size = info.clip_config.frame_size
    try:
        with torch.no_grad():
            shape = frame_shape(info.model_config.input, size)
            enc = model.encode_frames(torch.zeros(1, *shape, device=model.device))
            out = model.classify_embeddings(enc.embeddings.reshape(1, 1, -1).repeat(1, 2, 1))
    except CheckpointError:
        raise
    except Exception as exc:
        raise CheckpointError(f"{path}: the graphs do not run on {size}px frames ({str(exc).splitlines()[0]})") from None
    if enc.embeddings.shape[-1] != info.model_config.embed_dim or out.logits.shape[-1] != len(info.labels):
        raise CheckpointError(
            f"{path}: graphs give {enc.embeddings.shape[-1]}-d embeddings and {out.logits.shape[-1]} classes, "
            f"config.json/labels.json say {info.model_config.embed_dim} and {len(info.labels)}"
        )
