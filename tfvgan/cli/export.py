"""``tfvgan-export``: a run folder, checkpoint, ``.keras`` file or preset -> SavedModel.

Loads the model with `tfvgan.builders.load_model` and writes it with
`tfvgan.export.export_generator` into ``<export_dir>/<version>/`` (TF
Serving's layout), verified before it appears. Prints the version's path.

Example:

```
tfvgan-export --run_dir=runs/quickstart --keep=3   # -> runs/quickstart/export/N
tfvgan-export --model_path=model.keras --export_dir=/models/tfvgan
tfvgan-export --preset=moving_digits_label --export_dir=/models/digits
```
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from absl import app, flags

from tfvgan.cli import _common

__all__ = ["define_flags", "main"]

#: `tfvgan.export.DEFAULT_MAX_BATCH`, without importing TensorFlow to read it
#: (a test keeps them equal).
DEFAULT_MAX_BATCH = 64


_FLAGS = (
    ("string", "model_path", None, "Model to export: a run folder, a checkpoint "
     "prefix (runs/x/checkpoints/ckpt-N) or a .keras file."),
    ("string", "run_dir", None, "Alias of --model_path for a run folder."),
    ("string", "preset", None, "Instead: a pretrained preset shipped with tfvgan "
     "(needs --export_dir)."),
    ("string", "checkpoint", None,
     "With a run folder: this checkpoint instead of the latest."),
    ("string", "export_dir", None, "Base folder (TF Serving's model_base_path); "
     "default <run_dir>/export for a run folder."),
    ("integer", "version", None, "Version number; default: the next one."),
    ("integer", "keep", None, "Keep only the newest N versions."),
    ("integer", "max_batch", DEFAULT_MAX_BATCH, "Largest request batch."),
    ("integer", "num_classes", None, "Classes of a label model (if unknown)."),
    ("bool", "use_ema", True, "Export the EMA generator when there is one."),
    ("bool", "safe_mode", True, "Refuse arbitrary code (Lambda layers) in "
     ".keras files; --nosafe_mode only for files you trust."),
)  # fmt: skip


def define_flags(flag_values: flags.FlagValues = flags.FLAGS) -> None:
    """Defines the ``tfvgan-export`` flags on `flag_values` (once)."""
    if "model_path" not in flag_values:
        _common.define(flag_values, _FLAGS)


def _main(argv: Sequence[str]) -> None:
    _common.start(argv)
    f = flags.FLAGS
    if sum(bool(x) for x in (f.model_path, f.run_dir, f.preset)) != 1:
        raise app.UsageError(
            "pass exactly one of --model_path, --run_dir and --preset."
        )
    source = f.model_path or f.run_dir
    export_dir = f.export_dir
    if f.preset:
        _common.check_preset(f.preset)
        if export_dir is None:
            raise app.UsageError("--preset needs --export_dir.")
        if f.checkpoint:
            raise app.UsageError("--checkpoint applies to run folders only.")
    elif export_dir is None:
        if not os.path.isdir(source):
            raise app.UsageError(
                "--export_dir is required unless exporting a run folder."
            )
        from tfvgan import runs

        export_dir = runs.export_dir(source)
    from tfvgan import builders, export

    if f.preset:
        from tfvgan import models

        model = models.from_preset(f.preset)
    else:
        model = builders.load_model(
            source, checkpoint=f.checkpoint, safe_mode=f.safe_mode
        )
    path = export.export_generator(
        model,
        export_dir,
        version=f.version,
        keep=f.keep,
        use_ema=f.use_ema,
        max_batch=f.max_batch,
        num_classes=f.num_classes,
    )
    print(path)


def main(argv: Sequence[str] | None = None) -> None:
    """Console entry point ``tfvgan-export`` (``python -m tfvgan.cli.export``)."""
    _common.run(define_flags, _main, argv)


if __name__ == "__main__":
    main()
