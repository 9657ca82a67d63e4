"""`Preset`: a named architecture of one model variant.

Each variant keeps its presets beside its model
(``tfvgan/models/<variant>/presets.py``), as a table of `Preset`s that
``<Variant>.from_preset(name)`` builds from; `tfvgan.models.PRESETS` and
`tfvgan.models.preset_table` gather them. `paper` presets follow the
published architectures at 64x64; `quickstart` is sized to train on a
2-core CPU in minutes; `tiny` is for tests.

Example:

```python
from tfvgan.models import TemporalGAN

preset = TemporalGAN.presets["paper"]
preset.description, preset.params, preset.paper
gan = TemporalGAN.from_preset("paper")
```
"""

from __future__ import annotations

import dataclasses
import types
from collections.abc import Mapping
from typing import Any

__all__ = ["PAPER_CLIP", "Preset", "presets", "select"]


@dataclasses.dataclass(frozen=True)
class Preset:
    """A named architecture: constructor arguments and what they make.

    Attributes:
        kwargs: the constructor arguments (read-only).
        description: one line on what the preset builds.
        params: weights of the built networks (generator + critics), as
            `keras.Model.count_params` counts them; a test rebuilds every
            preset and checks it.
        paper: the paper the architecture follows, as a link, or None.
    """

    kwargs: Mapping[str, Any]
    description: str
    params: int
    paper: str | None = None

    def __post_init__(self):
        object.__setattr__(self, "kwargs", types.MappingProxyType(dict(self.kwargs)))


def select(table: Mapping[str, Preset], name: str, owner: str) -> Preset:
    """The preset `name` of `table` (the presets of `owner`).

    Raises:
        ValueError: `name` is not in `table` (the message lists the names).
    """
    if name not in table:
        raise ValueError(
            f"Unknown preset {name!r} for model {owner!r}; expected one of "
            f"{sorted(table)}."
        )
    return table[name]


#: The clip of the published set-ups: 64x64 RGB (frames vary by paper).
PAPER_CLIP = dict(size=64, channels=3)
#: The clips of the `quickstart` and `tiny` presets of every variant.
_QUICKSTART_CLIP = dict(frames=8, size=32, channels=1)
_TINY_CLIP = dict(frames=4, size=16, channels=1)


def presets(
    paper: Preset, quickstart: tuple, tiny: tuple, link: str | None = None
) -> dict[str, Preset]:
    """A variant's preset table from its `paper` preset and the arguments
    of its `quickstart` and `tiny` ones, on their shared clips.

    Args:
        paper: the published architecture.
        quickstart: ``(kwargs, description, params)`` on 8 frames of 32x32
            grey; the preset cites `link`.
        tiny: ``(kwargs, params)`` on 4 frames of 16x16 grey, for tests.
        link: the paper of the variant.
    """
    quick_kwargs, quick_description, quick_params = quickstart
    tiny_kwargs, tiny_params = tiny
    return {
        "paper": paper,
        "quickstart": Preset(
            {**_QUICKSTART_CLIP, **quick_kwargs}, quick_description, quick_params, link
        ),
        "tiny": Preset(
            {**_TINY_CLIP, **tiny_kwargs},
            "4 frames of 16x16: seconds, for tests.",
            tiny_params,
        ),
    }
