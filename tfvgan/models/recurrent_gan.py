"""`RecurrentGAN`: MoCoGAN, recurrent motion codes over a fixed content code."""

from __future__ import annotations

import keras
import tensorflow as tf
from keras import ops

from tfvgan.augment import shift_matrices
from tfvgan.layers import ImageEncoder, LabelEncoder
from tfvgan.models import networks
from tfvgan.models.video_gan import VideoGAN, check_ids, other_labels

# Channels of the label map tiled onto the critics' inputs.
LABEL_MAP_CHANNELS = 4


def check_max_shift(max_shift) -> None:
    """Raises a `ValueError` unless `max_shift` is a number in (0, 0.5]."""
    if (
        isinstance(max_shift, bool)
        or not isinstance(max_shift, (int, float))
        or not 0 < max_shift <= 0.5
    ):
        raise ValueError(
            "max_shift is the largest offset as a fraction of the frame size "
            f"and must be in (0, 0.5], got {max_shift!r}."
        )


def check_num_classes(num_classes) -> None:
    """Raises a `ValueError` unless `num_classes` is None or an int >= 2."""
    if num_classes is not None and (
        isinstance(num_classes, bool)
        or not isinstance(num_classes, int)
        or num_classes < 2
    ):
        raise ValueError(
            f"num_classes must be None (unconditional) or an int >= 2, got "
            f"{num_classes!r}."
        )


def whole_pixel_shift_matrices(offsets, size: int):
    """`shift_matrices` at the rounded offsets, with the bilinear gradient.

    The forward pass moves by whole pixels (no interpolation blur, which a
    critic can tell from real motion); the backward pass is that of the
    bilinear operator at the unrounded offsets (straight-through).
    """
    soft = shift_matrices(offsets, size)
    hard = shift_matrices(ops.round(offsets), size)
    return soft + ops.stop_gradient(hard - soft)


@keras.saving.register_keras_serializable(package="tfvgan")
class MotionContentGenerator(networks._Network):
    """MoCoGAN generator: a GRU turns noise into motion codes `z_t`.

    The flat noise vector is split into a content code (fixed per clip), the
    GRU's initial state and one innovation per frame:
    ``latent_dim = content_dim + motion_dim * (frames + 1)``. Each frame is
    rendered from ``[z_content, z_t]``; with `autoregressive=True`, from
    ``[z_content, z_t, encode(x_{t-1})]`` (the founding article's recurrent
    form: each frame from its code and the previous frame). With
    `translate=True`, one canvas per clip is rendered from
    ``[z_content, h_0]`` and frame `t` is that canvas shifted by an offset
    ``(dy, dx) = max_shift * size * tanh(dense(z_t))`` pixels, rounded to
    whole pixels (with a bilinear gradient; the background -1 is shifted in), so
    the content cannot change within a clip. With `num_classes`, the
    generator is called on ``[noise, labels]`` and a `label_dim` embedding of
    the class id is appended to the content code.

    Args:
        frames, size, channels: clip shape.
        content_dim: content code size (50 in the paper).
        motion_dim: motion code size, the GRU's units (10 in the paper).
        width: frame generator width multiplier (64 = the paper's widths).
        autoregressive: render each frame from the previous one too (its
            `ImageEncoder` encoding is added to the content code).
        translate: render one canvas per clip and move it (see above);
            excludes `autoregressive`.
        max_shift: with `translate`, the largest offset from the canvas'
            place, as a fraction of the frame size, in (0, 0.5]. Match it
            to the data: a 24-pixel digit in a 32-pixel frame has 4 pixels
            of room either way (0.125).
        num_classes: None (unconditional) or the number of label classes.
        label_dim: with `num_classes`, the size of the label embedding
            (unit-normal entries, like the noise).
        sync_bn: synchronized batch norm across replicas.
        **kwargs: `name`, `trainable`, `dtype`, passed to `keras.Model`.

    Example:

    ```python
    g = MotionContentGenerator(
        frames=4, size=16, channels=1, content_dim=8, motion_dim=4, width=8
    )
    g(keras.random.normal((2, 8 + 4 * 5)))  # (2, 4, 16, 16, 1)
    g = MotionContentGenerator(
        frames=4, size=16, channels=1, content_dim=8, motion_dim=4, width=8,
        num_classes=10,
    )
    g([keras.random.normal((2, 8 + 4 * 5)), keras.ops.array([3, 7])])
    ```

    Reference:
        Tulyakov et al. 2018, https://arxiv.org/abs/1707.04993
    """

    def __init__(
        self,
        frames: int,
        size: int,
        channels: int,
        content_dim: int = 50,
        motion_dim: int = 10,
        width: int = 64,
        autoregressive: bool = False,
        translate: bool = False,
        max_shift: float = 0.25,
        num_classes: int | None = None,
        label_dim: int = 10,
        sync_bn: bool = False,
        **kwargs,
    ):
        check_max_shift(max_shift)
        check_num_classes(num_classes)
        if (
            isinstance(label_dim, bool)
            or not isinstance(label_dim, int)
            or label_dim < 1
        ):
            raise ValueError(f"label_dim must be a positive int, got {label_dim!r}.")
        if autoregressive and translate:
            raise ValueError(
                "autoregressive and translate exclude each other: a translated "
                "canvas has no per-frame rendering to condition."
            )
        super().__init__(
            frames=frames,
            size=size,
            channels=channels,
            content_dim=content_dim,
            motion_dim=motion_dim,
            width=width,
            autoregressive=autoregressive,
            translate=translate,
            max_shift=max_shift,
            num_classes=num_classes,
            label_dim=label_dim,
            sync_bn=sync_bn,
            **kwargs,
        )
        self.frames = frames
        self.size = size
        self.channels = channels
        self.content_dim = content_dim
        self.motion_dim = motion_dim
        self.autoregressive = autoregressive
        self.translate = translate
        self.max_shift = float(max_shift)
        self.num_classes = num_classes
        code_dim = content_dim
        if num_classes:
            self.label_encoder = LabelEncoder(num_classes, label_dim)
            code_dim += label_dim
        self.gru = keras.layers.GRU(motion_dim, return_sequences=True)
        if translate:
            # Offsets in pixels: up to `max_shift * size` either way.
            self.offset = keras.layers.Dense(2, activation="tanh")
        self.frame_generator = networks.FrameGenerator(
            size, channels, width=width, sync_bn=sync_bn
        )
        if autoregressive:
            self.frame_encoder = ImageEncoder(size, dim=code_dim, width=width // 2)

    def call(self, inputs, training=False):
        c, m, t = self.content_dim, self.motion_dim, self.frames
        if self.num_classes:
            noise, labels = inputs
            content = ops.concatenate(
                [noise[:, :c], self.label_encoder(labels)], axis=-1
            )
        else:
            noise = inputs
            content = noise[:, :c]
        h0 = noise[:, c : c + m]
        eps = ops.reshape(noise[:, c + m :], (-1, t, m))
        motion = self.gru(eps, initial_state=h0)  # (B, T, M)
        if self.translate:
            canvas = self.frame_generator(
                ops.concatenate([content, h0], axis=-1), training=training
            )
            pixels = self.max_shift * self.size
            offsets = pixels * self.offset(motion)  # (B, T, 2), in pixels
            rows = whole_pixel_shift_matrices(offsets[..., 0], self.size)
            cols = whole_pixel_shift_matrices(offsets[..., 1], self.size)
            # Shift `canvas + 1` so the background (-1) is what moves in.
            moved = ops.einsum("btik,bklc->btilc", rows, canvas + 1.0)
            return ops.einsum("btjl,btilc->btijc", cols, moved) - 1.0
        if not self.autoregressive:
            codes = ops.concatenate(
                [ops.repeat(ops.expand_dims(content, 1), t, axis=1), motion], axis=-1
            )
            frames = self.frame_generator(
                ops.reshape(codes, (-1, codes.shape[-1])), training=training
            )
            return ops.reshape(frames, (-1, t, self.size, self.size, self.channels))
        previous = ops.zeros((ops.shape(noise)[0], self.size, self.size, self.channels))
        outputs = []
        for step in range(t):
            memory = self.frame_encoder(previous)
            code = ops.concatenate([content + memory, motion[:, step]], axis=-1)
            previous = self.frame_generator(code, training=training)
            outputs.append(previous)
        return ops.stack(outputs, axis=1)


def _with_label_map(x, code):
    """`x` with `code` (broadcast over its pixels) appended as channels."""
    return ops.concatenate([x, ops.ones_like(x[..., :1]) * code], axis=-1)


@keras.saving.register_keras_serializable(package="tfvgan")
class DualDiscriminator(networks._Network):
    """MoCoGAN's two critics: a video critic and an image (single-frame) critic.

    Called on ``[video, frame]``; returns ``[video_logits, image_logits]``.
    With `num_classes`, called on ``[video, frame, labels]`` (``frame`` holds
    the same number of frames from each clip, clip by clip): an embedding of
    each clip's label is tiled over its pixels as extra input channels of
    both critics (the founding article's concatenated condition).

    Args:
        frames, size, channels: clip shape.
        width: channels of both critics' first stage; doubles per stage.
        patch_image_critic: the image critic scores patches (the paper);
            False gives it one dense logit per frame.
        num_classes: None (unconditional) or the number of label classes.
        spectral_norm: spectral normalization on both critics.
        critic_norm: the critics' normalization, one of `networks.CRITIC_NORMS`:
            "batch" (the papers'), "layer" (per-clip; for gradient penalties,
            as WGAN-GP) or "none".
        sync_bn: synchronized batch norm across replicas.
        **kwargs: `name`, `trainable`, `dtype`, passed to `keras.Model`.

    Example:

    ```python
    d = DualDiscriminator(frames=4, size=16, channels=1, width=8)
    video = keras.ops.zeros((2, 4, 16, 16, 1))
    video_logits, image_logits = d([video, video[:, 0]])
    # tuple(video_logits.shape) == (2, 4)
    image_logits  # (2, 16)
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
        patch_image_critic: bool = True,
        num_classes: int | None = None,
        spectral_norm: bool = False,
        critic_norm: str = "batch",
        sync_bn: bool = False,
        **kwargs,
    ):
        check_num_classes(num_classes)
        super().__init__(
            frames=frames,
            size=size,
            channels=channels,
            width=width,
            patch_image_critic=patch_image_critic,
            num_classes=num_classes,
            spectral_norm=spectral_norm,
            critic_norm=critic_norm,
            sync_bn=sync_bn,
            **kwargs,
        )
        self.num_classes = num_classes
        if num_classes:
            self.label_map = LabelEncoder(num_classes, LABEL_MAP_CHANNELS)
        self.video_critic = networks.PatchVideoDiscriminator(
            frames,
            size,
            channels,
            width,
            spectral_norm=spectral_norm,
            sync_bn=sync_bn,
            critic_norm=critic_norm,
        )
        self.image_critic = networks.ImageDiscriminator(
            size,
            channels,
            width,
            patch=patch_image_critic,
            spectral_norm=spectral_norm,
            critic_norm=critic_norm,
            sync_bn=sync_bn,
        )

    def call(self, inputs, training=False):
        if self.num_classes:
            video, frame, labels = inputs
            code = self.label_map(labels)  # (B, LABEL_MAP_CHANNELS)
            per_clip = tf.shape(frame)[0] // tf.shape(video)[0]
            video = _with_label_map(video, code[:, None, None, None, :])
            frame = _with_label_map(
                frame, tf.repeat(code, per_clip, axis=0)[:, None, None, :]
            )
        else:
            video, frame = inputs
        return [
            self.video_critic(video, training=training),
            self.image_critic(frame, training=training),
        ]


@keras.saving.register_keras_serializable(package="tfvgan")
class RecurrentGAN(VideoGAN):
    """Recurrent GAN (MoCoGAN): motion and content decomposed.

    A GRU produces per-frame motion codes, concatenated with one content code
    per clip and rendered frame by frame by an image generator. Two critics
    score real and fake in both the D and the G step: an image critic on
    `image_frames` random frames per clip (one in the paper) and a video
    critic on the clip; their losses add.
    `autoregressive=True` feeds each frame back into the next (the founding
    article's RNN-GAN form).

    With `num_classes`, the model is label-conditional
    (``condition_type="label"``): the data are ``(video, label)`` pairs, the
    generator appends an embedding of the label to the content code, both
    critics see a label map as extra input channels, and (with
    `matching_aware`) the critics also learn to reject real clips paired with
    another class. On the quick-start budget this made the digits of most
    clips legible (docs/QUICKSTART_TUNING.md, round 11).

    The generator's noise is one flat vector,
    ``latent_dim = content_dim + motion_dim * (frames + 1)``
    (content code, GRU initial state, one innovation per frame), so every
    variant exports the same `noise` signature.

    Args:
        frames: frames per clip (16 in the paper).
        size: frame size, one of 16, 32, 64, 128, 256 (64 in the paper).
        channels: 1 or 3.
        content_dim: content code size (50 in the paper).
        motion_dim: motion code size (10 in the paper).
        width: generator width multiplier (64 = the paper's widths).
        d_width: width of both critics.
        patch_image_critic: the image critic scores patches (the paper);
            False gives it one dense logit per frame (DCGAN's critic).
        image_frames: frames per clip the image critic scores, drawn at random
            with replacement (1 = the paper). More frames give the image
            critic a larger batch at little extra cost.
        autoregressive: condition each frame on the previous one.
        translate: render one canvas per clip and move it by per-frame
            offsets from the motion codes (`MotionContentGenerator`): the
            content cannot change within a clip; excludes `autoregressive`.
        max_shift: with `translate`, the largest offset as a fraction of
            the frame size (0.25: a quarter of the frame either way).
        num_classes: None (unconditional) or the number of label classes;
            label ids lie in ``[0, num_classes)``.
        label_dim: with `num_classes`, the generator's label embedding size.
        matching_aware: with `num_classes`, also train the critics to reject
            real clips paired with another class (GAN-CLS, as
            `ConditionalGAN`).
        spectral_norm: spectral normalization on the critics.
        critic_norm: the critics' normalization, one of `networks.CRITIC_NORMS`:
            "batch" (the papers'), "layer" (per-clip; for gradient penalties,
            as WGAN-GP) or "none".
        sync_bn: synchronized batch norm under `tf.distribute`.
        seed: seed of the model's random stream.
        **kwargs: passed to `VideoGAN` / `keras.Model`.

    Example:

    ```python
    gan = tfvgan.models.RecurrentGAN(frames=8, size=32, channels=1, width=16)
    gan.compile()
    # content 50 + motion 10 for each of 8 frames and the GRU's start:
    # gan.latent_dim == 50 + 10 * 9
    gan.generate(2).shape  # (2, 8, 32, 32, 1)
    digits = tfvgan.models.RecurrentGAN(frames=8, size=32, channels=1,
                                        width=16, num_classes=10)
    digits.compile()
    digits.generate(condition=[3, 7]).shape  # (2, 8, 32, 32, 1)
    ```

    Reference:
        Tulyakov et al. 2018, "MoCoGAN: Decomposing Motion and Content for
        Video Generation", https://arxiv.org/abs/1707.04993
    """

    preset_family = "recurrent"

    def __init__(
        self,
        frames: int = 16,
        size: int = 64,
        channels: int = 3,
        content_dim: int = 50,
        motion_dim: int = 10,
        width: int = 64,
        d_width: int = 64,
        patch_image_critic: bool = True,
        image_frames: int = 1,
        autoregressive: bool = False,
        translate: bool = False,
        max_shift: float = 0.25,
        num_classes: int | None = None,
        label_dim: int = 10,
        matching_aware: bool = True,
        spectral_norm: bool = False,
        critic_norm: str = "batch",
        sync_bn: bool = False,
        seed: int | None = None,
        **kwargs,
    ):
        for reserved in ("latent_dim", "condition_type", "condition_shape"):
            if reserved in kwargs:
                derived = {
                    "latent_dim": "content_dim + motion_dim * (frames + 1)",
                    "condition_type": "num_classes",
                    "condition_shape": "num_classes",
                }[reserved]
                raise ValueError(
                    f"RecurrentGAN takes no {reserved}=: it follows from "
                    f"{derived}. Set content_dim= and motion_dim= for the noise "
                    "size, num_classes= for a label condition."
                )
        networks.check_shape(frames, size, channels)
        networks.check_flags(
            patch_image_critic=patch_image_critic,
            autoregressive=autoregressive,
            translate=translate,
            matching_aware=matching_aware,
            spectral_norm=spectral_norm,
            sync_bn=sync_bn,
        )
        if (
            isinstance(image_frames, bool)
            or not isinstance(image_frames, int)
            or not 1 <= image_frames <= frames
        ):
            raise ValueError(
                f"image_frames must be an int in [1, frames={frames}], "
                f"got {image_frames!r}."
            )
        self.image_frames = image_frames
        self.num_classes = num_classes
        self.matching_aware = matching_aware
        generator = MotionContentGenerator(
            frames,
            size,
            channels,
            content_dim=content_dim,
            motion_dim=motion_dim,
            width=width,
            autoregressive=autoregressive,
            translate=translate,
            max_shift=max_shift,
            num_classes=num_classes,
            label_dim=label_dim,
            sync_bn=sync_bn,
        )
        discriminator = DualDiscriminator(
            frames,
            size,
            channels,
            d_width,
            patch_image_critic=patch_image_critic,
            num_classes=num_classes,
            spectral_norm=spectral_norm,
            critic_norm=critic_norm,
            sync_bn=sync_bn,
        )
        super().__init__(
            generator=generator,
            discriminator=discriminator,
            latent_dim=content_dim + motion_dim * (frames + 1),
            frames=frames,
            size=size,
            channels=channels,
            condition_type="label" if num_classes else None,
            condition_shape=() if num_classes else None,
            seed=seed,
            **kwargs,
        )
        self._keep_config(
            frames=frames,
            size=size,
            channels=channels,
            content_dim=content_dim,
            motion_dim=motion_dim,
            width=width,
            d_width=d_width,
            patch_image_critic=patch_image_critic,
            image_frames=image_frames,
            autoregressive=autoregressive,
            translate=translate,
            max_shift=max_shift,
            num_classes=num_classes,
            label_dim=label_dim,
            matching_aware=matching_aware,
            spectral_norm=spectral_norm,
            critic_norm=critic_norm,
            sync_bn=sync_bn,
            seed=seed,
        )

    def prepare_condition(self, condition):
        condition = super().prepare_condition(condition)
        if condition is None:
            return None
        return check_ids(condition, self.num_classes, "label")

    def mismatched_condition(self, condition):
        if not (self.num_classes and self.matching_aware):
            return None
        return other_labels(self, condition, self.num_classes)

    def discriminate(self, videos, condition=None, training=False):
        # The image critic sees `image_frames` random frames of each clip.
        batch = tf.shape(videos)[0]
        k = self.image_frames
        index = self.random_uniform(batch, (k,), maxval=self.frames, dtype=tf.int32)
        frames = tf.gather(videos, index, batch_dims=1)  # (B, k, H, W, C)
        frames = tf.reshape(frames, (-1, *self.video_shape[1:]))
        if self.conditional:
            return self.discriminator([videos, frames, condition], training=training)
        return self.discriminator([videos, frames], training=training)
