"""MoCoGAN: recurrent motion codes over a fixed content code.

`RecurrentGAN` (`model`), its generator (`networks`), its critics
(`critics`) and its presets
(`presets`: `RecurrentGAN.from_preset`).
"""

from tfvgan.models.recurrent.model import RecurrentGAN
from tfvgan.models.recurrent.presets import PRESETS

__all__ = ["PRESETS", "RecurrentGAN"]
