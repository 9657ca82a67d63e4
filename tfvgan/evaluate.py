"""`tfvgan-eval`: FVD/KVD (and conditional accuracy) of a trained generator.

Protocol (flags, with their defaults): `--num_videos=2048` clips generated
and `--num_videos` real clips from `moving_digits` (seed `--data_seed`,
disjoint from the training seed 0), both at the run's frames/size/channels
with frame stride 1; features from the offline digit classifier (cached,
trained once by `--train_extractor` or on first use) or from a user-provided
I3D SavedModel (`--i3d_path`, the standard FVD preprocessing: 224x224
bilinear, [-1, 1], batches of 16). Writes JSON next to printing it.

    tfvgan-eval --run_dir=runs/quickstart --num_videos=512
    tfvgan-eval --train_extractor --frames=8 --size=32
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence

from absl import app, flags

FLAGS = flags.FLAGS


def evaluate_run(
    run_dir: str,
    num_videos: int = 2048,
    data_seed: int = 1,
    i3d_path: str | None = None,
    batch_size: int = 32,
) -> dict:
    """Generates `num_videos` clips from a run and scores them against real data.

    Returns:
        A dict with `fvd`, `kvd`, `kvd_std`, the real-vs-real `fvd_floor`
        (two disjoint real samples); with the offline digit extractor also
        the digit Inception Score of the generated clips (`inception_score`)
        and of real clips (`inception_score_real`, the ceiling), and
        `conditional_accuracy` for label models.
    """
    import numpy as np

    from tfvgan import data, metrics
    from tfvgan.sample import load_run

    model, config, step = load_run(run_dir)
    shape = dict(frames=model.frames, size=model.size, channels=model.channels)
    real, labels, _ = data.moving_digits_arrays(
        num_videos=2 * num_videos, seed=data_seed, **shape
    )
    real = real.astype("float32") / 127.5 - 1.0
    labels = np.asarray(labels).reshape(len(labels), -1)[:, 0].astype("int32")
    condition = None
    if model.condition_type == "label":
        condition = labels[:num_videos]
    elif model.conditional:
        raise ValueError(
            f"tfvgan-eval scores unconditional and label-conditioned runs; got "
            f"condition_type={model.condition_type!r}."
        )
    fake = model.generate(
        num_videos, condition=condition, seed=data_seed, batch_size=batch_size
    )
    if i3d_path:
        extractor = metrics.I3DFeatures(i3d_path)
    else:
        extractor = metrics.load_digit_extractor(**shape)
    subset = min(1000, num_videos)
    result = metrics.video_distances(
        real[:num_videos], fake, extractor, kvd_subset_size=subset
    )
    floor = metrics.video_distances(
        real[:num_videos], real[num_videos:], extractor, kvd_subset_size=subset
    )
    result.update(fvd_floor=floor["fvd"], kvd_floor=floor["kvd"], step=int(step))
    if hasattr(extractor, "logits"):
        # Digit Inception Score: confident (legible) and varied digits score
        # high; real clips give the ceiling for this classifier.
        splits = max(1, min(10, num_videos // 100))
        result["inception_score"] = metrics.inception_score(
            extractor.logits, fake, num_splits=splits
        )[0]
        result["inception_score_real"] = metrics.inception_score(
            extractor.logits, real[:num_videos], num_splits=splits
        )[0]
        if condition is not None:
            result["conditional_accuracy"] = float(
                metrics.conditional_accuracy(extractor.logits, fake, condition)
            )
    return {
        k: float(v) if isinstance(v, (float, np.floating)) else v
        for k, v in result.items()
    }


def define_flags(flag_values: flags.FlagValues = FLAGS) -> None:
    flags.DEFINE_string(
        "run_dir",
        None,
        "Run directory written by tfvgan-train.",
        flag_values=flag_values,
    )
    flags.DEFINE_integer(
        "num_videos",
        2048,
        "Clips generated and real clips compared.",
        lower_bound=2,
        flag_values=flag_values,
    )
    flags.DEFINE_integer(
        "data_seed",
        1,
        "Seed of the real moving_digits sample.",
        flag_values=flag_values,
    )
    flags.DEFINE_string(
        "i3d_path",
        None,
        "Local Kinetics-400 I3D SavedModel (never downloaded).",
        flag_values=flag_values,
    )
    flags.DEFINE_bool(
        "train_extractor",
        False,
        "Train and cache the offline digit extractor, then exit.",
        flag_values=flag_values,
    )
    flags.DEFINE_integer(
        "frames", 16, "With --train_extractor: clip length.", flag_values=flag_values
    )
    flags.DEFINE_integer(
        "size", 64, "With --train_extractor: frame size.", flag_values=flag_values
    )
    flags.DEFINE_integer(
        "channels", 1, "With --train_extractor: channels.", flag_values=flag_values
    )
    flags.DEFINE_string(
        "output",
        None,
        "JSON output path (default <run_dir>/eval.json).",
        flag_values=flag_values,
    )


def _main(argv: Sequence[str]) -> None:
    if len(argv) > 1:
        raise app.UsageError(f"unexpected arguments {list(argv[1:])}; use --flags.")
    if FLAGS.train_extractor:
        from tfvgan import metrics

        metrics.load_digit_extractor(
            frames=FLAGS.frames, size=FLAGS.size, channels=FLAGS.channels, verbose=2
        )
        print("offline digit extractor ready in the tfvgan cache directory")
        return
    if not FLAGS.run_dir:
        raise app.UsageError("--run_dir is required (or --train_extractor).")
    if not os.path.isdir(FLAGS.run_dir):
        raise app.UsageError(f"--run_dir={FLAGS.run_dir!r} is not a directory.")
    result = evaluate_run(
        FLAGS.run_dir, num_videos=FLAGS.num_videos, data_seed=FLAGS.data_seed,
        i3d_path=FLAGS.i3d_path,
    )  # fmt: skip
    text = json.dumps(result, indent=2, sort_keys=True)
    print(text)
    with open(FLAGS.output or os.path.join(FLAGS.run_dir, "eval.json"), "w") as f:
        f.write(text + "\n")


def main(argv: Sequence[str] | None = None) -> None:
    """Console-script entry point (`tfvgan-eval`)."""
    define_flags()
    app.run(_main, argv=argv)


if __name__ == "__main__":
    main()
