"""`KeyframeInterpolator`: the generator that fills in the frames between
keyframes (in-betweening, the article's video editing).

Between two keyframes ``a`` and ``b`` the content of ``a`` went somewhere in
``b``: a correlation of the two over every shift (computed through the FFT)
says how far, ``d``. Frame ``t`` of the gap is then ``a`` moved by about
``alpha * d`` and ``b`` moved back by about ``(1 - alpha) * d`` (``alpha``
the fraction of the gap gone), blended, and composed through a predicted
mask with freshly rendered pixels. Each move is a distribution over integer
shifts per axis, peaked on the straight line at first; learned logits,
read off both keyframes, move it where straight-line motion is wrong
(walls, bounces). Before any training the generator already moves content
along the line between the keyframes, which a cross-fade cannot.
"""

from __future__ import annotations

import math

import keras
import numpy as np
from keras import ops

from tfvgan.conditions import keyframe_indices
from tfvgan.models import networks
from tfvgan.models.conditional.prediction import (
    frame_decoder,
    frame_encoder,
    sharpness,
)

__all__ = [
    "LOGIT_RANGE",
    "KeyframeInterpolator",
    "centroid",
    "displacement",
    "move",
    "shift_logits",
]


def shift_logits(center, size: int, sharpness: float = 8.0, floor: float = -8.0):
    """Logits over the integer shifts ``-(size - 1) .. size - 1`` that peak
    at `center` (``(B,)``, pixels): ``-sharpness * (k - center) ** 2``, no
    lower than `floor`, so that a bounded learned logit (`LOGIT_RANGE`) can
    still move the peak anywhere. At the default sharpness a whole-pixel
    centre is one shift (its neighbours get ``e**-8`` of its weight), so
    content moves without blur; a half-pixel one splits between the two
    nearest shifts."""
    shifts = ops.arange(-(size - 1), size, dtype="float32")
    logits = -sharpness * ops.square(shifts[None, :] - center[:, None])
    return ops.maximum(logits, floor)


#: The learned shift logits lie in ``(-LOGIT_RANGE, LOGIT_RANGE)`` (a scaled
#: tanh). Unbounded, one seed's critic drove them to +-700 within 600 steps:
#: a one-hot move at a wrong shift, whose gradient is zero, for good.
LOGIT_RANGE = 8.0


def move(frame, rows, cols, fill: float = -1.0):
    """`frame` moved by a distribution over integer shifts, per axis.

    Args:
        frame: ``(B, H, W, C)``.
        rows, cols: ``(B, 2H - 1)`` and ``(B, 2W - 1)``, probabilities of
            the shifts ``-(H - 1) .. H - 1`` down and ``-(W - 1) .. W - 1``
            right. A one-hot distribution moves the frame exactly; a
            spread one blends the moved copies.
        fill: value of the pixels moved in from outside the frame.

    Returns:
        ``(B, H, W, C)``: ``out[y, x] = sum_{i, j} rows[i] cols[j]
        frame[y - i, x - j]``; differentiable in all three inputs.
    """
    height, width = frame.shape[1], frame.shape[2]

    def matrix(probs, size):  # (B, size, size): out[i] takes in[j] w.p. p[i - j]
        index = np.arange(size)[:, None] - np.arange(size)[None, :] + size - 1
        return ops.take(probs, index, axis=1)

    moved = ops.einsum("bij,bjwc->biwc", matrix(rows, height), frame - fill)
    moved = ops.einsum("bkl,bilc->bikc", matrix(cols, width), moved)
    return moved + fill


def displacement(first, last, beta):
    """How far the content of `first` moved in `last`: the soft peak
    (softmax with temperature ``1 / beta``) of their correlation over every
    shift, computed through the FFT.

    Args:
        first, last: ``(B, H, W, C)`` in [-1, 1] (brightness is correlated:
            content on a dark, plain background).
        beta: sharpness of the soft peak, on the correlation scaled to a
            maximum of 1.

    Returns:
        ``(B, 2)`` ``(dy, dx)`` in pixels, each in ``(-H, H)`` / ``(-W, W)``.
    """
    height, width = first.shape[1], first.shape[2]
    a = ops.mean((first + 1.0) / 2.0, axis=-1)
    b = ops.mean((last + 1.0) / 2.0, axis=-1)
    pad = [[0, 0], [0, height], [0, width]]  # no wrap-around for |shift| < H
    a, b = ops.pad(a, pad), ops.pad(b, pad)
    zeros = ops.zeros_like(a)
    ar, ai = ops.fft2((a, zeros))
    br, bi = ops.fft2((b, zeros))
    # conj(A) * B: corr[s] = sum_x a[x] * b[x + s].
    corr, _ = ops.ifft2((ar * br + ai * bi, ar * bi - ai * br))
    corr = ops.reshape(corr, (-1, 4 * height * width))
    corr = corr / (ops.max(corr, axis=-1, keepdims=True) + 1e-6)
    dy = ops.arange(2 * height, dtype="float32")
    dy = ops.where(dy < height, dy, dy - 2 * height)
    dx = ops.arange(2 * width, dtype="float32")
    dx = ops.where(dx < width, dx, dx - 2 * width)
    dy = ops.reshape(ops.repeat(dy[:, None], 2 * width, axis=1), (-1,))
    dx = ops.reshape(ops.repeat(dx[None, :], 2 * height, axis=0), (-1,))
    # The shift of exactly -H (or -W) has no +H twin: leave it out, so a
    # blank pair of frames averages to no motion.
    valid = ops.logical_and(dy > -height, dx > -width)
    logits = ops.where(valid[None], beta * corr, -1e9)
    weights = ops.softmax(logits, axis=-1)
    return ops.stack([ops.sum(weights * dy, -1), ops.sum(weights * dx, -1)], -1)


def centroid(frame):
    """Where the brightness of `frame` (``(B, H, W, C)`` in [-1, 1]) is, as
    fractions of its height and width: ``(B, 2)``, ``(0.5, 0.5)`` for a
    blank frame."""
    height, width = frame.shape[1], frame.shape[2]
    w = ops.mean((frame + 1.0) / 2.0, axis=-1)
    mass = ops.sum(w, axis=(1, 2)) + 1e-6
    y = (ops.arange(height, dtype="float32") + 0.5) / height
    x = (ops.arange(width, dtype="float32") + 0.5) / width
    cy = (ops.sum(w * y[None, :, None], axis=(1, 2)) + 0.5e-6) / mass
    cx = (ops.sum(w * x[None, None, :], axis=(1, 2)) + 0.5e-6) / mass
    return ops.stack([cy, cx], axis=-1)


@keras.saving.register_keras_serializable(package="tfvgan")
class KeyframeInterpolator(networks._Network):
    """G(z, keyframes): the keyframes in place and the frames between them.

    Keyframes are frames ``0, n, 2n, ..., frames - 1`` (``n`` =
    `keyframe_interval`). For each gap between keyframes ``a`` and ``b``:

    - `displacement` gives ``d``, how far ``a``'s content moved in ``b``
      (a learned ``beta`` sets how sharply the correlation's peak is read);
    - a conv encoder of ``(a, b, b - a)``, ``d`` and where the content is
      in ``a`` and ``b`` (their brightness `centroid`\\ s) give the gap's
      code;
    - frame ``t`` of the gap (``alpha = (t - t0) / n``) gets a code from the
      gap's, ``alpha`` and its own noise. From it come, per axis, a
      distribution over every integer shift of ``a`` (and one of ``b``):
      logits peaked on the straight line, ``alpha * d`` (``(alpha - 1) * d``
      for ``b``), plus learned logits (zero at first). Then a blend weight
      ``w`` (``alpha`` at first), a mask and pixels:
      ``frame = mask * ((1 - w) * move(a) + w * move(b)) + (1 - mask) *
      pixels``.

    A `move` is a distribution over shifts, not one offset: the L1 term's
    gradient reaches every shift, so the network can learn moves far from
    the straight line (a bounce off a wall) that a regressed offset, whose
    gradient only sees the next pixel, never finds. A peaked distribution
    moves content by whole pixels, as sharp as the keyframe.

    The network computes in float32 under any dtype policy (as
    `FramePredictor`).

    Called on ``[noise, keyframes]`` (``(B, latent_dim)``,
    ``(B, m, H, W, C)`` in [-1, 1]); returns ``(B, frames, H, W, C)`` in
    [-1, 1] with the keyframes exact.

    Args:
        frames, size, channels: clip shape.
        keyframe_interval: frames from one keyframe to the next, dividing
            ``frames - 1``; None (default) ``frames - 1``: the first and the
            last frame.
        latent_dim: noise size.
        width: channels of the encoder's first stage (and the decoder's).
        noise_dim: noise per generated frame (a projection of the clip's).
        **kwargs: `name`, `trainable`, `dtype`, passed to `keras.Model`.

    Example:

    ```python
    g = KeyframeInterpolator(frames=5, size=16, channels=1, latent_dim=8,
                             width=8)
    keyframes = keras.ops.zeros((2, 2, 16, 16, 1))   # frames 0 and 4
    g([keras.random.normal((2, 8)), keyframes])       # (2, 5, 16, 16, 1)
    ```

    Reference:
        Niklaus et al. 2017, "Video Frame Interpolation via Adaptive
        Separable Convolution", https://arxiv.org/abs/1708.01692 (separable
        per-axis kernels); Jiang et al. 2018, "Super SloMo",
        https://arxiv.org/abs/1712.00080 (both keyframes moved by a fraction
        of their motion, blended by a visibility weight); Finn et al. 2016
        (CDNA), https://arxiv.org/abs/1605.07157 (moves as softmax kernels,
        composed with rendered pixels through a mask)
    """

    def __init__(
        self,
        frames: int,
        size: int,
        channels: int,
        keyframe_interval: int | None = None,
        latent_dim: int = 100,
        width: int = 32,
        noise_dim: int = 8,
        **kwargs,
    ):
        kwargs.setdefault("dtype", "float32")  # see the class docstring
        super().__init__(
            **networks.constructor_arguments(KeyframeInterpolator.__init__, locals()),
            **kwargs,
        )
        self.keys = keyframe_indices(frames, keyframe_interval)
        if size % 8:
            raise ValueError(f"expected size a multiple of 8, got {size!r}")
        self.frames, self.size, self.channels = frames, size, channels
        self.interval = self.keys[1] - self.keys[0]
        self.noise_dim, self.width = noise_dim, width
        between = frames - len(self.keys)
        f32 = dict(dtype="float32")
        self.step_noise = keras.layers.Dense(between * noise_dim, **f32)
        self.encoder = frame_encoder(width)
        self.flatten = keras.layers.Flatten(**f32)
        self.gap_code = keras.layers.Dense(128, activation="relu", **f32)
        self.frame_code = keras.layers.Dense(128, activation="relu", **f32)
        # Shift logits of a's rows and columns, then b's; zero at first:
        # the moves start on the straight line.
        self.shifts = keras.layers.Dense(
            4 * (2 * size - 1),
            kernel_initializer="zeros",
            bias_initializer="zeros",
            **f32,
        )
        self.seed_map, self.decoder = frame_decoder(width, size, channels + 2)

    def build(self, input_shape):
        self.beta = sharpness(self)
        super().build(input_shape)

    def _frame(self, first, last, motion, gap_code, alpha, noise, training):
        code = self.frame_code(
            ops.concatenate(
                [gap_code, ops.full_like(gap_code[:, :1], alpha), noise], axis=-1
            )
        )
        raw = self.shifts(code) / LOGIT_RANGE
        learned = ops.split(LOGIT_RANGE * ops.tanh(raw), 4, axis=-1)
        centres = (
            alpha * motion[:, 0],
            alpha * motion[:, 1],
            (alpha - 1.0) * motion[:, 0],
            (alpha - 1.0) * motion[:, 1],
        )
        probs = [
            ops.softmax(shift_logits(c, self.size) + extra, axis=-1)
            for c, extra in zip(centres, learned)
        ]
        forward = move(first, probs[0], probs[1])
        backward = move(last, probs[2], probs[3])
        g = ops.reshape(
            self.seed_map(code), (-1, self.size // 8, self.size // 8, self.width)
        )
        for deconv in self.decoder:
            g = deconv(g, training=training)
        prior = math.log(alpha / (1.0 - alpha))
        weight = ops.sigmoid(g[..., :1] + prior)  # how much of `last`
        mask = ops.sigmoid(g[..., 1:2] + 3.0)  # start by mostly moving
        pixels = ops.tanh(g[..., 2:])
        moved = (1.0 - weight) * forward + weight * backward
        # In [-1, 1] up to float rounding, which the clip takes off.
        return ops.clip(mask * moved + (1.0 - mask) * pixels, -1.0, 1.0)

    def call(self, inputs, training=False):
        noise, keyframes = inputs
        noise = ops.cast(noise, "float32")
        keyframes = ops.cast(keyframes, "float32")
        between = self.frames - len(self.keys)
        noise = ops.reshape(self.step_noise(noise), (-1, between, self.noise_dim))
        n = self.interval
        clip = []
        step = 0
        for gap in range(len(self.keys) - 1):
            first, last = keyframes[:, gap], keyframes[:, gap + 1]
            motion = displacement(first, last, self.beta)
            h = ops.concatenate([first, last, last - first], axis=-1)
            for conv in self.encoder:
                h = conv(h, training=training)
            # Where the content is at both ends, and how far it went: what
            # the moves need to leave the straight line (a bounce off a wall).
            where = [centroid(first), centroid(last), motion / self.size]
            gap_code = self.gap_code(
                ops.concatenate([self.flatten(h), *where], axis=-1)
            )
            clip.append(first)
            for j in range(1, n):
                clip.append(
                    self._frame(
                        first, last, motion, gap_code, j / n, noise[:, step], training
                    )
                )
                step += 1
        clip.append(keyframes[:, -1])
        return ops.stack(clip, axis=1)
