"""The training runner: `run(config)` trains (or resumes) one run.

`run` builds strategy -> model -> data -> compile -> fit -> export from a
`tfvgan.config.TrainConfig` (through `tfvgan.builders`) and writes into the
run folder (`tfvgan.runs` describes its layout): config.json, checkpoints,
samples, TensorBoard logs and the exported SavedModel.

Rerunning the same config in the same run directory resumes from the
latest checkpoint: weights, optimizer slots, EMA, random-number state and the
position in the data stream, so an interrupted run ends with the same number
of steps as an uninterrupted one.

Determinism: the seed fixes weights, latents, data order and sample noise;
with ``deterministic=True`` TensorFlow's op determinism is switched on too,
and two runs of the same config on the same machine give identical weights.

The command line ``tfvgan-train`` (`tfvgan.cli.train`) only maps flags onto
a `TrainConfig` and calls `run`.

Example:

```python
from tfvgan.config import TrainConfig
from tfvgan.train import run

history = run(TrainConfig.from_preset("tiny", run_dir="/tmp/tiny"))
```
"""

from __future__ import annotations

import dataclasses
import os
import sys
from collections.abc import Sequence

from tfvgan import builders, runs
from tfvgan import config as config_lib
from tfvgan.runs import RunDirError, RunDirWriteError  # noqa: F401  (raised by run)

__all__ = ["NonFiniteLossError", "run"]


class NonFiniteLossError(RuntimeError):
    """Training produced a NaN/inf loss or weight (``nan_policy="raise"``)."""


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
            reason = runs.cannot_write(run_dir)
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
    saved = runs.resumable_config(run_dir)
    saved_total = runs.saved_total_steps(run_dir) if saved is not None else None
    config = _resolve_dtype_policy(config, saved)
    clip = builders.clip_shape(config)
    try:
        os.makedirs(run_dir, exist_ok=True)
        runs.write_config(config, run_dir, saved, clip, saved_total)
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
    strategy = builders.build_strategy(config)
    chief = distribute.is_chief(strategy)
    with strategy.scope():
        model = builders.create_model(config)
    steps_per_epoch = builders.steps_per_epoch(config, model)
    total_steps = config.epochs * steps_per_epoch
    _check_run_length(config, run_dir, saved_total, total_steps)
    if total_steps != saved_total:
        runs.write_config(config, run_dir, None, clip, total_steps)
    with strategy.scope():
        builders.compile_model(model, config, total_steps)

    ckpt_dir = runs.checkpoint_dir(run_dir)
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
        logs = os.path.join(run_dir, runs.LOGS)
        own.append(
            keras.callbacks.TensorBoard(
                log_dir=logs, write_graph=False, update_freq="epoch"
            )
        )
        if config.sample_every_epochs:
            own.append(
                callbacks_lib.VideoSampleWriter(
                    os.path.join(run_dir, runs.SAMPLES),
                    num_videos=config.num_samples,
                    seed=config.seed,
                    condition=builders.sample_conditions(
                        config, model, config.num_samples
                    ),
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
        return builders.build_dataset(config, model, repeat=True, skip=skip)

    if not start and model.needs_pretraining():
        # On a data set object of its own, so that the GAN's stream is the
        # one a resumed run sees.
        _log(f"pretraining {type(model).__name__} before the first step")
        model.pretrain(
            builders.build_dataset(
                config, model, batch_size=model.pretrain_batch_size, repeat=True
            )
        )

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
        export(model, runs.export_dir(run_dir), state.step, config.export_keep)
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


if __name__ == "__main__":  # the command line moved out of the library
    raise SystemExit(
        "tfvgan: the command line is `tfvgan-train` (python -m tfvgan.cli.train)."
    )
