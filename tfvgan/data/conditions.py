"""Conditions for the conditional GAN, and the caption vectorizer.

A dataset built with ``condition=...`` yields ``(video, condition)`` pairs.
For one unbatched element with ``video`` of shape ``(T, H, W, C)``:

==================  =========  =====================================================
``condition``       dtype      shape and meaning
==================  =========  =====================================================
``None``            --         no condition; elements are ``video`` alone
``"label"``         int32      ``()`` class id; ``(num_digits,)`` for multi-digit
                               `moving_digits`
``"caption"``       int64      ``(sequence_length,)`` token ids from a
                               `keras.layers.TextVectorization` (0 = padding,
                               1 = out-of-vocabulary)
``"caption_text"``  string     ``()`` the raw English caption
``"first_frame"``   float32    ``(H, W, C)`` in ``[-1, 1]``: the clip's first frame
``"low_res"``       float32    ``(T, H // downscale, W // downscale, C)`` in
                               ``[-1, 1]``: the clip, area-downscaled
``"context_frames"`` float32   ``(context_frames, H, W, C)`` in ``[-1, 1]``:
                               the clip's first frames, to continue
``"keyframes"``     float32    ``(m, H, W, C)`` in ``[-1, 1]``: frames
                               ``0, n, 2n, ..., T - 1`` (``n`` =
                               ``keyframe_interval``, default ``T - 1``: the
                               first and last frame), to fill in between
``"masked"``        float32    ``(T, H, W, C + 1)``: the clip with a box of
                               ``mask_size`` pixels (default ``min(H, W) // 2``)
                               hidden in every frame (set to 0), and the mask
                               (1 = hidden) on the last channel; the box's place
                               is drawn per clip (`tfvgan.masking.box_masks`)
==================  =========  =====================================================

Batching adds a leading ``batch`` axis to both.
"""

from __future__ import annotations

from collections.abc import Iterable

import keras
import tensorflow as tf

from tfvgan import masking
from tfvgan.conditions import (
    check_context_frames,
    downscale_clips,
    keyframe_indices,
)

__all__ = [
    "CONDITIONS",
    "caption_vectorizer",
    "check_condition",
    "check_video_condition",
    "video_condition",
]

#: Every value the ``condition`` argument of the data sources accepts.
CONDITIONS = (
    None,
    "label",
    "caption",
    "caption_text",
    "first_frame",
    "low_res",
    "context_frames",
    "keyframes",
    "masked",
)
# Conditions computed from the video itself, available for every source.
_VIDEO_CONDITIONS = ("first_frame", "low_res", "context_frames", "keyframes", "masked")


def check_video_condition(
    condition,
    frames: int,
    size: int | None,
    downscale: int = 4,
    context_frames: int = 2,
    keyframe_interval: int | None = None,
    mask_size: int | None = None,
) -> None:
    """Checks the options of a condition computed from the clip, before a
    pipeline is built (so the error is immediate). Other conditions pass.
    A `size` that is not an int (None, or ``(height, width)``) is not
    checked against `downscale`.

    Raises:
        ValueError: ``"low_res"`` with a `downscale` that does not divide
            `size`, ``"context_frames"`` with `context_frames` not in
            ``[1, frames)``, or ``"keyframes"`` with a `keyframe_interval`
            not in ``[2, frames - 1]`` or not dividing ``frames - 1``,
            or ``"masked"`` with a `mask_size` not in ``[1, size)``.
    """
    if condition == "low_res" and (
        isinstance(downscale, bool)
        or not isinstance(downscale, int)
        or downscale < 1
        or (isinstance(size, int) and size % downscale)
    ):
        raise ValueError(
            f"expected downscale a positive int dividing size={size}, got {downscale!r}"
        )
    if condition == "context_frames":
        check_context_frames(context_frames, frames)
    if condition == "keyframes":
        keyframe_indices(frames, keyframe_interval)
    if condition == "masked" and mask_size is not None:
        masking.check_mask_size(mask_size, size)


def check_condition(condition, available=CONDITIONS) -> None:
    """Raises ValueError unless `condition` is one of `available`.

    Args:
        condition: The requested condition.
        available: The conditions the calling source supports.
    """
    if condition not in available:
        raise ValueError(f"expected condition in {tuple(available)}, got {condition!r}")


def video_condition(
    video: tf.Tensor,
    condition: str,
    downscale: int = 4,
    context_frames: int = 2,
    keyframe_interval: int | None = None,
    mask_size: int | None = None,
) -> tf.Tensor:
    """Computes a condition that is derived from the clip itself.

    Args:
        video: float32 ``(T, H, W, C)`` (or batched ``(B, T, H, W, C)``) in
            ``[-1, 1]``; a tensor or an array.
        condition: ``"first_frame"``, ``"low_res"``, ``"context_frames"``,
            ``"keyframes"`` or ``"masked"``.
        downscale: Spatial factor for ``"low_res"``; H and W must be
            divisible by it.
        context_frames: Frames given for ``"context_frames"``, in
            ``[1, T)``.
        keyframe_interval: Frames from one keyframe to the next for
            ``"keyframes"``, dividing ``T - 1``; None: ``T - 1``.
        mask_size: Side of the hidden box for ``"masked"``; None:
            ``min(H, W) // 2``.

    Returns:
        ``"first_frame"``: ``(H, W, C)``; ``"low_res"``:
        ``(T, H // downscale, W // downscale, C)`` (area average);
        ``"context_frames"``: ``(context_frames, H, W, C)``;
        ``"keyframes"``: ``(m, H, W, C)``; ``"masked"``:
        ``(T, H, W, C + 1)``; all float32 in ``[-1, 1]`` (with the batch
        axis when given one).

    Example:

    >>> v = tf.zeros((8, 32, 32, 1))
    >>> video_condition(v, "low_res", downscale=4).shape
    TensorShape([8, 8, 8, 1])
    """
    check_condition(condition, _VIDEO_CONDITIONS)
    video = tf.convert_to_tensor(video, tf.float32)
    batched = video.shape.rank == 5
    if condition == "first_frame":
        return video[:, 0] if batched else video[0]
    if condition == "context_frames":
        k = check_context_frames(context_frames, video.shape[-4])
        return video[:, :k] if batched else video[:k]
    if condition == "keyframes":
        indices = keyframe_indices(video.shape[-4], keyframe_interval)
        return tf.gather(video, indices, axis=1 if batched else 0)
    if condition == "masked":
        if mask_size is None:
            mask_size = min(video.shape[-3], video.shape[-2]) // 2
        mask = masking.box_masks(video, mask_size)
        return tf.concat([video * (1.0 - mask), mask], axis=-1)
    return downscale_clips(video, downscale)


def caption_vectorizer(
    captions: Iterable[str] | None = None,
    max_tokens: int | None = None,
    sequence_length: int = 16,
    vocabulary: list[str] | None = None,
) -> keras.layers.TextVectorization:
    """Builds a `keras.layers.TextVectorization` that maps captions to token ids.

    Either adapts to `captions` or uses a fixed `vocabulary` (no adapt step).
    Text is lower-cased and stripped of punctuation; the output is int64
    ``(sequence_length,)`` per caption, 0 for padding and 1 for unknown words.

    Args:
        captions: Captions to adapt to. Ignored when `vocabulary` is given.
        max_tokens: Vocabulary size cap (including padding and OOV), or None.
        sequence_length: Token ids per caption (padded or truncated).
        vocabulary: A fixed word list, e.g.
            `tfvgan.data.MOVING_DIGITS_VOCABULARY`.

    Returns:
        An adapted `keras.layers.TextVectorization`.

    Raises:
        ValueError: If neither `captions` nor `vocabulary` is given, or the
            captions are empty.

    Example:

    >>> vec = caption_vectorizer(["digit 3 moves up", "digit 7 moves left"])
    >>> vec(["digit 3 moves left"]).shape
    TensorShape([1, 16])
    """
    if not isinstance(sequence_length, int) or sequence_length < 1:
        raise ValueError(
            f"expected sequence_length a positive int, got {sequence_length!r}"
        )
    layer = keras.layers.TextVectorization(
        max_tokens=max_tokens,
        output_mode="int",
        output_sequence_length=sequence_length,
        vocabulary=list(vocabulary) if vocabulary is not None else None,
    )
    if vocabulary is not None:
        return layer
    if captions is None:
        raise ValueError("expected captions to adapt to or a vocabulary, got neither")
    captions = [str(c) for c in captions]
    if not captions:
        raise ValueError("expected at least one caption to adapt to, got none")
    layer.adapt(tf.constant(captions))
    return layer
