"""The pose tracker's errors on real footage, measured, beside the same figures on synthetic data.

    .venv/bin/python bench/tracker_noise.py                                   # real vs current defaults
    .venv/bin/python bench/tracker_noise.py --noise before=bench/tracker_noise_before.json --plots DIR

Every real clip in ../shared/data/real goes through `PoseTracker` (smoothing on, as the product
runs it; cached under .cache/tracker_noise with the landmarks as they entered the smoothing
filter, see bench/_track_cache.py). A synthetic set is made like
`vision-synth OUT --pose --clips-per-class 10 --seed 5` with the current `TrackerNoise` defaults
(and with each `--noise LABEL=JSON`); the SAME estimators run on both sides, so each row of the
main table compares like with like. Units are TrackerNoise's: person heights (H), seconds, per
frame / per second as named. At the end, the TrackerNoise values the footage supports are
printed as JSON (`measured noise parameters`).

Which real footage counts where. Pooled: spm_example_video (one man, front view, stepping
backwards and pausing, 225-520 px tall, 30 fps), carphone_pristine (upper body in a car, 30 fps)
and vtest (pedestrians from above, ~100 px tall, 10 fps: the only side and back views). The step
clips are cut from spm_example_video (listed, not pooled); bikes.mp4 (shot cuts, detections on
bicycles and street furniture) and box/cup (hands only: any "person" there is a false
detection) are listed per clip only. Jitter and lag are measured on spm + carphone: on vtest the
people are so small and the frame rate so low that motion swamps the noise.

Which synthetic clips count where (like with like): visibility, swaps and lost frames on all
clips; still-frame jitter and z on clips seen from the front (camera within 30 degrees of the
person's facing, as in spm and carphone); all-frame jitter and outliers on those of them that
stand or walk (no_action, walk). "synth clean" is the same set without any tracker error (the
clips are seeded, so the motions and cameras are identical): what the synthetic motion alone
gives each estimator.

Person height H, pixels per frame: `vision.pose.features.body_height` (the height the action
model normalises by: each 2D segment — torso, upper arms, forearms, thighs, shins, shoulder
width — over its typical share of the body height, the 0.75 quantile of those lower bounds, as
foreshortening only shortens a segment), then a centred running median over ~1 s within a
track. `height check` prints its ratio to the synthesiser's true height at the hips' depth on
noise-free clips (TrackerNoise's unit).

Segments: runs of frames with one track (synthetic: runs without a lost frame), cut where the
hip centre jumps by more than 0.4 H in a frame (the tracker moved to someone else); shorter
than 0.5 s or 6 frames: left out. Still frames: median landmark speed (Savitzky-Golay slope over
~0.5 s) under 0.05 H/s and its 90th percentile under 0.15 H/s.

Jitter, the observable (both sides): each coordinate minus its centred Savitzky-Golay fit
(degree 2 over 5 frames), per frame in H; the residual keeps the fraction
g0 = sum r_i^2 = 0.514 of white noise's variance (r = delta - SG weights), so
sigma_HF = RMS(residual) / sqrt(g0) is the white-noise sigma that would leave this residual.
Residuals are winsorised at 5 robust sigmas (MAD) so outliers do not count as jitter; points
outside the frame are left out. Per group (face 0-10, torso 11/12/23/24, arms = elbows,
hands = wrists and hand points, legs = knees, feet = ankles/heels/toes), z (sigma_z / sigma_xy
of the same points), the whole skeleton's shift (the mean of its 33 points, TrackerNoise's
roi_jitter) and its scale (log RMS radius about its centre, roi_scale_jitter); on still frames
and on all frames (where some motion the polynomial misses adds to it). Correlated noise leaves
less in the residual (sigma_HF < sigma) — hence the next part.

Jitter, the model's parameters (real only): sigma and correlation time of the smoothed output's
noise cannot be told apart from the person's slow sway on the output alone (its structure
function rises like drift at every lag), but the tracker's noise is made before its filter,
and the filter is known code. So: the network's own noise, sigma_raw, is sigma_HF of the
landmarks as they entered the filter (nearly white: each frame is a fresh network pass);
the filter, `vision.pose.smoothing.OneEuroFilter` with the tracker's parameters, its per-frame
object scale and its timestamps (and the in-place write the tracker does, see below), is
replayed on a smooth version of that raw track (SG degree 3 over 9 frames) with and without
added white noise of sigma_raw per group; the difference is the tracker's output noise on
exactly this motion: its RMS is `jitter` (x per-group multipliers), its lag-1 autocorrelation
a gives the correlation time tau = -1 / (fps ln a) (`noise_time`). Check printed: sigma_HF of the
replayed noisy output against sigma_HF of the real output.

Filter lag (real only): the first-order low-pass time constant that best maps the raw
landmarks onto the smoothed ones on moving frames (`lag`).

Visibility (both sides): each point of each frame is classed from the landmarks by the same
rules: outside the frame; else, when the 2D shoulder and hip widths are under 80 % of their
front-view shares of H (sideness = sqrt(1 - width^2) > 0.6), the limb points on the side whose
shoulder and hip z are larger are "far side"; when left and right are mirrored (left shoulder
and hip on the image's left: seen from behind) and not side-on, the face points are "face from
behind"; the rest are "plainly visible", by group. Quantiles p10/p50/p90. Wander: each plainly
visible point's score minus its mean over windows of 2 s (synthetic clips last 1.5-4 s), its
std and the lag (s) where its autocorrelation falls to 1/e.

Lost frames: on clips where one person is in view throughout (real: spm_example_video,
carphone; synthetic: clips framed "full", whose motion stays inside the picture), runs of
nobody: 1 frame = a miss (per frame); longer = a dropout (per second, mean length).

Left/right swaps: for each left/right group (legs: knee, ankle, heel, toe; arms: elbow, wrist,
hand points; torso: shoulders and hips = whole-body flips), every run of 1..D frames (D = 0.5 s)
is tested against both sides' smooth continuation (constant-velocity extrapolation from the two
frames before the run and the two after, blended linearly across it). It is a swap when the
exchanged labels fit that continuation better than the given ones in every frame (mean distance
under half, at least 0.08 H better) and the sides are over 0.06 H apart; overlapping candidates
keep the best. `swap detector check` prints its recall and false detections on synthetic
side-view walks with known swaps, at 30 and 10 fps. Rates: per second of side-on frames
(sideness > 0.6; flips: per second seen from behind) and per second overall.

Outliers: runs of 1-3 frames where a point is more than 0.05 H off the smooth continuation of
its own track (as for swaps: constant velocity from the two frames before and the two after,
blended), with the point and its anchors inside the frame and slower than 1 H/s (the slope of
its 7-frame running median, which a spike does not move: fast motion breaks the continuation),
and the extrapolations from before and from after agreeing to within half that distance (else
an anchor is itself off: the run is an echo of a neighbouring spike); the largest first. Rates per point per
frame, and per frame with simultaneous detections as one event (a hand's wrist and finger
points jump together on real footage); size: the RMS jump per axis (TrackerNoise.outlier_size
is a per-axis std; jumps under the threshold are missed alike on both sides).

z: BlazePose's z is not geometric depth. Printed: its size (median |z| / H over the body's
points, hips left out) and, on still front views, the median z / H of nose, shoulders, wrists,
knees and ankles.

Found by the way: the tracker's PoseSmoother writes the filtered values into the array whose
reference the One-Euro filter kept as "last raw value", so the filter's speed estimate is taken
against the previous filtered value, not the previous raw one as in MediaPipe (replaying the
filter reproduces the tracker's output to 3e-5 px only with that in-place write).

The code, beside this script: _tracker_noise_data (clips, segments, loading),
_tracker_noise_signal (filters, per-segment quantities), _tracker_noise_jitter,
_tracker_noise_visibility (and z), _tracker_noise_events (lost frames, swaps, outliers),
_tracker_noise_checks, _tracker_noise_report (the tables) and _tracker_noise_plots.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from _tracker_noise_checks import height_check, swap_detector_check
from _tracker_noise_data import (
    CLOSE,
    GROUPS,
    HIP_SHARE,
    LIKE_REAL,
    PEOPLE,
    SHOULDER_SHARE,
    frontal,
    load_real,
    load_synth,
    make_synth,
)
from _tracker_noise_jitter import lag_fit, smoothed_noise
from _tracker_noise_plots import plots
from _tracker_noise_report import _f, analyse, derive, per_clip, table
from _tracker_noise_signal import still_frames
from vision.synth.noise import TrackerNoise

REAL = ROOT.parent / "shared" / "data" / "real"
CACHE = ROOT / ".cache" / "tracker_noise"


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its tables (see the module docstring); 2 without real footage."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--real", type=Path, default=REAL, help="real clips folder (../shared/data/real)")
    p.add_argument("--cache", type=Path, default=CACHE, help="tracked landmarks and synthetic sets (.cache/tracker_noise)")
    p.add_argument("--noise", action="append", default=[], metavar="LABEL=JSON",
                   help="also a synthetic set made with these TrackerNoise values (repeatable)")
    p.add_argument("--plots", type=Path, help="save PNG plots (real vs synthetic) into this folder")
    p.add_argument("--events", action="store_true", help="list where the swaps and flips were found on real clips")
    args = p.parse_args(argv)
    if not args.real.is_dir():
        print(f"no real footage at {args.real}", file=sys.stderr)
        return 2

    real = load_real(args.real, args.cache)
    sets = {"synth now": load_synth(make_synth(TrackerNoise(), args.cache))}
    clean = load_synth(make_synth(TrackerNoise.clean(), args.cache))  # the same motions, no tracker error
    for item in args.noise:
        label, _, path = item.partition("=")
        sets[f"synth {label}"] = load_synth(make_synth(TrackerNoise.from_dict(json.loads(Path(path).read_text())), args.cache))

    print("== Real clips: the tracker (smoothing on), per clip")
    print(per_clip(real))
    lo, med, hi = height_check()
    print(f"\nheight check: body_height / true height at the hips' depth, noise-free synthetic clips: {med:.3f} (quartiles {lo:.3f}..{hi:.3f})")
    spm = [s for c in real if c.name.startswith("spm") for s in c.segments]
    sw = np.median(np.concatenate([np.linalg.norm(s.lm[still_frames(s), 11, :2] - s.lm[still_frames(s), 12, :2], axis=1) / s.height[still_frames(s)] for s in spm]))
    hw = np.median(np.concatenate([np.linalg.norm(s.lm[still_frames(s), 23, :2] - s.lm[still_frames(s), 24, :2], axis=1) / s.height[still_frames(s)] for s in spm]))
    print(f"front-view 2D widths, spm still frames: shoulders {sw:.3f} H, hips {hw:.3f} H (side classifier uses {SHOULDER_SHARE}, {HIP_SHARE})")
    for fps in (30.0, 10.0):
        f, t, fa = swap_detector_check(fps)
        print(f"swap detector check, synthetic side-view walks at {fps:g} fps: found {f} of {t} leg swaps, {fa} false")

    close = [c for c in real if c.name.startswith(CLOSE)]
    people = [c for c in real if c.name.startswith(PEOPLE)]
    vtest = [c for c in real if c.name.startswith("vtest")]
    reports = [analyse("real", close, people, close), analyse("real close", close, close, close),
               analyse("real vtest", vtest, vtest, [])]
    for label, clips in list(sets.items()) + [("synth clean", clean)]:
        full = [c for c in clips if c.meta.get("framing") == "full"]
        reports.append(analyse(label, frontal(clips), clips, full, frontal(clips, LIKE_REAL)))
    print("\n== Real vs synthetic, the same estimators. real: jitter/z/lost frames/outliers on " + ", ".join(c.name for c in close)
          + "; visibility and swaps also on vtest.avi. real close: spm + carphone only. synth: visibility, swaps,"
          " lost frames on all clips; still-frame jitter and z on clips seen from the front (within 30 degrees, like"
          " the close real footage); all-frame jitter and outliers on those of them standing or walking. synth clean:"
          " the same clips without tracker error (what the synthetic motion alone gives each estimator).")
    print(table(reports))
    print("\nfound rate where no one person is in full view: " + ", ".join(
        f"{c.name} {c.found:.2f}" for c in real if c.name.startswith(("vtest", "bikes", "box", "cup"))))
    if args.events:
        rep = reports[0]
        for pair in ("legs", "arms", "torso"):
            print(f"{pair} events: " + ", ".join(f"{c}@{a}-{b}" for c, a, b in rep.swaps[pair]["where"]))
        print("outliers: " + ", ".join(f"{c}:{k}@{a}-{b}" for c, k, a, b in rep.outliers["where"]))

    segs = [s for c in close for s in c.segments]
    sim = smoothed_noise(segs)
    lag = lag_fit(segs)
    print("\n== The tracker's output noise (raw noise level + replay of its filter), spm + carphone")
    print(f"{'group':8s} {'raw HF':>8s} {'still sigma':>11s} {'tau':>6s} {'all sigma':>10s} {'tau':>6s}   (H per axis, s)")
    for g in list(GROUPS) + ["z:torso", "z:hands"]:
        s, a = sim.get("still", {}).get(g, {}), sim.get("all", {}).get(g, {})
        print(f"{g:8s} {_f(sim['raw'].get(g, float('nan')), '{:.5f}'):>8s} {_f(s.get('sigma', float('nan')), '{:.5f}'):>11s} "
              f"{_f(s.get('tau', float('nan')), '{:.3f}'):>6s} {_f(a.get('sigma', float('nan')), '{:.5f}'):>10s} {_f(a.get('tau', float('nan')), '{:.3f}'):>6s}")
    print(f"check: HF jitter of the replayed noisy output, torso, still: {_f(sim.get('hf_check_torso_still', float('nan')), '{:.5f}')}"
          f" (real output: {_f(reports[1].hf_still.get('torso', float('nan')), '{:.5f}')})")
    print(f"filter lag (first-order time constant, raw -> smoothed, moving frames): {lag:.3f} s")
    print("\n== Read straight off the footage (see vision/synth/noise.py for the defaults made of them)")
    for k, v in derive(sim, lag, reports[1], reports[0]).items():
        print(f"  {k}: {json.dumps(v)}")
    if args.plots:
        for path in plots(args.plots, real, sets):
            print(f"plot: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
