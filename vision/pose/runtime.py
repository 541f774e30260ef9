"""Run the two BlazePose networks on torch (CPU or CUDA) or on onnxruntime (CPU).

onnxruntime runs these depthwise-heavy MobileNet graphs about twice as fast as torch eager on
a CPU (bench/pose.py), so it is the CPU default when installed (the `export` extra). Its graphs
are exported from the torch modules in memory when the runtime starts (about a second), so
there is one source of truth for the weights and nothing more to ship or to keep in sync.
"""
from __future__ import annotations

import io
import logging
import warnings
from typing import Literal

import torch
from torch import nn

from vision.errors import ConfigError
from vision.pose.detector_net import INPUT_SIZE as DETECTOR_SIZE
from vision.pose.landmark_net import INPUT_SIZE as LANDMARK_SIZE, LandmarkOutput
from vision.pose.weights import load_pose_nets

Backend = Literal["auto", "torch", "onnxruntime"]


def onnxruntime_available() -> bool:
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


class TorchPoseNets:
    """The modules themselves; inputs NCHW float on `device`."""

    name = "torch"

    def __init__(self, device: torch.device, weights_dir: str | None = None) -> None:
        self.detector_net, self.landmark_net = load_pose_nets(weights_dir, device)
        if device.type == "cpu":  # measured faster on CPU, as for the action encoder
            self.detector_net = self.detector_net.to(memory_format=torch.channels_last)
            self.landmark_net = self.landmark_net.to(memory_format=torch.channels_last)

    def detector(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.detector_net(x)

    def landmarks(self, x: torch.Tensor) -> LandmarkOutput:
        return self.landmark_net(x)


class _LandmarkGraph(nn.Module):
    """`PoseLandmarkNet` with a tuple output, for the ONNX exporter."""

    def __init__(self, net: nn.Module) -> None:
        super().__init__()
        self.net = net

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, ...]:
        return tuple(self.net(x))


def _onnx_bytes(module: nn.Module, size: int) -> bytes:
    buf = io.BytesIO()
    logging.getLogger("torch.onnx").setLevel(logging.ERROR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # The TorchScript-based exporter: these graphs are plain convolutions, and it takes
        # ~0.5 s where torch.export takes many seconds, which matters at every start.
        torch.onnx.export(module, (torch.zeros(1, 3, size, size),), buf, dynamo=False, opset_version=17,
                          input_names=["x"], dynamic_axes={"x": {0: "n"}})
    return buf.getvalue()


class OnnxPoseNets:
    """Both networks on onnxruntime CPU sessions, exported from the torch modules at start-up."""

    name = "onnxruntime"

    def __init__(self, threads: int = 0, weights_dir: str | None = None) -> None:
        import onnxruntime as ort

        from vision.export.runtime import session_options

        detector, landmarks = load_pose_nets(weights_dir, "cpu")
        providers = ["CPUExecutionProvider"]
        self.detector_session = ort.InferenceSession(_onnx_bytes(detector, DETECTOR_SIZE),
                                                     session_options(threads), providers=providers)
        self.landmark_session = ort.InferenceSession(_onnx_bytes(_LandmarkGraph(landmarks), LANDMARK_SIZE),
                                                     session_options(threads), providers=providers)

    def detector(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        boxes, scores = self.detector_session.run(None, {"x": x.float().contiguous().numpy()})
        return torch.from_numpy(boxes), torch.from_numpy(scores)

    def landmarks(self, x: torch.Tensor) -> LandmarkOutput:
        outs = self.landmark_session.run(None, {"x": x.float().contiguous().numpy()})
        return LandmarkOutput(*(torch.from_numpy(o) for o in outs))


def load_runtime(backend: Backend, device: torch.device, weights_dir: str | None = None,
                 threads: int = 0) -> TorchPoseNets | OnnxPoseNets:
    """`auto`: onnxruntime on a CPU when it is installed, torch otherwise."""
    if backend == "auto":
        backend = "onnxruntime" if device.type == "cpu" and onnxruntime_available() else "torch"
    if backend == "onnxruntime":
        if device.type != "cpu":
            raise ConfigError("the onnxruntime pose backend runs on the CPU only (use --device cpu)")
        if not onnxruntime_available():
            raise ConfigError("the onnxruntime pose backend needs onnxruntime (pip install -e '.[export]')")
        return OnnxPoseNets(threads, weights_dir)
    if backend != "torch":
        raise ConfigError(f"unknown pose backend {backend!r} (auto, torch or onnxruntime)")
    return TorchPoseNets(device, weights_dir)
