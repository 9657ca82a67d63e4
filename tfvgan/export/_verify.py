"""Checks that a written export reproduces the in-memory generator.

Part of `tfvgan.export`; import the public names from there.
"""

from __future__ import annotations

import contextlib
import logging
import os

import numpy as np
import tensorflow as tf

from tfvgan import conditions
from tfvgan.export._signatures import (
    SIGNATURES,
    _model_condition_spec,
    _num_classes,
    _vectorizer,
    condition_spec,
    to_uint8,
)

_VERIFY_FLOAT_ATOL = 1e-5  # float32 generators; half precision: see below
_VERIFY_SEEDS = (0, 1)


class ExportError(RuntimeError):
    """The written SavedModel does not reproduce the in-memory generator."""


# -------------------------------------------------------------- verification
def _example_condition(model, spec: tf.TensorSpec, num_classes, batch: int):
    """Fixed, valid conditions for the post-export check."""
    if spec is None:
        return None
    if spec.dtype == tf.string:
        vocab = [w for w in _vectorizer(model).get_vocabulary() if w]
        words = [w for w in vocab if not w.startswith("[")] or ["x"]
        captions = [" ".join(words[i % len(words) :][:4]) for i in range(batch)]
        return tf.constant(captions)
    shape = (batch, *spec.shape[1:])
    if model.condition_type == "label":
        return tf.constant(np.arange(batch) % num_classes, spec.dtype)
    if spec.dtype.is_integer:  # token ids of unknown vocabulary: small ids
        return tf.constant(np.arange(np.prod(shape)).reshape(shape) % 2, spec.dtype)
    values = tf.random.stateless_uniform(shape, seed=[7, 11], minval=-1.0, maxval=1.0)
    if model.condition_type == "masked":  # clips, and a box mask each
        clips = values[..., :-1].numpy()
        return tf.constant(conditions.get("masked").from_clips(clips))
    return values


def _reference(model, use_ema, noise, condition):
    """The in-memory model's float output: eager `generate`, no export code."""
    if condition is not None and condition.dtype == tf.string:
        spec = _model_condition_spec(model)
        condition = tf.cast(_vectorizer(model)(condition), spec.dtype)
    return np.asarray(
        model.generate(noise=noise, condition=condition, use_ema=use_ema),
        np.float32,
    )


def _uint8_mismatch(got: np.ndarray, reference: np.ndarray, atol: float) -> int:
    """Count of uint8 pixels that differ, ignoring exact ties of float noise.

    A pixel whose reference float lies within `atol` of a rounding boundary
    may legitimately round either way in graph vs eager execution.
    """
    expected = to_uint8(tf.constant(reference)).numpy()
    diff = got.astype(np.int16) - expected.astype(np.int16)
    scaled = (np.clip(reference, -1.0, 1.0) + 1.0) * 127.5
    near_tie = np.abs(scaled - np.floor(scaled) - 0.5) <= atol * 127.5
    return int(np.sum((diff != 0) & ~((np.abs(diff) == 1) & near_tie)))


def _verify_atol(model, use_ema: bool) -> float:
    """How far the export may differ from the in-memory generator.

    1e-5 for a float32 generator. A generator that computes in bfloat16 or
    float16 rounds to that precision's epsilon (2**-7, 2**-10) after every
    op, and the SavedModel's graph (Grappler's fusions, another op order)
    may round at other places than eager execution (measured 3.8e-5 and
    4.6e-5 on the tiny float16 MoCoGAN preset in two runs, 0 on the other
    tiny presets in both half precisions). The check stays far tighter than
    a wrong export's difference (order 0.1 to 1).
    """
    generator = model.sampling_generator(use_ema)
    dtype = generator.dtype_policy.compute_dtype
    if dtype == "float32":
        return _VERIFY_FLOAT_ATOL
    return float(np.finfo(np.float16).eps if dtype == "float16" else 2.0**-7)


def verify_export(
    path: str | os.PathLike,
    model,
    use_ema: bool = True,
    condition=None,
    num_classes: int | None = None,
    atol: float | None = None,
) -> None:
    """Reloads an export and checks it against the in-memory generator.

    Args:
        path: a SavedModel folder written by `export_generator`.
        model: the `VideoGAN` it was exported from.
        use_ema: which generator was exported.
        condition: conditions for the check (2 rows, in the export's input
            format); default: fixed valid examples.
        num_classes: label count of label-conditional models.
        atol: float tolerance; default 1e-5, or the epsilon of the
            generator's compute dtype under a mixed-precision policy.

    Raises:
        ExportError: a signature is missing or its output differs: uint8
            pixels unequal, or floats further apart than `atol`.

    Example:

    >>> verify_export("/models/tfvgan/3", gan)  # doctest: +SKIP
    """
    if atol is None:
        atol = _verify_atol(model, use_ema)
    loaded = tf.saved_model.load(os.fspath(path))
    missing = sorted(set(SIGNATURES) - set(loaded.signatures.keys()))
    if missing:
        raise ExportError(f"export {path} lacks signatures {missing}.")
    spec = condition_spec(model)
    num_classes = _num_classes(model, num_classes)
    seeds = tf.constant(_VERIFY_SEEDS, tf.int64)
    noise = model.noise_from_seeds(seeds)
    if spec is not None and condition is None:
        condition = _example_condition(model, spec, num_classes, len(_VERIFY_SEEDS))
    extra = {} if spec is None else {"condition": tf.convert_to_tensor(condition)}
    reference = _reference(model, use_ema, noise, extra.get("condition"))
    outputs = {
        "generate_float": loaded.signatures["generate_float"](noise=noise, **extra),
        "serving_default": loaded.signatures["serving_default"](noise=noise, **extra),
        "generate_from_seed": loaded.signatures["generate_from_seed"](
            seed=seeds, **extra
        ),
    }
    outputs["serving_default (TF1 session)"] = {
        "video": _run_in_session(path, "serving_default", {"noise": noise, **extra})
    }
    for name, out in outputs.items():
        video = np.asarray(out["video"])
        if video.shape != reference.shape:
            raise ExportError(
                f"export {path}: signature {name!r} returned shape {video.shape}, "
                f"expected {reference.shape} like the in-memory generator."
            )
        if name == "generate_float":
            err = float(np.max(np.abs(video - reference)))
            if not err <= atol:
                raise ExportError(
                    f"export {path}: signature 'generate_float' differs from the "
                    f"in-memory generator by {err:.3g} (max abs), expected <= {atol}."
                )
        else:
            bad = _uint8_mismatch(video, reference, atol)
            if bad:
                raise ExportError(
                    f"export {path}: signature {name!r} has {bad} uint8 pixels that "
                    "differ from the in-memory generator, expected none."
                )


@contextlib.contextmanager
def _tf_python_warnings_off():
    """Raises TensorFlow's Python logger to ERROR for the block."""
    logger = tf.get_logger()
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _run_in_session(path, signature: str, inputs: dict) -> np.ndarray:
    """Runs a signature the way TF Serving does: TF1 graph, session, feeds.

    The TF1 loader is the point of this check, so its deprecation notice
    ("load ... is deprecated, use tf.saved_model.load") is not shown.
    """
    feeds_np = {k: np.asarray(v) for k, v in inputs.items()}
    with (
        _tf_python_warnings_off(),
        tf.Graph().as_default(),
        tf.compat.v1.Session() as sess,
    ):
        meta = tf.compat.v1.saved_model.loader.load(
            sess, [tf.saved_model.SERVING], os.fspath(path)
        )
        sig = meta.signature_def[signature]
        feeds = {sig.inputs[k].name: v for k, v in feeds_np.items()}
        return sess.run(sig.outputs["video"].name, feed_dict=feeds)
