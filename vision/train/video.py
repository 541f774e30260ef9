"""Training data for a video head: each long video becomes its sequence of window summaries.

The window model (encoder, spatial attention, LSTM, temporal pooling) comes from `--init` and
stays frozen, so every video's summaries are computed once, before the first epoch: windows of
the checkpoint's T frames every `stride` sampled frames, exactly as `vision-classify` slides
them. Each epoch then trains only the video head (upper LSTM + attention + classifier) on the
whole sequence of every video, padded per batch and masked.
"""
from __future__ import annotations

from typing import Callable, NamedTuple, Sequence

import torch
from torch import nn

from vision.config import ClipConfig
from vision.data.cache import FrameCache
from vision.data.clips import dense_windows
from vision.data.ucf import VideoItem
from vision.engine.windows import encode_video, window_summaries
from vision.model.network import ActionNet, HeadOutput
from vision.train.freeze import always_eval


class SummaryNet(nn.Module):
    """`ActionNet.classify_summaries` as a module: what the trainer calls `(summaries, mask)`."""

    def __init__(self, net: ActionNet) -> None:
        super().__init__()
        self.net = net

    def forward(self, summaries: torch.Tensor, mask: torch.Tensor) -> HeadOutput:
        return self.net.classify_summaries(summaries, mask)


def freeze_window_model(model: ActionNet) -> None:
    """Everything but the video head stops learning and stays in eval mode (its BatchNorm
    statistics, and no dropout in the window classifier the video head reads)."""
    for name, p in model.named_parameters():
        p.requires_grad_(name.startswith("video."))
    for name, module in model.named_children():
        if name != "video":
            always_eval(module)


@torch.no_grad()
def video_summaries(
    model: ActionNet, cache: FrameCache, clip: ClipConfig, items: Sequence[VideoItem],
    progress: Callable[[], None] | None = None,
) -> list[torch.Tensor]:
    """Window summaries (W, S) of each video, from the frame cache, with the model in eval mode."""
    was_training = model.training
    model.eval()
    out = []
    try:
        for item in items:
            frames = cache.load(item.path).frames  # (N, S, S, 3) uint8 at the model's fps
            emb = encode_video(model, frames, clip).embeddings  # (N, D)
            out.append(window_summaries(model, emb, dense_windows(len(emb), clip.num_frames, clip.stride)))
            if progress:
                progress()
    finally:
        model.train(was_training)
    return out


class SummaryBatch(NamedTuple):
    summaries: torch.Tensor  # (B, W, S), zero-padded
    mask: torch.Tensor  # (B, W) valid windows
    labels: torch.Tensor  # (B,)


class SummaryDataset(torch.utils.data.Dataset):
    """Yields `(summaries (W, S), label)`; `collate` pads a batch to its longest video."""

    def __init__(self, items: Sequence[VideoItem], summaries: Sequence[torch.Tensor]) -> None:
        self.labels = [item.label for item in items]
        self.summaries = list(summaries)

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, i: int) -> tuple[torch.Tensor, int]:
        return self.summaries[i], self.labels[i]

    @staticmethod
    def collate(batch: list[tuple[torch.Tensor, int]]) -> SummaryBatch:
        longest = max(s.shape[0] for s, _ in batch)
        summaries = torch.zeros(len(batch), longest, batch[0][0].shape[1])
        mask = torch.zeros(len(batch), longest, dtype=torch.bool)
        for i, (s, _) in enumerate(batch):
            summaries[i, : len(s)] = s
            mask[i, : len(s)] = True
        return SummaryBatch(summaries, mask, torch.tensor([label for _, label in batch]))
