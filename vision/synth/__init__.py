"""Procedural 3D human motion written as BlazePose landmark sequences (`vision-synth --pose`).

Pipeline, one concern per module: `skeleton` (random bodies, joint-angle channels) ->
`periodic` / `oneshot` / `walking` / `idle` / `nonactions` (per-class trajectories, registered in
`registry`, listed in `actions`; `footwork` turns planned footsteps into leg angles for walking's
variants and idle standing; `stepping` rides the pelvis on planned feet for walking and turning
in place, `start_stop` plans walking's single steps; `everyday` places the hands of idle
postures (their vocabulary in `posture`, hand placement in `hands`), with `reach`'s arm inverse
kinematics) -> `kinematics` (33 landmarks in world metres, feet on the ground) -> `camera`
(random views, framing, pinhole projection) -> `noise` (BlazePose-like tracker errors) ->
`clip` (one sequence) -> `dataset` (UCF101 tree, group-wise split); `draw` renders stick figures.
"""
