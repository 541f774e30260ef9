"""What every console script shares: the error contract and a few common flags."""
from __future__ import annotations

import argparse
import sys
import traceback
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
