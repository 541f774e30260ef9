"""Few-shot training (`vision-train DATA --out RUN --few-shot`): a frozen encoder, a small head,
an "unknown" answer, in seconds.

    result = train_few_shot(FewShotConfig("my_actions", "runs/mine"))
    result.checkpoint          # runs/mine/best: an ordinary checkpoint every engine loads

1. Encoder: a pose checkpoint when a person is found in most clips, else an RGB one
   (`input` overrides; `encoder` names a checkpoint). It stays frozen.
2. Every clip is embedded once, in several versions and temporal crops (`fewshot_embed`).
3. Heads (`fewshot_heads`) are compared on held-out folds of whole clips and the best one is
   trained on every clip (`fewshot_select`).
4. "Unknown": a radius around the class prototypes, calibrated on held-out clips of known
   classes against clips of a class the model was trained without; written into the
   checkpoint's `extra` (`vision.engine.posefront.Rejection` applies it).

`progress` receives `Progress` events (stage, share done, loss, held-out accuracy); `cancelled`
is polled between clips and optimisation steps, and cancelling leaves `out` untouched.
"""
from __future__ import annotations

import contextlib
import json
import time
from dataclasses import asdict
from pathlib import Path
from typing import Callable, Iterator

import numpy as np
import torch

from vision.atomic import atomic_file
from vision.checkpoint import load_checkpoint, read_checkpoint_info, save_checkpoint
from vision.data.ucf import VideoItem, _class_folders, _videos, group_of, index_dataset
from vision.errors import CheckpointError, ConfigError, DatasetError
from vision.train.fewshot_card import model_card
from vision.train.fewshot_embed import (
    MIN_PERSON,
    TRACK_RATE,
    ClipEmbedding,
    EmbedOptions,
    FrozenEncoder,
    SampledLandmarkCache,
    TrainingCancelled,
    embed_all,
    probe_person,
)
from vision.train.fewshot_heads import fit_head, predict
from vision.train.fewshot_select import (
    Geometry,
    HeadScore,
    Threshold,
    add_summaries,
    best_threshold,
    choose_head,
    cross_validate,
    make_folds,
    outside_class_scores,
    stack,
)
from vision.train.fewshot_types import FewShotConfig, FewShotResult, Progress

WEIGHTS_DIR = Path(__file__).resolve().parents[2] / "weights"
SUMMARY_FILE = "fewshot.json"

__all__ = ["FewShotConfig", "FewShotResult", "Progress", "TrainingCancelled", "train_few_shot", "default_encoder"]


def default_encoder(input: str) -> Path | None:
    """The shipped checkpoint for `input`: weights/default when it is one, else another folder
    of weights/ (e.g. weights/shapes) holding a checkpoint of that input."""
    candidates = [WEIGHTS_DIR / "default"] + sorted(p for p in WEIGHTS_DIR.glob("*") if p.name != "default")
    for path in candidates:
        try:
            if read_checkpoint_info(path).model_config.input == input:
                return path
        except CheckpointError:
            continue
    return None


def _index(config: FewShotConfig) -> tuple[list[str], list[VideoItem], list[VideoItem]]:
    """Classes, training clips and (split-file datasets) test clips."""
    root = Path(config.data_dir)
    if (root / "classInd.txt").is_file() and config.classes is None:
        index = index_dataset(root, 1, seed=config.seed)
        if index.mode == "split-files" and (root / "testlist01.txt").is_file():
            return index.classes, index.train, index.test
        return index.classes, index.train + index.test, []
    classes = list(config.classes) if config.classes is not None else _class_folders(root)
    items = []
    for label, name in enumerate(classes):
        folder = root / name
        videos = _videos(folder) if folder.is_dir() else []
        if not videos:
            raise DatasetError(f"{folder}: class '{name}' has no clips")
        items += [VideoItem(v, label, group_of(v)) for v in videos]
    if len(classes) < 2:
        raise DatasetError(f"{root}: need at least 2 classes, found {len(classes)}")
    return classes, items, []


class _Run:
    """One few-shot run: the steps of `train_few_shot` with their shared state."""

    def __init__(self, config: FewShotConfig, progress: Callable[[Progress], None] | None,
                 cancelled: Callable[[], bool] | None, log: Callable[[str], None]) -> None:
        self.config, self.log = config, log
        self._progress = progress or (lambda p: None)
        self.cancelled = cancelled or (lambda: False)
        self.warnings: list[str] = []
        self.skipped: list[tuple[str, str]] = []  # (path, reason) of clips left out
        self.cache_root = Path(config.cache_dir) if config.cache_dir else _default_cache_root()

    def emit(self, stage: str, done: float, message: str = "", loss: float | None = None,
             accuracy: float | None = None) -> None:
        self._progress(Progress(stage, min(1.0, done), message, loss, accuracy))

    def warn(self, message: str) -> None:
        self.warnings.append(message)
        self.log(f"warning: {message}")

    def check(self) -> None:
        if self.cancelled():
            raise TrainingCancelled()

    # -- 1. encoder ------------------------------------------------------------------------------
    def choose_encoder(self, items: list[VideoItem]) -> Path:
        c = self.config
        if c.encoder is not None:
            info = read_checkpoint_info(c.encoder)
            if c.input is not None and info.model_config.input != c.input:
                raise ConfigError(f"--input {c.input} but {c.encoder} is a {info.model_config.input} checkpoint")
            return Path(c.encoder)
        if c.input is not None:
            path = default_encoder(c.input)
            if path is None:
                raise CheckpointError(f"no {c.input} encoder checkpoint under {WEIGHTS_DIR}; pass --encoder DIR")
            return path
        pose, rgb = default_encoder("pose"), default_encoder("rgb")
        if pose is None or rgb is None:
            if pose is None and rgb is None:
                raise CheckpointError(f"no encoder checkpoint under {WEIGHTS_DIR}; pass --encoder DIR")
            return pose or rgb
        fps = read_checkpoint_info(pose).clip_config.fps
        cache = SampledLandmarkCache(self.cache_root / "pose", None if fps is None else fps * TRACK_RATE, c.device)
        self.emit("looking for people", 0.0, "tracking clips")
        is_pose, yes, seen = probe_person(cache, items, self.cancelled,
                                          lambda i: self.emit("looking for people", 0.2 * i / len(items)))
        self.log(f"a person in {yes} of {seen} clips looked at: {'pose' if is_pose else 'rgb'} encoder")
        return pose if is_pose else rgb

    # -- 2. embeddings ---------------------------------------------------------------------------
    def embed(self, encoder: FrozenEncoder, classes: list[str], items: list[VideoItem]) -> list[ClipEmbedding]:
        total = len(items)
        clips, bad = embed_all(encoder, items, lambda i: self.emit("embedding", 0.2 + 0.3 * i / total,
                                                                   f"clip {i}/{total}"), self.cancelled)
        self.skipped = [(str(p), reason) for p, reason in bad]
        for path, reason in bad:
            self.warn(f"skipped {reason}")
        if len(bad) > self.config.max_bad_fraction * total:
            raise DatasetError(f"{self.config.data_dir}: {len(bad)} of {total} clips are unreadable; first: {bad[0][1]}")
        counts = np.bincount([c.item.label for c in clips], minlength=len(classes))
        empty = [classes[i] for i in np.flatnonzero(counts == 0)]
        if empty:
            raise DatasetError(f"{self.config.data_dir}: no usable clips for class(es) {', '.join(empty)}")
        for name in [classes[i] for i in np.flatnonzero(counts == 1)]:
            self.warn(f"class '{name}' has one clip: it is never held out, so its accuracy is not measured; "
                      "record at least two")
        t = encoder.clip.num_frames
        for clip in clips:
            if clip.person is not None and clip.person < MIN_PERSON:
                self.warn(f"{clip.item.path}: a person in only {clip.person:.0%} of its frames")
            if clip.frames < t:
                self.log(f"note: {clip.item.path.name} is shorter than the model's window ({clip.frames} of {t} "
                         "frames): trained on what it has, the rest masked")
        return clips

    # -- 3. heads --------------------------------------------------------------------------------
    def select(self, encoder: FrozenEncoder, clips: list[ClipEmbedding], num_classes: int
               ) -> tuple[HeadScore | None, list[HeadScore]]:
        c = self.config
        labels = [clip.item.label for clip in clips]
        folds = make_folds(labels, c.folds, c.seed)
        if not folds:
            self.warn("every class has one clip: no held-out check; using the prototype head")
            return None, []
        scores = []
        share = 0.3 / len(c.heads)  # of the whole run, per head tried
        for n, kind in enumerate(c.heads):
            base = 0.5 + share * n
            self.emit("choosing a head", base, f"{kind}: {len(folds)} folds")
            where = {"done": base}

            def fold_done(k: int, acc: float, kind: str = kind, base: float = base, where: dict = where) -> None:
                where["done"] = base + share * k / len(folds)
                self.emit("choosing a head", where["done"], f"{kind}: fold {k}/{len(folds)}", accuracy=acc)

            score = cross_validate(kind, encoder.model, clips, labels, num_classes, folds, c.seed, self.cancelled,
                                   fold_done, lambda step, loss, kind=kind, where=where:
                                   self.emit("choosing a head", where["done"], kind, loss=loss))
            scores.append(score)
            self.log(f"head {kind:9s} held-out clip accuracy {score.accuracy:.1%} ({sum(score.correct)}/{len(score.correct)})")
        return choose_head(scores), scores

    def calibrate(self, kind: str, encoder: FrozenEncoder, clips: list[ClipEmbedding], num_classes: int,
                  chosen: HeadScore | None) -> Threshold | None:
        if not self.config.reject or chosen is None or num_classes < 2:
            return None
        self.emit("calibrating", 0.82, "unknown answer")
        labels = [clip.item.label for clip in clips]
        distances, maxprob = outside_class_scores(kind, encoder.model, clips, labels, num_classes, self.config.seed,
                                                  self.cancelled)
        floor = self.config.min_accept
        by_distance = best_threshold(chosen.known_distances, distances, "distance", floor)
        by_prob = best_threshold(chosen.known_maxprob, maxprob, "probability", floor) if num_classes >= 3 else None
        for t in (by_distance, by_prob):
            if t is not None:
                self.log(f"unknown by {t.method}: accepts {t.accept_known:.0%} of known, {t.false_accept:.0%} of outside")
        best = by_distance if by_prob is None or by_distance.balanced >= by_prob.balanced else by_prob
        self.log(f"unknown: {best.method} {best.value:.3g} accepts {best.accept_known:.0%} of held-out windows of known "
                 f"classes, {best.false_accept:.0%} of windows of a class left out (false accepts)")
        return best


def _default_cache_root() -> Path:
    from vision.data.cache import default_cache_dir

    return default_cache_dir().parent


@contextlib.contextmanager
def torch_threads(n: int | None) -> Iterator[None]:
    """Run with `n` intra-op threads (None: as set). The ops here are small: on a busy 2-core
    machine one thread was measured 2-3x faster than two, which wait on each other."""
    before = torch.get_num_threads()
    if n:
        torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def train_few_shot(config: FewShotConfig, *, progress: Callable[[Progress], None] | None = None,
                   cancelled: Callable[[], bool] | None = None, log: Callable[[str], None] = print) -> FewShotResult:
    """Train a few-shot model; see the module docstring. Raises `TrainingCancelled` when cancelled."""
    with torch_threads(config.threads):
        return _train(config, progress, cancelled, log)


def _train(config: FewShotConfig, progress: Callable[[Progress], None] | None, cancelled: Callable[[], bool] | None,
           log: Callable[[str], None]) -> FewShotResult:
    start = time.perf_counter()
    run = _Run(config, progress, cancelled, log)
    classes, items, test_items = _index(config)
    encoder_path = run.choose_encoder(items)
    ckpt = load_checkpoint(encoder_path, config.device)
    options = EmbedOptions(config.views, config.crops, config.mirror, config.seed)
    encoder = FrozenEncoder(ckpt, run.cache_root, options, config.device)
    clips = run.embed(encoder, classes, items)
    add_summaries(encoder.model, clips)
    embedded = time.perf_counter()

    chosen, scores = run.select(encoder, clips, len(classes))
    kind = chosen.kind if chosen is not None else "prototype"
    threshold = run.calibrate(kind, encoder, clips, len(classes), chosen)
    run.emit("training", 0.9, f"{kind} head on all {len(clips)} clips")
    batch = stack(clips, [c.item.label for c in clips])
    model = fit_head(kind, encoder.model, batch.windows, batch.masks, batch.labels, len(classes), seed=config.seed,
                     cancelled=run.cancelled, summary=batch.frozen(kind),
                     on_loss=lambda step, loss: run.emit("training", 0.9, kind, loss=loss))
    geometry = Geometry.of(model, batch, len(classes), batch.frozen(kind))
    test_accuracy = _test_accuracy(model, encoder, test_items, run) if test_items else None
    run.check()
    trained = time.perf_counter()

    per_class = {name: (0, 0) for name in classes}
    if chosen is not None:
        for ok, label in zip(chosen.correct, chosen.clip_labels):
            right, total = per_class[classes[label]]
            per_class[classes[label]] = (right + ok, total + 1)
    result = FewShotResult(
        Path(config.out) / "best", classes, ckpt.model_config.input, str(encoder_path), kind,
        {s.kind: s.accuracy for s in scores}, per_class,
        None if threshold is None else asdict(threshold), test_accuracy,
        [{"path": str(c.item.path), "class": classes[c.item.label], "seconds": round(c.seconds, 2), "frames": c.frames,
          "person": None if c.person is None else round(c.person, 3)} for c in clips],
        run.skipped, run.warnings,
    )
    result.seconds = {"embed": embedded - start, "heads": trained - embedded}
    extra = _extra(config, result, geometry, threshold, ckpt.clip_config)
    run.emit("saving", 0.98, str(result.checkpoint))
    result.seconds["total"] = time.perf_counter() - start
    save_checkpoint(result.checkpoint, model, ckpt.clip_config, classes, extra=extra,
                    model_card=model_card(config, result, ckpt.clip_config))
    with atomic_file(Path(config.out) / SUMMARY_FILE) as tmp:
        tmp.write_text(json.dumps({"config": asdict(config), "result": result.to_json()}, indent=2) + "\n")
    run.emit("done", 1.0, f"held-out accuracy {_pct(result.accuracy)}", accuracy=result.accuracy)
    return result


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def _test_accuracy(model, encoder: FrozenEncoder, items: list[VideoItem], run: _Run) -> float | None:  # noqa: ANN001
    clips, bad = embed_all(encoder, items, cancelled=run.cancelled)
    for path, reason in bad:
        run.warn(f"test clip skipped: {reason}")
    if not clips:
        return None
    right = 0
    for clip in clips:
        probs = predict(model, clip.windows[clip.recorded], clip.masks[clip.recorded]).mean(0)
        right += int(probs.argmax()) == clip.item.label
    return right / len(clips)


def _extra(config: FewShotConfig, result: FewShotResult, geometry: Geometry, threshold: Threshold | None, clip) -> dict:  # noqa: ANN001
    extra = {
        "val_top1": result.accuracy,
        "dataset": str(Path(config.data_dir).resolve()),
        "few_shot": {"head": result.head, "encoder": result.encoder, "input": result.input,
                     "heldout_top1": result.heldout, "views": config.views, "crops": config.crops,
                     "mirror": config.mirror, "clips": len(result.clips)},
    }
    if threshold is not None and threshold.method == "probability":
        extra["unknown_threshold"] = threshold.value
    elif threshold is not None:
        extra["unknown_prototypes"] = [[round(float(v), 6) for v in row] for row in geometry.prototypes]
        extra["unknown_scale"] = geometry.scale
        extra["unknown_distance"] = threshold.value
    return extra
