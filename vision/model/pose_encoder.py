"""The frame encoder of pose models: landmarks -> heatmaps -> CNN -> spatial attention, and/or
the coordinates themselves through an MLP.

Input per frame: the `vision.pose.features` vector (canvas-normalised landmarks + presence and
hip motion). `PoseHeatmaps` draws the joints and limbs as Gaussians on a person-centred
canvas, PoseC3D-style (48x48: half the training cost of 64x64 on a CPU, measured), with left
and right merged into the same channels (BlazePose swaps the far and near limb in side views;
merged channels do not see those swaps, and no class here depends on the side). The CNN's spatial attention over that canvas is the heatmap the app
draws, taken back to frame pixels by `vision.pose.features.CanvasTransform`.

Variants (`ModelConfig.pose_features`): `heatmap` (CNN only), `coords` (MLP only; its attention
map is uniform), `fused` (both). The presence and motion numbers join every variant. With
`trajectory`, the embedding's last `MOTION_DIM` numbers are the frame's motion numbers as they
are (not learned), so that the head can sum them over its window (`ActionNet.summarise`).
With `body_attention`, the spatial attention may only fall where the body is drawn (the
log of the pooled heatmaps is added to its scores): left free, it settled on the canvas's empty
edges, so the app's heatmap showed the room around the person rather than the limbs.
"""
from __future__ import annotations

import torch
from torch import nn

from vision.config import POSE_FEATURES
from vision.model.attention import SpatialAttentionPool, Temperature
from vision.model.encoder import conv_bn_relu
from vision.pose.features import CANVAS_EXTENT, FEATURE_DIM, NUM_LANDMARKS, POINT_DIM, PRESENT, SIDE_DIM

# channel -> joints drawn in it (left and right together)
JOINT_GROUPS = (
    tuple(range(0, 11)),  # head
    (11, 12, 23, 24),  # torso
    (13, 14, 15, 16, 17, 18, 19, 20, 21, 22),  # arms and hands
    (25, 26, 27, 28, 29, 30, 31, 32),  # legs and feet
)
LIMB_GROUPS = (
    ((11, 12), (23, 24), (11, 23), (12, 24)),  # torso
    ((11, 13), (13, 15), (12, 14), (14, 16)),  # arms
    ((23, 25), (25, 27), (24, 26), (26, 28), (27, 31), (28, 32)),  # legs
)
CHANNELS = len(JOINT_GROUPS) + len(LIMB_GROUPS)
MOTION_DIM = SIDE_DIM - 1  # dx, dy, dlog height (not the presence flag)
OFF_BODY = 1e-3  # the attention prior's floor: a cell without body weighs ~e^-5 of one on the body


class PoseHeatmaps(nn.Module):
    """(N, FEATURE_DIM) features -> (N, 7, S, S) joint and limb heatmaps, weighted by visibility.

    Every Gaussian is separable, so a channel is one (S x P) @ (P x S) product: cheap enough to
    draw on the fly for every training clip, on the CPU too.
    """

    def __init__(self, size: int = 48, joint_sigma: float = 1.2, limb_sigma: float = 1.0, limb_samples: int = 6) -> None:
        super().__init__()
        self.size = size
        groups, a, b, t = [], [], [], []
        for c, joints in enumerate(JOINT_GROUPS):  # a joint is a "limb" from itself to itself
            for j in joints:
                groups.append(c), a.append(j), b.append(j), t.append(0.0)
        steps = [(k + 1) / (limb_samples + 1) for k in range(limb_samples)]
        for c, limbs in enumerate(LIMB_GROUPS, start=len(JOINT_GROUPS)):
            for i, j in limbs:
                for s in steps:
                    groups.append(c), a.append(i), b.append(j), t.append(s)
        self.register_buffer("a", torch.tensor(a), persistent=False)
        self.register_buffer("b", torch.tensor(b), persistent=False)
        self.register_buffer("t", torch.tensor(t).view(1, -1, 1), persistent=False)
        member = torch.zeros(CHANNELS, len(groups))
        member[torch.tensor(groups), torch.arange(len(groups))] = 1.0
        self.register_buffer("member", member, persistent=False)  # (C, P)
        sigma = torch.tensor([joint_sigma if g < len(JOINT_GROUPS) else limb_sigma for g in groups])
        self.register_buffer("inv_two_var", (1.0 / (2 * sigma**2)).view(1, -1, 1), persistent=False)
        self.register_buffer("grid", torch.arange(size, dtype=torch.float32).view(1, 1, -1), persistent=False)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        n = features.shape[0]
        lms = features[:, :PRESENT].reshape(n, NUM_LANDMARKS, POINT_DIM)  # u, v, visibility
        xy = (lms[..., :2] / CANVAS_EXTENT + 0.5) * self.size - 0.5  # canvas pixels, centres at integers
        vis = lms[..., 2].clamp(0, 1)
        pa, pb = xy[:, self.a], xy[:, self.b]  # (N, P, 2)
        pts = pa + self.t * (pb - pa)
        weight = torch.minimum(vis[:, self.a], vis[:, self.b])  # (N, P)
        gx = torch.exp(-(self.grid - pts[..., 0:1]).square() * self.inv_two_var)  # (N, P, S)
        gy = torch.exp(-(self.grid - pts[..., 1:2]).square() * self.inv_two_var)
        w = weight.unsqueeze(1) * self.member.unsqueeze(0)  # (N, C, P)
        heat = torch.einsum("ncp,npy,npx->ncyx", w, gy, gx)  # (N, C, S, S)
        return heat.clamp(max=1.0)


def body_prior(heat: torch.Tensor, size: int) -> torch.Tensor:
    """(N, C, S, S) heatmaps -> (N, size, size) log-weights: ~0 where the body is, log(OFF_BODY) elsewhere."""
    body = nn.functional.max_pool2d(heat.sum(dim=1, keepdim=True), heat.shape[-1] // size)[:, 0]
    return body.clamp(OFF_BODY, 1.0).log()


class PoseFrameEncoder(nn.Module):
    """Pose features (N, FEATURE_DIM) -> embeddings (N, D) and attention maps (N, 12, 12)."""

    def __init__(self, mode: str, embed_dim: int, temperature: Temperature | None = None, canvas: int = 48,
                 motion_gain: float = 1.0, trajectory: bool = False, body_attention: bool = False) -> None:
        super().__init__()
        assert mode in POSE_FEATURES, mode
        self.mode = mode
        self.trajectory = trajectory
        self.body_attention = body_attention
        # the side numbers [present, dx, dy, dlog height] are scaled [1, g, g, g] (see ModelConfig)
        gain = torch.ones(FEATURE_DIM)
        gain[PRESENT + 1:] = motion_gain
        self.register_buffer("gain", gain, persistent=False)
        self.map_size = canvas // 4
        parts = SIDE_DIM
        if mode != "coords":
            self.render = PoseHeatmaps(canvas)
            # Dense 3x3 convolutions: at these few channels they train 2.3x faster on a CPU than
            # depthwise-separable blocks of the same reach (measured, fwd+bwd, batch 512).
            self.cnn = nn.Sequential(
                conv_bn_relu(CHANNELS, 24, stride=2),  # (N, 24, S/2, S/2)
                conv_bn_relu(24, 48, stride=2),  # (N, 48, S/4, S/4)
                conv_bn_relu(48, 64, dilation=2),  # wider context at the same resolution
                conv_bn_relu(64, 96, dilation=4),  # (N, 96, S/4, S/4): sees the whole body
            )
            self.spatial = SpatialAttentionPool(96, embed_dim, temperature)
            parts += embed_dim
        if mode != "heatmap":
            self.coords = nn.Sequential(
                nn.Linear(FEATURE_DIM, 256), nn.ReLU(inplace=True), nn.Linear(256, embed_dim), nn.ReLU(inplace=True),
            )
            parts += embed_dim
        learned = embed_dim - MOTION_DIM if trajectory else embed_dim
        self.fuse = nn.Sequential(nn.Linear(parts, learned), nn.LayerNorm(learned))

    def forward(self, features: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        n = features.shape[0]
        features = features * self.gain
        parts = [features[:, PRESENT:]]  # presence and motion
        if self.mode != "coords":
            with torch.no_grad():  # drawing has nothing to learn
                heat = self.render(features)  # (N, 7, S, S)
            prior = body_prior(heat, self.map_size) if self.body_attention else None
            emb, attn = self.spatial(self.cnn(heat), prior)  # (N, D), (N, h, w)
            parts.append(emb)
        else:
            attn = features.new_full((n, self.map_size, self.map_size), 1.0 / self.map_size**2)
        if self.mode != "heatmap":
            parts.append(self.coords(features))
        emb = self.fuse(torch.cat(parts, dim=1))
        if self.trajectory:
            emb = torch.cat([emb, features[:, PRESENT + 1:]], dim=1)
        return emb, attn
