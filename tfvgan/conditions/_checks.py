"""Checks of condition values and options, and the keyframe layout.

Part of `tfvgan.conditions`; import the names from there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # TensorFlow loads when a condition is first used.
    import tensorflow as tf

#: Served float conditions may exceed ``[-1, 1]`` by this much (the
#: overshoot of resampling); anything further (or NaN/inf) is refused.
FLOAT_TOLERANCE = 0.01


def check_ids(condition: tf.Tensor, limit: int | None, kind: str) -> tf.Tensor:
    """Integer ids in ``[0, limit)`` as int32.

    Eagerly a `ValueError`; in a graph a failing assertion
    (`tf.errors.InvalidArgumentError`). `kind` names the ids in messages.
    With `limit` None (a model that does not say how many ids it knows)
    only the dtype is checked.
    """
    import tensorflow as tf

    dtype = condition.dtype
    if not dtype.is_integer:
        raise ValueError(f"expected integer {kind} ids, got dtype {dtype.name}.")
    if limit is None:
        return tf.cast(condition, tf.int32)
    if tf.executing_eagerly():
        values = condition.numpy()
        if values.size and (values.min() < 0 or values.max() >= limit):
            raise ValueError(
                f"{kind} ids must lie in [0, {limit}), got values in "
                f"[{values.min()}, {values.max()}]."
            )
        return tf.cast(condition, tf.int32)
    condition = tf.ensure_shape(condition, condition.shape)
    with tf.control_dependencies(
        [
            tf.debugging.assert_non_negative(
                condition, message=f"{kind} id < 0; ids must lie in [0, {limit})"
            ),
            tf.debugging.assert_less(
                condition,
                tf.cast(limit, dtype),
                message=f"{kind} id >= {limit}; ids must lie in [0, {limit})",
            ),
        ]
    ):
        condition = tf.identity(condition)
    return tf.cast(condition, tf.int32)


def check_context_frames(context_frames, frames: int | None = None) -> int:
    """`context_frames` (the ``k`` given frames of a prediction condition).

    Raises:
        ValueError: not an int >= 1, or (with `frames`) not below `frames`:
            at least one frame must be left to predict.
    """
    if (
        isinstance(context_frames, bool)
        or not isinstance(context_frames, (int, np.integer))
        or context_frames < 1
    ):
        raise ValueError(
            f"expected context_frames a positive int, got {context_frames!r}"
        )
    if frames is not None and context_frames >= frames:
        raise ValueError(
            f"expected context_frames < frames={frames} (a frame must be left to "
            f"predict), got {context_frames}"
        )
    return int(context_frames)


def check_keyframe_interval(keyframe_interval, frames: int) -> int:
    """`keyframe_interval` (frames from one keyframe to the next) of clips
    of `frames` frames; None means ``frames - 1``: the first and last frame.

    Raises:
        ValueError: not an int in ``[2, frames - 1]`` (a frame must lie
            between two keyframes), or not dividing ``frames - 1`` (the last
            frame must be a keyframe).
    """
    given = keyframe_interval
    if keyframe_interval is None:
        keyframe_interval = frames - 1
    if (
        isinstance(keyframe_interval, bool)
        or not isinstance(keyframe_interval, (int, np.integer))
        or not 2 <= keyframe_interval <= frames - 1
        or (frames - 1) % keyframe_interval
    ):
        raise ValueError(
            f"expected keyframe_interval an int in [2, {frames - 1}] dividing "
            f"frames - 1 = {frames - 1} (keyframes at 0, n, 2n, ..., "
            f"{frames - 1}), got {given!r}"
        )
    return int(keyframe_interval)


def keyframe_indices(frames: int, keyframe_interval: int | None = None) -> list[int]:
    """The keyframes of a clip: ``[0, n, 2n, ..., frames - 1]``.

    Raises:
        ValueError: see `check_keyframe_interval`.
    """
    n = check_keyframe_interval(keyframe_interval, frames)
    return list(range(0, frames, n))
