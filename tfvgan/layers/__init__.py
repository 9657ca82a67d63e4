"""Keras layers and constraints used by the tfvgan models."""

from tfvgan.layers.activations import leaky_relu
from tfvgan.layers.condition_encoders import ImageEncoder, LabelEncoder, TextEncoder
from tfvgan.layers.conv_transpose import (
    PatchGradConv2DTranspose,
    PatchGradConv3DTranspose,
)
from tfvgan.layers.fused_batch_norm import FusedBatchNormalization
from tfvgan.layers.singular_value_clip import SingularValueClip
from tfvgan.layers.tile_to_video import TileToVideo
from tfvgan.layers.video_conv import VideoConv3D

__all__ = [
    "FusedBatchNormalization",
    "ImageEncoder",
    "LabelEncoder",
    "PatchGradConv2DTranspose",
    "PatchGradConv3DTranspose",
    "SingularValueClip",
    "TextEncoder",
    "TileToVideo",
    "VideoConv3D",
    "leaky_relu",
]
