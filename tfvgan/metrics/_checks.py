"""Input checks and batching helpers shared by the metric modules."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from tfvgan.validation import check_int

VIDEO_LAYOUT = "(batch, frames, height, width, channels)"


def as_features(features: Any, name: str, min_samples: int = 2) -> np.ndarray:
    """Returns `features` as a float64 `(num_samples, dim)` array, or raises."""
    array = np.asarray(features, dtype=np.float64)
    if array.ndim != 2:
        raise ValueError(
            f"expected {name} of rank 2 (num_samples, feature_dim), got shape "
            f"{array.shape}"
        )
    if array.shape[0] < min_samples:
        raise ValueError(
            f"expected at least {min_samples} samples in {name}, got "
            f"{array.shape[0]} (shape {array.shape})"
        )
    if array.shape[1] < 1:
        raise ValueError(f"expected feature_dim >= 1 in {name}, got {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or inf values")
    return array


def check_same_dim(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str) -> None:
    if a.shape[-1] != b.shape[-1]:
        raise ValueError(
            f"feature dimensions differ: {name_a} has {a.shape[-1]} "
            f"(shape {a.shape}), {name_b} has {b.shape[-1]} (shape {b.shape})"
        )


def check_video_shape(shape: tuple, name: str = "videos") -> None:
    """Raises unless `shape` is a rank-5 video shape with 1 or 3 channels."""
    shape = tuple(shape)
    if len(shape) != 5:
        raise ValueError(f"expected {name} of rank 5 {VIDEO_LAYOUT}, got shape {shape}")
    if shape[-1] not in (1, 3, None):
        raise ValueError(
            f"expected {name} with 1 or 3 channels, got {shape[-1]} channels "
            f"(shape {shape})"
        )


def check_positive_int(value: Any, name: str) -> int:
    """`value` as an int, after `tfvgan.validation.check_int` (>= 1); a
    whole-number float (``8.0``) counts as its int."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    check_int(name, value)
    return int(value)


def batched_apply(
    fn: Callable[[Any], Any], videos: Any, batch_size: int | None
) -> np.ndarray:
    """Calls `fn` on consecutive slices of `videos`; concatenates the outputs.

    Args:
        fn: callable mapping a video batch to a `(batch, ...)` array or tensor.
        videos: array or tensor, first axis the batch.
        batch_size: slice length; `None` calls `fn` once on everything.

    Returns:
        float64 NumPy array, the outputs concatenated along axis 0.
    """
    num = int(videos.shape[0])
    if batch_size is None or num <= batch_size:
        return np.asarray(fn(videos), dtype=np.float64)
    check_positive_int(batch_size, "batch_size")
    outputs = [
        np.asarray(fn(videos[start : start + batch_size]), dtype=np.float64)
        for start in range(0, num, batch_size)
    ]
    return np.concatenate(outputs, axis=0)
