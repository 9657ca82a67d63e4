"""From a `TrainConfig` (or a run folder) to the objects a run trains.

One owner for the config-to-objects step, used by the runner
(`tfvgan.train.run`), sampling, evaluation, export and the command lines:

- `build_strategy`: the `tf.distribute` strategy;
- `build_model` / `create_model` + `compile_model` (with `build_optimizers`):
  the model of a config, compiled with its loss, optimizers and EMA;
- `build_dataset`: the config's data set, shaped for the model;
- `load_run` / `load_model`: a trained model back from a run folder, one
  of its checkpoints or a ``.keras`` file.

Example:

```python
from tfvgan import builders
from tfvgan.config import TrainConfig

config = TrainConfig.from_preset("tiny", run_dir="/tmp/tiny")
model = builders.build_model(config)
dataset = builders.build_dataset(config, model)
model.fit(dataset, epochs=1, steps_per_epoch=2)
```
"""

from __future__ import annotations

import inspect
import os
from typing import Any

from tfvgan import conditions, runs
from tfvgan import config as config_lib

__all__ = [
    "DATA_CONDITIONS",
    "build_dataset",
    "build_model",
    "build_optimizers",
    "build_strategy",
    "clip_shape",
    "compile_model",
    "create_model",
    "data_kwargs",
    "load_model",
    "load_run",
    "model_kwargs",
    "sample_conditions",
    "steps_per_epoch",
]

#: Which data-set condition feeds each model condition type.
DATA_CONDITIONS = {
    name: kind.data_condition for name, kind in conditions.CONDITION_TYPES.items()
}


# ---------------------------------------------------------------- strategy
def build_strategy(config: config_lib.TrainConfig):
    """The `tf.distribute.Strategy` named by ``config.strategy``."""
    from tfvgan import distribute

    return distribute.get_strategy(config.strategy)


# ------------------------------------------------------------------- model
def model_kwargs(config: config_lib.TrainConfig) -> dict[str, Any]:
    """The constructor arguments of the config's model: its model preset,
    then ``model_kwargs``, the run's seed, and (text models on
    ``moving_digits``) the captions' vocabulary."""
    from tfvgan import models

    kwargs = models.preset_kwargs(
        config.model, config.model_preset, **config.model_kwargs
    )
    kwargs.setdefault("seed", config.seed)
    if (
        kwargs.get("condition_type") == "text"
        and not kwargs.get("vocabulary")
        and config.dataset == "moving_digits"
    ):
        from tfvgan.data import MOVING_DIGITS_VOCABULARY

        kwargs["vocabulary"] = list(MOVING_DIGITS_VOCABULARY)
    return kwargs


def clip_shape(config: config_lib.TrainConfig) -> dict[str, int]:
    """``{"frames", "size", "channels"}`` of the clips the run's model makes.

    They come from the model preset, `model_kwargs` and the variant's
    defaults; ``config.json`` records them under ``"clip"`` so that a run
    folder says what it holds.
    """
    from tfvgan import models

    kwargs = model_kwargs(config)
    params = inspect.signature(models.MODELS[config.model].__init__).parameters
    return {
        name: int(kwargs[name] if name in kwargs else params[name].default)
        for name in ("frames", "size", "channels")
    }


def create_model(config: config_lib.TrainConfig):
    """The (uncompiled) model of `config`, under its dtype policy.

    Call inside ``strategy.scope()``. Under a strategy with more than one
    replica, batch normalization is synchronized across replicas
    (``sync_bn=True``) unless ``model_kwargs`` sets ``sync_bn`` itself.
    """
    import tensorflow as tf

    from tfvgan import models

    kwargs = model_kwargs(config)
    if tf.distribute.get_strategy().num_replicas_in_sync > 1:
        # Batch-norm statistics over the global batch, as on one device,
        # unless the config says otherwise.
        kwargs.setdefault("sync_bn", True)
    with models.dtype_policy(config.dtype_policy):
        return models.MODELS[config.model](**kwargs)


def build_optimizers(config: config_lib.TrainConfig, total_steps: int | None = None):
    """The generator's and the discriminator's Adam optimizers of `config`.

    Args:
        config: the run config.
        total_steps: training steps of the whole run, which a decaying
            learning rate (`tfvgan.config.OptimizerConfig.decay`) spans;
            default ``config.epochs * config.steps_per_epoch``. The
            discriminator's schedule counts its ``d_steps`` updates per step.

    Returns:
        ``(g_optimizer, d_optimizer)``.

    Raises:
        ValueError: a learning rate decays but the run's length is unknown
            (``steps_per_epoch`` unset and no `total_steps`).
    """
    import keras

    if total_steps is None and config.steps_per_epoch is not None:
        total_steps = config.epochs * config.steps_per_epoch

    def adam(opt: config_lib.OptimizerConfig, updates_per_step: int):
        learning_rate = opt.learning_rate
        if opt.decay == "linear":
            if total_steps is None:
                raise ValueError(
                    "a linear learning-rate decay needs the run's length: set "
                    "steps_per_epoch or pass total_steps."
                )
            learning_rate = keras.optimizers.schedules.PolynomialDecay(
                opt.learning_rate,
                decay_steps=max(1, total_steps * updates_per_step),
                end_learning_rate=0.0,
            )
        return keras.optimizers.Adam(
            learning_rate, beta_1=opt.beta_1, beta_2=opt.beta_2
        )

    return adam(config.g_optimizer, 1), adam(config.d_optimizer, config.d_steps)


def compile_model(model, config: config_lib.TrainConfig, total_steps=None) -> None:
    """Compiles `model` with the loss, optimizers and EMA of `config`.

    Args:
        model: a `tfvgan.models.VideoGAN`.
        config: the run config.
        total_steps: see `build_optimizers`.

    Raises:
        ValueError: see `build_optimizers`.
    """
    g_optimizer, d_optimizer = build_optimizers(config, total_steps)
    model.compile(
        d_optimizer=d_optimizer,
        g_optimizer=g_optimizer,
        loss=config.loss,
        gp_weight=config.gp_weight,
        r1_weight=config.r1_weight,
        d_steps=config.d_steps,
        ema_decay=config.ema_decay,
        augment=config.augment,
        jit_compile=config.jit_compile,
    )


def build_model(config: config_lib.TrainConfig, total_steps: int | None = None):
    """Builds and compiles the model of `config` (call inside `strategy.scope()`).

    Args:
        config: the run config.
        total_steps: see `build_optimizers`.

    Returns:
        A compiled `tfvgan.models.VideoGAN`.

    Raises:
        ValueError: see `build_optimizers`.
    """
    model = create_model(config)
    compile_model(model, config, total_steps)
    return model


# -------------------------------------------------------------------- data
def data_kwargs(config: config_lib.TrainConfig, model) -> dict[str, Any]:
    """The data source's arguments for `model`: its clip shape and
    condition (`DATA_CONDITIONS`), then ``config.data_kwargs``."""
    kwargs: dict[str, Any] = {
        "frames": model.frames,
        "size": model.size,
        "channels": model.channels,
        "seed": config.seed,
        "condition": DATA_CONDITIONS.get(model.condition_type),
    }
    if model.conditional:
        kwargs.update(conditions.get(model.condition_type).model_options(model))
    if model.condition_type == "text" and config.dataset == "moving_digits":
        # Token ids must be the model's own vocabulary's.
        kwargs["vectorizer"] = model.text_vectorizer
    kwargs.update(config.data_kwargs)
    return kwargs


def build_dataset(
    config: config_lib.TrainConfig,
    model,
    batch_size: int | None = None,
    shuffle: bool = True,
    repeat: bool = False,
    skip: int = 0,
):
    """The data set of `config`, shaped for `model`, batched.

    Frames, size and channels follow the model, and the condition follows its
    ``condition_type`` (label -> "label", text -> "caption", image ->
    "first_frame", video -> "low_res", frames -> "context_frames"), unless
    `config.data_kwargs` says otherwise.

    Args:
        config: the run config.
        model: the (built) model the data is for.
        batch_size: default `config.batch_size`.
        shuffle: reshuffle every epoch.
        repeat: repeat forever (default: one pass).
        skip: start after this many batches, which are not decoded (the
            sources skip file indices or random draws before decoding; TFDS
            decodes in its reader and still reads them): how a resumed run
            finds its place in the data stream.

    Returns:
        A `tf.data.Dataset` of ``video`` or ``(video, condition)`` batches.
    """
    from tfvgan import data

    source = getattr(data, config_lib.DATASETS[config.dataset])
    kwargs = data_kwargs(config, model)
    kwargs.update(
        batch_size=batch_size or config.batch_size,
        shuffle=shuffle,
        repeat=repeat,
        skip=skip,
    )
    return source(**kwargs)


def steps_per_epoch(config: config_lib.TrainConfig, model) -> int:
    """``config.steps_per_epoch``, or the batches of one pass of its data.

    Raises:
        ValueError: the data set cannot tell its size.
    """
    if config.steps_per_epoch is not None:
        return config.steps_per_epoch
    # One pass of the data set, built only to count its batches: each
    # training stream builds its own.
    cardinality = int(build_dataset(config, model).cardinality())
    if cardinality < 1:
        raise ValueError(
            f"cannot tell the number of batches per epoch of data set "
            f"{config.dataset!r} (cardinality {cardinality}); set steps_per_epoch "
            "(--steps_per_epoch)."
        )
    return cardinality


def sample_conditions(config: config_lib.TrainConfig, model, num: int):
    """Fixed conditions for a sample grid of `num` clips (None for
    unconditional models): labels ``0, 1, ...`` cycled, or the conditions
    of the first `num` clips of the (unshuffled) data set."""
    import numpy as np

    if not model.conditional:
        return None
    if model.condition_type == "label":
        return np.arange(num, dtype=np.int32) % int(getattr(model, "num_classes", 10))
    dataset = build_dataset(config, model, batch_size=num, shuffle=False)
    _, condition = next(iter(dataset.take(1)))
    return condition


# ----------------------------------------------------------------- loading
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
    from tfvgan.checkpoint import TrainingCheckpoint

    run_dir = os.fspath(run_dir)
    config = runs.read_config(run_dir)
    # Only weights are restored: the length of a learning-rate decay is moot.
    model = build_model(config, total_steps=1)
    state = TrainingCheckpoint(model, runs.checkpoint_dir(run_dir))
    step = state.restore(checkpoint)
    if not step and state.latest is None and checkpoint is None:
        raise FileNotFoundError(f"no checkpoint in {runs.checkpoint_dir(run_dir)} yet.")
    return model, config, step


def load_model(
    path: str | os.PathLike, checkpoint: str | None = None, safe_mode: bool = True
):
    """Loads a trained model from a run folder, a checkpoint or a .keras file.

    Sources:

    - a run folder written by ``tfvgan-train`` (its ``config.json`` rebuilds
      the model; the latest checkpoint, or ``checkpoint``, restores it);
    - a checkpoint prefix inside a run, e.g. ``runs/x/checkpoints/ckpt-640``;
    - a ``.keras`` file saved with ``model.save(...)`` (compiled models bring
      their EMA generator along), loaded in Keras' safe mode.

    Args:
        path: the run folder, checkpoint prefix or ``.keras`` file.
        checkpoint: for a run folder, the checkpoint prefix to restore instead
            of the latest.
        safe_mode: for ``.keras`` files, refuse to deserialize arbitrary code
            (``Lambda`` layers); set False only for files you trust.

    Returns:
        The `tfvgan.models.VideoGAN`.

    Raises:
        FileNotFoundError: `path` does not exist, or a run has no checkpoint.
        ValueError: `path` is not a supported source.

    Example:

    >>> gan = load_model("runs/quickstart")  # doctest: +SKIP
    """
    path = os.fspath(path)
    run_dir = runs.run_dir_of_checkpoint(path)
    if run_dir is not None:
        if checkpoint is not None:
            raise ValueError("pass either a checkpoint path or checkpoint=, not both.")
        return load_run(run_dir, checkpoint=path)[0]
    if not os.path.exists(path):
        raise FileNotFoundError(
            f"no model at {path!r}: expected a run folder, a checkpoint prefix "
            "(runs/x/checkpoints/ckpt-N) or a .keras file."
        )
    if os.path.isdir(path):
        if not runs.is_run_dir(path):
            raise ValueError(
                f"{path!r} is a folder without config.json; expected a run folder "
                "written by tfvgan-train."
            )
        return load_run(path, checkpoint=checkpoint)[0]
    if checkpoint is not None:
        raise ValueError("checkpoint= applies to run folders only.")
    if not path.endswith(".keras"):
        raise ValueError(
            f"expected a run folder, a checkpoint prefix or a .keras file, got {path!r}."
        )
    import keras

    import tfvgan.models  # noqa: F401  (registers the model classes)

    return keras.saving.load_model(path, safe_mode=safe_mode)
