"""Video GAN models: the shared `VideoGAN` loop and the four variants.

| name | class | family | folder |
|---|---|---|---|
| `conditional` | `ConditionalGAN` | cGAN: label / text / image / low-res video conditions | `models/conditional/` |
| `temporal` | `TemporalGAN` | TGAN: temporal generator of per-frame latents | `models/temporal/` |
| `conv3d` | `Conv3DGAN` | VGAN: two-stream 3D-convolution generator | `models/conv3d/` |
| `recurrent` | `RecurrentGAN` | MoCoGAN: GRU motion codes + content code | `models/recurrent/` |

Each variant's folder holds its model (`model.py`), its own networks
(`networks.py`, and `critics.py` for MoCoGAN's two critics) and its presets
(`presets.py`); the shared loop is `video_gan.py`, the shared generators
and building blocks `networks.py`, the shared critics `critics.py`. Trained models
ship as pretrained presets (`tfvgan.pretrained`): `from_preset(name)`
loads one, `list_presets()` lists them.
"""

from __future__ import annotations

from tfvgan import pretrained
from tfvgan.models import presets as presets_lib
from tfvgan.models.conditional import ConditionalGAN
from tfvgan.models.conv3d import Conv3DGAN
from tfvgan.models.presets import Preset
from tfvgan.models.recurrent import RecurrentGAN
from tfvgan.models.temporal import TemporalGAN
from tfvgan.models.video_gan import VideoGAN, dtype_policy

MODELS = {
    "conditional": ConditionalGAN,
    "temporal": TemporalGAN,
    "conv3d": Conv3DGAN,
    "recurrent": RecurrentGAN,
}

#: Constructor arguments of every preset: ``PRESETS[model][preset]``.
PRESETS = {
    name: {preset: dict(p.kwargs) for preset, p in cls.presets.items()}
    for name, cls in MODELS.items()
}


def preset_names() -> list[str]:
    """Every preset name some variant defines."""
    return sorted({name for table in PRESETS.values() for name in table})


def preset_kwargs(name: str, preset: str | None = None, **overrides) -> dict:
    """The constructor arguments of `name` at `preset`, with `overrides` applied."""
    if name not in MODELS:
        raise ValueError(f"Unknown model {name!r}; expected one of {sorted(MODELS)}.")
    kwargs = {}
    if preset is not None:
        kwargs.update(presets_lib.select(MODELS[name].presets, preset, name).kwargs)
    kwargs.update(overrides)
    return kwargs


def preset_table() -> list[dict]:
    """One row per (variant, preset): its description, parameter count and
    paper, as the presets declare them.

    Example:

    ```python
    for row in tfvgan.models.preset_table():
        print(row["model"], row["preset"], row["params"], row["description"])
    ```
    """
    return [
        {
            "model": name,
            "preset": preset,
            "description": p.description,
            "params": p.params,
            "paper": p.paper,
        }
        for name, cls in MODELS.items()
        for preset, p in cls.presets.items()
    ]


def list_presets() -> list[dict]:
    """The pretrained presets shipped with the package, one row each: name,
    description, variant, condition type, clip shape and the evaluation
    figures recorded when it was packed (`tfvgan.pretrained`).

    Example:

    ```python
    for row in tfvgan.models.list_presets():
        print(row["name"], row["description"], row["figures"].get("fvd"))
    ```
    """
    return pretrained.list_presets()


def from_preset(name: str, **kwargs) -> VideoGAN:
    """Builds a pretrained preset's model and loads its trained generator.

    Works offline: the weights ship inside the package. Their SHA-256 is
    checked against the preset's metadata first.

    Args:
        name: a name from `list_presets`, e.g. ``"moving_digits_label"``.
        **kwargs: passed to the variant's ``from_preset`` (e.g.
            ``dtype_policy_name``, ``seed``).

    Returns:
        The model (not compiled), with ``preset_metadata`` set.

    Raises:
        ValueError: `name` is not shipped (the message lists the shipped ones).
        tfvgan.pretrained.PresetError: the weights file is damaged.

    Example:

    ```python
    gan = tfvgan.models.from_preset("moving_digits_label")
    clips = gan.generate(condition=[0, 1, 2], seed=0)  # (3, 8, 32, 32, 1)
    ```
    """
    meta = pretrained.metadata(name)
    if meta["variant"] not in MODELS:
        raise pretrained.PresetError(
            f"preset {name!r} is a {meta['variant']!r} model, which this version "
            f"of tfvgan does not have ({sorted(MODELS)})."
        )
    return MODELS[meta["variant"]].from_preset(name, **kwargs)


def build_model(name: str, preset: str | None = None, **kwargs) -> VideoGAN:
    """Builds a variant by name, from a preset and/or keyword arguments.

    Create it inside `strategy.scope()` to train under `tf.distribute`.

    Args:
        name: one of `MODELS` (`"conditional"`, `"temporal"`, `"conv3d"`,
            `"recurrent"`).
        preset: one of `PRESETS[name]` (`"paper"`, `"quickstart"`, `"tiny"`).
        **kwargs: constructor arguments overriding the preset's.

    Returns:
        The model, built (not compiled).

    Example:

    ```python
    gan = tfvgan.models.build_model("recurrent", preset="tiny", seed=0)
    ```
    """
    kwargs = preset_kwargs(name, preset, **kwargs)  # validates the names first
    return MODELS[name](**kwargs)


__all__ = [
    "MODELS",
    "PRESETS",
    "Preset",
    "ConditionalGAN",
    "Conv3DGAN",
    "RecurrentGAN",
    "TemporalGAN",
    "VideoGAN",
    "build_model",
    "dtype_policy",
    "from_preset",
    "list_presets",
    "preset_kwargs",
    "preset_names",
    "preset_table",
]
