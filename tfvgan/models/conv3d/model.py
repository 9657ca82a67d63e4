"""`Conv3DGAN`: VGAN, a two-stream 3D-convolution video GAN."""

from __future__ import annotations

import keras

from tfvgan.models import critics, networks
from tfvgan.models.conv3d.presets import PRESETS
from tfvgan.models.video_gan import VideoGAN


@keras.saving.register_keras_serializable(package="tfvgan")
class Conv3DGAN(VideoGAN):
    """3D-convolution GAN (VGAN): space and time modelled together.

    The generator has two streams: 3D transposed convolutions produce a moving
    foreground and a sigmoid mask, 2D transposed convolutions a static
    background; the clip is ``m * fg + (1 - m) * bg``, with an L1 sparsity
    prior on the mask (`mask_l1`, reported as the `g_reg` metric). A 3D-conv
    discriminator judges the clip. `two_stream=False` gives a plain 3D-conv
    generator.

    Args:
        frames: frames per clip (32 in the paper).
        size: frame size, one of 16, 32, 64, 128, 256 (64 in the paper).
        channels: 1 or 3.
        latent_dim: size of `z` (100 in the paper).
        width: generator width multiplier (64 = the paper's widths).
        d_width: discriminator width (64 = the paper's).
        two_stream: foreground/mask/background generator (VGAN) or plain 3D.
        mask_l1: weight of the mask's L1 sparsity term.
        spectral_norm, critic_norm, sync_bn, seed, **kwargs: shared by every
            variant (see `VideoGAN`).

    Example:

    ```python
    gan = tfvgan.models.Conv3DGAN(frames=16, size=32, channels=1, width=16)
    gan.compile()
    gan.generate(2).shape  # (2, 16, 32, 32, 1)
    ```

    Reference:
        Vondrick et al. 2016, "Generating Videos with Scene Dynamics",
        https://arxiv.org/abs/1609.02612
    """

    #: Named architectures (`presets.py` beside this module).
    presets = PRESETS

    def __init__(
        self,
        frames: int = 32,
        size: int = 64,
        channels: int = 3,
        latent_dim: int = 100,
        width: int = 64,
        d_width: int = 64,
        two_stream: bool = True,
        mask_l1: float = 0.1,
        spectral_norm: bool = False,
        critic_norm: str = "batch",
        sync_bn: bool = False,
        seed: int | None = None,
        **kwargs,
    ):
        networks.check_shape(frames, size, channels)
        networks.check_flags(
            two_stream=two_stream, spectral_norm=spectral_norm, sync_bn=sync_bn
        )
        generator = networks.VideoGenerator3D(
            frames,
            size,
            channels,
            width=width,
            two_stream=two_stream,
            mask_l1=mask_l1 if two_stream else 0.0,
            sync_bn=sync_bn,
        )
        discriminator = critics.VideoDiscriminator(
            frames,
            size,
            channels,
            width=d_width,
            spectral_norm=spectral_norm,
            critic_norm=critic_norm,
            sync_bn=sync_bn,
        )
        self._init_variant(Conv3DGAN.__init__, locals(), generator, discriminator)

    def regularizer_names(self):
        return ("g_reg",) if self.two_stream and self.mask_l1 else ()
