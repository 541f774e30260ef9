"""`train(config)`: the training run behind `vision-train` (single process or DDP).

Every epoch writes `last/` (checkpoint + training state, atomically) and, on a new best val
top-1, `best/` with `report.txt` and `confusion_matrix.png`. `--resume` reloads `last/` and
continues with the same epoch count and schedule; a killed run loses at most the epoch in flight.
"""
from __future__ import annotations

import dataclasses
import json
import math
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import torch
from torch import nn
from tqdm import tqdm

from vision.atomic import atomic_dir, atomic_file
from vision.checkpoint import CheckpointInfo, load_state_strict, read_checkpoint_info, save_checkpoint, write_checkpoint_files
from vision.config import from_dict
from vision.data.cache import DecodeParams, FrameCache, default_cache_dir
from vision.data.clips import ClipDataset, FeatureClipDataset, Repeated
from vision.data.posedata import LandmarkCache, PoseAugment, PoseClipDataset
from vision.data.transforms import TrainAugment
from vision.data.ucf import VideoItem, index_dataset
from vision.device import resolve_device
from vision.errors import CheckpointError, ConfigError
from vision.model import ActionNet, build_model
from vision.model.network import FeatureHead
from vision.model.sequence import set_tbptt
from vision.train import distributed as D
from vision.train.config import TrainConfig
from vision.train.data import (build_feature_cache, check_classes, class_weights, drop_unreadable, holdout_split,
                               load_init_weights, warn)
from vision.train.freeze import freeze_backbone, parameter_groups
from vision.train.loops import Precision, predict, train_epoch
from vision.train.metrics import Evaluation, MetricsLog, classification_report, evaluate_probs, plot_confusion, reduce_evaluation
from vision.train.probe import has_test_list, probe_people, profile_dataset
from vision.train.recipe import Recipe, choose_recipe, wants_people
from vision.train.schedule import make_scheduler, restretch, step_scheduler
from vision.train.state import read_state, rng_state, set_rng_state, write_state
from vision.train.verdict import final_verdict
from vision.train.video import SummaryDataset, SummaryNet, freeze_window_model, video_summaries

CONFIG_NAME = "train_config.json"
Log = Callable[[str], None]


@dataclass
class RunResult:
    """What a finished (or early-stopped) run reached."""

    run_dir: Path
    epochs: int
    best_epoch: int
    best_top1: float


def load_run_config(run_dir: str | Path) -> TrainConfig:
    """The `TrainConfig` of an existing run; `CheckpointError` when `run_dir` is not a run."""
    path = Path(run_dir) / CONFIG_NAME
    if not path.is_file():
        raise CheckpointError(f"{run_dir}: not a training run (no {CONFIG_NAME})")
    try:
        data = json.loads(path.read_text())
        if isinstance(data, dict) and "auto" not in data and data.get("flip") is False:
            data["flip"] = None  # written before flip became optional: False meant what None means now
        return from_dict(TrainConfig, data)
    except (json.JSONDecodeError, ValueError) as exc:
        raise CheckpointError(f"{path}: unreadable run config ({exc})") from None


class Trainer:
    """Holds one run's data, model and optimisation state; `fit()` runs the epochs."""

    def __init__(self, config: TrainConfig, run_dir: Path, resume: bool, log: Log, show_progress: bool,
                 recipe: dict | None = None) -> None:
        self.config, self.run_dir, self.log, self.show = config, run_dir, log, show_progress
        self.recipe = recipe  # the adaptive recipe (`Recipe.as_dict`), stored in every checkpoint
        device = resolve_device(config.device)
        self.dist = D.init_distributed(device)
        self.device = D.rank_device(device, self.dist)
        self.show = show_progress and self.dist.is_main
        torch.manual_seed(config.seed + self.dist.rank)
        np.random.seed(config.seed + self.dist.rank)

        self.index = index_dataset(config.data_dir, config.split, config.val_fraction, config.seed)
        self.test_items: list[VideoItem] = []  # a test list kept out of training and validation
        if config.holdout > 0 and has_test_list(self.index, config.split):
            train_part, held = holdout_split(self.index.train, config.holdout, config.seed)
            self.test_items = self.index.test
            self.index = dataclasses.replace(self.index, train=train_part, test=held)
        self.labels = self.index.classes
        init = read_checkpoint_info(config.init) if config.init is not None else None
        if init is not None and init.labels != self.labels:
            raise CheckpointError(f"{config.init}: its classes differ from the dataset's "
                                  f"({len(init.labels)} vs {len(self.labels)})")
        if config.video_head and init.model_config.input != "rgb":
            raise ConfigError(f"{config.init}: --video-head builds on RGB window models only (this one is {init.model_config.input})")
        # A video head reads its window model's windows: that model's clip sampling, too.
        self.clip = init.clip_config if config.video_head else config.clip_config()
        cache_root = (config.cache_dir or default_cache_dir()) if config.cache else None
        if config.input == "pose":  # landmark files as they are; videos tracked once, cached
            cache = LandmarkCache(None if cache_root is None else Path(cache_root).parent / "pose")
        else:
            cache = FrameCache(cache_root, DecodeParams.for_clip(self.clip))
        train_items, val_items = drop_unreadable(self.index, cache, config, self.dist)
        check_classes(self.index, train_items, val_items)

        self.model: ActionNet = self._build_model(init).to(self.device)
        set_tbptt(self.model, config.tbptt)
        val_items = val_items[self.dist.rank :: self.dist.world_size]
        self._build_data(cache, cache_root, train_items, val_items)
        self.net: nn.Module = self.eval_net
        if self.dist.enabled:
            ids = [self.device.index] if self.device.type == "cuda" else None
            self.net = nn.parallel.DistributedDataParallel(self.eval_net, device_ids=ids)
        # The lower backbone lr protects pretrained features; from scratch, the CNN learns at --lr.
        scale = config.backbone_lr_scale if config.pretrained else 1.0
        groups = parameter_groups(self.model, config.lr, scale)
        self.optimizer = torch.optim.AdamW(groups, lr=config.lr, weight_decay=config.weight_decay)
        self.scheduler = make_scheduler(config, self.optimizer)
        self.precision = Precision.choose(config.amp, self.device)
        self.scaler = torch.amp.GradScaler("cuda") if self.precision.needs_scaler else None
        weights = class_weights(train_items, len(self.labels), self.device) if config.class_weights else None
        self.loss_fn = nn.CrossEntropyLoss(weight=weights, label_smoothing=config.label_smoothing)

        self.epoch, self.best_top1, self.best_loss, self.best_epoch, self.stale = 0, -1.0, math.inf, 0, 0
        self.early_stopped = False
        if resume:
            self._resume()
        if self.dist.is_main:  # on resume too: `--epochs` may have extended the run
            run_dir.mkdir(parents=True, exist_ok=True)
            with atomic_file(run_dir / CONFIG_NAME) as tmp:
                tmp.write_text(json.dumps(asdict(config), indent=2) + "\n")
        self.metrics = MetricsLog(run_dir, self.epoch) if self.dist.is_main else None

    def _build_model(self, init: CheckpointInfo | None) -> ActionNet:
        """The model to train: from the config, or (video head) `--init`'s window model plus a new head."""
        config = self.config
        if config.video_head:
            model = build_model(dataclasses.replace(init.model_config, video_head=True, video_hidden=config.video_hidden))
        else:
            model = build_model(config.model_config(len(self.labels)), config.pretrained)
        if init is not None:
            load_init_weights(model, init.path)
        if config.video_head:
            freeze_window_model(model)
        elif config.frozen:
            freeze_backbone(model.encoder, config.unfreeze_last)
        # NHWC convolutions: faster on CUDA and, measured, 1.6-2.3x faster training on CPU too.
        return model.to(memory_format=torch.channels_last)

    def _build_data(self, cache: FrameCache, cache_root: Path | None, train_items: list[VideoItem], val_items: list[VideoItem]) -> None:
        """Datasets and the module the loop calls: clips, cached feature maps, or video summaries."""
        config = self.config
        if config.video_head:  # the frozen window model summarises every video once
            bar = tqdm(total=len(train_items) + len(val_items), desc="summarising videos", unit="video",
                       leave=False, disable=not self.show)
            summaries = video_summaries(self.model, cache, self.clip, train_items + val_items, lambda: bar.update(1))
            bar.close()
            self.train_set = SummaryDataset(train_items, summaries[: len(train_items)])
            self.val_set = SummaryDataset(val_items, summaries[len(train_items) :])
            self.eval_net: nn.Module = SummaryNet(self.model)
        elif config.feature_cache:  # every epoch after the first pass runs the head only
            features = build_feature_cache(self.model.encoder, config.backbone, cache, cache_root, train_items + val_items,
                                           self.clip, self.device, self.dist, self.show)
            self.train_set = FeatureClipDataset(train_items, self.clip, features, "random", config.speed_jitter)
            self.val_set = FeatureClipDataset(val_items, self.clip, features, "center")
            self.eval_net = FeatureHead(self.model)
        elif config.input == "pose":
            augment = PoseAugment(mirror=config.flip is not False, jitter=config.pose_jitter) \
                if config.augment is not False else None
            self.train_set = PoseClipDataset(train_items, self.clip, cache, "random", augment, config.seed)
            self.val_set = PoseClipDataset(val_items, self.clip, cache, "center")
            self.eval_net = self.model
        else:
            augment = None if config.augment is False else TrainAugment(
                self.clip, flip=bool(config.flip), scale=(config.crop_scale, 1.0), color_jitter=config.color_jitter)
            self.train_set = ClipDataset(train_items, self.clip, cache, "random", augment, config.input,
                                         config.speed_jitter)
            self.val_set = ClipDataset(val_items, self.clip, cache, "center", input=config.input)
            self.eval_net = self.model
        self.train_items = train_items
        if config.clips_per_video > 1 and not config.video_head:
            self.train_set = Repeated(self.train_set, config.clips_per_video)

    def _resume(self) -> None:
        last = self.run_dir / "last"
        info = read_checkpoint_info(last)
        self.recipe = self.recipe or info.extra.get("recipe")  # a resumed run keeps storing its recipe
        if info.labels != self.labels:
            raise CheckpointError(f"{last}: classes differ from the dataset's ({len(info.labels)} vs {len(self.labels)})")
        from safetensors.torch import load_file

        load_state_strict(self.model, load_file(str(last / "model.safetensors")), last)
        state = read_state(last)
        try:
            self.optimizer.load_state_dict(state["optimizer"])
        except ValueError as exc:  # e.g. parameter groups laid out by another version of the trainer
            raise CheckpointError(f"{last}: optimizer state does not fit this model/trainer ({exc}); "
                                  "start a new run from its best/ checkpoint's weights instead") from None
        if self.scheduler is not None and state.get("scheduler") is not None:
            self.scheduler.load_state_dict(state["scheduler"])
        restretch(self.scheduler, self.optimizer, state["epoch"])
        if self.scaler is not None and state.get("scaler"):
            self.scaler.load_state_dict(state["scaler"])
        self.epoch, self.best_epoch, self.stale = state["epoch"], state["best_epoch"], state["stale"]
        self.best_top1, self.best_loss, self.early_stopped = state["best_top1"], state["best_loss"], state["early_stopped"]
        if state.get("world_size", 1) == self.dist.world_size:
            set_rng_state(state["rng"])

    def _loader(self, dataset: torch.utils.data.Dataset, shuffle: bool) -> torch.utils.data.DataLoader:
        sampler = None
        generator = torch.Generator().manual_seed(self.config.seed * 1000 + self.epoch)  # same order on resume
        if shuffle and self.dist.enabled:
            sampler = torch.utils.data.DistributedSampler(dataset, shuffle=True, seed=self.config.seed)
            sampler.set_epoch(self.epoch)
        return torch.utils.data.DataLoader(
            dataset,
            batch_size=self.config.batch_size,
            shuffle=shuffle and sampler is None,
            sampler=sampler,
            generator=generator,
            num_workers=self.config.workers,
            pin_memory=self.device.type == "cuda",
            drop_last=shuffle and len(dataset) > self.config.batch_size,
            persistent_workers=False,
            collate_fn=getattr(dataset, "collate", None),
        )

    def _lr(self) -> float:
        return self.optimizer.param_groups[0]["lr"]

    def fit(self) -> RunResult:
        """Train until `epochs`, or early stopping; returns the best epoch's figures."""
        if self.early_stopped or self.epoch >= self.config.epochs:
            why = "stopped early" if self.early_stopped else "finished"
            self.log(f"{self.run_dir}: run already {why} at epoch {self.epoch}; nothing to do")
        while not self.early_stopped and self.epoch < self.config.epochs:
            self._one_epoch()
        if self.metrics is not None:
            self.metrics.close()
        if self.dist.is_main and self.best_epoch and not self.config.video_head:
            self._verdict()
        D.cleanup(self.dist)
        return RunResult(self.run_dir, self.epoch, self.best_epoch, self.best_top1)

    def _one_epoch(self) -> None:
        start = time.perf_counter()
        number = self.epoch + 1
        desc = f"epoch {number}/{self.config.epochs}"
        if self.device.type == "cuda":
            torch.cuda.reset_peak_memory_stats(self.device)
        stats = train_epoch(
            self.net, self._loader(self.train_set, True), self.optimizer, self.loss_fn, self.device,
            self.precision, self.scaler, self.config.grad_clip, desc, self.show, self.config.accumulate,
        )
        clips_per_s = stats.clips * self.dist.world_size / (time.perf_counter() - start)  # training only
        gpu_mb = torch.cuda.max_memory_allocated(self.device) / 2**20 if self.device.type == "cuda" else None
        probs, labels = predict(self.eval_net, self._loader(self.val_set, False), self.device, self.precision, "validating", self.show)
        ev = reduce_evaluation(evaluate_probs(probs, labels, len(self.labels)), self.dist, self.device)
        lr = self._lr()
        step_scheduler(self.scheduler, ev.top1)
        improved = ev.top1 > self.best_top1 or (ev.top1 == self.best_top1 and ev.loss < self.best_loss)
        if improved:
            self.best_top1, self.best_loss, self.best_epoch, self.stale = ev.top1, ev.loss, number, 0
        else:
            self.stale += 1
        self.epoch = number
        stop = D.broadcast_flag(self.stale >= self.config.early_stop, self.dist)
        self.early_stopped = stop and number < self.config.epochs
        seconds = time.perf_counter() - start
        if self.dist.is_main:
            self._save(ev, improved)
            row = dict(epoch=number, train_loss=stats.loss, train_acc=stats.accuracy, val_loss=ev.loss,
                       val_top1=ev.top1, val_top5=ev.top5, lr=lr, epoch_seconds=seconds,
                       train_clips_per_s=clips_per_s, gpu_peak_mb=gpu_mb)
            self.metrics.append(row)  # after last/: a metrics row always has its checkpoint
            self.log(
                f"epoch {number:3d}/{self.config.epochs}  train loss {stats.loss:.3f} acc {stats.accuracy:6.1%}  "
                f"val loss {ev.loss:.3f} top1 {ev.top1:6.1%} top5 {ev.top5:6.1%}  lr {lr:.2e}  {seconds:5.1f}s  "
                f"{clips_per_s:.1f} clips/s" + (f"  GPU peak {gpu_mb:.0f} MB" if gpu_mb is not None else "")
                + ("  *best" if improved else "")
            )
            if stop:
                self.log(f"early stop: no val top-1 gain for {self.stale} epochs (best {self.best_top1:.1%} at epoch {self.best_epoch})")
        D.barrier(self.dist)

    def _verdict(self) -> None:
        """The best checkpoint on clean training clips, held-out clips and the test list; honest warnings."""
        verdict = final_verdict(self.model, self.run_dir / "best", self.eval_net, self._eval_set,
                                (self.train_items, self.val_set.items, self.test_items), self.labels,
                                lambda d: self._loader(d, False), self.device, self.precision)
        self.log(verdict.summary(self.best_epoch))
        for line in verdict.warnings(self.config, self.best_epoch, self.epoch, self.early_stopped):
            warn(line)

    def _eval_set(self, items: list[VideoItem]) -> torch.utils.data.Dataset:
        """A validation-style dataset (centre clip, no augmentation) of any items."""
        val = self.val_set
        if isinstance(val, FeatureClipDataset):
            return FeatureClipDataset(items, self.clip, val.features, "center")
        if isinstance(val, PoseClipDataset):
            return PoseClipDataset(items, self.clip, val.cache, "center")
        return ClipDataset(items, self.clip, val.cache, "center", input=self.config.input)

    def _save(self, ev: Evaluation, improved: bool) -> None:
        extra = {"epoch": self.epoch, "val_top1": ev.top1, "val_top5": ev.top5, "dataset": str(self.index.root)}
        if self.recipe is not None:
            extra["recipe"] = self.recipe
        if improved:
            save_checkpoint(self.run_dir / "best", self.model, self.clip, self.labels, extra=extra)
            with atomic_file(self.run_dir / "report.txt") as tmp:
                tmp.write_text(f"best epoch {self.epoch}, validation split\n\n" + classification_report(ev.confusion, self.labels))
            with atomic_file(self.run_dir / "confusion_matrix.png") as tmp:
                plot_confusion(ev.confusion, self.labels, tmp, f"validation, epoch {self.epoch}: top-1 {ev.top1:.1%}")
        state = {
            "epoch": self.epoch, "best_epoch": self.best_epoch, "best_top1": self.best_top1,
            "best_loss": self.best_loss, "stale": self.stale, "early_stopped": self.early_stopped,
            "optimizer": self.optimizer.state_dict(),
            "scheduler": self.scheduler.state_dict() if self.scheduler is not None else None,
            "scaler": self.scaler.state_dict() if self.scaler is not None else None,
            "rng": rng_state(), "world_size": self.dist.world_size,
        }
        with atomic_dir(self.run_dir / "last") as tmp:
            write_checkpoint_files(tmp, self.model, self.clip, self.labels, extra=extra)
            write_state(tmp, state)


def _print(line: str) -> None:
    print(line, flush=True)


def train(config: TrainConfig, *, resume: bool = False, log: Log = _print, show_progress: bool = True) -> RunResult:
    """Run (or resume) training as configured; see the module docstring for the run layout.

    With `config.auto` (vision-train's default) a new run first chooses the options the user did
    not set from the data (`vision.train.recipe`) and prints the recipe.
    """
    recipe = None
    if config.auto and not resume:
        config, chosen = adapt_to_data(config)
        log(chosen.block())
        recipe = chosen.as_dict()
    return Trainer(config, Path(config.out), resume, log, show_progress, recipe).fit()


def adapt_to_data(config: TrainConfig) -> tuple[TrainConfig, Recipe]:
    """Profile the dataset and choose the recipe (`vision.train.recipe`)."""
    index = index_dataset(config.data_dir, config.split, config.val_fraction, config.seed)
    profile = profile_dataset(index, config.split)
    if wants_people(config, profile):  # only where the answer can change the input
        device = "cuda" if resolve_device(config.device).type == "cuda" else "cpu"
        profile = dataclasses.replace(profile, person=probe_people(index.train, device=device))
    return choose_recipe(config, profile)
