"""`Recorder`: writes annotated frames to an MP4 in its own thread, so the GUI never waits on encoding."""
from __future__ import annotations

import queue
import threading
from pathlib import Path

import cv2
import numpy as np

from vision.video.encode import VideoWriter


class Recorder:
    """`write(rgb)` queues a frame (dropped and counted if the encoder is 2 s behind); `close()`
    drains the queue and finalises the file. Frames are scaled to the first frame's size."""

    def __init__(self, path: str | Path, fps: float) -> None:
        self.path, self.fps = Path(path), fps
        self.written = self.dropped = 0
        self.error: str | None = None
        self._queue: queue.Queue[np.ndarray | None] = queue.Queue(maxsize=max(2, int(2 * fps)))
        self._size: tuple[int, int] | None = None
        self._thread = threading.Thread(target=self._run, name="recorder", daemon=True)
        self._thread.start()

    def write(self, rgb: np.ndarray) -> None:
        if self._size is None:
            self._size = (rgb.shape[1] // 2 * 2, rgb.shape[0] // 2 * 2)  # H.264 wants even sizes
        try:
            self._queue.put_nowait(rgb)
        except queue.Full:
            self.dropped += 1

    def close(self) -> Path:
        """Finish writing; returns the file path."""
        self._queue.put(None)
        self._thread.join()
        return self.path

    def _run(self) -> None:
        writer: VideoWriter | None = None
        try:
            while (rgb := self._queue.get()) is not None:
                if writer is None:
                    writer = VideoWriter(self.path, self.fps)
                if (rgb.shape[1], rgb.shape[0]) != self._size:
                    rgb = cv2.resize(rgb, self._size, interpolation=cv2.INTER_AREA)
                writer.write(rgb)
                self.written += 1
        except Exception as exc:  # disk full, bad path: reported by the window, never raised into Qt
            self.error = f"{self.path}: {exc}"
            while self._queue.get() is not None:  # keep draining so close() returns
                pass
        finally:
            try:
                if writer is not None:
                    writer.close()
            except Exception as exc:
                self.error = self.error or f"{self.path}: {exc}"
