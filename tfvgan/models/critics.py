"""The critics shared by the tfvgan variants, and their stages.

Every critic takes the options `critic_stages` reads (``spectral_norm``,
``critic_norm``, ``sync_bn``); its depth follows from the clip shape as the
generators' does (`tfvgan.models.networks`).
"""

from __future__ import annotations

import keras
import tensorflow as tf
from keras import ops

from tfvgan.layers import SingularValueClip, VideoConv3D
from tfvgan.layers import leaky_relu as _leaky_relu
from tfvgan.models.networks import (
    _Network,
    batch_norm,
    constructor_arguments,
    num_stages,
    run_stages,
    temporal_plan,
)
from tfvgan.validation import check_choice

__all__ = [
    "CRITIC_NORMS",
    "ImageDiscriminator",
    "PatchVideoDiscriminator",
    "VideoDiscriminator",
    "critic_stages",
]

_SPACE_PAD = ((0, 0), (0, 0), (1, 1), (1, 1), (0, 0))  # (N, T, H, W, C)


def _maybe_sn(layer, spectral_norm: bool):
    return keras.layers.SpectralNormalization(layer) if spectral_norm else layer


#: Normalizations a critic's stages can use (`critic_norm=`): "batch" (the
#: papers'), "layer" (per clip; for gradient penalties, as WGAN-GP) or "none".
CRITIC_NORMS = ("batch", "layer", "none")


def critic_stages(
    count: int, make_conv, spectral_norm: bool, sync_bn: bool, norm: str = "batch"
) -> list:
    """`(conv, norm)` stages of a critic, conv `i` from `make_conv(i, use_bias)`.

    Every critic takes the three options this reads: ``spectral_norm``
    (wrap each convolution in spectral normalization), ``sync_bn`` (batch
    norm synchronized across the replicas of a `tf.distribute` strategy)
    and ``critic_norm`` (`norm` here, one of `CRITIC_NORMS`).

    `use_bias` is decided here, with the norm: a bias on the first stage
    and wherever ``norm="none"`` (batch and layer norm add their own offset).

    `norm` is ``"batch"`` (batch norm, the papers'), ``"layer"`` (each clip
    or frame normalized over all its positions and channels, with a scale
    and offset per channel: `keras.layers.GroupNormalization` with one
    group, the WGAN-GP paper's layer norm for critics) or ``"none"``. Batch
    norm makes a clip's score depend on the other clips of the batch, which
    per-clip gradient penalties assume it does not. No norm on the first
    stage (DCGAN practice) nor under spectral norm.
    """
    check_choice("critic_norm", norm, CRITIC_NORMS)
    stages = []
    for i in range(count):
        conv = _maybe_sn(make_conv(i, i == 0 or norm == "none"), spectral_norm)
        layer = None
        if i > 0 and not spectral_norm and norm == "batch":
            layer = batch_norm(sync_bn)
        elif i > 0 and not spectral_norm and norm == "layer":
            layer = keras.layers.GroupNormalization(groups=1, epsilon=1e-5)
        stages.append((conv, layer))
    return stages


def _pad_space(video):
    """Zero-pads H and W of `(N, T, H, W, C)` by 1, as MoCoGAN's critic.

    Written so that no `Pad` op appears, at any order of differentiation:
    TF's oneDNN remapper fuses a `Pad` into the `Conv3D` it feeds without
    checking the Pad's other consumers (the filter gradient reads it), the
    rewrite fails for the whole training graph, and TF logs "remapper
    failed" at every trace. `PadV2` is not matched; its gradient (a crop)
    has this function as its gradient again (R1 differentiates twice).
    """

    @tf.custom_gradient
    def pad(x):
        zero = tf.constant(0, x.dtype)
        y = tf.raw_ops.PadV2(input=x, paddings=_SPACE_PAD, constant_values=zero)
        return y, _crop_space

    return pad(video)


def _crop_space(video):
    """The inverse of `_pad_space` (its gradient), with `_pad_space` as gradient."""

    @tf.custom_gradient
    def crop(x):
        return x[:, :, 1:-1, 1:-1, :], _pad_space

    return crop(video)


def run_critic_stages(stages, h, training, pad=None):
    """Applies critic stages: `leaky_relu(pad(norm(conv(h))), 0.2)`.

    The first stage's conv has a bias and no norm (`critic_stages`): its
    activation is `tfvgan.layers.leaky_relu`, whose gradient reads the
    output, so that TF's oneDNN remapper can fuse conv + bias + activation
    without failing on the training graph (see there). The other stages
    use the plain op.
    """
    pad = pad or (lambda v: v)
    h = run_stages(stages[:1], h, lambda v: _leaky_relu(pad(v), 0.2), training)
    return run_stages(stages[1:], h, lambda v: ops.leaky_relu(pad(v), 0.2), training)


@keras.saving.register_keras_serializable(package="tfvgan")
class VideoDiscriminator(_Network):
    """3D-conv video critic (VGAN / TGAN): stride-2 Conv3D stages, one logit.

    Args:
        frames, size, channels: clip shape.
        width: channels of the first stage (64 in the papers); doubles per stage.
        condition_channels: extra input channels concatenated onto the video
            (a tiled condition), 0 for unconditional.
        sv_clip: clip singular values of conv kernels to <= 1 after each update
            (TGAN's singular value clipping).
        spectral_norm, critic_norm, sync_bn: the critic options (`critic_stages`).

    Example:

    ```python
    d = VideoDiscriminator(frames=4, size=16, channels=1, width=8)
    d(keras.ops.zeros((2, 4, 16, 16, 1)))  # (2, 1)
    ```

    Reference:
        Vondrick et al. 2016, https://arxiv.org/abs/1609.02612;
        Saito et al. 2017, https://arxiv.org/abs/1611.06624
    """

    def __init__(
        self,
        frames: int,
        size: int,
        channels: int,
        width: int = 64,
        condition_channels: int = 0,
        spectral_norm: bool = False,
        critic_norm: str = "batch",
        sv_clip: bool = False,
        sync_bn: bool = False,
        **kwargs,
    ):
        super().__init__(
            **constructor_arguments(VideoDiscriminator.__init__, locals()), **kwargs
        )
        stages = num_stages(size)
        t_end, t_strides = temporal_plan(frames, stages)
        constraint = SingularValueClip() if sv_clip else None
        strides = list(reversed(t_strides))  # fine to coarse
        self.stages = critic_stages(
            stages,
            lambda i, use_bias: VideoConv3D(
                width * 2**i,
                4,
                (strides[i], 2, 2),
                padding="same",
                use_bias=use_bias,
                kernel_constraint=constraint,
            ),
            spectral_norm,
            sync_bn,
            critic_norm,
        )
        self.head = _maybe_sn(
            keras.layers.Conv3D(1, (t_end, 4, 4), kernel_constraint=constraint),
            spectral_norm,
        )
        self.flatten = keras.layers.Flatten()

    def call(self, video, training=False):
        h = run_critic_stages(self.stages, video, training)
        return self.flatten(self.head(h))


@keras.saving.register_keras_serializable(package="tfvgan")
class ImageDiscriminator(_Network):
    """2D-conv frame critic (MoCoGAN's image discriminator).

    With `patch=True` (the paper) a stride-2 conv head gives a map of patch
    logits; with `patch=False` a dense head over the last feature map gives
    one logit per frame (DCGAN's critic). In an image GAN on 32x32
    moving-digit frames (640 steps, batch 64) a DCGAN generator reached a
    digit Inception Score of 1.0 against the width-32 patch critic and 4.7
    against the same stages with the dense head (docs/QUICKSTART_TUNING.md).

    Args:
        size, channels: frame shape.
        width: channels of the first stage (64 in the paper); doubles per stage.
        patch: patch-logit conv head (the paper) if True, else one dense logit
            per frame.
        spectral_norm, critic_norm, sync_bn: the critic options (`critic_stages`).
        **kwargs: `name`, `trainable`, `dtype`, passed to `keras.Model`.

    Example:

    ```python
    d = ImageDiscriminator(size=16, channels=1, width=8)
    d(keras.ops.zeros((2, 16, 16, 1)))  # (2, 16)
    ```

    Reference:
        Tulyakov et al. 2018, https://arxiv.org/abs/1707.04993
    """

    def __init__(
        self,
        size: int,
        channels: int,
        width: int = 64,
        patch: bool = True,
        spectral_norm: bool = False,
        critic_norm: str = "batch",
        sync_bn: bool = False,
        **kwargs,
    ):
        super().__init__(
            **constructor_arguments(ImageDiscriminator.__init__, locals()), **kwargs
        )
        self.patch = patch
        self.stages = critic_stages(
            num_stages(size) - 1,
            lambda i, use_bias: keras.layers.Conv2D(
                width * 2**i,
                4,
                2,
                padding="same",
                use_bias=use_bias,
            ),
            spectral_norm,
            sync_bn,
            critic_norm,
        )
        self.flatten = keras.layers.Flatten()
        if patch:
            head = keras.layers.Conv2D(1, 4, 2, padding="same")
        else:
            head = keras.layers.Dense(1)
        self.head = _maybe_sn(head, spectral_norm)

    def call(self, frame, training=False):
        h = run_critic_stages(self.stages, frame, training)
        if self.patch:
            return self.flatten(self.head(h))
        return self.head(self.flatten(h))


@keras.saving.register_keras_serializable(package="tfvgan")
class PatchVideoDiscriminator(_Network):
    """MoCoGAN video critic: Conv3D with time stride 1 and no time padding.

    Each stage shrinks time by ``kt - 1`` (``kt = 4`` at 16 frames, as the
    paper) and halves space; the logits are a small space-time patch map.

    Args:
        frames, size, channels: clip shape.
        width: channels of the first stage (64 in the paper); doubles per stage.
        spectral_norm, critic_norm, sync_bn: the critic options (`critic_stages`).
        **kwargs: `name`, `trainable`, `dtype`, passed to `keras.Model`.

    Example:

    ```python
    d = PatchVideoDiscriminator(frames=4, size=16, channels=1, width=8)
    d(keras.ops.zeros((2, 4, 16, 16, 1)))  # (2, 4)
    ```

    Reference:
        Tulyakov et al. 2018, https://arxiv.org/abs/1707.04993
    """

    def __init__(
        self,
        frames: int,
        size: int,
        channels: int,
        width: int = 64,
        spectral_norm: bool = False,
        critic_norm: str = "batch",
        sync_bn: bool = False,
        **kwargs,
    ):
        super().__init__(
            **constructor_arguments(PatchVideoDiscriminator.__init__, locals()),
            **kwargs,
        )
        stages = num_stages(size)
        # stages + 1 convolutions share the time extent: the paper's kt=4 at
        # 16 frames and 64x64, smaller for short clips.
        kt = max(1, min(4, 1 + (frames - 1) // (stages + 1)))
        self.stages = critic_stages(
            stages,
            lambda i, use_bias: VideoConv3D(
                width * 2**i,
                (kt, 4, 4),
                (1, 2, 2),
                use_bias=use_bias,
            ),
            spectral_norm,
            sync_bn,
            critic_norm,
        )
        self.head = _maybe_sn(
            keras.layers.Conv3D(1, (kt, 4, 4), (1, 2, 2)), spectral_norm
        )
        self.flatten = keras.layers.Flatten()

    def call(self, video, training=False):
        h = run_critic_stages(self.stages, _pad_space(video), training, _pad_space)
        return self.flatten(self.head(h))
