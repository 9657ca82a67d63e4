"""ConditionalGAN (cGAN): `run_variant_test` for each condition type, and the
conditional model's own behaviour (condition checks, captions, GAN-CLS)."""

import numpy as np
import pytest
import tensorflow as tf

from tests.helpers import (
    TINY_VIDEO_SHAPE,
    TINY_VOCABULARY,
    assert_video_batch,
    run_variant_test,
    tiny_model,
    tiny_videos,
)
from tfvgan import masking
from tfvgan.data import video_condition
from tfvgan.models import ConditionalGAN

B = 2
T, S, _, C = TINY_VIDEO_SHAPE
VOCAB = TINY_VOCABULARY
VIDEOS = tiny_videos(4)
CONDITIONS = {
    "label": np.array([0, 1, 2, 3], "int32"),
    "text": np.array([[2, 8, 3, 4]] * 4, "int32"),
    "image": VIDEOS[:, 0],
    "video": video_condition(tf.constant(VIDEOS), "low_res", downscale=4).numpy(),
    "frames": VIDEOS[:, :2],
    "keyframes": VIDEOS[:, [0, T - 1]],
    "masked": masking.masked_condition(
        VIDEOS, masking.box_masks(VIDEOS, S // 2).numpy()
    ),
}
SLOW = pytest.mark.slow


def make(condition_type, **kwargs):
    return tiny_model("conditional", condition_type, **kwargs)


def dataset(condition_type, batch=B):
    data = (VIDEOS, CONDITIONS[condition_type])
    return tf.data.Dataset.from_tensor_slices(data).batch(batch, drop_remainder=True)


# ------------------------------------------------------------ the variant
@pytest.mark.parametrize(
    "condition_type",
    # 4-7 s each: image and video run in the slow set (their shapes below).
    [
        "label",
        "text",
        pytest.param("image", marks=SLOW),
        pytest.param("video", marks=SLOW),
        pytest.param("frames", marks=SLOW),
        pytest.param("keyframes", marks=SLOW),
        pytest.param("masked", marks=SLOW),
    ],
)
def test_conditional_variant(condition_type, tmp_path, capfd):
    """Shapes, a train step, config and `.keras` round trips."""
    run_variant_test(
        make(condition_type),
        tmp_path,
        videos=VIDEOS,
        conditions=CONDITIONS[condition_type],
        capfd=capfd,
        export=False,
    )


@pytest.mark.parametrize(
    "condition_type", ["image", "video", "frames", "keyframes", "masked"]
)
def test_conditional_generate_and_discriminate_shapes(condition_type, tmp_path):
    """The default run's check of the two condition types trained only in
    the slow set: `run_variant_test`'s shape part."""
    run_variant_test(
        make(condition_type),
        tmp_path,
        conditions=CONDITIONS[condition_type],
        fit=False,
        serialization=False,
        saving=False,
        export=False,
    )


@SLOW  # 4-5 s each; the default run exports the conv3d variant
@pytest.mark.parametrize(
    "condition_type",
    ["label", "text", "image", "video", "frames", "keyframes", "masked"],
)
def test_conditional_export(condition_type, tmp_path, capfd):
    # Conditions from the model's `condition_spec` (`example_condition`).
    run_variant_test(
        make(condition_type),
        tmp_path,
        fit=False,
        serialization=False,
        saving=False,
        capfd=capfd,
    )


# ------------------------------------------------------------ conditions
@pytest.mark.parametrize(
    "condition_type,bad,match",
    [
        ("label", np.zeros((2, 1), "int32"), "shape"),
        ("label", np.array([0.5, 1.0], "float32"), "integer"),
        ("label", np.array([0, 10], "int32"), r"\[0, 10\)"),
        ("text", np.zeros((2, 7), "int32"), "shape"),
        ("image", np.zeros((2, S, S, 3), "float32"), "shape"),
        ("video", np.zeros((2, T, 8, 8, C), "float32"), "shape"),
        ("frames", np.zeros((2, 3, S, S, C), "float32"), "shape"),
        ("frames", np.zeros((2, 2, S, S, C), "int32"), "float"),
        ("keyframes", np.zeros((2, 3, S, S, C), "float32"), "shape"),
        ("keyframes", np.zeros((2, 2, 8, 8, C), "float32"), "shape"),
        # The mask belongs on one more channel, and holds 0s and 1s.
        ("masked", np.zeros((2, T, S, S, C), "float32"), "shape"),
        ("masked", np.full((2, T, S, S, C + 1), 0.5, "float32"), "0s and 1s"),
    ],
)
def test_bad_conditions_are_rejected(condition_type, bad, match):
    gan = make(condition_type)
    with pytest.raises(ValueError, match=match):
        gan.generate(2, condition=bad)


def test_conditional_model_requires_a_condition():
    gan = make("label")
    with pytest.raises(ValueError, match="conditional"):
        gan.generate(2)


def test_text_model_tokenizes_caption_strings_and_handles_oov_and_empty():
    gan = make("text")
    ids = gan.tokenize(["digit 7 moves up", "zebra", ""]).numpy()
    assert ids.shape == (3, 4)
    assert list(ids[0]) == [VOCAB.index(w) for w in ("digit", "7", "moves", "up")]
    assert ids[1, 0] == 1 and ids[2].sum() == 0  # [UNK], and all padding
    videos = gan.generate(condition=["digit 7 moves up", "digit 3 moves left"], seed=0)
    assert_video_batch(videos, (2, T, S, S, C))


@pytest.mark.parametrize(
    "condition_type,recon_loss",
    [
        ("video", "l1"),
        ("video", "l2"),
        ("frames", "l1"),
        ("keyframes", "l1"),
        ("masked", "l1"),
    ],
)
def test_reconstruction_term_is_tracked(condition_type, recon_loss):
    gan = make(condition_type, recon_weight=1.0, recon_loss=recon_loss)
    gan.compile()
    history = gan.fit(dataset(condition_type), epochs=1, verbose=0).history
    assert history["recon"][-1] > 0


def test_reconstruction_term_is_the_mean_absolute_or_squared_error():
    real = tf.constant(VIDEOS)
    fake = tf.constant(np.clip(VIDEOS + 0.5, -1.0, 1.0))
    expected = {
        "l1": np.abs(fake.numpy() - VIDEOS).mean(),
        "l2": np.square(fake.numpy() - VIDEOS).mean(),
    }
    for loss, value in expected.items():
        gan = make("video", recon_weight=2.0, recon_loss=loss)
        term = gan.generator_regularizers(real, fake, CONDITIONS["video"])["recon"]
        np.testing.assert_allclose(float(term), 2.0 * value, rtol=1e-5)


def test_untrained_super_resolution_is_the_bicubic_baseline():
    """The residual starts at zero: training has to earn every decibel
    above bicubic upscaling."""
    from tfvgan import conditions

    gan = make("video")
    low = CONDITIONS["video"]
    fake = np.asarray(gan.generate(condition=low, seed=0))
    bicubic = conditions.get("video").baseline(VIDEOS, low)
    np.testing.assert_allclose(fake, bicubic, atol=1e-5)


def test_inpainting_keeps_every_seen_pixel_and_fills_the_hidden_ones():
    gan = make("masked")
    condition = CONDITIONS["masked"]
    seen, mask = masking.split_condition(condition)
    fake = np.asarray(gan.generate(condition=condition, seed=0))
    assert_video_batch(fake, (4, T, S, S, C))
    hidden = mask > 0
    np.testing.assert_array_equal(fake[~hidden[..., 0]], VIDEOS[~hidden[..., 0]])
    # The hidden pixels are the generator's (they held 0 in the condition),
    # and differ with the noise.
    other = np.asarray(gan.generate(condition=condition, seed=1))
    assert np.abs(fake - other)[hidden[..., 0]].max() > 1e-4
    # Any mask works, not only a box: one hidden pixel per frame.
    dots = np.zeros((4, T, S, S), "float32")
    dots[:, :, 3, 5] = 1.0
    fake = np.asarray(gan.generate(condition=masking.masked_condition(VIDEOS, dots)))
    np.testing.assert_array_equal(fake[dots == 0], VIDEOS[dots == 0])


def test_conditional_gan_rejects_bad_construction():
    with pytest.raises(ValueError, match="vocabulary"):
        ConditionalGAN("text", frames=4, size=16, channels=1)
    with pytest.raises(ValueError, match="condition_type"):
        ConditionalGAN("audio")
    with pytest.raises(ValueError, match="downscale"):
        ConditionalGAN("video", frames=4, size=16, channels=1, downscale=3)
    for k in (0, 4, 2.0, True):
        with pytest.raises(ValueError, match="context_frames"):
            ConditionalGAN("frames", frames=4, size=16, channels=1, context_frames=k)
    for kernel in (4, 7.0, 0):
        with pytest.raises(ValueError, match="motion_kernel"):
            ConditionalGAN(
                "frames", frames=4, size=16, channels=1, motion_kernel=kernel
            )
    for kwargs in ({"condition_type": "label"}, {"condition_type": "frames"}):
        with pytest.raises(ValueError, match="best_of > 1"):
            ConditionalGAN(frames=4, size=16, channels=1, best_of=2, **kwargs)
    with pytest.raises(ValueError, match="best_of"):
        ConditionalGAN("frames", frames=4, size=16, channels=1, best_of=0)
    with pytest.raises(ValueError, match="recon_loss"):
        ConditionalGAN("video", frames=4, size=16, channels=1, recon_loss="l3")
    # Nothing between keyframes, or the last frame not a keyframe.
    for n in (1, 2, 4, 2.5):
        with pytest.raises(ValueError, match="keyframe_interval"):
            ConditionalGAN(
                "keyframes", frames=4, size=16, channels=1, keyframe_interval=n
            )
    # A box that hides nothing, or the whole frame.
    for side in (0, 16, 3.0):
        with pytest.raises(ValueError, match="mask_size"):
            ConditionalGAN("masked", frames=4, size=16, channels=1, mask_size=side)
    from tfvgan.models.conditional.inpainting import Inpainter

    with pytest.raises(ValueError, match="divisible by 8"):
        Inpainter(frames=4, size=20, channels=1)


@SLOW  # ~90 s
def test_a_short_one_frame_prediction_run_beats_holding_the_frame():
    """Seeded, 200 steps on moving digits from one context frame: the best
    of 10 samples per clip beats holding the frame on SSIM (the stochastic
    protocol), and the samples differ."""
    from tfvgan import data, metrics

    kwargs = dict(frames=8, size=32, condition="context_frames", context_frames=1)
    train = data.moving_digits(512, batch_size=16, repeat=True, seed=0, **kwargs)
    gan = ConditionalGAN(
        "frames", frames=8, size=32, channels=1, width=16, d_width=16,
        latent_dim=16, context_frames=1, recon_weight=100.0, best_of=2, seed=0,
    )  # fmt: skip
    gan.compile(ema_decay=0.9)
    gan.fit(train, epochs=1, steps_per_epoch=200, verbose=0)
    clips = data.moving_digits_arrays(64, frames=8, size=32, seed=1)[0]
    clips = clips.astype("float32") / 127.5 - 1.0
    context = clips[:, :1]
    samples = [np.asarray(gan.generate(condition=context, seed=s)) for s in range(10)]
    scores = metrics.best_of_n_scores(clips, samples, 1)
    hold = metrics.prediction_scores(clips, samples[0], 1)["ssim_copy_last_frame"]
    assert scores["ssim_best_of_n"] > hold + 0.02, (scores, hold)
    assert scores["diversity"] > 0.01, scores


@SLOW  # ~30 s
def test_a_short_inpainting_run_beats_the_fill_baseline():
    """Seeded, 200 steps on moving digits: inside the hidden box the
    inpainter's structure (SSIM) is already well ahead of the better of the
    two fills (measured: 0.357 against 0.232; PSNR is still behind, 13.5
    against 14.1 dB, at this budget)."""
    from tfvgan import conditions, data, metrics

    kwargs = dict(frames=8, size=32, condition="masked")
    train = data.moving_digits(512, batch_size=16, repeat=True, seed=0, **kwargs)
    gan = ConditionalGAN(
        "masked", frames=8, size=32, channels=1, width=16, d_width=16,
        latent_dim=16, recon_weight=1000.0, recon_loss="l2", seed=0,
    )  # fmt: skip
    gan.compile(ema_decay=0.9)
    gan.fit(train, epochs=1, steps_per_epoch=200, verbose=0)
    clips = data.moving_digits_arrays(64, frames=8, size=32, seed=1)[0]
    clips = clips.astype("float32") / 127.5 - 1.0
    condition = conditions.get("masked").from_clips(clips)
    fake = np.asarray(gan.generate(condition=condition, seed=0))
    scores = metrics.inpainting_scores(clips, fake, condition[..., -1])
    assert scores["ssim"] > scores["ssim_fill"] + 0.05, scores


# ------------------------------------------------------------ prediction
def _moving_square(shift):
    """Two 6-frame 16x16 clips of a 4x4 square moving `shift` px per frame
    right (clip 0) and down (clip 1), on black."""
    clips = -np.ones((2, 6, 16, 16, 1), np.float32)
    for t in range(6):
        o = 2 + t * shift
        clips[0, t, 6:10, o : o + 4] = 1.0
        clips[1, t, o : o + 4, 6:10] = 1.0
    return clips


def test_prediction_keeps_the_context_and_continues_the_measured_motion():
    """Untrained, the predictor's kernel follows the correlation of the
    last two frames: a square moving 1 px per frame keeps moving, and
    beats holding the last frame."""
    from tfvgan import metrics

    clips = _moving_square(1)
    gan = ConditionalGAN(
        "frames", frames=6, size=16, channels=1, width=8, d_width=8, latent_dim=8,
        seed=0,
    )  # fmt: skip
    fake = np.asarray(gan.generate(condition=clips[:, :2], seed=0))
    np.testing.assert_array_equal(fake[:, :2], clips[:, :2])
    scores = metrics.prediction_scores(clips, fake, context_frames=2)
    assert scores["psnr"] > scores["psnr_copy_last_frame"] + 3.0
    assert scores["ssim"] > scores["ssim_copy_last_frame"]
    # The square's centre of mass keeps going the right way.
    mass = (fake[:, -1, ..., 0] > 0).astype(float)  # the bright square
    columns = (mass.sum(axis=1) * np.arange(16)).sum(axis=1) / mass.sum(axis=(1, 2))
    rows = (mass.sum(axis=2) * np.arange(16)).sum(axis=1) / mass.sum(axis=(1, 2))
    # From 3.5 (copying would stay at 4.5) to 8.5.
    np.testing.assert_allclose([columns[0], rows[1]], 8.5, atol=0.5)


def _one_frame_predictor(**kwargs):
    return ConditionalGAN(
        "frames", frames=6, size=16, channels=1, width=8, d_width=8, latent_dim=8,
        context_frames=1, seed=0, **kwargs,
    )  # fmt: skip


def _shift(frames, dy, dx):
    """``(B, H, W, C)`` frames moved `dy` down and `dx` right, -1 shifted in."""
    moved = np.roll(frames, (dy, dx), axis=(1, 2))
    height, width = moved.shape[1:3]
    moved[:, : max(dy, 0)] = moved[:, height + min(dy, 0) :] = -1.0
    moved[:, :, : max(dx, 0)] = moved[:, :, width + min(dx, 0) :] = -1.0
    return moved


def _best_move(before, after, reach=3):
    """The whole-pixel shift that takes `before` closest to `after`, per clip,
    and the mean absolute difference left."""
    moves = [
        (dy, dx) for dy in range(-reach, reach + 1) for dx in range(-reach, reach + 1)
    ]
    errors = np.stack(
        [
            np.abs(_shift(before, dy, dx) - after).mean(axis=(1, 2, 3))
            for dy, dx in moves
        ]
    )
    best = errors.argmin(axis=0)
    return [moves[i] for i in best], errors.min(axis=0)


def test_one_context_frame_draws_a_whole_pixel_move_per_noise():
    """With k = 1 nothing is measured at the first step: the noise draws one
    whole-pixel shift of the frame from the prior, different noise draws
    different shifts, and the later steps continue the drawn one."""
    # A square in the middle: a drawn 3-pixel move keeps it in the frame
    # for two steps.
    clips = -np.ones((2, 6, 16, 16, 1), np.float32)
    clips[:, 0, 6:10, 6:10] = 1.0
    gan = _one_frame_predictor()
    moves = []
    for seed in range(6):
        video = np.asarray(gan.generate(condition=clips[:, :1], seed=seed))
        np.testing.assert_array_equal(video[:, 0], clips[:, 0])
        # The generator paints little at first (its mask starts at 95%
        # moved): the first frame is a whole-pixel shift of the context...
        first, error = _best_move(video[:, 0], video[:, 1])
        assert (error < 0.1).all(), error
        # ... and the next one moves it on the same way (the measured move
        # is read through a softmax: within a pixel).
        second, error = _best_move(video[:, 1], video[:, 2])
        gap = np.abs(np.subtract(second, first)).max()
        assert gap <= 1 and (error < 0.2).all(), (first, second, error)
        moves.append(first[0])
    assert len(set(moves)) >= 3, moves
    assert gan.generator.move_prior is not None
    assert make("frames").generator.move_prior is None


def test_first_move_loss_targets_the_move_between_the_real_frames():
    """The prior's target is the shift that takes the first real frame to
    the second: a prior peaked there scores near 0, one peaked elsewhere
    high, and the untrained (uniform) prior log(K * K)."""
    clips = _moving_square(2)  # clip 0: 2 px right; clip 1: 2 px down
    gan = _one_frame_predictor()
    g = gan.generator
    k = g.kernel_size
    np.testing.assert_allclose(
        float(g.first_move_loss(clips)), np.log(k * k), rtol=1e-5
    )

    def peaked_at(dy, dx):
        # Kernel entry (i, j) moves a frame by (K // 2 - i, K // 2 - j).
        kernel, bias = g.move_prior.get_weights()
        bias = np.zeros_like(bias)
        bias[(k // 2 - dy) * k + k // 2 - dx] = 5.0  # logits x 10: 50
        g.move_prior.set_weights([np.zeros_like(kernel), bias])
        return float(g.first_move_loss(clips[:1]))

    assert peaked_at(0, 2) < 1e-3  # right by 2
    assert peaked_at(2, 0) > 10.0  # down by 2: the other clip's move
    assert peaked_at(0, 0) > 10.0  # no move
    clips = clips[1:]  # the clip moving down
    assert peaked_at(2, 0) < 1e-3 and peaked_at(0, 2) > 10.0
    with pytest.raises(ValueError, match="one context frame"):
        make("frames").generator.first_move_loss(clips)


def test_one_context_frame_trains_the_move_prior():
    """The ``move`` term is a generator regulariser with k = 1 (not with
    k = 2), and a few steps on one moving clip lower it."""
    clips = np.repeat(_moving_square(2)[:1], 4, axis=0)
    gan = _one_frame_predictor(recon_weight=10.0, best_of=2)
    assert gan.regularizer_names() == ("recon", "move")
    assert make("frames", recon_weight=1.0).regularizer_names() == ("recon",)
    # The term is the prior's cross-entropy, as the generator computes it.
    fake = gan.generate(condition=clips[:, :1], seed=0)
    terms = gan.generator_regularizers(clips, fake, clips[:, :1])
    expected = gan.generator.first_move_loss(clips)
    np.testing.assert_allclose(float(terms["move"]), float(expected), rtol=1e-6)
    gan.compile()
    data = tf.data.Dataset.from_tensors((clips, clips[:, :1])).repeat()
    history = gan.fit(data, steps_per_epoch=15, epochs=2, verbose=0).history
    before = np.log(gan.generator.kernel_size**2)
    assert history["move"][-1] < before - 0.3, history["move"]


def test_best_of_takes_the_l1_term_of_the_closest_sample():
    """With `best_of=N` the term is the smallest of N samples' per-clip
    errors: never above the one sample's, and equal to it for N = 1."""
    real = tf.constant(VIDEOS[:2])
    context = tf.constant(VIDEOS[:2, :2])
    one = make("frames", recon_weight=1.0)
    many = make("frames", recon_weight=1.0, best_of=4)
    many.set_weights(one.get_weights())
    fake = one.call_generator(one.sample_noise(2), context, training=True)
    single = float(one.generator_regularizers(real, fake, context)["recon"])
    np.testing.assert_allclose(single, np.abs(fake - real).mean(), rtol=1e-5)
    best = float(many.generator_regularizers(real, fake, context)["recon"])
    assert best <= single
    assert ConditionalGAN.from_config(many.get_config()).best_of == 4


# ------------------------------------------------- matching-aware critic
def test_matching_aware_defaults_config_and_validation():
    assert make("label").matching_aware is True
    assert make("text").matching_aware is False
    assert make("image").matching_aware is False
    assert make("video").matching_aware is False
    assert make("frames").matching_aware is False
    gan = make("image", matching_aware=True)
    assert ConditionalGAN.from_config(gan.get_config()).matching_aware is True
    with pytest.raises(ValueError, match="matching_aware"):
        make("label", matching_aware="false")


def test_mismatched_labels_are_other_classes():
    gan = make("label")
    labels = tf.constant(np.arange(200) % 10, tf.int32)
    wrong = gan.mismatched_condition(labels).numpy()
    assert wrong.dtype == np.int32 and wrong.shape == (200,)
    assert np.all(wrong != labels.numpy())
    assert wrong.min() >= 0 and wrong.max() < 10
    # Every other class is drawn, not one fixed offset.
    assert len(np.unique((wrong - labels.numpy()) % 10)) == 9


def test_mismatched_captions_and_frames_are_the_next_clips():
    text = make("text", matching_aware=True)
    captions = tf.constant(CONDITIONS["text"][:3] + np.arange(3)[:, None], tf.int32)
    np.testing.assert_array_equal(
        text.mismatched_condition(captions).numpy(), np.roll(captions, 1, axis=0)
    )
    assert make("image").mismatched_condition(VIDEOS[:, 0]) is None
    image = make("image", matching_aware=True)
    frames = tf.constant(VIDEOS[:, 0])
    np.testing.assert_array_equal(
        image.mismatched_condition(frames).numpy(), np.roll(VIDEOS[:, 0], 1, axis=0)
    )


@pytest.mark.parametrize("matching_aware", [True, False])
def test_matching_aware_critic_loss_is_gan_cls(matching_aware):
    """D loss = (L(real, fake) + L(real, real with a wrong label)) / 2."""
    gan = make("label", matching_aware=matching_aware)
    gan.compile()
    real = tf.constant(VIDEOS)
    fake = tf.constant(VIDEOS[::-1] * 0.5)
    labels = tf.constant([0, 1, 2, 3], tf.int32)
    wrong = tf.constant([5, 6, 7, 8], tf.int32)
    gan.mismatched_condition = lambda c: wrong if matching_aware else None
    d_loss, _, _ = gan._d_loss(real, fake, labels, training=True)

    def loss(a, b):
        return float(gan.d_loss_fn(a[0], b[0]))

    r = gan._scores(real, labels, training=True)
    f = gan._scores(fake, labels, training=True)
    w = gan._scores(real, wrong, training=True)
    expected = 0.5 * (loss(r, f) + loss(r, w)) if matching_aware else loss(r, f)
    np.testing.assert_allclose(float(d_loss), expected, rtol=1e-5)
    assert abs(loss(r, w) - loss(r, f)) > 1e-3  # the two terms differ
    # Evaluation (test_step) scores matching pairs only.
    d_eval, _, _ = gan._d_loss(real, fake, labels, training=False)
    r, f = gan._scores(real, labels), gan._scores(fake, labels)
    np.testing.assert_allclose(float(d_eval), loss(r, f), rtol=1e-5)


# ------------------------------------------------------------ in-betweening
def test_move_shifts_by_a_distribution_over_whole_pixels():
    from tfvgan.models.conditional.interpolation import move, shift_logits

    frame = -np.ones((1, 8, 8, 1), np.float32)
    frame[0, 2, 3] = 1.0

    def one_hot(shift):  # shifts -7 .. 7
        probs = np.zeros((1, 15), np.float32)
        probs[0, shift + 7] = 1.0
        return probs

    moved = np.asarray(move(frame, one_hot(2), one_hot(-1)))
    expected = -np.ones_like(frame)
    expected[0, 4, 2] = 1.0
    np.testing.assert_allclose(moved, expected, atol=1e-6)
    # Half a chance of 0 and of 1 row down: half the brightness in each.
    half = one_hot(0) / 2 + one_hot(1) / 2
    spread = np.asarray(move(frame, half, one_hot(0)))
    np.testing.assert_allclose(spread[0, 2:4, 3, 0], [0.0, 0.0], atol=1e-6)
    # Content moved out of the frame is replaced by the fill (black).
    gone = np.asarray(move(frame, one_hot(7), one_hot(0)))
    np.testing.assert_allclose(gone, -1.0, atol=1e-6)
    # The straight-line prior peaks on the nearest whole shift.
    logits = np.asarray(shift_logits(np.array([2.2], np.float32), 8))
    assert logits.shape == (1, 15) and logits.argmax() == 2 + 7


def test_displacement_finds_how_far_the_content_went():
    from tfvgan.models.conditional.interpolation import displacement

    clips = _moving_square(2)  # clip 0 right, clip 1 down, 2 px a frame
    found = np.asarray(displacement(clips[:, 0], clips[:, 5], 20.0))
    np.testing.assert_allclose(found, [[0.0, 10.0], [10.0, 0.0]], atol=0.05)
    blank = -np.ones((1, 16, 16, 1), np.float32)
    np.testing.assert_allclose(displacement(blank, blank, 20.0), 0.0, atol=1e-4)


def test_inbetweening_keeps_the_keyframes_and_moves_along_the_line():
    """Untrained, the interpolator moves the square along the line from the
    first to the last frame: far ahead of the cross-fade, which shows two
    faint squares."""
    from tfvgan import conditions, metrics

    clips = _moving_square(2)
    gan = ConditionalGAN(
        "keyframes", frames=6, size=16, channels=1, width=8, d_width=8,
        latent_dim=8, seed=0,
    )  # fmt: skip
    keyframes = clips[:, [0, 5]]
    fake = np.asarray(gan.generate(condition=keyframes, seed=0))
    np.testing.assert_array_equal(fake[:, [0, 5]], keyframes)
    faded = conditions.cross_fade(keyframes, 6)
    between = slice(1, 5)
    psnr = float(metrics.psnr(fake[:, between], clips[:, between]))
    assert psnr > float(metrics.psnr(faded[:, between], clips[:, between])) + 3.0
    assert float(metrics.ssim(fake[:, between], clips[:, between])) > float(
        metrics.ssim(faded[:, between], clips[:, between])
    )
    # Frame 3 of clip 0: the square's centre 2 + 3 * 2 + 1.5 = 9.5 px right.
    mass = (fake[0, 3, ..., 0] > 0).astype(float)
    column = (mass.sum(axis=0) * np.arange(16)).sum() / mass.sum()
    assert column == pytest.approx(9.5, abs=0.5)


def test_every_nth_frame_as_keyframes():
    """Three keyframes (0, 3, 6): two gaps, each filled in, the keyframes
    exact, the interval kept through the config and the evaluation
    options."""
    from tfvgan import conditions

    clips = np.tile(_moving_square(1)[:, :1], (1, 7, 1, 1, 1))
    gan = ConditionalGAN(
        "keyframes", frames=7, size=16, channels=1, width=8, d_width=8,
        latent_dim=8, keyframe_interval=np.int64(3), seed=0,
    )  # fmt: skip
    assert gan.keyframe_interval == 3 and type(gan.keyframe_interval) is int
    assert gan.condition_spec.shape.as_list() == [None, 3, 16, 16, 1]
    kind = conditions.get("keyframes")
    assert kind.model_options(gan) == {"keyframe_interval": 3}
    keyframes = kind.from_clips(clips, **kind.model_options(gan))
    fake = np.asarray(gan.generate(condition=keyframes, seed=0))
    np.testing.assert_array_equal(fake[:, [0, 3, 6]], keyframes)
    assert list(kind.scored_frames(keyframes, 7)) == [1, 2, 4, 5]
    # A still square: every frame between is the square where it was.
    np.testing.assert_allclose(fake[:, [1, 2, 4, 5]], clips[:, [1, 2, 4, 5]], atol=0.2)
    clone = ConditionalGAN.from_config(gan.get_config())
    assert clone.keyframe_interval == 3
