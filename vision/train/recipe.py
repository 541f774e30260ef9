"""The adaptive recipe behind `vision-train DATA` with no flags: options chosen from the data.

A folder with fewer than `SMALL_DATA` training clips per class gets the small-data recipe (input
chosen from the clips, several temporal crops per clip per epoch, augmentations that keep the
label's meaning, a longer cosine schedule with stronger regularisation, validation on a held-out
fold of the training list); a bigger one gets the fixed recipe every release before had, unchanged.
Options the user set (`TrainConfig.explicit`) are never changed. The chosen recipe is printed as
one block and written into every checkpoint of the run (`extra["recipe"]`).
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

from vision.train.config import TrainConfig
from vision.train.probe import DataProfile

SMALL_DATA = 100  # median training clips per class below which the small-data recipe applies
STEPS = 600  # small data: optimizer steps of the schedule (measured: bench/small_data.py)
MAX_EPOCHS, MIN_EPOCHS = 60, 15
HOLDOUT = 0.25  # share of the training list held out when the split has no validation part
SHOWN = ("input", "backbone", "frame_size", "epochs", "clips_per_video", "batch_size", "lr", "scheduler",
         "warmup_epochs", "weight_decay", "label_smoothing", "crop_scale", "color_jitter", "speed_jitter", "flip", "holdout",
         "early_stop")


@dataclass(frozen=True)
class Choice:
    """One option of the recipe: its value, why, and who chose it (data, flag or fixed default)."""

    name: str
    value: Any
    why: str
    source: str  # "data" | "flag" | "default"


@dataclass(frozen=True)
class Recipe:
    """The options a run trains with and the reasons, for printing and for the checkpoint."""

    regime: str  # "small" | "big"
    summary: str  # one line about the data
    choices: tuple[Choice, ...]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: regime, data summary and every shown option with its reason."""
        return {"regime": self.regime, "data": self.summary,
                "options": {c.name: {"value": c.value, "why": c.why, "source": c.source} for c in self.choices}}

    def block(self) -> str:
        """The recipe as one printed block."""
        width = max(len(c.name) for c in self.choices)
        lines = [f"recipe ({self.regime} data): {self.summary}"]
        for c in self.choices:
            tag = {"flag": "[your flag] ", "default": ""}.get(c.source, "")
            lines.append(f"  {c.name:<{width}}  {_show(c.value):<12} {tag}{c.why}")
        return "\n".join(lines)


def _show(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def describe(p: DataProfile) -> str:
    """One line about the data, as the recipe saw it."""
    people = "" if p.person is None else f"; a person in {p.person[0]} of {p.person[1]} clips looked at"
    kind = "landmark sequences" if p.landmarks else f"{p.seconds:.1f} s clips at {p.size[0]}x{p.size[1]}"
    return f"{p.classes} classes, {p.train_per_class} training clips per class (median), {kind}{people}"


def is_small(config: TrainConfig, profile: DataProfile) -> bool:
    """Whether the small-data recipe applies (a video head or --init builds on a trained model: never)."""
    return profile.train_per_class < SMALL_DATA and not config.video_head and config.init is None


def wants_people(config: TrainConfig, profile: DataProfile) -> bool:
    """Whether finding people in the clips could change the recipe (so is worth the probe)."""
    rgb_only = config.backbone != "tiny" or config.pretrained is not None  # takes RGB whatever is in the clips
    return is_small(config, profile) and "input" not in config.explicit and not profile.landmarks and not rgb_only


def _crop_scale(input: str) -> tuple[float, str]:
    """How much of the frame a random resized crop keeps at least, and why."""
    if input == "flow":
        return 0.8, ("random resized crops down to 80% of the frame's area: deeper crops cut the moving thing "
                     "out of view (shapes tuning seeds: 0.5 gave 73%, 0.8 gave 80%)")
    return 0.5, "random resized crops down to half the frame's area"


def small_data_options(p: DataProfile, config: TrainConfig) -> dict[str, tuple[Any, str]]:
    """The small-data recipe: option -> (value, reason)."""
    frames = config.num_frames
    if p.landmarks:
        input_choice = ("pose", "the clips are landmark sequences")
    elif config.backbone != "tiny" or config.pretrained:
        input_choice = ("rgb", f"the {config.backbone} backbone{' (pretrained)' if config.pretrained else ''} "
                        "takes RGB frames")
    elif p.person_found:
        input_choice = ("pose", f"a person in {p.person[0]} of {p.person[1]} clips looked at: body pose keeps "
                        "the motion and drops the appearance a few clips cannot cover")
    else:
        nobody = "no person found" if p.person is None or p.person[0] == 0 else "no person in most clips"
        input_choice = ("flow", f"{nobody}; optical flow shows the CNN which way things move and hides what they "
                        "look like, which few clips cannot cover (tuning set: flow 82%, rgb+flow 71%, rgb 36%)")
    windows = round(p.seconds * (config.fps or 10.0) / frames, 6)  # clip length in windows of T sampled frames
    crops = max(2, min(4, math.ceil(windows))) if p.seconds else 2
    held = HOLDOUT if p.test_list else 0.0
    per_epoch = max(1, int(p.classes * p.train_per_class * (1 - held) * crops) // 16)  # optimizer steps at batch 16
    epochs = max(MIN_EPOCHS, min(MAX_EPOCHS, round(STEPS / per_epoch)))
    options = {
        "input": input_choice,
        "frame_size": (64, "a quarter of 112 px's cost per frame: the whole run takes minutes on 2 CPU cores"),
        "epochs": (epochs, f"about {STEPS} optimizer steps ({per_epoch} per epoch), {MIN_EPOCHS}-{MAX_EPOCHS} epochs"),
        "clips_per_video": (crops, "temporal crops of every clip per epoch: more distinct windows per pass"),
        "lr": (2e-3, "AdamW"),
        "scheduler": ("cosine", "with warm-up: a fixed length suits a fixed budget"),
        "warmup_epochs": (2, "linear warm-up epochs"),
        "weight_decay": (0.05, "stronger than the big-data 1e-4: few clips are easy to memorise"),
        "label_smoothing": (0.1, "softer targets: few clips are easy to memorise"),
        "crop_scale": _crop_scale(config.input if "input" in config.explicit else input_choice[0]),
        "color_jitter": (0.4, "brightness/contrast/saturation: colours should not carry the label"),
        "speed_jitter": (0.25, "playback rates 0.8-1.25x: people and things move at different speeds"),
        "flip": (False, "no mirroring: left/right, clockwise/counter-clockwise can be the label (--flip when not)"),
        "early_stop": (max(10, epochs // 3), "epochs without a held-out gain before stopping"),
    }
    if p.test_list:
        options["holdout"] = (HOLDOUT, "the split has no validation part: a quarter of the training list is held "
                              "out for early stopping and the best epoch; the test list is never looked at")
    return options


def choose_recipe(config: TrainConfig, profile: DataProfile) -> tuple[TrainConfig, Recipe]:
    """The run's config with the options the data decides, and the recipe to print and store."""
    if is_small(config, profile):
        regime, options = "small", small_data_options(profile, config)
        summary = describe(profile) + f" (< {SMALL_DATA}: the small-data recipe)"
    else:
        regime, options = "big", {}
        summary = describe(profile) + f" (>= {SMALL_DATA}: the fixed recipe of earlier releases)"
    chosen = {k: v for k, (v, _) in options.items() if k not in config.explicit}
    resolved = dataclasses.replace(config, **chosen)
    reasons = {"flip": "the fixed recipe's default (RGB: no flips; pose: mirrored skeletons)"}
    if regime == "small":
        reasons["backbone"] = ("trained from scratch, end to end (frozen ImageNet Lite0 features reached 25% on a "
                               "folder like this one, issue 21: they keep too little of how things move)")
    elif profile.test_list:
        reasons["holdout"] = ("the fixed recipe's default: the test list validates and picks the best epoch, so its "
                              "figure is not an unseen-data figure (--holdout 0.25 keeps it unseen)")
    choices = []
    for name in SHOWN:
        value = getattr(resolved, name)
        if name in config.explicit:
            source, why = "flag", ""
        elif name in options:
            source, why = "data", options[name][1]
        else:
            source, why = "default", reasons.get(name, "the fixed recipe's default")
        if name == "backbone" and resolved.pretrained:
            value, why = f"{value} ({resolved.pretrained})", "pretrained backbone"
        if name == "flip" and value is None:  # what the input's old default does
            value = resolved.input == "pose"
        choices.append(Choice(name, value, why, source))
    return resolved, Recipe(regime, summary, tuple(choices))
