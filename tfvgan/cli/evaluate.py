"""``tfvgan-eval``: score a run folder or an export (`tfvgan.evaluate`).

Prints the scores as JSON and writes them next to the run
(``<run_dir>/eval.json``; ``./eval.json`` for ``--saved_model`` and
``--preset``). The
protocol is `tfvgan.evaluate.evaluate_model`'s; ``--train_extractor``
trains and caches the offline digit classifier and exits.

Example:

```
tfvgan-eval --run_dir=runs/quickstart --num_videos=512
tfvgan-eval --run_dir=runs/ucf --dataset=tfds --data_kwargs=name=ucf101,split=test \\
    --i3d_path=/models/i3d-kinetics-400
tfvgan-eval --saved_model=runs/quickstart/export/640 --num_videos=512 \\
    --data_kwargs=glyph_size=24
tfvgan-eval --preset=moving_digits_label --num_videos=64
tfvgan-eval --train_extractor --frames=8 --size=32 --glyph_size=24
```
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence

from absl import app, flags

from tfvgan.cli import _common
from tfvgan.config import DATASETS

__all__ = ["define_flags", "main"]

FLAGS = flags.FLAGS


_FLAGS = (
    ("string", "run_dir", None, "Run directory written by tfvgan-train."),
    ("string", "saved_model", None, "Instead of --run_dir: a SavedModel version "
     "folder written by tfvgan.export."),
    ("string", "preset", None, "Instead of --run_dir: a pretrained preset shipped "
     "with tfvgan, scored with the protocol its recorded figures used (its real "
     "clips' seed and look); --num_videos defaults to that protocol's."),
    ("enum", "dataset", "moving_digits", "Source of the real clips (read at the "
     "model's frames/size/channels).", {"enum_values": list(DATASETS)}),
    ("string", "data_kwargs", None, "The source's arguments: JSON or key=value,... "
     "e.g. directory=clips/,frame_step=2 or name=ucf101,split=test."),
    ("string", "checkpoint", None,
     "Checkpoint prefix in the run (runs/x/checkpoints/ckpt-N); default latest."),
    ("integer", "num_videos", 2048, "Clips generated and real clips compared.",
     {"lower_bound": 2}),
    ("integer", "data_seed", None, "Seed of the real sample: the moving_digits "
     "clips, or the shuffle that draws the videos of a directory or tfds source. "
     "Default: a run's training data seed + 1 (moving_digits clips it did not "
     "train on); 1 with --saved_model (pass the run's seed + 1 to score an export "
     "like its run)."),
    ("string", "i3d_path", None,
     "Local Kinetics-400 I3D SavedModel (never downloaded)."),
    ("bool", "features", True, "With --preset: also the scores that need a "
     "feature extractor (FVD, KVD, digit IS, accuracies); --nofeatures keeps the "
     "pixel scores only (PSNR/SSIM and their baselines, diversity) and loads no "
     "extractor."),
    ("bool", "train_extractor", False,
     "Train and cache the offline digit extractor, then exit."),
    ("integer", "frames", 16, "With --train_extractor: clip length."),
    ("integer", "size", 64, "With --train_extractor: frame size."),
    ("integer", "channels", 1, "With --train_extractor: channels."),
    ("integer", "glyph_size", None, "With --train_extractor: digit size in pixels "
     "(default size // 2; the quick-start run uses 24 at --size=32).",
     {"lower_bound": 1}),
    ("string", "output", None, "JSON output path (default <run_dir>/eval.json; "
     "./eval.json for --saved_model and --preset)."),
)  # fmt: skip


def define_flags(flag_values: flags.FlagValues = FLAGS) -> None:
    """Defines the ``tfvgan-eval`` flags on `flag_values` (once)."""
    if "train_extractor" not in flag_values:
        _common.define(flag_values, _FLAGS)


def _main(argv: Sequence[str]) -> None:
    _common.start(argv)
    if not FLAGS.features and (FLAGS.train_extractor or FLAGS.i3d_path):
        raise app.UsageError(
            "--nofeatures loads no feature extractor: drop --train_extractor "
            "and --i3d_path, or --nofeatures."
        )
    if FLAGS.train_extractor:
        from tfvgan import metrics

        metrics.load_digit_extractor(
            frames=FLAGS.frames,
            size=FLAGS.size,
            channels=FLAGS.channels,
            glyph_size=FLAGS.glyph_size,
            verbose=2,
        )
        print("offline digit extractor ready in the tfvgan cache directory")
        return
    if sum(bool(x) for x in (FLAGS.run_dir, FLAGS.saved_model, FLAGS.preset)) != 1:
        raise app.UsageError(
            "pass exactly one of --run_dir, --saved_model and --preset "
            "(or --train_extractor)."
        )
    if FLAGS.preset:
        _evaluate_preset()
        return
    if not FLAGS.features:
        raise app.UsageError("--nofeatures applies to --preset only.")
    try:
        # None (flag not given): a run is scored on clips like its own data.
        data_kwargs = None
        if FLAGS.data_kwargs:
            data_kwargs = _common.parse_kwargs("data_kwargs", FLAGS.data_kwargs)
    except ValueError as error:
        raise app.UsageError(str(error)) from error
    protocol = dict(
        num_videos=FLAGS.num_videos, data_seed=FLAGS.data_seed,
        i3d_path=FLAGS.i3d_path, dataset=FLAGS.dataset, data_kwargs=data_kwargs,
    )  # fmt: skip
    source = FLAGS.run_dir or FLAGS.saved_model
    flag = "--run_dir" if FLAGS.run_dir else "--saved_model"
    if not os.path.isdir(source):
        raise app.UsageError(f"{flag}={source!r} is not a directory.")
    from tfvgan import evaluate

    if FLAGS.saved_model:
        if FLAGS.checkpoint:
            raise app.UsageError("--checkpoint applies to --run_dir only.")
        from tfvgan.serving import SavedModelGenerator

        if protocol["data_seed"] is None:
            protocol["data_seed"] = 1
        result = evaluate.evaluate_model(SavedModelGenerator(source), **protocol)
    else:
        result = evaluate.evaluate_run(source, checkpoint=FLAGS.checkpoint, **protocol)
    text = json.dumps(result, indent=2, sort_keys=True)
    print(text)
    # Never write into a SavedModel folder that a server may be watching.
    default = os.path.join(source, "eval.json") if FLAGS.run_dir else "eval.json"
    with open(FLAGS.output or default, "w") as f:
        f.write(text + "\n")


def _evaluate_preset() -> None:
    from tfvgan import pretrained

    _common.check_preset(FLAGS.preset)
    changed = [
        name
        for name in ("dataset", "data_kwargs", "data_seed", "checkpoint")
        if FLAGS[name].present
    ]
    if changed:
        raise app.UsageError(
            f"--preset is scored with its recorded protocol; drop "
            f"{', '.join('--' + n for n in changed)}."
        )
    if not FLAGS.features:
        figures = pretrained.metadata(FLAGS.preset).get("check", {}).get("figures", {})
        if not any(key.startswith(("psnr", "diversity")) for key in figures):
            raise app.UsageError(
                f"--preset={FLAGS.preset} has no pixel scores (its figures all "
                "need the digit classifier): drop --nofeatures."
            )
    from tfvgan import evaluate

    num_videos = FLAGS.num_videos if FLAGS["num_videos"].present else None
    result = evaluate.evaluate_preset(
        FLAGS.preset,
        num_videos=num_videos,
        i3d_path=FLAGS.i3d_path,
        features=FLAGS.features,
    )
    text = json.dumps(result, indent=2, sort_keys=True)
    print(text)
    with open(FLAGS.output or "eval.json", "w") as f:
        f.write(text + "\n")


def main(argv: Sequence[str] | None = None) -> None:
    """Console entry point ``tfvgan-eval`` (``python -m tfvgan.cli.evaluate``)."""
    _common.run(define_flags, _main, argv)


if __name__ == "__main__":
    main()
