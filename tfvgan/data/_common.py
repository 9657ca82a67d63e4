"""Pieces shared by the data sources: normalization and the pipeline tail."""

from __future__ import annotations

import tensorflow as tf

AUTOTUNE = tf.data.AUTOTUNE


def to_float(video: tf.Tensor) -> tf.Tensor:
    """uint8 ``[0, 255]`` -> float32 ``[-1, 1]`` (the library contract)."""
    return tf.cast(video, tf.float32) / 127.5 - 1.0


def check_positive_int(name: str, value, allow_none: bool = False) -> None:
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        expected = "a positive int or None" if allow_none else "a positive int"
        raise ValueError(f"expected {name} {expected}, got {value!r}")


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
