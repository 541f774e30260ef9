"""`vision-app [--source 0|PATH|URL] [--weights DIR] [--loop] [--device] [--unknown-threshold T]`: the desktop live view."""
from __future__ import annotations

import argparse
import sys


def build_parser() -> argparse.ArgumentParser:
    from vision.cli.classify import DEFAULT_WEIGHTS, add_unknown_threshold

    p = argparse.ArgumentParser(prog="vision-app", description=__doc__.splitlines()[0].split(": ", 1)[1])
    p.add_argument("--source", default=None, help="webcam index, video file or stream URL (default: camera 0; "
                   "the demo video when there is no camera)")
    p.add_argument("--weights", default=None, help=f"checkpoint directory (default: the last one used, else {DEFAULT_WEIGHTS})")
    p.add_argument("--loop", action="store_true", help="play a video file over and over (the demo video always loops)")
    p.add_argument("--device", default="auto", help="auto (CUDA when present), cpu, cuda, cuda:N")
    add_unknown_threshold(p)
    return p


def parse_source(text: str | None) -> str | int:
    """'0' -> camera 0; anything else is a path or URL."""
    if text is None:
        return 0
    return int(text) if text.isdigit() else text


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from PyQt6.QtCore import QSettings
    from PyQt6.QtWidgets import QApplication

    from app.window import MainWindow
    from vision.cli.classify import DEFAULT_WEIGHTS, resolve_weights

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName("vision-action")  # where QStandardPaths puts the teach-mode data
    app.setApplicationName("vision-app")
    settings = QSettings("vision-action", "vision-app")
    weights = str(resolve_weights(args.weights or str(settings.value("weights", str(DEFAULT_WEIGHTS)))))
    window = MainWindow(parse_source(args.source), weights, args.device, settings, loop=args.loop or None,
                        unknown_threshold=args.unknown_threshold)
    window.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
