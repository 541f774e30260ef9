"""The MODEL_CARD.md of a few-shot checkpoint: what it saw, how it was chosen, what it measured."""
from __future__ import annotations

from typing import TYPE_CHECKING

from vision.config import ClipConfig

if TYPE_CHECKING:
    from vision.train.fewshot_types import FewShotConfig, FewShotResult


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def model_card(config: FewShotConfig, result: FewShotResult, clip: ClipConfig) -> str:
    """Markdown: data (every clip), encoder, head choice, held-out accuracy, unknown answer."""
    window = clip.num_frames / clip.fps if clip.fps else None
    lines = [
        f"# Few-shot model: {', '.join(result.labels)}",
        "",
        f"Trained by `vision-train {config.data_dir} --out {config.out} --few-shot` in "
        f"{result.seconds.get('total', 0):.1f} s (embedding {result.seconds.get('embed', 0):.1f} s, "
        f"heads {result.seconds.get('heads', 0):.1f} s).",
        "",
        "## How",
        "",
        f"- Frozen **{result.input}** encoder: `{result.encoder}`; window {clip.num_frames} frames at "
        f"{clip.fps:g} fps" + (f" ({window:.1f} s)" if window else "") + ".",
        f"- Each clip embedded once in {config.views} version(s) (as recorded + meaning-preserving changes; "
        f"mirroring {'on' if config.mirror else 'off'}) x up to {config.crops} temporal crops.",
        f"- Head: **{result.head}** (chosen on held-out folds of whole clips).",
        "",
        "## Held-out accuracy (clips never seen by the model that scored them)",
        "",
        "| head | clip accuracy |",
        "|---|---|",
    ]
    lines += [f"| {kind}{' (chosen)' if kind == result.head else ''} | {_pct(acc)} |" for kind, acc in result.heldout.items()]
    if not result.heldout:
        lines.append("| (none: every class has one clip) | n/a |")
    lines += ["", "| class | right / held out |", "|---|---|"]
    lines += [f"| {name} | {right} / {total} |" for name, (right, total) in result.per_class.items()]
    if result.test_accuracy is not None:
        lines += ["", f"Accuracy on the dataset's test list: {_pct(result.test_accuracy)}."]
    lines += ["", "## Unknown answer", ""]
    r = result.rejection
    if r is None:
        lines.append("Not calibrated (needs held-out clips of at least two classes).")
    else:
        rule = (f"summary farther than {r['value']:.3g} (scaled squared distance) from every class prototype"
                if r["method"] == "distance" else f"top probability below {r['value']:.3f}")
        lines.append(f"A window is **unknown** when its {rule}. On held-out windows it accepted "
                     f"{r['accept_known']:.0%} of known classes and **{r['false_accept']:.0%} false accepts** on clips "
                     "of a class the model was trained without (each class left out in turn).")
    lines += ["", "## Clips", "", "| class | clip | seconds | frames | person |", "|---|---|---|---|---|"]
    for c in result.clips:
        person = "" if c["person"] is None else f"{c['person']:.0%}"
        lines.append(f"| {c['class']} | {c['path']} | {c['seconds']:.1f} | {c['frames']} | {person} |")
    if result.skipped:
        lines += ["", "Skipped: " + "; ".join(reason for _, reason in result.skipped)]
    if result.warnings:
        lines += ["", "## Warnings", ""] + [f"- {w}" for w in result.warnings]
    lines += ["", "## Intended use", "",
              "Recognising these actions as they were recorded (same person, place and camera). A handful of clips "
              "says little about other people or views; add clips of each where that matters.", ""]
    return "\n".join(lines)
