"""CUDA graphs for the inference step: capture once per shape, replay with new data.

A small model at small batches (streaming: a few frames per encoder call, a few windows per head
call) spends much of its time launching kernels. A CUDA graph records the whole kernel sequence
of one call on fixed input buffers; a replay copies the new inputs into those buffers and
launches everything at once. `GraphedActionNet` does this for `encode_frames` (a batch of
frames, one per stream) and `classify_embeddings` (a batch of windows), with the same API as
`ActionNet`, so the streaming and batch engines use it unchanged:

- batches are padded up to the next power of two (frames with zeros, windows with a valid
  one-step row) and the padding's outputs dropped, so a varying number of streams costs at most
  log2 captures; window lengths (T, or fewer while a stream warms up) each get their own graph;
- each capture warms up on a side stream first (cuDNN autotuning, lazy initialisation);
- graphs are re-captured when the model's weights move to new tensors (a hot-swapped or
  reloaded model); in-place weight updates are read by the replay as they are;
- CPU and the export backends never get here: `use_cuda_graphs` leaves them as they are.
"""
from __future__ import annotations

import contextlib
import dataclasses
import itertools
import warnings
from collections import OrderedDict
from typing import Callable, NamedTuple

import torch
from torch import nn

from vision.checkpoint import Checkpoint
from vision.model.attention import lengths_from_mask
from vision.model.fuse import fuse_conv_bn
from vision.model.network import ActionNet, FrameEncoding, HeadOutput

Tensors = tuple[torch.Tensor, ...]


class _Captured(NamedTuple):
    graph: torch.cuda.CUDAGraph
    inputs: Tensors
    outputs: Tensors


class GraphCache:
    """`fn(*inputs) -> tuple of tensors`, captured as one CUDA graph per input signature (LRU)."""

    def __init__(self, fn: Callable[..., Tensors], max_graphs: int = 32, warmup: int = 3) -> None:
        self.fn, self.max_graphs, self.warmup = fn, max_graphs, warmup
        self._graphs: OrderedDict[tuple, _Captured] = OrderedDict()
        self.captures = 0
        self.failed: str | None = None  # why capturing failed; every later call then runs eagerly

    def clear(self) -> None:
        self._graphs.clear()

    def _capture(self, inputs: Tensors) -> _Captured:
        static = tuple(torch.empty_like(x).copy_(x) for x in inputs)  # same shapes, dtypes and layouts
        side = torch.cuda.Stream()
        side.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(side):
            for _ in range(self.warmup):
                self.fn(*static)
        torch.cuda.current_stream().wait_stream(side)
        graph = torch.cuda.CUDAGraph()
        with torch.cuda.graph(graph):
            outputs = self.fn(*static)
        self.captures += 1
        return _Captured(graph, static, outputs)

    def __call__(self, *inputs: torch.Tensor) -> Tensors:
        if self.failed is not None:
            return self.fn(*inputs)
        key = tuple((x.shape, x.dtype, x.stride()) for x in inputs)
        entry = self._graphs.get(key)
        if entry is None:
            try:
                entry = self._graphs[key] = self._capture(inputs)
            except RuntimeError as exc:  # an op that cannot be captured: stay correct, run eagerly
                self.failed = str(exc).splitlines()[0]
                warnings.warn(f"CUDA graph capture failed, running eagerly: {self.failed}", RuntimeWarning, stacklevel=2)
                torch.cuda.synchronize()
                return self.fn(*inputs)
            if len(self._graphs) > self.max_graphs:
                self._graphs.popitem(last=False)
        self._graphs.move_to_end(key)
        for static, x in zip(entry.inputs, inputs):
            static.copy_(x)
        entry.graph.replay()
        return tuple(out.clone() for out in entry.outputs)  # the next replay overwrites the static outputs


def bucket(n: int) -> int:
    """The padded batch size: the next power of two."""
    return 1 << max(0, n - 1).bit_length()


def _autocast(device: torch.device) -> contextlib.AbstractContextManager:
    """The engines' autocast, with its weight-cast cache off (a graph capture requires that)."""
    if device.type != "cuda":
        return contextlib.nullcontext()
    dtype = torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    return torch.autocast("cuda", dtype=dtype, cache_enabled=False)


class GraphedActionNet:
    """`ActionNet`'s inference API replaying CUDA graphs; other attributes come from the model.

    `capture=False` runs the same padded calls eagerly (what the CPU tests check).
    """

    def __init__(self, model: ActionNet, capture: bool = True) -> None:
        self.model = model.eval()
        self.config = model.config
        self.device = next(model.parameters()).device
        self._encode_graphs = GraphCache(self._encode) if capture else None
        self._head_graphs = GraphCache(self._head) if capture else None
        self._weights = self._fingerprint()

    def __getattr__(self, name: str):  # the video head, summarise_windows, ...: eager, from the model
        return getattr(self.__dict__["model"], name)

    def _fingerprint(self) -> tuple[int, ...]:
        return tuple(t.data_ptr() for t in itertools.chain(self.model.parameters(), self.model.buffers()))

    def _check_weights(self) -> None:
        weights = self._fingerprint()
        if weights != self._weights:  # tensors replaced: the graphs would read the old memory
            for cache in (self._encode_graphs, self._head_graphs):
                if cache is not None:
                    cache.clear()
            self._weights = weights

    @torch.no_grad()
    def _encode(self, frames: torch.Tensor) -> Tensors:
        with _autocast(self.device):
            out = self.model.encode_frames(frames)
        return out.embeddings, out.attention_maps

    @torch.no_grad()
    def _head(self, embeddings: torch.Tensor, mask: torch.Tensor) -> Tensors:
        with _autocast(self.device):
            out = self.model.head_from_lengths(embeddings, mask, mask.sum(dim=1))  # no host syncs inside
        return out.logits, out.temporal_weights

    def _run(self, cache: GraphCache | None, fn: Callable[..., Tensors], *inputs: torch.Tensor) -> Tensors:
        if cache is None:
            return fn(*inputs)
        self._check_weights()
        return cache(*inputs)

    def encode_frames(self, frames: torch.Tensor) -> FrameEncoding:
        """Frames (..., 3, H, W) -> embeddings (..., D), attention maps (..., h, w)."""
        lead = frames.shape[:-3]
        flat = frames.reshape(-1, *frames.shape[-3:])  # (n, 3, H, W)
        n = flat.shape[0]
        padded = torch.cat([flat, flat.new_zeros(bucket(n) - n, *flat.shape[1:])]) if bucket(n) > n else flat
        if padded.device.type == "cuda":
            padded = padded.contiguous(memory_format=torch.channels_last)
        emb, maps = self._run(self._encode_graphs, self._encode, padded)
        return FrameEncoding(emb[:n].reshape(*lead, -1), maps[:n].reshape(*lead, *maps.shape[-2:]))

    def classify_embeddings(self, embeddings: torch.Tensor, mask: torch.Tensor | None = None) -> HeadOutput:
        """Embeddings (B, T, D) with a valid-prefix mask (B, T) -> logits (B, C), weights (B, T)."""
        b, t, d = embeddings.shape
        mask = torch.ones(b, t, dtype=torch.bool, device=embeddings.device) if mask is None else mask.bool()
        lengths_from_mask(mask)  # the same checks as the eager model
        extra = bucket(b) - b
        if extra:
            embeddings = torch.cat([embeddings, embeddings.new_zeros(extra, t, d)])
            mask = torch.cat([mask, mask.new_ones(extra, t)])
        logits, weights = self._run(self._head_graphs, self._head, embeddings, mask)
        return HeadOutput(logits[:b], weights[:b])


def use_cuda_graphs(ckpt: Checkpoint) -> Checkpoint:
    """The checkpoint with its model replaying CUDA graphs; unchanged off CUDA, on an export
    backend, or for a pose model (its frames are landmark features, tracked per stream)."""
    model = ckpt.model
    if not isinstance(model, nn.Module) or next(model.parameters()).device.type != "cuda":
        return ckpt
    if ckpt.model_config.input == "pose":
        return ckpt
    return dataclasses.replace(ckpt, model=GraphedActionNet(fuse_conv_bn(model)))
