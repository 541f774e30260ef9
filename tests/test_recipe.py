"""The adaptive recipe: what it chooses from the data, what it never changes, how it is shown and stored."""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest
import torch

from vision.cli.train import build_parser, config_from_args
from vision.data.clips import Repeated, speed_segment
from vision.data.ucf import VideoItem
from vision.train.config import TrainConfig
from vision.train.data import holdout_split
from vision.train.probe import DataProfile, _interleaved
from vision.train.recipe import SHOWN, SMALL_DATA, choose_recipe
from vision.train.verdict import Score, Verdict

SMALL = DataProfile(classes=7, train_per_class=12, seconds=3.0, size=(240, 180), landmarks=False, person=(0, 4),
                    test_list=True, groups_per_class=3)
BIG = dataclasses.replace(SMALL, classes=9, train_per_class=280, person=None)


def _config(*flags: str) -> TrainConfig:
    return config_from_args(build_parser().parse_args(["DATA", "--out", "RUN", *flags]))


def test_big_folders_keep_the_fixed_recipe_exactly() -> None:
    plain = _config()
    resolved, recipe = choose_recipe(plain, BIG)
    assert recipe.regime == "big" and plain.auto and plain.explicit == ()
    assert resolved == plain  # every option: the defaults of earlier releases
    fixed = dataclasses.replace(plain, auto=False)
    assert dataclasses.replace(resolved, auto=False) == fixed == TrainConfig("DATA", "RUN")
    readme = ("--frame-size", "112", "--epochs", "40", "--batch-size", "32", "--lr", "3e-3", "--scheduler", "cosine")
    flagged = _config(*readme)
    assert choose_recipe(flagged, BIG)[0] == flagged
    assert set(flagged.explicit) == {"frame_size", "epochs", "batch_size", "lr", "scheduler"}


def test_small_folders_get_the_small_data_recipe_but_never_lose_a_flag() -> None:
    resolved, recipe = choose_recipe(_config(), SMALL)
    assert recipe.regime == "small" and resolved.input == "flow" and resolved.holdout > 0 and resolved.frame_size == 64
    assert resolved.flip is False and resolved.speed_jitter > 0 and resolved.clips_per_video > 1
    assert resolved.scheduler == "cosine" and resolved.weight_decay > TrainConfig("d", "o").weight_decay
    mine = choose_recipe(_config("--input", "rgb", "--epochs", "3", "--flip"), SMALL)[0]
    assert (mine.input, mine.epochs, mine.flip) == ("rgb", 3, True)
    assert choose_recipe(_config("--backbone", "resnet18"), SMALL)[0].input == "rgb"  # flow needs tiny
    assert choose_recipe(_config(), dataclasses.replace(SMALL, test_list=False))[0].holdout == 0  # a val split exists
    # flow keeps most of the frame (deep crops cut the moving thing out); pixels and pose crop deeper
    assert resolved.crop_scale == 0.8 and choose_recipe(_config("--input", "rgb"), SMALL)[0].crop_scale == 0.5


def test_every_option_the_recipe_sets_is_shown() -> None:
    from vision.train.recipe import small_data_options

    assert set(small_data_options(SMALL, _config())) <= set(SHOWN)


def test_people_or_landmarks_choose_pose() -> None:
    assert choose_recipe(_config(), dataclasses.replace(SMALL, person=(9, 16)))[0].input == "pose"
    assert choose_recipe(_config(), dataclasses.replace(SMALL, person=(7, 16)))[0].input == "flow"
    assert choose_recipe(_config(), dataclasses.replace(SMALL, landmarks=True, person=None))[0].input == "pose"


def test_recipe_is_one_block_with_reasons_and_a_json_record() -> None:
    _, recipe = choose_recipe(_config("--epochs", "5"), SMALL)
    lines = recipe.block().splitlines()
    assert lines[0].startswith("recipe (small data)") and f"< {SMALL_DATA}" in lines[0]
    assert len(lines) == 1 + len(SHOWN) and all(line.startswith("  ") for line in lines[1:])
    epochs = next(line for line in lines if line.split()[0] == "epochs")
    assert "5" in epochs and "[your flag]" in epochs
    stored = json.loads(json.dumps(recipe.as_dict()))
    assert stored["regime"] == "small" and stored["options"]["input"]["value"] == "flow"
    assert stored["options"]["epochs"]["source"] == "flag" and stored["options"]["input"]["source"] == "data"


def test_holdout_takes_whole_groups_or_spread_clips() -> None:
    many = [VideoItem(Path(f"c{c}/g{g}_{k}"), c, f"c{c}/g{g}") for c in range(2) for g in range(8) for k in range(2)]
    train, held = holdout_split(many, 0.25, seed=0)
    assert {i.group for i in train}.isdisjoint({i.group for i in held})  # 8 groups: whole groups held out
    assert sorted({i.label for i in held}) == [0, 1] and len(held) == 8
    few = [VideoItem(Path(f"c{c}/g{g}_{k}"), c, f"c{c}/g{g}") for c in range(2) for g in range(3) for k in range(4)]
    train, held = holdout_split(few, 0.25, seed=0)
    assert len(held) == 6 and len({i.group for i in held}) == 6  # 3 per class, from 3 different groups
    one = [VideoItem(Path("a"), 0, "a"), VideoItem(Path("b"), 1, "b"), VideoItem(Path("c"), 1, "c")]
    train, held = holdout_split(one, 0.25, seed=0)
    assert [i.label for i in train].count(0) == 1  # never the only clip of a class


def test_speed_segments_stay_in_the_video_and_keep_order() -> None:
    torch.manual_seed(0)
    rates = []
    for _ in range(200):
        index = speed_segment(40, 8, 0.25)
        assert len(index) == 8 and index.min() >= 0 and index.max() < 40 and np.all(np.diff(index) >= 0)
        rates.append((index[-1] - index[0]) / 7)
    assert min(rates) < 0.9 and max(rates) > 1.1 and 0.7 <= min(rates) and max(rates) <= 1.35  # 0.8-1.25, rounded
    assert np.array_equal(speed_segment(5, 8, 0.25), np.arange(5))  # shorter than T: all of it


def test_repeated_dataset_gives_several_crops_per_video() -> None:
    data = Repeated([10, 20, 30], 3)
    assert len(data) == 9 and [data[i] for i in range(9)] == [10, 20, 30] * 3


def test_probe_order_spreads_over_the_classes() -> None:
    assert _interleaved(8)[:4] == [0, 4, 2, 6] and sorted(_interleaved(13)) == list(range(13))


@pytest.mark.parametrize("held, train, warn", [(0.15, 0.2, "chance"), (0.5, 1.0, "memorised"), (0.95, 1.0, None)])
def test_verdict_warns_honestly(held: float, train: float, warn: str | None) -> None:
    verdict = Verdict(Score(train, 63), Score(held, 21), Score(None, 0), classes=7)
    lines = verdict.warnings(TrainConfig("d", "o", input="rgb"), best_epoch=5, epochs_run=20, early_stopped=True)
    if warn is None:
        assert lines == []
    else:
        assert len(lines) == 1 and warn in lines[0] and "--input flow" in lines[0]
    assert "test list" not in verdict.summary(5)
    small = Verdict(Score(1.0, 8), Score(1.0, 4), Score(0.9, 28), classes=7)
    assert any("rests on 4 clips" in w for w in small.warnings(TrainConfig("d", "o"), 5, 20, True))
    assert "test list 90.0% of 28" in small.summary(5)


def test_a_handful_of_clips_near_chance_points_to_few_shot() -> None:
    handful = Verdict(Score(0.5, 4), Score(0.5, 2), Score(None, 0), classes=2)  # 2 clips per class, as in steps/
    assert "--few-shot" in handful.warnings(TrainConfig("d", "o", input="pose"), 1, 21, True)[0]
    assert "--few-shot" not in handful.warnings(TrainConfig("d", "o", input="flow"), 1, 21, True)[0]  # pose/RGB only
    many = Verdict(Score(0.5, 200), Score(0.5, 60), Score(None, 0), classes=2)
    assert "--few-shot" not in many.warnings(TrainConfig("d", "o", input="pose"), 1, 21, True)[0]


def test_runs_written_before_the_recipe_resume_as_they_were(tmp_path: Path) -> None:
    from vision.train.trainer import CONFIG_NAME, load_run_config

    old = {"data_dir": "d", "out": str(tmp_path), "input": "pose", "flip": False}  # pose runs then mirrored
    (tmp_path / CONFIG_NAME).write_text(json.dumps(old))
    config = load_run_config(tmp_path)
    assert config.flip is None and not config.auto and config.holdout == 0 and config.clips_per_video == 1
    (tmp_path / CONFIG_NAME).write_text(json.dumps({**old, "auto": True}))  # a new run's False stays False
    assert load_run_config(tmp_path).flip is False


def test_held_out_clips_from_training_groups_are_flagged() -> None:
    from vision.train.verdict import shared_groups

    def clips(groups: int) -> list[VideoItem]:
        return [VideoItem(Path(f"c{label}_g{g}_{k}.avi"), label, f"g{g}") for label in (0, 1)
                for g in range(groups) for k in range(4)]

    few = holdout_split(clips(3), 0.25, seed=0)  # 3 groups per class: single clips of training groups
    assert shared_groups(*few) == len(few[1]) > 0
    many = holdout_split(clips(4), 0.25, seed=0)  # 4 groups: whole groups held out
    assert shared_groups(*many) == 0
    flagged = Verdict(Score(1.0, 18), Score(0.95, 6), Score(0.5, 28), classes=2, shared_groups=6)
    assert any("6 of the 6 held-out clips" in w for w in flagged.warnings(TrainConfig("d", "o"), 5, 20, True))
    assert not any("scene/actor" in w for w in Verdict(Score(1.0, 18), Score(0.95, 6), Score(0.5, 28), 2)
                   .warnings(TrainConfig("d", "o"), 5, 20, True))
