"""The networks of `ConditionalGAN`: G(z, c) and D(x, c) with their condition encoders."""

from __future__ import annotations

import keras
from keras import ops

from tfvgan.layers import ImageEncoder, LabelEncoder, TextEncoder, TileToVideo
from tfvgan.models import critics, networks


def _encoder(condition_type, num_classes, vocab_size, size, dim, text_encoder):
    if condition_type == "label":
        return LabelEncoder(num_classes, dim)
    if condition_type == "text":
        return TextEncoder(vocab_size, dim, mode=text_encoder)
    if condition_type == "image":
        return ImageEncoder(size, dim)
    return None


def _upsample_clip(low_res, size: int, interpolation: str = "bilinear"):
    """Resize of every frame of `(B, T, h, w, C)` to `size` x `size`."""
    frames, channels = low_res.shape[1], low_res.shape[-1]
    flat = ops.reshape(low_res, (-1, low_res.shape[2], low_res.shape[3], channels))
    up = ops.image.resize(flat, (size, size), interpolation=interpolation)
    return ops.reshape(up, (-1, frames, size, size, channels))


@keras.saving.register_keras_serializable(package="tfvgan")
class ConditionalGenerator(networks._Network):
    """G(z, c): a video from noise and a condition.

    - label / text: the encoded condition is concatenated to `z` and a VGAN
      two-stream 3D generator renders the clip.
    - image: the frame is encoded into the code and is also the static
      background the generated foreground is composed over, so the clip
      starts from (and stays anchored to) the given frame.
    - video: super-resolution; the low-resolution clip is upsampled
      bicubically (clipped to [-1, 1]) and a 3D-conv residual network (fed
      tiled noise) adds the missing detail. Its last layer starts at zero,
      so an untrained generator is the bicubic baseline and training has
      to earn every decibel above it.

    Called on ``[noise, condition]``; returns ``(B, frames, size, size,
    channels)`` in [-1, 1].

    Args:
        condition_type: `"label"`, `"text"`, `"image"` or `"video"`
            (`"frames"`, `"keyframes"` and `"masked"` have their own
            generators, `FramePredictor`, `KeyframeInterpolator` and
            `Inpainter`).
        latent_dim: noise size.
        frames, size, channels: clip shape.
        width: generator width multiplier (64 = VGAN's widths); the
            super-resolution network has `max(8, width // 2)` channels.
        num_classes: for `"label"`: number of classes.
        vocab_size: for `"text"`: vocabulary size, padding and OOV ids included.
        embed_dim: size of the condition embedding concatenated to the noise
            (`"label"`, `"text"`, `"image"`).
        text_encoder: for `"text"`: `"gru"` or `"mean"` (see `TextEncoder`).
        sync_bn: synchronized batch norm across replicas.
        **kwargs: `name`, `trainable`, `dtype`, passed to `keras.Model`.

    Example:

    ```python
    g = ConditionalGenerator(
        "label", latent_dim=8, frames=4, size=16, channels=1, width=8
    )
    g([keras.random.normal((2, 8)), keras.ops.array([3, 7])])  # (2, 4, 16, 16, 1)
    ```

    Reference:
        Mirza & Osindero 2014, https://arxiv.org/abs/1411.1784 (cGAN);
        Reed et al. 2016, https://arxiv.org/abs/1605.05396 (text);
        Vondrick et al. 2016, https://arxiv.org/abs/1609.02612 (two-stream
        generator); Ledig et al. 2017, https://arxiv.org/abs/1609.04802
        (super-resolution).
    """

    def __init__(
        self,
        condition_type: str,
        latent_dim: int,
        frames: int,
        size: int,
        channels: int,
        width: int = 64,
        num_classes: int = 10,
        vocab_size: int = 0,
        embed_dim: int = 16,
        text_encoder: str = "gru",
        sync_bn: bool = False,
        **kwargs,
    ):
        super().__init__(
            **networks.constructor_arguments(ConditionalGenerator.__init__, locals()),
            **kwargs,
        )
        if condition_type in ("frames", "keyframes", "masked"):
            raise ValueError(
                f"{condition_type} conditions have their own generator: "
                "FramePredictor (tfvgan.models.conditional.prediction), "
                "KeyframeInterpolator (tfvgan.models.conditional.interpolation) "
                "and Inpainter (tfvgan.models.conditional.inpainting)."
            )
        self.condition_type = condition_type
        self.size = size
        self.encoder = _encoder(
            condition_type, num_classes, vocab_size, size, embed_dim, text_encoder
        )
        if condition_type == "video":
            self.noise_proj = keras.layers.Dense(8)
            self.tile = TileToVideo(frames, size)
            self.body = [
                keras.layers.Conv3D(
                    max(8, width // 2), 3, padding="same", activation="relu"
                )
                for _ in range(3)
            ]
            self.residual = keras.layers.Conv3D(
                channels, 3, padding="same", kernel_initializer="zeros"
            )
        else:
            self.video = networks.VideoGenerator3D(
                frames,
                size,
                channels,
                width=width,
                two_stream=True,
                background_from_input=condition_type == "image",
                sync_bn=sync_bn,
            )

    def call(self, inputs, training=False):
        noise, condition = inputs
        if self.condition_type == "video":
            upsampled = _upsample_clip(condition, self.size, "bicubic")
            upsampled = ops.clip(upsampled, -1.0, 1.0)
            h = ops.concatenate([upsampled, self.tile(self.noise_proj(noise))], axis=-1)
            for conv in self.body:
                h = conv(h)
            return ops.clip(upsampled + ops.tanh(self.residual(h)), -1.0, 1.0)
        code = ops.concatenate([noise, self.encoder(condition)], axis=-1)
        if self.condition_type == "image":
            return self.video([code, condition], training=training)
        return self.video(code, training=training)


@keras.saving.register_keras_serializable(package="tfvgan")
class ConditionalDiscriminator(networks._Network):
    """D(x, c): the condition is turned into a map and concatenated onto the clip.

    Labels and captions are encoded and tiled over every frame and pixel (the
    article's concatenation, with the tiling it was missing); a first frame is
    repeated over time; context frames and keyframes are stacked on the
    channels and repeated over time; a masked clip (with its mask) is
    joined frame by frame; a low-resolution clip is upsampled. A 3D-conv critic
    (`critics.VideoDiscriminator`) scores the result with one logit.

    Called on ``[video, condition]``; returns ``(B, 1)`` logits.

    Args:
        condition_type: `"label"`, `"text"`, `"image"`, `"video"`,
            `"frames"` or `"keyframes"` (the given frames, stacked on the
            channels) or `"masked"`.
        frames, size, channels: clip shape.
        width: channels of the critic's first stage; doubles per stage.
        num_classes: for `"label"`: number of classes.
        vocab_size: for `"text"`: vocabulary size, padding and OOV ids included.
        embed_dim: for `"label"`/`"text"`: size of the tiled condition map.
        text_encoder: for `"text"`: `"gru"` or `"mean"` (see `TextEncoder`).
        spectral_norm, critic_norm, sync_bn: the critic options (`critics.critic_stages`).
        **kwargs: `name`, `trainable`, `dtype`, passed to `keras.Model`.

    Example:

    ```python
    d = ConditionalDiscriminator("label", frames=4, size=16, channels=1, width=8)
    d([keras.ops.zeros((2, 4, 16, 16, 1)), keras.ops.array([3, 7])])  # (2, 1)
    ```

    Reference:
        Mirza & Osindero 2014, https://arxiv.org/abs/1411.1784 (cGAN);
        Reed et al. 2016, https://arxiv.org/abs/1605.05396 (condition tiled
        onto the critic's input); Vondrick et al. 2016,
        https://arxiv.org/abs/1609.02612 (3D-conv critic).
    """

    def __init__(
        self,
        condition_type: str,
        frames: int,
        size: int,
        channels: int,
        width: int = 64,
        num_classes: int = 10,
        vocab_size: int = 0,
        embed_dim: int = 16,
        text_encoder: str = "gru",
        spectral_norm: bool = False,
        critic_norm: str = "batch",
        sync_bn: bool = False,
        **kwargs,
    ):
        super().__init__(
            **networks.constructor_arguments(
                ConditionalDiscriminator.__init__, locals()
            ),
            **kwargs,
        )
        self.condition_type = condition_type
        self.frames = frames
        self.size = size
        self.encoder = None
        if condition_type in ("label", "text"):
            self.encoder = _encoder(
                condition_type, num_classes, vocab_size, size, embed_dim, text_encoder
            )
            self.tile = TileToVideo(frames, size)
        self.critic = critics.VideoDiscriminator(
            frames,
            size,
            channels,
            width,
            spectral_norm=spectral_norm,
            sync_bn=sync_bn,
            critic_norm=critic_norm,
        )

    def call(self, inputs, training=False):
        video, condition = inputs
        if self.encoder is not None:
            cmap = self.tile(self.encoder(condition))
        elif self.condition_type == "image":
            cmap = ops.repeat(ops.expand_dims(condition, 1), self.frames, axis=1)
        elif self.condition_type in ("frames", "keyframes"):
            # The given frames side by side on the channels, at every step.
            stacked = ops.concatenate(ops.unstack(condition, axis=1), axis=-1)
            cmap = ops.repeat(ops.expand_dims(stacked, 1), self.frames, axis=1)
        elif self.condition_type == "masked":
            cmap = ops.cast(condition, video.dtype)
        else:
            cmap = _upsample_clip(condition, self.size)
        return self.critic(ops.concatenate([video, cmap], axis=-1), training=training)
