"""Moving digits: an offline, Moving-MNIST-style synthetic video data set.

Handwritten digit glyphs (scikit-learn's bundled 8x8 digits, upscaled
bilinearly) move at constant velocity in a square black canvas and bounce off
its walls. Every clip carries its digit label(s) and an English caption that
names the digit and its dominant direction, e.g. ``"digit 3 moves up and to the
left"``. Nothing is downloaded; the same seed always gives the same clips.
"""

from __future__ import annotations

import functools

import numpy as np
import tensorflow as tf

from tfvgan.data import _common
from tfvgan.data import conditions as conditions_lib

__all__ = [
    "DIRECTION_PHRASES",
    "MOVING_DIGITS_VOCABULARY",
    "moving_digits",
    "moving_digits_arrays",
]

#: Every word a moving-digits caption can contain.
MOVING_DIGITS_VOCABULARY = [
    "digit",
    "moves",
    "and",
    "to",
    "the",
    "up",
    "down",
    "left",
    "right",
    *[str(d) for d in range(10)],
]

# Unit vectors (dy, dx) of the 8 compass directions; image y grows downwards.
_DIRECTIONS = np.array(
    [(-1, 0), (-1, 1), (0, 1), (1, 1), (1, 0), (1, -1), (0, -1), (-1, -1)],
    np.float64,
)


@functools.lru_cache(maxsize=1)
def _digit_images() -> tuple[np.ndarray, np.ndarray]:
    """The 1797 bundled 8x8 digits as float32 in [0, 1] and their labels."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    return (digits.images / 16.0).astype(np.float32), digits.target.astype(np.int32)


def _interp_matrix(out_size: int, in_size: int = 8) -> np.ndarray:
    """(out, in) bilinear interpolation matrix with half-pixel centres."""
    centres = (np.arange(out_size) + 0.5) * in_size / out_size - 0.5
    centres = np.clip(centres, 0, in_size - 1)
    low = np.floor(centres).astype(int)
    high = np.minimum(low + 1, in_size - 1)
    frac = centres - low
    matrix = np.zeros((out_size, in_size), np.float32)
    matrix[np.arange(out_size), low] += 1 - frac
    matrix[np.arange(out_size), high] += frac
    return matrix


def _glyphs(indices: np.ndarray, glyph_size: int) -> np.ndarray:
    """Upscaled uint8 glyphs, shape indices.shape + (glyph_size, glyph_size)."""
    images, _ = _digit_images()
    matrix = _interp_matrix(glyph_size)
    upscaled = matrix @ images[indices] @ matrix.T
    # The 8x8 scans are faint and blurry once upscaled; a contrast stretch
    # gives clean white strokes on black like Moving MNIST.
    upscaled = np.clip((upscaled - 0.1) / 0.5, 0.0, 1.0)
    return np.round(upscaled * 255).astype(np.uint8)


def _phrase(dy_sign: int, dx_sign: int) -> str:
    vertical = {-1: "up", 1: "down"}.get(dy_sign)
    horizontal = {-1: "left", 1: "right"}.get(dx_sign)
    if vertical and horizontal:
        return f"{vertical} and to the {horizontal}"
    return vertical or horizontal


#: The 8 ways a caption names a motion -> its per-axis signs ``(dy, dx)``
#: (image y grows downwards: "up" is ``(-1, 0)``).
DIRECTION_PHRASES = {
    _phrase(dy, dx): (dy, dx) for dy, dx in _DIRECTIONS.astype(int).tolist()
}


def _excluded_pairs(exclude) -> set[tuple[int, int, int]]:
    """``{(digit, dy, dx)}`` of `exclude`'s (digit, direction phrase) pairs."""
    pairs = set()
    for item in exclude:
        if (
            isinstance(item, str)
            or not hasattr(item, "__len__")
            or len(item) != 2
            or isinstance(item[0], bool)
            or not isinstance(item[0], (int, np.integer))
            or not 0 <= item[0] <= 9
            or not isinstance(item[1], str)
            or item[1] not in DIRECTION_PHRASES
        ):
            raise ValueError(
                "exclude holds (digit, direction) pairs: a digit 0-9 and one of "
                f"{sorted(DIRECTION_PHRASES)}, e.g. (7, 'down'); got {item!r}."
            )
        pairs.add((int(item[0]), *DIRECTION_PHRASES[item[1]]))
    if len(pairs) >= 10 * len(DIRECTION_PHRASES):
        raise ValueError("exclude leaves no (digit, direction) pair to draw.")
    return pairs


def moving_digits_arrays(
    num_videos: int = 1024,
    frames: int = 16,
    size: int = 64,
    num_digits: int = 1,
    channels: int = 1,
    seed: int = 0,
    glyph_size: int | None = None,
    speed: tuple[float, float] | None = None,
    exclude=None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Generates moving-digit clips as NumPy arrays.

    Each digit starts at a random position, moves in one of 8 compass
    directions at a constant speed and bounces off the canvas walls.
    Overlapping digits combine with a pixel-wise maximum. The caption names
    each digit and its dominant direction over the clip (per axis, the sign
    the digit moved in for most frame steps), e.g.
    ``"digit 3 moves up and to the left"`` or, with two digits,
    ``"digit 3 moves left and digit 7 moves down"``; all words are in
    `MOVING_DIGITS_VOCABULARY`.

    Args:
        num_videos: Number of clips.
        frames: Frames per clip.
        size: Canvas height and width in pixels (at least 8).
        num_digits: Digits per clip.
        channels: 1 (grayscale) or 3 (the gray value repeated).
        seed: Seed; the same arguments and seed give identical arrays.
        glyph_size: Digit height/width in pixels; default ``size // 2``.
        speed: ``(low, high)`` speed range in pixels per frame; default
            ``(0.6, 1.2) * (size - glyph_size) / (frames - 1)``, at least one
            pixel per frame, so a clip crosses the canvas about once.
        exclude: (digit, direction) pairs that no clip may show, e.g.
            ``[(7, "down"), (3, "up and to the left")]``, the direction
            being a key of `DIRECTION_PHRASES` (the words of the caption):
            a clip whose caption names any excluded pair is dropped and
            clips drawn after the others take its place at the end. For testing whether a text-to-video model
            composes a digit and a motion it never saw together. None (the
            default) draws exactly the clips of earlier versions.

    Returns:
        ``(videos, labels, captions)``: uint8 ``(num_videos, frames, size,
        size, channels)``, int32 ``(num_videos, num_digits)`` digit classes,
        and a str array ``(num_videos,)``.

    Raises:
        ValueError: For out-of-range arguments.

    Example:

    >>> videos, labels, captions = moving_digits_arrays(4, frames=8, size=32)
    >>> videos.shape, labels.shape, captions.shape
    ((4, 8, 32, 32, 1), (4, 1), (4,))
    """
    for name, value in (
        ("num_videos", num_videos),
        ("frames", frames),
        ("num_digits", num_digits),
    ):
        _common.check_positive_int(name, value)
    if isinstance(size, bool) or not isinstance(size, int) or size < 8:
        raise ValueError(f"expected size an int >= 8, got {size!r}")
    if channels not in (1, 3):
        raise ValueError(f"expected channels 1 or 3, got {channels!r}")
    glyph_size = size // 2 if glyph_size is None else glyph_size
    if not isinstance(glyph_size, int) or not 1 <= glyph_size <= size:
        raise ValueError(
            f"expected glyph_size an int in [1, {size}], got {glyph_size!r}"
        )

    limit = float(size - glyph_size)  # largest top-left coordinate
    if speed is None:
        base = limit / max(frames - 1, 1)
        speed = (max(1.0, 0.6 * base), max(1.0, 1.2 * base))
    low, high = speed
    if not 0 <= low <= high:
        raise ValueError(
            f"expected speed (low, high) with 0 <= low <= high, got {speed}"
        )

    excluded = _excluded_pairs(exclude) if exclude is not None else set()
    rng = np.random.default_rng(seed)
    render = functools.partial(
        _render,
        rng,
        frames=frames,
        size=size,
        num_digits=num_digits,
        glyph_size=glyph_size,
        speed=(low, high),
    )
    videos, labels, captions, dominant = render(num_videos)
    if excluded:
        # Redraw until num_videos clips show no excluded pair; the clips
        # kept stay in the order they were drawn.
        parts = [], [], []
        missing = num_videos
        while missing:
            keep = ~np.array(
                [
                    any((int(k), dy, dx) in excluded for k, (dy, dx) in zip(ls, ds))
                    for ls, ds in zip(labels, dominant, strict=True)
                ],
                dtype=bool,
            )
            for part, array in zip(parts, (videos, labels, captions), strict=True):
                part.append(array[keep][:missing])
            missing -= min(int(keep.sum()), missing)
            if missing:
                videos, labels, captions, dominant = render(max(missing * 2, 64))
        videos, labels, captions = (np.concatenate(part) for part in parts)
    if channels == 3:
        videos = np.repeat(videos[..., None], 3, axis=-1)
    else:
        videos = videos[..., None]
    return videos, labels, captions


def _render(rng, num_videos, frames, size, num_digits, glyph_size, speed):
    """`num_videos` clips drawn from `rng`: uint8 videos ``(N, T, H, W)``,
    labels, captions and each digit's dominant direction ``(N, D, 2)``."""
    n, t, d, g = num_videos, frames, num_digits, glyph_size
    limit = float(size - g)  # largest top-left coordinate
    low, high = speed
    images, targets = _digit_images()
    sample = rng.integers(0, len(images), size=(n, d))
    labels = targets[sample]
    glyphs = _glyphs(sample, g)  # (n, d, g, g)

    position = rng.uniform(0.0, limit, size=(n, d, 2))
    direction = rng.integers(0, 8, size=(n, d))
    velocity = _DIRECTIONS[direction] * rng.uniform(low, high, size=(n, d, 1))
    # Diagonals keep the chosen speed along each axis so that both axes move
    # visibly; the direction, not the Euclidean speed, is what captions name.
    positions = np.empty((n, t, d, 2))
    positions[:, 0] = position
    for step in range(1, t):
        position = position + velocity
        under, over = position < 0, position > limit
        position = np.where(under, -position, position)
        position = np.where(over, 2 * limit - position, position)
        velocity = np.where(under | over, -velocity, velocity)
        # A speed above the free range could still overshoot; clamp.
        position = np.clip(position, 0.0, limit)
        positions[:, step] = position
    pixels = np.round(positions).astype(np.int64)  # (n, t, d, 2)

    videos = np.zeros((n, t, size, size), np.uint8)
    n_idx = np.arange(n)[:, None, None, None]
    t_idx = np.arange(t)[None, :, None, None]
    offsets = np.arange(g)
    for k in range(d):
        rows = (pixels[:, :, k, 0, None] + offsets)[:, :, :, None]
        cols = (pixels[:, :, k, 1, None] + offsets)[:, :, None, :]
        current = videos[n_idx, t_idx, rows, cols]
        videos[n_idx, t_idx, rows, cols] = np.maximum(current, glyphs[:, k, None])
    captions, dominant = _captions(labels, positions, _DIRECTIONS[direction])
    return videos, labels, captions, dominant


def _captions(labels, positions, initial) -> tuple[np.ndarray, np.ndarray]:
    """Captions from per-step movement signs, ties broken by initial
    direction, and those signs ``(N, D, 2)``."""
    if positions.shape[1] > 1:
        steps = np.sign(np.diff(positions, axis=1)).sum(axis=1)  # (n, d, 2)
    else:
        steps = np.zeros(positions.shape[:1] + positions.shape[2:])
    dominant = np.where(steps != 0, np.sign(steps), np.sign(initial)).astype(int)
    # An axis the digit never moves along (0 in the direction) stays unnamed.
    dominant = np.where(initial == 0, 0, dominant)
    captions = []
    for clip_labels, clip_dominant in zip(labels, dominant, strict=True):
        parts = [
            f"digit {label} moves {_phrase(dy, dx)}"
            for label, (dy, dx) in zip(clip_labels, clip_dominant, strict=True)
        ]
        captions.append(" and ".join(parts))
    return np.array(captions, dtype=str), dominant


def moving_digits(
    num_videos: int = 1024,
    frames: int = 16,
    size: int = 64,
    num_digits: int = 1,
    channels: int = 1,
    batch_size: int | None = None,
    condition: str | None = None,
    seed: int = 0,
    shuffle: bool = True,
    repeat: bool = False,
    downscale: int = 4,
    context_frames: int = 2,
    keyframe_interval: int | None = None,
    vectorizer=None,
    sequence_length: int = 16,
    glyph_size: int | None = None,
    speed: tuple[float, float] | None = None,
    skip: int = 0,
    exclude=None,
    mask_size: int | None = None,
) -> tf.data.Dataset:
    """The moving-digits data set as a `tf.data.Dataset` (no download).

    The clips are generated in memory by `moving_digits_arrays` (about a
    second for the default 1024 clips of 16x64x64) and served from there.

    Args:
        num_videos: Number of clips.
        frames: Frames per clip.
        size: Canvas height and width.
        num_digits: Digits per clip.
        channels: 1 or 3.
        batch_size: Batch size (``drop_remainder=True``), or None for
            unbatched elements.
        condition: What to pair with each clip (see `tfvgan.data.conditions`):
            None (videos only), ``"label"`` (int32 ``()``, or
            ``(num_digits,)`` when ``num_digits > 1``), ``"caption"`` (int64
            token ids ``(sequence_length,)``), ``"caption_text"`` (string
            ``()``), ``"first_frame"`` (float32 ``(size, size, channels)``) or
            ``"low_res"`` (float32 ``(frames, size // downscale,
            size // downscale, channels)``), ``"context_frames"``
            (float32 ``(context_frames, size, size, channels)``) or
            ``"keyframes"`` (float32 ``(m, size, size, channels)``) or
            ``"masked"`` (float32 ``(frames, size, size, channels + 1)``).
        seed: Seed of the clips and of the shuffle order.
        shuffle: Reshuffle the clips every epoch.
        repeat: Repeat forever.
        downscale: Factor for ``condition="low_res"``.
        context_frames: Frames given for ``condition="context_frames"``.
        keyframe_interval: Frames from one keyframe to the next for
            ``condition="keyframes"`` (dividing ``frames - 1``); None: the
            first and last frame.
        mask_size: Side of the box hidden in every frame for
            ``condition="masked"``; None: half the frame size.
        vectorizer: A `keras.layers.TextVectorization` for
            ``condition="caption"``; default: one over
            `MOVING_DIGITS_VOCABULARY` with `sequence_length` tokens.
        sequence_length: Tokens per caption for the default vectorizer.
        glyph_size: Digit size in pixels; default ``size // 2``.
        speed: Speed range in pixels per frame; see `moving_digits_arrays`.
        skip: Elements to leave out at the start of the stream (batches when
            `batch_size` is set; with ``repeat=True`` counted across
            epochs), before the clips are converted: the result equals
            ``dataset.skip(skip)`` of the dataset built with ``skip=0`` and
            the same arguments. To resume training at step ``s``, build with
            ``repeat=True, skip=s``.
        exclude: (digit, direction) pairs no clip shows; see
            `moving_digits_arrays`.

    Returns:
        A dataset of float32 videos ``(frames, size, size, channels)`` in
        ``[-1, 1]`` (with a leading batch axis when batched), or of
        ``(video, condition)`` pairs. With ``condition="caption"`` the
        vectorizer used is available as ``dataset.vectorizer``.

    Example:

    >>> ds = moving_digits(64, frames=8, size=32, batch_size=8, condition="label")
    >>> videos, labels = next(iter(ds))
    >>> videos.shape, labels.dtype
    (TensorShape([8, 8, 32, 32, 1]), tf.int32)
    """
    conditions_lib.check_condition(condition)
    _common.check_skip(skip)
    videos, labels, captions = moving_digits_arrays(
        num_videos=num_videos,
        frames=frames,
        size=size,
        num_digits=num_digits,
        channels=1,  # Expanded to 3 inside the pipeline: a third of the memory.
        seed=seed,
        glyph_size=glyph_size,
        speed=speed,
        exclude=exclude,
    )
    conditions_lib.check_video_condition(
        condition, frames, size, downscale, context_frames, keyframe_interval,
        mask_size,
    )  # fmt: skip
    if channels not in (1, 3):
        raise ValueError(f"expected channels 1 or 3, got {channels!r}")

    if condition == "label":
        extra = labels[:, 0] if num_digits == 1 else labels
    elif condition == "caption":
        if vectorizer is None:
            vectorizer = conditions_lib.caption_vectorizer(
                vocabulary=MOVING_DIGITS_VOCABULARY, sequence_length=sequence_length
            )
        extra = np.asarray(vectorizer(tf.constant(captions))).astype(np.int64)
    elif condition == "caption_text":
        extra = captions.astype(object)
    else:
        extra = None

    if extra is None:
        dataset = tf.data.Dataset.from_tensor_slices(videos)
    else:
        dataset = tf.data.Dataset.from_tensor_slices((videos, extra))
    if shuffle:
        dataset = dataset.shuffle(num_videos, seed=seed, reshuffle_each_iteration=True)
    dataset = _common.position(dataset, repeat, skip, batch_size)

    def prepare(video, *rest):
        video = _common.to_float(video)
        if channels == 3:
            video = tf.repeat(video, 3, axis=-1)
        if condition in conditions_lib._VIDEO_CONDITIONS:
            return video, conditions_lib.video_condition(
                video, condition, downscale, context_frames, keyframe_interval,
                mask_size,
            )  # fmt: skip
        if rest:
            return video, rest[0]
        return video

    dataset = dataset.map(prepare, num_parallel_calls=_common.AUTOTUNE)
    dataset = _common.finish(dataset, batch_size)
    if condition == "caption":
        dataset.vectorizer = vectorizer
    return dataset
