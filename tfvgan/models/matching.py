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
"""

from __future__ import annotations

import keras
import tensorflow as tf
from keras import ops

from tfvgan.augment import augment_videos
from tfvgan.layers import TextEncoder

__all__ = ["CaptionClipMatcher", "matching_loss"]


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
        **kwargs,
    ):
        super().__init__(**kwargs)
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
                keras.layers.Dense(dim),
            ],
            name="clip_encoder",
        )
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
        # Token ids of recent training captions (all padding until filled).
        self.memory = self.add_weight(
            shape=(memory_size, sequence_length),
            initializer="zeros",
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
        self.text_encoder(ops.zeros((1, self.sequence_length), "int32"))

    @property
    def feature_dim(self) -> int:
        """Size of `clip_features`."""
        return 4 * self.width

    def clip_features(self, videos):
        """The clip encoder's pooled features ``(B, feature_dim)``, before
        its last layer: what a critic head can read (`DualDiscriminator`)."""
        x = videos
        for layer in self.clip_encoder.layers[:-1]:
            x = layer(x)
        return x

    def text_features(self, tokens):
        """The caption encoder's output ``(B, dim)``, not normalized."""
        return self.text_encoder(tokens)

    def embed_clips(self, videos, training=False):
        """Unit-norm clip embeddings ``(B, dim)`` of videos in [-1, 1]."""
        return _unit(self.clip_encoder(videos, training=training))

    def embed_text(self, tokens):
        """Unit-norm caption embeddings ``(B, dim)`` of token ids."""
        return _unit(self.text_encoder(tokens))

    def call(self, inputs, training=False):
        videos, tokens = inputs
        return self.embed_clips(videos, training=training), self.embed_text(tokens)

    def loss_of(self, videos, tokens, training=False) -> tf.Tensor:
        """`matching_loss` of clips and their captions' token ids."""
        clips, texts = self([videos, tokens], training=training)
        return matching_loss(clips, texts, tokens, self.temperature)

    def generated_loss(self, videos, tokens) -> tf.Tensor:
        """How far generated clips are from their captions, for a generator.

        Each clip's caption is ranked against the batch's captions and the
        `memory` of training captions (cross-entropy of the clip-to-caption
        similarities; identical token ids count as the same caption).
        """
        tokens = tf.cast(tokens, tf.int32)
        clips, texts = self([videos, tokens])
        candidates, candidate_tokens = texts, tokens
        if self.memory_size:
            memory = tf.convert_to_tensor(self.memory)
            candidates = tf.concat([texts, self.embed_text(memory)], axis=0)
            candidate_tokens = tf.concat([tokens, memory], axis=0)
        target = _positives(tokens, candidate_tokens)
        logits = tf.matmul(clips, tf.cast(candidates, clips.dtype), transpose_b=True)
        return tf.reduce_mean(
            tf.nn.softmax_cross_entropy_with_logits(target, logits / self.temperature)
        )

    @property
    def metrics(self):
        return [self.loss_tracker]

    def train_step(self, data):
        videos, tokens = data[0], tf.cast(data[1], tf.int32)
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
        }
