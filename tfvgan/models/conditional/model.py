"""`ConditionalGAN`: the founding article's cGAN for video, G(z, c) and D(x, c)."""

from __future__ import annotations

import keras
import tensorflow as tf

from tfvgan import conditions
from tfvgan.masking import check_mask_size
from tfvgan.models import networks, text
from tfvgan.models.conditional.inpainting import Inpainter
from tfvgan.models.conditional.interpolation import KeyframeInterpolator
from tfvgan.models.conditional.networks import (
    ConditionalDiscriminator,
    ConditionalGenerator,
)
from tfvgan.models.conditional.prediction import FramePredictor, check_kernel_size
from tfvgan.models.conditional.presets import PRESETS
from tfvgan.models.video_gan import VideoGAN, other_labels
from tfvgan.validation import check_choice, check_int, check_num_classes

CONDITIONS = tuple(conditions.CONDITION_TYPES)
# Conditions taken from the clip itself: the real clip is the answer.
_PAIRED = ("image", "video", "frames", "keyframes", "masked")
#: The reconstruction terms of `ConditionalGAN(recon_loss=...)`.
RECON_LOSSES = ("l1", "l2")


@keras.saving.register_keras_serializable(package="tfvgan")
class ConditionalGAN(text.TextConditioned, VideoGAN):
    """Conditional video GAN: ``G(z, c) -> video``, ``D(x, c) -> logit``.

    The founding article's cGAN, for the applications it names:

    | `condition_type` | condition batch | application |
    |---|---|---|
    | `"label"` | int `(B,)` class ids | class-conditional video |
    | `"text"` | int token ids `(B, sequence_length)` or caption strings `(B,)` | text-to-video |
    | `"image"` | float `(B, size, size, C)` first frame in [-1, 1] | image-to-video, video prediction |
    | `"video"` | float `(B, frames, size/downscale, size/downscale, C)` | video super-resolution |
    | `"frames"` | float `(B, context_frames, size, size, C)` first frames in [-1, 1] | video prediction |
    | `"keyframes"` | float `(B, m, size, size, C)` frames `0, n, ..., frames - 1` in [-1, 1] | in-betweening (video editing) |
    | `"masked"` | float `(B, frames, size, size, C + 1)`: the clip, hidden pixels 0, and its 0/1 mask (1 = hidden) | inpainting (video editing) |

    Caption strings are tokenized by `text_vectorizer`, a
    `keras.layers.TextVectorization` holding `vocabulary` (adapt one on the
    captions with `tfvgan.data.caption_vectorizer` and pass its
    `get_vocabulary()`). Out-of-vocabulary words map to the `[UNK]` id and an
    empty caption to all-padding, which the text encoder reads as "no text".

    Args:
        condition_type: `"label"`, `"text"`, `"image"`, `"video"`,
            `"frames"`, `"keyframes"` or `"masked"`.
        frames, size, channels: clip shape.
        latent_dim: noise size.
        width: generator width multiplier.
        d_width: discriminator width.
        num_classes: for `"label"`.
        vocabulary: for `"text"`: the token list, as `TextVectorization.
            get_vocabulary()` gives it (index 0 padding, 1 `[UNK]`) or a plain
            word list (those two are then put first).
        sequence_length: for `"text"`: tokens per caption.
        text_encoder: `"gru"` or `"mean"`.
        downscale: for `"video"`: low-resolution factor (4 = 64 -> 16).
        context_frames: for `"frames"`: the frames given (``k``, in
            ``[1, frames)``); the generator is a `FramePredictor` that makes
            each later frame from the two before it. With one, it draws the
            first move from a learned prior, which a ``move`` term (the
            cross-entropy of `FramePredictor.first_move_loss`, weight 1)
            pulls toward the real clips' first moves while the critic and
            the L1 term pull it, through the draw, toward moves whose clips
            look real.
        motion_kernel: for `"frames"`: the `FramePredictor`'s kernel size
            (the largest motion per frame it expresses is half of it).
        keyframe_interval: for `"keyframes"`: frames from one given frame
            to the next (``n``, dividing ``frames - 1``); None (default)
            gives the first and the last frame. The generator is a
            `KeyframeInterpolator`, which moves both keyframes along the
            motion between them.
        mask_size: for `"masked"`: the side of the box hidden in the clips
            it is trained and evaluated on (the data sources'
            ``mask_size``); None: ``size // 2``. The generator, an
            `Inpainter`, takes any mask.
        recon_weight: for `"image"`/`"video"`/`"frames"`/`"keyframes"`/`"masked"`:
            weight of a reconstruction term between the generated and the
            real clip (paired data), reported as `recon`.
        recon_loss: that term: `"l1"` (mean absolute error, the default:
            its optimum is the per-pixel median, sharp where the answer is
            one of two values) or `"l2"` (mean squared error: its optimum is
            the mean, what PSNR rewards; the `superres` run preset's).
        best_of: with `recon_weight`: draw this many clips per condition
            and take the L1 term of the closest one only ("best of many",
            Bhattacharyya et al. 2018, https://arxiv.org/abs/1711.09026):
            where the condition leaves the future open (one context frame:
            which way will the digit go?) the samples then spread over the
            possible futures instead of averaging them into a blur. 1 (the
            default) is the plain L1 term.
        embed_dim: size of the condition embedding.
        matching_aware: also train the critic to reject real clips paired
            with a wrong condition (GAN-CLS; see `mismatched_condition`):
            another class for labels, the batch's next caption, first frame
            or low-resolution clip otherwise (which can repeat the right one
            when two clips of a batch share it). None (default) = on for
            `"label"` only: on the quick-start budget it raised the label
            model's conditional accuracy from 0.40-0.43 to 0.77-0.80 (two
            seeds), but the text model's clips got worse
            (docs/notes/results.md).
        spectral_norm, critic_norm, sync_bn, seed, **kwargs: shared by every
            variant (see `VideoGAN`).

    Example:

    ```python
    gan = tfvgan.models.ConditionalGAN("label", num_classes=10, frames=8,
                                       size=32, channels=1, width=16)
    gan.compile()
    data = tfvgan.data.moving_digits(num_videos=32, condition="label", frames=8,
                                     size=32, batch_size=16)
    gan.fit(data, epochs=1, verbose=0)
    gan.generate(condition=[3, 7]).shape  # (2, 8, 32, 32, 1)
    ```

    Reference:
        Mirza & Osindero 2014, "Conditional Generative Adversarial Nets",
        https://arxiv.org/abs/1411.1784; Reed et al. 2016, "Generative
        Adversarial Text to Image Synthesis" (the matching-aware critic),
        https://arxiv.org/abs/1605.05396
    """

    #: Named architectures (`presets.py` beside this module).
    presets = PRESETS

    def __init__(
        self,
        condition_type: str = "label",
        frames: int = 16,
        size: int = 64,
        channels: int = 3,
        latent_dim: int = 100,
        width: int = 64,
        d_width: int = 64,
        num_classes: int = 10,
        vocabulary: list[str] | None = None,
        sequence_length: int = 8,
        text_encoder: str = "gru",
        downscale: int = 4,
        context_frames: int = 2,
        motion_kernel: int = 7,
        keyframe_interval: int | None = None,
        mask_size: int | None = None,
        recon_weight: float = 0.0,
        recon_loss: str = "l1",
        best_of: int = 1,
        embed_dim: int = 16,
        matching_aware: bool | None = None,
        spectral_norm: bool = False,
        critic_norm: str = "batch",
        sync_bn: bool = False,
        seed: int | None = None,
        **kwargs,
    ):
        networks.check_shape(frames, size, channels)
        networks.check_flags(spectral_norm=spectral_norm, sync_bn=sync_bn)
        if condition_type not in CONDITIONS:
            raise ValueError(
                f"condition_type must be one of {CONDITIONS}, got {condition_type!r}."
            )
        if matching_aware is None:
            matching_aware = condition_type == "label"
        networks.check_flags(matching_aware=matching_aware)
        vocabulary = list(vocabulary) if vocabulary is not None else None
        recon_weight = float(recon_weight)
        check_choice("recon_loss", recon_loss, RECON_LOSSES)
        check_int("best_of", best_of)
        best_of = int(best_of)
        if best_of > 1 and not (recon_weight and condition_type in _PAIRED):
            raise ValueError(
                "best_of > 1 picks the closest sample for the L1 term: it needs "
                f"recon_weight > 0 and a condition_type in {_PAIRED}, got "
                f"recon_weight={recon_weight}, condition_type={condition_type!r}."
            )
        if condition_type == "frames":
            context_frames = conditions.check_context_frames(context_frames, frames)
            check_kernel_size("motion_kernel", motion_kernel)
        if condition_type == "keyframes" and keyframe_interval is not None:
            keyframe_interval = conditions.check_keyframe_interval(
                keyframe_interval, frames
            )
        if condition_type == "masked" and mask_size is not None:
            mask_size = check_mask_size(mask_size, size)
        if condition_type == "text":
            vocabulary = text.full_vocabulary(vocabulary)
        elif condition_type == "video":
            if size % downscale or downscale < 1:
                raise ValueError(
                    f"downscale must divide size={size}, got downscale={downscale!r}."
                )
        elif condition_type == "label":
            check_num_classes(num_classes)
        condition_shape = conditions.get(condition_type).shape(
            frames,
            size,
            channels,
            downscale=downscale,
            sequence_length=sequence_length,
            context_frames=context_frames,
            keyframe_interval=keyframe_interval,
        )
        vocab_size = len(vocabulary) if vocabulary else 0
        common = dict(
            width=width,
            num_classes=num_classes,
            vocab_size=vocab_size,
            embed_dim=embed_dim,
            text_encoder=text_encoder,
            sync_bn=sync_bn,
        )
        if condition_type == "frames":
            generator = FramePredictor(
                frames,
                size,
                channels,
                context_frames=context_frames,
                latent_dim=latent_dim,
                width=width,
                kernel_size=motion_kernel,
            )
        elif condition_type == "keyframes":
            generator = KeyframeInterpolator(
                frames,
                size,
                channels,
                keyframe_interval=keyframe_interval,
                latent_dim=latent_dim,
                width=width,
            )
        elif condition_type == "masked":
            generator = Inpainter(
                frames, size, channels, latent_dim=latent_dim, width=width
            )
        else:
            generator = ConditionalGenerator(
                condition_type, latent_dim, frames, size, channels, **common
            )
        common["width"] = d_width
        discriminator = ConditionalDiscriminator(
            condition_type,
            frames,
            size,
            channels,
            spectral_norm=spectral_norm,
            critic_norm=critic_norm,
            **common,
        )
        self._init_variant(
            ConditionalGAN.__init__,
            locals(),
            generator,
            discriminator,
            condition_shape=condition_shape,
        )
        if condition_type == "text":
            self.text_vectorizer = text.text_vectorizer(vocabulary, sequence_length)

    def prepare_condition(self, condition):
        if condition is None:
            return super().prepare_condition(condition)
        condition = super().prepare_condition(self._tokens(condition))
        kind = conditions.get(self.condition_type)
        return kind.check(condition, kind.limit(self))

    def mismatched_condition(self, condition):
        if not self.matching_aware:
            return None
        if self.condition_type == "label":
            return other_labels(self, condition, self.num_classes)
        # Captions, frames, low-resolution clips: the next clip's.
        return tf.roll(condition, shift=1, axis=0)

    def _draws_first_move(self) -> bool:
        """One context frame: the generator draws the first move from a
        learned prior, which the ``move`` term pulls toward the real clips'
        first moves."""
        return getattr(self.generator, "move_prior", None) is not None

    def regularizer_names(self):
        names = ()
        if self.recon_weight and self.condition_type in _PAIRED:
            names += ("recon",)
        if self._draws_first_move():
            names += ("move",)
        return names

    def generator_regularizers(self, real, fake, condition):
        terms = {}
        if self._draws_first_move():
            terms["move"] = self.generator.first_move_loss(real)
        if not (self.recon_weight and self.condition_type in _PAIRED):
            return terms
        real = tf.cast(real, tf.float32)

        def error(clips):  # per clip
            diff = tf.cast(clips, tf.float32) - real
            diff = tf.square(diff) if self.recon_loss == "l2" else tf.abs(diff)
            return tf.reduce_mean(diff, [1, 2, 3, 4])

        errors = [error(fake)]
        for _ in range(self.best_of - 1):
            noise = self.sample_noise(tf.shape(real)[0])
            errors.append(error(self.call_generator(noise, condition, training=True)))
        best = tf.reduce_min(tf.stack(errors), axis=0) if len(errors) > 1 else errors[0]
        terms["recon"] = self.recon_weight * tf.reduce_mean(best)
        return terms
