"""`tfvgan-eval`: FVD/KVD, digit IS, conditional accuracy, PSNR/SSIM of a run.

Protocol (flags, with their defaults): `--num_videos=2048` clips generated
and `--num_videos` real clips from `moving_digits` (seed `--data_seed`,
disjoint from the training seed 0), both at the run's frames/size/channels
with frame stride 1; features from the offline digit classifier (cached,
trained once by `--train_extractor` or on first use) or from a user-provided
I3D SavedModel (`--i3d_path`, the standard FVD preprocessing: 224x224
bilinear, [-1, 1], batches of 16). Conditions come from the real clips:
labels and captions (scored by conditional accuracy), first frames (video
prediction: PSNR/SSIM against the real clip, next to repeating the first
frame) and low-resolution clips (super-resolution: next to bicubic
upscaling). Other real sources: `--dataset=directory` or `--dataset=tfds`
with `--data_kwargs` (e.g. `directory=clips/,frame_step=2` or
`name=ucf101,split=test`): videos drawn uniformly at random (shuffled with
`--data_seed`) across the whole source, first window of each video, the
first `--num_videos` for the target and the next `--num_videos` (other
videos) for the floor; with those, pass `--i3d_path` (the digit classifier
only knows digits).
Writes JSON next to printing it.

    tfvgan-eval --run_dir=runs/quickstart --num_videos=512
    tfvgan-eval --run_dir=runs/ucf --dataset=tfds --data_kwargs=name=ucf101,split=test \
        --i3d_path=/models/i3d-kinetics-400
    tfvgan-eval --saved_model=runs/quickstart/export/640 --num_videos=512 \
        --data_kwargs=glyph_size=24
    tfvgan-eval --train_extractor --frames=8 --size=32 --glyph_size=24
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence

from absl import app, flags

__all__ = [
    "SavedModelGenerator",
    "define_flags",
    "evaluate_model",
    "evaluate_run",
    "main",
    "real_data_kwargs",
]

FLAGS = flags.FLAGS


def _upscale_bicubic(low, size: int):
    """Per-frame bicubic upscaling: the super-resolution baseline."""
    import numpy as np
    import tensorflow as tf

    b, t, h, w, c = low.shape
    frames = tf.reshape(tf.convert_to_tensor(low, tf.float32), (b * t, h, w, c))
    up = tf.image.resize(frames, (size, size), method="bicubic")
    return np.clip(tf.reshape(up, (b, t, size, size, c)).numpy(), -1.0, 1.0)


def _frame_scores(metrics, fake, real, baseline, name: str) -> dict:
    """PSNR/SSIM of the generator and of the trivial baseline against real."""
    return {
        "psnr": float(metrics.psnr(fake, real, max_db=100.0)),
        "ssim": float(metrics.ssim(fake, real)),
        f"psnr_{name}": float(metrics.psnr(baseline, real, max_db=100.0)),
        f"ssim_{name}": float(metrics.ssim(baseline, real)),
    }


#: moving_digits arguments that change how clips look (not how many there
#: are): a run's values are used for its real clips and digit classifier.
_LOOK_KWARGS = ("glyph_size", "speed")


def real_data_kwargs(config) -> dict:
    """The `data_kwargs` that score a run against clips like its training data.

    For a ``moving_digits`` run: its digit size and speed (``glyph_size``,
    ``speed``) where set; for other sources an empty dict.

    Args:
        config: a `tfvgan.config.TrainConfig`.

    Returns:
        A dict for the `data_kwargs` argument of `evaluate_model`.
    """
    if config.dataset != "moving_digits":
        return {}
    return {k: v for k, v in config.data_kwargs.items() if k in _LOOK_KWARGS}


def _real_clips(dataset, data_kwargs, shape, count, seed, batch_size, labels):
    """Up to `count` real clips in [-1, 1] (and labels) from a data source.

    ``moving_digits`` with no arguments but `_LOOK_KWARGS` is generated
    directly (with captions); other sources go through their `tfvgan.data`
    loader, shuffled with `seed` so that the clips are a uniform sample of
    the whole source (a folder is read class by class otherwise), the first
    clip window of each video (``random_clip=False``). Each video gives one
    clip, so the first and second halves come from different videos.
    """
    import numpy as np

    from tfvgan import data
    from tfvgan.config import DATASETS, check_choice

    check_choice("dataset", dataset, tuple(DATASETS))
    if dataset == "moving_digits" and set(data_kwargs or {}) <= set(_LOOK_KWARGS):
        real, digits, captions = data.moving_digits_arrays(
            num_videos=count, seed=seed, **shape, **(data_kwargs or {})
        )
        digits = np.asarray(digits).reshape(len(digits), -1)[:, 0].astype("int32")
        return real.astype("float32") / 127.5 - 1.0, digits, captions
    # Unbatched from the loader (which drops remainders), batched here.
    kwargs = dict(shape, batch_size=None, seed=seed, repeat=False)
    kwargs["condition"] = "label" if labels else None
    if dataset == "moving_digits":
        # Generated clips are independent draws already: no shuffle needed.
        kwargs.update(num_videos=count, shuffle=False)
    else:
        kwargs.update(shuffle=True, random_clip=False)
    kwargs.update(data_kwargs or {})
    source = getattr(data, DATASETS[dataset])(**kwargs).batch(batch_size)
    videos, ids, total = [], [], 0
    for batch in source:
        video, label = batch if labels else (batch, None)
        videos.append(video.numpy())
        if label is not None:
            ids.append(np.asarray(label).reshape(len(video), -1)[:, 0])
        total += len(video)
        if total >= count:
            break
    if not videos:
        raise ValueError(f"the {dataset!r} data source gave no clips.")
    real = np.concatenate(videos)[:count]
    return real, (np.concatenate(ids)[:count].astype("int32") if ids else None), None


class SavedModelGenerator:
    """A tfvgan export seen through the ``generate`` interface `evaluate_model` uses.

    Reads the export's ``assets.extra/tfvgan_export.json`` for the clip shape,
    latent size and condition, and calls the ``generate_float`` signature
    with the noise ``VideoGAN.noise_from_seeds`` would draw, so clip ``i`` of
    ``generate(n, seed=s)`` equals the trained model's. `generate_uint8`
    calls ``generate_from_seed`` instead (``tfvgan-sample``). Both send any
    number of clips in requests of at most the export's ``max_batch``, which
    refuses larger ones.

    Args:
        path: a SavedModel version folder written by `tfvgan.export`.

    Raises:
        FileNotFoundError: `path` is not a tfvgan export.
    """

    def __init__(self, path: str | os.PathLike):
        import tensorflow as tf

        path = os.fspath(path)
        meta_path = os.path.join(path, "assets.extra", "tfvgan_export.json")
        if not os.path.isfile(meta_path):
            raise FileNotFoundError(
                f"{meta_path} not found: expected a SavedModel version folder "
                "written by tfvgan.export (e.g. runs/x/export/640)."
            )
        with open(meta_path) as f:
            meta = json.load(f)
        self.path = path
        self.latent_dim = int(meta["latent_dim"])
        self.frames, self.size, _, self.channels = (int(d) for d in meta["video_shape"])
        self.condition_type = meta["condition_type"]
        self.conditional = self.condition_type is not None
        self.condition_spec = None
        if self.conditional:
            self.condition_spec = tf.TensorSpec(
                meta["condition_shape"], tf.as_dtype(meta["condition_dtype"])
            )
        self.max_batch = int(meta["max_batch"])
        self._loaded = tf.saved_model.load(path)
        self.signatures = self._loaded.signatures
        self._signature = self.signatures["generate_float"]

    def _in_chunks(self, call, num_videos: int, condition, batch_size: int):
        """``call(seeds, condition_part)`` over slices of at most `max_batch`.

        The export refuses a request larger than its ``max_batch``; slicing
        here is what lets any `num_videos` through. ``seeds`` are the clip
        indices of the slice (int64), ``condition_part`` the matching rows of
        `condition` as the export's dtype, or None.
        """
        import numpy as np
        import tensorflow as tf

        step = max(1, min(batch_size, self.max_batch))
        out = []
        for start in range(0, num_videos, step):
            seeds = tf.range(start, min(num_videos, start + step), dtype=tf.int64)
            part = None
            if condition is not None:
                rows = np.asarray(condition)[start : start + len(seeds)]
                part = tf.constant(rows, self.condition_spec.dtype)
            out.append(call(seeds, part))
        return np.concatenate(out)

    def generate(self, num_videos: int, condition=None, seed: int = 0, batch_size=32):
        """``num_videos`` float clips in ``[-1, 1]``; clip ``i`` uses seed ``seed + i``."""
        from tfvgan.models.video_gan import noise_from_seeds

        def call(seeds, part):
            args = {"noise": noise_from_seeds(seeds + seed, self.latent_dim)}
            if part is not None:
                args["condition"] = part
            return self._signature(**args)["video"].numpy()

        return self._in_chunks(call, num_videos, condition, batch_size)

    def generate_uint8(
        self,
        num_videos: int,
        condition=None,
        seed: int = 0,
        batch_size: int | None = None,
    ):
        """``num_videos`` uint8 clips from the ``generate_from_seed`` signature.

        Clip ``i`` uses seed ``seed + i``, as `generate`; requests go in
        slices of at most ``max_batch`` (and `batch_size`, default
        ``max_batch``).
        """
        signature = self.signatures["generate_from_seed"]

        def call(seeds, part):
            args = {"seed": seeds + seed}
            if part is not None:
                args["condition"] = part
            return signature(**args)["video"].numpy()

        return self._in_chunks(
            call, num_videos, condition, batch_size or self.max_batch
        )


def evaluate_run(
    run_dir: str,
    num_videos: int = 2048,
    data_seed: int = 1,
    i3d_path: str | None = None,
    batch_size: int = 32,
    checkpoint: str | None = None,
    dataset: str = "moving_digits",
    data_kwargs: dict | None = None,
) -> dict:
    """Restores a run's generator and scores it with `evaluate_model`.

    Args:
        run_dir: a run folder written by ``tfvgan-train``.
        num_videos: generated clips, and real clips per real sample.
        data_seed: seed of the real sample (training uses seed 0).
        i3d_path: a local Kinetics-400 I3D SavedModel; default the offline
            digit extractor.
        batch_size: clips per generator call.
        checkpoint: a checkpoint prefix of the run; default the latest.
        dataset, data_kwargs: the real clips' source, as in `evaluate_model`;
            by default a ``moving_digits`` run is scored against clips that
            look like its training data (its ``glyph_size`` and ``speed``).

    Returns:
        `evaluate_model`'s dict, plus the checkpoint's training `step`.
    """
    from tfvgan.sample import load_run

    model, config, step = load_run(run_dir, checkpoint)
    if data_kwargs is None and dataset == config.dataset:
        data_kwargs = real_data_kwargs(config)
    result = evaluate_model(
        model, num_videos, data_seed, i3d_path, batch_size, dataset, data_kwargs
    )
    result["step"] = int(step)
    return result


def evaluate_model(
    model,
    num_videos: int = 2048,
    data_seed: int = 1,
    i3d_path: str | None = None,
    batch_size: int = 32,
    dataset: str = "moving_digits",
    data_kwargs: dict | None = None,
) -> dict:
    """Generates `num_videos` clips and scores them against real data.

    Every model gets FVD/KVD against `num_videos` real `moving_digits` clips
    (seed `data_seed`) and the real-vs-real floor. Conditions come from the
    same real clips: their digit labels (label models), their captions (text
    models), their first frames (image models: video prediction) or their
    low-resolution versions (video models: super-resolution).

    Args:
        model: a `tfvgan.models.VideoGAN` (its EMA generator is used when it
            has one), or a `SavedModelGenerator` over an export.
        num_videos: generated clips, and real clips per real sample.
        data_seed: seed of the real sample (training uses seed 0).
        i3d_path: a local Kinetics-400 I3D SavedModel; default the offline
            digit extractor.
        batch_size: clips per generator call.
        dataset: where real clips come from: ``"moving_digits"``,
            ``"directory"`` or ``"tfds"`` (as in ``tfvgan-train``), read at
            the model's frames/size/channels.
        data_kwargs: that source's arguments, e.g. ``{"directory": "clips/",
            "frame_step": 2}`` or ``{"name": "ucf101", "split": "test"}``.
            Its videos are sampled uniformly (shuffled with `data_seed`):
            the first `num_videos` are the target, the next `num_videos` the
            floor. A source with fewer than ``2 * num_videos`` clips is
            split in two halves (generated and floor); text conditions need
            ``moving_digits`` captions.

    Returns:
        A dict with `fvd`, `kvd`, `kvd_std`, the real-vs-real `fvd_floor`
        and `kvd_floor`, `num_videos` (clips per sample actually used); with the offline digit extractor also the digit
        Inception Score of the generated clips (`inception_score`) and of
        real clips (`inception_score_real`, the ceiling), and
        `conditional_accuracy` (the digit the classifier sees is the one the
        label or caption asked for) for label and text models. Image models
        add `psnr`/`ssim` against the real clip and `psnr_copy_first_frame`/
        `ssim_copy_first_frame` (the clip that repeats its first frame);
        video models add `psnr`/`ssim` and `psnr_bicubic`/`ssim_bicubic`.
    """
    import numpy as np

    from tfvgan import data, metrics

    shape = dict(frames=model.frames, size=model.size, channels=model.channels)
    kind = model.condition_type if model.conditional else None
    real, labels, captions = _real_clips(
        dataset, data_kwargs, shape, 2 * num_videos, data_seed, batch_size,
        labels=kind == "label",
    )  # fmt: skip
    if len(real) < 2 * num_videos:
        num_videos = len(real) // 2
        if num_videos < 2:
            raise ValueError(
                f"the {dataset!r} data source gave {len(real)} clips; at least 4 "
                "are needed (two real samples for the floor)."
            )
    target = real[:num_videos]
    condition, asked = None, None
    if kind == "label":
        if labels is None:
            raise ValueError(f"the {dataset!r} source gave no labels for this model.")
        condition = asked = labels[:num_videos]
    elif kind == "text":
        if captions is None:
            raise ValueError(
                "text-conditioned models are scored on moving_digits captions; "
                f"the {dataset!r} source has none."
            )
        condition, asked = np.asarray(captions[:num_videos]), labels[:num_videos]
    elif kind == "image":
        condition = target[:, 0]
    elif kind == "video":
        low = model.condition_spec.shape[-2]
        condition = data.video_condition(
            target, "low_res", downscale=model.size // low
        ).numpy()
    elif kind is not None:
        raise ValueError(f"tfvgan-eval does not know condition_type={kind!r}.")
    fake = model.generate(
        num_videos, condition=condition, seed=data_seed, batch_size=batch_size
    )
    if i3d_path:
        extractor = metrics.I3DFeatures(i3d_path)
    else:
        glyph_size = None
        if dataset == "moving_digits":
            glyph_size = (data_kwargs or {}).get("glyph_size")
        extractor = metrics.load_digit_extractor(glyph_size=glyph_size, **shape)
    subset = min(1000, num_videos)
    result = metrics.video_distances(target, fake, extractor, kvd_subset_size=subset)
    floor = metrics.video_distances(
        target, real[num_videos : 2 * num_videos], extractor, kvd_subset_size=subset
    )
    result.update(
        fvd_floor=floor["fvd"], kvd_floor=floor["kvd"], num_videos=int(num_videos)
    )
    if hasattr(extractor, "logits"):
        # Digit Inception Score: confident (legible) and varied digits score
        # high; real clips give the ceiling for this classifier.
        splits = max(1, min(10, num_videos // 100))
        result["inception_score"] = metrics.inception_score(
            extractor.logits, fake, num_splits=splits
        )[0]
        result["inception_score_real"] = metrics.inception_score(
            extractor.logits, target, num_splits=splits
        )[0]
        if asked is not None:
            result["conditional_accuracy"] = float(
                metrics.conditional_accuracy(extractor.logits, fake, asked)
            )
    if kind == "image":
        copied = np.repeat(target[:, :1], model.frames, axis=1)
        result.update(_frame_scores(metrics, fake, target, copied, "copy_first_frame"))
    elif kind == "video":
        upscaled = _upscale_bicubic(condition, model.size)
        result.update(_frame_scores(metrics, fake, target, upscaled, "bicubic"))
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
    flags.DEFINE_string(
        "saved_model",
        None,
        "Instead of --run_dir: a SavedModel version folder written by tfvgan.export.",
        flag_values=flag_values,
    )
    flags.DEFINE_enum(
        "dataset",
        "moving_digits",
        ["moving_digits", "directory", "tfds"],
        "Source of the real clips (read at the model's frames/size/channels).",
        flag_values=flag_values,
    )
    flags.DEFINE_string(
        "data_kwargs",
        None,
        "The source's arguments: JSON or key=value,... e.g. "
        "directory=clips/,frame_step=2 or name=ucf101,split=test.",
        flag_values=flag_values,
    )
    flags.DEFINE_string(
        "checkpoint",
        None,
        "Checkpoint prefix in the run (runs/x/checkpoints/ckpt-N); default latest.",
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
        "Seed of the real sample: the moving_digits clips, or the shuffle that "
        "draws the videos of a directory or tfds source.",
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
    flags.DEFINE_integer(
        "glyph_size",
        None,
        "With --train_extractor: digit size in pixels (default size // 2; the "
        "quick-start run uses 24 at --size=32).",
        lower_bound=1,
        flag_values=flag_values,
    )
    flags.DEFINE_string(
        "output",
        None,
        "JSON output path (default <run_dir>/eval.json; ./eval.json for --saved_model).",
        flag_values=flag_values,
    )


def _main(argv: Sequence[str]) -> None:
    if len(argv) > 1:
        raise app.UsageError(f"unexpected arguments {list(argv[1:])}; use --flags.")
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
    if bool(FLAGS.run_dir) == bool(FLAGS.saved_model):
        raise app.UsageError(
            "pass exactly one of --run_dir and --saved_model (or --train_extractor)."
        )
    from tfvgan.train import _parse_kwargs

    try:
        # None (flag not given): a run is scored on clips like its own data.
        data_kwargs = None
        if FLAGS.data_kwargs:
            data_kwargs = _parse_kwargs("data_kwargs", FLAGS.data_kwargs)
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
    if FLAGS.saved_model:
        if FLAGS.checkpoint:
            raise app.UsageError("--checkpoint applies to --run_dir only.")
        result = evaluate_model(SavedModelGenerator(source), **protocol)
    else:
        result = evaluate_run(source, checkpoint=FLAGS.checkpoint, **protocol)
    text = json.dumps(result, indent=2, sort_keys=True)
    print(text)
    # Never write into a SavedModel folder that a server may be watching.
    default = os.path.join(source, "eval.json") if FLAGS.run_dir else "eval.json"
    with open(FLAGS.output or default, "w") as f:
        f.write(text + "\n")


def main(argv: Sequence[str] | None = None) -> None:
    """Console-script entry point (`tfvgan-eval`)."""
    define_flags()
    app.run(_main, argv=argv)


if __name__ == "__main__":
    main()
