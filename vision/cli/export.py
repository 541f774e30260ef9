"""`vision-export CHECKPOINT --format onnx|torchscript [--int8] --out DIR`: deployable graphs."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from vision.cli.common import add_common, run_cli


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="vision-export", description=__doc__.splitlines()[0].split(": ", 1)[1])
    p.add_argument("checkpoint", help="checkpoint directory (e.g. weights/default or runs/NAME/best)")
    p.add_argument("--format", default="onnx", choices=["onnx", "torchscript"], help="graph format (onnx)")
    p.add_argument("--int8", action="store_true", help="dynamic int8 quantization of the Linear/LSTM weights")
    p.add_argument("--out", type=Path, required=True, help="export directory to write (replaced atomically)")
    add_common(p)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)

    def body() -> int:
        from vision.export.exporter import export_checkpoint
        from vision.export.runtime import RUNTIME_OF_FORMAT, load_export

        out = export_checkpoint(args.checkpoint, args.out, args.format, args.int8)
        load_export(out, RUNTIME_OF_FORMAT[args.format])  # it must load and run
        if not args.quiet:
            size = sum(p.stat().st_size for p in out.iterdir()) / 1e6
            print(f"wrote {out} ({args.format}{' int8' if args.int8 else ''}, {size:.2f} MB): "
                  + ", ".join(sorted(p.name for p in out.iterdir())))
        return 0

    return run_cli("vision-export", body, args.debug)


if __name__ == "__main__":
    sys.exit(main())
