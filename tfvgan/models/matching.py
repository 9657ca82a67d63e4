"""`CaptionClipMatcher`: caption and clip encoders trained to agree.

A text encoder that is not learned from the adversarial signal alone. Like
the pretrained text-image matching models of GAN-CLS and AttnGAN (DAMSM),
but pretrained on the training pairs themselves, with no labels: a caption
encoder and a clip encoder are trained so that each clip's embedding is
closest to its own caption's (a symmetric contrastive loss over the batch,
as CLIP's). The text-conditioned `RecurrentGAN` pretrains one on its data
before the GAN starts and adds ``match_weight`` times the same loss, on its
generated clips, to the generator's loss.

Captions repeat in a data set (every clip of digit 7 moving down has the
same caption); clips whose token ids are identical count as positives of
each other, so a repeated caption is not pushed away from itself. That
uses the token ids only: nothing parses a caption.

Two choices keep the matcher honest about motion. It trains on clips
shifted at random by up to an eighth of the frame (where a digit ends up
should not tell where it went), and it remembers the captions of its last
`memory_size` training clips (under `tf.distribute`, the first
replica's): the generator's matching loss
(`CaptionClipMatcher.generated_loss`) ranks each generated clip's caption
against those as well as against the batch's, because a batch of 16 rarely
holds two captions that differ only in the motion.

With ``motion_stream=True`` the clip encoder also reads where each clip's
brightness goes: the centre of mass of every frame and its steps from frame
to frame (`centre_steps`), through a small dense network, next to the 3D
convolutions. A convolutional reading of motion can be satisfied by clips
that do not move that way (docs/notes/text_to_video.md); the path of the
bright pixels cannot be satisfied without moving them, and its gradient
reaches whatever moves the content (for a generator that moves one canvas
per clip, the canvas).
"""

from __future__ import annotations

import keras
import tensorflow as tf
from keras import ops

from tfvgan.augment import augment_videos
from tfvgan.layers import LabelEncoder, TextEncoder

__all__ = ["CaptionClipMatcher", "centre_steps", "matching_loss"]


#: Units of each dense layer of the matcher's motion stream.
MOTION_STREAM_UNITS = 64

#: What an empty memory row of a class matcher holds (no class).
_EMPTY_CLASS = -1


def _positives(tokens, candidates) -> tf.Tensor:
    """``(B, N)`` targets: 1 where a candidate caption's token ids equal row
    ``i``'s, normalized over each row (a caption is its own positive)."""
    same = tf.reduce_all(tokens[:, None, :] == candidates[None, :, :], axis=-1)
    target = tf.cast(same, tf.float32)
    return target / tf.reduce_sum(target, axis=1, keepdims=True)


def matching_loss(clips, texts, tokens, temperature: float = 0.1) -> tf.Tensor:
    """Symmetric contrastive loss between unit clip and caption embeddings.

    Args:
        clips: ``(B, D)`` unit-norm clip embeddings.
        texts: ``(B, D)`` unit-norm caption embeddings, row ``i`` the caption
            of clip ``i``.
        tokens: ``(B, L)`` token ids of the captions; rows with identical
            ids are positives of each other.
        temperature: softmax temperature of the cosine similarities.

    Returns:
        The scalar loss: the mean of the clip-to-caption and the
        caption-to-clip cross-entropies against the (normalized) positives.
    """
    tokens = tf.convert_to_tensor(tokens)
    target = _positives(tokens, tokens)
    logits = tf.matmul(
        tf.cast(clips, tf.float32), tf.cast(texts, tf.float32), transpose_b=True
    )
    logits = logits / temperature
    to_text = tf.nn.softmax_cross_entropy_with_logits(target, logits)
    to_clip = tf.nn.softmax_cross_entropy_with_logits(
        tf.transpose(target), tf.transpose(logits)
    )
    return tf.reduce_mean(to_text + to_clip) / 2.0


def centre_steps(videos) -> tf.Tensor:
    """How the brightness centre of mass moves: ``(B, (T - 1) * 2)`` steps.

    Per frame, the centre of mass of the brightness (pixels in ``[-1, 1]``
    mapped to ``[0, 1]``, channels averaged) in pixels ``(row, column)``;
    the result is its steps from each frame to the next, flattened
    ``(dy_1, dx_1, dy_2, dx_2, ...)``. Differentiable in the pixels, and
    unchanged by shifting a whole clip.

    Args:
        videos: ``(B, T, H, W, C)`` in ``[-1, 1]``.
    """
    v = ops.cast(videos, "float32")
    bright = (ops.mean(v, axis=-1) + 1.0) / 2.0  # (B, T, H, W)
    mass = ops.sum(bright, axis=(2, 3)) + 1e-3
    rows = ops.arange(v.shape[2], dtype="float32")
    cols = ops.arange(v.shape[3], dtype="float32")
    y = ops.sum(ops.sum(bright, axis=3) * rows, axis=-1) / mass
    x = ops.sum(ops.sum(bright, axis=2) * cols, axis=-1) / mass
    path = ops.stack([y, x], axis=-1)  # (B, T, 2)
    steps = path[:, 1:] - path[:, :-1]
    return ops.reshape(steps, (-1, (v.shape[1] - 1) * 2))


def _unit(x):
    x = ops.cast(x, "float32")
    return x / (ops.sqrt(ops.sum(ops.square(x), axis=-1, keepdims=True)) + 1e-6)


@keras.saving.register_keras_serializable(package="tfvgan")
class CaptionClipMatcher(keras.Model):
    """Caption and clip encoders trained contrastively on (clip, caption) pairs.

    Called on ``[videos, token_ids]``, returns ``(clip_embeddings,
    caption_embeddings)``, both unit-norm ``(B, dim)``. `fit` on a data set of
    ``(video, token_ids)`` pairs trains both encoders with `matching_loss`
    (reported as ``match``); compile it first (any optimizer; Adam(1e-3) is
    what `RecurrentGAN.pretrain` uses).

    Args:
        vocab_size: caption vocabulary size, padding and OOV ids included.
        sequence_length: tokens per caption.
        frames, size, channels: clip shape.
        dim: embedding size.
        width: channels of the clip encoder's first 3D convolution (doubled
            twice).
        temperature: softmax temperature of `matching_loss`.
        memory_size: captions of past training batches kept as extra
            negatives for `generated_loss` (0: the batch's only).
        seed: seed of the training shifts.
        classes: the "caption" is one class id per clip (shape ``(B,)``,
            `vocab_size` classes, `sequence_length` 1), read by a
            `LabelEncoder`: a label model's matcher. Clips of one class are
            each other's positives.
        motion_stream: also read the steps of each clip's brightness centre
            (`centre_steps`) through two dense layers of
            `MOTION_STREAM_UNITS` units, concatenated with the convolutional
            features (above).
        **kwargs: `name`, `trainable`, `dtype`, passed to `keras.Model`.

    Example:

    ```python
    matcher = CaptionClipMatcher(
        vocab_size=21, sequence_length=4, frames=8, size=32, channels=1
    )
    videos = keras.ops.zeros((2, 8, 32, 32, 1))
    tokens = keras.ops.array([[2, 11, 3, 7], [2, 12, 3, 8]])
    clips, texts = matcher([videos, tokens])
    tuple(clips.shape)  # (2, 32)
    ```

    Reference:
        Radford et al. 2021, "Learning Transferable Visual Models From
        Natural Language Supervision" (CLIP), https://arxiv.org/abs/2103.00020;
        Xu et al. 2018, "AttnGAN" (a pretrained matching loss for the
        generator), https://arxiv.org/abs/1711.10485
    """

    def __init__(
        self,
        vocab_size: int,
        sequence_length: int,
        frames: int,
        size: int,
        channels: int,
        dim: int = 32,
        width: int = 16,
        temperature: float = 0.1,
        memory_size: int = 512,
        seed: int | None = None,
        motion_stream: bool = False,
        classes: bool = False,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.motion_stream = bool(motion_stream)
        self.classes = bool(classes)
        if self.classes and sequence_length != 1:
            raise ValueError(
                "a class matcher reads one id per clip: sequence_length must be "
                f"1, got {sequence_length}."
            )
        self.memory_size = memory_size
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.vocab_size = vocab_size
        self.sequence_length = sequence_length
        self.frames = frames
        self.size = size
        self.channels = channels
        self.dim = dim
        self.width = width
        self.temperature = float(temperature)
        if self.classes:
            self.text_encoder = LabelEncoder(vocab_size, dim)
        else:
            self.text_encoder = TextEncoder(vocab_size, dim, mode="positional")
        # Temporal kernels in every layer: direction of motion is local.
        self.clip_encoder = keras.Sequential(
            [
                keras.layers.Conv3D(
                    width, 3, strides=(1, 2, 2), padding="same", activation="relu"
                ),
                keras.layers.Conv3D(
                    2 * width, 3, strides=(1, 2, 2), padding="same", activation="relu"
                ),
                keras.layers.Conv3D(
                    4 * width, 3, strides=(2, 2, 2), padding="same", activation="relu"
                ),
                keras.layers.GlobalAveragePooling3D(),
            ]
            # With the motion stream the last layer reads both streams.
            + ([] if motion_stream else [keras.layers.Dense(dim)]),
            name="clip_encoder",
        )
        if motion_stream:
            units = MOTION_STREAM_UNITS
            self.motion_encoder = keras.Sequential(
                [
                    keras.layers.Dense(units, activation="relu"),
                    keras.layers.Dense(units, activation="relu"),
                ],
                name="motion_encoder",
            )
            self.clip_head = keras.layers.Dense(dim, name="clip_head")
        self.loss_tracker = keras.metrics.Mean(name="match")
        # Steps of `fit` so far: saved with the model, so a restored matcher
        # is known to be trained.
        self.steps_trained = self.add_weight(
            shape=(),
            initializer="zeros",
            dtype="int64",
            trainable=False,
            aggregation="only_first_replica",
            name="steps_trained",
        )
        # Token ids of recent training captions: all padding until filled
        # (with classes, -1: no class; such rows are left out).
        self.memory = self.add_weight(
            shape=(memory_size, sequence_length),
            initializer=keras.initializers.Constant(
                _EMPTY_CLASS if self.classes else 0
            ),
            dtype="int32",
            trainable=False,
            aggregation="only_first_replica",
            name="memory",
        )
        self.build_networks()

    def build_networks(self) -> None:
        """Creates the weights (eagerly, so that the matcher can be restored
        before its first call)."""
        self.clip_encoder.build(
            (None, self.frames, self.size, self.size, self.channels)
        )
        if self.motion_stream:
            self.motion_encoder.build((None, (self.frames - 1) * 2))
            self.clip_head.build((None, self.feature_dim))
        self.text_encoder(
            self._encoder_input(ops.zeros((1, self.sequence_length), "int32"))
        )

    @property
    def feature_dim(self) -> int:
        """Size of `clip_features`."""
        return 4 * self.width + (MOTION_STREAM_UNITS if self.motion_stream else 0)

    def clip_features(self, videos):
        """The clip encoder's pooled features ``(B, feature_dim)``, before
        its last layer: what a critic head can read (`DualDiscriminator`).
        With the motion stream, the pooled convolutional features followed
        by the motion encoder's."""
        if self.motion_stream:
            return ops.concatenate(
                [
                    self.clip_encoder(videos),
                    self.motion_encoder(centre_steps(videos)),
                ],
                axis=-1,
            )
        x = videos
        for layer in self.clip_encoder.layers[:-1]:
            x = layer(x)
        return x

    def _ids(self, tokens):
        """Captions as int32 ``(B, sequence_length)`` (a class id: ``(B, 1)``)."""
        tokens = tf.cast(tokens, tf.int32)
        if not self.classes:
            return tokens
        if tokens.shape.rank not in (None, 1) and (
            tokens.shape.rank != 2 or tokens.shape[-1] not in (None, 1)
        ):
            raise ValueError(
                "a class matcher takes one class id per clip, shape (batch,) "
                f"or (batch, 1); got shape {tokens.shape}."
            )
        return tf.reshape(tokens, (-1, 1))

    def _encoder_input(self, ids):
        """What the caption encoder takes: ids ``(B, L)``, or ``(B,)`` classes."""
        return ids[:, 0] if self.classes else ids

    def text_features(self, tokens):
        """The caption encoder's output ``(B, dim)``, not normalized."""
        return self.text_encoder(self._encoder_input(self._ids(tokens)))

    def embed_clips(self, videos, training=False):
        """Unit-norm clip embeddings ``(B, dim)`` of videos in [-1, 1]."""
        if self.motion_stream:
            return _unit(self.clip_head(self.clip_features(videos)))
        return _unit(self.clip_encoder(videos, training=training))

    def embed_text(self, tokens):
        """Unit-norm caption embeddings ``(B, dim)`` of token ids."""
        return _unit(self.text_features(tokens))

    def call(self, inputs, training=False):
        videos, tokens = inputs
        return self.embed_clips(videos, training=training), self.embed_text(tokens)

    def loss_of(self, videos, tokens, training=False) -> tf.Tensor:
        """`matching_loss` of clips and their captions' token ids."""
        clips, texts = self([videos, tokens], training=training)
        return matching_loss(clips, texts, self._ids(tokens), self.temperature)

    def generated_loss(self, videos, tokens) -> tf.Tensor:
        """How far generated clips are from their captions, for a generator.

        Each clip's caption is ranked against the batch's captions and the
        `memory` of training captions (cross-entropy of the clip-to-caption
        similarities; identical token ids count as the same caption).
        """
        tokens = self._ids(tokens)
        clips, texts = self([videos, tokens])
        candidates, candidate_tokens = texts, tokens
        empty = None
        if self.memory_size:
            memory = tf.convert_to_tensor(self.memory)
            # A class matcher's unfilled rows hold no class (-1): they equal
            # no caption, are embedded as any class and left out below.
            shown = memory
            if self.classes:
                empty = memory[:, 0] == _EMPTY_CLASS
                shown = tf.maximum(memory, 0)
            candidates = tf.concat([texts, self.embed_text(shown)], axis=0)
            candidate_tokens = tf.concat([tokens, memory], axis=0)
        target = _positives(tokens, candidate_tokens)
        logits = tf.matmul(clips, tf.cast(candidates, clips.dtype), transpose_b=True)
        logits = logits / self.temperature
        if empty is not None:
            left_out = tf.concat([tf.zeros_like(tokens[:, 0], tf.bool), empty], 0)
            logits = tf.where(left_out[None, :], tf.cast(-1e9, logits.dtype), logits)
        return tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(target, logits))

    @property
    def metrics(self):
        return [self.loss_tracker]

    def train_step(self, data):
        videos, tokens = data[0], self._ids(data[1])
        batch = tf.shape(videos)[0]
        videos = augment_videos(
            videos,
            ("translation",),
            lambda shape: keras.random.uniform(
                (batch, *shape), seed=self.seed_generator
            ),
        )
        with tf.GradientTape() as tape:
            loss = self.loss_of(videos, tokens, training=True)
            # Under mixed_float16 the optimizer is a LossScaleOptimizer.
            scaled = self.optimizer.scale_loss(loss)
        variables = self.trainable_variables
        self.optimizer.apply_gradients(zip(tape.gradient(scaled, variables), variables))
        self.steps_trained.assign_add(1)
        if self.memory_size:
            kept = self.memory_size - tf.minimum(batch, self.memory_size)
            self.memory.assign(
                tf.concat([tokens[: self.memory_size], self.memory[:kept]], axis=0)
            )
        self.loss_tracker.update_state(loss)
        return {"match": self.loss_tracker.result()}

    def get_config(self):
        return {
            **super().get_config(),
            "vocab_size": self.vocab_size,
            "sequence_length": self.sequence_length,
            "frames": self.frames,
            "size": self.size,
            "channels": self.channels,
            "dim": self.dim,
            "width": self.width,
            "temperature": self.temperature,
            "memory_size": self.memory_size,
            "seed": self.seed,
            "motion_stream": self.motion_stream,
            "classes": self.classes,
        }
