"""Landmark sequence files: round trip, atomic writes, every kind of bad file, dataset indexing."""
from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

from vision.data.landmarks import LandmarkSequence, load_sequence, save_sequence
from vision.data.synthset import write_split_files
from vision.data.ucf import index_dataset
from vision.errors import DatasetError


def _sequence(n: int = 5) -> LandmarkSequence:
    rng = np.random.default_rng(0)
    lm = rng.uniform(0, 100, (n, 33, 4)).astype(np.float32)
    lm[..., 3] = rng.uniform(0, 1, (n, 33))
    lm[2] = np.nan  # nobody in frame 2
    return LandmarkSequence(lm, 25.0, (640, 480), {"class": "walk", "yaw_deg": 90.5})


def _write_npz(path: Path, **arrays) -> Path:
    with open(path, "wb") as f:
        np.savez(f, **arrays)
    return path


def _arrays(seq: LandmarkSequence) -> dict[str, np.ndarray]:
    return {"landmarks": seq.landmarks, "fps": np.float32(seq.fps), "size": np.array(seq.size, np.int32),
            "meta": np.array(json.dumps(seq.meta))}


def test_round_trip_keeps_everything(tmp_path: Path) -> None:
    seq = _sequence()
    path = save_sequence(tmp_path / "clip.npz", seq)
    back = load_sequence(path)
    np.testing.assert_array_equal(back.landmarks, seq.landmarks)  # NaN rows compare equal here
    assert back.landmarks.dtype == np.float32 and back.fps == 25.0 and back.size == (640, 480)
    assert back.meta == seq.meta
    assert back.present.tolist() == [True, True, False, True, True]
    with np.load(path, allow_pickle=False) as npz:
        assert npz["size"].dtype == np.int32 and npz["fps"].dtype == np.float32 and npz["meta"].dtype.kind == "U"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clip.npz"]  # no temp file left behind


def test_save_refuses_a_bad_sequence_and_writes_nothing(tmp_path: Path) -> None:
    seq = _sequence()
    bad = seq.landmarks.copy()
    bad[0, 0, 0] = np.inf
    with pytest.raises(DatasetError, match="inf"):
        save_sequence(tmp_path / "x.npz", LandmarkSequence(bad, 25.0, (640, 480), {}))
    with pytest.raises(DatasetError, match="JSON"):
        save_sequence(tmp_path / "x.npz", LandmarkSequence(seq.landmarks, 25.0, (640, 480), {"a": object()}))
    assert list(tmp_path.iterdir()) == []


def test_overwrite_is_atomic_replace(tmp_path: Path) -> None:
    path = tmp_path / "clip.npz"
    save_sequence(path, _sequence(5))
    save_sequence(path, _sequence(3))
    assert len(load_sequence(path).landmarks) == 3


def _bad_files(tmp: Path) -> dict[str, tuple[Path, str]]:
    seq = _sequence()
    good = _arrays(seq)
    cases: dict[str, tuple[Path, str]] = {}

    def case(name: str, match: str, **changes) -> None:
        arrays = {k: v for k, v in {**good, **changes}.items() if v is not None}
        cases[name] = (_write_npz(tmp / f"{name}.npz", **arrays), match)

    (tmp / "text.npz").write_text("hello")
    cases["not npz"] = (tmp / "text.npz", "not an .npz file")
    np.save(tmp / "array.npy", seq.landmarks)
    cases["npy"] = (tmp / "array.npy", "single .npy array")
    cases["missing file"] = (tmp / "absent.npz", "cannot read")
    truncated = (tmp / "trunc.npz")
    _write_npz(truncated, **good)
    truncated.write_bytes(truncated.read_bytes()[:300])
    cases["truncated"] = (truncated, "corrupt npz|unreadable")
    case("pickled", "pickled objects", meta=np.array([{"class": "walk"}], dtype=object))
    case("missing key", "missing key.*fps", fps=None)
    case("wrong shape", r"shape \(T, 33, 4\)", landmarks=seq.landmarks[..., :3])
    case("17 points", r"shape \(T, 33, 4\)", landmarks=seq.landmarks[:, :17])
    case("empty", r"empty sequence \(T = 0\)", landmarks=np.zeros((0, 33, 4), np.float32))
    inf = seq.landmarks.copy()
    inf[1, 5, 1] = -np.inf
    case("inf", "inf values", landmarks=inf)
    high = seq.landmarks.copy()
    high[0, 3, 3] = 1.5
    case("visibility high", r"visibility outside \[0, 1\]", landmarks=high)
    low = seq.landmarks.copy()
    low[4, 3, 3] = -0.1
    case("visibility low", r"visibility outside \[0, 1\]", landmarks=low)
    partly = seq.landmarks.copy()
    partly[1, 4] = np.nan
    case("partly nan", "frame 1 is partly NaN", landmarks=partly)
    case("fps zero", "fps must be > 0", fps=np.float32(0))
    case("fps negative", "fps must be > 0", fps=np.float32(-30))
    case("fps nan", "fps must be > 0", fps=np.float32(np.nan))
    case("fps vector", "fps must be a number", fps=np.array([25.0, 30.0], np.float32))
    case("size shape", "size must be 2 integers", size=np.array([640, 480, 3], np.int32))
    case("size float", "size must be 2 integers", size=np.array([640.0, 480.0]))
    case("size zero", "size must be two positive", size=np.array([0, 480], np.int32))
    case("meta not json", "not valid JSON", meta=np.array("{class: walk"))
    case("meta list", "meta must be a dict", meta=np.array("[1, 2]"))
    case("meta bytes", "meta must be a JSON string", meta=np.frombuffer(b"{}", np.uint8))
    return cases


def test_every_bad_file_is_one_clear_line(tmp_path: Path) -> None:
    cases = _bad_files(tmp_path)
    assert len(cases) >= 20
    for name, (path, match) in cases.items():
        with pytest.raises(DatasetError, match=match) as info:
            load_sequence(path)
        message = str(info.value)
        assert "\n" not in message, name
        assert str(path) in message, name


def test_load_never_unpickles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    original = np.load
    monkeypatch.setattr(np, "load", lambda *a, **kw: calls.append(kw.get("allow_pickle")) or original(*a, **kw))
    load_sequence(save_sequence(tmp_path / "a.npz", _sequence()))
    assert calls == [False]


def test_zip_that_is_not_numpy_is_refused(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("readme.txt", "not arrays")
    path = tmp_path / "other.npz"
    path.write_bytes(buffer.getvalue())
    with pytest.raises(DatasetError, match="missing key"):
        load_sequence(path)


def _npz_tree(root: Path) -> Path:
    for name in ("walk", "clap"):
        for g in (1, 2, 3):
            save_sequence(root / name / f"v_{name}_g{g:02d}_c01.npz", _sequence(3))
    return root


def test_index_accepts_npz_clips_in_folder_mode(tmp_path: Path) -> None:
    index = index_dataset(_npz_tree(tmp_path / "ds"), split=None)
    assert index.mode == "folders" and index.classes == ["clap", "walk"]
    items = index.train + index.test
    assert len(items) == 6 and all(i.path.suffix == ".npz" for i in items)
    assert {i.group for i in index.train}.isdisjoint({i.group for i in index.test})


def test_index_accepts_npz_clips_in_split_files(tmp_path: Path) -> None:
    root = _npz_tree(tmp_path / "ds")
    write_split_files(root, ["walk", "clap"], [f"walk/v_walk_g0{g}_c01.npz 1" for g in (2, 3)] + ["clap/v_clap_g02_c01.npz 2"],
                      ["walk/v_walk_g01_c01.npz", "clap/v_clap_g01_c01.npz"])
    index = index_dataset(root)
    assert index.mode == "split-files" and index.classes == ["walk", "clap"]
    assert [i.path.name for i in index.test] == ["v_walk_g01_c01.npz", "v_clap_g01_c01.npz"]
    assert [i.label for i in index.train] == [0, 0, 1]
