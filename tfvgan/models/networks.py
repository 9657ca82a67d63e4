"""Generator networks and building blocks shared by the tfvgan variants.

The critics live in `tfvgan.models.critics`.

Each network is a small subclassed `keras.Model` whose depth follows from the
clip shape: ``log2(size / 4)`` stride-2 stages between a 4x4 map and the frame
size, with time strided on as many stages as the frame count allows. Widths
follow the published architectures at ``width=64`` and scale linearly with it.
"""

from __future__ import annotations

import inspect
import math

import keras
from keras import ops

from tfvgan.layers import (
    FusedBatchNormalization,
    PatchGradConv2DTranspose,
    PatchGradConv3DTranspose,
)
from tfvgan.validation import check_bool

SUPPORTED_SIZES = (16, 32, 64, 128, 256)


def check_shape(frames: int, size: int, channels: int) -> None:
    """Raises `ValueError` for clip shapes the networks cannot build."""
    if size not in SUPPORTED_SIZES:
        raise ValueError(
            f"size must be one of {SUPPORTED_SIZES} (square frames), got {size!r}."
        )
    if not isinstance(frames, int) or frames < 2:
        raise ValueError(f"frames must be an integer >= 2, got {frames!r}.")
    if channels not in (1, 3):
        raise ValueError(f"channels must be 1 or 3, got {channels!r}.")


def check_flags(**flags) -> None:
    """Raises `ValueError` for an on/off option that is not a bool.

    A string such as ``"false"`` (from a config file or a command line) is
    truthy; taking it silently would build the opposite model.
    """
    for name, value in flags.items():
        check_bool(name, value)


def num_stages(size: int) -> int:
    """Stride-2 stages between a 4x4 map and `size` x `size`."""
    return int(math.log2(size // 4))


def temporal_plan(frames: int, stages: int) -> tuple[int, list[int]]:
    """(frames at the 4x4 end, time stride per stage, coarse to fine).

    Time is halved on the finest stages, as often as `frames` has factors of 2
    (at most once per stage); the coarse end keeps the remaining frames.
    """
    twos = 0
    while frames % (2 ** (twos + 1)) == 0 and twos < stages:
        twos += 1
    strides = [1] * (stages - twos) + [2] * twos
    return frames // 2**twos, strides


def batch_norm(sync: bool) -> keras.layers.Layer:
    # momentum / epsilon as PyTorch's defaults, like the reference models.
    return FusedBatchNormalization(momentum=0.9, epsilon=1e-5, synchronized=sync)


def _stage_widths(width: int, stages: int, top: int) -> list[int]:
    """Channel widths, coarse to fine: top*width/8 halving per stage, >= 8."""
    return [max(8, (top * width // 8) // 2**i) for i in range(stages)]


def constructor_arguments(init, values: dict) -> dict:
    """The named arguments a constructor was called with.

    The signature is their one declaration: the names come from `init` (the
    class's ``__init__``), the values from `values` (its ``locals()``, after
    any normalization). ``*args`` and ``**kwargs`` are left out.

    Example:

    ```python
    def __init__(self, size, width=64, **kwargs):
        super().__init__(**constructor_arguments(Net.__init__, locals()), **kwargs)
    ```
    """
    parameters = inspect.signature(init).parameters.items()
    return {
        name: values[name]
        for name, p in parameters
        if name != "self" and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
    }


class _Network(keras.Model):
    """Base: keeps constructor arguments and serializes them.

    Subclasses pass their arguments up by name
    (`constructor_arguments`); `get_config` returns them.
    """

    def __init__(self, **kwargs):
        names = ("name", "trainable", "dtype")
        base = {k: kwargs.pop(k) for k in names if k in kwargs}
        super().__init__(**base)
        self._args = dict(kwargs)

    def get_config(self):
        return {"name": self.name, "trainable": self.trainable, **self._args}


def run_stages(stages, h, activation, training):
    """Applies `(conv, norm)` stages: `activation(norm(conv(h)))`."""
    for conv, norm in stages:
        h = conv(h)
        if norm is not None:
            h = norm(h, training=training)
        h = activation(h)
    return h


@keras.saving.register_keras_serializable(package="tfvgan")
class FrameGenerator(_Network):
    """Renders frames from per-frame codes: (N, dim) -> (N, size, size, channels).

    A 1x1 -> 4x4 transposed convolution, then stride-2 transposed-conv stages
    with batch norm and ReLU, then a tanh output stage (MoCoGAN's image
    generator; also TGAN's when ``fc_split`` is set, where two dense
    projections of the slow and fast halves of the code are concatenated).

    Args:
        size, channels: frame shape.
        width: width multiplier (64 = the papers' widths).
        fc_split: 0 for MoCoGAN's form; else TGAN's, with the code's first
            `fc_split` entries (slow latent) and the rest (fast latent) each
            projected by a dense layer to a 4x4 map.
        output_activation: activation of the output stage.
        sync_bn: synchronized batch norm across replicas.
        **kwargs: `name`, `trainable`, `dtype`, passed to `keras.Model`.

    Example:

    ```python
    g = FrameGenerator(size=16, channels=1, width=8)
    g(keras.random.normal((2, 12)))  # (2, 16, 16, 1)
    ```

    Reference:
        Tulyakov et al. 2018, https://arxiv.org/abs/1707.04993
    """

    def __init__(
        self,
        size: int,
        channels: int,
        width: int = 64,
        fc_split: int = 0,
        output_activation: str = "tanh",
        sync_bn: bool = False,
        **kwargs,
    ):
        super().__init__(
            **constructor_arguments(FrameGenerator.__init__, locals()), **kwargs
        )
        stages = num_stages(size)
        self.fc_split = fc_split
        if fc_split:
            # TGAN: dense projections of the slow (content) and fast (frame)
            # codes to 4x4 maps, concatenated; then stages to 1/2 the width.
            c0 = 4 * width
            self.fc = [
                (keras.layers.Dense(16 * c0, use_bias=False), batch_norm(sync_bn))
                for _ in range(2)
            ]
            self.reshape = keras.layers.Reshape((4, 4, c0))
            widths = [max(8, 4 * width // 2**i) for i in range(stages)]
            self.stages = [
                (
                    PatchGradConv2DTranspose(w, 4, 2, padding="same", use_bias=False),
                    batch_norm(sync_bn),
                )
                for w in widths
            ]
            self.out = keras.layers.Conv2DTranspose(
                channels, 3, 1, padding="same", activation=output_activation
            )
        else:
            widths = _stage_widths(width, stages, top=64)
            self.stem = (
                PatchGradConv2DTranspose(widths[0], 4, use_bias=False),
                batch_norm(sync_bn),
            )
            self.stages = [
                (
                    PatchGradConv2DTranspose(w, 4, 2, padding="same", use_bias=False),
                    batch_norm(sync_bn),
                )
                for w in widths[1:]
            ]
            self.out = keras.layers.Conv2DTranspose(
                channels, 4, 2, padding="same", activation=output_activation
            )

    def call(self, codes, training=False):
        if self.fc_split:
            halves = (codes[:, : self.fc_split], codes[:, self.fc_split :])
            maps = [
                self.reshape(ops.relu(bn(fc(x), training=training)))
                for (fc, bn), x in zip(self.fc, halves)
            ]
            h = ops.concatenate(maps, axis=-1)
        else:
            h = ops.reshape(codes, (-1, 1, 1, codes.shape[-1]))
            h = run_stages([self.stem], h, ops.relu, training)
        h = run_stages(self.stages, h, ops.relu, training)
        return self.out(h)


@keras.saving.register_keras_serializable(package="tfvgan")
class VideoGenerator3D(_Network):
    """3D transposed-conv video generator from a code vector (VGAN streams).

    `two_stream=True` adds VGAN's sigmoid mask over the foreground and a 2D
    static background stream: ``video = m * fg + (1 - m) * bg``. With
    `background_from_input`, the background is an input frame instead (the
    image-conditioned generator: the clip is composed over the given frame).
    The mask's mean magnitude is registered with `add_loss` (weight
    `mask_l1`), the VGAN sparsity prior.

    Args:
        frames, size, channels: clip shape.
        width: width multiplier (64 = VGAN's widths).
        two_stream: foreground, mask and background streams (VGAN) if True,
            else the 3D foreground stream alone.
        background_from_input: with `two_stream`, take the background from
            the input: the model is then called on ``[code, frame]``, frame
            ``(B, size, size, channels)``.
        mask_l1: weight of the mask's L1 penalty in training (0 = off).
        sync_bn: synchronized batch norm across replicas.
        **kwargs: `name`, `trainable`, `dtype`, passed to `keras.Model`.

    Example:

    ```python
    g = VideoGenerator3D(frames=4, size=16, channels=1, width=8)
    g(keras.random.normal((2, 16)))  # (2, 4, 16, 16, 1)
    ```

    Reference:
        Vondrick et al. 2016, https://arxiv.org/abs/1609.02612
    """

    def __init__(
        self,
        frames: int,
        size: int,
        channels: int,
        width: int = 64,
        two_stream: bool = True,
        background_from_input: bool = False,
        mask_l1: float = 0.0,
        sync_bn: bool = False,
        **kwargs,
    ):
        super().__init__(
            **constructor_arguments(VideoGenerator3D.__init__, locals()), **kwargs
        )
        stages = num_stages(size)
        t_start, t_strides = temporal_plan(frames, stages)
        widths = _stage_widths(width, stages, top=64)
        self.two_stream = two_stream
        self.background_from_input = background_from_input
        self.mask_l1 = mask_l1
        self.stem = (
            PatchGradConv3DTranspose(widths[0], (t_start, 4, 4), use_bias=False),
            batch_norm(sync_bn),
        )
        self.stages = [
            (
                PatchGradConv3DTranspose(
                    w, 4, (ts, 2, 2), padding="same", use_bias=False
                ),
                batch_norm(sync_bn),
            )
            for w, ts in zip(widths[1:], t_strides[:-1])
        ]
        self.fg = keras.layers.Conv3DTranspose(
            channels, 4, (t_strides[-1], 2, 2), padding="same", activation="tanh"
        )
        if two_stream:
            self.mask = keras.layers.Conv3DTranspose(
                1, 4, (t_strides[-1], 2, 2), padding="same", activation="sigmoid"
            )
            if not background_from_input:
                self.bg = FrameGenerator(size, channels, width=width, sync_bn=sync_bn)

    def call(self, inputs, training=False):
        if self.background_from_input:
            code, background = inputs
        else:
            code, background = inputs, None
        h = ops.reshape(code, (-1, 1, 1, 1, code.shape[-1]))
        h = run_stages([self.stem, *self.stages], h, ops.relu, training)
        if not self.two_stream:
            return self.fg(h)
        foreground, mask = self._foreground_and_mask(h)
        if background is None:
            background = self.bg(code, training=training)
        background = ops.expand_dims(background, 1)  # same for every frame
        if training and self.mask_l1:
            self.add_loss(self.mask_l1 * ops.mean(ops.abs(mask)))
        return mask * foreground + (1.0 - mask) * background

    def _foreground_and_mask(self, h):
        """`self.fg(h)` and `self.mask(h)` as one transposed convolution.

        The two heads have `channels` and 1 output channels: apart they are
        two poorly vectorised convolutions (about 10% of a 64x64 paper-preset
        training step on CPU), together one of `channels + 1`. The weights
        stay the two layers' own (same shapes, initialisers, checkpoints).
        """
        for layer in (self.fg, self.mask):
            if not layer.built:
                layer.build(h.shape)
        kernel = ops.concatenate([self.fg.kernel, self.mask.kernel], axis=-2)
        out = ops.conv_transpose(
            h,
            kernel,
            strides=list(self.fg.strides),
            padding=self.fg.padding,
            output_padding=self.fg.output_padding,
            dilation_rate=self.fg.dilation_rate,
            data_format=self.fg.data_format,
        )
        out = out + ops.concatenate([self.fg.bias, self.mask.bias], axis=0)
        # A split's gradient is one concatenation (cheaper than two slices').
        foreground, mask = ops.split(out, [self.fg.filters], axis=-1)
        return self.fg.activation(foreground), self.mask.activation(mask)


__all__ = [
    "FrameGenerator",
    "VideoGenerator3D",
    "check_shape",
    "num_stages",
    "temporal_plan",
]
