"""Soak: `vision-stream` on a looping file for 10 minutes (slow; `pytest -m slow tests/test_soak.py`).

Samples the process's RSS and thread count from /proc every few seconds and the latency of
every prediction; after a one-minute warm-up, RSS may grow < 50 MB, the usual thread count must
be the same at the end as at the start (at each loop's reopen the next decoder's threads start
before the old ones are gone, a brief overlap), and the median latency of the last minute must stay within 1.5x (+5 ms) of the first.
`SOAK_SECONDS` overrides the length.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from vision.video.encode import write_video
from vision.video.synth import render_sequence

SECONDS = float(os.environ.get("SOAK_SECONDS", "600"))
WARM_UP = min(60.0, SECONDS / 5)


def proc_status(pid: int) -> tuple[float, int]:
    """(RSS in MB, thread count) of a live process."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines())
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["Threads"])


@pytest.mark.slow
@pytest.mark.timeout(int(SECONDS) + 180)
def test_stream_soak(tmp_path: Path) -> None:
    frames, _ = render_sequence(["MoveLeft", "Wave", "Grow", "Jump"], 3.0, np.random.default_rng(0), 640, 480, 30)
    video = write_video(tmp_path / "loop.mp4", frames, 30)
    proc = subprocess.Popen([sys.executable, "-m", "vision.cli.stream", str(video), "--loop", "--max-seconds",
                             str(SECONDS)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    latencies: list[tuple[float, float]] = []
    started = time.monotonic()

    def read() -> None:
        for line in proc.stdout:
            latencies.append((time.monotonic() - started, json.loads(line)["latency_ms"]))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    samples: list[tuple[float, float, int]] = []
    while proc.poll() is None:
        try:
            samples.append((time.monotonic() - started, *proc_status(proc.pid)))
        except (FileNotFoundError, ProcessLookupError):
            break
        time.sleep(5)
    reader.join(10)
    assert proc.wait() == 0, proc.stderr.read()
    steady = [(t, rss, n) for t, rss, n in samples if t >= WARM_UP]
    lat = np.array(latencies)
    first = np.median(lat[(lat[:, 0] >= WARM_UP) & (lat[:, 0] < WARM_UP + 60), 1])
    last = np.median(lat[lat[:, 0] >= lat[-1, 0] - 60, 1])
    growth = steady[-1][1] - steady[0][1]
    counts = [n for _, _, n in steady]
    third = max(1, len(counts) // 3)
    usual_first = Counter(counts[:third]).most_common(1)[0][0]
    usual_last = Counter(counts[-third:]).most_common(1)[0][0]
    print(f"\nsoak {SECONDS:.0f} s: {len(lat)} predictions ({len(lat) / SECONDS:.1f}/s); RSS {steady[0][1]:.0f} -> "
          f"{steady[-1][1]:.0f} MB (growth {growth:+.1f} MB, max {max(s[1] for s in steady):.0f}); threads usually {usual_first} at the start, {usual_last} at the end (range {min(counts)}-{max(counts)}); "
          f"latency median first minute {first:.1f} ms, last minute {last:.1f} ms, p95 overall "
          f"{np.percentile(lat[:, 1], 95):.1f} ms")
    assert growth < 50
    assert usual_last == usual_first and max(counts) <= usual_first + 8
    assert last <= 1.5 * first + 5
