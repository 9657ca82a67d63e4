"""`from_arrays`: a dataset from videos already in memory."""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from tfvgan.data import _common

__all__ = ["from_arrays"]

# Float input a little outside [-1, 1] (rounding in a preprocessing step) is
# accepted and clipped; anything further out is almost surely [0, 1] or
# [0, 255] data given as floats, which would silently train on wrong values.
_FLOAT_TOLERANCE = 1e-3


def _check_videos(videos) -> np.ndarray:
    videos = np.asarray(videos)
    if videos.ndim == 4:
        videos = videos[..., None]
    if videos.ndim != 5:
        raise ValueError(
            "expected videos of rank 5 (num_videos, frames, height, width, "
            "channels) or rank 4 (num_videos, frames, height, width), got shape "
            f"{videos.shape}"
        )
    if videos.shape[0] < 1 or min(videos.shape[1:4]) < 1:
        raise ValueError(f"expected non-empty videos, got shape {videos.shape}")
    if videos.shape[-1] not in (1, 3):
        raise ValueError(
            f"expected 1 or 3 channels (last axis), got shape {videos.shape}"
        )
    if videos.dtype == np.uint8:
        return videos
    if not np.issubdtype(videos.dtype, np.floating):
        raise TypeError(
            f"expected videos as uint8 in [0, 255] or floating in [-1, 1], got "
            f"dtype {videos.dtype}"
        )
    if not np.all(np.isfinite(videos)):
        raise ValueError("expected finite video values, got NaN or inf")
    low, high = float(videos.min()), float(videos.max())
    if low < -1 - _FLOAT_TOLERANCE or high > 1 + _FLOAT_TOLERANCE:
        raise ValueError(
            f"expected floating videos in [-1, 1], got values in [{low:g}, {high:g}]"
            "; pass uint8 [0, 255] or rescale (x / 127.5 - 1)"
        )
    return np.clip(videos, -1.0, 1.0).astype(np.float32)


def from_arrays(
    videos,
    conditions=None,
    batch_size: int | None = None,
    shuffle: bool = True,
    seed: int | None = None,
    repeat: bool = False,
    skip: int = 0,
) -> tf.data.Dataset:
    """A dataset from in-memory videos (and optional conditions).

    Args:
        videos: ``(N, T, H, W, C)`` with C 1 or 3, or ``(N, T, H, W)`` (a
            channel axis is added); uint8 in ``[0, 255]`` or floating in
            ``[-1, 1]``.
        conditions: None, or an array-like (or a tuple/dict of them, as
            `tf.data.Dataset.from_tensor_slices` accepts) with first
            dimension N, passed through unchanged: class ids, token ids,
            frames...
        batch_size: Batch size (``drop_remainder=True``), or None for
            unbatched elements.
        shuffle: Reshuffle every epoch.
        seed: Shuffle seed.
        repeat: Repeat forever.
        skip: Elements to leave out at the start of the stream (batches when
            `batch_size` is set; with ``repeat=True`` counted across
            epochs), before the clips are converted: the result equals
            ``dataset.skip(skip)`` of the dataset built with ``skip=0`` and
            the same arguments. To resume training at step ``s``, build with
            ``repeat=True, skip=s``.

    Returns:
        A dataset of float32 videos ``(T, H, W, C)`` in ``[-1, 1]`` (batched
        when `batch_size` is set), or of ``(video, condition)`` pairs.

    Raises:
        ValueError: For a wrong rank, channel count, value range or
            mismatched lengths, or a batch size larger than N.
        TypeError: For an unsupported dtype.

    Example:

    >>> videos = np.zeros((16, 8, 32, 32), np.uint8)
    >>> ds = from_arrays(videos, np.arange(16), batch_size=4)
    >>> [t.shape for t in next(iter(ds))]
    [TensorShape([4, 8, 32, 32, 1]), TensorShape([4])]
    """
    videos = _check_videos(videos)
    n = videos.shape[0]
    _common.check_positive_int("batch_size", batch_size, allow_none=True)
    _common.check_skip(skip)
    if batch_size is not None and batch_size > n and not repeat:
        raise ValueError(
            f"expected batch_size <= number of videos ({n}) since the last "
            f"partial batch is dropped, got batch_size={batch_size}"
        )
    if isinstance(conditions, list):
        conditions = np.asarray(conditions)
    if conditions is not None:
        for leaf in tf.nest.flatten(conditions):
            length = len(leaf) if np.ndim(leaf) else 0
            if length != n:
                raise ValueError(
                    f"expected conditions with {n} entries (one per video), got "
                    f"{length}"
                )
        dataset = tf.data.Dataset.from_tensor_slices((videos, conditions))
    else:
        dataset = tf.data.Dataset.from_tensor_slices(videos)
    if shuffle:
        dataset = dataset.shuffle(n, seed=seed, reshuffle_each_iteration=True)
    dataset = _common.position(dataset, repeat, skip, batch_size)

    if videos.dtype == np.uint8:

        def prepare(video, *rest):
            video = _common.to_float(video)
            return (video, *rest) if rest else video

        dataset = dataset.map(prepare, num_parallel_calls=_common.AUTOTUNE)
    return _common.finish(dataset, batch_size)
