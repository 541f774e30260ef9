"""Dataset indexing: split files, folders, and each kind of bad tree."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from vision.data.ucf import index_dataset
from vision.errors import DatasetError


@pytest.fixture
def tree(synth_root: Path, tmp_path: Path) -> Path:
    root = tmp_path / "ds"
    shutil.copytree(synth_root, root)
    return root


def test_split_files_with_lf_line_ends(tree: Path) -> None:
    for name in ("classInd.txt", "trainlist01.txt", "testlist01.txt"):
        p = tree / name
        p.write_text(p.read_text().replace("\r\n", "\n"))
    assert index_dataset(tree).mode == "split-files"


def test_missing_testlist_gives_group_val_split(tree: Path) -> None:
    (tree / "testlist01.txt").unlink()
    index = index_dataset(tree)
    assert index.test and {i.group for i in index.train}.isdisjoint({i.group for i in index.test})


def _expect(tree: Path, match: str, **kw) -> None:
    with pytest.raises(DatasetError, match=match) as info:
        index_dataset(tree, **kw)
    assert "\n" not in str(info.value)


def test_missing_root(tmp_path: Path) -> None:
    _expect(tmp_path / "nothing", "not found")


def test_no_class_folders(tmp_path: Path) -> None:
    (tmp_path / "readme.txt").write_text("x")
    _expect(tmp_path, "no class folders")


def test_empty_class(tree: Path) -> None:
    (tree / "Empty").mkdir()
    _expect(tree, "Empty: class folder has no videos", split=None)


def test_case_duplicate_classes(tree: Path) -> None:
    shutil.copytree(tree / "MoveLeft", tree / "moveleft")
    _expect(tree, "differ only by case", split=None)


def test_split_line_naming_missing_file(tree: Path) -> None:
    with (tree / "trainlist01.txt").open("a") as f:
        f.write("MoveLeft/v_MoveLeft_g99_c01.avi 1\r\n")
    _expect(tree, r"trainlist01.txt:\d+: MoveLeft/v_MoveLeft_g99_c01.avi does not exist")


def test_split_line_unknown_class(tree: Path) -> None:
    with (tree / "testlist01.txt").open("a") as f:
        f.write("Dance/v_Dance_g01_c01.avi\r\n")
    _expect(tree, "unknown class")


def test_split_line_wrong_id_and_garbage(tree: Path) -> None:
    train = tree / "trainlist01.txt"
    first = train.read_text().splitlines()[0].rsplit(" ", 1)[0]
    train.write_text(f"{first} 3\n")
    _expect(tree, "does not match class")
    (tree / "classInd.txt").write_text("one MoveLeft\n")
    _expect(tree, "expected '<id> <ClassName>'")


def test_missing_split_number(tree: Path) -> None:
    _expect(tree, "split 2 requested but trainlist02.txt is missing", split=2)
