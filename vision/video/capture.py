"""`CaptureThread`: read a source in the background and hand over only the latest frame.

A slow consumer drops frames instead of building a backlog (one slot, latest wins, memory
bounded); a file is paced at its native fps (or read as fast as possible); a lost camera or
stream is reopened with exponential backoff; `stop()` joins the thread and releases the source.
"""
from __future__ import annotations

import enum
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from vision.errors import VideoError
from vision.video.sources import FrameReader, is_camera, is_url, open_reader, redact


class SourceState(str, enum.Enum):
    CONNECTING = "connecting"
    RUNNING = "running"
    RECONNECTING = "reconnecting"
    ENDED = "ended"  # end of file, not looping
    FAILED = "failed"  # could not (re)open and reconnecting is off or exhausted
    STOPPED = "stopped"


@dataclass(frozen=True)
class CapturedFrame:
    """A frame and where it came from: source time and the monotonic time it was captured."""

    index: int
    timestamp: float
    captured_at: float
    rgb: np.ndarray


@dataclass(frozen=True)
class CaptureStats:
    captured: int
    delivered: int
    dropped: int
    fps: float


StateListener = Callable[[SourceState, str], None]


def rate(times: Sequence[float]) -> float:
    """Events per second over a window of monotonic timestamps (0 until two distinct ones)."""
    return (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 and times[-1] > times[0] else 0.0


class CaptureThread:
    """Background capture of `source` (camera index, file path or URL).

    Args:
        realtime: pace files at their native fps (cameras and streams are live anyway).
        loop: restart a file at its end instead of ending.
        reconnect: reopen a failed source with backoff (`backoff` = first, max seconds).
        max_retries: give up (FAILED) after this many failed reopen attempts; None = forever.
        retry_first_open: whether a source that cannot be opened at the start is retried like a
            lost one (default: cameras and streams yes, files no - waiting will not bring a file).
        opener: makes a `FrameReader` (tests inject failing readers here).
        on_state: called (from the capture thread) on every state change with a message.
    """

    def __init__(
        self,
        source: str | int,
        *,
        realtime: bool = True,
        loop: bool = False,
        reconnect: bool = True,
        backoff: tuple[float, float] = (0.5, 8.0),
        max_retries: int | None = None,
        retry_first_open: bool | None = None,
        opener: Callable[[str | int], FrameReader] = open_reader,
        on_state: StateListener | None = None,
    ) -> None:
        self.source, self.name = source, redact(source)
        self.realtime, self.loop, self.reconnect = realtime, loop, reconnect
        self.backoff, self.max_retries = backoff, max_retries
        self.retry_first_open = (is_camera(source) or is_url(source)) if retry_first_open is None else retry_first_open
        self.opener, self.on_state = opener, on_state
        self._cond = threading.Condition()
        self._slot: CapturedFrame | None = None
        self._stop = threading.Event()
        self._state, self.message = SourceState.CONNECTING, ""
        self._captured = self._delivered = self._dropped = 0
        self._times: deque[float] = deque(maxlen=30)
        self._thread = threading.Thread(target=self._run, name=f"capture:{self.name}", daemon=True)

    # -- consumer side ---------------------------------------------------------------
    def start(self) -> "CaptureThread":
        self._thread.start()
        return self

    @property
    def state(self) -> SourceState:
        return self._state

    def wait_frame(self, after: int = -1, timeout: float | None = None) -> CapturedFrame | None:
        """The latest frame newer than index `after`; None on timeout or once capture has ended."""
        with self._cond:
            ok = self._cond.wait_for(lambda: (self._slot is not None and self._slot.index > after) or self._done(), timeout)
            if not ok or self._slot is None or self._slot.index <= after:
                return None
            self._delivered += 1
            frame, self._slot = self._slot, None
            return frame

    def stats(self) -> CaptureStats:
        with self._cond:
            return CaptureStats(self._captured, self._delivered, self._dropped, rate(self._times))

    def stop(self, timeout: float = 5.0) -> None:
        """Stop capturing, join the thread and release the source."""
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout)
        if self._state not in (SourceState.ENDED, SourceState.FAILED):
            self._set_state(SourceState.STOPPED, "stopped")

    def is_alive(self) -> bool:
        return self._thread.is_alive()

    def __enter__(self) -> "CaptureThread":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- capture thread ----------------------------------------------------------------
    def _done(self) -> bool:
        return self._stop.is_set() or self._state in (SourceState.ENDED, SourceState.FAILED, SourceState.STOPPED)

    def _set_state(self, state: SourceState, message: str) -> None:
        with self._cond:
            changed = state != self._state or message != self.message
            self._state, self.message = state, message
            self._cond.notify_all()
        if changed and self.on_state is not None:
            self.on_state(state, message)

    def _publish(self, rgb: np.ndarray, timestamp: float) -> None:
        now = time.monotonic()
        with self._cond:
            if self._slot is not None:
                self._dropped += 1  # the consumer never took it: latest wins
            self._slot = CapturedFrame(self._captured, timestamp, now, rgb)
            self._captured += 1
            self._times.append(now)
            self._cond.notify_all()

    def _open(self, first: bool = False) -> FrameReader | None:
        """Open the source, retrying with exponential backoff; None when stopped or given up.

        At the start, `retry_first_open` decides whether to retry at all.
        """
        delay, attempts = self.backoff[0], 0
        retry = self.reconnect and (self.retry_first_open or not first)
        while not self._stop.is_set():
            try:
                return self.opener(self.source)
            except (VideoError, OSError) as exc:
                attempts += 1
                if not retry or (self.max_retries is not None and attempts > self.max_retries):
                    self._set_state(SourceState.FAILED, str(exc))
                    return None
                self._set_state(SourceState.RECONNECTING, f"{exc}; retrying in {delay:.1f} s")
                self._stop.wait(delay)
                delay = min(delay * 2, self.backoff[1])
        return None

    def _run(self) -> None:
        reader = self._open(first=True)
        offset = 0.0  # keeps timestamps increasing across loops and reconnects
        while reader is not None and not self._stop.is_set():
            self._set_state(SourceState.RUNNING, self.name)
            wall0, ts0, last = time.monotonic(), None, 0.0
            try:
                while not self._stop.is_set():
                    item = reader.read()
                    if item is None:
                        break
                    rgb, ts = item
                    ts0 = ts if ts0 is None else ts0
                    if self.realtime and not reader.live:  # pace a file at its own clock
                        self._stop.wait(max(0.0, (ts - ts0) - (time.monotonic() - wall0)))
                    last = ts
                    self._publish(rgb, offset + ts)
            except (VideoError, OSError) as exc:
                reader.close()
                offset += last
                self._set_state(SourceState.RECONNECTING, str(exc))
                reader = self._open() if self.reconnect else None
                if reader is None and not self._stop.is_set() and self._state != SourceState.FAILED:
                    self._set_state(SourceState.FAILED, str(exc))
                continue
            reader.close()
            if self._stop.is_set():
                break
            if not self.loop:
                self._set_state(SourceState.ENDED, f"{self.name}: end of file")
                return
            offset += last + (1.0 / reader.fps if reader.fps else 0.0)
            reader = self._open()
        if reader is not None:
            reader.close()
