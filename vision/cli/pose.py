"""`vision-pose VIDEO...`: 33 body landmarks per frame (BlazePose, tracked), JSON/CSV out.

Inputs may be files, directories (searched recursively) or glob patterns. A failing input is
reported on stderr and the others go on; the exit code is 1 if any input failed.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from vision.cli.common import add_common, batch_exit, report_failure, run_cli


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="vision-pose", description=__doc__.splitlines()[0])
    p.add_argument("inputs", nargs="+", metavar="VIDEO", help="video files, directories or glob patterns")
    p.add_argument("--json", type=Path, help="write a JSON array, one object per video (JSON Lines if it ends in .jsonl)")
    p.add_argument("--csv", type=Path, help="write one CSV row per frame and person")
    p.add_argument("--save-video", type=Path, help="video with the skeleton drawn (a directory when there are several inputs)")
    p.add_argument("--no-smooth", action="store_true", help="raw landmarks, without MediaPipe's One-Euro smoothing")
    p.add_argument("--backend", default="auto", choices=["auto", "torch", "onnxruntime"],
                   help="auto (default): onnxruntime on the CPU when installed, torch otherwise")
    add_common(p)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)

    def body() -> int:
        from tqdm import tqdm

        from vision.cli.common import expand_inputs, output_video_path
        from vision.engine.outputs import ResultWriter
        from vision.errors import VisionError
        from vision.pose.estimator import PoseEstimator
        from vision.pose.tracker import PoseTracker
        from vision.pose.video import CSV_COLUMNS, csv_rows, track_video, write_skeleton_video

        tracker = PoseTracker(PoseEstimator(args.device, backend=args.backend), smooth=not args.no_smooth)
        paths = expand_inputs(args.inputs)
        writer = ResultWriter(args.json, args.csv, columns=CSV_COLUMNS, rows_of=csv_rows)
        failed = 0
        for path in paths:
            bar = tqdm(unit="frame", desc=path.name[-30:], leave=False, disable=args.quiet or None)

            def progress(done: int, total: int) -> None:
                bar.total = max(total, done)
                bar.update(done - bar.n)

            try:
                video = track_video(path, tracker, progress)
                if args.save_video is not None:
                    write_skeleton_video(video, output_video_path(args.save_video, path, len(paths) > 1, tag="pose"))
            except (VisionError, OSError) as exc:
                failed += 1
                bar.close()
                report_failure("vision-pose", writer, path, exc)
                continue
            bar.close()
            writer.add(video.to_json(), video)
            print(f"{path}  person in {video.found_rate:.0%} of {len(video.poses)} frames "
                  f"({len({p.track for p in video.poses if p is not None})} track(s))")
        return batch_exit("vision-pose", failed, len(paths))

    return run_cli("vision-pose", body, args.debug)


if __name__ == "__main__":
    sys.exit(main())
