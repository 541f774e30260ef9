"""The torch BlazePose networks against MediaPipe's own TFLite runtime.

`tests/data/pose_reference.npz` holds TFLite's outputs (ai-edge-litert, written by
`python -m vision.pose.convert --reference`) for two inputs per model: a real frame of a person
(from stream-pose-ml's example video, MIT) and noise. With the .tflite files at hand
(`VISION_POSE_TFLITE_DIR`) and ai-edge-litert installed, the live test also runs TFLite itself.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
import torch

from vision.pose.convert import ConvOp, map_weights
from vision.pose.detector_net import PoseDetectorNet
from vision.pose.landmark_net import PoseLandmarkNet
from vision.pose.runtime import load_runtime, onnxruntime_available

REFERENCE = Path(__file__).parent / "data" / "pose_reference.npz"
BACKENDS = ["torch"] + (["onnxruntime"] if onnxruntime_available() else [])


@pytest.fixture(scope="module")
def reference() -> dict[str, np.ndarray]:
    return dict(np.load(REFERENCE))


@pytest.fixture(scope="module", params=BACKENDS)
def nets(request: pytest.FixtureRequest):
    return load_runtime(request.param, torch.device("cpu"))


def _nchw(img: np.ndarray, lo: float) -> torch.Tensor:
    x = torch.from_numpy(img).permute(2, 0, 1)[None].float()
    return x / 127.5 - 1.0 if lo < 0 else x / 255.0


@pytest.mark.parametrize("j", [0, 1])
def test_detector_matches_tflite(nets, reference, j: int) -> None:
    with torch.inference_mode():
        boxes, scores = nets.detector(_nchw(reference[f"detector_input_{j}"], -1.0))
    ref_boxes = reference[f"detector_output_{j}_2254x12"]
    ref_scores = reference[f"detector_output_{j}_2254x1"][:, 0]
    assert boxes.shape == (1, 2254, 12) and scores.shape == (1, 2254)
    # outputs reach ~200 (input pixels); fp32 accumulation order differs from XNNPACK's
    np.testing.assert_allclose(boxes[0].numpy(), ref_boxes, atol=5e-3)
    np.testing.assert_allclose(scores[0].numpy(), ref_scores, atol=5e-3)
    if j == 0:  # the real frame: a person is found, on the same anchor
        assert ref_scores.max() > 0 and scores[0].argmax() == ref_scores.argmax()


@pytest.mark.parametrize("j", [0, 1])
def test_landmark_net_matches_tflite(nets, reference, j: int) -> None:
    with torch.inference_mode():
        out = nets.landmarks(_nchw(reference[f"landmarks_input_{j}"], 0.0))
    np.testing.assert_allclose(out.points[0].reshape(-1).numpy(), reference[f"landmarks_output_{j}_195"], atol=2e-2)
    np.testing.assert_allclose(out.presence.numpy(), reference[f"landmarks_output_{j}_1"], atol=1e-4)
    np.testing.assert_allclose(out.heatmap[0].permute(1, 2, 0).numpy(), reference[f"landmarks_output_{j}_64x64x39"],
                               atol=2e-3)
    np.testing.assert_allclose(out.world[0].reshape(-1).numpy(), reference[f"landmarks_output_{j}_117"], atol=1e-4)
    if j == 0:
        assert out.presence.item() > 0.9  # a person fills the real crop


def _ops_from(module: torch.nn.Module, order: list[int]) -> list[ConvOp]:
    convs = [m for m in module.modules() if isinstance(m, torch.nn.Conv2d)]
    return [ConvOp(i, convs[i].groups > 1, convs[i].weight.detach().numpy().copy(),
                   convs[i].bias.detach().numpy().copy(), "float32") for i in order]


def test_weight_mapping_follows_shapes_not_registration_order() -> None:
    """The converter matches graph convolutions to torch ones by shape, in execution order. Here
    the "graph" lists them in registration order, which (like TFLite's op order) interleaves
    the pyramid's lateral branches differently from the forward pass; every weight still lands."""
    source = PoseDetectorNet()
    n = sum(isinstance(m, torch.nn.Conv2d) for m in source.modules())
    state = map_weights(PoseDetectorNet(), _ops_from(source, list(range(n))), 224)
    target = PoseDetectorNet()
    target.load_state_dict(state)
    for (name, a), (_, b) in zip(source.state_dict().items(), target.state_dict().items()):
        assert torch.equal(a, b), name


def test_weight_mapping_refuses_a_graph_that_does_not_fit() -> None:
    ops = _ops_from(PoseLandmarkNet(), list(range(10)))
    with pytest.raises(ValueError, match="without weights"):
        map_weights(PoseLandmarkNet(), ops, 256)
    ops[3].weight = np.zeros((7, 7, 1, 1), np.float32)
    with pytest.raises(ValueError, match="no torch convolution"):
        map_weights(PoseLandmarkNet(), ops, 256)


@pytest.mark.skipif(not os.environ.get("VISION_POSE_TFLITE_DIR"), reason="set VISION_POSE_TFLITE_DIR to the .tflite files")
def test_conversion_reproduces_shipped_weights_and_tflite(tmp_path: Path) -> None:
    litert = pytest.importorskip("ai_edge_litert.interpreter")
    from safetensors.torch import load_file

    from vision.pose.convert import read_models, convert
    from vision.pose.weights import DETECTOR_FILE, LANDMARK_FILE, POSE_WEIGHTS

    models = read_models(None, Path(os.environ["VISION_POSE_TFLITE_DIR"]))
    states = convert(models)
    for key, name in (("detector", DETECTOR_FILE), ("landmarks", LANDMARK_FILE)):
        shipped = load_file(str(POSE_WEIGHTS / name))
        assert shipped.keys() == states[key].keys()
        assert all(torch.equal(shipped[k], states[key][k]) for k in shipped)
    rng = np.random.default_rng(1)
    x = rng.uniform(0, 1, (1, 256, 256, 3)).astype(np.float32)
    interp = litert.Interpreter(model_content=models["landmarks"])
    interp.allocate_tensors()
    interp.set_tensor(interp.get_input_details()[0]["index"], x)
    interp.invoke()
    ref = {tuple(d["shape"]): interp.get_tensor(d["index"]) for d in interp.get_output_details()}
    net = load_runtime("torch", torch.device("cpu"))
    with torch.inference_mode():
        out = net.landmarks(torch.from_numpy(x).permute(0, 3, 1, 2))
    np.testing.assert_allclose(out.points.reshape(1, -1).numpy(), ref[(1, 195)], atol=2e-2)
