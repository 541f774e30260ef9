"""Draw the model's spatial attention over frames; shared by annotated videos and the GUI."""
from __future__ import annotations

import cv2
import numpy as np

COLORMAPS = {
    "turbo": cv2.COLORMAP_TURBO,
    "jet": cv2.COLORMAP_JET,
    "inferno": cv2.COLORMAP_INFERNO,
    "viridis": cv2.COLORMAP_VIRIDIS,
    "hot": cv2.COLORMAP_HOT,
}


def normalized_map(attention: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Attention (h, w) summing to 1 -> float32 (H, W) in [0, 1], peak at 1, smoothly upsampled."""
    attn = np.asarray(attention, np.float32)
    peak = float(attn.max())
    attn = attn / peak if peak > 0 else attn
    return cv2.resize(attn, size, interpolation=cv2.INTER_CUBIC).clip(0, 1)


def _colorize(m: np.ndarray, colormap: str) -> np.ndarray:
    """A [0, 1] float map (H, W) -> RGB uint8 (H, W, 3) through an OpenCV colormap."""
    return cv2.cvtColor(cv2.applyColorMap((m * 255).astype(np.uint8), COLORMAPS[colormap]), cv2.COLOR_BGR2RGB)


def heatmap_rgb(attention: np.ndarray, size: tuple[int, int], colormap: str = "turbo") -> np.ndarray:
    """Colour-mapped attention (H, W, 3) uint8 RGB for an output `size` of (width, height)."""
    return _colorize(normalized_map(attention, size), colormap)


def blend(frame: np.ndarray, attention: np.ndarray, opacity: float = 0.5, colormap: str = "turbo") -> np.ndarray:
    """Blend the heatmap onto an RGB frame; opacity scales with attention so quiet areas stay clear."""
    h, w = frame.shape[:2]
    m = normalized_map(attention, (w, h))
    alpha = (opacity * np.sqrt(m)).astype(np.float32)  # (H, W)
    # One C pass (2.5x faster than the same arithmetic in float32 numpy at 640x480).
    return cv2.blendLinear(_colorize(m, colormap), np.ascontiguousarray(frame), alpha, 1 - alpha)


def draw_caption(frame: np.ndarray, lines: list[str]) -> np.ndarray:
    """Draw text lines on a translucent box at the top-left of an RGB frame (in place)."""
    if not lines:
        return frame
    scale = max(0.4, frame.shape[0] / 720)
    thick = max(1, round(scale * 1.5))
    sizes = [cv2.getTextSize(t, cv2.FONT_HERSHEY_SIMPLEX, scale, thick)[0] for t in lines]
    line_h = max(s[1] for s in sizes) + int(10 * scale)
    box_w = min(frame.shape[1], max(s[0] for s in sizes) + int(16 * scale))
    box_h = min(frame.shape[0], line_h * len(lines) + int(8 * scale))
    region = frame[:box_h, :box_w]
    region[:] = (region.astype(np.float32) * 0.45).astype(np.uint8)
    for i, text in enumerate(lines):
        y = int(6 * scale) + line_h * (i + 1) - int(6 * scale)
        cv2.putText(frame, text, (int(8 * scale), y), cv2.FONT_HERSHEY_SIMPLEX, scale, (255, 255, 255), thick, cv2.LINE_AA)
    return frame


def top_lines(labels: list[str], probs: list[float], k: int = 3) -> list[str]:
    """Caption lines `Label 0.91` for the top `k` labels."""
    return [f"{label} {p:.2f}" for label, p in zip(labels[:k], probs[:k])]


def caption_lines(labels: list[str], probs: list[float], status: str = "", reason: str = "", k: int = 3) -> list[str]:
    """What a caption says of a prediction: its status ("no person", "unknown") and the reason
    when it has one, else the top `k` labels."""
    if status:
        return [status] + ([reason] if reason else [])
    return top_lines(labels, probs, k)


def annotate(
    frame: np.ndarray, attention: np.ndarray | None, opacity: float, colormap: str, lines: list[str]
) -> np.ndarray:
    """A new RGB frame with the heatmap blended on (skipped when `attention` is None or opacity 0)
    and caption `lines` drawn: what annotated videos, snapshots and recordings show."""
    out = blend(frame, attention, opacity, colormap) if attention is not None and opacity > 0 else frame.copy()
    return draw_caption(out, lines)
