"""`TemporalGAN`: TGAN, a temporal generator of per-frame latents."""

from __future__ import annotations

import keras
from keras import ops

from tfvgan.models import networks
from tfvgan.models.video_gan import VideoGAN


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
            latent_dim=latent_dim,
            frames=frames,
            size=size,
            channels=channels,
            width=width,
            sync_bn=sync_bn,
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


@keras.saving.register_keras_serializable(package="tfvgan")
class TemporalGAN(VideoGAN):
    """Temporal GAN (TGAN): per-frame latents from a temporal generator.

    A temporal generator of 1D transposed convolutions turns one latent into
    `frames` per-frame latents; an image generator renders each frame from
    `[z, z_t]`; a 3D-conv video discriminator judges the clip. TGAN's
    singular value clipping (`sv_clip=True`) or spectral normalization
    (`spectral_norm=True`) keep the critic Lipschitz.

    Args:
        frames: frames per clip (16 in the paper).
        size: frame size, one of 16, 32, 64, 128, 256 (64 in the paper).
        channels: 1 or 3.
        latent_dim: size of `z` (100 in the paper).
        width: generator width multiplier (64 = the paper's widths).
        d_width: discriminator width (64 = the paper's).
        spectral_norm: spectral normalization on the critic's convolutions.
        critic_norm: the critics' normalization, one of `networks.CRITIC_NORMS`:
            "batch" (the papers'), "layer" (per-clip; for gradient penalties,
            as WGAN-GP) or "none".
        sv_clip: singular value clipping on the critic's kernels.
        sync_bn: synchronized batch norm under `tf.distribute`.
        seed: seed of the model's random stream.
        **kwargs: passed to `VideoGAN` / `keras.Model`.

    Example:

    ```python
    gan = tfvgan.models.TemporalGAN.from_preset("paper")
    gan.compile(loss="wasserstein", gp_weight=10.0)
    # gan.video_shape == (16, 64, 64, 3)
    ```

    Reference:
        Saito et al. 2017, "Temporal Generative Adversarial Nets with Singular
        Value Clipping", https://arxiv.org/abs/1611.06624
    """

    preset_family = "temporal"

    def __init__(
        self,
        frames: int = 16,
        size: int = 64,
        channels: int = 3,
        latent_dim: int = 100,
        width: int = 64,
        d_width: int = 64,
        spectral_norm: bool = False,
        critic_norm: str = "batch",
        sv_clip: bool = False,
        sync_bn: bool = False,
        seed: int | None = None,
        **kwargs,
    ):
        networks.check_shape(frames, size, channels)
        networks.check_flags(
            spectral_norm=spectral_norm, sv_clip=sv_clip, sync_bn=sync_bn
        )
        generator = TemporalGenerator(
            latent_dim, frames, size, channels, width=width, sync_bn=sync_bn
        )
        discriminator = networks.VideoDiscriminator(
            frames,
            size,
            channels,
            width=d_width,
            spectral_norm=spectral_norm,
            critic_norm=critic_norm,
            sv_clip=sv_clip,
            sync_bn=sync_bn,
        )
        super().__init__(
            generator=generator,
            discriminator=discriminator,
            latent_dim=latent_dim,
            frames=frames,
            size=size,
            channels=channels,
            seed=seed,
            **kwargs,
        )
        self._keep_config(
            frames=frames,
            size=size,
            channels=channels,
            latent_dim=latent_dim,
            width=width,
            d_width=d_width,
            spectral_norm=spectral_norm,
            critic_norm=critic_norm,
            sv_clip=sv_clip,
            sync_bn=sync_bn,
            seed=seed,
        )
