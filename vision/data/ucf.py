"""Index UCF101-style trees: `ROOT/<Class>/<clip>.<ext>`, optionally with UCF101 split files.

Split-file mode (when `classInd.txt` and `trainlist0N.txt` exist): `classInd.txt` holds 1-based
`<id> <Class>` lines, `trainlist0N.txt` `<Class>/<file> <id>` lines, `testlist0N.txt`
`<Class>/<file>` lines. Folder mode: every class folder's videos, split group-wise (UCF101's
`_gNN_` groups when the names have them) and stratified per class into train and val.

A clip is a video file or a landmark sequence (`.npz`, see `vision.data.landmarks`): a pose
dataset is the same tree with `.npz` clips.
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass
from pathlib import Path

from vision.errors import DatasetError

VIDEO_SUFFIXES = {".avi", ".mp4", ".mkv", ".webm", ".mov", ".m4v", ".mpg", ".mpeg", ".wmv", ".flv"}
LANDMARK_SUFFIX = ".npz"
CLIP_SUFFIXES = VIDEO_SUFFIXES | {LANDMARK_SUFFIX}
_GROUP = re.compile(r"_g(\d+)_c\d+", re.IGNORECASE)


@dataclass(frozen=True)
class VideoItem:
    """One labelled video."""

    path: Path
    label: int
    group: str


@dataclass(frozen=True)
class DatasetIndex:
    """Class names (index order) and the train / evaluation items."""

    root: Path
    classes: list[str]
    train: list[VideoItem]
    test: list[VideoItem]
    mode: str  # "split-files" or "folders"

    def counts(self, items: list[VideoItem]) -> dict[str, int]:
        """Videos per class name."""
        out = {c: 0 for c in self.classes}
        for item in items:
            out[self.classes[item.label]] += 1
        return out


def group_of(path: Path) -> str:
    """The UCF101 group (`g08`) of a clip name, else the file stem (each clip its own group)."""
    match = _GROUP.search(path.stem)
    return f"{path.parent.name}/g{int(match.group(1)):02d}" if match else f"{path.parent.name}/{path.stem}"


def _check_unique_ignoring_case(names: list[str], where: str) -> None:
    seen: dict[str, str] = {}
    for name in names:
        other = seen.setdefault(name.lower(), name)
        if other != name:
            raise DatasetError(f"{where}: class names {other!r} and {name!r} differ only by case")


def _class_folders(root: Path) -> list[str]:
    if not root.exists():
        raise DatasetError(f"{root}: dataset directory not found")
    if not root.is_dir():
        raise DatasetError(f"{root}: not a directory")
    names = sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not names:
        raise DatasetError(f"{root}: no class folders (expected ROOT/<class>/<clip>.avi or .npz)")
    _check_unique_ignoring_case(names, str(root))
    return names


def _videos(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in CLIP_SUFFIXES and not p.name.startswith("."))


def _read_lines(path: Path) -> list[tuple[int, str]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise DatasetError(f"{path}: cannot read ({exc})") from None
    return [(n, line.strip()) for n, line in enumerate(text.splitlines(), 1) if line.strip()]


def read_class_index(path: Path) -> list[str]:
    """Class names from a `classInd.txt` (ids must be 1..N, each once)."""
    by_id: dict[int, str] = {}
    for n, line in _read_lines(path):
        parts = line.split()
        if len(parts) != 2 or not parts[0].isdigit():
            raise DatasetError(f"{path}:{n}: expected '<id> <ClassName>', got {line!r}")
        by_id[int(parts[0])] = parts[1]
    if sorted(by_id) != list(range(1, len(by_id) + 1)):
        raise DatasetError(f"{path}: class ids must run 1..N without gaps")
    classes = [by_id[i] for i in range(1, len(by_id) + 1)]
    _check_unique_ignoring_case(classes, str(path))
    if len(set(classes)) != len(classes):
        raise DatasetError(f"{path}: a class name appears twice")
    return classes


def _read_split(path: Path, root: Path, classes: list[str], labelled: bool) -> list[VideoItem]:
    lookup = {c: i for i, c in enumerate(classes)}
    items = []
    for n, line in _read_lines(path):
        parts = line.split()
        rel = parts[0]
        class_name = rel.split("/")[0]
        if class_name not in lookup or "/" not in rel:
            raise DatasetError(f"{path}:{n}: unknown class in {rel!r}")
        label = lookup[class_name]
        if labelled:
            if len(parts) != 2 or not parts[1].isdigit():
                raise DatasetError(f"{path}:{n}: expected '<Class>/<file> <id>', got {line!r}")
            if int(parts[1]) != label + 1:
                raise DatasetError(f"{path}:{n}: id {parts[1]} does not match class {class_name!r}")
        elif len(parts) != 1:
            raise DatasetError(f"{path}:{n}: expected '<Class>/<file>', got {line!r}")
        video = root / rel
        if not video.is_file():
            raise DatasetError(f"{path}:{n}: {rel} does not exist under {root}")
        items.append(VideoItem(video, label, group_of(video)))
    if not items:
        raise DatasetError(f"{path}: no entries")
    return items


def _split_by_group(items: list[VideoItem], fraction: float, seed: int) -> tuple[list[VideoItem], list[VideoItem]]:
    """Per class, hold out whole groups (about `fraction` of them, at least one if there are 2+)."""
    train: list[VideoItem] = []
    held: list[VideoItem] = []
    rng = random.Random(seed)
    for label in sorted({i.label for i in items}):
        mine = [i for i in items if i.label == label]
        groups = sorted({i.group for i in mine})
        rng.shuffle(groups)
        n_held = min(len(groups) - 1, max(1, round(len(groups) * fraction))) if len(groups) > 1 else 0
        chosen = set(groups[:n_held])
        train += [i for i in mine if i.group not in chosen]
        held += [i for i in mine if i.group in chosen]
    return train, held


def index_dataset(
    root: str | Path, split: int | None = 1, val_fraction: float = 0.2, seed: int = 0
) -> DatasetIndex:
    """Index a dataset; uses split files `split` when present, else folders with a val split.

    Pass `split=None` to ignore split files.
    """
    root = Path(root)
    class_ind, trainlist = root / "classInd.txt", root / f"trainlist{split or 0:02d}.txt"
    if split is not None and class_ind.is_file() and trainlist.is_file():
        classes = read_class_index(class_ind)
        testlist = root / f"testlist{split:02d}.txt"
        train = _read_split(trainlist, root, classes, labelled=True)
        if testlist.is_file():
            test = _read_split(testlist, root, classes, labelled=False)
        else:
            train, test = _split_by_group(train, val_fraction, seed)
        return DatasetIndex(root, classes, train, test, "split-files")
    if split is not None and split != 1 and class_ind.is_file():
        raise DatasetError(f"{root}: split {split} requested but {trainlist.name} is missing")
    classes = _class_folders(root)
    items = []
    for label, name in enumerate(classes):
        videos = _videos(root / name)
        if not videos:
            raise DatasetError(f"{root / name}: class folder has no videos")
        items += [VideoItem(v, label, group_of(v)) for v in videos]
    train, test = _split_by_group(items, val_fraction, seed)
    return DatasetIndex(root, classes, train, test, "folders")
