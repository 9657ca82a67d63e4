"""`ConditionalGAN`: the founding article's cGAN for video, G(z, c) and D(x, c)."""

from __future__ import annotations

import keras
import tensorflow as tf
from keras import ops

from tfvgan.layers import ImageEncoder, LabelEncoder, TextEncoder, TileToVideo
from tfvgan.models import networks
from tfvgan.models.video_gan import VideoGAN, check_ids, other_labels

CONDITIONS = ("label", "text", "image", "video")


def _encoder(condition_type, num_classes, vocab_size, size, dim, text_encoder):
    if condition_type == "label":
        return LabelEncoder(num_classes, dim)
    if condition_type == "text":
        return TextEncoder(vocab_size, dim, mode=text_encoder)
    if condition_type == "image":
        return ImageEncoder(size, dim)
    return None


def _upsample_clip(low_res, size: int):
    """Bilinear resize of every frame of `(B, T, h, w, C)` to `size` x `size`."""
    frames, channels = low_res.shape[1], low_res.shape[-1]
    flat = ops.reshape(low_res, (-1, low_res.shape[2], low_res.shape[3], channels))
    up = ops.image.resize(flat, (size, size), interpolation="bilinear")
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
      bilinearly and a 3D-conv residual network (fed tiled noise) adds the
      missing detail.

    Called on ``[noise, condition]``; returns ``(B, frames, size, size,
    channels)`` in [-1, 1].

    Args:
        condition_type: `"label"`, `"text"`, `"image"` or `"video"`.
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
            condition_type=condition_type,
            latent_dim=latent_dim,
            frames=frames,
            size=size,
            channels=channels,
            width=width,
            num_classes=num_classes,
            vocab_size=vocab_size,
            embed_dim=embed_dim,
            text_encoder=text_encoder,
            sync_bn=sync_bn,
            **kwargs,
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
            self.residual = keras.layers.Conv3D(channels, 3, padding="same")
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
            upsampled = _upsample_clip(condition, self.size)
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
    repeated over time; a low-resolution clip is upsampled. A 3D-conv critic
    (`networks.VideoDiscriminator`) scores the result with one logit.

    Called on ``[video, condition]``; returns ``(B, 1)`` logits.

    Args:
        condition_type: `"label"`, `"text"`, `"image"` or `"video"`.
        frames, size, channels: clip shape.
        width: channels of the critic's first stage; doubles per stage.
        num_classes: for `"label"`: number of classes.
        vocab_size: for `"text"`: vocabulary size, padding and OOV ids included.
        embed_dim: for `"label"`/`"text"`: size of the tiled condition map.
        text_encoder: for `"text"`: `"gru"` or `"mean"` (see `TextEncoder`).
        spectral_norm: wrap the critic's convolutions in spectral normalization.
        critic_norm: the critics' normalization, one of `networks.CRITIC_NORMS`:
            "batch" (the papers'), "layer" (per-clip; for gradient penalties,
            as WGAN-GP) or "none".
        sync_bn: synchronized batch norm across replicas.
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
            condition_type=condition_type,
            frames=frames,
            size=size,
            channels=channels,
            width=width,
            num_classes=num_classes,
            vocab_size=vocab_size,
            embed_dim=embed_dim,
            text_encoder=text_encoder,
            spectral_norm=spectral_norm,
            critic_norm=critic_norm,
            sync_bn=sync_bn,
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
        self.critic = networks.VideoDiscriminator(
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
        else:
            cmap = _upsample_clip(condition, self.size)
        return self.critic(ops.concatenate([video, cmap], axis=-1), training=training)


@keras.saving.register_keras_serializable(package="tfvgan")
class ConditionalGAN(VideoGAN):
    """Conditional video GAN: ``G(z, c) -> video``, ``D(x, c) -> logit``.

    The founding article's cGAN, for the applications it names:

    | `condition_type` | condition batch | application |
    |---|---|---|
    | `"label"` | int `(B,)` class ids | class-conditional video |
    | `"text"` | int token ids `(B, sequence_length)` or caption strings `(B,)` | text-to-video |
    | `"image"` | float `(B, size, size, C)` first frame in [-1, 1] | image-to-video, video prediction |
    | `"video"` | float `(B, frames, size/downscale, size/downscale, C)` | video super-resolution |

    Caption strings are tokenized by `text_vectorizer`, a
    `keras.layers.TextVectorization` holding `vocabulary` (adapt one on the
    captions with `tfvgan.data.caption_vectorizer` and pass its
    `get_vocabulary()`). Out-of-vocabulary words map to the `[UNK]` id and an
    empty caption to all-padding, which the text encoder reads as "no text".

    Args:
        condition_type: `"label"`, `"text"`, `"image"` or `"video"`.
        frames, size, channels: clip shape.
        latent_dim: noise size.
        width: generator width multiplier.
        d_width: discriminator width.
        num_classes: for `"label"`.
        vocabulary: for `"text"`: the token list, as `TextVectorization.
            get_vocabulary()` gives it (index 0 padding, 1 `[UNK]`) or a plain
            word list (those two are then put first).
        sequence_length: for `"text"`: tokens per caption.
        text_encoder: `"gru"` or `"mean"`.
        downscale: for `"video"`: low-resolution factor (4 = 64 -> 16).
        recon_weight: for `"image"`/`"video"`: weight of an L1 term between the
            generated and the real clip (paired data), reported as `recon`.
        embed_dim: size of the condition embedding.
        matching_aware: also train the critic to reject real clips paired
            with a wrong condition (GAN-CLS; see `mismatched_condition`):
            another class for labels, the batch's next caption, first frame
            or low-resolution clip otherwise (which can repeat the right one
            when two clips of a batch share it). None (default) = on for
            `"label"` only: on the quick-start budget it raised the label
            model's conditional accuracy from 0.40-0.43 to 0.77-0.80 (two
            seeds), but the text model's clips got worse (README, "Results
            after the quick-start budget").
        spectral_norm: spectral normalization on the critic.
        critic_norm: the critics' normalization, one of `networks.CRITIC_NORMS`:
            "batch" (the papers'), "layer" (per-clip; for gradient penalties,
            as WGAN-GP) or "none".
        sync_bn: synchronized batch norm under `tf.distribute`.
        seed: seed of the model's random stream.
        **kwargs: passed to `VideoGAN` / `keras.Model`.

    Example:

    ```python
    gan = tfvgan.models.ConditionalGAN("label", num_classes=10, frames=8,
                                       size=32, channels=1, width=16)
    gan.compile()
    data = tfvgan.data.moving_digits(num_videos=32, condition="label", frames=8,
                                     size=32, batch_size=16)
    gan.fit(data, epochs=1, verbose=0)
    gan.generate(condition=[3, 7]).shape  # (2, 8, 32, 32, 1)
    ```

    Reference:
        Mirza & Osindero 2014, "Conditional Generative Adversarial Nets",
        https://arxiv.org/abs/1411.1784; Reed et al. 2016, "Generative
        Adversarial Text to Image Synthesis" (the matching-aware critic),
        https://arxiv.org/abs/1605.05396
    """

    preset_family = "conditional"

    def __init__(
        self,
        condition_type: str = "label",
        frames: int = 16,
        size: int = 64,
        channels: int = 3,
        latent_dim: int = 100,
        width: int = 64,
        d_width: int = 64,
        num_classes: int = 10,
        vocabulary: list[str] | None = None,
        sequence_length: int = 8,
        text_encoder: str = "gru",
        downscale: int = 4,
        recon_weight: float = 0.0,
        embed_dim: int = 16,
        matching_aware: bool | None = None,
        spectral_norm: bool = False,
        critic_norm: str = "batch",
        sync_bn: bool = False,
        seed: int | None = None,
        **kwargs,
    ):
        networks.check_shape(frames, size, channels)
        networks.check_flags(spectral_norm=spectral_norm, sync_bn=sync_bn)
        if condition_type not in CONDITIONS:
            raise ValueError(
                f"condition_type must be one of {CONDITIONS}, got {condition_type!r}."
            )
        if matching_aware is None:
            matching_aware = condition_type == "label"
        networks.check_flags(matching_aware=matching_aware)
        vocabulary = list(vocabulary) if vocabulary is not None else None
        if condition_type == "text":
            if not vocabulary:
                raise ValueError(
                    "condition_type='text' needs vocabulary= (e.g. "
                    "tfvgan.data.caption_vectorizer(captions).get_vocabulary())."
                )
            if vocabulary[:2] != ["", "[UNK]"]:
                # A plain word list: ids 0 (padding) and 1 ([UNK]) come first,
                # as in TextVectorization.get_vocabulary().
                vocabulary = ["", "[UNK]", *vocabulary]
            condition_shape = (sequence_length,)
        elif condition_type == "video":
            if size % downscale or downscale < 1:
                raise ValueError(
                    f"downscale must divide size={size}, got downscale={downscale!r}."
                )
            low = size // downscale
            condition_shape = (frames, low, low, channels)
        elif condition_type == "image":
            condition_shape = (size, size, channels)
        else:
            if num_classes < 2:
                raise ValueError(f"num_classes must be >= 2, got {num_classes!r}.")
            condition_shape = ()
        vocab_size = len(vocabulary) if vocabulary else 0
        common = dict(
            width=width,
            num_classes=num_classes,
            vocab_size=vocab_size,
            embed_dim=embed_dim,
            text_encoder=text_encoder,
            sync_bn=sync_bn,
        )
        generator = ConditionalGenerator(
            condition_type, latent_dim, frames, size, channels, **common
        )
        common["width"] = d_width
        discriminator = ConditionalDiscriminator(
            condition_type,
            frames,
            size,
            channels,
            spectral_norm=spectral_norm,
            critic_norm=critic_norm,
            **common,
        )
        super().__init__(
            generator=generator,
            discriminator=discriminator,
            latent_dim=latent_dim,
            frames=frames,
            size=size,
            channels=channels,
            condition_type=condition_type,
            condition_shape=condition_shape,
            seed=seed,
            **kwargs,
        )
        self._keep_config(
            condition_type=condition_type,
            frames=frames,
            size=size,
            channels=channels,
            latent_dim=latent_dim,
            width=width,
            d_width=d_width,
            num_classes=num_classes,
            vocabulary=vocabulary,
            sequence_length=sequence_length,
            text_encoder=text_encoder,
            downscale=downscale,
            recon_weight=float(recon_weight),
            embed_dim=embed_dim,
            matching_aware=matching_aware,
            spectral_norm=spectral_norm,
            critic_norm=critic_norm,
            sync_bn=sync_bn,
            seed=seed,
        )
        self.text_vectorizer = None
        if condition_type == "text":
            # Index 0 (padding) and 1 ([UNK]) are TextVectorization's own.
            self.text_vectorizer = keras.layers.TextVectorization(
                vocabulary=vocabulary[2:],
                output_sequence_length=sequence_length,
                name="text_vectorizer",
            )

    def tokenize(self, captions) -> tf.Tensor:
        """Caption strings `(B,)` -> int32 token ids `(B, sequence_length)`."""
        if self.text_vectorizer is None:
            raise ValueError("tokenize() is for condition_type='text' models.")
        return tf.cast(self.text_vectorizer(tf.convert_to_tensor(captions)), tf.int32)

    def prepare_condition(self, condition):
        if condition is None:
            return super().prepare_condition(condition)
        if self.condition_type == "text":
            condition = tf.convert_to_tensor(condition)
            if condition.dtype == tf.string:
                condition = self.tokenize(tf.reshape(condition, [-1]))
        condition = super().prepare_condition(condition)
        if self.condition_type in ("label", "text"):
            limit = (
                self.num_classes
                if self.condition_type == "label"
                else len(self.vocabulary)
            )
            return check_ids(condition, limit, self.condition_type)
        dtype = condition.dtype
        if not dtype.is_floating:
            raise ValueError(
                f"expected a float {self.condition_type} condition in [-1, 1], got "
                f"dtype {dtype.name}."
            )
        return tf.cast(condition, tf.float32)

    def mismatched_condition(self, condition):
        if not self.matching_aware:
            return None
        if self.condition_type == "label":
            return other_labels(self, condition, self.num_classes)
        # Captions, frames, low-resolution clips: the next clip's.
        return tf.roll(condition, shift=1, axis=0)

    def regularizer_names(self):
        if self.recon_weight and self.condition_type in ("image", "video"):
            return ("recon",)
        return ()

    def generator_regularizers(self, real, fake, condition):
        if self.recon_weight and self.condition_type in ("image", "video"):
            return {"recon": self.recon_weight * tf.reduce_mean(tf.abs(fake - real))}
        return {}
