"""VGAN: a two-stream 3D-convolution video GAN.

`Conv3DGAN` (`model`), its networks (`networks`) and its presets
(`presets`: `Conv3DGAN.from_preset`).
"""

from tfvgan.models.conv3d.model import Conv3DGAN
from tfvgan.models.conv3d.presets import PRESETS

__all__ = ["PRESETS", "Conv3DGAN"]
