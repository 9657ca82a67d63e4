"""The exported module: a generator behind signatures that check every request.

Part of `tfvgan.export`; import the public names from there.
"""

from __future__ import annotations

from collections.abc import Callable

import keras
import tensorflow as tf

from tfvgan import conditions
from tfvgan.validation import check_num_classes

SIGNATURES = ("serving_default", "generate_from_seed", "generate_float")
"""Names of the exported signatures."""

DEFAULT_MAX_BATCH = 64
"""Default largest batch one request may ask for (enforced in-graph)."""

FLOAT_CONDITION_TOLERANCE = conditions.FLOAT_TOLERANCE
"""Float conditions must lie in ``[-1 - tol, 1 + tol]`` (resampling overshoot)."""


# --------------------------------------------------------------------- helpers
def to_uint8(video: tf.Tensor) -> tf.Tensor:
    """Maps a float video in ``[-1, 1]`` to uint8 ``[0, 255]``, in-graph.

    The TensorFlow twin of `tfvgan.video_io.to_uint8`: clip, scale by 127.5,
    round half to even.

    Args:
        video: float tensor of any shape.

    Returns:
        A uint8 tensor of the same shape.

    Example:

    >>> to_uint8(tf.constant([-1.0, 0.0, 1.0])).numpy().tolist()
    [0, 128, 255]
    """
    scaled = (tf.clip_by_value(video, -1.0, 1.0) + 1.0) * 127.5
    return tf.cast(tf.round(scaled), tf.uint8)


def _vectorizer(model) -> keras.layers.TextVectorization | None:
    if getattr(model, "condition_type", None) != "text":
        return None
    return getattr(model, "text_vectorizer", None)


def _model_condition_spec(model) -> tf.TensorSpec | None:
    """The generator-side condition spec (token ids for text models)."""
    # VideoGAN cannot be built without a resolvable `condition_spec`.
    return model.condition_spec


def condition_spec(model) -> tf.TensorSpec | None:
    """The `condition` input of the exported signatures, or None.

    Args:
        model: a `tfvgan.models.VideoGAN`.

    Returns:
        A `tf.TensorSpec` named ``"condition"`` with batch dimension None:
        int32 ``[None]`` labels, string ``[None]`` captions (text models with
        a ``text_vectorizer``), int32 token ids ``[None, L]`` (text models
        without one), float32 ``[None, H, W, C]`` first frames, float32
        ``[None, T, h, w, C]`` low-resolution clips or float32
        ``[None, k, H, W, C]`` context frames. None when the model is
        unconditional.

    Example:

    >>> condition_spec(label_gan)  # doctest: +SKIP
    TensorSpec(shape=(None,), dtype=tf.int32, name='condition')
    """
    spec = _model_condition_spec(model)
    if spec is not None:
        kind = conditions.get(model.condition_type)
        spec = kind.serving_spec(spec, _vectorizer(model) is not None)
    if spec is None:
        return None
    if model.condition_type == "label" and spec.shape.rank != 1:
        raise ValueError(
            f"expected label conditions of shape (None,), got {spec.shape}."
        )
    return spec


def _custom_prepare(model) -> bool:
    """Whether `model` converts conditions in a `prepare_condition` of its own
    class (not tfvgan's, whose checks `tfvgan.conditions` already applies)."""
    from tfvgan import models

    own = {
        cls.prepare_condition
        for cls in (models.VideoGAN, *models.MODELS.values())
        if "prepare_condition" in vars(cls)
    }
    return type(model).prepare_condition not in own


def _num_classes(model, num_classes: int | None) -> int | None:
    if model.condition_type != "label":
        return None
    own = getattr(model, "num_classes", None)
    if num_classes is not None and own is not None and num_classes != own:
        raise ValueError(
            f"num_classes={num_classes} differs from the model's {own}: the "
            "export would accept labels the model has no class for."
        )
    if num_classes is None:
        num_classes = own
    if num_classes is None:
        raise ValueError(
            f"{type(model).__name__} has label conditions but no `num_classes`; "
            "pass num_classes= so the export can reject out-of-range labels."
        )
    check_num_classes(num_classes)
    return int(num_classes)


# ---------------------------------------------------------------- the module
def _after(checks, tensor):
    """`tensor`, computed only after the assertion ops `checks` have passed.

    A data dependency, so the generator never runs on (and a GPU gather never
    silently clamps) a value that failed a check.
    """
    checks = [c for c in checks if c is not None]  # None: passed statically
    if not checks:
        return tensor
    with tf.control_dependencies(checks):
        return tf.identity(tensor)


def _tf_variable(variable) -> tf.Variable:
    if isinstance(variable, tf.Variable):
        return variable
    inner = getattr(variable, "value", None)  # keras.Variable on TensorFlow
    if not isinstance(inner, tf.Variable):
        raise TypeError(
            f"expected generator variables backed by tf.Variable (Keras on the "
            f"TensorFlow backend), got {type(variable).__name__} {variable.path!r}."
        )
    return inner


class _GeneratorModule(tf.Module):
    """The exported object: the generator (+ vectorizer) and three functions."""

    def __init__(
        self,
        model,
        generator: keras.layers.Layer,
        max_batch: int,
        num_classes: int | None,
    ):
        super().__init__(name="tfvgan_generator")
        self.generator = generator
        # The functions capture the tf.Variables behind the Keras variables.
        # Tracking those directly gives them initializers and restore ops in
        # the exported graph, which the TF1-style loader of TF Serving and
        # `saved_model_cli run` need; tracked only through Keras they restore
        # under `tf.saved_model.load` alone ("Could not find variable ...").
        self.generator_variables = [_tf_variable(v) for v in generator.variables]
        vectorizer = _vectorizer(model)
        if vectorizer is not None:
            self.text_vectorizer = vectorizer
        # Plain attributes and bound methods only: assigning the model itself
        # would make the export track (and save) the whole VideoGAN.
        self._condition = None
        self._limit = None
        self._model_prepare = None
        if model.condition_type is not None:
            # One owner of a condition's checks (`tfvgan.conditions`): the
            # served request gets the model's own, once. A subclass's own
            # `prepare_condition` (one tfvgan's variants do not define) runs
            # after them, as in `generate`.
            self._condition = conditions.get(model.condition_type)
            self._limit = num_classes or self._condition.limit(model)
            if _custom_prepare(model):
                self._model_prepare = model.prepare_condition
        self._call_generator = model.call_generator
        self._max_batch = int(max_batch)
        noise_spec = tf.TensorSpec((None, model.latent_dim), tf.float32, name="noise")
        seed_spec = tf.TensorSpec((None,), tf.int64, name="seed")
        cond_spec = condition_spec(model)

        def uint8_out(noise, condition=None):
            return {"video": to_uint8(self._generate(noise, condition))}

        def float_out(noise, condition=None):
            return {"video": self._generate(noise, condition)}

        def seed_out(seed, condition=None):
            noise = model.noise_from_seeds(self._check_batch(seed, "seed"))
            return {"video": to_uint8(self._generate(noise, condition))}

        if cond_spec is None:
            self.serving_default = tf.function(
                lambda noise: uint8_out(noise), input_signature=[noise_spec]
            )
            self.generate_float = tf.function(
                lambda noise: float_out(noise), input_signature=[noise_spec]
            )
            self.generate_from_seed = tf.function(
                lambda seed: seed_out(seed), input_signature=[seed_spec]
            )
        else:
            self.serving_default = tf.function(
                lambda noise, condition: uint8_out(noise, condition),
                input_signature=[noise_spec, cond_spec],
            )
            self.generate_float = tf.function(
                lambda noise, condition: float_out(noise, condition),
                input_signature=[noise_spec, cond_spec],
            )
            self.generate_from_seed = tf.function(
                lambda seed, condition: seed_out(seed, condition),
                input_signature=[seed_spec, cond_spec],
            )

    def signatures(self) -> dict[str, Callable]:
        return {name: getattr(self, name) for name in SIGNATURES}

    def _check_batch(self, tensor, name):
        """`tensor`, usable only once its batch passed the `max_batch` check."""
        check = tf.debugging.assert_less_equal(
            tf.shape(tensor, out_type=tf.int64)[0],
            tf.constant(self._max_batch, tf.int64),
            message=(
                f"batch too large: {name} has more rows than max_batch="
                f"{self._max_batch}, the largest batch this export accepts; "
                "split the request"
            ),
        )
        return _after([check], tensor)

    def _prepare_condition(self, condition, batch):
        checks = [
            tf.debugging.assert_equal(
                tf.shape(condition)[0],
                batch,
                message="condition batch size must equal the noise/seed batch size",
            )
        ]
        condition = _after(checks, condition)
        if condition.dtype == tf.string:
            condition = self.text_vectorizer(condition)
        condition = self._condition.check_served(condition, self._limit)
        if self._model_prepare is not None:
            condition = self._model_prepare(condition)
        return condition

    def _generate(self, noise, condition=None):
        noise = self._check_batch(noise, "noise")
        noise = tf.debugging.assert_all_finite(noise, "noise must be finite")
        if condition is not None:
            condition = self._prepare_condition(condition, tf.shape(noise)[0])
        video = self._call_generator(
            noise, condition, training=False, generator=self.generator
        )
        return tf.cast(video, tf.float32)
