"""Video GAN models: the shared `VideoGAN` loop and the four variants.

| name | class | family |
|---|---|---|
| `conditional` | `ConditionalGAN` | cGAN: label / text / image / low-res video conditions |
| `temporal` | `TemporalGAN` | TGAN: temporal generator of per-frame latents |
| `conv3d` | `Conv3DGAN` | VGAN: two-stream 3D-convolution generator |
| `recurrent` | `RecurrentGAN` | MoCoGAN: GRU motion codes + content code |
"""

from __future__ import annotations

from tfvgan.models.conditional_gan import ConditionalGAN
from tfvgan.models.conv3d_gan import Conv3DGAN
from tfvgan.models.presets import PRESETS, preset_names
from tfvgan.models.recurrent_gan import RecurrentGAN
from tfvgan.models.temporal_gan import TemporalGAN
from tfvgan.models.video_gan import VideoGAN, dtype_policy

MODELS = {
    "conditional": ConditionalGAN,
    "temporal": TemporalGAN,
    "conv3d": Conv3DGAN,
    "recurrent": RecurrentGAN,
}


def preset_kwargs(name: str, preset: str | None = None, **overrides) -> dict:
    """The constructor arguments of `name` at `preset`, with `overrides` applied."""
    if name not in MODELS:
        raise ValueError(f"Unknown model {name!r}; expected one of {sorted(MODELS)}.")
    kwargs = {}
    if preset is not None:
        if preset not in PRESETS[name]:
            raise ValueError(
                f"Unknown preset {preset!r} for model {name!r}; expected one of "
                f"{sorted(PRESETS[name])}."
            )
        kwargs.update(PRESETS[name][preset])
    kwargs.update(overrides)
    return kwargs


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
    "ConditionalGAN",
    "Conv3DGAN",
    "RecurrentGAN",
    "TemporalGAN",
    "VideoGAN",
    "build_model",
    "dtype_policy",
    "preset_kwargs",
    "preset_names",
]
