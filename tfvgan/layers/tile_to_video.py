"""`TileToVideo`: broadcasts a per-clip vector over every frame and pixel."""

from __future__ import annotations

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="tfvgan")
class TileToVideo(keras.layers.Layer):
    """Tiles a condition vector `(B, D)` to `(B, frames, size, size, D)`.

    This is the fix the founding article's cGAN snippet needs: it concatenates
    a `(N, 10)` condition onto `(N, 64, 64, 3)` images, which fails; the
    condition has to be tiled to `(N, 64, 64, 10)` first (here, per frame).

    Args:
        frames: number of frames; `None` tiles to `(B, size, size, D)` (images).
        size: frame height and width.

    Example:

    ```python
    TileToVideo(frames=16, size=64)(keras.ops.ones((2, 10)))  # (2, 16, 64, 64, 10)
    ```

    Reference:
        Mirza & Osindero 2014, "Conditional Generative Adversarial Nets",
        https://arxiv.org/abs/1411.1784
    """

    def __init__(self, frames: int | None, size: int, **kwargs):
        super().__init__(**kwargs)
        self.frames = frames
        self.size = size

    def call(self, vector):
        dim = vector.shape[-1]
        if self.frames is None:
            x = ops.reshape(vector, (-1, 1, 1, dim))
            return ops.tile(x, (1, self.size, self.size, 1))
        x = ops.reshape(vector, (-1, 1, 1, 1, dim))
        return ops.tile(x, (1, self.frames, self.size, self.size, 1))

    def compute_output_shape(self, input_shape):
        if self.frames is None:
            return (input_shape[0], self.size, self.size, input_shape[-1])
        return (input_shape[0], self.frames, self.size, self.size, input_shape[-1])

    def get_config(self):
        return {**super().get_config(), "frames": self.frames, "size": self.size}
