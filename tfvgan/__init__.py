"""tfvgan: video GANs for TensorFlow 2 / Keras 3.

The tensor contract, used everywhere in the library: a video batch is
``(batch, frames, height, width, channels)``, float32 in ``[-1, 1]``. uint8
``[0, 255]`` appears only at the edges (video files, serving signatures).
Dataset elements are ``video`` or ``(video, condition)``.

Submodules load lazily, so ``import tfvgan`` neither imports TensorFlow nor
prints anything; ``tfvgan.models``, ``tfvgan.data`` ... import on first use.

Example:

```python
import tfvgan

ds = tfvgan.data.moving_digits(num_videos=64, frames=8, size=32, batch_size=8)
gan = tfvgan.models.RecurrentGAN.from_preset("quickstart")
gan.compile()
gan.fit(ds, epochs=1)
videos = gan.generate(4)  # (4, 8, 32, 32, 1), float32 in [-1, 1]
```
"""

import importlib

__version__ = "0.1.0"

_SUBMODULES = (
    "augment",
    "builders",
    "callbacks",
    "checkpoint",
    "cli",
    "conditions",
    "config",
    "data",
    "demo",
    "distribute",
    "evaluate",
    "export",
    "layers",
    "losses",
    "masking",
    "metrics",
    "models",
    "precision",
    "pretrained",
    "run_presets",
    "runs",
    "sample",
    "serving",
    "train",
    "validation",
    "video_io",
)

# Top-level shortcuts: name -> submodule that defines it.
_SHORTCUTS = {
    "VideoGAN": "models",
    "ConditionalGAN": "models",
    "TemporalGAN": "models",
    "Conv3DGAN": "models",
    "RecurrentGAN": "models",
}

__all__ = ["__version__", *_SUBMODULES, *_SHORTCUTS]


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    if name in _SHORTCUTS:
        module = importlib.import_module(f".{_SHORTCUTS[name]}", __name__)
        return getattr(module, name)
    raise AttributeError(f"module 'tfvgan' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
