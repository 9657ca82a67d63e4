"""Exports a video GAN's generator as a SavedModel for TensorFlow Serving.

The export is the generator alone (the EMA copy when the model keeps one),
wrapped in a `tf.Module` whose `tf.function`s have explicit input signatures,
written in the ``<base_dir>/<version>/`` layout TF Serving watches. It loads
with plain `tf.saved_model.load`: no tfvgan, no Keras, no custom objects.

Signatures (names fixed; ``condition`` only for conditional models):

| signature            | inputs                     | output                               |
|----------------------|----------------------------|--------------------------------------|
| `serving_default`    | `noise`, (`condition`)     | `video` uint8 `[None, T, H, W, C]`   |
| `generate_from_seed` | `seed`, (`condition`)      | `video` uint8 `[None, T, H, W, C]`   |
| `generate_float`     | `noise`, (`condition`)     | `video` float32 in `[-1, 1]`         |

- `noise`: float32 `[None, latent_dim]`, finite.
- `seed`: int64 `[None]`; row ``i`` uses the noise
  ``stateless_normal((latent_dim,), seed=[seed_i, 0])``, exactly as
  `VideoGAN.noise_from_seeds`, so ``generate_from_seed(seed=[s, s+1, ...])``
  equals ``model.generate(n, seed=s)`` and a client needs no noise of its own.
- `condition`, by the model's ``condition_type``:
  - ``"label"``: int32 `[None]`, class ids in ``[0, num_classes)`` (checked
    in-graph).
  - ``"text"``: a **string** caption `[None]` when the model has a
    ``text_vectorizer`` (a `keras.layers.TextVectorization`, exported with its
    vocabulary and run inside the graph); otherwise the model's int32 token
    ids `[None, L]`.
  - ``"image"``: float32 `[None, H, W, C]` first frame in ``[-1, 1]``.
  - ``"video"``: float32 low-resolution clip `[None, T, h, w, C]` in ``[-1, 1]``.
  - ``"frames"``: float32 first frames `[None, k, H, W, C]` in ``[-1, 1]``.
  - ``"keyframes"``: float32 keyframes `[None, m, H, W, C]` in ``[-1, 1]``.
  - ``"masked"``: float32 `[None, T, H, W, C + 1]`: the clip in ``[-1, 1]``
    (hidden pixels 0) and its mask, 0 or 1, on the last channel (checked
    in-graph; `tfvgan.masking.masked_condition` builds one).

Bad requests fail at the boundary, never with a silent wrong answer: a wrong
dtype or shape is rejected by the input signature; a batch larger than
``max_batch``, a batch of conditions that does not match the noise batch, a
label out of range (`tfvgan.conditions.check_ids`), non-finite noise or a float condition outside
``[-1 - 0.01, 1 + 0.01]`` raise `InvalidArgumentError` from in-graph
assertions.

An export is written to a hidden temporary folder next to its target, reloaded
and compared with the in-memory generator on fixed inputs (uint8 equal, float
within ``1e-5``), and only then renamed into place, so a half-written or wrong
export never appears as a version.

Example:

```python
import tfvgan

path = tfvgan.export.export_generator(gan, "/models/tfvgan", keep=3)
served = tf.saved_model.load(path)
video = served.signatures["generate_from_seed"](seed=tf.constant([1, 2], tf.int64))
video["video"].shape  # (2, T, H, W, C), uint8
```

The command line is ``tfvgan-export`` (`tfvgan.cli.export`); a trained
model comes back from a run folder, checkpoint or ``.keras`` file with
`tfvgan.builders.load_model`.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import shutil
import uuid
from collections.abc import Callable

import keras
import numpy as np
import tensorflow as tf

from tfvgan import conditions
from tfvgan.validation import check_num_classes

__all__ = [
    "DEFAULT_MAX_BATCH",
    "ExportError",
    "SIGNATURES",
    "condition_spec",
    "export_generator",
    "METADATA_FILE",
    "list_versions",
    "to_uint8",
    "verify_export",
]

SIGNATURES = ("serving_default", "generate_from_seed", "generate_float")
"""Names of the exported signatures."""

DEFAULT_MAX_BATCH = 64
"""Default largest batch one request may ask for (enforced in-graph)."""

FLOAT_CONDITION_TOLERANCE = conditions.FLOAT_TOLERANCE
"""Float conditions must lie in ``[-1 - tol, 1 + tol]`` (resampling overshoot)."""

_VERIFY_FLOAT_ATOL = 1e-5  # float32 generators; half precision: see below
_VERIFY_SEEDS = (0, 1)
METADATA_FILE = "tfvgan_export.json"
"""The export's metadata file, in its ``assets.extra/`` folder."""
_VERSION_RE = re.compile(r"^[0-9]+$")


class ExportError(RuntimeError):
    """The written SavedModel does not reproduce the in-memory generator."""


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


def list_versions(base_dir: str | os.PathLike) -> list[int]:
    """Integer version folders under `base_dir`, ascending (TF Serving's view).

    Args:
        base_dir: the model's base folder; need not exist.

    Returns:
        Sorted version numbers; hidden temporary folders are not versions.

    Example:

    >>> list_versions("/models/tfvgan")  # doctest: +SKIP
    [1, 2, 3]
    """
    base_dir = os.fspath(base_dir)
    if not os.path.isdir(base_dir):
        return []
    return sorted(
        int(name)
        for name in os.listdir(base_dir)
        if _VERSION_RE.match(name) and os.path.isdir(os.path.join(base_dir, name))
    )


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


# ------------------------------------------------------------------- export
def _next_version(base_dir: str, version: int | None) -> int:
    existing = list_versions(base_dir)
    if version is None:
        return (existing[-1] + 1) if existing else 1
    if not isinstance(version, (int, np.integer)) or isinstance(version, bool):
        raise ValueError(f"version must be a positive integer, got {version!r}.")
    if version < 1:
        raise ValueError(f"version must be a positive integer, got {version!r}.")
    if os.path.exists(os.path.join(base_dir, str(version))):
        raise FileExistsError(
            f"version {version} already exists in {base_dir}; expected a new "
            f"version (existing: {existing}) or version=None for the next one."
        )
    return int(version)


def _prune(base_dir: str, keep: int, protect: int) -> list[int]:
    """Deletes all but the `keep` highest versions (never `protect`)."""
    versions = list_versions(base_dir)
    doomed = [v for v in versions[: max(len(versions) - keep, 0)] if v != protect]
    for v in doomed:
        shutil.rmtree(os.path.join(base_dir, str(v)))
    return doomed


def export_generator(
    model,
    base_dir: str | os.PathLike,
    version: int | None = None,
    keep: int | None = None,
    use_ema: bool = True,
    max_batch: int = DEFAULT_MAX_BATCH,
    num_classes: int | None = None,
    verify_condition=None,
) -> str:
    """Exports `model`'s generator as a verified, versioned SavedModel.

    Writes ``<base_dir>/<version>/`` with the signatures `serving_default`,
    `generate_from_seed` and `generate_float` (see the module docstring). The
    SavedModel is first written to a hidden temporary folder in `base_dir`,
    reloaded and compared with the in-memory generator, then renamed into
    place atomically; on any failure the temporary folder is removed and no
    version appears.

    Args:
        model: a `tfvgan.models.VideoGAN` (any variant).
        base_dir: the model's base folder, as given to TF Serving's
            ``--model_base_path``; created if missing.
        version: the version number; default: one more than the highest
            existing version (1 for an empty folder).
        keep: if set, keep only the `keep` highest-numbered versions after a
            successful export (the new one always survives).
        use_ema: export the EMA generator when the model has one.
        max_batch: the largest batch a request may ask for; larger requests
            raise `InvalidArgumentError` in-graph.
        num_classes: number of classes of a label-conditional model; default
            ``model.num_classes``. Labels outside ``[0, num_classes)`` are
            rejected in-graph.
        verify_condition: conditions (2 rows, in the export's input format)
            for the post-export check; default: fixed valid examples.

    Returns:
        The path of the new version folder.

    Raises:
        ValueError: bad arguments (the message names the value).
        FileExistsError: `version` already exists.
        ExportError: the reloaded export does not match the generator.

    Example:

    ```python
    path = export_generator(gan, "/models/tfvgan", keep=3)  # .../tfvgan/1
    ```
    """
    if not isinstance(max_batch, (int, np.integer)) or max_batch < 1:
        raise ValueError(f"max_batch must be a positive integer, got {max_batch!r}.")
    if keep is not None and (not isinstance(keep, (int, np.integer)) or keep < 1):
        raise ValueError(f"keep must be a positive integer or None, got {keep!r}.")
    for attr in ("latent_dim", "sampling_generator", "call_generator"):
        if not hasattr(model, attr):
            raise TypeError(
                f"expected a tfvgan VideoGAN (with `{attr}`), got {type(model).__name__}."
            )
    base_dir = os.fspath(base_dir)
    os.makedirs(base_dir, exist_ok=True)
    version = _next_version(base_dir, version)
    num_classes = _num_classes(model, num_classes)
    generator = model.sampling_generator(use_ema)
    module = _GeneratorModule(model, generator, max_batch, num_classes)

    # Hidden and non-numeric: TF Serving never mistakes it for a version.
    tmp = os.path.join(base_dir, f".tmp-{version}-{uuid.uuid4().hex[:8]}")
    final = os.path.join(base_dir, str(version))
    try:
        tf.saved_model.save(module, tmp, signatures=module.signatures())
        _write_metadata(tmp, model, max_batch, num_classes, use_ema, generator)
        verify_export(
            tmp,
            model,
            use_ema=use_ema,
            condition=verify_condition,
            num_classes=num_classes,
        )
        if os.path.exists(final):
            raise FileExistsError(f"{final} appeared during the export; not replaced.")
        os.rename(tmp, final)  # atomic on one file system
    finally:
        if os.path.exists(tmp):
            shutil.rmtree(tmp, ignore_errors=True)
    if keep is not None:
        _prune(base_dir, keep, protect=version)
    return final


def _write_metadata(path, model, max_batch, num_classes, use_ema, generator):
    """Writes facts a client may want next to the SavedModel.

    ``assets.extra`` is TF Serving's folder for files it does not load.
    """
    spec = condition_spec(model)
    meta = {
        "model_class": type(model).__name__,
        "latent_dim": int(model.latent_dim),
        "video_shape": [int(d) for d in model.video_shape],
        "condition_type": model.condition_type,
        "condition_dtype": None if spec is None else spec.dtype.name,
        "condition_shape": None if spec is None else list(spec.shape),
        "num_classes": num_classes,
        # Inpainting: the box its evaluation masks (None: half the frame).
        "mask_size": getattr(model, "mask_size", None),
        "max_batch": int(max_batch),
        "ema": bool(use_ema and generator is not model.generator),
        "signatures": list(SIGNATURES),
    }
    folder = os.path.join(path, "assets.extra")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, METADATA_FILE), "w") as f:
        json.dump(meta, f, indent=2)


if __name__ == "__main__":  # the command line moved out of the library
    raise SystemExit(
        "tfvgan: the command line is `tfvgan-export` (python -m tfvgan.cli.export)."
    )
