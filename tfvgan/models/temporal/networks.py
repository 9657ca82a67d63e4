"""The networks of `TemporalGAN`: a temporal generator of per-frame latents."""

from __future__ import annotations

import keras
from keras import ops

from tfvgan.models import networks


@keras.saving.register_keras_serializable(package="tfvgan")
class TemporalGenerator(networks._Network):
    """TGAN generator: 1D transposed convs turn `z` into `T` frame latents.

    The slow latent `z` and each fast latent `z_t` are projected and rendered
    by one image generator per frame.

    Args:
        latent_dim: size of `z` and of each `z_t` (100 in the paper).
        frames, size, channels: clip shape.
        width: width multiplier (64 = the paper's widths).
        sync_bn: synchronized batch norm across replicas.
        **kwargs: `name`, `trainable`, `dtype`, passed to `keras.Model`.

    Example:

    ```python
    g = TemporalGenerator(latent_dim=8, frames=4, size=16, channels=1, width=8)
    g(keras.random.normal((2, 8)))  # (2, 4, 16, 16, 1)
    ```

    Reference:
        Saito et al. 2017, https://arxiv.org/abs/1611.06624
    """

    def __init__(
        self,
        latent_dim: int,
        frames: int,
        size: int,
        channels: int,
        width: int = 64,
        sync_bn: bool = False,
        **kwargs,
    ):
        super().__init__(
            **networks.constructor_arguments(TemporalGenerator.__init__, locals()),
            **kwargs,
        )
        self.latent_dim = latent_dim
        self.frames = frames
        self.size = size
        self.channels = channels
        t_start, strides = networks.temporal_plan(frames, 4)
        ups = strides.count(2)
        # Paper widths at width=64: 512 -> 256 -> 128 -> 128 -> latent_dim.
        hidden = [4 * width, 2 * width, 2 * width][: max(ups - 1, 0)]
        self.stem = (
            keras.layers.Conv1DTranspose(8 * width, t_start, use_bias=False),
            networks.batch_norm(sync_bn),
        )
        self.temporal = [
            (
                keras.layers.Conv1DTranspose(c, 4, 2, padding="same", use_bias=False),
                networks.batch_norm(sync_bn),
            )
            for c in hidden
        ]
        self.temporal_out = keras.layers.Conv1DTranspose(
            latent_dim, 4, 2 if ups else 1, padding="same", activation="tanh"
        )
        self.frame_generator = networks.FrameGenerator(
            size, channels, width=width, fc_split=latent_dim, sync_bn=sync_bn
        )

    def call(self, noise, training=False):
        h = ops.expand_dims(noise, 1)  # (B, 1, Z)
        h = networks.run_stages([self.stem, *self.temporal], h, ops.relu, training)
        z_fast = self.temporal_out(h)  # (B, T, Z)
        z_slow = ops.repeat(ops.expand_dims(noise, 1), self.frames, axis=1)
        codes = ops.reshape(
            ops.concatenate([z_slow, z_fast], axis=-1), (-1, 2 * self.latent_dim)
        )
        frames = self.frame_generator(codes, training=training)
        return ops.reshape(
            frames, (-1, self.frames, self.size, self.size, self.channels)
        )
