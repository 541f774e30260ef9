"""Few-shot training (vision.train.fewshot*): folds, heads, the unknown answer, checkpoints the
engines load, bad input, and the command line."""
from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path

import numpy as np
import pytest
import torch

from vision.checkpoint import load_checkpoint, save_checkpoint
from vision.config import ClipConfig, ModelConfig
from vision.data.ucf import VideoItem
from vision.engine.batch import classify_video
from vision.engine.posefront import UNKNOWN, Rejection, window_verdict
from vision.engine.stream import StreamingClassifier
from vision.errors import DatasetError
from vision.model import build_model
from vision.synth.clip import ClipOptions
from vision.synth.dataset import PoseSynthOptions, make_pose_dataset
from vision.train.fewshot import FewShotConfig, TrainingCancelled, train_few_shot
from vision.train.fewshot_embed import EmbedOptions, FrozenEncoder, probe_person
from vision.train.fewshot_heads import fit_head, prototypes, summaries
from vision.train.fewshot_select import best_threshold, make_folds

CLIP = ClipConfig(num_frames=8, frame_size=32, fps=10.0, stride=2)


def _checkpoint(path: Path, input: str = "pose", seed: int = 0) -> Path:
    torch.manual_seed(seed)
    model = build_model(ModelConfig(num_classes=3, input=input, embed_dim=32, lstm_hidden=32))
    return save_checkpoint(path, model, CLIP, ["a", "b", "c"])


@pytest.fixture(scope="module")
def pose_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """2 classes x 3 landmark clips of about one second (no split files: a user's folder)."""
    root = tmp_path_factory.mktemp("fewshot-pose")
    options = PoseSynthOptions(classes=("jumping_jack", "squat"), clips_per_class=3, clips_per_group=1, seed=5,
                               clip=ClipOptions(seconds=(0.9, 1.1), partial_rate=0.0))
    make_pose_dataset(root / "synth", options)
    for name in ("jumping_jack", "squat"):
        shutil.copytree(root / "synth" / name, root / "data" / name)
    return root / "data"


@pytest.fixture(scope="module")
def pose_encoder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _checkpoint(tmp_path_factory.mktemp("enc") / "pose")


def _config(data: Path, out: Path, encoder: Path, **kw) -> FewShotConfig:
    return FewShotConfig(str(data), str(out), encoder=str(encoder), views=2, crops=2, cache_dir=str(out.parent / "cache"),
                         **kw)


# -- pieces ------------------------------------------------------------------------------------------
def test_folds_hold_out_whole_clips_and_never_a_class_s_only_clip() -> None:
    labels = [0, 0, 0, 0, 0, 1, 1, 2]
    folds = make_folds(labels, max_folds=3, seed=1)
    assert len(folds) == 3
    held = np.concatenate(folds)
    assert len(set(held.tolist())) == len(held)  # each clip in at most one fold
    assert 7 not in held  # class 2 has one clip
    for fold in folds:
        train = set(range(len(labels))) - set(fold.tolist())
        assert {labels[i] for i in train} == {0, 1, 2}  # every class keeps training clips
    assert make_folds([0, 1, 2], 5) == []  # one clip each: no held-out check
    loo = make_folds([0, 0, 0, 1, 1, 1, 2], max_folds=6)  # leave-one-clip-out
    assert [f.tolist() for f in loo] == [[0], [1], [2], [3], [4], [5]]


def test_threshold_separates_known_from_outside_scores() -> None:
    t = best_threshold([0.1, 0.2, 0.3, 0.4], [0.9, 1.0], "distance")
    assert t.method == "distance" and t.value == pytest.approx(0.65)  # halfway between the groups
    assert t.accept_known == 1.0 and t.false_accept == 0.0
    tie = best_threshold([0.1, 0.2, 0.3, 0.4], [0.35, 0.9, 1.0, 1.1], "distance")  # 3/4 + 4/4 = 4/4 + 3/4
    assert tie.accept_known == 1.0 and tie.false_accept == 0.25  # a tie keeps the known windows
    p = best_threshold([0.9, 0.8, 0.95], [0.5, 0.6], "probability")
    assert 0.6 < p.value <= 0.8 and p.accept_known == 1.0 and p.false_accept == 0.0
    assert best_threshold([0.1], [], "distance") is None
    known, outside = [0.1, 0.2, 0.3, 0.4], [0.35, 0.36, 0.37, 0.9]
    assert best_threshold(known, outside, "distance").accept_known == 0.75  # the best balance
    floor = best_threshold(known, outside, "distance", min_accept=0.9)
    assert floor.accept_known == 1.0 and floor.false_accept == 0.75  # known windows kept, at a price


def test_prototype_head_is_the_nearest_prototype(pose_encoder: Path) -> None:
    encoder = load_checkpoint(pose_encoder).model
    torch.manual_seed(0)
    windows, masks = torch.randn(40, 8, 32), torch.ones(40, 8, dtype=torch.bool)
    masks[::3, 5:] = False  # some short windows
    labels = torch.arange(40) % 3
    model = fit_head("prototype", encoder, windows, masks, labels, 3)
    s = summaries(model, windows, masks)
    protos, _ = prototypes(s, labels, 3)
    nearest = torch.cdist(s, protos).argmin(1)
    assert torch.equal(model.classify_embeddings(windows, masks).logits.argmax(1), nearest)
    # the frame encoder is the encoder's own, untouched
    for (name, a), b in zip(encoder.state_dict().items(), model.state_dict().values()):
        if not name.startswith("head."):
            assert torch.equal(a, b), name


def test_windows_cover_versions_and_crops_and_short_clips_are_masked(pose_data: Path, pose_encoder: Path,
                                                                     tmp_path: Path) -> None:
    encoder = FrozenEncoder(load_checkpoint(pose_encoder), tmp_path, EmbedOptions(views=3, crops=2))
    clip_path = sorted((pose_data / "squat").iterdir())[0]
    clip = encoder.embed(VideoItem(clip_path, 1, "g"))
    assert clip.windows.shape[1:] == (8, 32) and clip.masks.shape == clip.windows.shape[:2]
    assert set(clip.views.tolist()) == {0, 1, 2} and clip.recorded.sum() >= 1
    assert clip.person == pytest.approx(1.0) and 8 <= clip.frames <= 12
    again = encoder.embed(VideoItem(clip_path, 1, "g"))  # from the embedding cache
    assert torch.equal(again.windows, clip.windows) and again.frames == clip.frames
    short = FrozenEncoder(load_checkpoint(pose_encoder), None, EmbedOptions(views=1, crops=1))
    short.clip = ClipConfig(num_frames=32, frame_size=32, fps=10.0)  # a window longer than the clip
    s = short.embed(VideoItem(clip_path, 1, "g"))
    assert s.masks[0].sum() == s.frames < 32 and not s.masks[0, s.frames:].any()


def test_person_probe_says_pose_for_people_and_stops_early(pose_data: Path, synth_root: Path, tmp_path: Path) -> None:
    from vision.train.fewshot_embed import SampledLandmarkCache

    cache = SampledLandmarkCache(tmp_path / "pose", 15.0)
    people = [VideoItem(p, 0, "g") for p in sorted(pose_data.rglob("*.npz"))]
    assert probe_person(cache, people)[0]
    shapes = [VideoItem(p, 0, "g") for p in sorted(synth_root.rglob("*.avi"))[:6]]
    is_pose, yes, seen = probe_person(cache, shapes)
    assert not is_pose and yes == 0 and seen == 3  # certain after half of them


# -- the whole run -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def pose_run(pose_data: Path, pose_encoder: Path, tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("run") / "run"
    events = []
    result = train_few_shot(_config(pose_data, out, pose_encoder), progress=events.append, log=lambda s: None)
    return result, out, events


def test_run_writes_a_checkpoint_with_card_and_calibrated_unknown(pose_run) -> None:
    result, out, events = pose_run
    assert result.checkpoint == out / "best" and result.labels == ["jumping_jack", "squat"]
    assert set(result.heldout) == {"prototype", "linear", "lstm"} and result.head in result.heldout
    assert all(0 <= acc <= 1 for acc in result.heldout.values())
    assert sum(total for _, total in result.per_class.values()) == 6  # every clip held out once
    ckpt = load_checkpoint(out / "best")
    assert ckpt.labels == result.labels and ckpt.model_config.input == "pose"
    assert ckpt.extra["few_shot"]["head"] == result.head and "unknown_distance" in ckpt.extra
    assert len(ckpt.extra["unknown_prototypes"]) == 2
    card = (out / "best" / "MODEL_CARD.md").read_text()
    assert "Held-out accuracy" in card and "false accepts" in card
    assert all(Path(c["path"]).name in card for c in result.clips) and len(result.clips) == 6
    summary = json.loads((out / "fewshot.json").read_text())
    assert summary["result"]["head"] == result.head and summary["result"]["seconds"]["total"] > 0
    stages = [e.stage for e in events]
    assert stages[-1] == "done" and "embedding" in stages and "choosing a head" in stages
    assert any(e.loss is not None for e in events) or result.head == "prototype"
    assert [e.done for e in events] == sorted(e.done for e in events)


def test_engines_answer_unknown_far_from_every_class(pose_run, pose_data: Path) -> None:
    _, out, _ = pose_run
    ckpt = load_checkpoint(out / "best")
    rejection = Rejection.from_extra(ckpt.extra)
    assert rejection.prototypes is not None and rejection.radius > 0
    near = rejection.distances(ckpt.model, torch.zeros(1, 8, 32), torch.ones(1, 8, dtype=torch.bool))
    far = rejection.distances(ckpt.model, torch.full((1, 8, 32), 50.0), torch.ones(1, 8, dtype=torch.bool))
    assert far[0] > near[0]
    present = np.ones(8, bool)
    assert window_verdict(present, np.array([0.9, 0.1]), 0.0, float(far[0]), rejection.radius) == (
        UNKNOWN, "unlike every class it knows")
    assert window_verdict(present, np.array([0.9, 0.1]), 0.0, 0.0, rejection.radius) == ("", "")
    engine = StreamingClassifier(ckpt)  # loads, and knows the rule
    assert engine.rejection.radius == rejection.radius


def test_cli_few_shot(pose_data: Path, pose_encoder: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    from vision.cli.train import main

    out = tmp_path / "cli"
    code = main([str(pose_data), "--out", str(out), "--few-shot", "--encoder", str(pose_encoder), "--views", "2",
                 "--heads", "prototype", "linear", "--cache-dir", str(tmp_path / "cache"), "--quiet"])
    printed = capsys.readouterr().out
    assert code == 0 and (out / "best" / "model.safetensors").is_file()
    assert "held-out clip accuracy" in printed and "trained in" in printed
    assert main([str(pose_data), "--out", str(out), "--few-shot", "--encoder", str(pose_encoder),
                 "--input", "rgb"]) == 1  # the encoder is a pose checkpoint
    assert "pose checkpoint" in capsys.readouterr().err


def test_rgb_encoder_on_clips_without_people(synth_root: Path, tmp_path: Path) -> None:
    encoder = _checkpoint(tmp_path / "rgb", input="rgb")
    data = tmp_path / "data"
    for name in ("MoveLeft", "MoveRight"):
        (data / name).mkdir(parents=True)
        for clip in sorted((synth_root / name).iterdir())[:2]:  # 2 clips per class
            shutil.copy(clip, data / name)
    result = train_few_shot(_config(data, tmp_path / "out", encoder, heads=("prototype",)), log=lambda s: None)
    assert result.input == "rgb" and result.clips[0]["person"] is None
    ckpt = load_checkpoint(result.checkpoint)
    video = classify_video(ckpt, next((data / "MoveLeft").iterdir()))
    assert video.top[0] in ("MoveLeft", "MoveRight") and video.windows


# -- bad input -------------------------------------------------------------------------------------
def test_corrupt_clip_is_skipped_and_named_one_clip_class_warned(pose_data: Path, pose_encoder: Path,
                                                                 tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(pose_data, data)
    (data / "squat" / "broken.npz").write_bytes(b"PK\x03\x04 not really")
    (data / "wave").mkdir()
    shutil.copy(sorted((pose_data / "squat").iterdir())[0], data / "wave" / "only.npz")
    logged = []
    result = train_few_shot(_config(data, tmp_path / "out", pose_encoder, heads=("prototype",)), log=logged.append)
    assert any("broken.npz" in reason for _, reason in result.skipped)
    assert any("'wave' has one clip" in w for w in result.warnings)
    assert result.per_class["wave"] == (0, 0) and "broken.npz" in (result.checkpoint / "MODEL_CARD.md").read_text()


def test_empty_class_and_too_few_classes_are_one_clear_error(pose_data: Path, pose_encoder: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(pose_data, data)
    (data / "empty").mkdir()
    with pytest.raises(DatasetError, match="class 'empty' has no clips"):
        train_few_shot(_config(data, tmp_path / "out", pose_encoder), log=lambda s: None)
    with pytest.raises(DatasetError, match="at least 2 classes"):
        train_few_shot(_config(data, tmp_path / "out", pose_encoder, classes=("squat",)), log=lambda s: None)


def test_cancel_leaves_the_run_untouched(pose_data: Path, pose_encoder: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    stop = threading.Event()

    def progress(p) -> None:  # noqa: ANN001
        if p.stage == "choosing a head":
            stop.set()

    with pytest.raises(TrainingCancelled):
        train_few_shot(_config(pose_data, out, pose_encoder), progress=progress, cancelled=stop.is_set,
                       log=lambda s: None)
    assert not (out / "best").exists()
