"""After training: the best checkpoint scored on clean training clips, held-out clips and the test
list, and honest warnings when the held-out figure is near chance or far below training's."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import torch
from torch import nn

from vision.checkpoint import WEIGHTS_FILE, load_state_strict
from vision.data.ucf import VideoItem
from vision.train.config import TrainConfig
from vision.train.loops import Precision, predict
from vision.train.metrics import evaluate_probs

NEAR_CHANCE = 0.10  # held-out top-1 at most this far above chance: nothing was learnt
FEW_SHOT_HINT = 10  # training clips per class below which --few-shot is worth a try (pose and RGB encoders)
OVERFIT_GAP = 0.25  # clean training top-1 this far above held-out: memorised


@dataclass(frozen=True)
class Score:
    """Top-1 on a set of clips (None when the set is empty)."""

    top1: float | None
    count: int

    def show(self) -> str:
        return "n/a" if self.top1 is None else f"{self.top1:.1%} of {self.count}"


@dataclass(frozen=True)
class Verdict:
    """How the best checkpoint does on each part of the data."""

    train: Score
    held_out: Score
    test: Score
    classes: int
    shared_groups: int = 0  # held-out clips from a scene/actor group that training clips also come from

    def summary(self, best_epoch: int) -> str:
        """One line: the three scores of the best epoch."""
        test = "" if self.test.top1 is None else (
            f", test list {self.test.show()} (never used for training or for choosing the epoch)")
        return (f"best epoch {best_epoch}: clean training clips {self.train.show()}, "
                f"held-out {self.held_out.show()}{test}")

    def warnings(self, config: TrainConfig, best_epoch: int, epochs_run: int, early_stopped: bool) -> list[str]:
        """Warnings, one line each: the finding, its likely cause and what to try."""
        out = []
        held = self.held_out.top1
        chance = 1.0 / self.classes
        per_class = self.train.count / self.classes
        if held is not None and held <= chance + NEAR_CHANCE:
            out.append(f"held-out top-1 {held:.1%} is within {NEAR_CHANCE:.0%} of chance ({chance:.1%}): the model "
                       f"has not learnt the classes; likely {_cause(config)}; try {_remedy(config, True, per_class)}")
        elif held is not None and self.train.top1 is not None and self.train.top1 - held > OVERFIT_GAP:
            out.append(f"clean training clips {self.train.top1:.1%} vs held-out {held:.1%}: the model memorised its "
                       f"clips more than it learnt the classes; likely too few or too alike clips per class; "
                       f"try {_remedy(config, False, per_class)}")
        if self.held_out.count and self.held_out.count < 2 * self.classes:
            out.append(f"the held-out figure rests on {self.held_out.count} clips (one clip is "
                       f"{1 / self.held_out.count:.0%}): read it as a rough guide")
        if self.shared_groups:
            out.append(f"{self.shared_groups} of the {self.held_out.count} held-out clips come from scene/actor groups "
                       "that training clips also come from (under 4 groups per class): the held-out figure can be "
                       "optimistic for new scenes and people; a test list of unseen groups tells more")
        if best_epoch == epochs_run and not early_stopped and held is not None and held < 0.9:
            out.append(f"held-out accuracy was still rising at the last epoch ({epochs_run}): try more --epochs")
        return out


def _cause(config: TrainConfig) -> str:
    if config.flip:
        return "--flip mirrors clips whose class may depend on direction (left/right, clockwise)"
    if config.pretrained and config.freeze_backbone is not False and config.input == "rgb":
        return "a frozen pretrained backbone keeps too little of how things move"
    if config.input == "rgb":
        return "classes that differ in how things move, which single RGB frames do not show"
    return "too few clips per class for what separates the classes, or labels the input cannot show"


def _remedy(config: TrainConfig, chance: bool, per_class: float) -> str:
    steps = ["more clips per class (varied scenes and people)"]
    if per_class < FEW_SHOT_HINT and config.input in ("pose", "rgb"):
        steps.insert(0, "--few-shot (a frozen encoder and a small head, made for a handful of clips per class)")
    if config.input == "rgb":
        steps.append("--input flow (optical flow: which way things move)")
    if config.flip:
        steps.append("--no-flip")
    if chance:
        steps.append("more --epochs")
    else:
        steps += ["--clips-per-video 4", "--weight-decay 0.1", "--dropout 0.5"]
    return ", ".join(steps)


def final_verdict(model: nn.Module, best: Path, eval_net: nn.Module,
                  make_set: Callable[[list[VideoItem]], torch.utils.data.Dataset],
                  parts: tuple[list[VideoItem], list[VideoItem], list[VideoItem]], labels: list[str],
                  loader: Callable[[torch.utils.data.Dataset], torch.utils.data.DataLoader],
                  device: torch.device, precision: Precision) -> Verdict:
    """Load `best`'s weights into `model` and score clean training, held-out and test clips."""
    from safetensors.torch import load_file

    load_state_strict(model, load_file(str(best / WEIGHTS_FILE)), best)
    scores = []
    for items in parts:
        if not items:
            scores.append(Score(None, 0))
            continue
        probs, y = predict(eval_net, loader(make_set(items)), device, precision, "scoring", False)
        scores.append(Score(evaluate_probs(probs, y, len(labels)).top1, len(items)))
    return Verdict(*scores, classes=len(labels), shared_groups=shared_groups(parts[0], parts[1]))


def shared_groups(train: list[VideoItem], held: list[VideoItem]) -> int:
    """How many held-out clips share their class's scene/actor group with a training clip."""
    seen = {(i.label, i.group) for i in train}
    return sum((i.label, i.group) in seen for i in held)
