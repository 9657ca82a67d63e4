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


@pytest.mark.parametrize("condition_type", ["image", "video", "frames"])
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
    "condition_type", ["label", "text", "image", "video", "frames"]
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


@pytest.mark.parametrize("condition_type", ["video", "frames"])
def test_reconstruction_term_is_tracked(condition_type):
    gan = make(condition_type, recon_weight=1.0)
    gan.compile()
    history = gan.fit(dataset(condition_type), epochs=1, verbose=0).history
    assert history["recon"][-1] > 0


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


def test_one_context_frame_lets_the_noise_pick_the_move():
    """With k = 1 nothing is measured at the first step: different noise
    moves the frame differently (k = 2 follows the measured motion)."""
    clips = _moving_square(1)
    gan = ConditionalGAN(
        "frames", frames=6, size=16, channels=1, width=8, d_width=8, latent_dim=8,
        context_frames=1, seed=0,
    )  # fmt: skip
    a = np.asarray(gan.generate(condition=clips[:, :1], seed=0))
    b = np.asarray(gan.generate(condition=clips[:, :1], seed=100))
    np.testing.assert_array_equal(a[:, 0], clips[:, 0])
    assert np.abs(a[:, 1:] - b[:, 1:]).mean() > 0.01
    assert gan.generator.noise_kernel is not None
    assert make("frames").generator.noise_kernel is None


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
