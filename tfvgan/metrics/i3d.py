"""Kinetics-400 I3D features for the standard FVD, from a user-supplied model."""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import tensorflow as tf

from tfvgan.metrics._checks import check_positive_int, check_video_shape

I3D_DOWNLOAD_HELP = (
    "tfvgan never downloads model weights: download the Kinetics-400 I3D "
    "model yourself from https://www.kaggle.com/models/deepmind/i3d-kinetics "
    "(formerly https://tfhub.dev/deepmind/i3d-kinetics-400/1), unpack the "
    "archive and pass its folder (the one holding saved_model.pb)"
)


def preprocess_for_i3d(videos: Any, size: int = 224) -> tf.Tensor:
    """The standard FVD preprocessing of a video batch for I3D.

    Each frame is resized bilinearly to `size x size` as the reference FVD
    code does (TF1 `tf.image.resize_bilinear`: ``align_corners=False``,
    ``half_pixel_centers=False``, so output pixel ``i`` samples input
    coordinate ``i * in / out``, not the half-pixel-centred
    ``(i + 0.5) * in / out - 0.5`` of `tf.image.resize`), values end in
    `[-1, 1]`, and grayscale clips are tiled to 3 channels. FVD numbers then
    compare with published ones.

    Args:
        videos: `(batch, frames, height, width, channels)`, float in `[-1, 1]`
            (the tfvgan contract) or uint8 in `[0, 255]` (scaled as
            `2 x / 255 - 1`, like the reference FVD code); 1 or 3 channels.
        size: output height and width.

    Returns:
        float32 tensor `(batch, frames, size, size, 3)` in `[-1, 1]`.

    Example:

    >>> x = preprocess_for_i3d(tf.zeros([2, 16, 64, 64, 1]))  # (2, 16, 224, 224, 3)

    Reference:
        Unterthiner et al. 2018, https://arxiv.org/abs/1812.01717 (FVD), and
        its code, google-research/frechet_video_distance (``preprocess``).
    """
    videos = tf.convert_to_tensor(videos)
    check_video_shape(videos.shape, "videos")
    if videos.dtype == tf.uint8:
        videos = tf.cast(videos, tf.float32) * (2.0 / 255.0) - 1.0
    else:
        videos = tf.cast(videos, tf.float32)
    shape = tf.shape(videos)
    frames = tf.reshape(videos, tf.concat([[-1], shape[2:]], axis=0))
    # TF1 resize_bilinear, as in the reference FVD implementation. Resizing
    # is linear, so scaling to [-1, 1] before or after it is the same.
    frames = tf.raw_ops.ResizeBilinear(
        images=frames,
        size=tf.constant([size, size], tf.int32),
        align_corners=False,
        half_pixel_centers=False,
    )
    videos = tf.reshape(frames, tf.stack([shape[0], shape[1], size, size, shape[4]]))
    if videos.shape[-1] == 1:
        videos = tf.tile(videos, [1, 1, 1, 1, 3])
    return tf.clip_by_value(videos, -1.0, 1.0)


class I3DFeatures:
    """Kinetics-400 I3D logits as video features: the extractor of the real FVD.

    Loads an I3D SavedModel the user has downloaded (Kaggle / TF-Hub
    `deepmind/i3d-kinetics-400`) with `tf.saved_model.load`; tfvgan never
    downloads it. Calling the extractor applies the standard FVD
    preprocessing (`preprocess_for_i3d`), runs the model in batches of
    `batch_size` and returns the 400-d logits.

    The model is called through its `default` or `serving_default`
    signature when it has one, else as a callable; a dict output is reduced
    to its `(batch, 400)` entry (or to `output_key`).

    Args:
        path: folder of the I3D SavedModel.
        batch_size: clips per model call (16 in the reference FVD code).
        output_key: key of the features in a dict output; `None` picks the
            only entry with `feature_dim` features.
        feature_dim: expected feature size (400 Kinetics logits).
        tags: MetaGraph tags passed to `tf.saved_model.load`; TF1 Hub-format
            exports with several MetaGraphs may need `tags=[]`.

    Example:

    ```python
    i3d = tfvgan.metrics.I3DFeatures("~/models/i3d-kinetics-400")
    fvd = tfvgan.metrics.FrechetVideoDistance(i3d)
    ```

    Reference:
        Carreira & Zisserman 2017, https://arxiv.org/abs/1705.07750 (I3D);
        Unterthiner et al. 2018, https://arxiv.org/abs/1812.01717 (FVD).
    """

    def __init__(
        self,
        path: str | os.PathLike,
        batch_size: int = 16,
        output_key: str | None = None,
        feature_dim: int = 400,
        tags: list[str] | None = None,
    ):
        self.path = os.path.expanduser(os.fspath(path))
        self.batch_size = check_positive_int(batch_size, "batch_size")
        self.output_key = output_key
        self.feature_dim = check_positive_int(feature_dim, "feature_dim")
        self.tags = tags
        if not os.path.isfile(os.path.join(self.path, "saved_model.pb")):
            what = "folder" if os.path.isdir(self.path) else "path"
            raise FileNotFoundError(
                f"no I3D SavedModel at {self.path!r} (this {what} has no "
                f"saved_model.pb). {I3D_DOWNLOAD_HELP}"
            )
        self._model = tf.saved_model.load(self.path, tags=tags)
        self._fn, self._input_name = self._resolve_function(self._model)

    @staticmethod
    def _resolve_function(model: Any) -> tuple[Any, str | None]:
        signatures = getattr(model, "signatures", None) or {}
        for key in ("default", "serving_default"):
            if key in signatures:
                fn = signatures[key]
                kwargs_spec = fn.structured_input_signature[1]
                name = next(iter(kwargs_spec)) if len(kwargs_spec) == 1 else None
                return fn, name
        if callable(model):
            return model, None
        raise ValueError(
            "the I3D SavedModel has no 'default' or 'serving_default' signature "
            f"(signatures: {sorted(signatures)}) and is not callable"
        )

    def _select_output(self, outputs: Any) -> tf.Tensor:
        if not isinstance(outputs, dict):
            return outputs
        described = {k: tuple(v.shape) for k, v in outputs.items()}
        if self.output_key is not None:
            if self.output_key not in outputs:
                raise KeyError(
                    f"output_key {self.output_key!r} not in the model outputs "
                    f"{described}"
                )
            return outputs[self.output_key]
        matches = [
            k
            for k, v in outputs.items()
            if v.shape.rank == 2 and v.shape[-1] == self.feature_dim
        ]
        if len(matches) == 1:
            return outputs[matches[0]]
        for preferred in ("default", "logits"):
            if preferred in matches:
                return outputs[preferred]
        raise ValueError(
            f"cannot tell which model output holds the {self.feature_dim}-d "
            f"features among {described}; pass output_key=..."
        )

    def _call_model(self, batch: tf.Tensor) -> np.ndarray:
        if self._input_name is not None:
            outputs = self._fn(**{self._input_name: batch})
        else:
            outputs = self._fn(batch)
        features = np.asarray(self._select_output(outputs), dtype=np.float64)
        if features.ndim != 2 or features.shape[-1] != self.feature_dim:
            raise ValueError(
                f"expected I3D features of shape ({batch.shape[0]}, "
                f"{self.feature_dim}), got {features.shape}"
            )
        return features

    def __call__(self, videos: Any) -> np.ndarray:
        """Features of a video batch.

        Args:
            videos: `(batch, frames, height, width, channels)`, float in
                `[-1, 1]` or uint8, any spatial size, 1 or 3 channels.

        Returns:
            float64 array `(batch, feature_dim)`.
        """
        videos = tf.convert_to_tensor(videos)
        check_video_shape(videos.shape, "videos")
        outputs = []
        for start in range(0, int(videos.shape[0]), self.batch_size):
            batch = preprocess_for_i3d(videos[start : start + self.batch_size])
            outputs.append(self._call_model(batch))
        if not outputs:
            return np.zeros((0, self.feature_dim), dtype=np.float64)
        return np.concatenate(outputs, axis=0)
