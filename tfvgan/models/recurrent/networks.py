"""The generator of `RecurrentGAN`: motion codes over a content code (its
critics: `tfvgan.models.recurrent.critics`)."""

from __future__ import annotations

import keras
from keras import ops

from tfvgan.augment import shift_matrices
from tfvgan.layers import LabelEncoder, TextEncoder
from tfvgan.models import networks
from tfvgan.validation import check_float, check_num_classes

#: With `autoregressive`, the repaint mask's initial logit: a frame starts
#: as the previous one moved (sigmoid(-5) = 0.7% repainted).
AUTOREGRESSIVE_MASK_BIAS = -5.0
#: ... and its pixels' initial logit: what it paints starts as the
#: background (tanh(-3) = -0.995), not mid-grey, which a mask opening a
#: little everywhere turned into a haze that grew frame by frame.
AUTOREGRESSIVE_PAINT_BIAS = -3.0


def check_max_shift(max_shift) -> None:
    """Raises a `ValueError` unless `max_shift` is a number in (0, 0.5]."""
    if (
        isinstance(max_shift, bool)
        or not isinstance(max_shift, (int, float))
        or not 0 < max_shift <= 0.5
    ):
        raise ValueError(
            "max_shift is the largest offset as a fraction of the frame size "
            f"and must be in (0, 0.5], got {max_shift!r}."
        )


def whole_pixel_shift_matrices(offsets, size: int, forward=None):
    """`shift_matrices` at the rounded offsets, with the bilinear gradient.

    The forward pass moves by whole pixels (no interpolation blur, which a
    critic can tell from real motion); the backward pass is that of the
    bilinear operator at the unrounded offsets (straight-through).

    Args:
        offsets: pixel offsets; the gradient is the bilinear operator's here.
        size: frame size.
        forward: the offsets the forward pass rounds instead, if given.
    """
    soft = shift_matrices(offsets, size)
    hard = shift_matrices(ops.round(offsets if forward is None else forward), size)
    return soft + ops.stop_gradient(hard - soft)


@keras.saving.register_keras_serializable(package="tfvgan")
class MotionContentGenerator(networks._Network):
    """MoCoGAN generator: a GRU turns noise into motion codes `z_t`.

    The flat noise vector is split into a content code (fixed per clip), the
    GRU's initial state and one innovation per frame:
    ``latent_dim = content_dim + motion_dim * (frames + 1)``. Each frame is
    rendered from ``[z_content, z_t]``. With `autoregressive=True` (the
    founding article's recurrent form: each frame from the previous one),
    frame 0 is rendered from ``[z_content, h_0]`` and placed at ``p_0``,
    and frame ``t`` is frame ``t - 1`` moved by the whole-pixel step
    ``round(p_t) - round(p_{t-1})``, ``p_t = max_shift * size *
    tanh(dense([z_content, z_t]))`` (a warp of the previous frame, as SAVP
    predicts one, not a new image, that keeps the content within
    ``round(max_shift * size)`` pixels of where it was rendered; what a
    step pushes past the frame's edge is lost, and background comes back),
    then repainted through a mask
    (``sigmoid`` of a logit that starts at -5) by a small conv net without
    batch norm that sees the moved frame, the previous one and ``z_t``. With
    `translate=True`, one canvas per clip is rendered from
    ``[z_content, h_0]`` and frame `t` is that canvas shifted by an offset
    ``(dy, dx) = max_shift * size * tanh(dense(z_t))`` pixels, rounded to
    whole pixels (with a bilinear gradient; the background -1 is shifted in), so
    the content cannot change within a clip. With `drift` as well, each clip
    also drifts at a constant velocity, ``offset_t = max_shift * size *
    tanh(dense(z_t) + v * (t / (T - 1) - 1/2))``, ``v`` a two-layer head on
    the condition code and the GRU's initial state: a caption can set how
    the whole clip moves in one place instead of through every GRU step. With `num_classes`, the
    generator is called on ``[noise, labels]`` and a `label_dim` embedding of
    the class id is appended to the content code. With `vocab_size`, it is
    called on ``[noise, token_ids]``: a `text_dim` encoding of the caption
    (`TextEncoder`) is appended to the content code (what is shown) and to
    the GRU's input at every step (how it moves).

    Args:
        frames, size, channels: clip shape.
        content_dim: content code size (50 in the paper).
        motion_dim: motion code size, the GRU's units (10 in the paper).
        width: frame generator width multiplier (64 = the paper's widths).
        autoregressive: make each frame from the previous one: moved to
            a position within `max_shift` of the frame from where frame 0
            was rendered, and repainted (above).
        translate: render one canvas per clip and move it (see above);
            excludes `autoregressive`.
        max_shift: with `translate`, the largest offset from the canvas'
            place, as a fraction of the frame size, in (0, 0.5]. Match it
            to the data: a 24-pixel digit in a 32-pixel frame has 4 pixels
            of room either way (0.125). With `autoregressive`, the largest
            distance from where frame 0 was rendered.
        num_classes: None (unconditional) or the number of label classes.
        label_dim: with `num_classes`, the size of the label embedding
            (unit-normal entries, like the noise).
        vocab_size: 0 (no text) or the caption vocabulary's size, padding
            and out-of-vocabulary ids included.
        text_dim: with `vocab_size`, the size of the caption encoding.
        text_encoder: with `vocab_size`, the `TextEncoder` mode.
        drift: with `translate`, add the per-clip constant velocity (above).
        drift_threshold: with `drift`, hold an axis still when its
            velocity ``v`` (in the units above: ``v`` inside the ``tanh``
            over the clip's time from -1/2 to 1/2, so its effect in pixels
            scales with ``max_shift * size``) is below this in magnitude:
            ``v`` is soft-thresholded and the GRU's per-frame term on that
            axis is scaled by ``tanh`` of what is left, so a held axis does
            not move at all. The gradient is the free path's
            (straight-through), so a held axis can learn to move. 0 (off)
            keeps every axis free.
        sync_bn: synchronized batch norm across replicas.
        **kwargs: `name`, `trainable`, `dtype`, passed to `keras.Model`.

    Example:

    ```python
    g = MotionContentGenerator(
        frames=4, size=16, channels=1, content_dim=8, motion_dim=4, width=8
    )
    g(keras.random.normal((2, 8 + 4 * 5)))  # (2, 4, 16, 16, 1)
    g = MotionContentGenerator(
        frames=4, size=16, channels=1, content_dim=8, motion_dim=4, width=8,
        num_classes=10,
    )
    g([keras.random.normal((2, 8 + 4 * 5)), keras.ops.array([3, 7])])
    ```

    Reference:
        Tulyakov et al. 2018, https://arxiv.org/abs/1707.04993
    """

    def __init__(
        self,
        frames: int,
        size: int,
        channels: int,
        content_dim: int = 50,
        motion_dim: int = 10,
        width: int = 64,
        autoregressive: bool = False,
        translate: bool = False,
        max_shift: float = 0.25,
        num_classes: int | None = None,
        label_dim: int = 10,
        vocab_size: int = 0,
        text_dim: int = 16,
        text_encoder: str = "positional",
        drift: bool = False,
        drift_threshold: float = 0.0,
        sync_bn: bool = False,
        **kwargs,
    ):
        check_max_shift(max_shift)
        check_float("drift_threshold", drift_threshold, 0.0, 1e3)
        if drift_threshold and not drift:
            raise ValueError("drift_threshold= applies to drift=True.")
        if drift and not translate:
            raise ValueError(
                "drift moves a translated canvas: it needs translate=True."
            )
        check_num_classes(num_classes, allow_none=True)
        for name, value in (("label_dim", label_dim), ("text_dim", text_dim)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive int, got {value!r}.")
        if num_classes and vocab_size:
            raise ValueError(
                "num_classes and vocab_size exclude each other: the generator "
                "reads a label or a caption."
            )
        if autoregressive and translate:
            raise ValueError(
                "autoregressive and translate exclude each other: a translated "
                "canvas has no per-frame rendering to condition."
            )
        drift_threshold = float(drift_threshold)
        super().__init__(
            **networks.constructor_arguments(MotionContentGenerator.__init__, locals()),
            **kwargs,
        )
        self.frames = frames
        self.drift = drift
        self.drift_threshold = drift_threshold
        self.size = size
        self.channels = channels
        self.content_dim = content_dim
        self.motion_dim = motion_dim
        self.autoregressive = autoregressive
        self.translate = translate
        self.max_shift = float(max_shift)
        self.num_classes = num_classes
        code_dim = content_dim
        self.vocab_size = vocab_size
        if num_classes:
            self.label_encoder = LabelEncoder(num_classes, label_dim)
            code_dim += label_dim
        if vocab_size:
            self.text_encoder = TextEncoder(vocab_size, text_dim, mode=text_encoder)
            code_dim += text_dim
        self.gru = keras.layers.GRU(motion_dim, return_sequences=True)
        if translate:
            # Offsets in pixels: up to `max_shift * size` either way.
            self.offset = keras.layers.Dense(2, activation=None if drift else "tanh")
        if drift:
            self.velocity = keras.Sequential(
                [keras.layers.Dense(64, activation="relu"), keras.layers.Dense(2)],
                name="velocity",
            )
        self.frame_generator = networks.FrameGenerator(
            size, channels, width=width, sync_bn=sync_bn
        )
        if autoregressive:
            # Each later frame: the previous one moved to the position read
            # off the motion code (a whole-pixel step), then a small conv net (no batch
            # norm: its statistics would differ step by step) that sees the
            # moved and the previous frame and may repaint through a mask
            # that starts almost shut.
            self.step_offset = keras.layers.Dense(2, activation="tanh")
            self.step_code = keras.layers.Dense(8)
            self.refine = [
                keras.layers.Conv2D(
                    max(8, width // 2), 3, padding="same", activation="relu"
                )
                for _ in range(2)
            ]
            self.repaint = keras.layers.Conv2D(
                channels + 1,
                3,
                padding="same",
                kernel_initializer="zeros",
                bias_initializer=keras.initializers.Constant(
                    [AUTOREGRESSIVE_PAINT_BIAS] * channels + [AUTOREGRESSIVE_MASK_BIAS]
                ),
            )

    def call(self, inputs, training=False):
        c, m, t = self.content_dim, self.motion_dim, self.frames
        caption = None
        if self.num_classes:
            noise, labels = inputs
            content = ops.concatenate(
                [noise[:, :c], self.label_encoder(labels)], axis=-1
            )
        elif self.vocab_size:
            noise, tokens = inputs
            caption = self.text_encoder(tokens)
            content = ops.concatenate([noise[:, :c], caption], axis=-1)
        else:
            noise = inputs
            content = noise[:, :c]
        h0 = noise[:, c : c + m]
        eps = ops.reshape(noise[:, c + m :], (-1, t, m))
        if caption is not None:
            # The caption at every step, so that it can steer the motion.
            steps = ops.repeat(ops.expand_dims(caption, 1), t, axis=1)
            eps = ops.concatenate([eps, steps], axis=-1)
        motion = self.gru(eps, initial_state=h0)  # (B, T, M)
        if self.translate:
            canvas = self.frame_generator(
                ops.concatenate([content, h0], axis=-1), training=training
            )
            pixels = self.max_shift * self.size
            if self.drift:
                # A straight path per clip, plus the GRU's per-frame term.
                velocity = self.velocity(
                    ops.concatenate([content[:, c:], h0], axis=-1)
                )  # (B, 2)
                jitter = self.offset(motion)  # (B, T, 2)
                time = ops.cast(ops.linspace(-0.5, 0.5, t), velocity.dtype)

                def path(velocity, jitter):
                    return pixels * ops.tanh(jitter + velocity[:, None] * time[:, None])

                offsets = held = path(velocity, jitter)
                if self.drift_threshold:
                    # Moved along the held path; the gradient is the free
                    # path's (straight-through), so a held axis can learn
                    # to move.
                    held = path(*_hold_still(velocity, jitter, self.drift_threshold))
            else:
                offsets = held = pixels * self.offset(motion)  # (B, T, 2), pixels
            rows = whole_pixel_shift_matrices(
                offsets[..., 0], self.size, forward=held[..., 0]
            )
            cols = whole_pixel_shift_matrices(
                offsets[..., 1], self.size, forward=held[..., 1]
            )
            # Shift `canvas + 1` so the background (-1) is what moves in.
            moved = ops.einsum("btik,bklc->btilc", rows, canvas + 1.0)
            return ops.einsum("btjl,btilc->btijc", cols, moved) - 1.0
        if not self.autoregressive:
            codes = ops.concatenate(
                [ops.repeat(ops.expand_dims(content, 1), t, axis=1), motion], axis=-1
            )
            frames = self.frame_generator(
                ops.reshape(codes, (-1, codes.shape[-1])), training=training
            )
            return ops.reshape(frames, (-1, t, self.size, self.size, self.channels))
        # Autoregressive: the first frame from the content code and the
        # GRU's initial state, each later one from the one before it. The
        # motion code of frame t says where the content is (up to
        # `max_shift * size` pixels from where it was rendered), and the
        # step from frame t - 1 is the difference of the two positions
        # (rounded each, so steps add up to whole-pixel positions): moves
        # stay in view however many steps a clip takes.
        pixels = self.max_shift * self.size

        def position(step):
            code = ops.concatenate([content, motion[:, step]], axis=-1)
            return code, pixels * self.step_offset(code)  # (B, 2), in pixels

        _, where = position(0)
        rendered = self.frame_generator(
            ops.concatenate([content, h0], axis=-1), training=training
        )
        previous = _shift(rendered, where, ops.round(where), self.size)
        outputs = [previous]
        for step in range(1, t):
            code, now = position(step)
            moved = _shift(
                previous, now - where, ops.round(now) - ops.round(where), self.size
            )
            where = now
            step_map = (
                ops.ones_like(moved[..., :1]) * self.step_code(code)[:, None, None]
            )
            h = ops.concatenate([moved, previous, step_map], axis=-1)
            for conv in self.refine:
                h = conv(h)
            out = self.repaint(h)
            mask = ops.sigmoid(out[..., -1:])
            previous = (1.0 - mask) * moved + mask * ops.tanh(out[..., :-1])
            outputs.append(previous)
        return ops.stack(outputs, axis=1)


def _hold_still(velocity, jitter, threshold: float):
    """A drifting clip's velocity ``(B, 2)`` and per-frame term ``(B, T, 2)``
    with every axis whose speed is below `threshold` held still.

    Per axis the speed is soft-thresholded (``sign(v) * max(|v| - t, 0)``),
    and the per-frame term is scaled by ``tanh(|v|)`` of the result, which
    is 0 on a held axis: the clip does not move along it at all, as a
    moving digit does not move along an axis its direction does not name.
    """
    held = ops.sign(velocity) * ops.relu(ops.abs(velocity) - threshold)
    return held, jitter * ops.tanh(ops.abs(held))[:, None, :]


def _shift(frames, soft, hard, size: int):
    """`frames` ``(B, H, W, C)`` in [-1, 1] moved by the whole-pixel offsets
    `hard` ``(B, 2)`` (rows, columns; background -1 moves in), with the
    bilinear gradient of the offsets `soft` (straight-through)."""

    def matrices(axis):
        smooth = shift_matrices(soft[:, axis], size)
        return smooth + ops.stop_gradient(shift_matrices(hard[:, axis], size) - smooth)

    moved = ops.einsum("bik,bklc->bilc", matrices(0), frames + 1.0)
    return ops.einsum("bjl,bilc->bijc", matrices(1), moved) - 1.0
