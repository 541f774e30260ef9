"""`TeachStore`: the teach-mode data folder, one subfolder per label in the UCF101 layout.

    <root>/<label>/clip-20260101-120000.mp4

Plain files only, so the same folder trains from the command line
(`vision-train <root> --out RUN --few-shot`). Hidden files (temporary recordings) are ignored.
"""
from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

from vision.data.ucf import CLIP_SUFFIXES, VIDEO_SUFFIXES

_BAD_NAME = re.compile(r"[\\/:*?\"<>|\x00-\x1f]")


class TeachError(Exception):
    """A label or clip operation that cannot be done (the message says why)."""


def check_label(name: str) -> str:
    """A usable label (folder) name, stripped; `TeachError` otherwise."""
    name = name.strip()
    if not name or name in (".", "..") or name.startswith(".") or _BAD_NAME.search(name):
        raise TeachError(f"'{name}' cannot be a label: use letters, digits, spaces, - or _")
    return name


class TeachStore:
    """Labels and clips under `root` (created on first use)."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def labels(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted((p.name for p in self.root.iterdir() if p.is_dir() and not p.name.startswith(".")), key=str.lower)

    def clips(self, label: str) -> list[Path]:
        folder = self.root / label
        if not folder.is_dir():
            return []
        return sorted(p for p in folder.iterdir()
                      if p.is_file() and p.suffix.lower() in CLIP_SUFFIXES and not p.name.startswith("."))

    def counts(self) -> dict[str, int]:
        return {label: len(self.clips(label)) for label in self.labels()}

    def add_label(self, name: str) -> str:
        name = check_label(name)
        if name.lower() in (n.lower() for n in self.labels()):
            raise TeachError(f"there is already a label '{name}'")
        (self.root / name).mkdir(parents=True)
        return name

    def rename_label(self, old: str, new: str) -> str:
        new = check_label(new)
        if new.lower() != old.lower() and new.lower() in (n.lower() for n in self.labels()):
            raise TeachError(f"there is already a label '{new}'")
        (self.root / old).rename(self.root / new)
        return new

    def delete_label(self, name: str) -> None:
        shutil.rmtree(self.root / name, ignore_errors=True)

    def delete_clip(self, path: Path) -> None:
        Path(path).unlink(missing_ok=True)

    def new_clip_path(self, label: str, suffix: str = ".mp4") -> Path:
        """A fresh file name in `label` (not created)."""
        folder = self.root / label
        stamp = time.strftime("%Y%m%d-%H%M%S")
        path, n = folder / f"clip-{stamp}{suffix}", 1
        while path.exists():
            n += 1
            path = folder / f"clip-{stamp}-{n}{suffix}"
        return path

    def import_folder(self, source: str | Path, label: str | None = None) -> dict[str, int]:
        """Copy clips in: a folder of class folders (each becomes or joins a label), or a folder
        of videos (into `label`). Returns clips copied per label. Files are copied as they are:
        a corrupt one is found, named and skipped when training."""
        source = Path(source)
        if not source.is_dir():
            raise TeachError(f"{source}: not a folder")
        videos = [p for p in sorted(source.iterdir()) if p.is_file() and p.suffix.lower() in VIDEO_SUFFIXES]
        groups: dict[str, list[Path]] = {}
        if videos:
            if label is None:
                raise TeachError(f"{source} holds videos, not class folders: choose the label they show first")
            groups[label] = videos
        for sub in sorted(p for p in source.iterdir() if p.is_dir() and not p.name.startswith(".")):
            clips = [p for p in sorted(sub.iterdir()) if p.is_file() and p.suffix.lower() in CLIP_SUFFIXES]
            if clips:
                groups.setdefault(check_label(sub.name), []).extend(clips)
        if not groups:
            raise TeachError(f"{source}: no videos in it or in its subfolders")
        existing = {n.lower(): n for n in self.labels()}
        copied = {}
        for name, clips in groups.items():
            name = existing.get(name.lower(), name)
            folder = self.root / name
            folder.mkdir(parents=True, exist_ok=True)
            for clip in clips:
                target, n = folder / clip.name, 1
                while target.exists():
                    n += 1
                    target = folder / f"{clip.stem}-{n}{clip.suffix}"
                shutil.copy2(clip, target)
            copied[name] = len(clips)
        return copied
