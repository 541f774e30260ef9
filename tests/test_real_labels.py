"""The hand labels of real clips (tests/data/*real_labels.json) that bench/real_eval.py scores against."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from vision.synth.actions import CLASSES

DATA = Path(__file__).parent / "data"
LABELS = set(CLASSES) | {"other", "no_person", "ambiguous"}


@pytest.mark.parametrize("name", ["real_labels.json", "extra_real_labels.json", "heldout_real_labels.json"])
def test_every_clip_is_covered_by_contiguous_known_labels_and_names_its_source(name: str) -> None:
    clips = json.loads((DATA / name).read_text())
    assert clips and len({c["path"] for c in clips}) == len(clips)
    for clip in clips:
        assert clip["source"] and clip["license"] and isinstance(clip["redistributable"], bool), clip["path"]
        segments = clip["segments"]
        assert segments[0]["start"] == 0, clip["path"]
        assert abs(segments[-1]["end"] - clip["duration"]) < 0.01, clip["path"]
        for seg, after in zip(segments, segments[1:]):
            assert seg["end"] == after["start"], (clip["path"], seg)
        for seg in segments:
            assert seg["start"] < seg["end"] and seg["label"] in LABELS, (clip["path"], seg)
