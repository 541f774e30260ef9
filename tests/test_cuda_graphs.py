"""CUDA graphs for inference: padded buckets give the eager results (CPU), replays equal eager (CUDA)."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from vision.checkpoint import load_checkpoint
from vision.cli.classify import SHAPES_WEIGHTS
from vision.config import ModelConfig
from vision.engine.graphs import GraphedActionNet, bucket, use_cuda_graphs
from vision.engine.stream import StreamingClassifier
from vision.model import build_model

cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="CUDA graphs need a CUDA device")


def test_bucket_is_the_next_power_of_two() -> None:
    assert [bucket(n) for n in (1, 2, 3, 5, 8, 9, 64, 65)] == [1, 2, 4, 8, 8, 16, 64, 128]


def test_padded_buckets_give_the_eager_results_on_cpu() -> None:
    torch.manual_seed(0)
    model = build_model(ModelConfig(num_classes=3, embed_dim=16, lstm_hidden=8, pooling="multihead")).eval()
    padded = GraphedActionNet(model, capture=False)
    frames = torch.randn(3, 2, 3, 48, 48)  # 6 frames -> a bucket of 8
    emb = torch.randn(5, 4, 16)  # 5 windows -> a bucket of 8
    mask = torch.ones(5, 4, dtype=torch.bool)
    mask[1, 2:] = False
    with torch.no_grad():
        ours, eager = padded.encode_frames(frames), model.encode_frames(frames)
        torch.testing.assert_close(ours.embeddings, eager.embeddings, rtol=0, atol=1e-5)
        torch.testing.assert_close(ours.attention_maps, eager.attention_maps, rtol=0, atol=1e-6)
        head, ref = padded.classify_embeddings(emb, mask), model.classify_embeddings(emb, mask)
    torch.testing.assert_close(head.logits, ref.logits, rtol=0, atol=1e-5)
    torch.testing.assert_close(head.temporal_weights, ref.temporal_weights, rtol=0, atol=1e-6)
    with pytest.raises(ValueError, match="prefix"):
        padded.classify_embeddings(emb, torch.tensor([[True, False, True, True]] * 5))
    assert use_cuda_graphs(load_checkpoint(SHAPES_WEIGHTS)).model.__class__.__name__ == "ActionNet"  # CPU: as is


@cuda
def test_graph_replays_equal_the_eager_model_and_recapture_on_new_weights() -> None:
    ckpt = load_checkpoint(SHAPES_WEIGHTS, "cuda", fuse=True)
    graphed = use_cuda_graphs(ckpt).model
    assert isinstance(graphed, GraphedActionNet)
    frames = torch.randn(5, 3, 112, 112, device="cuda").contiguous(memory_format=torch.channels_last)
    with torch.no_grad(), torch.autocast("cuda", dtype=torch.bfloat16):
        for n in (5, 3, 5, 1):  # buckets 8, 4, 8 (a replay), 1
            ours, eager = graphed.encode_frames(frames[:n]), ckpt.model.encode_frames(frames[:n])
            torch.testing.assert_close(ours.embeddings.float(), eager.embeddings.float(), rtol=0, atol=2e-2)
        assert graphed._encode_graphs.captures == 3
        emb = torch.randn(3, 16, 128, device="cuda")
        head, ref = graphed.classify_embeddings(emb), ckpt.model.classify_embeddings(emb)
        torch.testing.assert_close(head.logits.float(), ref.logits.float(), rtol=0, atol=5e-2)
        graphed.model.head[1].weight = torch.nn.Parameter(graphed.model.head[1].weight * 2)  # new tensor: re-capture
        doubled = graphed.classify_embeddings(emb)
        assert graphed._head_graphs.captures == 2
        torch.testing.assert_close(doubled.logits.float(), graphed.model.classify_embeddings(emb).logits.float(), rtol=0, atol=5e-2)


@cuda
def test_streaming_with_graphs_predicts_what_eager_streaming_does() -> None:
    ckpt = load_checkpoint(SHAPES_WEIGHTS, "cuda", fuse=True)
    rng = np.random.default_rng(0)
    frames = [rng.integers(0, 255, (120, 160, 3), dtype=np.uint8) for _ in range(24)]
    eager, graphed = StreamingClassifier(ckpt, ema=0.0, sample_fps=None), StreamingClassifier(use_cuda_graphs(ckpt), ema=0.0, sample_fps=None)
    for i, frame in enumerate(frames):
        a = eager.push_many([(s, frame, i / 10) for s in range(3)])
        b = graphed.push_many([(s, frame, i / 10) for s in range(3)])
        assert a.keys() == b.keys()
        for s in a:
            np.testing.assert_allclose(a[s].all_probs, b[s].all_probs, atol=1e-2)
