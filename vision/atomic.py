"""Atomic directory writes: build in a temp sibling, fsync, then swap it into place.

A crash at any moment leaves either the old directory or the new one, never a half-written
one. The one window between the two renames is covered by `recover_dir`, which puts the
previous version back before anything reads the directory.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterator


def _backup_path(target: Path) -> Path:
    return target.with_name(f".{target.name}.old")


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | (os.O_DIRECTORY if path.is_dir() else 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_tree(root: Path) -> None:
    for path in [*root.rglob("*"), root]:
        _fsync(path)


def recover_dir(target: str | Path) -> None:
    """Restore `target` from its backup if a swap was interrupted between its two renames."""
    target = Path(target)
    backup = _backup_path(target)
    if not target.exists() and backup.is_dir():
        os.rename(backup, target)


@contextlib.contextmanager
def atomic_dir(target: str | Path) -> Iterator[Path]:
    """Yield a temp directory; on clean exit it replaces `target` atomically.

    On an exception the temp directory is removed and `target` is untouched.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    recover_dir(target)
    for stale in target.parent.glob(f".{target.name}.tmp-*"):  # left by a killed writer
        shutil.rmtree(stale, ignore_errors=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    try:
        yield tmp
        _fsync_tree(tmp)
        backup = _backup_path(target)
        if backup.exists():
            shutil.rmtree(backup)
        if target.exists():
            os.rename(target, backup)
        os.rename(tmp, target)
        _fsync(target.parent)
        shutil.rmtree(backup, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise



@contextlib.contextmanager
def atomic_file(target: str | Path) -> Iterator[Path]:
    """Yield a temp path beside `target`; on clean exit it is fsynced and renamed onto `target`."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.stem}.tmp-", suffix=target.suffix, dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        _fsync(tmp)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
