"""Writes sample videos from a trained run, an export or a pretrained preset.

`sample` (library) and ``tfvgan-sample`` (command line) load a run
directory (its config.json and latest checkpoint), a SavedModel written by
`tfvgan.export` or a pretrained preset shipped with the package
(`tfvgan.models.from_preset`), generate clips from integer seeds (clip ``i`` uses seed
``seed + i``, the same noise as ``model.generate(seed=...)`` and the exported
``generate_from_seed`` signature) and write one GIF/MP4 per clip, plus an
optional grid.

The command line is ``tfvgan-sample`` (`tfvgan.cli.sample`).

Example:

```python
from tfvgan.sample import sample

paths = sample(run_dir="runs/quickstart", num_videos=8, out_dir="samples")
```
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from tfvgan import builders, conditions
from tfvgan.config import SAMPLE_FORMATS

__all__ = ["CLIP_SEED", "example_clips", "example_conditions", "sample"]


def _conditions_for_run(model, config, num, labels, caption):
    if not model.conditional:
        if labels or caption:
            raise ValueError(
                f"model {config.model!r} is unconditional; drop --labels/--caption."
            )
        return None
    condition = conditions.get(model.condition_type).from_request(num, labels, caption)
    if condition is None:  # the grid the run samples during training
        condition = builders.sample_conditions(config, model, num)
    return condition


def _generate_from_run(run_dir, num, seed, labels, caption, use_ema, checkpoint):
    model, config, step = builders.load_run(run_dir, checkpoint)
    condition = _conditions_for_run(model, config, num, labels, caption)
    print(f"tfvgan: sampling {run_dir} at step {step}", flush=True)
    return model.generate(num, condition=condition, seed=seed, use_ema=use_ema)


#: Seed of the `moving_digits` clips whose frames condition a SavedModel's
#: or a preset's samples (image, video, frames, keyframes, masked) and
#: whose captions a text preset samples by default: 1, clips the seed-0
#: runs never trained on.
CLIP_SEED = 1


def example_clips(model, num: int, data_kwargs: dict | None = None):
    """`num` held-out `moving_digits` clips (seed `CLIP_SEED`) at `model`'s
    clip shape, with their digits and captions.

    Args:
        model: anything with ``frames``, ``size`` and ``channels`` (a
            `tfvgan.models.VideoGAN`, a `SavedModelGenerator`).
        num: how many clips.
        data_kwargs: how the clips look (``glyph_size``, ``speed``).

    Returns:
        ``(clips, digits, captions)``: float32 clips ``(num, T, H, W, C)`` in
        ``[-1, 1]``, the first digit of each clip ``(num,)`` and the captions.
    """
    import numpy as np

    from tfvgan import data

    clips, digits, captions = data.moving_digits_arrays(
        num_videos=num,
        frames=model.frames,
        size=model.size,
        seed=CLIP_SEED,
        **(data_kwargs or {}),
    )
    clips = clips.astype(np.float32) / 127.5 - 1.0
    if model.channels == 3:
        clips = np.repeat(clips, 3, axis=-1)
    return clips, np.asarray(digits).reshape(num, -1)[:, 0], captions


def _clip_conditions(generator, kind, num, data_kwargs=None):
    """Conditions taken from `example_clips`: their first frames,
    low-resolution clips, keyframes, masked clips or captions, as an
    evaluation takes them."""
    clips, digits, captions = example_clips(generator, num, data_kwargs)
    return kind.from_clips(clips, digits, captions, **kind.model_options(generator))


def example_conditions(model, num: int, data_kwargs: dict | None = None):
    """Conditions to show what `model` does when the user gives none.

    Label models get the classes ``0, 1, ...`` in turn; other conditional
    models the conditions of `num` held-out `moving_digits` clips (seed
    `CLIP_SEED`): their captions, first frames, keyframes, low-resolution
    or masked copies. Unconditional models get None.

    Args:
        model: a `tfvgan.models.VideoGAN` or a `SavedModelGenerator`.
        num: how many conditions.
        data_kwargs: how the clips look (``glyph_size``, ``speed``), e.g. a
            run's `tfvgan.evaluate.real_data_kwargs`.

    Example:

    ```python
    gan = tfvgan.models.from_preset("moving_digits_predict")
    clips = gan.generate(condition=example_conditions(gan, 4), seed=0)
    ```
    """
    import numpy as np

    if not model.conditional:
        return None
    kind = conditions.get(model.condition_type)
    if kind.name == "label":
        return np.arange(num, dtype=np.int32) % int(getattr(model, "num_classes", 10))
    return _clip_conditions(model, kind, num, data_kwargs)


def _generate_from_preset(name, num, seed, labels, caption):
    from tfvgan import models

    model = models.from_preset(name)
    if not model.conditional:
        if labels or caption:
            raise ValueError(
                f"preset {name!r} is unconditional; drop --labels/--caption."
            )
        condition = None
    else:
        kind = conditions.get(model.condition_type)
        condition = kind.from_request(num, labels, caption)
        if condition is None:
            protocol = model.preset_metadata.get("evaluation", {}).get("protocol", {})
            condition = example_conditions(model, num, protocol.get("data_kwargs"))
    print(f"tfvgan: sampling the pretrained preset {name}", flush=True)
    return model.generate(num, condition=condition, seed=seed)


def _generate_from_saved_model(path, num, seed, labels, caption):
    import tensorflow as tf

    from tfvgan.serving import SavedModelGenerator

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
        kind = conditions.get(generator.condition_type)
        condition = kind.from_request(num, labels, caption)
        if kind.name == "text" and spec.dtype != tf.string:
            condition = None  # exported without its vectorizer: token ids only
        if condition is None and kind.baseline_name is not None:
            condition = _clip_conditions(generator, kind, num)
        if condition is None:
            raise ValueError(
                f"{path} needs a condition {spec} (give --labels for label "
                "models, --caption for text models)."
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
    preset: str | None = None,
) -> list[str]:
    """Generates clips and writes them as ``<out_dir>/sample_<i>.<fmt>``.

    Args:
        run_dir: a training run directory (config.json + checkpoints).
        saved_model: a SavedModel version folder from `tfvgan.export`;
            any `num_videos` is generated in requests of at most the
            export's ``max_batch``.
        preset: a pretrained preset shipped with the package
            (`tfvgan.models.list_presets`). Exactly one of `run_dir`,
            `saved_model` and `preset`. Without labels or a caption, a
            conditional preset shows `example_conditions`.
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
    if sum(x is not None for x in (run_dir, saved_model, preset)) != 1:
        raise ValueError("give exactly one of run_dir, saved_model and preset.")
    if checkpoint is not None and run_dir is None:
        raise ValueError("checkpoint applies to run_dir only.")
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
    elif preset is not None:
        videos = _generate_from_preset(preset, num, seed, labels, caption)
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


if __name__ == "__main__":  # the command line moved out of the library
    raise SystemExit(
        "tfvgan: the command line is `tfvgan-sample` (python -m tfvgan.cli.sample)."
    )
