"""Batch-mode result files, safe against a crash mid-corpus.

JSON: one array, rewritten atomically after every video (always valid). JSON Lines (`.jsonl`):
one object appended per video. CSV: one row per window, appended per video. Each write is
flushed and fsynced, so what was reported before a crash is on disk intact.
"""
from __future__ import annotations

import csv
import itertools
import io
import json
import os
from pathlib import Path
from typing import Any, Callable

from vision.atomic import atomic_file
from vision.engine.batch import VideoResult
from vision.engine.posefront import NO_PERSON


def timeline_runs(result: VideoResult) -> list[tuple[float, float, str, float]]:
    """Consecutive windows with the same top label merged: (start s, end s, label, mean prob).

    Each window stands for the time around its centre, so the runs tile [0, duration]. A run of
    "no person" has no probability (NaN).
    """
    centres = [(w.start + w.end) / 2 for w in result.windows]
    # Runs meet halfway between the centres of their outer windows.
    cuts = [0.0] + [(a + b) / 2 for a, b in zip(centres, centres[1:])] + [result.duration]
    runs, i = [], 0
    for label, group in itertools.groupby(result.windows, key=lambda w: w.label):
        probs = [w.probs[0] for w in group]
        mean = float("nan") if label == NO_PERSON else sum(probs) / len(probs)
        runs.append((cuts[i], cuts[i + len(probs)], label, mean))
        i += len(probs)
    return runs


def format_timeline(result: VideoResult) -> str:
    """The runs as indented text lines, e.g. `    0.0 -  3.2 s  MoveLeft  0.99`."""
    return "\n".join(f"  {a:6.1f} - {b:5.1f} s  {label:<24} {'' if p != p else f'{p:.2f}'}".rstrip()
                     for a, b, label, p in timeline_runs(result))


CSV_COLUMNS = ("path", "window", "start", "end", "label", "probability", "topk_labels", "topk_probs", "reason")


def window_rows(result: VideoResult) -> list[list[Any]]:
    """One CSV row per window of a classified video (columns `CSV_COLUMNS`)."""
    return [
        [result.path, i, f"{w.start:.3f}", f"{w.end:.3f}", w.label, f"{w.probs[0]:.5f}",
         "|".join(w.labels), "|".join(f"{p:.5f}" for p in w.probs), w.reason]
        for i, w in enumerate(result.windows)
    ]


class ResultWriter:
    """Writes per-video results to an optional JSON/JSONL file and an optional CSV file.

    `columns` and `rows_of` (result -> CSV rows) default to classification windows.
    """

    def __init__(self, json_path: Path | None, csv_path: Path | None, columns: tuple[str, ...] = CSV_COLUMNS,
                 rows_of: Callable[[Any], list[list[Any]]] = window_rows) -> None:
        self.json_path, self.csv_path = json_path, csv_path
        self.rows_of = rows_of
        self.records: list[dict[str, Any]] = []
        if json_path is not None:
            json_path.parent.mkdir(parents=True, exist_ok=True)
            if self._jsonl:
                json_path.write_text("")
            else:
                self._write_json()
        if csv_path is not None:
            csv_path.parent.mkdir(parents=True, exist_ok=True)
            with csv_path.open("w", newline="") as f:
                csv.writer(f).writerow(columns)

    @property
    def _jsonl(self) -> bool:
        return self.json_path is not None and self.json_path.suffix == ".jsonl"

    def _write_json(self) -> None:
        with atomic_file(self.json_path) as tmp:
            tmp.write_text(json.dumps(self.records, indent=1) + "\n")

    def _append(self, path: Path, text: str) -> None:
        with path.open("a", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())

    def add(self, record: dict[str, Any], result: Any = None) -> None:
        """Record one video: a result's JSON or a failure `{"path", "error"}`."""
        self.records.append(record)
        if self.json_path is not None:
            if self._jsonl:
                self._append(self.json_path, json.dumps(record) + "\n")
            else:
                self._write_json()
        if self.csv_path is not None and result is not None:
            buf = io.StringIO()
            csv.writer(buf).writerows(self.rows_of(result))
            self._append(self.csv_path, buf.getvalue())
