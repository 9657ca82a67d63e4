"""Pieces shared by the data sources: normalization and the pipeline tail."""

from __future__ import annotations

import tensorflow as tf

from tfvgan.validation import check_int

AUTOTUNE = tf.data.AUTOTUNE


def to_float(video: tf.Tensor) -> tf.Tensor:
    """uint8 ``[0, 255]`` -> float32 ``[-1, 1]`` (the library contract)."""
    return tf.cast(video, tf.float32) / 127.5 - 1.0


def check_positive_int(name: str, value, allow_none: bool = False) -> None:
    """`tfvgan.validation.check_int` (>= 1)."""
    check_int(name, value, allow_none=allow_none)


def finish(
    dataset: tf.data.Dataset,
    batch_size: int | None,
    repeat: bool = False,
) -> tf.data.Dataset:
    """Repeat, batch (``drop_remainder=True``) and prefetch."""
    check_positive_int("batch_size", batch_size, allow_none=True)
    if repeat:
        dataset = dataset.repeat()
    if batch_size is not None:
        dataset = dataset.batch(batch_size, drop_remainder=True)
    return dataset.prefetch(AUTOTUNE)


def check_skip(skip) -> None:
    if isinstance(skip, bool) or not isinstance(skip, int) or skip < 0:
        raise ValueError(f"expected skip a non-negative int, got {skip!r}")


def position(
    dataset: tf.data.Dataset,
    repeat: bool,
    skip: int,
    batch_size: int | None,
) -> tf.data.Dataset:
    """Repeats, then skips `skip` output elements, on a stream not yet decoded.

    Sources apply this to their cheap stream (file indices, random draws, or
    in-memory arrays) before the map that decodes or converts clips, and
    then `finish` without repeating: the clips then flow exactly as
    ``finish(decoded, batch_size, repeat).skip(skip)`` would give them, but
    the skipped ones are never decoded. With ``drop_remainder=True`` a batch
    is always `batch_size` consecutive clips, so `skip` batches are
    ``skip * batch_size`` clips. The sources check `skip` and `batch_size`
    where they enter (`check_skip`, `finish`).
    """
    if repeat:
        dataset = dataset.repeat()
    if skip:
        dataset = dataset.skip(skip * (batch_size or 1))
    return dataset


SHORT_VIDEO_POLICIES = ("skip", "loop", "pad")
RESIZE_MODES = ("crop", "pad", "stretch")


def as_size(size) -> tuple[int, int]:
    """An int or (height, width) -> (height, width), validated."""
    if isinstance(size, int) and not isinstance(size, bool):
        size = (size, size)
    try:
        height, width = (int(s) for s in size)
    except (TypeError, ValueError):
        raise ValueError(
            f"expected size as a positive int or (height, width), got {size!r}"
        ) from None
    if height < 1 or width < 1:
        raise ValueError(
            f"expected size as a positive int or (height, width), got {size!r}"
        )
    return height, width


def clip_indices(
    num_frames: tf.Tensor,
    frames: int,
    frame_step: int,
    random_value: tf.Tensor,
    random_clip: bool,
    short_videos: str,
) -> tf.Tensor:
    """Frame indices of one clip of a `num_frames`-long video.

    Args:
        num_frames: Scalar int32 tensor, frames available (>= 1).
        frames: Frames per clip.
        frame_step: Stride between clip frames.
        random_value: Scalar int64 random draw, used for the start frame.
        random_clip: Random start if True, else the first frame.
        short_videos: What to do when the video is shorter than the clip
            span: ``"loop"`` wraps around, ``"pad"`` repeats the last frame
            (``"skip"`` is a filter upstream; here it behaves like ``"pad"``).

    Returns:
        int32 ``(frames,)`` indices into the video.
    """
    num_frames = tf.cast(num_frames, tf.int32)
    span = (frames - 1) * frame_step + 1
    max_start = tf.maximum(num_frames - span, 0)
    if random_clip:
        start = tf.cast(
            tf.math.floormod(tf.abs(random_value), tf.cast(max_start + 1, tf.int64)),
            tf.int32,
        )
    else:
        start = tf.constant(0, tf.int32)
    indices = start + tf.range(frames, dtype=tf.int32) * frame_step
    if short_videos == "loop":
        return tf.math.floormod(indices, num_frames)
    return tf.minimum(indices, num_frames - 1)


def convert_channels(video: tf.Tensor, channels: int | None) -> tf.Tensor:
    """Grayscale <-> RGB on the last axis (static channel count required)."""
    have = video.shape[-1]
    if channels is None or have == channels:
        return video
    if have == 1 and channels == 3:
        return tf.image.grayscale_to_rgb(video)
    if have == 3 and channels == 1:
        return tf.image.rgb_to_grayscale(video)
    if have == 4:
        return convert_channels(video[..., :3], channels)
    raise ValueError(f"cannot convert {have} channels to {channels}")


def resize_video(video: tf.Tensor, size: tuple[int, int], mode: str) -> tf.Tensor:
    """Resizes float frames ``(T, H, W, C)`` to `size`; see `read_video`."""
    height, width = size
    if video.shape[1] == height and video.shape[2] == width:
        return video
    if mode == "stretch":
        return tf.image.resize(video, size, antialias=True)
    if mode == "pad":
        return tf.image.resize_with_pad(video, height, width, antialias=True)
    in_h = tf.cast(tf.shape(video)[1], tf.float32)
    in_w = tf.cast(tf.shape(video)[2], tf.float32)
    scale = tf.maximum(height / in_h, width / in_w)
    scaled = tf.stack(
        [
            tf.maximum(tf.cast(tf.math.round(in_h * scale), tf.int32), height),
            tf.maximum(tf.cast(tf.math.round(in_w * scale), tf.int32), width),
        ]
    )
    video = tf.image.resize(video, scaled, antialias=True)
    return tf.image.resize_with_crop_or_pad(video, height, width)
