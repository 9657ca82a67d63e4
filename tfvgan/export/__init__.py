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

import json
import os
import re
import shutil
import uuid

import numpy as np
import tensorflow as tf

from tfvgan.export._signatures import (
    DEFAULT_MAX_BATCH,
    FLOAT_CONDITION_TOLERANCE,  # noqa: F401 (tfvgan.export.FLOAT_CONDITION_TOLERANCE)
    SIGNATURES,
    _GeneratorModule,
    _num_classes,
    condition_spec,
    to_uint8,
)
from tfvgan.export._verify import ExportError, verify_export

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

METADATA_FILE = "tfvgan_export.json"
"""The export's metadata file, in its ``assets.extra/`` folder."""
_VERSION_RE = re.compile(r"^[0-9]+$")


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
