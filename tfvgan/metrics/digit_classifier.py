"""An offline video classifier for the built-in moving-digits data.

It gives FVD/KVD-style numbers (through its penultimate features), an
Inception-Score-style number and the conditional accuracy of class-conditional
generators without downloading anything: it is trained once, on synthetic
clips, and cached as a `.keras` file.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

import keras
import numpy as np

from tfvgan.metrics._checks import (
    batched_apply,
    check_positive_int,
    check_video_shape,
)

# Bump when the architecture or training recipe changes, so stale cache files
# are not picked up.
_CACHE_VERSION = 2  # 2: seeded shuffling order (reproducible training)
FEATURE_LAYER = "features"


def default_cache_dir() -> str:
    """Folder of cached extractors: `$TFVGAN_CACHE_DIR/extractors`.

    Without `TFVGAN_CACHE_DIR` the base is `~/.cache/tfvgan`.
    """
    base = os.environ.get("TFVGAN_CACHE_DIR") or os.path.join(
        os.path.expanduser("~"), ".cache", "tfvgan"
    )
    return os.path.join(base, "extractors")


def _to_float_videos(videos: Any) -> np.ndarray:
    """uint8 `[0, 255]` or float `[-1, 1]` videos -> float32 `[-1, 1]`."""
    videos = np.asarray(videos)
    check_video_shape(videos.shape, "videos")
    if videos.dtype == np.uint8:
        return videos.astype(np.float32) / 127.5 - 1.0
    return videos.astype(np.float32)


def build_digit_classifier(
    frames: int,
    size: int | tuple[int, int],
    channels: int = 1,
    num_classes: int = 10,
    filters: Sequence[int] = (16, 32, 64),
    feature_dim: int = 128,
    seed: int | None = 0,
    name: str = "digit_classifier",
) -> keras.Model:
    """A small 3D-conv video classifier: Conv3D stack, pooling, two Dense.

    Each Conv3D halves height and width; global average pooling makes the
    features translation invariant, which suits moving digits. The Dense
    layer named `"features"` is the penultimate layer used by
    `DigitFeatures`; the model outputs logits.

    Args:
        frames: clip length.
        size: frame size, an int (square) or `(height, width)`.
        channels: 1 or 3.
        num_classes: number of output logits.
        filters: filters of the successive Conv3D layers.
        feature_dim: width of the penultimate (feature) layer.
        seed: seed of the weight initialisers; `None` for unseeded.
        name: model name.

    Returns:
        A functional `keras.Model` mapping
        `(batch, frames, height, width, channels)` in `[-1, 1]` to logits
        `(batch, num_classes)`.

    Example:

    >>> model = build_digit_classifier(frames=8, size=32, channels=1)
    """
    height, width = (size, size) if isinstance(size, int) else tuple(size)
    check_positive_int(frames, "frames")
    check_positive_int(height, "height")
    check_positive_int(width, "width")
    check_positive_int(num_classes, "num_classes")
    check_positive_int(feature_dim, "feature_dim")
    if channels not in (1, 3):
        raise ValueError(f"expected channels 1 or 3, got {channels!r}")
    if not filters:
        raise ValueError(f"expected at least one Conv3D filter count, got {filters!r}")

    def init(offset: int) -> keras.initializers.Initializer:
        return keras.initializers.GlorotUniform(
            seed=None if seed is None else seed + offset
        )

    inputs = keras.Input((frames, height, width, channels), name="videos")
    x = inputs
    for i, count in enumerate(filters):
        x = keras.layers.Conv3D(
            count,
            3,
            strides=(1, 2, 2),
            padding="same",
            activation="relu",
            kernel_initializer=init(i),
            name=f"conv{i}",
        )(x)
    x = keras.layers.GlobalAveragePooling3D(name="pool")(x)
    features = keras.layers.Dense(
        feature_dim,
        activation="relu",
        kernel_initializer=init(len(filters)),
        name=FEATURE_LAYER,
    )(x)
    logits = keras.layers.Dense(
        num_classes, kernel_initializer=init(len(filters) + 1), name="logits"
    )(features)
    return keras.Model(inputs, logits, name=name)


def _targets(labels: Any, num_videos: int, num_classes: int) -> tuple[np.ndarray, bool]:
    """Class ids `(N,)` -> sparse targets; `(N, k)` digit ids -> multi-hot."""
    labels = np.asarray(labels)
    if labels.ndim == 2 and labels.shape[1] == 1:
        labels = labels[:, 0]
    if labels.shape[:1] != (num_videos,) or labels.ndim not in (1, 2):
        raise ValueError(
            f"expected labels of shape ({num_videos},) or ({num_videos}, "
            f"num_digits) to match {num_videos} videos, got {labels.shape}"
        )
    if not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"expected integer class labels, got dtype {labels.dtype}")
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(
            f"expected labels in [0, {num_classes}), got values in "
            f"[{labels.min()}, {labels.max()}]"
        )
    if labels.ndim == 1:
        return labels.astype(np.int32), False
    multi_hot = np.zeros((num_videos, num_classes), dtype=np.float32)
    np.put_along_axis(multi_hot, labels.astype(np.int64), 1.0, axis=1)
    return multi_hot, True


def train_digit_classifier(
    videos: Any,
    labels: Any,
    num_classes: int = 10,
    epochs: int = 15,
    batch_size: int = 32,
    learning_rate: float = 2e-3,
    seed: int | None = 0,
    verbose: int = 0,
    **build_kwargs: Any,
) -> keras.Model:
    """Builds and trains `build_digit_classifier` on labelled clips.

    Args:
        videos: `(N, frames, height, width, channels)`, uint8 in `[0, 255]`
            or float in `[-1, 1]`.
        labels: class ids `(N,)` or `(N, 1)` (softmax classifier), or digit
            ids `(N, num_digits)` for clips holding several digits
            (multi-label, sigmoid loss on multi-hot targets).
        num_classes: number of classes.
        epochs: training epochs.
        batch_size: training batch size.
        learning_rate: Adam learning rate.
        seed: seed of the initialisers and of the shuffling order: the same
            seed and data give the same classifier (up to float rounding).
        verbose: Keras `fit` verbosity.
        **build_kwargs: passed to `build_digit_classifier` (`filters`,
            `feature_dim`, `name`).

    Returns:
        The trained `keras.Model` (outputs logits).

    Example:

    ```python
    videos, labels, _ = tfvgan.data.moving_digits_arrays(
        num_videos=2000, frames=16, size=64
    )
    model = train_digit_classifier(videos, labels[:, 0], epochs=15)
    ```
    """
    import tensorflow as tf

    videos = _to_float_videos(videos)
    targets, multi_label = _targets(labels, videos.shape[0], num_classes)
    model = build_digit_classifier(
        frames=videos.shape[1],
        size=videos.shape[2:4],
        channels=videos.shape[4],
        num_classes=num_classes,
        seed=seed,
        **build_kwargs,
    )
    if multi_label:
        loss = keras.losses.BinaryCrossentropy(from_logits=True)
        metrics = [keras.metrics.BinaryAccuracy(threshold=0.0)]
    else:
        loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
        metrics = [keras.metrics.SparseCategoricalAccuracy()]
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate), loss=loss, metrics=metrics
    )
    # The shuffling order comes from `seed` alone. Keras' own (`shuffle=True`
    # on arrays) follows the global random state, so two trainings with one
    # seed gave classifiers scoring the same real clips 7.3 and 9.0 (digit
    # IS), and cached classifiers differed from one machine to another.
    epochs = check_positive_int(epochs, "epochs")
    batch_size = check_positive_int(batch_size, "batch_size")
    n = len(videos)
    rng = np.random.default_rng(seed)
    orders = np.stack([rng.permutation(n) for _ in range(epochs)])
    arrays = (tf.constant(videos), tf.constant(targets))
    dataset = (
        tf.data.Dataset.from_tensor_slices(orders)
        .flat_map(lambda o: tf.data.Dataset.from_tensor_slices(o).batch(batch_size))
        .map(lambda idx: tuple(tf.gather(a, idx) for a in arrays))
    )
    model.fit(
        dataset,
        epochs=epochs,
        steps_per_epoch=-(-n // batch_size),
        verbose=verbose,
    )
    return model


class DigitFeatures:
    """Penultimate-layer features of a trained digit classifier.

    A feature extractor (video batch -> `(B, D)`) for `FrechetVideoDistance`
    and `KernelVideoDistance` that needs no download. Its numbers are only
    comparable with numbers from the same classifier file.

    Args:
        model: a model from `build_digit_classifier` /
            `train_digit_classifier` (or loaded from its `.keras` file).
        batch_size: clips per forward pass.
        layer_name: the layer whose output is the feature.

    Example:

    ```python
    extractor = DigitFeatures(train_digit_classifier(videos, labels))
    features = extractor(generated)  # (B, 128)
    ```
    """

    def __init__(
        self, model: keras.Model, batch_size: int = 64, layer_name: str = FEATURE_LAYER
    ):
        self.model = model
        self.batch_size = check_positive_int(batch_size, "batch_size")
        self.layer_name = layer_name
        try:
            layer = model.get_layer(layer_name)
        except ValueError as error:
            names = [layer.name for layer in model.layers]
            raise ValueError(
                f"model {model.name!r} has no layer {layer_name!r}; layers: {names}"
            ) from error
        inputs = model.inputs[0] if len(model.inputs) == 1 else model.inputs
        self.feature_model = keras.Model(inputs, layer.output)

    @property
    def input_shape(self) -> tuple:
        """`(frames, height, width, channels)` the classifier expects."""
        return tuple(self.model.inputs[0].shape[1:])

    def _check(self, videos: np.ndarray) -> None:
        if tuple(videos.shape[1:]) != self.input_shape:
            raise ValueError(
                f"expected videos of shape (batch, {', '.join(map(str, self.input_shape))}) "
                f"for this classifier, got {videos.shape}"
            )

    def __call__(self, videos: Any) -> np.ndarray:
        """Features `(batch, feature_dim)` of videos in `[-1, 1]` (or uint8)."""
        videos = _to_float_videos(videos)
        self._check(videos)
        return batched_apply(
            lambda b: self.feature_model(b, training=False), videos, self.batch_size
        )

    def logits(self, videos: Any) -> np.ndarray:
        """Class logits `(batch, num_classes)`, e.g. for `conditional_accuracy`."""
        videos = _to_float_videos(videos)
        self._check(videos)
        return batched_apply(
            lambda b: self.model(b, training=False), videos, self.batch_size
        )


def load_digit_extractor(
    cache_dir: str | os.PathLike | None = None,
    frames: int = 16,
    size: int = 64,
    channels: int = 1,
    num_classes: int = 10,
    num_videos: int = 2000,
    epochs: int = 15,
    seed: int = 0,
    glyph_size: int | None = None,
    retrain: bool = False,
    data_fn: Callable[..., tuple[Any, Any, Any]] | None = None,
    verbose: int = 0,
) -> DigitFeatures:
    """The cached offline extractor for moving digits; trains it on first use.

    Looks for `digit_classifier_v2_t{frames}_s{size}_c{channels}_k{num_classes}
    _n{num_videos}_e{epochs}_seed{seed}.keras` (with `_g{glyph_size}` before
    `.keras` when a glyph size is given) in `cache_dir`; if absent (or
    `retrain`), generates `num_videos` clips with
    `tfvgan.data.moving_digits_arrays(num_videos, frames, size, channels,
    seed)` (one digit per clip), trains `train_digit_classifier` on them and saves the model
    there. Nothing is downloaded.

    Args:
        cache_dir: folder of cached extractors; `None` means
            `$TFVGAN_CACHE_DIR/extractors`, or `~/.cache/tfvgan/extractors`.
        frames: clip length of the videos to evaluate.
        size: frame size of the videos to evaluate.
        channels: 1 or 3.
        num_classes: number of digit classes.
        num_videos: training clips.
        epochs: training epochs.
        seed: data and initialiser seed.
        glyph_size: digit size of the training clips (the ``glyph_size`` of
            `tfvgan.data.moving_digits`); None means that function's default
            (half the frame size). Score clips with a classifier trained on
            the same glyph size as the data: one trained on another size
            sees fewer digits in real clips.
        retrain: train (and overwrite the cache) even if a file exists.
        data_fn: replacement for `tfvgan.data.moving_digits_arrays`, called
            with keywords `num_videos, frames, size, channels, seed`; returns
            `(videos, labels, captions)`.
        verbose: Keras `fit` verbosity.

    Returns:
        A `DigitFeatures` over the cached classifier.

    Example:

    ```python
    extractor = tfvgan.metrics.load_digit_extractor(frames=16, size=64)
    fvd = tfvgan.metrics.FrechetVideoDistance(extractor)
    ```
    """
    cache_dir = os.path.expanduser(
        os.fspath(cache_dir) if cache_dir is not None else default_cache_dir()
    )
    filename = (
        f"digit_classifier_v{_CACHE_VERSION}_t{frames}_s{size}_c{channels}"
        f"_k{num_classes}_n{num_videos}_e{epochs}_seed{seed}"
        f"{'' if glyph_size is None else f'_g{glyph_size}'}.keras"
    )
    path = os.path.join(cache_dir, filename)
    if os.path.isfile(path) and not retrain:
        # Safe mode: a cache file is data, never code to run.
        return DigitFeatures(keras.saving.load_model(path, safe_mode=True))
    if data_fn is None:
        from tfvgan.data import moving_digits_arrays as data_fn
    # Keywords: moving_digits_arrays has num_digits between size and channels.
    extra = {} if glyph_size is None else {"glyph_size": glyph_size}
    videos, labels, _ = data_fn(
        num_videos=num_videos,
        frames=frames,
        size=size,
        channels=channels,
        seed=seed,
        **extra,
    )
    model = train_digit_classifier(
        videos,
        labels,
        num_classes=num_classes,
        epochs=epochs,
        seed=seed,
        verbose=verbose,
    )
    os.makedirs(cache_dir, exist_ok=True)
    # Write then rename, so an interrupted save never leaves a corrupt cache.
    tmp_path = os.path.join(cache_dir, f".tmp-{os.getpid()}-{filename}")
    model.save(tmp_path)
    os.replace(tmp_path, path)
    return DigitFeatures(model)
