"""`RecurrentGAN`: MoCoGAN, recurrent motion codes over a fixed content code."""

from __future__ import annotations

import keras
import tensorflow as tf

from tfvgan.conditions import check_ids
from tfvgan.models import networks, text
from tfvgan.models.matching import CaptionClipMatcher
from tfvgan.models.recurrent.critics import DualDiscriminator
from tfvgan.models.recurrent.networks import MotionContentGenerator
from tfvgan.models.recurrent.presets import PRESETS
from tfvgan.models.video_gan import VideoGAN, other_labels
from tfvgan.validation import check_float, check_int, check_num_classes


@keras.saving.register_keras_serializable(package="tfvgan")
class RecurrentGAN(text.TextConditioned, VideoGAN):
    """Recurrent GAN (MoCoGAN): motion and content decomposed.

    A GRU produces per-frame motion codes, concatenated with one content code
    per clip and rendered frame by frame by an image generator. Two critics
    score real and fake in both the D and the G step: an image critic on
    `image_frames` random frames per clip (one in the paper) and a video
    critic on the clip; their losses add.
    `autoregressive=True` feeds each frame back into the next (the founding
    article's RNN-GAN form).

    With `num_classes`, the model is label-conditional
    (``condition_type="label"``): the data are ``(video, label)`` pairs, the
    generator appends an embedding of the label to the content code, both
    critics see a label map as extra input channels, and (with
    `matching_aware`) the critics also learn to reject real clips paired with
    another class. On the quick-start budget this made the digits of most
    clips legible (docs/QUICKSTART_TUNING.md, round 11).

    With `vocabulary`, the model is text-conditional
    (``condition_type="text"``): the data are ``(video, token_ids)`` pairs
    (or caption strings, tokenized by the model's `text_vectorizer`), the
    generator appends a `TextEncoder` encoding of the caption to the content
    code and to every step of the motion GRU's input, and both critics see a
    caption map; with `matching_aware`, real clips paired with the batch's
    next caption are negatives. The networks see token ids only: nothing
    parses a caption, so any captions and vocabulary work the same way.
    With `match_weight` or `match_critic`, a `CaptionClipMatcher` is
    pretrained on the training pairs (`pretrain`, `match_steps` steps, run
    by `fit` the first time) and then frozen. With `match_weight` the
    generator is also trained to make clips the matcher pairs with their
    captions (``match_weight`` times its loss, reported as ``match``); with
    `match_critic` the critics get a third head that reads the matcher's
    clip features against its caption code. The caption then reaches the
    generator through encoders trained on the pairs themselves, not from the
    critics' signal alone (docs/notes/text_to_video.md). A label model
    (`num_classes`) takes the same options: its matcher reads the class id
    as a one-word caption. With `match_motion` the matcher also follows how
    each clip's brightness centre moves, which a convolutional reading of
    motion alone lets the generator fool; with `translate=True` the
    generator can move that centre only by moving its canvas.

    The generator's noise is one flat vector,
    ``latent_dim = content_dim + motion_dim * (frames + 1)``
    (content code, GRU initial state, one innovation per frame), so every
    variant exports the same `noise` signature.

    Args:
        frames: frames per clip (16 in the paper).
        size: frame size, one of 16, 32, 64, 128, 256 (64 in the paper).
        channels: 1 or 3.
        content_dim: content code size (50 in the paper).
        motion_dim: motion code size (10 in the paper).
        width: generator width multiplier (64 = the paper's widths).
        d_width: width of both critics.
        patch_image_critic: the image critic scores patches (the paper);
            False gives it one dense logit per frame (DCGAN's critic).
        image_frames: frames per clip the image critic scores, drawn at random
            with replacement (1 = the paper). More frames give the image
            critic a larger batch at little extra cost.
        autoregressive: condition each frame on the previous one.
        translate: render one canvas per clip and move it by per-frame
            offsets from the motion codes (`MotionContentGenerator`): the
            content cannot change within a clip; excludes `autoregressive`.
        max_shift: with `translate`, the largest offset as a fraction of
            the frame size (0.25: a quarter of the frame either way); with
            `autoregressive`, how far (the same fraction) the content may
            move from where frame 0 was rendered.
        drift: with `translate`, each clip also drifts at a constant
            velocity computed from its condition and noise
            (`MotionContentGenerator`).
        drift_threshold: with `drift`, hold still each axis whose drift
            velocity is below this in magnitude (`MotionContentGenerator`
            gives the units): the clip does not move along it at all; 0
            leaves every axis free.
        num_classes: None (unconditional) or the number of label classes;
            label ids lie in ``[0, num_classes)``.
        label_dim: with `num_classes`, the generator's label embedding size.
        condition_type: None (follows from `num_classes` / `vocabulary`),
            ``"label"`` or ``"text"``; ``"text"`` without `vocabulary`
            raises (the training runner fills in the moving-digits
            vocabulary on that data set).
        vocabulary: the caption words (a plain list, or
            `TextVectorization.get_vocabulary()`); makes the model
            text-conditional.
        sequence_length: with `vocabulary`, tokens per caption.
        text_dim: with `vocabulary`, the generator's caption encoding size.
        text_encoder: with `vocabulary`, the `TextEncoder` mode of both
            networks (``"positional"``: a caption made of seen words in seen
            places encodes as a sum of seen terms).
        match_weight: with `vocabulary` or `num_classes`, the weight of the
            generator's matching loss against a `CaptionClipMatcher` (0:
            none).
        match_critic: with `vocabulary` or `num_classes`, add a third critic
            head on the frozen matcher's clip features, checked against its
            caption code by projection (`DualDiscriminator`).
        match_steps: with `match_weight` or `match_critic`, the matcher's
            pretraining steps.
        match_motion: with `match_weight` or `match_critic`, give the
            matcher its motion stream (`CaptionClipMatcher`'s
            ``motion_stream``: the steps of each clip's brightness centre).
        matching_aware: with `num_classes` or `vocabulary`, also train the
            critics to reject real clips paired with another class or with
            the batch's next caption (GAN-CLS, as `ConditionalGAN`).
        spectral_norm, critic_norm, sync_bn, seed, **kwargs: shared by every
            variant (see `VideoGAN`).

    Example:

    ```python
    gan = tfvgan.models.RecurrentGAN(frames=8, size=32, channels=1, width=16)
    gan.compile()
    # content 50 + motion 10 for each of 8 frames and the GRU's start:
    # gan.latent_dim == 50 + 10 * 9
    gan.generate(2).shape  # (2, 8, 32, 32, 1)
    digits = tfvgan.models.RecurrentGAN(frames=8, size=32, channels=1,
                                        width=16, num_classes=10)
    digits.compile()
    digits.generate(condition=[3, 7]).shape  # (2, 8, 32, 32, 1)
    ```

    Reference:
        Tulyakov et al. 2018, "MoCoGAN: Decomposing Motion and Content for
        Video Generation", https://arxiv.org/abs/1707.04993
    """

    #: Named architectures (`presets.py` beside this module).
    presets = PRESETS

    def __init__(
        self,
        frames: int = 16,
        size: int = 64,
        channels: int = 3,
        content_dim: int = 50,
        motion_dim: int = 10,
        width: int = 64,
        d_width: int = 64,
        patch_image_critic: bool = True,
        image_frames: int = 1,
        autoregressive: bool = False,
        translate: bool = False,
        max_shift: float = 0.25,
        drift: bool = False,
        drift_threshold: float = 0.0,
        num_classes: int | None = None,
        label_dim: int = 10,
        condition_type: str | None = None,
        vocabulary: list[str] | None = None,
        sequence_length: int = 16,
        text_dim: int = 16,
        text_encoder: str = "positional",
        match_weight: float = 0.0,
        match_critic: bool = False,
        match_steps: int = 600,
        match_motion: bool = False,
        matching_aware: bool = True,
        spectral_norm: bool = False,
        critic_norm: str = "batch",
        sync_bn: bool = False,
        seed: int | None = None,
        **kwargs,
    ):
        for reserved in ("latent_dim", "condition_shape"):
            if reserved in kwargs:
                derived = {
                    "latent_dim": "content_dim + motion_dim * (frames + 1)",
                    "condition_shape": "num_classes or sequence_length",
                }[reserved]
                raise ValueError(
                    f"RecurrentGAN takes no {reserved}=: it follows from "
                    f"{derived}. Set content_dim= and motion_dim= for the noise "
                    "size, num_classes= for a label condition, vocabulary= for "
                    "a caption."
                )
        if condition_type is None:
            condition_type = (
                "label" if num_classes else "text" if vocabulary is not None else None
            )
        if condition_type not in (None, "label", "text"):
            raise ValueError(
                "RecurrentGAN's condition_type must be None, 'label' or 'text', "
                f"got {condition_type!r}."
            )
        if condition_type == "label":
            check_num_classes(num_classes)
            if vocabulary is not None:
                raise ValueError("a label model takes no vocabulary=.")
        elif num_classes:
            raise ValueError(
                f"num_classes= makes a label model; condition_type is "
                f"{condition_type!r}."
            )
        if condition_type == "text":
            vocabulary = text.full_vocabulary(vocabulary)
            check_int("sequence_length", sequence_length)
            sequence_length = int(sequence_length)
        vocab_size = len(vocabulary) if condition_type == "text" else 0
        check_float("match_weight", match_weight, 0.0, 1e6)
        check_int("match_steps", match_steps)
        match_weight = float(match_weight)
        networks.check_flags(match_critic=match_critic, match_motion=match_motion)
        if (match_weight or match_critic) and condition_type is None:
            raise ValueError(
                "match_weight= and match_critic= are for conditional models "
                "(num_classes= or vocabulary=); without a condition, also set "
                "match_weight=0 and match_critic=False (the quick-start run "
                "preset turns both on)."
            )
        if match_motion and not (match_weight or match_critic):
            raise ValueError(
                "match_motion= shapes the matcher: it needs match_weight= or "
                "match_critic=."
            )
        matcher = None
        if match_weight or match_critic:
            # A label is a one-word caption (`CaptionClipMatcher`'s classes).
            labels = condition_type == "label"
            matcher = CaptionClipMatcher(
                num_classes if labels else vocab_size,
                1 if labels else sequence_length,
                frames,
                size,
                channels,
                seed=seed,
                motion_stream=match_motion,
                classes=labels,
                name="matcher",
            )
        networks.check_shape(frames, size, channels)
        networks.check_flags(
            patch_image_critic=patch_image_critic,
            autoregressive=autoregressive,
            translate=translate,
            drift=drift,
            matching_aware=matching_aware,
            spectral_norm=spectral_norm,
            sync_bn=sync_bn,
        )
        if (
            isinstance(image_frames, bool)
            or not isinstance(image_frames, int)
            or not 1 <= image_frames <= frames
        ):
            raise ValueError(
                f"image_frames must be an int in [1, frames={frames}], "
                f"got {image_frames!r}."
            )
        self.image_frames = image_frames
        self.num_classes = num_classes
        self.matching_aware = matching_aware
        generator = MotionContentGenerator(
            frames,
            size,
            channels,
            content_dim=content_dim,
            motion_dim=motion_dim,
            width=width,
            autoregressive=autoregressive,
            translate=translate,
            max_shift=max_shift,
            drift=drift,
            drift_threshold=drift_threshold,
            num_classes=num_classes,
            label_dim=label_dim,
            vocab_size=vocab_size,
            text_dim=text_dim,
            text_encoder=text_encoder,
            sync_bn=sync_bn,
        )
        discriminator = DualDiscriminator(
            frames,
            size,
            channels,
            d_width,
            patch_image_critic=patch_image_critic,
            num_classes=num_classes,
            vocab_size=vocab_size,
            text_encoder=text_encoder,
            match_features=matcher.feature_dim if match_critic else 0,
            match_text=matcher.dim if match_critic else 0,
            spectral_norm=spectral_norm,
            critic_norm=critic_norm,
            sync_bn=sync_bn,
        )
        self._init_variant(
            RecurrentGAN.__init__,
            locals(),
            generator,
            discriminator,
            latent_dim=content_dim + motion_dim * (frames + 1),
            condition_shape={"label": (), "text": (sequence_length,)}.get(
                condition_type
            ),
        )
        if condition_type == "text":
            self.text_vectorizer = text.text_vectorizer(vocabulary, sequence_length)
        self.matcher = matcher

    #: The matcher learns from more captions per batch than the GAN needs
    #: (a contrastive loss ranks each caption against the batch's).
    pretrain_batch_size = 64

    def needs_pretraining(self) -> bool:
        return self.matcher is not None and int(self.matcher.steps_trained) == 0

    def pretrain(self, dataset, steps: int | None = None, verbose=0):
        """Trains the `CaptionClipMatcher` on ``(video, caption)`` pairs.

        `fit` calls it on its data the first time (while the matcher is
        untrained), at that data's batch size and advancing its shuffle
        order; the training runner (`tfvgan-train`) gives it a data set of
        its own in batches of `pretrain_batch_size`. Call it yourself to
        train on other data or for longer (each call starts a fresh Adam).
        The matcher is frozen (``trainable=False``) afterwards. No-op
        without a matcher.

        Args:
            dataset: a `tf.data.Dataset` of ``(video, caption)`` batches
                (token ids or caption strings, as `fit` takes them),
                repeated (or long enough for `steps` batches).
            steps: training steps; default `match_steps`.
            verbose: passed to `keras.Model.fit`.

        Returns:
            The matcher's `History`, or None without a matcher.
        """
        if self.matcher is None:
            return None
        steps = self.match_steps if steps is None else steps
        # Token ids whatever the data hold (caption strings are tokenized).
        pairs = dataset.map(
            lambda *data: self._unpack(data if len(data) > 1 else data[0])
        )
        self.matcher.trainable = True
        with self.distribute_strategy.scope():
            self.matcher.compile(optimizer=keras.optimizers.Adam(1e-3))
        history = self.matcher.fit(
            pairs.take(steps),
            epochs=1,
            steps_per_epoch=steps,
            shuffle=False,
            verbose=verbose,
        )
        self.matcher.trainable = False
        return history

    def regularizer_names(self):
        return ("match",) if self.match_weight else ()

    def generator_regularizers(self, real, fake, condition):
        if not self.match_weight:
            return {}
        loss = self.matcher.generated_loss(fake, condition)
        return {"match": self.match_weight * loss}

    def prepare_condition(self, condition):
        if condition is None:
            return super().prepare_condition(condition)
        condition = super().prepare_condition(self._tokens(condition))
        if condition is None:
            return None
        if self.condition_type == "text":
            return check_ids(condition, len(self.vocabulary), "token")
        return check_ids(condition, self.num_classes, "label")

    def mismatched_condition(self, condition):
        if not (self.conditional and self.matching_aware):
            return None
        if self.condition_type == "text":
            # The batch's next caption (the same one now and then, as in
            # GAN-CLS: two clips of a batch may share a caption).
            return tf.roll(condition, shift=1, axis=0)
        return other_labels(self, condition, self.num_classes)

    def discriminate(self, videos, condition=None, training=False):
        # The image critic sees `image_frames` random frames of each clip.
        batch = tf.shape(videos)[0]
        k = self.image_frames
        index = self.random_uniform(batch, (k,), maxval=self.frames, dtype=tf.int32)
        frames = tf.gather(videos, index, batch_dims=1)  # (B, k, H, W, C)
        frames = tf.reshape(frames, (-1, *self.video_shape[1:]))
        if getattr(self, "matcher", None) is not None and self.match_critic:
            # The frozen matcher's reading of the clip and of its caption.
            features = self.matcher.clip_features(videos)
            caption = self.matcher.text_features(condition)
            return self.discriminator(
                [videos, frames, condition, features, caption], training=training
            )
        if self.conditional:
            return self.discriminator([videos, frames, condition], training=training)
        return self.discriminator([videos, frames], training=training)
