"""The conditional GAN (cGAN): G(z, c) and D(x, c) for video.

`ConditionalGAN` (`model`), its networks (`networks`) and its presets
(`presets`: `ConditionalGAN.from_preset`).
"""

from tfvgan.models.conditional.model import ConditionalGAN
from tfvgan.models.conditional.presets import PRESETS

__all__ = ["PRESETS", "ConditionalGAN"]
