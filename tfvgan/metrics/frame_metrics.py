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


def _as_mask(mask: Any, video: tf.Tensor) -> tf.Tensor:
    """`mask` as float32 ``(B, T, H, W, 1)`` for `video`, or ValueError."""
    mask = tf.convert_to_tensor(mask, tf.float32)
    if mask.shape.rank == 4:
        mask = mask[..., None]
    if mask.shape != video.shape[:-1] + [1]:
        raise ValueError(
            f"expected a mask of shape {video.shape[:-1]} (or with a last axis "
            f"of 1) for videos of shape {video.shape}, got {mask.shape}"
        )
    return mask


def _masked_mean(per_frame: tf.Tensor, weight: tf.Tensor, video, reduction: str):
    """Mean of `per_frame` over the frames of positive `weight`, per video,
    then (``"mean"``) over the videos that have such frames."""
    shape = tf.shape(video)[:2]
    per_frame = tf.reshape(per_frame, shape)
    counted = tf.cast(tf.reshape(weight, shape) > 0, tf.float32)
    frames = tf.reduce_sum(counted, axis=1)
    if tf.executing_eagerly() and float(tf.reduce_sum(frames)) == 0:
        raise ValueError("expected a mask with some pixels to score, got none")
    per_video = tf.reduce_sum(
        tf.where(counted > 0, per_frame, 0.0), axis=1
    ) / tf.maximum(frames, 1.0)
    if reduction == "none":
        return per_video
    scored = tf.cast(frames > 0, tf.float32)
    return tf.reduce_sum(per_video * scored) / tf.reduce_sum(scored)


def masked_psnr(
    a: Any, b: Any, mask: Any, reduction: str = "mean", max_db: float = 100.0
) -> tf.Tensor:
    """PSNR (dB) of the pixels where `mask` is 1: inpainting's score.

    Per frame, ``10 log10(2^2 / MSE)`` over the masked pixels (and
    channels), capped at `max_db`; averaged over the frames with masked
    pixels, then over the videos.

    Args:
        a, b: videos ``(B, T, H, W, C)`` in ``[-1, 1]``.
        mask: ``(B, T, H, W)`` or ``(B, T, H, W, 1)``, 1 where scored.
        reduction: ``"mean"`` or ``"none"`` (per video).
        max_db: cap on each frame's PSNR (an exact frame is infinite).

    Returns:
        float32 tensor, scalar or ``(B,)``.

    Raises:
        ValueError: a mask of another shape, or (eagerly) an empty mask.

    Example:

    >>> x = tf.zeros([1, 2, 16, 16, 1])
    >>> m = tf.ones([1, 2, 16, 16])
    >>> round(float(masked_psnr(x, x + 0.1, m)), 2)
    26.02
    """
    _check_reduction(reduction)
    a, b = _as_video_pair(a, b)
    mask = _as_mask(mask, a)
    channels = tf.cast(tf.shape(a)[-1], tf.float32)
    weight = tf.reduce_sum(_frames(mask), axis=[1, 2, 3])
    error = tf.reduce_sum(_frames(tf.square(a - b) * mask), axis=[1, 2, 3])
    mse = error / tf.maximum(weight * channels, 1.0)
    per_frame = 10.0 * tf.math.log(MAX_VAL**2 / mse) / tf.math.log(10.0)
    per_frame = tf.minimum(per_frame, float(max_db))
    return _masked_mean(per_frame, weight, a, reduction)


def _gaussian_window(size: int, sigma: float) -> tf.Tensor:
    """`tf.image.ssim`'s normalized 2D Gaussian window ``(size, size)``."""
    coords = tf.range(size, dtype=tf.float32) - (size - 1) / 2.0
    g = tf.square(coords) * (-0.5 / sigma**2)
    g = tf.reshape(g, (1, -1)) + tf.reshape(g, (-1, 1))
    return tf.reshape(tf.nn.softmax(tf.reshape(g, (1, -1))), (size, size))


def masked_ssim(
    a: Any,
    b: Any,
    mask: Any,
    reduction: str = "mean",
    filter_size: int = 11,
    filter_sigma: float = 1.5,
) -> tf.Tensor:
    """SSIM of the pixels where `mask` is 1: inpainting's score.

    The SSIM map of `tf.image.ssim` (the same Gaussian window, constants and
    `[0, 2]` shift as `ssim`; one value per window that fits in the frame,
    averaged over channels) averaged over the windows centred on a masked
    pixel, per frame; then over the frames with such windows, and over the
    videos. With a mask of ones it equals `ssim`.

    Args:
        a, b: videos ``(B, T, H, W, C)`` in ``[-1, 1]``.
        mask: ``(B, T, H, W)`` or ``(B, T, H, W, 1)``, 1 where scored.
        reduction: ``"mean"`` or ``"none"`` (per video).
        filter_size, filter_sigma: the Gaussian window (an odd size).

    Returns:
        float32 tensor, scalar or ``(B,)``, in ``[-1, 1]``.

    Raises:
        ValueError: a mask of another shape, an even `filter_size`, frames
            smaller than the window,
            or (eagerly) no window centred on a masked pixel.
    """
    _check_reduction(reduction)
    a, b = _as_video_pair(a, b)
    mask = _as_mask(mask, a)
    height, width, channels = a.shape[2], a.shape[3], a.shape[4]
    if filter_size % 2 == 0:
        raise ValueError(
            f"expected an odd filter_size (a window centred on a pixel), got "
            f"{filter_size}"
        )
    if height < filter_size or width < filter_size:
        raise ValueError(
            f"expected frames of at least {filter_size}x{filter_size} for SSIM's "
            f"window, got {height}x{width}; pass a smaller filter_size"
        )
    window = _gaussian_window(filter_size, filter_sigma)
    kernel = tf.tile(window[:, :, None, None], (1, 1, channels, 1))

    def blur(x):
        return tf.nn.depthwise_conv2d(x, kernel, [1, 1, 1, 1], "VALID")

    x, y = _frames(a) + 1.0, _frames(b) + 1.0
    c1, c2 = (0.01 * MAX_VAL) ** 2, (0.03 * MAX_VAL) ** 2
    mean_x, mean_y = blur(x), blur(y)
    num0 = mean_x * mean_y * 2.0
    den0 = tf.square(mean_x) + tf.square(mean_y)
    luminance = (num0 + c1) / (den0 + c1)
    num1 = blur(x * y) * 2.0
    den1 = blur(tf.square(x) + tf.square(y))
    structure = (num1 - num0 + c2) / (den1 - den0 + c2)
    ssim_map = tf.reduce_mean(luminance * structure, axis=-1)
    r = filter_size // 2
    centres = _frames(mask)[:, r : height - r, r : width - r, 0]
    weight = tf.reduce_sum(centres, axis=[1, 2])
    per_frame = tf.reduce_sum(ssim_map * centres, axis=[1, 2]) / tf.maximum(
        weight, 1e-12
    )
    return _masked_mean(per_frame, weight, a, reduction)
