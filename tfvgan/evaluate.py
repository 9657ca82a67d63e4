"""The evaluation protocol: FVD/KVD, digit IS, conditional accuracy, PSNR/SSIM.

`evaluate_model` scores a model (or a `tfvgan.serving.SavedModelGenerator`
over an export) against real clips; `evaluate_run` restores a run folder's
generator first. The protocol: `num_videos` clips generated and
`num_videos` real clips from `moving_digits` (seed `data_seed`; a run
is scored on `held_out_seed`, so never on its training clips), both at
the model's frames/size/channels with frame stride 1; features from the offline digit classifier (cached,
trained once on first use) or from a user-provided I3D SavedModel
(`i3d_path`, the standard FVD preprocessing: 224x224 bilinear, [-1, 1],
batches of 16). Conditions come from the real clips: labels and captions
(scored by conditional accuracy), first frames (video prediction: PSNR/SSIM
against the real clip, next to repeating the first frame) and
low-resolution clips (super-resolution: next to bicubic upscaling). Other
real sources: ``dataset="directory"`` or ``"tfds"`` with `data_kwargs`
(e.g. ``{"directory": "clips/", "frame_step": 2}``): videos drawn uniformly
at random (shuffled with `data_seed`) across the whole source, first window
of each video, the first `num_videos` for the target and the next
`num_videos` (other videos) for the floor; with those, pass `i3d_path` (the
digit classifier only knows digits).

The command line is ``tfvgan-eval`` (`tfvgan.cli.evaluate`).

Example:

```python
from tfvgan.evaluate import evaluate_run

scores = evaluate_run("runs/quickstart", num_videos=512)
```
"""

from __future__ import annotations

__all__ = [
    "BEST_OF",
    "evaluate_model",
    "evaluate_preset",
    "evaluate_run",
    "held_out_seed",
    "real_data_kwargs",
]

#: Samples per clip of the stochastic-prediction protocol (SVG, SAVP).
BEST_OF = 10


def _caption_scores(
    model, extractor, fake, target, captions, held_out, seed, batch_size
) -> dict:
    """The caption judge's accuracies (see `evaluate_model`)."""
    import numpy as np

    from tfvgan import metrics
    from tfvgan.data import DIRECTION_PHRASES

    judge = metrics.CaptionJudge(extractor)
    try:
        wanted = [metrics.parse_caption(c) for c in captions]
    except ValueError:
        return {}  # Captions of several digits: the judge reads one.
    result = {}
    scores = judge(fake, captions)
    reference = judge.reference(target, captions, seed=seed)
    for key, values in scores.items():
        result[f"caption_{key}"] = float(np.mean(values))
        for level in ("ceiling", "chance"):
            result[f"caption_{key}_{level}"] = reference[level][key]
    if not held_out:
        return result
    pairs = {(int(d), *DIRECTION_PHRASES[p]) for d, p in held_out}
    seen = np.array([tuple(w) not in pairs for w in wanted])
    if seen.any():
        for key, values in scores.items():
            result[f"seen_{key}"] = float(np.mean(values[seen]))
    phrases = [f"digit {int(d)} moves {p}" for d, p in held_out]
    asked = [phrases[i % len(phrases)] for i in range(len(fake))]
    unseen = model.generate(
        len(asked), condition=asked, seed=seed + 1, batch_size=batch_size
    )
    for key, value in judge.accuracy(unseen, asked).items():
        result[f"held_out_{key}"] = value
    return result


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


def held_out_seed(config) -> int:
    """The seed of the real clips a run is scored on: its training data
    seed plus one.

    ``moving_digits`` draws its clips from the seed, so the same seed gives
    the same clips: a run trained with ``--seed 1`` and scored on seed 1
    would be scored on its own training clips. (Seed 0 runs keep seed 1,
    the protocol's long-standing default.) For a folder or TFDS source the
    seed only shuffles which videos are drawn: held-out videos need a
    held-out split (``data_kwargs``).

    Args:
        config: a `tfvgan.config.TrainConfig`.

    Returns:
        ``data_kwargs["seed"]`` (or ``config.seed``) ``+ 1``.
    """
    return int(config.data_kwargs.get("seed", config.seed)) + 1


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
    from tfvgan.config import DATASETS
    from tfvgan.validation import check_choice

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


def evaluate_run(
    run_dir: str,
    num_videos: int = 2048,
    data_seed: int | None = None,
    i3d_path: str | None = None,
    batch_size: int = 32,
    checkpoint: str | None = None,
    dataset: str = "moving_digits",
    data_kwargs: dict | None = None,
) -> dict:
    """Restores a run's generator and scores it with `evaluate_model`.

    A text run on ``moving_digits`` that left (digit, direction) pairs out
    of its training clips (``data_kwargs["exclude"]``, as the ``text`` run
    preset does) is also asked for exactly those captions (`held_out`).

    Args:
        run_dir: a run folder written by ``tfvgan-train``.
        num_videos: generated clips, and real clips per real sample.
        data_seed: seed of the real sample; default `held_out_seed` (for
            ``moving_digits``, clips the run did not train on).
        i3d_path: a local Kinetics-400 I3D SavedModel; default the offline
            digit extractor.
        batch_size: clips per generator call.
        checkpoint: a checkpoint prefix of the run; default the latest.
        dataset, data_kwargs: the real clips' source, as in `evaluate_model`;
            by default a ``moving_digits`` run is scored against clips that
            look like its training data (its ``glyph_size`` and ``speed``).

    Returns:
        `evaluate_model`'s dict, plus the checkpoint's training `step` and
        the `data_seed` used.
    """
    from tfvgan.builders import load_run

    model, config, step = load_run(run_dir, checkpoint)
    if data_seed is None:
        data_seed = held_out_seed(config)
    if data_kwargs is None and dataset == config.dataset:
        data_kwargs = real_data_kwargs(config)
    held_out = None
    if config.dataset == "moving_digits":
        held_out = config.data_kwargs.get("exclude")
    result = evaluate_model(
        model,
        num_videos,
        data_seed,
        i3d_path,
        batch_size,
        dataset,
        data_kwargs,
        held_out=held_out,
    )
    result["step"] = int(step)
    result["data_seed"] = int(data_seed)
    return result


def evaluate_preset(
    name: str,
    num_videos: int | None = None,
    batch_size: int = 32,
    i3d_path: str | None = None,
    features: bool = True,
) -> dict:
    """Scores a pretrained preset (`tfvgan.models.from_preset`) with the
    protocol its figures were recorded under.

    The preset's metadata holds that protocol (``evaluation.protocol``: the
    real clips' seed, held out from its training data, their look, the
    (digit, direction) pairs a text preset never saw) and the figures it
    gave: ``evaluation.figures`` on ``evaluation.protocol.num_videos``
    clips, and ``check.figures`` on ``check.num_videos`` clips, a sample
    small enough to re-measure in a test.

    Args:
        name: a shipped preset (`tfvgan.models.list_presets`).
        num_videos: clips per sample; default the recorded protocol's.
        batch_size: clips per generator call.
        i3d_path: a local I3D SavedModel instead of the digit extractor.
        features: False keeps only the pixel scores (see `evaluate_model`).

    Returns:
        `evaluate_model`'s dict, plus ``preset`` and the ``data_seed`` used.
    """
    from tfvgan import models

    model = models.from_preset(name)
    protocol = model.preset_metadata.get("evaluation", {}).get("protocol", {})
    if num_videos is None:
        num_videos = int(protocol.get("num_videos", 1024))
    data_seed = int(protocol.get("data_seed", 1))
    result = evaluate_model(
        model,
        num_videos,
        data_seed,
        i3d_path,
        batch_size,
        data_kwargs=protocol.get("data_kwargs") or None,
        held_out=protocol.get("held_out"),
        features=features,
    )
    result["preset"] = name
    result["data_seed"] = data_seed
    return result


def _pairwise_spread(clips) -> float:
    """Mean absolute difference between clip ``i`` and clip ``i + B // 2``."""
    import numpy as np

    clips = np.asarray(clips, np.float32)
    half = len(clips) // 2
    return float(np.abs(clips[:half] - clips[half : 2 * half]).mean())


def evaluate_model(
    model,
    num_videos: int = 2048,
    data_seed: int = 1,
    i3d_path: str | None = None,
    batch_size: int = 32,
    dataset: str = "moving_digits",
    data_kwargs: dict | None = None,
    held_out=None,
    features: bool = True,
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
        data_seed: seed of the real sample: keep it apart from the
            training data's (`held_out_seed`).
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
        held_out: for a text model, the (digit, direction) pairs its
            training clips left out (``moving_digits(exclude=...)``): the
            caption scores are split into seen and held-out pairs, and
            `num_videos` more clips are generated for the held-out captions.
        features: False skips every score that needs a feature extractor
            (FVD, KVD, the digit Inception Score, conditional and caption
            accuracy): only the pixel scores remain (PSNR/SSIM and their
            baselines, diversity), and no extractor is loaded or trained.

    Returns:
        A dict with `fvd`, `kvd`, `kvd_std`, the real-vs-real `fvd_floor`
        and `kvd_floor`, `num_videos` (clips per sample actually used);
        unconditional models add `diversity`, the mean absolute difference
        between two generated clips (0: the noise is ignored), beside
        `diversity_real`, the same for two real clips; with the offline digit extractor also the digit
        Inception Score of the generated clips (`inception_score`) and of
        real clips (`inception_score_real`, the ceiling), and
        `conditional_accuracy` (the digit the classifier sees is the one the
        label or caption asked for) for label and text models. Text models
        on one-digit ``moving_digits`` captions add the caption judge's
        scores (`tfvgan.metrics.CaptionJudge`): ``caption_digit``,
        ``caption_motion`` and ``caption_joint`` over all clips, the same
        with ``_ceiling`` (real clips, their captions) and ``_chance`` (real
        clips, shuffled captions), and with `held_out` the ``seen_*`` and
        ``held_out_*`` accuracies. Image models
        add `psnr`/`ssim` against the real clip and `psnr_copy_first_frame`/
        `ssim_copy_first_frame` (the clip that repeats its first frame);
        video models add `psnr`/`ssim` and `psnr_bicubic`/`ssim_bicubic`;
        frames models (prediction) add `psnr`/`ssim` over the predicted
        frames and `psnr_copy_last_frame`/`ssim_copy_last_frame`, and the
        best of `BEST_OF` samples per clip (`psnr_best_of_10`,
        `ssim_best_of_10`) with their `diversity`
        (`tfvgan.metrics.best_of_n_scores`). Every
        model with a baseline also gets the baseline's FVD
        (`fvd_<baseline>`).
    """
    import numpy as np

    from tfvgan import conditions, metrics

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
    if labels is not None:
        labels = labels[:num_videos]
    if captions is not None:
        captions = captions[:num_videos]
    condition, asked, kind_lib = None, None, None
    if kind is not None:
        # The condition type says what a clip's condition is and what
        # trivial answer the model must beat (`tfvgan.conditions`).
        kind_lib = conditions.get(kind)
        options = kind_lib.model_options(model)
        try:
            condition = kind_lib.from_clips(target, labels, captions, **options)
        except ValueError as error:
            raise ValueError(f"the {dataset!r} data source: {error}") from error
        if kind in ("label", "text"):
            asked = labels
    fake = model.generate(
        num_videos, condition=condition, seed=data_seed, batch_size=batch_size
    )
    extractor, result = None, {"num_videos": int(num_videos)}
    if not features:
        pass
    elif i3d_path:
        extractor = metrics.I3DFeatures(i3d_path)
    else:
        glyph_size = None
        if dataset == "moving_digits":
            glyph_size = (data_kwargs or {}).get("glyph_size")
        extractor = metrics.load_digit_extractor(glyph_size=glyph_size, **shape)
    subset = min(1000, num_videos)
    if extractor is not None:
        result.update(
            metrics.video_distances(target, fake, extractor, kvd_subset_size=subset)
        )
        floor = metrics.video_distances(
            target, real[num_videos : 2 * num_videos], extractor, kvd_subset_size=subset
        )
        result.update(fvd_floor=floor["fvd"], kvd_floor=floor["kvd"])
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
        if kind == "text" and dataset == "moving_digits":
            result.update(
                _caption_scores(
                    model, extractor, fake, target, captions, held_out, data_seed,
                    batch_size,
                )
            )  # fmt: skip
    if kind is None:
        # How much the clips differ across noise vectors (0: one clip for
        # every noise), beside the real clips' own spread.
        result["diversity"] = _pairwise_spread(fake)
        result["diversity_real"] = _pairwise_spread(target)
    if kind_lib is not None and kind_lib.baseline_name is not None:
        baseline = np.asarray(kind_lib.baseline(target, condition))
        name = kind_lib.baseline_name
        # Frames the model was given (prediction context, keyframes) are
        # not scored.
        scored = kind_lib.scored_frames(condition, model.frames)
        # Inpainting: only the hidden pixels.
        mask = kind_lib.scored_mask(condition)
        result.update(
            metrics.baseline_scores(target, fake, baseline, name, scored, mask)
        )
        if extractor is not None:
            # The baseline's clips against the same real ones: a model must
            # also beat it on FVD.
            result[f"fvd_{name}"] = metrics.video_distances(
                target, baseline, extractor, kvd_subset_size=subset
            )["fvd"]
    if kind == "frames":
        # The stochastic protocol (SVG/SAVP): the best of BEST_OF samples
        # per clip, and how much the samples differ. Sample j draws clip i's
        # noise from seed data_seed + j * num_videos + i: no two share it.
        samples = [fake] + [
            model.generate(
                num_videos,
                condition=condition,
                seed=data_seed + j * num_videos,
                batch_size=batch_size,
            )
            for j in range(1, BEST_OF)
        ]
        context_frames = int(np.shape(condition)[1])
        scores = metrics.best_of_n_scores(target, samples, context_frames)
        result[f"psnr_best_of_{BEST_OF}"] = scores["psnr_best_of_n"]
        result[f"ssim_best_of_{BEST_OF}"] = scores["ssim_best_of_n"]
        result["diversity"] = scores["diversity"]
    return {
        k: float(v) if isinstance(v, (float, np.floating)) else v
        for k, v in result.items()
    }


if __name__ == "__main__":  # the command line moved out of the library
    raise SystemExit(
        "tfvgan: the command line is `tfvgan-eval` (python -m tfvgan.cli.evaluate)."
    )
