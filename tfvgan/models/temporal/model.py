"""`TemporalGAN`: TGAN, a temporal generator of per-frame latents."""

from __future__ import annotations

import keras

from tfvgan.models import critics, networks
from tfvgan.models.temporal.networks import (
    TemporalGenerator,
)
from tfvgan.models.temporal.presets import PRESETS
from tfvgan.models.video_gan import VideoGAN


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
        sv_clip: singular value clipping on the critic's kernels.
        spectral_norm, critic_norm, sync_bn, seed, **kwargs: shared by every
            variant (see `VideoGAN`).

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

    #: Named architectures (`presets.py` beside this module).
    presets = PRESETS

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
        discriminator = critics.VideoDiscriminator(
            frames,
            size,
            channels,
            width=d_width,
            spectral_norm=spectral_norm,
            critic_norm=critic_norm,
            sv_clip=sv_clip,
            sync_bn=sync_bn,
        )
        self._init_variant(TemporalGAN.__init__, locals(), generator, discriminator)
