"""Per-frame reconstruction metrics (PSNR, SSIM) for conditional video tasks.

For prediction, interpolation and super-resolution, where a generated clip
has a ground-truth counterpart. Frames are compared one by one, averaged over
frames per video, then (by default) over the batch.
"""

from __future__ import annotations

from typing import Any

import tensorflow as tf

from tfvgan.metrics._checks import check_video_shape

_REDUCTIONS = ("mean", "none")
# Videos live in [-1, 1], so the dynamic range is 2.
MAX_VAL = 2.0
# Generators with a tanh output stay inside [-1, 1]; allow round-off only.
_RANGE_SLACK = 1e-3


def _as_video_pair(a: Any, b: Any) -> tuple[tf.Tensor, tf.Tensor]:
    tensors = []
    for name, video in (("a", a), ("b", b)):
        video = tf.convert_to_tensor(video)
        if not video.dtype.is_floating:
            raise ValueError(
                f"expected {name} as float videos in [-1, 1], got dtype "
                f"{video.dtype.name}; convert uint8 with x / 127.5 - 1"
            )
        check_video_shape(video.shape, name)
        video = tf.cast(video, tf.float32)
        if tf.executing_eagerly() and tf.size(video) > 0:
            low, high = float(tf.reduce_min(video)), float(tf.reduce_max(video))
            if low < -1.0 - _RANGE_SLACK or high > 1.0 + _RANGE_SLACK:
                raise ValueError(
                    f"expected {name} in [-1, 1], got values in [{low:.4g}, {high:.4g}]"
                )
        tensors.append(video)
    a, b = tensors
    if a.shape != b.shape:
        raise ValueError(
            f"expected a and b of the same shape, got {a.shape} and {b.shape}"
        )
    return a, b


def _frames(video: tf.Tensor) -> tf.Tensor:
    shape = tf.shape(video)
    return tf.reshape(video, tf.concat([[-1], shape[2:]], axis=0))


def _reduce(per_frame: tf.Tensor, video: tf.Tensor, reduction: str) -> tf.Tensor:
    per_video = tf.reduce_mean(tf.reshape(per_frame, tf.shape(video)[:2]), axis=1)
    return tf.reduce_mean(per_video) if reduction == "mean" else per_video


def _check_reduction(reduction: str) -> None:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"expected reduction in {_REDUCTIONS}, got {reduction!r}")


def psnr(
    a: Any, b: Any, reduction: str = "mean", max_db: float | None = None
) -> tf.Tensor:
    """Peak signal-to-noise ratio between videos in `[-1, 1]`, in dB.

    `10 log10(2^2 / MSE)` per frame (`tf.image.psnr` with `max_val=2`),
    averaged over frames, then over the batch. A frame identical to its
    reference has infinite PSNR, so the average is `inf` as soon as one frame
    matches exactly; pass `max_db` (e.g. 100) to cap each frame first.

    Args:
        a: videos `(batch, frames, height, width, channels)` in `[-1, 1]`.
        b: videos of the same shape.
        reduction: `"mean"` for a scalar, `"none"` for per-video `(batch,)`.
        max_db: optional cap on per-frame PSNR.

    Returns:
        float32 tensor, scalar or `(batch,)`.

    Example:

    >>> x = tf.zeros([2, 4, 16, 16, 1])
    >>> float(psnr(x, x + 0.1))  # 10 * log10(4 / 0.01)
    26.02...
    """
    _check_reduction(reduction)
    a, b = _as_video_pair(a, b)
    per_frame = tf.image.psnr(_frames(a), _frames(b), max_val=MAX_VAL)
    if max_db is not None:
        per_frame = tf.minimum(per_frame, float(max_db))
    return _reduce(per_frame, a, reduction)


def ssim(
    a: Any,
    b: Any,
    reduction: str = "mean",
    filter_size: int = 11,
    filter_sigma: float = 1.5,
) -> tf.Tensor:
    """Structural similarity between videos in `[-1, 1]`.

    `tf.image.ssim` per frame with `max_val=2`, on frames shifted to
    `[0, 2]` (SSIM's luminance term assumes non-negative intensities; this
    equals the usual SSIM of frames mapped to `[0, 1]`), averaged over
    frames, then over the batch. Identical videos give exactly 1.

    Args:
        a: videos `(batch, frames, height, width, channels)` in `[-1, 1]`.
        b: videos of the same shape.
        reduction: `"mean"` for a scalar, `"none"` for per-video `(batch,)`.
        filter_size: Gaussian window size; frames must be at least this big.
        filter_sigma: Gaussian window width.

    Returns:
        float32 tensor, scalar or `(batch,)`, in `[-1, 1]`.

    Example:

    >>> x = tf.random.uniform([2, 4, 32, 32, 3], -1, 1)
    >>> float(ssim(x, x))
    1.0

    Reference:
        Wang et al. 2004, "Image Quality Assessment: From Error Visibility to
        Structural Similarity", https://doi.org/10.1109/TIP.2003.819861
    """
    _check_reduction(reduction)
    a, b = _as_video_pair(a, b)
    height, width = a.shape[2], a.shape[3]
    if (height is not None and height < filter_size) or (
        width is not None and width < filter_size
    ):
        raise ValueError(
            f"expected frames of at least {filter_size}x{filter_size} for SSIM's "
            f"window (filter_size={filter_size}), got {height}x{width}; pass a "
            "smaller filter_size"
        )
    per_frame = tf.image.ssim(
        _frames(a) + 1.0,
        _frames(b) + 1.0,
        max_val=MAX_VAL,
        filter_size=filter_size,
        filter_sigma=filter_sigma,
    )
    return _reduce(per_frame, a, reduction)
