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


@pytest.mark.parametrize("condition_type", ["image", "video"])
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
@pytest.mark.parametrize("condition_type", ["label", "text", "image", "video"])
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


def test_super_resolution_reconstruction_term_is_tracked():
    gan = make("video", recon_weight=1.0)
    gan.compile()
    history = gan.fit(dataset("video"), epochs=1, verbose=0).history
    assert history["recon"][-1] > 0


def test_conditional_gan_rejects_bad_construction():
    with pytest.raises(ValueError, match="vocabulary"):
        ConditionalGAN("text", frames=4, size=16, channels=1)
    with pytest.raises(ValueError, match="condition_type"):
        ConditionalGAN("audio")
    with pytest.raises(ValueError, match="downscale"):
        ConditionalGAN("video", frames=4, size=16, channels=1, downscale=3)


# ------------------------------------------------- matching-aware critic
def test_matching_aware_defaults_config_and_validation():
    assert make("label").matching_aware is True
    assert make("text").matching_aware is False
    assert make("image").matching_aware is False
    assert make("video").matching_aware is False
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
