"""Inpainting: the masked condition, box masks and the two fill baselines.

A ``"masked"`` condition (`tfvgan.conditions`) is a clip with a region
hidden in its frames, and the mask on one more channel:

- ``condition[..., :C]``: the clip, hidden pixels set to 0 (mid-grey);
- ``condition[..., C]``: the mask, 1 where a pixel is hidden (to be filled
  in), 0 where it is seen.

`masked_condition` builds one from clips and any mask of theirs;
`box_masks` makes the data sources' masks: one square box per clip, at the
same place in every frame. A model fills in the hidden pixels, and is
scored on them only (`tfvgan.metrics.inpainting_scores`), against the
better of two trivial fills:

- `nearest_visible_fill`: each hidden pixel from the nearest frame in which
  it is seen (where the mask moves, the background behind it);
- `blur_fill`: the harmonic fill, each hidden pixel the average of its
  neighbours with the seen pixels held (a smooth blur of the hole's border
  inward), which is also where `nearest_visible_fill` falls back for a
  pixel hidden in every frame, as under a box mask.

Example:

```python
from tfvgan import masking

mask = masking.box_masks(clips, mask_size=16)         # (B, T, H, W, 1)
condition = masking.masked_condition(clips, mask)     # (B, T, H, W, C + 1)
filled = masking.fill_baseline(clips, condition)      # the baseline's clips
```
"""

from __future__ import annotations

import numpy as np

from tfvgan.validation import check_int

__all__ = [
    "blur_fill",
    "box_masks",
    "check_mask_size",
    "fill_baseline",
    "masked_condition",
    "nearest_visible_fill",
    "split_condition",
]

# Pixels are hashed as uint8 levels times these weights (cycled over the
# clip) to place a clip's box: exact integer arithmetic, so the data
# pipeline and an evaluation place the box of a clip identically.
_HASH_PERIOD = 251
_HASH_MODULUS = 2_147_483_647
_HASH_MULTIPLIER = 2_654_435_761


def check_mask_size(mask_size, size) -> int:
    """`mask_size`, an int in ``[1, min(height, width))``: a box that leaves
    part of each frame seen.

    Args:
        mask_size: the box's side in pixels.
        size: the frame size, an int or ``(height, width)``; None skips the
            upper bound.

    Raises:
        ValueError: anything else.
    """
    check_int("mask_size", mask_size)
    smallest = None if size is None else int(np.min(size))
    if smallest is not None and mask_size >= smallest:
        raise ValueError(
            f"expected mask_size below the frame size {smallest}, got {mask_size!r}"
        )
    return int(mask_size)


def box_masks(clips, mask_size: int, seed: int = 0):
    """One square box per clip, hidden in every frame.

    Where the box goes is a function of the clip's pixels and `seed` (an
    integer hash of its uint8 levels), so a clip gets the same box wherever
    it is masked: in a `tf.data` pipeline, batched or not, and when an
    evaluation takes the condition from the same clip.

    Args:
        clips: ``(T, H, W, C)`` or ``(B, T, H, W, C)`` in ``[-1, 1]``.
        mask_size: the box's side in pixels, below H and W.
        seed: another seed gives other places.

    Returns:
        A float32 `tf.Tensor` ``(..., T, H, W, 1)``: 1 inside the box.

    Raises:
        ValueError: `mask_size` out of range, or `clips` not 4-D or 5-D.
    """
    import tensorflow as tf

    clips = tf.convert_to_tensor(clips, tf.float32)
    if clips.shape.rank not in (4, 5):
        raise ValueError(
            f"expected clips (T, H, W, C) or (B, T, H, W, C), got shape {clips.shape}"
        )
    frames, height, width, channels = clips.shape[-4:]
    mask_size = check_mask_size(mask_size, (height, width))
    batched = clips.shape.rank == 5
    if not batched:
        clips = clips[None]
    levels = tf.cast(
        tf.round((tf.clip_by_value(clips, -1.0, 1.0) + 1.0) * 127.5), tf.int64
    )
    count = frames * height * width * channels
    weights = tf.reshape(
        tf.range(count, dtype=tf.int64) % _HASH_PERIOD + 1,
        (frames, height, width, channels),
    )
    digest = tf.reduce_sum(levels * weights, axis=[1, 2, 3, 4]) + 7919 * int(seed)
    mixed = (digest % _HASH_MODULUS) * _HASH_MULTIPLIER % (2**31)
    top = (mixed // 256) % (height - mask_size + 1)
    left = (mixed // 524_288) % (width - mask_size + 1)

    def inside(start, length):  # (B, length) bool
        index = tf.range(length, dtype=tf.int64)[None]
        return (index >= start[:, None]) & (index < start[:, None] + mask_size)

    box = inside(top, height)[:, :, None] & inside(left, width)[:, None, :]
    mask = tf.cast(box, tf.float32)[:, None, :, :, None]
    mask = tf.repeat(mask, frames, axis=1)
    return mask if batched else mask[0]


def _as_mask(mask, shape, name: str = "mask") -> np.ndarray:
    """`mask` as float32 ``(..., T, H, W, 1)`` of 0/1 for clips of `shape`."""
    mask = np.asarray(mask)
    if mask.ndim == len(shape) - 1:
        mask = mask[..., None]
    if mask.shape != (*shape[:-1], 1):
        raise ValueError(
            f"expected a {name} of shape {tuple(shape[:-1])} or "
            f"{(*shape[:-1], 1)} for clips of shape {tuple(shape)}, got "
            f"{mask.shape}"
        )
    if not np.isin(mask, (0, 1)).all():
        raise ValueError(f"expected a {name} of 0s and 1s (1 = hidden)")
    return mask.astype(np.float32)


def masked_condition(clips, mask) -> np.ndarray:
    """The ``"masked"`` condition of `clips`: hidden pixels set to 0, and
    `mask` on one more channel.

    Args:
        clips: ``(T, H, W, C)`` or ``(B, T, H, W, C)`` in ``[-1, 1]``.
        mask: 1 where a pixel is hidden, 0 where seen: the clips' shape
            without the channels, with or without a last axis of 1.

    Returns:
        float32 ``(..., T, H, W, C + 1)``.

    Raises:
        ValueError: a mask of another shape or with values other than 0
            and 1, or clips neither 4-D nor 5-D.
    """
    clips = np.asarray(clips, np.float32)
    if clips.ndim not in (4, 5):
        raise ValueError(
            f"expected clips (T, H, W, C) or (B, T, H, W, C), got shape {clips.shape}"
        )
    mask = _as_mask(mask, clips.shape)
    return np.concatenate([clips * (1.0 - mask), mask], axis=-1)


def split_condition(condition) -> tuple[np.ndarray, np.ndarray]:
    """``(seen, mask)`` of a ``"masked"`` condition ``(..., C + 1)``: the
    clips with hidden pixels at 0, and the mask ``(..., 1)``.

    Raises:
        ValueError: fewer than two channels, or a last channel that is not
            a 0/1 mask.
    """
    condition = np.asarray(condition, np.float32)
    if condition.ndim < 4 or condition.shape[-1] < 2:
        raise ValueError(
            "expected a masked condition (..., T, H, W, C + 1), the mask on its "
            f"last channel, got shape {condition.shape}"
        )
    seen, mask = condition[..., :-1], condition[..., -1:]
    return seen, _as_mask(mask, seen.shape)


def blur_fill(condition, iterations: int | None = None) -> np.ndarray:
    """Fills each frame's hidden pixels from its seen ones: the harmonic
    fill, where each hidden pixel is the average of its four neighbours and
    the seen pixels are held (Laplace's equation; the frame's border
    reflects), a smooth blur of the hole's border inward.

    Solved by red-black successive over-relaxation from the mean of the
    frame's seen pixels; the default number of sweeps leaves less than
    1e-3 of the start's error in a 16-pixel box.

    Args:
        condition: a ``"masked"`` condition ``(B, T, H, W, C + 1)``.
        iterations: over-relaxation sweeps (each updates every hidden pixel
            once); None: ``2 * max(H, W)``.

    Returns:
        float32 clips ``(B, T, H, W, C)``, seen pixels unchanged. A frame
        with no seen pixel is filled with 0.
    """
    seen, mask = split_condition(condition)
    shape = seen.shape
    height, width = shape[-3], shape[-2]
    frames = seen.reshape(-1, height, width, shape[-1])
    hidden = mask.reshape(-1, height, width, 1) > 0.5
    if not hidden.any():
        return seen.copy()
    visible = (~hidden).astype(np.float32)
    count = visible.sum(axis=(1, 2), keepdims=True)
    mean = (frames * visible).sum(axis=(1, 2), keepdims=True) / np.maximum(count, 1)
    # The frames with a border of one that copies its edge (the border
    # reflects); red and black pixels are updated in turn, in place.
    grid = np.pad(np.where(hidden, mean, frames), ((0, 0), (1, 1), (1, 1), (0, 0)))
    inner = grid[:, 1:-1, 1:-1]
    rows, cols = np.indices((height, width))
    colours = [hidden & (((rows + cols) % 2)[None, :, :, None] == p) for p in (0, 1)]
    # The over-relaxation factor that is best for a hole the size of the
    # frame (Young): fast for every smaller hole too.
    omega = np.float32(2.0 / (1.0 + np.sin(np.pi / (max(height, width) + 1))))
    for _ in range(iterations or 2 * max(height, width)):
        for update in colours:
            grid[:, 0, 1:-1], grid[:, -1, 1:-1] = inner[:, 0], inner[:, -1]
            grid[:, 1:-1, 0], grid[:, 1:-1, -1] = inner[:, :, 0], inner[:, :, -1]
            average = 0.25 * (
                grid[:, :-2, 1:-1]
                + grid[:, 2:, 1:-1]
                + grid[:, 1:-1, :-2]
                + grid[:, 1:-1, 2:]
            )
            np.copyto(inner, inner + omega * (average - inner), where=update)
    return inner.reshape(shape).astype(np.float32)


def nearest_visible_fill(condition, blurred=None) -> np.ndarray:
    """Fills each hidden pixel from the nearest frame in which it is seen
    (the earlier one on a tie); a pixel hidden in every frame of its clip
    comes from `blur_fill`.

    Args:
        condition: a ``"masked"`` condition ``(B, T, H, W, C + 1)``.
        blurred: ``blur_fill(condition)``, if it was already computed.

    Returns:
        float32 clips ``(B, T, H, W, C)``, seen pixels unchanged.
    """
    seen, mask = split_condition(condition)
    hidden = mask > 0.5
    filled = blur_fill(condition) if blurred is None else blurred
    result = np.where(hidden, filled, seen)
    frames = seen.shape[1]
    for t in range(frames):
        todo = hidden[:, t].copy()
        for distance in range(1, frames):
            for other in (t - distance, t + distance):
                if not 0 <= other < frames:
                    continue
                take = todo & ~hidden[:, other]
                result[:, t] = np.where(take, seen[:, other], result[:, t])
                todo &= ~take
            if not todo.any():
                break
    return result.astype(np.float32)


def fill_baseline(clips, condition) -> np.ndarray:
    """Inpainting's trivial baseline: per clip, whichever of
    `nearest_visible_fill` and `blur_fill` is closer to the real clip inside
    the mask (squared error), so a model must beat the better of the two.

    Args:
        clips: the real clips ``(B, T, H, W, C)``.
        condition: their ``"masked"`` condition ``(B, T, H, W, C + 1)``.

    Returns:
        float32 clips ``(B, T, H, W, C)``.
    """
    clips = np.asarray(clips, np.float32)
    _, mask = split_condition(condition)
    blur = blur_fill(condition)
    nearest = nearest_visible_fill(condition, blurred=blur)
    if nearest.shape != clips.shape:
        raise ValueError(
            f"expected clips of shape {nearest.shape} for this condition, got "
            f"{clips.shape}"
        )

    def error(filled):
        return (np.square(filled - clips) * mask).sum(axis=(1, 2, 3, 4))

    pick = (error(nearest) <= error(blur))[:, None, None, None, None]
    return np.where(pick, nearest, blur)
