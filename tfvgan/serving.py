"""Clients of an exported generator: a SavedModel seen as a model.

`SavedModelGenerator` wraps a SavedModel version folder written by
`tfvgan.export` so that code written for a `tfvgan.models.VideoGAN`
(``generate``, ``frames``, ``condition_spec``...) runs on the export: the
evaluation protocol (`tfvgan.evaluate.evaluate_model`) and ``tfvgan-sample``
use it to score and sample what TF Serving would serve.

Example:

```python
from tfvgan.serving import SavedModelGenerator

generator = SavedModelGenerator("runs/quickstart/export/640")
clips = generator.generate(8, condition=[0, 1, 2, 3, 4, 5, 6, 7], seed=0)
```
"""

from __future__ import annotations

import json
import os

from tfvgan import export

__all__ = ["SavedModelGenerator"]


class SavedModelGenerator:
    """A tfvgan export seen through the ``generate`` interface `evaluate_model` uses.

    Reads the export's ``assets.extra/tfvgan_export.json`` for the clip shape,
    latent size and condition, and calls the ``generate_float`` signature
    with the noise ``VideoGAN.noise_from_seeds`` would draw, so clip ``i`` of
    ``generate(n, seed=s)`` equals the trained model's. `generate_uint8`
    calls ``generate_from_seed`` instead (``tfvgan-sample``). Both send any
    number of clips in requests of at most the export's ``max_batch``, which
    refuses larger ones.

    Args:
        path: a SavedModel version folder written by `tfvgan.export`.

    Raises:
        FileNotFoundError: `path` is not a tfvgan export.
    """

    def __init__(self, path: str | os.PathLike):
        import tensorflow as tf

        path = os.fspath(path)
        meta_path = os.path.join(path, "assets.extra", export.METADATA_FILE)
        if not os.path.isfile(meta_path):
            raise FileNotFoundError(
                f"{meta_path} not found: expected a SavedModel version folder "
                "written by tfvgan.export (e.g. runs/x/export/640)."
            )
        with open(meta_path) as f:
            meta = json.load(f)
        self.path = path
        self.latent_dim = int(meta["latent_dim"])
        self.frames, self.size, _, self.channels = (int(d) for d in meta["video_shape"])
        self.condition_type = meta["condition_type"]
        self.conditional = self.condition_type is not None
        self.condition_spec = None
        if self.conditional:
            self.condition_spec = tf.TensorSpec(
                meta["condition_shape"], tf.as_dtype(meta["condition_dtype"])
            )
        self.max_batch = int(meta["max_batch"])
        self.mask_size = meta.get("mask_size")  # inpainting models' box
        self._loaded = tf.saved_model.load(path)
        self.signatures = self._loaded.signatures
        self._signature = self.signatures["generate_float"]

    def _in_chunks(self, call, num_videos: int, condition, batch_size: int):
        """``call(seeds, condition_part)`` over slices of at most `max_batch`.

        The export refuses a request larger than its ``max_batch``; slicing
        here is what lets any `num_videos` through. ``seeds`` are the clip
        indices of the slice (int64), ``condition_part`` the matching rows of
        `condition` as the export's dtype, or None.
        """
        import numpy as np
        import tensorflow as tf

        step = max(1, min(batch_size, self.max_batch))
        out = []
        for start in range(0, num_videos, step):
            seeds = tf.range(start, min(num_videos, start + step), dtype=tf.int64)
            part = None
            if condition is not None:
                rows = np.asarray(condition)[start : start + len(seeds)]
                part = tf.constant(rows, self.condition_spec.dtype)
            out.append(call(seeds, part))
        return np.concatenate(out)

    def generate(self, num_videos: int, condition=None, seed: int = 0, batch_size=32):
        """``num_videos`` float clips in ``[-1, 1]``; clip ``i`` uses seed ``seed + i``."""
        from tfvgan.models.video_gan import noise_from_seeds

        def call(seeds, part):
            args = {"noise": noise_from_seeds(seeds + seed, self.latent_dim)}
            if part is not None:
                args["condition"] = part
            return self._signature(**args)["video"].numpy()

        return self._in_chunks(call, num_videos, condition, batch_size)

    def generate_uint8(
        self,
        num_videos: int,
        condition=None,
        seed: int = 0,
        batch_size: int | None = None,
    ):
        """``num_videos`` uint8 clips from the ``generate_from_seed`` signature.

        Clip ``i`` uses seed ``seed + i``, as `generate`; requests go in
        slices of at most ``max_batch`` (and `batch_size`, default
        ``max_batch``).
        """
        signature = self.signatures["generate_from_seed"]

        def call(seeds, part):
            args = {"seed": seeds + seed}
            if part is not None:
                args["condition"] = part
            return signature(**args)["video"].numpy()

        return self._in_chunks(
            call, num_videos, condition, batch_size or self.max_batch
        )
