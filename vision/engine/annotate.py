"""Re-encode a classified video with its attention heatmap and current label on every frame."""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from vision.engine.batch import VideoResult
from vision.overlay import annotate, caption_lines
from vision.video.decode import iter_frames
from vision.video.encode import VideoWriter

MAX_WIDTH = 1920  # larger inputs are scaled down for the annotated copy


def window_for_each_frame(result: VideoResult) -> np.ndarray:
    """For each sampled frame, the index of the window whose centre is nearest to it."""
    centres = np.array([(w.first_frame + w.last_frame) / 2 for w in result.windows])
    frames = np.arange(result.frames)
    return np.abs(frames[:, None] - centres[None, :]).argmin(axis=1)


def write_annotated(
    result: VideoResult, out: str | Path, opacity: float = 0.5, colormap: str = "turbo", k: int = 3
) -> Path:
    """Decode `result.path` again at its native rate and write the annotated copy to `out`."""
    which = window_for_each_frame(result)
    with VideoWriter(out, result.native_fps) as writer:
        for frame in iter_frames(result.path):
            j = max(0, int(np.searchsorted(result.times, frame.time + 1e-6)) - 1)  # latest sampled frame
            rgb = frame.rgb
            if rgb.shape[1] > MAX_WIDTH:
                scale = MAX_WIDTH / rgb.shape[1]
                rgb = cv2.resize(rgb, (MAX_WIDTH, round(rgb.shape[0] * scale)), interpolation=cv2.INTER_AREA)
            w = result.windows[which[j]]
            lines = [f"{frame.time:6.2f}s"] + caption_lines(w.labels, w.probs, w.status, w.reason, k)
            writer.write(annotate(rgb, result.attention_maps[j], opacity, colormap, lines))
    return Path(out)
