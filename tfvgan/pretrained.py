"""Pretrained presets: small trained models shipped inside the package.

A pretrained preset is a trained generator and the facts about it, in two
files of ``tfvgan/pretrained_weights/``:

- ``<name>.weights.npz``: the weights of the generator the run sampled from
  (its EMA copy), in the order of ``generator.weights``, float16, read
  with ``allow_pickle=False``;
- ``<name>.json``: what it is and how it was made: its description, the
  variant and constructor arguments, the command and seed that trained it,
  the code version, the SHA-256 of the weights file, and its evaluation
  figures with the protocol that measured them.

`tfvgan.models.from_preset` (or ``<Variant>.from_preset(name)``) rebuilds
the model from the metadata and loads the weights after checking the
checksum; `list_presets` lists them. The critics are not shipped: a
pretrained preset generates (and exports, samples, evaluates); training it
further starts its critics from scratch. ``benchmarks/train_presets.py``
trains and packs them (`SHIPPED` says how each is trained). This module
reads and writes the files; it builds no model.

Example:

```python
import tfvgan

for row in tfvgan.models.list_presets():
    print(row["name"], row["description"])
gan = tfvgan.models.from_preset("moving_digits_label")
videos = gan.generate(condition=[3, 7], seed=0)
```
"""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from typing import Any

import numpy as np

__all__ = [
    "PRESET_DIR",
    "SHIPPED",
    "PresetError",
    "assign_weights",
    "is_pretrained",
    "list_presets",
    "metadata",
    "names",
    "save",
    "sha256",
    "verify",
    "weights_path",
    "write_metadata",
]

#: Where the shipped presets live (package data).
PRESET_DIR = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "pretrained_weights"
)

#: The shipped presets and how each is trained: a run preset of
#: ``tfvgan-train`` (`tfvgan.run_presets.RUN_PRESETS`) at one seed
#: (``benchmarks/train_presets.py``).
SHIPPED: dict[str, dict[str, Any]] = {
    "moving_digits_label": dict(
        run_preset="quickstart",
        seed=0,
        description="Moving digits of the asked-for class (0-9): the "
        "quick-start MoCoGAN-style model conditioned on the digit label.",
    ),
    "moving_digits_text": dict(
        run_preset="text",
        seed=0,
        description='Text to video: a caption such as "digit 7 moves down" '
        "to a clip (10 digit-direction pairs held out of training).",
    ),
    "moving_digits_predict": dict(
        run_preset="predict",
        seed=0,
        description="Video prediction: continues a clip from its first two frames.",
    ),
    "moving_digits_inbetween": dict(
        run_preset="inbetween",
        seed=0,
        description="In-betweening: fills in the frames between a clip's "
        "first and last frame.",
    ),
    "moving_digits_superres": dict(
        run_preset="superres",
        seed=0,
        description="Video super-resolution: 8x8 clips to 32x32 (4x).",
    ),
    "moving_digits_inpaint": dict(
        run_preset="inpaint",
        seed=0,
        description="Inpainting: fills in a box hidden in every frame of a clip.",
    ),
}

_WEIGHTS_SUFFIX = ".weights.npz"
_METADATA_SUFFIX = ".json"


class PresetError(ValueError):
    """A preset's files are missing, damaged or do not fit its model."""


def _directory(directory: str | os.PathLike | None) -> str:
    return os.fspath(directory) if directory is not None else PRESET_DIR


def names(directory: str | os.PathLike | None = None) -> list[str]:
    """The presets in `directory` (default the shipped ones), sorted."""
    directory = _directory(directory)
    if not os.path.isdir(directory):
        return []
    return sorted(
        f[: -len(_METADATA_SUFFIX)]
        for f in os.listdir(directory)
        if f.endswith(_METADATA_SUFFIX)
    )


def is_pretrained(name: str, directory: str | os.PathLike | None = None) -> bool:
    """Whether `name` is a preset in `directory` (default the shipped ones:
    also true for a shipped name whose files are missing, which `metadata`
    then reports)."""
    if not isinstance(name, str):
        return False
    return name in names(directory) or (directory is None and name in SHIPPED)


def weights_path(name: str, directory: str | os.PathLike | None = None) -> str:
    """Path of preset `name`'s weights file."""
    return os.path.join(_directory(directory), name + _WEIGHTS_SUFFIX)


def metadata(name: str, directory: str | os.PathLike | None = None) -> dict:
    """Preset `name`'s metadata (its ``<name>.json``).

    Raises:
        ValueError: there is no preset `name` (the message lists those there are).
        PresetError: its metadata file cannot be read.
    """
    available = names(directory)
    if directory is None and name in SHIPPED and name not in available:
        raise PresetError(
            f"preset {name!r} ships with tfvgan, but its files are not in "
            f"{PRESET_DIR}: the package data is missing; reinstall tfvgan."
        )
    if not isinstance(name, str) or name not in available:
        raise ValueError(
            f"Unknown pretrained preset {name!r}; the shipped presets are "
            f"{available} (tfvgan.models.list_presets() describes them)."
        )
    path = os.path.join(_directory(directory), name + _METADATA_SUFFIX)
    try:
        with open(path) as f:
            meta = json.load(f)
    except (OSError, ValueError) as error:
        raise PresetError(f"cannot read preset metadata {path}: {error}") from error
    for key in ("variant", "class", "kwargs", "weights"):
        if key not in meta:
            raise PresetError(f"preset metadata {path} has no {key!r} entry.")
    return meta


def list_presets(directory: str | os.PathLike | None = None) -> list[dict]:
    """One row per preset: name, description, variant, condition type, clip
    shape and evaluation figures (its metadata's ``"evaluation"``)."""
    rows = []
    for name in names(directory):
        meta = metadata(name, directory)
        rows.append(
            {
                "name": name,
                "description": meta.get("description", ""),
                "variant": meta["variant"],
                "condition_type": meta.get("condition_type"),
                "clip": meta.get("clip"),
                "figures": meta.get("evaluation", {}).get("figures", {}),
            }
        )
    return rows


def sha256(path: str | os.PathLike) -> str:
    """The SHA-256 of a file, as hex."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify(name: str, directory: str | os.PathLike | None = None) -> dict:
    """Checks that preset `name`'s weights file is the one its metadata names.

    Returns:
        The preset's metadata.

    Raises:
        PresetError: the file is missing or its SHA-256 differs from the
            recorded one (a damaged or replaced file).
    """
    meta = metadata(name, directory)
    path = weights_path(name, directory)
    if not os.path.isfile(path):
        raise PresetError(f"preset {name!r}: weights file {path} is missing.")
    expected = meta["weights"].get("sha256")
    actual = sha256(path)
    if actual != expected:
        raise PresetError(
            f"preset {name!r}: the SHA-256 of {path} is {actual}, but its metadata "
            f"records {expected}: the file is damaged or was replaced. Reinstall "
            "tfvgan (or regenerate it with benchmarks/train_presets.py)."
        )
    return meta


def assign_weights(
    generator, name: str, directory: str | os.PathLike | None = None
) -> dict:
    """Loads preset `name`'s weights into `generator` after `verify`.

    Args:
        generator: the built generator of the preset's model.
        name: the preset.
        directory: where its files are (default the shipped ones).

    Returns:
        The preset's metadata.

    Raises:
        PresetError: see `verify`; or the file cannot be read, or its arrays
            do not fit `generator`'s weights (count or shapes).
    """
    meta = verify(name, directory)
    path = weights_path(name, directory)
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = [archive[f"w{i:04d}"] for i in range(len(archive.files))]
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as error:
        raise PresetError(f"preset {name!r}: cannot read {path}: {error}") from error
    variables = generator.weights
    if len(arrays) != len(variables):
        raise PresetError(
            f"preset {name!r} holds {len(arrays)} arrays but its generator has "
            f"{len(variables)} weights: the model's arguments do not match the "
            "preset's."
        )
    for i, (variable, array) in enumerate(zip(variables, arrays)):
        if tuple(variable.shape) != array.shape:
            raise PresetError(
                f"preset {name!r}: array {i} has shape {array.shape}, but weight "
                f"{variable.path!r} has shape {tuple(variable.shape)}: the model's "
                "arguments do not match the preset's."
            )
        variable.assign(array.astype(variable.dtype))
    return meta


def save(
    generator,
    name: str,
    meta: dict,
    directory: str | os.PathLike | None = None,
    dtype: str = "float16",
) -> dict:
    """Writes `generator`'s weights and `meta` as preset `name`.

    Floating-point weights are stored as `dtype`; the metadata gets the
    ``"weights"`` entry (file, dtype, count, bytes, SHA-256).

    Returns:
        The metadata written.
    """
    directory = _directory(directory)
    os.makedirs(directory, exist_ok=True)
    arrays = {}
    for i, variable in enumerate(generator.weights):
        array = np.asarray(variable.numpy())
        if np.issubdtype(array.dtype, np.floating):
            array = array.astype(dtype)
            if not np.isfinite(array).all():
                raise PresetError(
                    f"weight {variable.path!r} does not fit {dtype} (values beyond "
                    f"its range); store the preset with a wider dtype."
                )
        arrays[f"w{i:04d}"] = array
    path = weights_path(name, directory)
    with open(path, "wb") as f:
        np.savez_compressed(f, **arrays)
    meta = dict(meta)
    meta["name"] = name
    meta["weights"] = {
        "file": os.path.basename(path),
        "dtype": dtype,
        "arrays": len(arrays),
        "params": int(sum(a.size for a in arrays.values())),
        "bytes": os.path.getsize(path),
        "sha256": sha256(path),
    }
    write_metadata(name, meta, directory)
    return meta


def write_metadata(
    name: str, meta: dict, directory: str | os.PathLike | None = None
) -> None:
    """Writes `meta` as preset `name`'s ``<name>.json`` (e.g. to add the
    evaluation figures after `save`)."""
    path = os.path.join(_directory(directory), name + _METADATA_SUFFIX)
    with open(path, "w") as f:
        f.write(json.dumps(meta, indent=2, sort_keys=True) + "\n")
