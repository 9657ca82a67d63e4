"""Training runner: `run(config)` for the library, `main()` for the command line.

`run` builds strategy -> model -> data -> compile -> fit -> export from a
`tfvgan.config.TrainConfig` and writes into the run directory::

    <run_dir>/config.json           the resolved config (and the clip shape)
    <run_dir>/checkpoints/          full training state, ckpt-<step>
    <run_dir>/samples/              samples_epoch<NNNN>.gif (and .mp4)
    <run_dir>/logs/                 TensorBoard: losses (train/), sample videos (samples/)
    <run_dir>/export/<step>/        the generator as a SavedModel for TF Serving

Rerunning the same command in the same run directory resumes from the
latest checkpoint: weights, optimizer slots, EMA, random-number state and the
position in the data stream, so an interrupted run ends with the same number
of steps as an uninterrupted one.

Determinism: the seed fixes weights, latents, data order and sample noise;
with ``deterministic=True`` TensorFlow's op determinism is switched on too,
and two runs of the same config on the same machine give identical weights.

The command line (``python -m tfvgan.train`` or ``tfvgan-train``) only maps
flags onto a `TrainConfig`; with no flags it runs the quick-start preset.

Example:

```python
from tfvgan.config import TrainConfig
from tfvgan.train import run

history = run(TrainConfig.from_preset("tiny", run_dir="/tmp/tiny"))
```
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import socket
import sys
from collections.abc import Sequence
from typing import Any

from absl import app, flags, logging

from tfvgan import config as config_lib

__all__ = [
    "NonFiniteLossError",
    "RunDirError",
    "RunDirWriteError",
    "build_dataset",
    "build_model",
    "compile_model",
    "config_from_flags",
    "define_flags",
    "main",
    "run",
]

# Which data-set condition feeds each model condition type.
_DATA_CONDITION = {
    "label": "label",
    "text": "caption",
    "image": "first_frame",
    "video": "low_res",
}


class NonFiniteLossError(RuntimeError):
    """Training produced a NaN/inf loss or weight (``nan_policy="raise"``)."""


class RunDirError(ValueError):
    """The run directory holds a run that this config cannot resume."""


class RunDirWriteError(OSError):
    """The run directory stopped taking writes (permissions, full disk).

    Checkpoints written before the failure are left as they were; rerunning
    the same command once the directory is writable resumes from the latest.
    """


# --------------------------------------------------------------------- pieces
def _model_kwargs(config: config_lib.TrainConfig) -> dict[str, Any]:
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


def build_model(config: config_lib.TrainConfig, total_steps: int | None = None):
    """Builds and compiles the model of `config` (call inside `strategy.scope()`).

    Under a strategy with more than one replica, batch normalization is
    synchronized across replicas (``sync_bn=True``) unless ``model_kwargs``
    sets ``sync_bn`` itself.

    Args:
        config: the run config.
        total_steps: training steps of the whole run, which a decaying
            learning rate (`OptimizerConfig.decay`) spans; default
            ``config.epochs * config.steps_per_epoch``.

    Returns:
        A compiled `tfvgan.models.VideoGAN`.

    Raises:
        ValueError: a learning rate decays but the run's length is unknown
            (``steps_per_epoch`` unset and no `total_steps`).
    """
    model = _create_model(config)
    compile_model(model, config, total_steps)
    return model


def _create_model(config: config_lib.TrainConfig):
    import tensorflow as tf

    from tfvgan import models

    kwargs = _model_kwargs(config)
    if tf.distribute.get_strategy().num_replicas_in_sync > 1:
        # Batch-norm statistics over the global batch, as on one device,
        # unless the config says otherwise.
        kwargs.setdefault("sync_bn", True)
    with models.dtype_policy(config.dtype_policy):
        return models.MODELS[config.model](**kwargs)


def compile_model(model, config: config_lib.TrainConfig, total_steps=None) -> None:
    """Compiles `model` with the loss, optimizers and EMA of `config`.

    Args:
        model: a `tfvgan.models.VideoGAN`.
        config: the run config.
        total_steps: see `build_model`.

    Raises:
        ValueError: see `build_model`.
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

    model.compile(
        d_optimizer=adam(config.d_optimizer, config.d_steps),
        g_optimizer=adam(config.g_optimizer, 1),
        loss=config.loss,
        gp_weight=config.gp_weight,
        r1_weight=config.r1_weight,
        d_steps=config.d_steps,
        ema_decay=config.ema_decay,
        augment=config.augment,
        jit_compile=config.jit_compile,
    )


def _data_kwargs(config: config_lib.TrainConfig, model) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "frames": model.frames,
        "size": model.size,
        "channels": model.channels,
        "seed": config.seed,
        "condition": _DATA_CONDITION.get(model.condition_type),
    }
    if model.condition_type == "video":
        kwargs["downscale"] = getattr(model, "downscale", 4)
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
    "first_frame", video -> "low_res"), unless `config.data_kwargs` says
    otherwise.

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
    kwargs = _data_kwargs(config, model)
    kwargs.update(
        batch_size=batch_size or config.batch_size,
        shuffle=shuffle,
        repeat=repeat,
        skip=skip,
    )
    return source(**kwargs)


def _steps_per_epoch(config: config_lib.TrainConfig, model) -> int:
    if config.steps_per_epoch is not None:
        return config.steps_per_epoch
    # One pass of the data set, built only to count its batches: each
    # training stream builds its own (`run`'s `stream`).
    cardinality = int(build_dataset(config, model).cardinality())
    if cardinality < 1:
        raise ValueError(
            f"cannot tell the number of batches per epoch of data set "
            f"{config.dataset!r} (cardinality {cardinality}); set steps_per_epoch "
            "(--steps_per_epoch)."
        )
    return cardinality


def _sample_conditions(config: config_lib.TrainConfig, model, num: int):
    """Fixed conditions for the sample grid (None for unconditional models)."""
    import numpy as np

    if not model.conditional:
        return None
    if model.condition_type == "label":
        return np.arange(num, dtype=np.int32) % int(getattr(model, "num_classes", 10))
    dataset = build_dataset(config, model, batch_size=num, shuffle=False)
    _, condition = next(iter(dataset.take(1)))
    return condition


def _saved_config(run_dir: str) -> config_lib.TrainConfig | None:
    """The config of the resumable run in `run_dir`, or None if there is none."""
    path = os.path.join(run_dir, "config.json")
    # Without a checkpoint there is nothing to resume: a new config may
    # replace the old one (e.g. after a run that failed on a bad argument).
    resumable = os.path.exists(os.path.join(run_dir, "checkpoints", "checkpoint"))
    if not (resumable and os.path.exists(path)):
        return None
    with open(path) as f:
        try:
            return config_lib.TrainConfig.from_json(f.read())
        except (ValueError, TypeError) as error:
            raise RunDirError(f"cannot read {path}: {error}") from error


def _resolve_dtype_policy(
    config: config_lib.TrainConfig, saved: config_lib.TrainConfig | None
) -> config_lib.TrainConfig:
    """`config` with ``dtype_policy="auto"`` replaced by a policy, logged.

    A run resumes under the policy its ``config.json`` recorded when it
    started (on whatever machine), so the same run never changes precision.
    """
    from tfvgan import precision

    if config.dtype_policy != precision.AUTO:
        return config
    if saved is not None and saved.dtype_policy != precision.AUTO:
        policy, reason = saved.dtype_policy, "the policy this run started with"
    else:
        policy, reason = precision.choose_dtype_policy(
            tpu=True if config.strategy == "tpu" else None
        )
    _log(f"dtype policy auto -> {policy}: {reason}")
    return dataclasses.replace(config, dtype_policy=policy)


def _saved_total_steps(run_dir: str) -> int | None:
    """The run length `_write_config` recorded in `run_dir`'s config.json."""
    try:
        with open(os.path.join(run_dir, "config.json")) as f:
            value = json.load(f).get(config_lib.TOTAL_STEPS_KEY)
    except (OSError, ValueError, AttributeError):
        return None
    return value if isinstance(value, int) else None


def _check_run_length(
    config: config_lib.TrainConfig, run_dir: str, saved: int | None, total: int
) -> None:
    """Refuses to resume a linearly decayed run whose length changed.

    With `steps_per_epoch` from the data's size (a folder that gained or
    lost files), the same epochs can mean another number of steps, and the
    decay another slope.
    """
    if saved is None or saved == total or not config.decays_learning_rate:
        return
    raise RunDirError(
        f"run directory {run_dir!r} holds a run of {saved} steps with a linear "
        f"learning-rate decay; this config gives {total} steps (the data set "
        "changed size, or steps_per_epoch), which would make the rate jump at "
        "the resume step. Restore the data or set --steps_per_epoch to match, "
        "or use a new --run_dir."
    )


def _write_config(
    config: config_lib.TrainConfig,
    run_dir: str,
    saved: config_lib.TrainConfig | None,
    total_steps: int | None = None,
) -> None:
    """Writes `config` as the run's config.json, after checking it against
    the `saved` config of the run being resumed (if any)."""
    path = os.path.join(run_dir, "config.json")
    if saved is not None:
        changed = config.incompatible_fields(saved)
        if changed:
            raise RunDirError(
                f"run directory {run_dir!r} holds a run with a different config "
                f"(fields {changed} differ from {path}); a resumed run may only "
                f"change {sorted(config_lib.RESUMABLE_CHANGES)}"
                + (
                    " (dtype_policy not to or from mixed_float16, whose optimizers "
                    "keep loss-scale state)"
                    if "dtype_policy" in changed
                    else ""
                )
                + (
                    f"; epochs is fixed here ({saved.epochs}) because the run's "
                    "learning rate decays linearly to 0 at its last step: a "
                    "different length would make the rate jump at the resume "
                    "step (train longer in a new run directory)"
                    if "epochs" in changed
                    else ""
                )
                + ". Use a new --run_dir."
            )
    values = {**config.to_dict(), config_lib.CLIP_KEY: clip_shape(config)}
    if total_steps is not None:
        values[config_lib.TOTAL_STEPS_KEY] = int(total_steps)
    text = json.dumps(values, indent=2, sort_keys=True) + "\n"
    # A temporary name of this process's own: every worker of a cluster
    # writes the config, maybe into one shared folder.
    tmp = f"{path}.{socket.gethostname()}-{os.getpid()}.tmp"
    try:
        with open(tmp, "w") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(tmp)
        raise


def clip_shape(config: config_lib.TrainConfig) -> dict[str, int]:
    """``{"frames", "size", "channels"}`` of the clips the run's model makes.

    They come from the model preset, `model_kwargs` and the variant's
    defaults; ``config.json`` records them under ``"clip"`` so that a run
    folder says what it holds.
    """
    import inspect

    from tfvgan import models

    kwargs = _model_kwargs(config)
    params = inspect.signature(models.MODELS[config.model].__init__).parameters
    return {
        name: int(kwargs[name] if name in kwargs else params[name].default)
        for name in ("frames", "size", "channels")
    }


def _cannot_write(run_dir: str) -> str | None:
    """Why a small file cannot be written into `run_dir` now; None if it can."""
    probe = os.path.join(run_dir, f".write-probe-{os.getpid()}")
    try:
        with open(probe, "wb") as f:
            f.write(b"x")
    except OSError as error:
        return error.strerror or str(error)
    finally:
        try:
            os.remove(probe)
        except OSError:
            pass
    return None


def _guard_writes(function, run_dir: str, state=None):
    """`function`, raising `RunDirWriteError` when it fails to write `run_dir`.

    Only errors that come with an unwritable run directory (or that name a
    file in it) are translated; any other error propagates unchanged.
    """
    import tensorflow as tf

    def guarded(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except (OSError, tf.errors.OpError) as error:
            reason = _cannot_write(run_dir)
            if reason is None and run_dir not in str(error):
                raise
            detail = (str(error).strip().splitlines() or [repr(error)])[0][:300]
            where = ""
            if state is not None:
                latest = tf.train.latest_checkpoint(state.directory)
                where = (
                    f" Training stopped at step {state.step}; checkpoints written "
                    f"before are intact (latest complete: {latest or 'none'})."
                )
            raise RunDirWriteError(
                f"cannot write to the run directory {run_dir!r}: "
                f"{reason or 'write failed'} ({detail}).{where} Make it writable "
                "(or free disk space) and rerun the same command to resume."
            ) from error

    return guarded


def _merge_histories(histories):
    if not histories:
        import keras

        return keras.callbacks.History()
    merged = histories[-1]
    combined: dict[str, list] = {}
    epochs: list[int] = []
    for history in histories:
        epochs.extend(history.epoch)
        for key, values in history.history.items():
            combined.setdefault(key, []).extend(values)
    merged.epoch, merged.history = epochs, combined
    return merged


def _log(message: str) -> None:
    print(f"tfvgan: {message}", flush=True)


# ------------------------------------------------------------------------ run
def run(config: config_lib.TrainConfig, callbacks: Sequence = ()):
    """Trains (or resumes) the run described by `config`.

    Args:
        config: the run config; `run_dir` defaults to ``runs/<preset>-<model>``.
        callbacks: extra Keras callbacks, called after tfvgan's own.

    Returns:
        The `keras.callbacks.History` of the epochs trained in this call
        (empty when the run was already complete).

    Raises:
        NonFiniteLossError: a loss or weight became NaN/inf and
            ``config.nan_policy == "raise"``. The latest checkpoint is the
            last good state.
        ValueError: the run directory holds a run with an incompatible config.
        RunDirWriteError: the run directory cannot be written (at the start,
            or mid-run); checkpoints written before are left intact.
    """
    if not isinstance(config, config_lib.TrainConfig):
        raise TypeError(
            f"expected a tfvgan.config.TrainConfig, got {type(config).__name__}."
        )
    config = config.resolved()
    run_dir = os.path.abspath(config.run_dir)
    saved = _saved_config(run_dir)
    saved_total = _saved_total_steps(run_dir) if saved is not None else None
    config = _resolve_dtype_policy(config, saved)
    try:
        os.makedirs(run_dir, exist_ok=True)
        _write_config(config, run_dir, saved, saved_total)
    except OSError as error:
        raise RunDirWriteError(
            f"cannot write to the run directory {run_dir!r}: {error}."
        ) from error

    import keras
    import tensorflow as tf

    from tfvgan import callbacks as callbacks_lib
    from tfvgan import checkpoint as checkpoint_lib
    from tfvgan import distribute

    keras.utils.set_random_seed(config.seed)
    if config.deterministic:
        tf.config.experimental.enable_op_determinism()
    strategy = distribute.get_strategy(config.strategy)
    chief = distribute.is_chief(strategy)
    with strategy.scope():
        model = _create_model(config)
    steps_per_epoch = _steps_per_epoch(config, model)
    total_steps = config.epochs * steps_per_epoch
    _check_run_length(config, run_dir, saved_total, total_steps)
    if total_steps != saved_total:
        _write_config(config, run_dir, None, total_steps)
    with strategy.scope():
        compile_model(model, config, total_steps)

    ckpt_dir = os.path.join(run_dir, "checkpoints")
    # Every worker restores the chief's latest checkpoint when it can see
    # it (a run folder on a shared file system); otherwise its own copy.
    restore_from = tf.train.latest_checkpoint(ckpt_dir)
    if not chief:
        # Every worker takes part in a save; only the chief's is kept.
        task = strategy.cluster_resolver.task_id
        ckpt_dir = os.path.join(
            run_dir, ".tmp_workers", f"worker-{task}", "checkpoints"
        )
    state = checkpoint_lib.TrainingCheckpoint(
        model,
        ckpt_dir,
        max_to_keep=config.max_checkpoints,
        steps_per_epoch=steps_per_epoch,
    )
    start = state.restore(restore_from)
    _check_same_start(strategy, start, run_dir)
    if start:
        _log(
            f"resuming {run_dir} from step {start} (epoch {start // steps_per_epoch}"
            f" + {start % steps_per_epoch} steps) of {total_steps}"
        )
    else:
        _log(f"training {config.model} in {run_dir}: {total_steps} steps")

    guard = callbacks_lib.NonFiniteGuard()
    own = [
        guard,
        callbacks_lib.CheckpointSaver(
            state,
            every_n_epochs=config.checkpoint_every_epochs,
            every_n_steps=config.checkpoint_every_steps,
            guard=guard,
        ),
    ]
    interactive = sys.stdout.isatty()
    if not interactive:
        own.append(callbacks_lib.EpochLogger(config.epochs))
    if chief:
        logs = os.path.join(run_dir, "logs")
        own.append(
            keras.callbacks.TensorBoard(
                log_dir=logs, write_graph=False, update_freq="epoch"
            )
        )
        if config.sample_every_epochs:
            own.append(
                callbacks_lib.VideoSampleWriter(
                    os.path.join(run_dir, "samples"),
                    num_videos=config.num_samples,
                    seed=config.seed,
                    condition=_sample_conditions(config, model, config.num_samples),
                    every_n_epochs=config.sample_every_epochs,
                    formats=config.sample_formats,
                    fps=config.sample_fps,
                    log_dir=os.path.join(logs, "samples"),
                )
            )
    all_callbacks = [*own, *callbacks]

    def stream(skip: int):
        # Skipping the batches already trained on makes a resumed run see
        # the same data stream as an uninterrupted one; the sources skip
        # before decoding, so no clip already trained on is decoded again.
        # Each stream is a data set object never iterated: a shuffle's seed
        # state advances with every iteration over the same object.
        return build_dataset(config, model, repeat=True, skip=skip)

    histories = []
    step = start
    fit = _guard_writes(model.fit, run_dir, state)
    fit_args = dict(callbacks=all_callbacks, verbose=1 if interactive else 0)
    if step < total_steps and step % steps_per_epoch:
        # Resuming mid-epoch: finish that epoch first.
        epoch = step // steps_per_epoch
        histories.append(
            fit(
                stream(step),
                epochs=epoch + 1,
                initial_epoch=epoch,
                steps_per_epoch=steps_per_epoch - step % steps_per_epoch,
                **fit_args,
            )
        )
        step = state.step
    if step < total_steps and not guard.tripped:
        histories.append(
            fit(
                stream(step),
                epochs=config.epochs,
                initial_epoch=step // steps_per_epoch,
                steps_per_epoch=steps_per_epoch,
                **fit_args,
            )
        )
    history = _merge_histories(histories)

    if guard.tripped:
        latest = state.latest or "none"
        message = f"{guard.message} Latest good checkpoint: {latest}."
        if config.nan_policy == "raise":
            raise NonFiniteLossError(message)
        _log(message)
        return history

    _log(f"training complete at step {state.step} of {total_steps}")
    if config.export and chief:
        export = _guard_writes(_export, run_dir)
        export(model, os.path.join(run_dir, "export"), state.step, config.export_keep)
    return history


def _check_same_start(strategy, start: int, run_dir: str) -> None:
    """Raises `RunDirError` unless every worker restored step `start`.

    A worker whose disk lost its checkpoints (rescheduled onto a fresh
    machine, without a shared run folder) would restore step 0 while the
    chief restores step N: their weights would differ while collectives
    keep them in lockstep.
    """
    import tensorflow as tf

    from tfvgan import distribute

    if not isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy):
        return
    steps = distribute.replica_values(start, strategy)
    if len(set(steps)) > 1:
        raise RunDirError(
            f"the workers restored different steps {sorted(set(steps))} from "
            f"their checkpoints (this worker: {start}, run folder {run_dir!r}). "
            "Every worker must resume from the same checkpoint: put the run "
            "folder on a file system all workers share (each then restores the "
            "chief's checkpoint), or give every worker the same checkpoints, or "
            "start a new --run_dir."
        )


def _export(model, base_dir: str, step: int, keep: int | None) -> str | None:
    from tfvgan import export

    if step in export.list_versions(base_dir):
        _log(f"export {base_dir}/{step} already exists")
        return None
    path = export.export_generator(model, base_dir, version=step, keep=keep)
    _log(f"exported generator to {path}")
    return path


# ------------------------------------------------------------------------ CLI
def _parse_kwargs(name: str, text: str) -> dict[str, Any]:
    """``'{"a": 1}'`` (JSON) or ``a=1,b=two,c=False`` (values parsed as JSON when
    they can be; ``True``/``False``/``None`` as in Python)."""
    text = text.strip()
    if not text:
        return {}
    if text.startswith("{"):
        try:
            value = json.loads(text)
        except json.JSONDecodeError as error:
            raise ValueError(f"--{name}: invalid JSON {text!r} ({error}).") from error
        if not isinstance(value, dict):
            raise ValueError(f"--{name}: expected a JSON object, got {text!r}.")
        return value
    out = {}
    for item in text.split(","):
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise ValueError(
                f"--{name}: expected key=value pairs, got {item!r} in {text!r}."
            )
        if raw.strip() in _PYTHON_CONSTANTS:
            out[key.strip()] = _PYTHON_CONSTANTS[raw.strip()]
            continue
        try:
            out[key.strip()] = json.loads(raw)
        except json.JSONDecodeError:
            out[key.strip()] = raw
    return out


# key=value also takes Python's spelling of these constants.
_PYTHON_CONSTANTS = {"True": True, "False": False, "None": None}


def define_flags(flag_values: flags.FlagValues = flags.FLAGS) -> None:
    """Defines the ``tfvgan-train`` flags on `flag_values` (once)."""
    if "preset" in flag_values:
        return
    fv = flag_values
    models = list(config_lib.MODEL_NAMES)
    flags.DEFINE_enum(
        "preset",
        config_lib.DEFAULT_PRESET,
        list(config_lib.RUN_PRESETS),
        "Run preset: tiny (seconds, for tests), quickstart (~3 min on a "
        "2-core CPU), paper (the published set-ups). Other flags override it.",
        flag_values=fv,
    )
    flags.DEFINE_enum(
        "model", None, models, "Model variant (default: the preset's).", flag_values=fv
    )
    flags.DEFINE_enum(
        "model_preset",
        None,
        list(config_lib.MODEL_PRESETS),
        "Architecture preset (default: the run preset's).",
        flag_values=fv,
    )
    flags.DEFINE_string(
        "model_kwargs",
        None,
        "Extra model arguments: JSON ('{\"width\": 16}') or key=value,key=value.",
        flag_values=fv,
    )
    flags.DEFINE_enum(
        "dataset",
        None,
        list(config_lib.DATASETS),
        "Data source (default moving_digits).",
        flag_values=fv,
    )
    flags.DEFINE_string(
        "data_kwargs",
        None,
        "Extra data-source arguments, e.g. num_videos=256 or directory=clips/ or name=ucf101.",
        flag_values=fv,
    )
    flags.DEFINE_enum(
        "loss", None, list(config_lib.LOSS_NAMES), "Adversarial loss.", flag_values=fv
    )
    flags.DEFINE_float(
        "gp_weight",
        None,
        "WGAN-GP gradient-penalty weight (0 = off).",
        lower_bound=0,
        flag_values=fv,
    )
    flags.DEFINE_float(
        "r1_weight", None, "R1 penalty weight (0 = off).", lower_bound=0, flag_values=fv
    )
    flags.DEFINE_string(
        "augment",
        None,
        "Augment the critics' inputs in training (DiffAugment): comma-separated "
        f"names from {', '.join(config_lib.AUGMENTATIONS)}; empty = off.",
        flag_values=fv,
    )
    flags.DEFINE_integer(
        "d_steps",
        None,
        "Discriminator updates per generator update.",
        lower_bound=1,
        flag_values=fv,
    )
    flags.DEFINE_float(
        "ema_decay",
        None,
        "Generator EMA decay in (0, 1); 0 = no EMA.",
        lower_bound=0,
        upper_bound=0.999999,
        flag_values=fv,
    )
    flags.DEFINE_float(
        "g_lr", None, "Generator Adam learning rate.", lower_bound=0, flag_values=fv
    )
    flags.DEFINE_float(
        "d_lr", None, "Discriminator Adam learning rate.", lower_bound=0, flag_values=fv
    )
    flags.DEFINE_enum(
        "lr_decay",
        None,
        list(config_lib.LR_DECAYS),
        "Learning-rate schedule of both optimizers: none, or linear to 0 at "
        "the last step.",
        flag_values=fv,
    )
    flags.DEFINE_float(
        "beta_1",
        None,
        "Adam beta_1 of both optimizers.",
        lower_bound=0,
        upper_bound=0.999999,
        flag_values=fv,
    )
    flags.DEFINE_float(
        "beta_2",
        None,
        "Adam beta_2 of both optimizers.",
        lower_bound=0,
        upper_bound=0.999999,
        flag_values=fv,
    )
    flags.DEFINE_integer(
        "batch_size", None, "Global batch size.", lower_bound=1, flag_values=fv
    )
    flags.DEFINE_integer(
        "epochs",
        None,
        "Epochs in total (a resumed run continues to this; fixed for a run "
        "with a linear learning-rate decay).",
        lower_bound=1,
        flag_values=fv,
    )
    flags.DEFINE_integer(
        "steps_per_epoch",
        None,
        "Steps per epoch (default: one pass over the data).",
        lower_bound=1,
        flag_values=fv,
    )
    flags.DEFINE_enum(
        "strategy",
        None,
        list(config_lib.STRATEGIES),
        "tf.distribute strategy.",
        flag_values=fv,
    )
    flags.DEFINE_string(
        "run_dir",
        None,
        "Run directory (default runs/<preset>-<model>). Rerun to resume.",
        flag_values=fv,
    )
    flags.DEFINE_integer(
        "seed",
        None,
        "Seed of weights, latents, data order and samples.",
        lower_bound=0,
        flag_values=fv,
    )
    flags.DEFINE_boolean(
        "deterministic",
        None,
        "Enable TF op determinism (bit-identical reruns, slower).",
        flag_values=fv,
    )
    flags.DEFINE_enum(
        "jit_compile",
        "auto",
        ["auto", "true", "false"],
        "XLA for the train step (auto: on a GPU/TPU with one replica).",
        flag_values=fv,
    )
    flags.DEFINE_enum(
        "dtype_policy",
        None,
        list(config_lib.DTYPE_POLICIES),
        "Keras dtype policy: mixed_bfloat16 computes in bfloat16 "
        "(float32 weights and outputs); auto (default) picks it on AMX CPUs, "
        "Ampere-or-newer GPUs and TPUs, float32 elsewhere; mixed_float16 "
        "(T4/V100-class GPUs) trains with dynamic loss scaling.",
        flag_values=fv,
    )
    flags.DEFINE_boolean(
        "export",
        None,
        "Export the generator SavedModel after training (--noexport to skip).",
        flag_values=fv,
    )
    flags.DEFINE_integer(
        "export_keep", None, "Exported versions to keep.", lower_bound=1, flag_values=fv
    )
    flags.DEFINE_integer(
        "checkpoint_every_epochs",
        None,
        "Checkpoint every N epochs (0 = only at the end).",
        lower_bound=0,
        flag_values=fv,
    )
    flags.DEFINE_integer(
        "checkpoint_every_steps",
        None,
        "Also checkpoint every N steps (0 = off).",
        lower_bound=0,
        flag_values=fv,
    )
    flags.DEFINE_integer(
        "max_checkpoints",
        None,
        "Checkpoints kept on disk.",
        lower_bound=1,
        flag_values=fv,
    )
    flags.DEFINE_integer(
        "sample_every_epochs",
        None,
        "Write sample videos every N epochs (0 = off).",
        lower_bound=0,
        flag_values=fv,
    )
    flags.DEFINE_integer(
        "num_samples", None, "Clips per sample grid.", lower_bound=1, flag_values=fv
    )
    flags.DEFINE_list(
        "sample_formats", None, "Sample file formats: gif and/or mp4.", flag_values=fv
    )
    flags.DEFINE_integer(
        "sample_fps",
        None,
        "Frames per second of sample files.",
        lower_bound=1,
        flag_values=fv,
    )
    flags.DEFINE_enum(
        "nan_policy",
        None,
        list(config_lib.NAN_POLICIES),
        "On NaN/inf: raise (exit 1) or stop.",
        flag_values=fv,
    )


# Flags copied to the config field of the same name when given.
_PLAIN_FLAGS = (
    "model",
    "model_preset",
    "dataset",
    "loss",
    "gp_weight",
    "r1_weight",
    "augment",
    "d_steps",
    "batch_size",
    "epochs",
    "steps_per_epoch",
    "strategy",
    "run_dir",
    "seed",
    "deterministic",
    "dtype_policy",
    "export",
    "export_keep",
    "checkpoint_every_epochs",
    "checkpoint_every_steps",
    "max_checkpoints",
    "sample_every_epochs",
    "num_samples",
    "sample_fps",
    "nan_policy",
)


def config_from_flags(
    flag_values: flags.FlagValues = flags.FLAGS,
) -> config_lib.TrainConfig:
    """Maps parsed flags onto a `TrainConfig`: the preset, then the flags given.

    Raises:
        ValueError: for a bad value (the message names it).
    """
    fv = flag_values
    given = {name for name in fv if fv[name].present}
    overrides: dict[str, Any] = {n: fv[n].value for n in _PLAIN_FLAGS if n in given}
    for name in ("model_kwargs", "data_kwargs"):
        if name in given:
            overrides[name] = _parse_kwargs(name, fv[name].value)
    if "ema_decay" in given:
        overrides["ema_decay"] = fv.ema_decay or None
    if "sample_formats" in given:
        overrides["sample_formats"] = tuple(fv.sample_formats)
    if "jit_compile" in given:
        overrides["jit_compile"] = {"auto": None, "true": True, "false": False}[
            fv.jit_compile
        ]
    for player in ("g", "d"):
        opt: dict[str, float | str] = {}
        if f"{player}_lr" in given:
            opt["learning_rate"] = fv[f"{player}_lr"].value
        for beta in ("beta_1", "beta_2"):
            if beta in given:
                opt[beta] = fv[beta].value
        if "lr_decay" in given:
            opt["decay"] = fv.lr_decay
        if opt:
            overrides[f"{player}_optimizer"] = opt
    return config_lib.TrainConfig.from_preset(fv.preset, **overrides)


def _main(argv: Sequence[str]) -> None:
    if not flags.FLAGS["verbosity"].present:
        logging.set_verbosity(logging.WARNING)  # TensorFlow's INFO chatter
    if len(argv) > 1:
        raise app.UsageError(
            f"unexpected arguments {list(argv[1:])}; all options are --flags."
        )
    try:
        config = config_from_flags(flags.FLAGS)
    except ValueError as error:
        raise app.UsageError(str(error)) from error
    from tfvgan.checkpoint import CheckpointMismatchError

    try:
        run(config)
    except (
        NonFiniteLossError,
        RunDirError,
        RunDirWriteError,
        CheckpointMismatchError,
    ) as error:
        sys.exit(f"tfvgan-train: {error}")


def main(argv: Sequence[str] | None = None) -> None:
    """Console entry point ``tfvgan-train`` (``python -m tfvgan.train``).

    Args:
        argv: command line, program name first; default `sys.argv`.

    Example:

    ```
    tfvgan-train --preset=tiny --model=conv3d --epochs=3 --run_dir=/tmp/run
    ```
    """
    define_flags()
    app.run(_main, argv=list(argv) if argv is not None else None)


if __name__ == "__main__":
    main()
