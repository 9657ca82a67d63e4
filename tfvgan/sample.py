"""Writes sample videos from a trained run or an exported SavedModel.

`sample` (library) and ``tfvgan-sample`` (command line) load either a run
directory (its config.json and latest checkpoint) or a SavedModel written by
`tfvgan.export`, generate clips from integer seeds (clip ``i`` uses seed
``seed + i``, the same noise as ``model.generate(seed=...)`` and the exported
``generate_from_seed`` signature) and write one GIF/MP4 per clip, plus an
optional grid.

Example:

```
tfvgan-sample --run_dir=runs/quickstart --num_videos=8 --out_dir=samples
tfvgan-sample --saved_model=runs/cgan/export/640 --labels=1,2,3
```
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from absl import app, flags, logging

from tfvgan.config import SAMPLE_FORMATS, TrainConfig

__all__ = ["define_flags", "load_run", "main", "sample"]


def load_run(run_dir: str | os.PathLike, checkpoint: str | None = None):
    """Rebuilds a run's model from its config.json and restores a checkpoint.

    Args:
        run_dir: a directory written by `tfvgan.train.run`.
        checkpoint: a checkpoint prefix; default the latest in the run.

    Returns:
        ``(model, config, step)``.

    Raises:
        FileNotFoundError: no config.json or no checkpoint.
    """
    from tfvgan import train
    from tfvgan.checkpoint import TrainingCheckpoint

    run_dir = os.fspath(run_dir)
    path = os.path.join(run_dir, "config.json")
    if not os.path.isfile(path):
        raise FileNotFoundError(
            f"{path} not found: expected a run directory written by tfvgan-train."
        )
    with open(path) as f:
        config = TrainConfig.from_json(f.read())
    # Only weights are restored: the length of a learning-rate decay is moot.
    model = train.build_model(config, total_steps=1)
    state = TrainingCheckpoint(model, os.path.join(run_dir, "checkpoints"))
    step = state.restore(checkpoint)
    if not step and state.latest is None and checkpoint is None:
        raise FileNotFoundError(f"no checkpoint in {run_dir}/checkpoints yet.")
    return model, config, step


def _conditions_for_run(model, config, num, labels, caption):
    import numpy as np

    from tfvgan import train

    if not model.conditional:
        if labels or caption:
            raise ValueError(
                f"model {config.model!r} is unconditional; drop --labels/--caption."
            )
        return None
    if labels:
        if model.condition_type != "label":
            raise ValueError(
                f"--labels needs a label-conditional model; this one takes "
                f"{model.condition_type!r} conditions."
            )
        return np.resize(np.asarray(labels, np.int32), num)
    if caption:
        if model.condition_type != "text":
            raise ValueError(
                f"--caption needs a text-conditional model; this one takes "
                f"{model.condition_type!r} conditions."
            )
        return np.asarray([caption] * num)
    return train._sample_conditions(config, model, num)


def _generate_from_run(run_dir, num, seed, labels, caption, use_ema, checkpoint):
    model, config, step = load_run(run_dir, checkpoint)
    condition = _conditions_for_run(model, config, num, labels, caption)
    print(f"tfvgan: sampling {run_dir} at step {step}", flush=True)
    return model.generate(num, condition=condition, seed=seed, use_ema=use_ema)


def _generate_from_saved_model(path, num, seed, labels, caption):
    import numpy as np
    import tensorflow as tf

    from tfvgan.evaluate import SavedModelGenerator

    generator = SavedModelGenerator(path)
    if "generate_from_seed" not in generator.signatures:
        raise ValueError(
            f"{path} has no 'generate_from_seed' signature: expected an export "
            "written by tfvgan.export."
        )
    signature = generator.signatures["generate_from_seed"]
    inputs = signature.structured_input_signature[1]
    condition = None
    if "condition" in inputs:
        spec = inputs["condition"]
        if labels and spec.dtype.is_integer and spec.shape.rank == 1:
            condition = np.resize(np.asarray(labels), num)
        elif caption and spec.dtype == tf.string:
            condition = np.asarray([caption] * num)
        else:
            raise ValueError(
                f"{path} needs a condition {spec} (give --labels for label "
                "models, --caption for text models, or sample from the run "
                "directory for image/video conditions)."
            )
    elif labels or caption:
        raise ValueError(f"{path} is unconditional; drop --labels/--caption.")
    # In slices of at most the export's max_batch, which refuses larger ones.
    return generator.generate_uint8(num, condition=condition, seed=seed)


def sample(
    run_dir: str | os.PathLike | None = None,
    saved_model: str | os.PathLike | None = None,
    out_dir: str | os.PathLike = "samples",
    num_videos: int | None = None,
    formats: Sequence[str] = ("gif",),
    fps: int = 8,
    seed: int = 0,
    labels: Sequence[int] | None = None,
    caption: str | None = None,
    grid: bool = False,
    use_ema: bool = True,
    checkpoint: str | None = None,
) -> list[str]:
    """Generates clips and writes them as ``<out_dir>/sample_<i>.<fmt>``.

    Args:
        run_dir: a training run directory (config.json + checkpoints).
        saved_model: a SavedModel version folder from `tfvgan.export`
            (exactly one of `run_dir`, `saved_model`); any `num_videos` is
            generated in requests of at most the export's ``max_batch``.
        out_dir: output folder (created).
        num_videos: clips to write; default ``len(labels)`` or 8.
        formats: ``"gif"`` and/or ``"mp4"``.
        fps: frames per second.
        seed: clip ``i`` uses seed ``seed + i``.
        labels: class ids for label-conditional models (cycled to `num_videos`).
        caption: one caption for text-conditional models.
        grid: also write all clips tiled into ``grid.<fmt>``.
        use_ema: use the EMA generator (run directories only).
        checkpoint: a checkpoint prefix instead of the run's latest.

    Returns:
        The paths written.
    """
    if (run_dir is None) == (saved_model is None):
        raise ValueError("give exactly one of run_dir and saved_model.")
    for fmt in formats:
        if fmt not in SAMPLE_FORMATS:
            raise ValueError(
                f"unknown format {fmt!r}; expected one of {SAMPLE_FORMATS}."
            )
    labels = list(labels) if labels else None
    num = num_videos if num_videos is not None else (len(labels) if labels else 8)
    if isinstance(num, bool) or not isinstance(num, int) or num < 1:
        raise ValueError(f"num_videos must be a positive integer, got {num!r}.")
    if labels and caption:
        raise ValueError("give labels or caption, not both.")
    if saved_model is not None:
        videos = _generate_from_saved_model(saved_model, num, seed, labels, caption)
    else:
        videos = _generate_from_run(
            run_dir, num, seed, labels, caption, use_ema, checkpoint
        )

    from tfvgan.video_io import video_grid, write_video

    out_dir = os.fspath(out_dir)
    os.makedirs(out_dir, exist_ok=True)
    paths = []
    for i, video in enumerate(videos):
        for fmt in formats:
            paths.append(
                write_video(os.path.join(out_dir, f"sample_{i:03d}.{fmt}"), video, fps)
            )
    if grid:
        tiled = video_grid(videos)
        for fmt in formats:
            paths.append(write_video(os.path.join(out_dir, f"grid.{fmt}"), tiled, fps))
    return paths


def define_flags(flag_values: flags.FlagValues = flags.FLAGS) -> None:
    """Defines the ``tfvgan-sample`` flags on `flag_values` (once)."""
    if "saved_model" in flag_values:
        return
    fv = flag_values
    flags.DEFINE_string(
        "run_dir",
        None,
        "Training run directory (config.json + checkpoints).",
        flag_values=fv,
    )
    flags.DEFINE_string(
        "saved_model",
        None,
        "Or: an exported SavedModel version folder.",
        flag_values=fv,
    )
    flags.DEFINE_string(
        "checkpoint",
        None,
        "Checkpoint prefix (default: the run's latest).",
        flag_values=fv,
    )
    flags.DEFINE_string(
        "out_dir",
        None,
        "Output folder (default <run_dir>/generated, or ./samples).",
        flag_values=fv,
    )
    flags.DEFINE_integer(
        "num_videos",
        None,
        "Clips to write (default: number of --labels, or 8).",
        lower_bound=1,
        flag_values=fv,
    )
    flags.DEFINE_list(
        "formats", ["gif"], "File formats: gif and/or mp4.", flag_values=fv
    )
    flags.DEFINE_integer("fps", 8, "Frames per second.", lower_bound=1, flag_values=fv)
    flags.DEFINE_integer(
        "seed", 0, "Clip i uses seed seed+i.", lower_bound=0, flag_values=fv
    )
    flags.DEFINE_list(
        "labels",
        None,
        "Class ids for label-conditional models, e.g. 1,2,3.",
        flag_values=fv,
    )
    flags.DEFINE_string(
        "caption",
        None,
        'Caption for text models, e.g. "digit 3 moves left".',
        flag_values=fv,
    )
    flags.DEFINE_boolean(
        "grid", False, "Also write all clips as one grid video.", flag_values=fv
    )
    flags.DEFINE_boolean("use_ema", True, "Sample the EMA generator.", flag_values=fv)


def _main(argv: Sequence[str]) -> None:
    fv = flags.FLAGS
    if not fv["verbosity"].present:
        logging.set_verbosity(logging.WARNING)
    if len(argv) > 1:
        raise app.UsageError(
            f"unexpected arguments {list(argv[1:])}; all options are --flags."
        )
    if (fv.run_dir is None) == (fv.saved_model is None):
        raise app.UsageError("give exactly one of --run_dir and --saved_model.")
    for path in (fv.run_dir, fv.saved_model):
        if path is not None and not os.path.isdir(path):
            raise app.UsageError(f"{path!r} is not a directory.")
    try:
        labels = [int(x) for x in fv.labels] if fv.labels else None
    except ValueError as error:
        raise app.UsageError(
            f"--labels must be integers, got {fv.labels!r}."
        ) from error
    for fmt in fv.formats:
        if fmt not in SAMPLE_FORMATS:
            raise app.UsageError(
                f"unknown format {fmt!r}; expected one of {SAMPLE_FORMATS}."
            )
    out_dir = fv.out_dir or (
        os.path.join(fv.run_dir, "generated") if fv.run_dir else "samples"
    )
    try:
        paths = sample(
            run_dir=fv.run_dir,
            saved_model=fv.saved_model,
            out_dir=out_dir,
            num_videos=fv.num_videos,
            formats=tuple(fv.formats),
            fps=fv.fps,
            seed=fv.seed,
            labels=labels,
            caption=fv.caption,
            grid=fv.grid,
            use_ema=fv.use_ema,
            checkpoint=fv.checkpoint,
        )
    except (ValueError, FileNotFoundError) as error:
        sys.exit(f"tfvgan-sample: {error}")
    print(f"tfvgan: wrote {len(paths)} files to {out_dir}", flush=True)


def main(argv: Sequence[str] | None = None) -> None:
    """Console entry point ``tfvgan-sample`` (``python -m tfvgan.sample``).

    Args:
        argv: command line, program name first; default `sys.argv`.
    """
    define_flags()
    app.run(_main, argv=list(argv) if argv is not None else None)


if __name__ == "__main__":
    main()
