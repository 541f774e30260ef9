"""Shared by the benchmark scripts: the model to measure."""
from __future__ import annotations

from pathlib import Path

from vision.checkpoint import Checkpoint, load_checkpoint, save_checkpoint
from vision.cli.classify import SHAPES_WEIGHTS
from vision.config import ClipConfig, ModelConfig
from vision.model import build_model
from vision.video.synth import ACTIONS


def bench_checkpoint(weights: str | None, tmp: Path, backbone: str = "tiny", frame_size: int | None = None) -> tuple[Checkpoint, str]:
    """`weights`, else weights/shapes when present (tiny only), else a random-init model of the
    default architecture: speed does not depend on the weights' values."""
    if weights is None and SHAPES_WEIGHTS.is_dir() and backbone == "tiny" and frame_size is None:
        weights = str(SHAPES_WEIGHTS)
    if weights is not None:
        return load_checkpoint(weights, fuse=True), weights
    clip = ClipConfig(frame_size=frame_size or ClipConfig().frame_size)
    model = build_model(ModelConfig(num_classes=len(ACTIONS), backbone=backbone))
    return load_checkpoint(save_checkpoint(tmp / "m", model, clip, list(ACTIONS)), fuse=True), f"random-init {backbone}"


def with_backend(ckpt: Checkpoint, name: str, backend: str, tmp: Path) -> tuple[Checkpoint, str]:
    """The same model on `backend`: 'torch' as is, 'onnxruntime' through an ONNX export in `tmp`."""
    if backend == "torch":
        return ckpt, name
    from vision.export.exporter import export_checkpoint
    from vision.export.runtime import load_export

    return load_export(export_checkpoint(ckpt.path, tmp / "onnx-export")), f"{name} via onnxruntime"


def add_model_options(parser) -> None:
    """--weights, --backbone (of the random-init model) and --backend, shared by the benchmarks."""
    parser.add_argument("--weights", help="checkpoint directory (default: weights/shapes if present)")
    parser.add_argument("--backbone", default="tiny", help="backbone of the random-init model (tiny)")
    parser.add_argument("--backend", default="torch", choices=["torch", "onnxruntime"],
                        help="onnxruntime: export the model first and run the export")


def save_trunk(weights: Path, out: Path) -> Path:
    """A checkpoint's frame encoder as a backbone file (`encoder.` prefix removed), for
    `--pretrained FILE --freeze-backbone` runs on the shipped model's CNN."""
    from safetensors.torch import load_file, save_file

    state = load_file(str(Path(weights) / "model.safetensors"))
    save_file({k[len("encoder."):]: v.contiguous() for k, v in state.items() if k.startswith("encoder.")}, str(out))
    return out
