"""`ConditionType` and one subclass per condition a model takes.

Part of `tfvgan.conditions`; import the names from there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # TensorFlow loads when a condition is first used.
    import tensorflow as tf

from tfvgan import masking
from tfvgan.conditions._baselines import copy_last_frame, cross_fade, downscale_clips
from tfvgan.conditions._checks import (
    FLOAT_TOLERANCE,
    check_context_frames,
    check_ids,
    keyframe_indices,
)
from tfvgan.validation import check_choice


class ConditionType:
    """How one kind of condition is shaped, checked, served and evaluated.

    Attributes:
        name: the model's ``condition_type``.
        data_condition: the ``condition=`` argument of the `tfvgan.data`
            sources that yields it.
        dtype: the model's condition dtype (a name, e.g. ``"int32"``).
        baseline_name: the trivial baseline of `baseline`, or None.
    """

    name: str = ""
    data_condition: str = ""
    dtype = "float32"
    baseline_name: str | None = None

    def model_options(self, model) -> dict:
        """The options of this condition that `model` fixes (its
        `condition_spec`), as the data sources and `from_clips` take them,
        e.g. ``{"downscale": 4}``."""
        return {}

    def scored_frames(self, condition, frames: int) -> np.ndarray:
        """The frames of a model's clip that are scored against the real
        one (PSNR/SSIM): all of them, or those it was not given."""
        return np.arange(frames)

    def scored_mask(self, condition) -> np.ndarray | None:
        """The pixels of those frames that are scored, ``(B, T, H, W, 1)``
        with 1 where scored (inpainting: the hidden ones), or None for
        every pixel."""
        return None

    # ------------------------------------------------------------- shapes
    def shape(self, frames: int, size: int, channels: int, **options) -> tuple:
        """The per-clip condition shape of a model making such clips.

        Args:
            frames, size, channels: the model's clip shape.
            **options: ``downscale`` (video), ``sequence_length`` (text),
                ``context_frames`` (frames), ``keyframe_interval``
                (keyframes).
        """
        raise NotImplementedError

    def spec(self, shape) -> tf.TensorSpec:
        """The `tf.TensorSpec` of a condition batch of per-clip `shape`."""
        import tensorflow as tf

        return tf.TensorSpec((None, *shape), self.dtype, name="condition")

    def serving_spec(self, spec, has_vectorizer: bool = False) -> tf.TensorSpec:
        """The ``condition`` input of the exported signatures, from the
        model's own `spec` (`VideoGAN.condition_spec`)."""
        return spec

    def limit(self, model) -> int | None:
        """The exclusive upper bound of `model`'s integer ids, or None."""
        return None

    # ------------------------------------------------------------- checks
    def check(self, condition: tf.Tensor, limit: int | None = None) -> tf.Tensor:
        """A condition batch as the generator takes it (dtype, id range).

        Raises:
            ValueError: a wrong dtype, or (eagerly) ids out of range.
        """
        import tensorflow as tf

        if not condition.dtype.is_floating:
            raise ValueError(
                f"expected a float {self.name} condition in [-1, 1], got "
                f"dtype {condition.dtype.name}."
            )
        return tf.cast(condition, tf.float32)

    def check_served(self, condition: tf.Tensor, limit: int | None = None):
        """`check`, plus in-graph value checks for a served request.

        Float conditions must be finite and within ``[-1, 1]`` (up to
        `FLOAT_TOLERANCE`); NaN fails the comparison too.
        """
        import tensorflow as tf

        message = (
            f"{self.name} condition must be finite and in [-1, 1] "
            "(uint8 pixels p map to p / 127.5 - 1)"
        )
        bound = tf.constant(1.0 + FLOAT_TOLERANCE, condition.dtype)
        check = tf.debugging.assert_less_equal(
            tf.abs(condition), bound, message=message
        )
        with tf.control_dependencies([check]):
            condition = tf.identity(condition)
        return self.check(condition, limit)

    # --------------------------------------------------------- evaluation
    def from_clips(self, clips, labels=None, captions=None, **options):
        """The conditions of real `clips` (``(B, T, H, W, C)`` in [-1, 1]):
        what a model is asked to generate from when it is evaluated.

        Args:
            clips: the real clips.
            labels: their class ids (label conditions).
            captions: their captions (text conditions).
            **options: ``downscale`` (video), ``context_frames`` (frames),
                ``keyframe_interval`` (keyframes), ``mask_size`` (masked).

        Raises:
            ValueError: the source gave no labels/captions this type needs.
        """
        raise NotImplementedError

    def baseline(self, clips, condition) -> np.ndarray | None:
        """The trivial answer a model must beat (`baseline_name`), or None."""
        return None

    def from_request(self, num: int, labels=None, caption=None):
        """The condition batch of a command-line request (``--labels``,
        ``--caption``), or None when neither is given.

        Raises:
            ValueError: a flag this condition type does not take, or both.
        """
        if labels and caption:
            raise ValueError("give labels or caption, not both.")
        condition = self._from_flags(num, labels, caption)
        if condition is not None:
            return condition
        if labels:
            raise ValueError(
                f"--labels needs a label-conditional model; this one takes "
                f"{self.name!r} conditions."
            )
        if caption:
            raise ValueError(
                f"--caption needs a text-conditional model; this one takes "
                f"{self.name!r} conditions."
            )
        return None

    def _from_flags(self, num, labels, caption):
        """The condition of the flags this type takes, or None."""
        return None


class _Ids(ConditionType):
    """Integer ids below a model's `limit`: their range is the whole check."""

    dtype = "int32"

    def check(self, condition, limit=None):
        return check_ids(condition, limit, self.name)

    def check_served(self, condition, limit=None):
        return self.check(condition, limit)


class _Label(_Ids):
    name = "label"
    data_condition = "label"

    def shape(self, frames, size, channels, **options):
        return ()

    def limit(self, model):
        return getattr(model, "num_classes", None)

    def from_clips(self, clips, labels=None, captions=None, **options):
        if labels is None:
            raise ValueError("label conditions need labels; the source gave none.")
        return np.asarray(labels)

    def _from_flags(self, num, labels, caption):
        return np.resize(np.asarray(labels, np.int32), num) if labels else None


class _Text(_Ids):
    name = "text"
    data_condition = "caption"

    def shape(self, frames, size, channels, sequence_length=16, **options):
        return (sequence_length,)

    def serving_spec(self, spec, has_vectorizer=False):
        import tensorflow as tf

        if has_vectorizer:  # captions as strings, tokenized in the graph
            return tf.TensorSpec((None,), tf.string, name="condition")
        return spec

    def limit(self, model):
        vocabulary = getattr(model, "vocabulary", None)
        if vocabulary:
            return len(vocabulary)
        vectorizer = getattr(model, "text_vectorizer", None)
        return None if vectorizer is None else int(vectorizer.vocabulary_size())

    def from_clips(self, clips, labels=None, captions=None, **options):
        if captions is None:
            raise ValueError(
                "text-conditioned models are scored on moving_digits captions; "
                "the source has none."
            )
        return np.asarray(captions)

    def _from_flags(self, num, labels, caption):
        return np.asarray([caption] * num) if caption else None


class _Image(ConditionType):
    name = "image"
    data_condition = "first_frame"
    baseline_name = "copy_first_frame"

    def shape(self, frames, size, channels, **options):
        return (size, size, channels)

    def from_clips(self, clips, labels=None, captions=None, **options):
        return np.asarray(clips)[:, 0]

    def baseline(self, clips, condition):
        clips = np.asarray(clips)
        return np.repeat(clips[:, :1], clips.shape[1], axis=1)


class _Video(ConditionType):
    name = "video"
    data_condition = "low_res"
    baseline_name = "bicubic"

    def shape(self, frames, size, channels, downscale=4, **options):
        return (frames, size // downscale, size // downscale, channels)

    def model_options(self, model):
        return {"downscale": model.size // model.condition_spec.shape[-2]}

    def from_clips(self, clips, labels=None, captions=None, downscale=4, **options):
        return downscale_clips(clips, downscale).numpy()

    def baseline(self, clips, condition):
        """Per-frame bicubic upscaling of the low-resolution clips."""
        import tensorflow as tf

        b, t, h, w, c = condition.shape
        size = np.asarray(clips).shape[2]
        frames = tf.reshape(tf.convert_to_tensor(condition, tf.float32), (-1, h, w, c))
        up = tf.image.resize(frames, (size, size), method="bicubic")
        return np.clip(tf.reshape(up, (b, t, size, size, c)).numpy(), -1.0, 1.0)


class _Frames(ConditionType):
    """The first ``k`` frames of the clip (`context_frames`); the model
    continues them. Its clips start with those frames, so only the frames
    after them are scored."""

    name = "frames"
    data_condition = "context_frames"
    baseline_name = "copy_last_frame"

    def shape(self, frames, size, channels, context_frames=2, **options):
        k = check_context_frames(context_frames, frames)
        return (k, size, size, channels)

    def model_options(self, model):
        return {"context_frames": model.condition_spec.shape[1]}

    def scored_frames(self, condition, frames):
        return np.arange(int(np.shape(condition)[1]), frames)

    def from_clips(
        self, clips, labels=None, captions=None, context_frames=2, **options
    ):
        clips = np.asarray(clips)
        k = check_context_frames(context_frames, clips.shape[1])
        return clips[:, :k]

    def baseline(self, clips, condition):
        return copy_last_frame(condition, np.asarray(clips).shape[1])


class _Keyframes(ConditionType):
    """Frames ``0, n, 2n, ..., T - 1`` of the clip (every
    `keyframe_interval`-th, the last included; by default the first and
    the last); the model fills in the frames between them, which are the
    ones scored."""

    name = "keyframes"
    data_condition = "keyframes"
    baseline_name = "cross_fade"

    def shape(self, frames, size, channels, keyframe_interval=None, **options):
        m = len(keyframe_indices(frames, keyframe_interval))
        return (m, size, size, channels)

    def model_options(self, model):
        gaps = model.condition_spec.shape[1] - 1
        return {"keyframe_interval": (model.frames - 1) // gaps}

    def scored_frames(self, condition, frames):
        gaps = int(np.shape(condition)[1]) - 1
        keys = keyframe_indices(frames, (frames - 1) // gaps)
        return np.setdiff1d(np.arange(frames), keys)

    def from_clips(
        self, clips, labels=None, captions=None, keyframe_interval=None, **options
    ):
        clips = np.asarray(clips)
        return clips[:, keyframe_indices(clips.shape[1], keyframe_interval)]

    def baseline(self, clips, condition):
        return cross_fade(condition, np.asarray(clips).shape[1])


class _Masked(ConditionType):
    """The clip with a region hidden in its frames, and the mask on one more
    channel (`tfvgan.masking`); the model fills in the hidden pixels, the
    only ones scored. Real clips are masked with a box per clip
    (`masking.box_masks`, ``mask_size`` pixels a side)."""

    name = "masked"
    data_condition = "masked"
    baseline_name = "fill"

    def shape(self, frames, size, channels, **options):
        return (frames, size, size, channels + 1)

    def model_options(self, model):
        mask_size = getattr(model, "mask_size", None)
        return {"mask_size": mask_size or model.size // 2}

    def check(self, condition, limit=None):
        """Also (eagerly) that the last channel is a 0/1 mask."""
        import tensorflow as tf

        condition = super().check(condition, limit)
        if condition.shape.rank is not None and condition.shape[-1] is not None:
            if condition.shape[-1] < 2:
                raise ValueError(
                    "expected a masked condition (B, T, H, W, C + 1), the mask on "
                    f"its last channel, got shape {condition.shape}"
                )
        if tf.executing_eagerly():
            mask = condition[..., -1]
            if not bool(tf.reduce_all((mask == 0.0) | (mask == 1.0))):
                raise ValueError(
                    "expected the masked condition's last channel a mask of 0s "
                    "and 1s (1 = hidden); tfvgan.masking.masked_condition "
                    "builds one"
                )
        return condition

    def check_served(self, condition, limit=None):
        import tensorflow as tf

        condition = super().check_served(condition, limit)
        mask = condition[..., -1]
        binary = tf.reduce_all(tf.equal(mask, 0.0) | tf.equal(mask, 1.0))
        check = tf.debugging.Assert(
            binary, ["masked condition: the last channel must be a 0/1 mask"]
        )
        with tf.control_dependencies([check]):
            return tf.identity(condition)

    def scored_mask(self, condition):
        return masking.split_condition(condition)[1]

    def from_clips(self, clips, labels=None, captions=None, mask_size=None, **options):
        clips = np.asarray(clips, np.float32)
        mask = masking.box_masks(clips, mask_size or clips.shape[2] // 2)
        return masking.masked_condition(clips, np.asarray(mask))

    def baseline(self, clips, condition):
        return masking.fill_baseline(clips, condition)


#: Every condition type, by name.
CONDITION_TYPES: dict[str, ConditionType] = {
    c.name: c
    for c in (
        _Label(),
        _Text(),
        _Image(),
        _Video(),
        _Frames(),
        _Keyframes(),
        _Masked(),
    )
}


def get(name: str) -> ConditionType:
    """The `ConditionType` named `name` (a model's ``condition_type``).

    Raises:
        ValueError: an unknown name (the message lists the known ones).
    """
    check_choice("condition_type", name, tuple(CONDITION_TYPES))
    return CONDITION_TYPES[name]
