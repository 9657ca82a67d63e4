"""Caption conditioning shared by the text-conditioned variants.

A text-conditioned model keeps its vocabulary (a constructor argument, so it
is saved with the model) and a `keras.layers.TextVectorization` built from
it, so that `generate`, `fit` and the exported signatures accept caption
strings as well as token ids. Nothing here parses a caption: the networks
see token ids only, so a user's own captions and vocabulary work the same
way.
"""

from __future__ import annotations

import keras
import tensorflow as tf

__all__ = ["RESERVED_TOKENS", "TextConditioned", "full_vocabulary", "text_vectorizer"]

#: The ids `TextVectorization` reserves: 0 padding, 1 out-of-vocabulary.
RESERVED_TOKENS = ["", "[UNK]"]


def full_vocabulary(vocabulary) -> list[str]:
    """`vocabulary` with the padding and ``[UNK]`` tokens first.

    Accepts `TextVectorization.get_vocabulary()` (which already starts with
    them) or a plain word list. Raises `ValueError` for a missing one.
    """
    if vocabulary is None or isinstance(vocabulary, str) or not list(vocabulary):
        raise ValueError(
            "a text-conditioned model needs vocabulary= (a word list, e.g. "
            "tfvgan.data.caption_vectorizer(captions).get_vocabulary()), got "
            f"{vocabulary!r}."
        )
    vocabulary = [str(word) for word in vocabulary]
    if vocabulary[:2] != RESERVED_TOKENS:
        vocabulary = [*RESERVED_TOKENS, *vocabulary]
    return vocabulary


def text_vectorizer(vocabulary, sequence_length: int):
    """The `TextVectorization` of a full vocabulary (see `full_vocabulary`)."""
    return keras.layers.TextVectorization(
        vocabulary=list(vocabulary)[2:],
        output_sequence_length=sequence_length,
        name="text_vectorizer",
    )


class TextConditioned:
    """Mixin of a `VideoGAN` with ``condition_type == "text"``.

    Needs ``self.text_vectorizer`` (None when the model is not a text model).
    """

    text_vectorizer = None

    def tokenize(self, captions) -> tf.Tensor:
        """Caption strings `(B,)` -> int32 token ids `(B, sequence_length)`.

        Out-of-vocabulary words map to the ``[UNK]`` id 1, an empty caption
        to all padding, and words past `sequence_length` are cut off.
        """
        if self.text_vectorizer is None:
            raise ValueError("tokenize() is for condition_type='text' models.")
        return tf.cast(self.text_vectorizer(tf.convert_to_tensor(captions)), tf.int32)

    def _tokens(self, condition):
        """Token ids for a text model's condition: strings are tokenized."""
        condition = tf.convert_to_tensor(condition)
        if self.text_vectorizer is not None and condition.dtype == tf.string:
            condition = self.tokenize(tf.reshape(condition, [-1]))
        return condition
