"""The whole training state of a `VideoGAN`, saved and restored as one checkpoint.

A checkpoint holds both networks, the EMA generator, both optimizers (slots
and step counters), every `SeedGenerator` state (latents, dropout) and the
epoch counter: a run restored from it continues exactly where it stopped.
The global step is the generator optimizer's ``iterations``; checkpoints are
numbered by it (``ckpt-<step>``).

Writes go through `tf.train.CheckpointManager`, which writes the data and
index files first and updates the small ``checkpoint`` file that names the
latest checkpoint last, atomically (write to a temporary file, then rename).
A process killed during a save therefore leaves the previous checkpoint as
the latest, loadable one.

Example:

```python
state = TrainingCheckpoint(gan, "runs/demo/checkpoints", max_to_keep=3)
step = state.restore()  # 0 for a fresh run
gan.fit(...)
state.save()
```
"""

from __future__ import annotations

import glob
import os
import shutil

import tensorflow as tf

__all__ = [
    "CheckpointMismatchError",
    "TrainingCheckpoint",
    "all_finite",
    "training_state",
]


class CheckpointMismatchError(ValueError):
    """The checkpoint on disk does not fit the model built from the config."""


def training_state(model) -> dict:
    """Trackable objects that make up a `VideoGAN`'s full training state.

    Keras variables are tracked through the networks and the optimizers;
    `keras.random.SeedGenerator` is not a trackable, so its state variables
    (the model's latent seed, dropout seeds) are added through the model's
    complete variable list.

    Args:
        model: a compiled `tfvgan.models.VideoGAN`.

    Returns:
        A dict of keyword arguments for `tf.train.Checkpoint`.
    """
    if not getattr(model, "_gan_compiled", False):
        raise ValueError(
            "the model must be compiled (optimizers built) before its training "
            "state can be checkpointed."
        )
    state = {
        "generator": model.generator,
        "discriminator": model.discriminator,
        "d_optimizer": model.d_optimizer,
        "g_optimizer": model.g_optimizer,
        "variables": list(model.variables),
    }
    if model.ema_generator is not None:
        state["ema_generator"] = model.ema_generator
    return state


def all_finite(model) -> bool:
    """Whether every floating weight of G, D and the EMA generator is finite."""
    checks = [
        tf.reduce_all(tf.math.is_finite(tf.convert_to_tensor(v)))
        for v in model.variables
        if v.dtype in ("float16", "bfloat16", "float32", "float64")
    ]
    return bool(tf.reduce_all(tf.stack(checks))) if checks else True


class TrainingCheckpoint:
    """Saves and restores a `VideoGAN`'s full training state.

    Args:
        model: a compiled `VideoGAN` (optimizers built, EMA created).
        directory: where checkpoints live (created on first save).
        max_to_keep: how many recent checkpoints to keep.
        steps_per_epoch: used to record the epoch of each checkpoint.

    Example:

    ```python
    state = TrainingCheckpoint(gan, "runs/x/checkpoints")
    start_step = state.restore()
    ```
    """

    def __init__(
        self,
        model,
        directory: str | os.PathLike,
        max_to_keep: int = 3,
        steps_per_epoch: int | None = None,
    ):
        self.model = model
        self.directory = os.fspath(directory)
        self.steps_per_epoch = steps_per_epoch
        self.epoch = tf.Variable(0, dtype=tf.int64, trainable=False, name="epoch")
        self.checkpoint = tf.train.Checkpoint(**training_state(model), epoch=self.epoch)
        self.manager = tf.train.CheckpointManager(
            self.checkpoint,
            self.directory,
            max_to_keep=max_to_keep,
            checkpoint_name="ckpt",
        )
        self.last_saved_step: int | None = None

    @property
    def step(self) -> int:
        """The global training step (generator updates so far)."""
        return int(self.model.g_optimizer.iterations.numpy())

    @property
    def latest(self) -> str | None:
        """Path prefix of the latest complete checkpoint, or None."""
        return self.manager.latest_checkpoint

    def restore(self, path: str | None = None) -> int:
        """Restores `path` (default: the latest checkpoint) if there is one.

        Args:
            path: a checkpoint prefix; None for the latest in `directory`.

        Returns:
            The restored global step, or 0 when there is nothing to restore.

        Raises:
            CheckpointMismatchError: if the checkpoint does not fit the model.
        """
        self._remove_partial_saves()
        path = path or self.latest
        if path is None:
            return 0
        try:
            self.checkpoint.restore(path).assert_existing_objects_matched()
        except (AssertionError, ValueError, tf.errors.OpError) as error:
            raise CheckpointMismatchError(
                f"checkpoint {path!r} does not match the model built from this "
                f"config ({error}); use a new run directory for a different model."
            ) from error
        self.last_saved_step = self.step
        return self.step

    def save(self) -> str:
        """Writes a checkpoint numbered by the global step; returns its prefix."""
        step = self.step
        if self.steps_per_epoch:
            self.epoch.assign(step // self.steps_per_epoch)
        path = self.manager.save(checkpoint_number=step)
        self.last_saved_step = step
        return path

    def _remove_partial_saves(self) -> None:
        # A save killed half-way leaves temporary files that no index names:
        # data shards in ``ckpt-N_temp/``, or ``checkpoint.tmp<hex>`` when the
        # kill came between writing the new state file and renaming it.
        pattern = os.path.join(self.directory, "*_temp*")
        leftovers = glob.glob(pattern) + glob.glob(
            os.path.join(self.directory, "checkpoint.tmp*")
        )
        for path in leftovers:
            if os.path.isdir(path):
                shutil.rmtree(path, ignore_errors=True)
            else:
                try:
                    os.remove(path)
                except OSError:
                    pass
