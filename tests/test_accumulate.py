"""Gradient accumulation: N micro-batches of B make the same update as one batch of N*B."""
from __future__ import annotations

import copy
from pathlib import Path

import pytest
import torch
from torch import nn

from vision.config import ModelConfig
from vision.model import build_model
from vision.train.loops import Precision, train_epoch

D, T, CLASSES = 8, 5, 3


class EmbeddingNet(nn.Module):
    """ActionNet's temporal head on embeddings: no BatchNorm, no dropout, so batch size cannot matter."""

    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.net = build_model(ModelConfig(num_classes=CLASSES, embed_dim=D, lstm_hidden=6, dropout=0.0))
        for p in [*self.net.encoder.parameters(), *self.net.spatial.parameters()]:
            p.requires_grad_(False)  # not used on embeddings (DDP insists every trainable one is)

    def forward(self, emb: torch.Tensor, mask: torch.Tensor):
        return self.net.classify_embeddings(emb, mask)


def _data(n: int) -> torch.utils.data.TensorDataset:
    g = torch.Generator().manual_seed(1)
    mask = torch.ones(n, T, dtype=torch.bool)
    mask[::3, 3:] = False  # some short clips
    return torch.utils.data.TensorDataset(torch.randn(n, T, D, generator=g), mask, torch.arange(n) % CLASSES)


def _train(model: nn.Module, loader, accumulate: int, adam: bool = False) -> nn.Module:
    """SGD sees the gradient's scale; AdamW (scale-blind) with a clip that engages sees its direction."""
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=0.05) if adam else torch.optim.SGD(params, lr=0.5, momentum=0.9)
    grad_clip = 0.05 if adam else 0.0
    for _ in range(2):  # two epochs: Adam's moments carry the first epoch's steps into the second
        train_epoch(model, loader, optimizer, nn.CrossEntropyLoss(), torch.device("cpu"), Precision(None), None,
                    grad_clip, "test", False, accumulate)
    return model


def _assert_same_parameters(a: nn.Module, b: nn.Module, moved_from: nn.Module) -> None:
    for (name, p), q, p0 in zip(a.named_parameters(), b.parameters(), moved_from.parameters()):
        torch.testing.assert_close(p, q, rtol=0, atol=2e-6, msg=name)
    assert any(not torch.equal(p, p0) for p, p0 in zip(a.parameters(), moved_from.parameters()))


@pytest.mark.parametrize("adam", [False, True])
def test_micro_batches_make_the_same_steps_as_one_big_batch(adam: bool) -> None:
    data, start = _data(16), EmbeddingNet()
    big = _train(copy.deepcopy(start), torch.utils.data.DataLoader(data, batch_size=8), 1, adam)
    micro = _train(copy.deepcopy(start), torch.utils.data.DataLoader(data, batch_size=2), 4, adam)
    plain = _train(copy.deepcopy(start), torch.utils.data.DataLoader(data, batch_size=2), 1, adam)
    _assert_same_parameters(big, micro, start)
    assert max((p - q).abs().max() for p, q in zip(big.parameters(), plain.parameters())) > 1e-3  # 4x the steps


def test_a_short_last_group_is_one_smaller_batch() -> None:
    data, start = _data(12), EmbeddingNet()  # 3 micro-batches of 4, accumulate 2: groups of 8 and 4
    sized = torch.utils.data.DataLoader(data, batch_sampler=[list(range(8)), list(range(8, 12))])
    big = _train(copy.deepcopy(start), sized, 1)
    micro = _train(copy.deepcopy(start), torch.utils.data.DataLoader(data, batch_size=4), 2)
    _assert_same_parameters(big, micro, start)


def test_ddp_accumulates_without_syncing_every_micro_batch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import torch.distributed as dist

    dist.init_process_group("gloo", init_method=f"file://{tmp_path / 'store'}", rank=0, world_size=1)
    try:
        data, start = _data(16), EmbeddingNet()
        ddp = nn.parallel.DistributedDataParallel(copy.deepcopy(start))
        syncs = []
        original = ddp.no_sync
        monkeypatch.setattr(ddp, "no_sync", lambda: syncs.append(1) or original())
        _train(ddp, torch.utils.data.DataLoader(data, batch_size=2), 4)
        assert len(syncs) == 2 * 6  # per epoch: 8 micro-batches, 2 steps; 3 of every 4 skip the all-reduce
        big = _train(copy.deepcopy(start), torch.utils.data.DataLoader(data, batch_size=8), 1)
        _assert_same_parameters(big, ddp.module, start)
    finally:
        dist.destroy_process_group()
