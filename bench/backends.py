"""Backends side by side: torch vs onnxruntime vs int8, on the 2-core CPU, in one run.

Per-frame encoder latency (one 112 px frame, as streaming runs it), clip throughput (batches of
8 clips x 16 frames through encoder + head, as batch mode runs it), and top-1 on an in-memory
synthetic test set (20 clips per action, a seed the model never saw) for the accuracy change
of int8. Exports are written to a temporary directory first.

    python bench/backends.py [--weights weights/default]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from vision.checkpoint import load_checkpoint  # noqa: E402
from vision.cli.classify import DEFAULT_WEIGHTS  # noqa: E402
from vision.data.transforms import preprocess_frames  # noqa: E402
from vision.export.exporter import export_checkpoint  # noqa: E402
from vision.export.runtime import backend_for, load_export  # noqa: E402
from vision.model.fuse import fuse_conv_bn  # noqa: E402
from vision.video.synth import ACTIONS, ClipSpec, random_appearance, render_clip  # noqa: E402


def best_of(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def synthetic_set(clip_config, per_class: int) -> tuple[torch.Tensor, np.ndarray]:
    clips, labels = [], []
    for k, action in enumerate(ACTIONS):
        for j in range(per_class):
            rng = np.random.default_rng([4242, k, j])
            frames = render_clip(action, random_appearance(rng, action in ("Wave", "Jump")), rng, ClipSpec(224, 168, 10.0, 16))
            clips.append(preprocess_frames(np.stack(frames), clip_config))
            labels.append(k)
    return torch.stack(clips), np.array(labels)


@torch.no_grad()
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weights", default=str(DEFAULT_WEIGHTS))
    parser.add_argument("--per-class", type=int, default=20)
    args = parser.parse_args()
    torch.set_num_threads(2)
    ckpt = load_checkpoint(args.weights)
    tmp = Path(tempfile.mkdtemp())
    models = {"torch fp32": fuse_conv_bn(ckpt.model)}
    for name, fmt, q in (("onnxruntime fp32", "onnx", False), ("onnxruntime int8", "onnx", True),
                         ("torchscript int8", "torchscript", True)):
        export = export_checkpoint(args.weights, tmp / name.replace(" ", "-"), fmt, q)
        models[name] = load_export(export, backend_for(export)).model
    size = ckpt.clip_config.frame_size
    frame = torch.randn(1, 3, size, size)
    clips = torch.randn(8, 16, 3, size, size)
    data, truth = synthetic_set(ckpt.clip_config, args.per_class)

    def run_clips(model, x):
        emb = model.encode_frames(x).embeddings
        return model.classify_embeddings(emb).logits

    rows = []
    for name, model in models.items():
        for _ in range(3):
            model.encode_frames(frame)  # warm-up
        per_frame = best_of(lambda: [model.encode_frames(frame) for _ in range(50)], 3) / 50 * 1000
        per_batch = best_of(lambda: run_clips(model, clips), 3)
        preds = np.concatenate([run_clips(model, data[i : i + 16]).argmax(1).numpy() for i in range(0, len(data), 16)])
        rows.append((name, per_frame, 8 / per_batch, (preds == truth).mean()))
    base_frame, base_clips = rows[0][1], rows[0][2]
    print(f"{ckpt.model_config.backbone} {size}px T=16, {torch.get_num_threads()} threads, "
          f"{len(truth)} synthetic test clips")
    print(f"{'backend':<18} {'ms/frame':>9} {'vs torch':>9} {'clips/s':>8} {'vs torch':>9} {'top-1':>7}")
    for name, ms, cps, acc in rows:
        print(f"{name:<18} {ms:9.2f} {base_frame / ms:8.2f}x {cps:8.1f} {cps / base_clips:8.2f}x {acc:7.1%}")


if __name__ == "__main__":
    main()
