"""The whole app abused as its users will: bad and odd inputs through every entry point, and faults.

Every bad input must give one clear line on stderr (no traceback), the right exit code, and the
rest of the work must go on; odd but valid videos must simply work.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file, save_file

from corpus import bad_videos, bit_flipped, odd_videos
from vision.checkpoint import load_checkpoint, save_checkpoint
from vision.cli.classify import DEFAULT_WEIGHTS, SHAPES_WEIGHTS
from vision.engine.posefront import NO_PERSON, UNKNOWN
from vision.cli.classify import main as classify_main
from vision.cli.eval import main as eval_main
from vision.cli.stream import main as stream_main
from vision.errors import CheckpointError


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Path]]:
    root = tmp_path_factory.mktemp("corpus")
    return {"bad": bad_videos(root / "bad"), "odd": odd_videos(root / "odd"), "flip": {"bit-flipped": bit_flipped(root)}}


@pytest.fixture(scope="module")
def bad_checkpoints(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A checkpoint whose weights hold NaN, one with labels for another model, one that is a pickle."""
    root = tmp_path_factory.mktemp("ckpts")
    out = {}
    nan = Path(shutil.copytree(SHAPES_WEIGHTS, root / "nan"))
    state = load_file(str(nan / "model.safetensors"))
    state["head.1.weight"][0, 0] = float("nan")
    save_file(state, str(nan / "model.safetensors"))
    out["NaN weights"] = nan
    mismatched = Path(shutil.copytree(SHAPES_WEIGHTS, root / "mismatched"))
    (mismatched / "labels.json").write_text(json.dumps(["a", "b"]))
    out["mismatched labels"] = mismatched
    evil = Path(shutil.copytree(SHAPES_WEIGHTS, root / "evil"))
    marker = root / "pwned"

    class Payload:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    torch.save({"w": Payload()}, evil / "model.safetensors")  # a pickle posing as safetensors
    out["pickle"] = evil
    out["_marker"] = marker
    return out


def one_error_per_line(stderr: str, prog: str) -> list[str]:
    assert "Traceback" not in stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert all(line.startswith(f"{prog}:") for line in lines), lines
    return lines


def test_classify_reports_each_bad_file_and_finishes_the_rest(corpus, tmp_path: Path, capsys) -> None:
    inputs = {**corpus["bad"], **corpus["odd"], **corpus["flip"]}
    out_json = tmp_path / "out.json"
    code = classify_main([str(p) for p in inputs.values()] + ["--json", str(out_json), "--csv", str(tmp_path / "w.csv"), "--quiet", "--brief"])
    captured = capsys.readouterr()
    lines = one_error_per_line(captured.err, "vision-classify")
    assert code == 1
    records = {r["path"]: r for r in json.loads(out_json.read_text())}
    assert len(records) == len(inputs)
    for name, path in corpus["bad"].items():
        assert "error" in records[str(path)], name
        assert sum(str(path) in line for line in lines) == 1, name
    assert "symbolic link" in records[str(corpus["bad"]["symlink loop"])]["error"]
    assert "no such file" not in records[str(corpus["bad"]["zero frames"])]["error"]
    for name, path in corpus["odd"].items():
        assert "error" not in records[str(path)], (name, records[str(path)])
        # the default pose model: a class, or "no person" / "unknown" on these synthetic shapes
        assert records[str(path)]["label"] in json.loads((DEFAULT_WEIGHTS / "labels.json").read_text()) + [NO_PERSON, UNKNOWN]
    assert lines[-1].endswith(f"{len(corpus['bad']) + ('error' in records[str(corpus['flip']['bit-flipped'])])} "
                              f"of {len(inputs)} input(s) failed")


def peak_rss_mb(video: Path) -> float:
    """Peak RSS of a `vision-classify` process on `video`."""
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the forking parent (pytest) across exec.
    script = (
        "import sys; from pathlib import Path; from vision.cli.classify import main; code = main(sys.argv[1:]); "
        "print([l for l in Path('/proc/self/status').read_text().splitlines() if l.startswith('VmHWM')][0].split()[1]); "
        "sys.exit(code)"
    )
    run = subprocess.run([sys.executable, "-c", script, str(video), "--quiet", "--brief"],
                         capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stderr
    return int(run.stdout.strip().splitlines()[-1]) / 1024


def test_8k_video_is_classified_in_bounded_memory(corpus, tmp_path: Path) -> None:
    """Frames are shrunk as they are decoded: memory must not grow with the length of an 8K video
    (12 more full-resolution RGB frames would be 1.2 GB)."""
    from corpus import eight_k

    short, long = corpus["odd"]["8K"], eight_k(tmp_path / "8k-long.mp4", 15)
    assert peak_rss_mb(long) < peak_rss_mb(short) + 300


def test_stream_gives_one_line_per_bad_file_and_runs_odd_ones(corpus, capsys) -> None:
    for name, path in corpus["bad"].items():
        code = stream_main([str(path), "--fast", "--max-seconds", "10"])
        captured = capsys.readouterr()
        assert code == 1, name
        lines = one_error_per_line(captured.err, "vision-stream")
        assert any(path.name in line for line in lines), (name, lines)
    for name in ("one frame", "gray", "10-bit", "variable frame rate"):
        code = stream_main([str(corpus["odd"][name]), "--fast", "--max-seconds", "10", "--quiet"])
        assert code == 0, (name, capsys.readouterr().err)
        capsys.readouterr()


@pytest.mark.parametrize("case", ["NaN weights", "mismatched labels", "pickle"])
def test_bad_checkpoints_in_every_cli(bad_checkpoints, corpus, synth_root: Path, case: str, capsys) -> None:
    weights = str(bad_checkpoints[case])
    video = str(corpus["odd"]["gray"])
    for prog, main, argv in (
        ("vision-classify", classify_main, [video, "--weights", weights]),
        ("vision-stream", stream_main, [video, "--weights", weights, "--fast"]),
        ("vision-eval", eval_main, [weights, str(synth_root), "--quiet"]),
    ):
        assert main(argv) == 1, prog
        lines = one_error_per_line(capsys.readouterr().err, prog)
        assert len(lines) == 1 and weights in lines[0], (prog, lines)
    assert not bad_checkpoints["_marker"].exists()  # the pickle never ran
    with pytest.raises(CheckpointError):
        load_checkpoint(weights)


def test_gui_loaders_report_and_keep_running(qtbot, corpus, bad_checkpoints, tmp_path: Path) -> None:
    from PyQt6.QtCore import QSettings

    from app.window import MainWindow

    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    w = MainWindow(str(corpus["odd"]["gray"]), str(SHAPES_WEIGHTS), "cpu", settings)
    qtbot.addWidget(w)
    w.show()
    for name in ("text", "truncated", "symlink loop", "audio only"):
        path = corpus["bad"][name]
        w.start(str(path))
        qtbot.waitUntil(lambda: w.banner.isVisible() and path.name in w.banner.text(), timeout=20000)
    for case in ("NaN weights", "mismatched labels", "pickle"):
        w.start(str(corpus["odd"]["variable frame rate"]), str(SHAPES_WEIGHTS), loop=True)
        w.choose_model(str(bad_checkpoints[case]))
        qtbot.waitUntil(lambda: w.banner.isVisible() and str(bad_checkpoints[case]) in w.banner.text(), timeout=20000)
    w.start(str(corpus["odd"]["variable frame rate"]), str(SHAPES_WEIGHTS), loop=True)
    qtbot.waitUntil(lambda: w.update_ is not None and w.update_.prediction is not None, timeout=20000)
    w.close()
    assert not bad_checkpoints["_marker"].exists()


def test_killed_classify_leaves_valid_json_and_csv(corpus, tmp_path: Path) -> None:
    """SIGKILL in the middle of a batch: everything reported before it is intact on disk."""
    videos = [str(corpus["odd"][n]) for n in ("gray", "yuv444", "black", "variable frame rate")] * 6
    out_json, out_csv = tmp_path / "r.json", tmp_path / "r.csv"
    proc = subprocess.Popen([sys.executable, "-m", "vision.cli.classify", *videos, "--json", str(out_json),
                             "--csv", str(out_csv), "--quiet", "--brief"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if out_json.exists() and len(json.loads(out_json.read_text() or "[]")) >= 3:
            break
        time.sleep(0.05)
    proc.kill()
    proc.wait()
    records = json.loads(out_json.read_text())  # valid JSON at any moment
    assert 3 <= len(records) < len(videos)
    rows = out_csv.read_text().splitlines()
    assert rows[0].startswith("path,window") and all(len(r.split(",")) == 9 for r in rows)
    assert {r.split(",")[0] for r in rows[1:]} >= {r["path"] for r in records}


def test_disk_full_while_saving_keeps_the_previous_checkpoint(tmp_path: Path, monkeypatch) -> None:
    import errno

    import safetensors.torch

    ckpt = load_checkpoint(SHAPES_WEIGHTS)
    target = save_checkpoint(tmp_path / "best", ckpt.model, ckpt.clip_config, ckpt.labels)
    before = (target / "model.safetensors").read_bytes()

    def full_disk(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(safetensors.torch, "save_file", full_disk)
    with pytest.raises(OSError):
        save_checkpoint(target, ckpt.model, ckpt.clip_config, ckpt.labels)
    monkeypatch.undo()
    assert (target / "model.safetensors").read_bytes() == before
    assert not list(tmp_path.glob(".best.tmp-*"))
    x = torch.randn(1, 4, 3, 112, 112)
    with torch.no_grad():
        assert torch.equal(load_checkpoint(target).model(x).logits, ckpt.model(x).logits)


def test_eval_skips_unreadable_videos_with_one_warning(corpus, synth_root: Path, tmp_path: Path, capsys) -> None:
    data = Path(shutil.copytree(synth_root, tmp_path / "data"))
    cls = sorted(p.name for p in data.iterdir() if p.is_dir())[0]
    for name in ("truncated", "text"):
        shutil.copy(corpus["bad"][name], data / cls / f"v_{cls}_g01_c9{len(name)}.avi")
    with (data / "testlist01.txt").open("a") as f:
        f.writelines(f"{cls}/v_{cls}_g01_c9{len(name)}.avi\r\n" for name in ("truncated", "text"))
    assert eval_main([str(SHAPES_WEIGHTS), str(data), "--out", str(tmp_path / "eval"), "--quiet"]) == 0
    err = capsys.readouterr().err
    assert "Traceback" not in err and "2 video(s) could not be read" in err
    summary = json.loads((tmp_path / "eval" / "summary.json").read_text())
    assert summary["videos"] == len((synth_root / "testlist01.txt").read_text().split())
