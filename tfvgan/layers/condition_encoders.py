"""Encoders that turn a condition (label, caption, frame) into a vector."""

from __future__ import annotations

import math

import keras
from keras import ops

from tfvgan.layers.activations import leaky_relu


@keras.saving.register_keras_serializable(package="tfvgan")
class LabelEncoder(keras.layers.Layer):
    """Integer class id `(B,)` -> embedding `(B, dim)`.

    Args:
        num_classes: number of classes; ids must lie in `[0, num_classes)`.
        dim: embedding size.
        embeddings_initializer: initializer of the embedding table;
            default unit normal (``RandomNormal(stddev=1.0)``), the scale of
            the noise a label is concatenated to. `keras.layers.Embedding`'s
            own default (uniform in [-0.05, 0.05]) leaves the label about
            1/500 of the noise's variance, and the quick-start models barely
            read it within their 640 steps (docs/QUICKSTART_TUNING.md,
            round 11).

    Example:

    ```python
    LabelEncoder(num_classes=10, dim=16)(keras.ops.array([3, 7]))  # (2, 16)
    ```

    Reference:
        Mirza & Osindero 2014, "Conditional Generative Adversarial Nets",
        https://arxiv.org/abs/1411.1784
    """

    def __init__(
        self,
        num_classes: int,
        dim: int = 16,
        embeddings_initializer=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.num_classes = num_classes
        self.dim = dim
        if embeddings_initializer is None:
            embeddings_initializer = keras.initializers.RandomNormal(stddev=1.0)
        self.embeddings_initializer = keras.initializers.get(embeddings_initializer)
        self.embedding = keras.layers.Embedding(
            num_classes, dim, embeddings_initializer=self.embeddings_initializer
        )

    def build(self, input_shape):
        self.embedding.build((None,))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.dim)

    def call(self, labels):
        labels = ops.reshape(ops.cast(labels, "int32"), (-1,))
        return self.embedding(labels)

    def get_config(self):
        return {
            **super().get_config(),
            "num_classes": self.num_classes,
            "dim": self.dim,
            "embeddings_initializer": keras.initializers.serialize(
                self.embeddings_initializer
            ),
        }


#: The `mode`s of `TextEncoder`.
TEXT_ENCODER_MODES = ("gru", "mean", "positional")


@keras.saving.register_keras_serializable(package="tfvgan")
class TextEncoder(keras.layers.Layer):
    """Caption token ids `(B, L)` -> vector `(B, dim)`; id 0 is padding.

    Token ids come from a `keras.layers.TextVectorization` adapted on the data
    set's captions (`tfvgan.data.caption_vectorizer`); no pretrained weights.

    Args:
        vocab_size: vocabulary size, including the padding and OOV ids.
        dim: output size.
        mode: `"gru"` (a GRU over the tokens), `"mean"` (masked mean of the
            embeddings, order-free and cheaper) or `"positional"` (the
            sum of one unit-normal vector per (position, token), padding
            left out: a caption whose words were each seen in training in
            their places encodes as a sum of trained terms even when the
            caption as a whole was never seen).

    Example:

    ```python
    TextEncoder(vocab_size=32, dim=16)(keras.ops.array([[4, 9, 2, 0]]))  # (1, 16)
    ```

    Reference:
        Reed et al. 2016, "Generative Adversarial Text to Image Synthesis",
        https://arxiv.org/abs/1605.05396
    """

    def __init__(self, vocab_size: int, dim: int = 32, mode: str = "gru", **kwargs):
        super().__init__(**kwargs)
        if mode not in TEXT_ENCODER_MODES:
            raise ValueError(f"mode must be one of {TEXT_ENCODER_MODES}, got {mode!r}.")
        self.vocab_size = vocab_size
        self.dim = dim
        self.mode = mode
        self.embedding = None
        if mode != "positional":
            self.embedding = keras.layers.Embedding(vocab_size, dim)
        self.gru = keras.layers.GRU(dim) if mode == "gru" else None

    def build(self, input_shape):
        if self.mode == "positional":
            length = input_shape[-1]
            if length is None:
                raise ValueError(
                    "mode='positional' needs a fixed sequence length, got "
                    f"token ids of shape {tuple(input_shape)}."
                )
            # One unit-normal vector per (position, token), as `LabelEncoder`:
            # each word moves the encoding as far as a class label does.
            self.table = self.add_weight(
                shape=(length * self.vocab_size, self.dim),
                initializer=keras.initializers.RandomNormal(stddev=1.0),
                name="positional_embeddings",
            )
            return
        self.embedding.build(input_shape)
        if self.gru is not None:
            self.gru.build((*input_shape, self.dim))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.dim)

    def call(self, tokens):
        tokens = ops.cast(tokens, "int32")
        mask = ops.not_equal(tokens, 0)
        if self.mode == "positional":
            positions = ops.arange(tokens.shape[-1], dtype="int32") * self.vocab_size
            x = ops.take(self.table, tokens + positions, axis=0)  # (B, L, dim)
            weights = ops.expand_dims(ops.cast(mask, x.dtype), -1)
            return ops.sum(x * weights, axis=1)
        x = self.embedding(tokens)
        if self.gru is not None:
            return self.gru(x, mask=mask)
        weights = ops.expand_dims(ops.cast(mask, x.dtype), -1)
        return ops.sum(x * weights, axis=1) / ops.maximum(ops.sum(weights, axis=1), 1.0)

    def get_config(self):
        return {
            **super().get_config(),
            "vocab_size": self.vocab_size,
            "dim": self.dim,
            "mode": self.mode,
        }


@keras.saving.register_keras_serializable(package="tfvgan")
class ImageEncoder(keras.layers.Layer):
    """A frame `(B, size, size, C)` in [-1, 1] -> vector `(B, dim)`.

    Stride-2 convolutions down to 4x4, then a dense projection.

    Args:
        size: frame size.
        dim: output size.
        width: channels of the first convolution, doubling per stage.

    Example:

    ```python
    ImageEncoder(size=32, dim=16)(keras.ops.zeros((2, 32, 32, 1)))  # (2, 16)
    ```

    Reference:
        Mirza & Osindero 2014, https://arxiv.org/abs/1411.1784 (the
        condition); Radford et al. 2016, https://arxiv.org/abs/1511.06434
        (stride-2 convolutions with leaky ReLU, as DCGAN's discriminator).
    """

    def __init__(self, size: int, dim: int = 64, width: int = 32, **kwargs):
        super().__init__(**kwargs)
        self.size = size
        self.dim = dim
        self.width = width
        stages = int(math.log2(size // 4))
        self.convs = [
            keras.layers.Conv2D(min(width * 2**i, 512), 4, 2, padding="same")
            for i in range(stages)
        ]
        self.flatten = keras.layers.Flatten()
        self.dense = keras.layers.Dense(dim)

    def build(self, input_shape):
        shape = tuple(input_shape)
        for conv in self.convs:
            conv.build(shape)
            shape = conv.compute_output_shape(shape)
        self.dense.build((shape[0], math.prod(shape[1:])))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.dim)

    def call(self, frame):
        h = frame
        for conv in self.convs:
            h = leaky_relu(conv(h), 0.2)
        return self.dense(self.flatten(h))

    def get_config(self):
        return {
            **super().get_config(),
            "size": self.size,
            "dim": self.dim,
            "width": self.width,
        }
