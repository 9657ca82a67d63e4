"""TGAN: a temporal generator of per-frame latents.

`TemporalGAN` (`model`), its networks (`networks`) and its presets
(`presets`: `TemporalGAN.from_preset`).
"""

from tfvgan.models.temporal.model import TemporalGAN
from tfvgan.models.temporal.presets import PRESETS

__all__ = ["PRESETS", "TemporalGAN"]
