"""Export a checkpoint as two graphs, the frame encoder and the temporal head.

Streaming runs them at different rates (the encoder once per new frame, the head on a window of
cached embeddings), so they are separate files:

- `encoder`: frames (N, C, S, S) float32, normalised -> embeddings (N, D), attention (N, h, w);
  C = 3 (RGB, or frame differences) or 6 (RGB + differences: `vision.data.motion` builds them)
- `head`: embeddings (B, T, D), mask (B, T) bool (a valid-step prefix) -> logits (B, C),
  temporal_weights (B, T)

The directory is self-contained: the graphs, `config.json`, `labels.json`, the model card and
`export.json` (format, int8, file checksums), written atomically.
"""
from __future__ import annotations

import hashlib
import json
import logging
import shutil
import warnings
from pathlib import Path

import torch
from torch import nn

from vision.atomic import atomic_dir
from vision.checkpoint import CARD_FILE, Checkpoint, load_checkpoint
from vision.data.motion import frame_channels
from vision.errors import ExportError
from vision.model.network import ActionNet
from vision.pose.features import FEATURE_DIM

MANIFEST = "export.json"
FORMATS = {"onnx": ".onnx", "torchscript": ".pt"}
EXAMPLE_T = 16


class EncoderGraph(nn.Module):
    """`ActionNet.encode_frames` on a flat batch of frames, as one exportable module."""

    def __init__(self, net: ActionNet) -> None:
        super().__init__()
        self.net = net

    def forward(self, frames: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        out = self.net.encode_frames(frames)
        return out.embeddings, out.attention_maps


class HeadGraph(nn.Module):
    """`ActionNet.classify_embeddings` without its Python-side mask checks."""

    def __init__(self, net: ActionNet) -> None:
        super().__init__()
        self.net = net

    def forward(self, embeddings: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        out = self.net.head_from_lengths(embeddings, mask, mask.sum(dim=1))
        return out.logits, out.temporal_weights


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def frame_shape(input_kind: str, size: int) -> tuple[int, ...]:
    """One frame's shape for the encoder graph: pose models take a feature vector, the others pictures."""
    return (FEATURE_DIM,) if input_kind == "pose" else (frame_channels(input_kind), size, size)


def _examples(ckpt: Checkpoint) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    shape = frame_shape(ckpt.model_config.input, ckpt.clip_config.frame_size)
    frames = (torch.rand(2, *shape) - 0.5) * 0.8 if len(shape) == 1 else torch.randn(2, *shape)
    embeddings = torch.randn(2, EXAMPLE_T, ckpt.model_config.embed_dim)
    mask = torch.ones(2, EXAMPLE_T, dtype=torch.bool)
    mask[1, EXAMPLE_T // 2 :] = False
    return frames, embeddings, mask


def _export_onnx(encoder: nn.Module, head: nn.Module, ckpt: Checkpoint, out: Path) -> None:
    from torch.export import Dim

    frames, embeddings, mask = _examples(ckpt)
    n, b, t = Dim("frames", min=1, max=65536), Dim("clips", min=1, max=65536), Dim("steps", min=2, max=4096)
    logging.getLogger("torch.onnx").setLevel(logging.ERROR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            encoder, (frames,), str(out / "encoder.onnx"), input_names=["frames"],
            output_names=["embeddings", "attention"], dynamic_shapes=({0: n},), dynamo=True,
            external_data=False, verbose=False,
        )
        torch.onnx.export(
            head, (embeddings, mask), str(out / "head.onnx"), input_names=["embeddings", "mask"],
            output_names=["logits", "temporal_weights"], dynamic_shapes=({0: b, 1: t}, {0: b, 1: t}),
            dynamo=True, external_data=False, verbose=False,
        )


def _quantize_onnx(out: Path) -> None:
    """Dynamic int8 weights for MatMul/Gemm (the Linear and LSTM-input layers).

    Convolutions stay float: onnxruntime's dynamic ConvInteger measured ~5x slower than the
    float convolution on this CPU and moved the embeddings far more.
    """
    from onnxruntime.quantization import QuantType, quantize_dynamic

    logging.disable(logging.WARNING)  # its "consider pre-processing" advice is for static quantization
    try:
        for name in ("encoder.onnx", "head.onnx"):
            source = out / name
            quantize_dynamic(str(source), str(source), weight_type=QuantType.QInt8, op_types_to_quantize=["MatMul", "Gemm"])
    finally:
        logging.disable(logging.NOTSET)


def _export_torchscript(encoder: nn.Module, head: nn.Module, ckpt: Checkpoint, out: Path) -> None:
    frames, embeddings, mask = _examples(ckpt)
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        torch.jit.save(torch.jit.trace(encoder, (frames,)), str(out / "encoder.pt"))
        torch.jit.save(torch.jit.trace(head, (embeddings, mask)), str(out / "head.pt"))


def export_checkpoint(checkpoint: str | Path, out: str | Path, fmt: str = "onnx", int8: bool = False) -> Path:
    """Write the export directory `out` for `checkpoint`; returns it."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; choose {' or '.join(FORMATS)}")
    ckpt = load_checkpoint(checkpoint)
    if ckpt.model_config.video_head:  # the two graphs have no place for it; dropping it would change results
        raise ExportError(f"{ckpt.path}: has a video head (hierarchical overall label), which {fmt} export does not "
                          "support yet; export the window checkpoint it was trained from (its --init)")
    net = ckpt.model.eval()
    if int8 and fmt == "torchscript":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch.ao's "moving to torchao" notices; it works in 2.14
            net = torch.ao.quantization.quantize_dynamic(net, {nn.LSTM, nn.Linear}, dtype=torch.qint8)
    encoder, head = EncoderGraph(net).eval(), HeadGraph(net).eval()
    out = Path(out)
    with atomic_dir(out) as tmp:
        try:
            (_export_onnx if fmt == "onnx" else _export_torchscript)(encoder, head, ckpt, tmp)
            if int8 and fmt == "onnx":
                _quantize_onnx(tmp)
        except Exception as exc:  # the exporters raise many types; the previous export stays intact
            raise ExportError(f"{ckpt.path}: {fmt} export failed ({str(exc).splitlines()[0]})") from exc
        for name in ("config.json", "labels.json", CARD_FILE):
            if (ckpt.path / name).is_file():
                shutil.copy2(ckpt.path / name, tmp / name)
        files = {role: f"{role}{FORMATS[fmt]}" for role in ("encoder", "head")}
        manifest = {
            "format": fmt,
            "int8": int8,
            "files": files,
            "sha256": {name: sha256(tmp / name) for name in files.values()},
            "source": str(ckpt.path),
        }
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n")
    return out
