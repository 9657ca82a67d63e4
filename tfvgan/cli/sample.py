"""``tfvgan-sample``: sample videos from a run folder, an export or a preset.

Example:

```
tfvgan-sample --run_dir=runs/quickstart --num_videos=8 --out_dir=samples
tfvgan-sample --saved_model=runs/cgan/export/640 --labels=1,2,3
tfvgan-sample --preset=moving_digits_text --caption="digit 7 moves down"
```
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from absl import app, flags

from tfvgan.cli import _common
from tfvgan.config import SAMPLE_FORMATS

__all__ = ["define_flags", "main"]


_FLAGS = (
    ("string", "run_dir", None, "Training run directory (config.json + checkpoints)."),
    ("string", "saved_model", None, "Or: an exported SavedModel version folder."),
    ("string", "preset", None, "Or: a pretrained preset shipped with tfvgan "
     "(tfvgan.models.list_presets()), e.g. moving_digits_label."),
    ("string", "checkpoint", None, "Checkpoint prefix (default: the run's latest)."),
    ("string", "out_dir", None,
     "Output folder (default <run_dir>/generated, or ./samples)."),
    ("integer", "num_videos", None,
     "Clips to write (default: number of --labels, or 8).", {"lower_bound": 1}),
    ("list", "formats", ["gif"], "File formats: gif and/or mp4."),
    ("integer", "fps", 8, "Frames per second.", {"lower_bound": 1}),
    ("integer", "seed", 0, "Clip i uses seed seed+i.", {"lower_bound": 0}),
    ("list", "labels", None, "Class ids for label-conditional models, e.g. 1,2,3."),
    ("string", "caption", None,
     'Caption for text models, e.g. "digit 3 moves left".'),
    ("bool", "grid", False, "Also write all clips as one grid video."),
    ("bool", "use_ema", True, "Sample the EMA generator."),
)  # fmt: skip


def define_flags(flag_values: flags.FlagValues = flags.FLAGS) -> None:
    """Defines the ``tfvgan-sample`` flags on `flag_values` (once)."""
    if "saved_model" not in flag_values:
        _common.define(flag_values, _FLAGS)


def _main(argv: Sequence[str]) -> None:
    fv = flags.FLAGS
    _common.start(argv)
    if sum(x is not None for x in (fv.run_dir, fv.saved_model, fv.preset)) != 1:
        raise app.UsageError(
            "give exactly one of --run_dir, --saved_model and --preset."
        )
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
    if fv.preset is not None:
        _common.check_preset(fv.preset)
    from tfvgan.sample import sample

    try:
        paths = sample(
            run_dir=fv.run_dir,
            saved_model=fv.saved_model,
            preset=fv.preset,
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
    """Console entry point ``tfvgan-sample`` (``python -m tfvgan.cli.sample``)."""
    _common.run(define_flags, _main, argv)


if __name__ == "__main__":
    main()
