"""`Inpainter`: the generator that fills in a hidden region of a clip
(inpainting, the article's video editing).

Its input is the ``"masked"`` condition (`tfvgan.masking`): the clip with
the hidden pixels at 0 and the mask on one more channel. A 3D-conv U-Net
reads the whole clip at once, so what is hidden in one frame can be
filled from what the other frames show (a digit that passes behind a box
is seen before and after), and the frame-wide context of its coarsest
stage says where things are headed. Its output only replaces the hidden
pixels: the seen ones are passed through exactly, in float32.
"""

from __future__ import annotations

import keras
from keras import ops

from tfvgan.layers import TileToVideo
from tfvgan.models import networks
from tfvgan.models.conditional.interpolation import (
    LOGIT_RANGE,
    displacement,
    move,
    shift_logits,
)
from tfvgan.models.conditional.prediction import sharpness

__all__ = ["Inpainter"]


@keras.saving.register_keras_serializable(package="tfvgan")
class Inpainter(networks._Network):
    """G(z, masked clip): the clip with its hidden pixels filled in.

    A 3D-conv U-Net over ``(seen pixels, mask, tiled noise)``: a full-size
    stage, then three stages that halve the frame (not time) down to
    ``size / 8``, two 3x3x3 convolutions there (the second dilated in
    time, so the coarse stage sees 15 frames), and the way back up
    with the encoder's maps joined at each size. A ``tanh`` map of pixels
    is composed through the mask: ``out = seen + mask * pixels``.

    With `propagate` (the default), what a frame hides is also carried
    over from its neighbours, as flow-guided video inpainting does: the
    move of each step ``t - 1 -> t`` is read off the correlation of the
    two frames' seen pixels (`displacement`, as `KeyframeInterpolator`
    reads it between keyframes), as a distribution over whole-pixel shifts
    per axis that learned logits from the U-Net's coarse maps of both
    frames correct (walls, bounces). A forward chain fills frame ``t``'s
    hidden pixels with frame ``t - 1``'s (filled) content moved by that
    step, a backward chain with frame ``t + 1``'s moved back; per pixel,
    learned weights (a third each at first) blend the two chains and the
    rendered pixels. A digit seen before or after it passes under a box is
    then copied, sharp, to where it is under the box.

    The network computes in float32 under any dtype policy, as the other
    frame generators do: under bfloat16 the exported graph and the
    in-memory model drifted 0.012 apart.

    Called on ``[noise, condition]`` (``(B, latent_dim)``, ``(B, T, H, W,
    C + 1)``); returns ``(B, T, H, W, C)`` in [-1, 1] equal to the
    condition's pixels wherever its mask is 0.

    Args:
        frames, size, channels: clip shape (`size` divisible by 8).
        latent_dim: noise size.
        width: channels of the half-size stage; the full-size stage has
            half as many, the coarser ones twice as many.
        noise_dim: channels the noise is tiled to.
        propagate: also carry content over from the neighbouring frames
            along the measured motion (above); False leaves the U-Net alone.
        **kwargs: `name`, `trainable`, `dtype`, passed to `keras.Model`.

    Example:

    ```python
    g = Inpainter(frames=4, size=16, channels=1, latent_dim=8, width=8)
    g([keras.random.normal((2, 8)), keras.ops.zeros((2, 4, 16, 16, 2))])
    # (2, 4, 16, 16, 1)
    ```

    Reference:
        Ronneberger et al. 2015, "U-Net", https://arxiv.org/abs/1505.04597;
        Wang et al. 2019, "Video Inpainting by Jointly Learning Temporal
        Structure and Spatial Details" (3D-conv completion),
        https://arxiv.org/abs/1806.08482; Xu et al. 2019, "Deep Flow-Guided
        Video Inpainting", https://arxiv.org/abs/1905.02884 and Zhou et al.
        2023, "ProPainter", https://arxiv.org/abs/2309.03897 (content
        propagated along the motion, both ways)
    """

    def __init__(
        self,
        frames: int,
        size: int,
        channels: int,
        latent_dim: int = 64,
        width: int = 32,
        noise_dim: int = 4,
        propagate: bool = True,
        **kwargs,
    ):
        kwargs.setdefault("dtype", "float32")  # see the class docstring
        super().__init__(
            **networks.constructor_arguments(Inpainter.__init__, locals()), **kwargs
        )
        if size % 8:
            raise ValueError(f"Inpainter needs size divisible by 8, got size={size}.")
        self.channels = channels
        f32 = dict(dtype="float32")
        self.noise_proj = keras.layers.Dense(noise_dim, **f32)
        self.tile = TileToVideo(frames, size, **f32)
        widths = (max(4, width // 2), width, 2 * width, 2 * width)

        def conv(filters, kernel=3, strides=1, **extra):
            return keras.layers.Conv3D(
                filters, kernel, strides, "same", activation="relu", **f32, **extra
            )

        self.first = conv(widths[0])
        self.down = [conv(w, (3, 4, 4), (1, 2, 2)) for w in widths[1:]]
        self.middle = [conv(widths[-1]), conv(widths[-1], dilation_rate=(2, 1, 1))]
        self.up = [
            keras.layers.Conv3DTranspose(
                w, (3, 4, 4), (1, 2, 2), "same", activation="relu", **f32
            )
            for w in reversed(widths[:-1])
        ]
        self.merge = [conv(w) for w in reversed(widths[:-1])]
        self.pixels = keras.layers.Conv3D(channels, 3, padding="same", **f32)
        self.propagate = bool(propagate)
        self.size = size
        if self.propagate:
            self.flatten = keras.layers.Flatten(**f32)
            self.step_code = keras.layers.Dense(128, activation="relu", **f32)
            # Learned shift logits (rows, columns) per step; zero at first:
            # the moves start at the measured motion.
            self.shifts = keras.layers.Dense(
                2 * (2 * size - 1),
                kernel_initializer="zeros",
                bias_initializer="zeros",
                **f32,
            )
            # Per pixel: how much of the forward chain, the backward chain
            # and the rendered pixels; a third each at first.
            self.blend = keras.layers.Conv3D(
                3, 3, padding="same", kernel_initializer="zeros", **f32
            )

    def build(self, input_shape):
        if self.propagate:
            self.beta = sharpness(self)
        super().build(input_shape)

    def _steps(self, background, coarse):
        """Per step ``t - 1 -> t``, the distributions of its move over the
        row and the column shifts: ``[(rows, cols), ...]``."""
        steps = []
        for t in range(1, background.shape[1]):
            motion = displacement(background[:, t - 1], background[:, t], self.beta)
            code = self.step_code(
                ops.concatenate(
                    [
                        self.flatten(coarse[:, t - 1]),
                        self.flatten(coarse[:, t]),
                        motion / self.size,
                    ],
                    axis=-1,
                )
            )
            learned = ops.split(
                LOGIT_RANGE * ops.tanh(self.shifts(code) / LOGIT_RANGE), 2, axis=-1
            )
            steps.append(
                tuple(
                    ops.softmax(shift_logits(motion[:, i], self.size) + learned[i])
                    for i in (0, 1)
                )
            )
        return steps

    def call(self, inputs, training=False):
        noise, condition = inputs
        condition = ops.cast(condition, "float32")
        mask = condition[..., self.channels :]
        # Whatever a caller left under the mask is not seen.
        seen = condition[..., : self.channels] * (1.0 - mask)
        noise_map = self.tile(self.noise_proj(ops.cast(noise, "float32")))
        h = self.first(ops.concatenate([seen, mask, noise_map], axis=-1))
        skips = [h]
        for layer in self.down:
            h = layer(h)
            skips.append(h)
        skips.pop()
        for layer in self.middle:
            h = layer(h)
        coarse = h
        for up, merge in zip(self.up, self.merge):
            h = merge(ops.concatenate([up(h), skips.pop()], axis=-1))
        pixels = ops.tanh(self.pixels(h))
        if not self.propagate:
            return ops.clip(seen + mask * pixels, -1.0, 1.0)
        # Hidden pixels read as background (-1) for the motion measure.
        steps = self._steps(seen - mask, coarse)
        guess = seen + mask * pixels
        frames = guess.shape[1]
        forward = [guess[:, 0]]
        for t in range(1, frames):
            rows, cols = steps[t - 1]
            moved = move(forward[-1], rows, cols)
            forward.append(seen[:, t] + mask[:, t] * moved)
        backward = [guess[:, -1]]
        for t in range(frames - 2, -1, -1):
            rows, cols = steps[t]  # the step t -> t + 1, undone
            moved = move(backward[-1], ops.flip(rows, -1), ops.flip(cols, -1))
            backward.append(seen[:, t] + mask[:, t] * moved)
        forward = ops.stack(forward, axis=1)
        backward = ops.stack(backward[::-1], axis=1)
        weights = ops.softmax(self.blend(h), axis=-1)
        fill = (
            weights[..., 0:1] * forward
            + weights[..., 1:2] * backward
            + weights[..., 2:3] * pixels
        )
        # A convex blend of values in [-1, 1], but float rounding can step
        # 1e-7 outside: the contract is [-1, 1].
        return ops.clip(seen + mask * fill, -1.0, 1.0)
