"""The critics of `RecurrentGAN`: MoCoGAN's video and image critics, as one model."""

from __future__ import annotations

import keras
import tensorflow as tf
from keras import ops

from tfvgan.layers import LabelEncoder, TextEncoder
from tfvgan.models import critics, networks
from tfvgan.validation import check_num_classes

# Channels of the label map tiled onto the critics' inputs.
LABEL_MAP_CHANNELS = 4
# Channels of the caption map: a caption says more than a class id (here:
# what the digit is and where it goes).
TEXT_MAP_CHANNELS = 8


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
    both critics (the founding article's concatenated condition). With
    `vocab_size`, called on ``[video, frame, token_ids]``: a
    `TEXT_MAP_CHANNELS` encoding of the caption is tiled the same way.
    With `match_features`, a third head reads a clip's features and its
    caption's code from a frozen `CaptionClipMatcher`, passed as two more
    inputs (``[video, frame, token_ids, clip_features, caption_code]``):
    ``dense(h) + <h, project(caption_code)>`` with ``h = relu(dense(clip
    features))``, a projection critic (Miyato & Koyama 2018) on features
    that were trained to tell captions apart, motion included. Called
    without those inputs (while the model is being built), it returns the
    first two heads only.

    Args:
        frames, size, channels: clip shape.
        width: channels of both critics' first stage; doubles per stage.
        patch_image_critic: the image critic scores patches (the paper);
            False gives it one dense logit per frame.
        num_classes: None (unconditional) or the number of label classes.
        vocab_size: 0 (no text) or the caption vocabulary's size.
        text_encoder: with `vocab_size`, the `TextEncoder` mode.
        match_features: 0, or the size of the matcher's clip features
            (adds the third head).
        match_text: with `match_features`, the size of the matcher's caption
            code.
        spectral_norm, critic_norm, sync_bn: the critic options (`critics.critic_stages`).
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
        vocab_size: int = 0,
        text_encoder: str = "positional",
        match_features: int = 0,
        match_text: int = 0,
        spectral_norm: bool = False,
        critic_norm: str = "batch",
        sync_bn: bool = False,
        **kwargs,
    ):
        check_num_classes(num_classes, allow_none=True)
        super().__init__(
            **networks.constructor_arguments(DualDiscriminator.__init__, locals()),
            **kwargs,
        )
        self.num_classes = num_classes
        self.vocab_size = vocab_size
        if num_classes:
            self.label_map = LabelEncoder(num_classes, LABEL_MAP_CHANNELS)
        elif vocab_size:
            self.label_map = TextEncoder(vocab_size, TEXT_MAP_CHANNELS, text_encoder)
        self.match_features = match_features
        if match_features:
            # Built here: the model is built before its matcher exists.
            hidden = 4 * width
            self.match_hidden = keras.layers.Dense(hidden, activation="relu")
            self.match_project = keras.layers.Dense(hidden)
            self.match_head = keras.layers.Dense(1)
            self.match_hidden.build((None, match_features))
            self.match_project.build((None, match_text))
            self.match_head.build((None, hidden))
        self.video_critic = critics.PatchVideoDiscriminator(
            frames,
            size,
            channels,
            width,
            spectral_norm=spectral_norm,
            sync_bn=sync_bn,
            critic_norm=critic_norm,
        )
        self.image_critic = critics.ImageDiscriminator(
            size,
            channels,
            width,
            patch=patch_image_critic,
            spectral_norm=spectral_norm,
            critic_norm=critic_norm,
            sync_bn=sync_bn,
        )

    def call(self, inputs, training=False):
        matched = None
        if self.match_features and len(inputs) == 5:
            inputs, matched = inputs[:3], inputs[3:]
        if self.num_classes or self.vocab_size:
            video, frame, labels = inputs
            code = self.label_map(labels)  # (B, channels)
            per_clip = tf.shape(frame)[0] // tf.shape(video)[0]
            video = _with_label_map(video, code[:, None, None, None, :])
            frame = _with_label_map(
                frame, tf.repeat(code, per_clip, axis=0)[:, None, None, :]
            )
        else:
            video, frame = inputs
        logits = [
            self.video_critic(video, training=training),
            self.image_critic(frame, training=training),
        ]
        if matched is not None:
            features, caption = (ops.cast(x, "float32") for x in matched)
            hidden = self.match_hidden(features)
            projected = ops.sum(
                hidden * self.match_project(caption), axis=-1, keepdims=True
            )
            logits.append(
                ops.cast(self.match_head(hidden) + projected, logits[0].dtype)
            )
        return logits
