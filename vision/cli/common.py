"""What every console script shares: the error contract and a few common flags."""
from __future__ import annotations

import argparse
import glob
import sys
import traceback
from pathlib import Path
from typing import Callable


def add_common(parser: argparse.ArgumentParser) -> None:
    """`--device`, `--quiet` and `--debug`."""
    parser.add_argument("--device", default="auto", help="auto (CUDA when present), cpu, cuda, cuda:N")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    parser.add_argument("--debug", action="store_true", help="show full tracebacks on errors")


def run_cli(prog: str, body: Callable[[], int], debug: bool) -> int:
    """Run `body`; library errors become one line on stderr and exit 1 (Ctrl-C: 130)."""
    from vision.errors import VisionError

    try:
        return body()
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        return 130
    except (VisionError, OSError, FloatingPointError) as exc:
        if debug:
            traceback.print_exc()
        message = " ".join(str(exc).split())
        print(f"{prog}: error: {message}", file=sys.stderr)
        return 1


def expand_inputs(inputs: list[str]) -> list[Path]:
    """Files, directories (recursive, video suffixes) and globs -> paths, in order, deduplicated.

    A name that matches nothing is kept, so it is reported as missing rather than dropped.
    """
    from vision.data.ucf import VIDEO_SUFFIXES

    out: list[Path] = []
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.suffix.lower() in VIDEO_SUFFIXES and p.is_file())
            out += found or [path]  # an empty folder is reported, not silently skipped
        elif not path.exists() and glob.has_magic(item):
            out += sorted(Path(p) for p in glob.glob(item, recursive=True) if Path(p).is_file())
        else:
            out.append(path)
    seen: set[Path] = set()
    return [p for p in out if not (p in seen or seen.add(p))]


def output_video_path(target: Path, source: Path, many: bool, tag: str = "annotated") -> Path:
    """Where a per-input output video goes: `target` itself, or `target/<stem>.<tag>.mp4` when
    there are several inputs or `target` is a directory."""
    if many or target.is_dir() or not target.suffix:
        return target / f"{source.stem}.{tag}.mp4"
    return target


def report_failure(prog: str, writer, path: Path, exc: BaseException) -> None:  # noqa: ANN001 (ResultWriter)
    """One input of a batch failed: one line on stderr, an `{"path", "error"}` record, go on."""
    message = " ".join(str(exc).split())
    print(f"{prog}: error: {message}", file=sys.stderr)
    writer.add({"path": str(path), "error": message})


def batch_exit(prog: str, failed: int, total: int) -> int:
    """The exit code of a batch: 1 (with a summary line) if any input failed, else 0."""
    if failed:
        print(f"{prog}: {failed} of {total} input(s) failed", file=sys.stderr)
    return 1 if failed else 0
