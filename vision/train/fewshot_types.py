"""What a few-shot run is asked to do (`FewShotConfig`), reports while it runs (`Progress`) and
made (`FewShotResult`): plain dataclasses, shared by the library, the CLI and the app."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

from vision.errors import ConfigError
from vision.train.fewshot_heads import HEADS


@dataclass(frozen=True)
class FewShotConfig:
    """What `train_few_shot` does. Strings and tuples only: it round-trips through JSON."""

    data_dir: str
    out: str
    encoder: str | None = None  # checkpoint directory; None: the shipped one for the chosen input
    input: str | None = None  # "pose" | "rgb"; None: pose when a person is found in most clips
    classes: tuple[str, ...] | None = None  # class folders to use (default: all)
    heads: tuple[str, ...] = HEADS
    folds: int = 5
    views: int = 6
    crops: int = 3
    mirror: bool = False
    reject: bool = True  # calibrate the "unknown" answer
    min_accept: float = 0.8  # ... keeping at least this share of held-out windows of known classes
    seed: int = 0
    device: str = "cpu"
    cache_dir: str | None = None  # tracked landmarks, frames and embeddings (default ~/.cache/vision-action)
    max_bad_fraction: float = 0.5
    threads: int | None = 1  # torch intra-op threads while training (None: leave as set)

    def __post_init__(self) -> None:
        if self.input not in (None, "pose", "rgb"):
            raise ConfigError(f"input must be pose or rgb, got {self.input!r}")
        unknown = [h for h in self.heads if h not in HEADS]
        if unknown or not self.heads:
            raise ConfigError(f"heads must be among {', '.join(HEADS)}, got {', '.join(self.heads) or 'none'}")
        if self.views < 1 or self.crops < 1:
            raise ConfigError("views and crops must be >= 1")


@dataclass(frozen=True)
class Progress:
    """One step of a few-shot run, for progress bars and the app's live plot."""

    stage: str  # "looking for people", "embedding", "choosing a head", "calibrating", "training", "saving", "done"
    done: float  # share of the run done, 0..1
    message: str = ""
    loss: float | None = None  # a training loss of the head being fitted
    accuracy: float | None = None  # held-out clip accuracy so far


@dataclass
class FewShotResult:
    """What a few-shot run made and measured."""

    checkpoint: Path
    labels: list[str]
    input: str
    encoder: str
    head: str
    heldout: dict[str, float | None]  # held-out clip accuracy per head tried
    per_class: dict[str, tuple[int, int]]  # chosen head: (right, held out) per class
    rejection: dict | None  # the "unknown" operating point, or None
    test_accuracy: float | None  # on split-file test clips, when the dataset has them
    clips: list[dict]  # what each training clip was
    skipped: list[tuple[str, str]]  # (path, reason)
    warnings: list[str]
    seconds: dict[str, float] = field(default_factory=dict)  # embed, heads, total

    @property
    def accuracy(self) -> float | None:
        return self.heldout.get(self.head)

    def to_json(self) -> dict:
        out = asdict(self)
        out["checkpoint"] = str(self.checkpoint)
        return out
