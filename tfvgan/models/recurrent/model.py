"""`RecurrentGAN`: MoCoGAN, recurrent motion codes over a fixed content code."""

from __future__ import annotations

import keras
import tensorflow as tf

from tfvgan.conditions import check_ids
from tfvgan.models import networks
from tfvgan.models.recurrent.networks import (
    DualDiscriminator,
    MotionContentGenerator,
)
from tfvgan.models.recurrent.presets import PRESETS
from tfvgan.models.video_gan import VideoGAN, other_labels


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

    #: Named architectures (`presets.py` beside this module).
    presets = PRESETS

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
        self._keep_arguments(RecurrentGAN.__init__, locals())

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
