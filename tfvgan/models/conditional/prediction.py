"""`FramePredictor`: the generator that continues a clip from its first frames.

Each new frame is made from the frames before it (the article's RNN family,
"each frame from the previous one"): the last frame is moved by a predicted
convolution kernel (SAVP/CDNA's transformation, one kernel per clip and
step) and composed, through a predicted mask, with freshly rendered pixels.
The kernel is read off a correlation of the last two frames — how far the
content moved between them — so constant motion is continued from the
first step of training, and the network learns what the correlation alone
cannot tell (walls, bounces, occlusions). With one given frame the first
move is drawn from a learned prior instead.
"""

from __future__ import annotations

import keras
from keras import ops

from tfvgan.conditions import check_context_frames
from tfvgan.models import networks


def check_kernel_size(name: str, value) -> int:
    """`value`, an odd int >= 1 (a motion kernel's width).

    Raises:
        ValueError: anything else, naming the argument `name`.
    """
    odd = not isinstance(value, bool) and isinstance(value, int) and value % 2
    if not odd or value < 1:
        raise ValueError(f"expected {name} an odd int >= 1, got {value!r}.")
    return value


def shifted_copies(frame, kernel_size: int, fill: float = -1.0):
    """Every shift of `frame` within a ``kernel_size`` window.

    Args:
        frame: ``(B, H, W, C)``.
        kernel_size: odd window size ``K``.
        fill: value of the pixels shifted in from outside the frame.

    Returns:
        ``(B, H, W, C, K * K)``: entry ``(i, j)`` (row-major) holds
        ``frame[y + i - K // 2, x + j - K // 2]``.
    """
    r = kernel_size // 2
    height, width = frame.shape[1], frame.shape[2]
    padded = ops.pad(frame, [[0, 0], [r, r], [r, r], [0, 0]], constant_values=fill)
    copies = [
        padded[:, i : i + height, j : j + width, :]
        for i in range(kernel_size)
        for j in range(kernel_size)
    ]
    return ops.stack(copies, axis=-1)


def sharpness(model, initial: float = 20.0):
    """A frame generator's learned ``beta``: how sharply the peak of a
    correlation over shifts is read (the softmax's inverse temperature).
    Large at first, so a move starts at the correlation's peak, sharp
    rather than a blur."""
    return model.add_weight(
        name="beta",
        shape=(),
        initializer=keras.initializers.Constant(initial),
        dtype="float32",
    )


def frame_encoder(width: int) -> list:
    """The frame generators' conv encoder (`FramePredictor`,
    `KeyframeInterpolator`): three stride-2 stages, float32."""
    return [
        keras.layers.Conv2D(w, 4, 2, "same", activation="relu", dtype="float32")
        for w in (width, 2 * width, 2 * width)
    ]


def frame_decoder(width: int, size: int, outputs: int) -> tuple:
    """The frame generators' decoder: a dense seed map to ``(size / 8)**2 *
    width`` and three stride-2 transposed convolutions to `outputs`
    channels, float32. Returns ``(seed_map, layers)``."""
    f32 = dict(dtype="float32")
    seed_map = keras.layers.Dense((size // 8) ** 2 * width, activation="relu", **f32)
    layers = [
        keras.layers.Conv2DTranspose(width, 4, 2, "same", activation="relu", **f32),
        keras.layers.Conv2DTranspose(width, 4, 2, "same", activation="relu", **f32),
        keras.layers.Conv2DTranspose(outputs, 4, 2, "same", **f32),
    ]
    return seed_map, layers


@keras.saving.register_keras_serializable(package="tfvgan")
class FramePredictor(networks._Network):
    """G(z, first frames): the clip's first `context_frames` frames, then
    one predicted frame at a time, each from the two before it.

    A step sees the last two frames ``a`` (newest) and ``b``:

    - a correlation ``c_d = mean(a * shift_d(b))`` over every shift ``d`` in a
      ``kernel_size`` window (pixels mapped to [0, 1]) says where the
      content of ``b`` went in ``a``;
    - a small conv encoder of ``(a, b, a - b)``, the correlation and this
      step's noise give a hidden code;
    - the code gives kernel logits (plus ``beta * c``, ``beta`` learned, so
      the first prediction continues the measured motion), a softmax
      kernel that moves ``a``, and a decoder's mask and pixels:
      ``next = mask * move(a) + (1 - mask) * pixels``.

    With one context frame the first step has no motion to read. It draws
    one whole-pixel move instead, from a prior over the kernel's shifts
    read off the frame (``p(move | frame)``, SVG's learned prior in the
    form of a categorical): the noise gives the Gumbel variates of the draw
    (through a fixed projection, so the same noise draws the same move),
    and one exact shift keeps the frame sharp. The prior learns from two
    sides: `first_move_loss` fits it to the moves measured between the
    real clips' first two frames (`ConditionalGAN` adds it as its ``move``
    term), and the critic and the L1 term reach it straight through the
    draw, pulling it toward the moves whose clips look real (without that
    path FVD was 10.1 instead of 0.8, docs/notes/frame_conditioned.md).
    The later steps read the drawn move off the correlation and continue
    it, as with two context frames, where the measured motion leads from
    the first step and the noise reaches the kernel only through the
    hidden code.

    The network computes in float32 whatever the global dtype policy: each
    frame feeds every later one, and bfloat16 rounding compounded over the
    steps (the served and in-memory generators then drifted 0.03 apart).
    The correlation is of raw brightness, which suits content on a dark,
    plain background (`moving_digits`); on textured video the pixel branch
    has to make up for it.

    Called on ``[noise, context]`` (``(B, latent_dim)``, ``(B, k, H, W, C)``
    in [-1, 1]); returns ``(B, frames, H, W, C)`` in [-1, 1] whose first
    ``k`` frames are the context.

    Args:
        frames, size, channels: clip shape.
        context_frames: ``k``, frames given (``1 <= k < frames``).
        latent_dim: noise size.
        width: channels of the encoder's first stage (and the decoder's).
        kernel_size: odd window of the motion kernel: the largest motion
            per frame it can express is ``kernel_size // 2`` pixels.
        noise_dim: noise per step (a projection of the clip's noise).
        **kwargs: `name`, `trainable`, `dtype`, passed to `keras.Model`.

    Example:

    ```python
    g = FramePredictor(frames=6, size=16, channels=1, context_frames=2,
                       latent_dim=8, width=8)
    context = keras.ops.zeros((2, 2, 16, 16, 1))
    g([keras.random.normal((2, 8)), context])  # (2, 6, 16, 16, 1)
    ```

    Reference:
        Finn et al. 2016, "Unsupervised Learning for Physical Interaction
        through Video Prediction" (CDNA), https://arxiv.org/abs/1605.07157;
        Lee et al. 2018, "Stochastic Adversarial Video Prediction" (SAVP),
        https://arxiv.org/abs/1804.01523; Dosovitskiy et al. 2015, FlowNet
        (the correlation), https://arxiv.org/abs/1504.06852
    """

    def __init__(
        self,
        frames: int,
        size: int,
        channels: int,
        context_frames: int = 2,
        latent_dim: int = 100,
        width: int = 32,
        kernel_size: int = 7,
        noise_dim: int = 8,
        **kwargs,
    ):
        kwargs.setdefault("dtype", "float32")  # see the class docstring
        super().__init__(
            **networks.constructor_arguments(FramePredictor.__init__, locals()),
            **kwargs,
        )
        check_kernel_size("kernel_size", kernel_size)
        context_frames = check_context_frames(context_frames, frames)
        if size % 8:
            raise ValueError(f"expected size a multiple of 8, got {size!r}")
        self.frames, self.size, self.channels = frames, size, channels
        self.context_frames = context_frames
        self.kernel_size, self.noise_dim, self.width = kernel_size, noise_dim, width
        steps = frames - context_frames
        f32 = dict(dtype="float32")
        self.step_noise = keras.layers.Dense(steps * noise_dim, **f32)
        self.encoder = frame_encoder(width)
        self.flatten = keras.layers.Flatten(**f32)
        self.hidden = keras.layers.Dense(128, activation="relu", **f32)
        self.kernel = keras.layers.Dense(kernel_size * kernel_size, **f32)
        self.latent_dim = latent_dim
        self.move_prior = None
        if context_frames == 1:
            # No motion to measure at the first step: logits of a prior over
            # the first move, read off the frame (uniform at first).
            self.move_prior = keras.layers.Dense(
                kernel_size * kernel_size, kernel_initializer="zeros", **f32
            )
        self.seed_map, self.decoder = frame_decoder(width, size, channels + 1)

    def build(self, input_shape):
        self.beta = sharpness(self)
        self.move_draw = None
        if self.context_frames == 1:
            # A fixed projection of the noise onto one standard normal per
            # shift: the Gumbel variates of the first move's draw. Its
            # columns are random directions, so the variates are nearly
            # independent when latent_dim is well above kernel_size**2
            # (correlation about 1 / sqrt(latent_dim)) and correlated below.
            self.move_draw = self.add_weight(
                name="move_draw",
                shape=(self.latent_dim, self.kernel_size**2),
                initializer=keras.initializers.RandomNormal(seed=0),
                trainable=False,
                dtype="float32",
            )
        super().build(input_shape)

    def _features(self, newest, before, training):
        """The encoder's features of ``(newest, before, newest - before)``."""
        h = ops.concatenate([newest, before, newest - before], axis=-1)
        for conv in self.encoder:
            h = conv(h, training=training)
        return self.flatten(h)

    def _correlation(self, newest, before):
        """Where did `before`'s content go in `newest`: ``(B, K * K)``."""
        a = ops.mean((newest + 1.0) / 2.0, axis=-1, keepdims=True)
        b = shifted_copies(
            ops.mean((before + 1.0) / 2.0, axis=-1, keepdims=True),
            self.kernel_size,
            0.0,
        )
        corr = ops.mean(a[..., None] * b, axis=(1, 2, 3))
        return corr / (ops.max(corr, axis=-1, keepdims=True) + 1e-6)

    def _prior_logits(self, features):
        """The first-move prior's logits: the head's output times 10, so they
        move ten times as far per optimizer step as one weight does (they
        must reach several nats within a short run)."""
        return 10.0 * self.move_prior(features)

    def first_move_loss(self, clips, training=True):
        """Cross-entropy of the first-move prior against the real moves.

        The target is the shift with the highest correlation between the
        real clips' first two frames: the move the prior should draw.

        Args:
            clips: real clips ``(B, frames, H, W, C)`` in [-1, 1].
            training: passed to the encoder.

        Returns:
            The mean cross-entropy, a scalar (``log(kernel_size**2)`` for
            the uniform prior the network starts with).

        Raises:
            ValueError: the network was built with two or more context
                frames (the first move is measured, not drawn).
        """
        if self.move_prior is None:
            raise ValueError(
                "first_move_loss is for one context frame; this predictor "
                f"is given {self.context_frames}."
            )
        clips = ops.cast(clips, "float32")
        first, second = clips[:, 0], clips[:, 1]
        logits = self._prior_logits(self._features(first, first, training))
        target = ops.one_hot(
            ops.argmax(self._correlation(second, first), axis=-1),
            self.kernel_size**2,
            dtype="float32",
        )
        return ops.mean(
            keras.losses.categorical_crossentropy(target, logits, from_logits=True)
        )

    def _step(self, newest, before, noise, training, gumbel=None):
        k = self.kernel_size
        features = self._features(newest, before, training)
        if gumbel is None:
            corr = self._correlation(newest, before)
        else:  # one frame: no motion to measure yet
            corr = ops.zeros((ops.shape(newest)[0], k * k), "float32")
        code = self.hidden(ops.concatenate([features, corr, noise], axis=-1))
        if gumbel is None:
            weights = ops.softmax(self.kernel(code) + self.beta * corr, axis=-1)
        else:  # draw one whole-pixel move from the prior; straight-through
            logits = self._prior_logits(features) + gumbel
            soft = ops.softmax(logits, axis=-1)
            hard = ops.one_hot(ops.argmax(logits, axis=-1), k * k, dtype="float32")
            weights = hard + soft - ops.stop_gradient(soft)
        weights = weights[:, None, None, None, :]
        moved = ops.sum(shifted_copies(newest, k) * weights, axis=-1)
        g = ops.reshape(
            self.seed_map(code), (-1, self.size // 8, self.size // 8, self.width)
        )
        for deconv in self.decoder:
            g = deconv(g, training=training)
        mask = ops.sigmoid(g[..., :1] + 3.0)  # start by mostly moving
        pixels = ops.tanh(g[..., 1:])
        # Convex blends stay in [-1, 1] up to float rounding, which the clip
        # takes off (the contract is [-1, 1]).
        return ops.clip(mask * moved + (1.0 - mask) * pixels, -1.0, 1.0)

    def call(self, inputs, training=False):
        noise, context = inputs
        noise = ops.cast(noise, "float32")
        context = ops.cast(context, "float32")
        steps = self.frames - self.context_frames
        gumbel = None
        if self.move_draw is not None:
            draw = ops.matmul(noise, self.move_draw) / ops.sqrt(
                ops.sum(ops.square(self.move_draw), axis=0)
            )
            u = ops.clip(0.5 * (1.0 + ops.erf(draw / 2.0**0.5)), 1e-6, 1.0 - 1e-6)
            gumbel = -ops.log(-ops.log(u))
        noise = ops.reshape(self.step_noise(noise), (-1, steps, self.noise_dim))
        clip = [context[:, i] for i in range(self.context_frames)]
        for t in range(steps):
            before = clip[-2] if len(clip) > 1 else clip[-1]
            draw = gumbel if len(clip) == 1 else None
            step = self._step(clip[-1], before, noise[:, t], training, draw)
            clip.append(step)
        return ops.stack(clip, axis=1)
