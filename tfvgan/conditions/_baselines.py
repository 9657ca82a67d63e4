"""The trivial baselines a frame-conditioned model must beat.

Part of `tfvgan.conditions`; import the names from there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # TensorFlow loads when a condition is first used.
    import tensorflow as tf


def cross_fade(keyframes, frames: int) -> np.ndarray:
    """The clips that cross-fade linearly from each keyframe to the next:
    the baseline of in-betweening.

    Args:
        keyframes: ``(B, m, H, W, C)``, frames ``0, n, ..., frames - 1``
            with ``n = (frames - 1) / (m - 1)``.
        frames: the length of the clips to make.

    Returns:
        float32 ``(B, frames, H, W, C)``: frame ``t`` between keyframes
        ``a`` (at ``t0``) and ``b`` (at ``t0 + n``) is
        ``(1 - w) * a + w * b`` with ``w = (t - t0) / n``; the keyframes
        themselves are exact.

    Raises:
        ValueError: `keyframes` is not 5-D with ``m >= 2``, or ``m - 1``
            does not divide ``frames - 1``.
    """
    keyframes = np.asarray(keyframes, np.float32)
    if keyframes.ndim != 5 or keyframes.shape[1] < 2:
        raise ValueError(
            f"expected keyframes (B, m >= 2, H, W, C), got shape {keyframes.shape}"
        )
    gaps = keyframes.shape[1] - 1
    if isinstance(frames, bool) or not isinstance(frames, (int, np.integer)):
        raise ValueError(f"expected frames an int, got {frames!r}")
    if frames < 3 or (frames - 1) % gaps:
        raise ValueError(
            f"expected frames - 1 a multiple of the {gaps} gaps between "
            f"{gaps + 1} keyframes, got frames={frames}"
        )
    n = (frames - 1) // gaps
    t = np.arange(frames)
    first = np.minimum(t // n, gaps - 1)
    w = ((t - first * n) / n).astype(np.float32)[None, :, None, None, None]
    return (1.0 - w) * keyframes[:, first] + w * keyframes[:, first + 1]


def copy_last_frame(context, frames: int) -> np.ndarray:
    """The clips that hold their last context frame: the baseline of
    prediction (also `tfvgan.metrics.copy_last_frame`).

    Args:
        context: the given frames, ``(B, k, H, W, C)``.
        frames: the length of the clips to make (``> k``).

    Returns:
        float32 ``(B, frames, H, W, C)``: the context, then its last frame
        repeated.

    Raises:
        ValueError: `context` is not 5-D or `frames` is not above ``k``.
    """
    context = np.asarray(context, np.float32)
    if context.ndim != 5:
        raise ValueError(f"expected context (B, k, H, W, C), got shape {context.shape}")
    k = context.shape[1]
    if isinstance(frames, bool) or not isinstance(frames, (int, np.integer)):
        raise ValueError(f"expected frames an int, got {frames!r}")
    if frames <= k:
        raise ValueError(f"expected frames > k={k} context frames, got {frames}")
    rest = np.repeat(context[:, -1:], frames - k, axis=1)
    return np.concatenate([context, rest], axis=1)


def downscale_clips(video, downscale: int) -> tf.Tensor:
    """Area-downscales the frames of ``(..., H, W, C)`` clips by `downscale`.

    Raises:
        ValueError: `downscale` is not a positive int or does not divide H, W.
    """
    import tensorflow as tf

    if isinstance(downscale, bool) or not isinstance(downscale, int) or downscale < 1:
        raise ValueError(f"expected downscale a positive int, got {downscale!r}")
    video = tf.convert_to_tensor(video, tf.float32)
    height, width = video.shape[-3], video.shape[-2]
    if height is not None and (height % downscale or width % downscale):
        raise ValueError(
            f"expected height and width divisible by downscale={downscale}, got "
            f"{height}x{width}"
        )
    if downscale == 1:
        return video
    # avg_pool over (H, W) is the exact area downscale for integer factors.
    frames = tf.reshape(video, [-1, *video.shape[-3:]])
    pooled = tf.nn.avg_pool2d(frames, downscale, downscale, "VALID")
    return tf.reshape(pooled, [*tf.unstack(tf.shape(video)[:-3]), *pooled.shape[1:]])
