"""Differentiable augmentation of critic inputs (DiffAugment, for video).

`VideoGAN.compile(augment=...)` applies these to every clip a critic scores
in training, real and generated alike, in the discriminator step and the
generator step (the gradient reaches the generator through them). Each clip
draws its own parameters, and every frame of a clip gets the same ones, so
the augmentation never adds motion a critic could learn to spot. Sampling and
evaluation see the clips as they are.

```python
gan = tfvgan.models.RecurrentGAN.from_preset("tiny")
gan.compile(augment=("translation", "cutout"))
```

Reference:
    Zhao et al. 2020, "Differentiable Augmentation for Data-Efficient GAN
    Training", https://arxiv.org/abs/2006.10738
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import tensorflow as tf
from keras import ops

#: Augmentations by name, applied in this order.
AUGMENTATIONS = ("color", "translation", "cutout")


def check_policy(policy: str | Sequence[str] | None) -> tuple[str, ...]:
    """A policy as a tuple of names from `AUGMENTATIONS` (in that order).

    Accepts None or "" (no augmentation), one name, a comma-separated string
    ("translation,cutout") or a sequence of names.

    Raises:
        ValueError: an unknown name, listing the valid ones.
    """
    if not policy:
        return ()
    names = policy.split(",") if isinstance(policy, str) else list(policy)
    names = [str(n).strip() for n in names if str(n).strip()]
    unknown = sorted(set(names) - set(AUGMENTATIONS))
    if unknown:
        raise ValueError(
            f"unknown augmentation {', '.join(map(repr, unknown))}; "
            f"choose from {', '.join(AUGMENTATIONS)}."
        )
    return tuple(n for n in AUGMENTATIONS if n in names)


def shift_matrices(offsets, size: int):
    """Bilinear shift operators: ``(...,)`` pixel offsets -> ``(..., size, size)``.

    ``M @ x`` moves the rows of ``x`` by ``offset`` (down for positive),
    interpolating fractional offsets linearly and shifting in zeros; the
    entries are ``max(0, 1 - |i - j - offset|)``, differentiable in the
    offset almost everywhere. At whole-pixel offsets it is an exact shift.
    """
    index = ops.arange(size, dtype=offsets.dtype)
    distance = index[:, None] - index[None, :]  # i - j
    return ops.relu(1.0 - ops.abs(distance - offsets[..., None, None]))


def augment_videos(
    videos: tf.Tensor,
    policy: Sequence[str],
    uniform: Callable[[tuple[int, ...]], tf.Tensor],
) -> tf.Tensor:
    """Augments a batch of clips `(B, T, H, W, C)` in `[-1, 1]`.

    Args:
        videos: clips (computed in float32).
        policy: names from `AUGMENTATIONS` (see `check_policy`).
        uniform: ``shape -> (B, *shape)`` float32 draws in ``[0, 1)``; the
            model passes its seeded, per-replica generator, so a step is
            reproducible and replicas draw disjoint slices of one batch.

    Returns:
        Augmented clips, float32, same shape:

            - ``color``: brightness ``+ U(-0.5, 0.5)`` and contrast ``x
              U(0.5, 1.5)`` around the clip's mean (DiffAugment's, on the
              `[-1, 1]` scale; saturation too when there are 3 channels);
            - ``translation``: a whole-pixel shift of up to 1/8 of the frame
              each way, black (-1) shifted in;
            - ``cutout``: a square of half the frame size at a random place
              set to 0 (mid-grey).
    """
    x = tf.cast(videos, tf.float32)
    size = x.shape[2]
    if "color" in policy:
        u = uniform((3,))
        brightness = (u[:, 0] - 0.5)[:, None, None, None, None]
        x = x + brightness
        if x.shape[-1] == 3:
            mean = tf.reduce_mean(x, axis=-1, keepdims=True)
            saturation = (2.0 * u[:, 1])[:, None, None, None, None]
            x = (x - mean) * saturation + mean
        mean = tf.reduce_mean(x, axis=[1, 2, 3, 4], keepdims=True)
        contrast = (u[:, 2] + 0.5)[:, None, None, None, None]
        x = (x - mean) * contrast + mean
    if "translation" in policy:
        limit = max(1, size // 8)
        shift = tf.floor(uniform((2,)) * (2 * limit + 1)) - limit  # (B, 2)
        rows = shift_matrices(shift[:, 0], size)
        cols = shift_matrices(shift[:, 1], size)
        moved = tf.einsum("bik,btklc->btilc", rows, x + 1.0)
        x = tf.einsum("bjl,btilc->btijc", cols, moved) - 1.0
    if "cutout" in policy:
        half = size // 2
        corner = tf.floor(uniform((2,)) * (size - half + 1))  # (B, 2)
        index = tf.range(size, dtype=tf.float32)
        inside_rows = (index >= corner[:, :1]) & (index < corner[:, :1] + half)
        inside_cols = (index >= corner[:, 1:]) & (index < corner[:, 1:] + half)
        hole = tf.logical_and(inside_rows[:, :, None], inside_cols[:, None, :])
        keep = 1.0 - tf.cast(hole, tf.float32)  # (B, H, W)
        x = x * keep[:, None, :, :, None]
    return x
