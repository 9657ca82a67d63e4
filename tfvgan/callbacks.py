"""Keras callbacks for video GAN training: samples, summaries, checkpoints, NaN guard.

- `VideoSampleWriter`: a GIF (and MP4) grid of samples from fixed noise (and
  fixed conditions) every N epochs, also as an animated TensorBoard image.
- `NonFiniteGuard`: stops training at the first NaN/inf metric and says which
  metric at which step.
- `CheckpointSaver`: writes the full training state every N epochs and/or
  steps, never from a non-finite state.
- `EpochLogger`: one line per epoch, for logs that are not a terminal.
- `write_video_summary` / `encode_gif`: animated GIF summaries for
  TensorBoard's image plugin.

Example:

```python
gan.fit(
    dataset,
    epochs=10,
    callbacks=[tfvgan.callbacks.VideoSampleWriter("runs/demo/samples", every_n_epochs=2)],
)
```
"""

from __future__ import annotations

import io
import math
import os
import sys
import time

import keras
import numpy as np
import tensorflow as tf

__all__ = [
    "CheckpointSaver",
    "EpochLogger",
    "NonFiniteGuard",
    "VideoSampleWriter",
    "encode_gif",
    "write_video_summary",
]


def encode_gif(video, fps: float = 8) -> bytes:
    """Encodes one clip as animated-GIF bytes.

    Args:
        video: ``(frames, height, width, channels)`` with channels 1 or 3,
            uint8 or floating in ``[-1, 1]``.
        fps: frames per second.

    Returns:
        The GIF file's bytes (looping forever).
    """
    import imageio.v3 as iio

    from tfvgan.video_io import to_uint8

    video = to_uint8(video)
    if video.ndim != 4 or video.shape[-1] not in (1, 3):
        raise ValueError(
            f"expected a clip (frames, height, width, channels) with 1 or 3 "
            f"channels, got shape {video.shape}."
        )
    frames = video[..., 0] if video.shape[-1] == 1 else video
    buffer = io.BytesIO()
    iio.imwrite(
        buffer, frames, extension=".gif", plugin="pillow", duration=1000.0 / fps, loop=0
    )
    return buffer.getvalue()


def write_video_summary(name: str, video, step: int, fps: float = 8) -> bool:
    """Writes a clip as an animated GIF to TensorBoard's image dashboard.

    TensorBoard's image plugin stores ``[width, height, encoded image]``
    strings and displays GIF bytes as an animation. Needs a default summary
    writer (``with writer.as_default(): ...``).

    Args:
        name: summary tag.
        video: one clip ``(frames, height, width, channels)`` (e.g. a grid from
            `tfvgan.video_io.video_grid`), uint8 or float in ``[-1, 1]``.
        step: the summary step.
        fps: frames per second of the animation.

    Returns:
        Whether a summary was written (False without a default writer).
    """
    from tensorboard.plugins.image import metadata as image_metadata

    video = np.asarray(video)
    height, width = video.shape[1], video.shape[2]
    tensor = tf.constant([str(width), str(height), encode_gif(video, fps)])
    metadata = image_metadata.create_summary_metadata(
        display_name=name, description="animated GIF"
    )
    return bool(tf.summary.write(name, tensor, step=step, metadata=metadata))


def _finite_scalars(logs) -> tuple[str, float] | None:
    """The first non-finite scalar in `logs` as (name, value), or None."""
    for key, value in (logs or {}).items():
        try:
            value = float(np.asarray(value))
        except (TypeError, ValueError):
            continue
        if not math.isfinite(value):
            return key, value
    return None


class NonFiniteGuard(keras.callbacks.Callback):
    """Stops training at the first NaN or infinite metric (like `TerminateOnNaN`).

    After `fit` returns, `tripped` says whether it fired and `message` names
    the metric, its value and the global step. `CheckpointSaver` asks this
    guard before every save, so the bad state is never checkpointed. Put it
    first in the callback list.

    Example:

    ```python
    guard = NonFiniteGuard()
    gan.fit(ds, epochs=5, callbacks=[guard])
    if guard.tripped:
        raise RuntimeError(guard.message)
    ```
    """

    def __init__(self):
        super().__init__()
        self.tripped = False
        self.message: str | None = None
        self.step: int | None = None
        self._epoch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def _check(self, logs, where: str) -> None:
        if self.tripped:
            return
        bad = _finite_scalars(logs)
        if bad is None:
            return
        name, value = bad
        self.tripped = True
        self.step = int(self.model.optimizer.iterations.numpy())
        self.message = (
            f"non-finite {name}={value} at step {self.step} (epoch {self._epoch + 1}, "
            f"{where}); training stopped without checkpointing this state."
        )
        self.model.stop_training = True
        print(f"tfvgan: {self.message}", file=sys.stderr, flush=True)

    def on_train_batch_end(self, batch, logs=None):
        self._check(logs, f"batch {batch + 1}")

    def on_epoch_end(self, epoch, logs=None):
        self._check(logs, "end of epoch")


class CheckpointSaver(keras.callbacks.Callback):
    """Saves a `tfvgan.checkpoint.TrainingCheckpoint` periodically and at the end.

    A save is skipped (and counted in `skipped`) when the guard tripped or
    any weight is non-finite, so the latest checkpoint is always a good one.

    Args:
        checkpoint: the `TrainingCheckpoint` to save.
        every_n_epochs: save after every N-th epoch (0 = off).
        every_n_steps: save every N global steps (0 = off).
        guard: a `NonFiniteGuard` to consult before saving.
        save_at_end: save when training ends (if not saved at that step).
        verbose: print a line per save.
    """

    def __init__(
        self,
        checkpoint,
        every_n_epochs: int = 1,
        every_n_steps: int = 0,
        guard: NonFiniteGuard | None = None,
        save_at_end: bool = True,
        verbose: bool = False,
    ):
        super().__init__()
        self.checkpoint = checkpoint
        self.every_n_epochs = int(every_n_epochs)
        self.every_n_steps = int(every_n_steps)
        self.guard = guard
        self.save_at_end = save_at_end
        self.verbose = verbose
        self.skipped = 0

    def _save(self) -> None:
        from tfvgan.checkpoint import all_finite

        step = self.checkpoint.step
        if self.checkpoint.last_saved_step == step:
            return
        if (self.guard is not None and self.guard.tripped) or not all_finite(
            self.model
        ):
            self.skipped += 1
            return
        path = self.checkpoint.save()
        if self.verbose:
            print(f"tfvgan: saved checkpoint {path} (step {step})", flush=True)

    def on_train_batch_end(self, batch, logs=None):
        if self.every_n_steps and self.checkpoint.step % self.every_n_steps == 0:
            self._save()

    def on_epoch_end(self, epoch, logs=None):
        if self.every_n_epochs and (epoch + 1) % self.every_n_epochs == 0:
            self._save()

    def on_train_end(self, logs=None):
        if self.save_at_end:
            self._save()


class EpochLogger(keras.callbacks.Callback):
    """Prints ``epoch 3/10 d_loss=... g_loss=... (12.3 s)``: one line per epoch.

    For non-interactive logs (files, CI, cluster jobs), where Keras' progress
    bar would print a wall of carriage returns.

    Args:
        epochs: total epochs, for the ``3/10`` display.
        stream: where to print; default `sys.stdout`.
    """

    def __init__(self, epochs: int, stream=None):
        super().__init__()
        self.epochs = epochs
        self.stream = stream
        self._start = time.perf_counter()

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        elapsed = time.perf_counter() - self._start
        parts = []
        for key, value in (logs or {}).items():
            try:
                parts.append(f"{key}={float(np.asarray(value)):.4f}")
            except (TypeError, ValueError):
                continue
        line = f"epoch {epoch + 1}/{self.epochs} {' '.join(parts)} ({elapsed:.1f} s)"
        print(line, file=self.stream or sys.stdout, flush=True)


class VideoSampleWriter(keras.callbacks.Callback):
    """Writes a grid of samples from fixed noise every N epochs.

    The noise (and condition) is fixed at the start of training, so the
    files show one set of clips evolving. Files are
    ``<directory>/samples_epoch<NNNN>.<fmt>``; with `log_dir` the grid also
    goes to TensorBoard as an animated GIF (tag ``samples``).

    Args:
        directory: output folder (created when needed).
        num_videos: clips in the grid; ignored when `noise` is given.
        seed: seed of the fixed noise (clip ``i`` uses seed ``seed + i``).
        condition: fixed condition batch for conditional models.
        noise: explicit fixed noise ``(num_videos, latent_dim)``.
        every_n_epochs: write after every N-th epoch.
        formats: file formats, ``"gif"`` and/or ``"mp4"``.
        fps: frames per second.
        cols: grid columns (default: about square).
        log_dir: TensorBoard log folder for the video summary, or None.
        use_ema: sample with the EMA generator when there is one.

    Example:

    ```python
    writer = VideoSampleWriter("runs/demo/samples", num_videos=8, formats=("gif", "mp4"))
    gan.fit(ds, epochs=4, callbacks=[writer])
    ```
    """

    def __init__(
        self,
        directory: str | os.PathLike,
        num_videos: int = 8,
        seed: int = 0,
        condition=None,
        noise=None,
        every_n_epochs: int = 1,
        formats: tuple[str, ...] = ("gif",),
        fps: float = 8,
        cols: int | None = None,
        log_dir: str | os.PathLike | None = None,
        use_ema: bool = True,
    ):
        super().__init__()
        if isinstance(every_n_epochs, bool) or int(every_n_epochs) < 1:
            raise ValueError(f"every_n_epochs must be >= 1, got {every_n_epochs!r}.")
        for fmt in formats:
            if fmt not in ("gif", "mp4"):
                raise ValueError(
                    f"unknown sample format {fmt!r}; expected 'gif' or 'mp4'."
                )
        self.directory = os.fspath(directory)
        self.num_videos = int(num_videos)
        self.seed = int(seed)
        self.condition = condition
        self.noise = noise
        self.every_n_epochs = int(every_n_epochs)
        self.formats = tuple(formats)
        self.fps = fps
        self.cols = cols
        self.log_dir = None if log_dir is None else os.fspath(log_dir)
        self.use_ema = use_ema
        self.written: list[str] = []
        self._writer = None

    def on_train_begin(self, logs=None):
        if self.noise is None:
            seeds = tf.range(self.num_videos, dtype=tf.int64) + self.seed
            self.noise = self.model.noise_from_seeds(seeds)
        if self.log_dir is not None and self._writer is None:
            self._writer = tf.summary.create_file_writer(self.log_dir)

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every_n_epochs == 0:
            self.write(epoch + 1)

    def on_train_end(self, logs=None):
        if self._writer is not None:
            self._writer.flush()

    def write(self, epoch: int) -> list[str]:
        """Generates the grid and writes it; returns the file paths."""
        from tfvgan.video_io import video_grid, write_video

        videos = self.model.generate(
            noise=self.noise, condition=self.condition, use_ema=self.use_ema
        )
        grid = video_grid(videos, cols=self.cols)
        os.makedirs(self.directory, exist_ok=True)
        paths = []
        for fmt in self.formats:
            path = os.path.join(self.directory, f"samples_epoch{epoch:04d}.{fmt}")
            paths.append(write_video(path, grid, fps=self.fps))
        if self._writer is not None:
            with self._writer.as_default():
                write_video_summary("samples", grid, step=epoch, fps=self.fps)
        self.written.extend(paths)
        return paths
