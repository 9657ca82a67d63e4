"""DiffAugment for video critics: the augmentations and the loop's use of them."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfvgan import augment
from tfvgan.config import TrainConfig
from tfvgan.models import build_model

RNG = np.random.default_rng(0)
VIDEOS = RNG.uniform(-1, 1, (3, 4, 16, 16, 1)).astype("float32")


def constant(value):
    """A `uniform` that draws `value` for every clip and parameter."""
    return lambda shape: tf.fill((3, *shape), float(value))


def test_policy_names_are_checked_and_ordered():
    assert augment.check_policy(None) == ()
    assert augment.check_policy("") == ()
    assert augment.check_policy("cutout, translation") == ("translation", "cutout")
    assert augment.check_policy(["color"]) == ("color",)
    with pytest.raises(ValueError, match="unknown augmentation 'flip'.*color"):
        augment.check_policy("flip,color")


def test_translation_moves_every_frame_of_a_clip_by_whole_pixels():
    # Draws of 0 give the largest shift up and left: 16 // 8 = 2 pixels.
    out = augment.augment_videos(VIDEOS, ("translation",), constant(0.0)).numpy()
    expected = np.full_like(VIDEOS, -1.0)
    expected[:, :, :-2, :-2] = VIDEOS[:, :, 2:, 2:]
    np.testing.assert_allclose(out, expected, atol=1e-6)
    # A draw of 0.5 is the middle of the range: no shift.
    same = augment.augment_videos(VIDEOS, ("translation",), constant(0.5)).numpy()
    np.testing.assert_allclose(same, VIDEOS, atol=1e-6)


def test_bfloat16_clips_are_augmented_in_float32():
    policy = ("color", "translation", "cutout")
    half = tf.cast(VIDEOS, tf.bfloat16)
    out = augment.augment_videos(half, policy, constant(0.25))
    assert out.dtype == tf.float32
    ref = augment.augment_videos(tf.cast(half, tf.float32), policy, constant(0.25))
    np.testing.assert_array_equal(out.numpy(), ref.numpy())


def test_cutout_greys_one_square_in_every_frame():
    out = augment.augment_videos(VIDEOS, ("cutout",), constant(0.0)).numpy()
    assert np.all(out[:, :, :8, :8] == 0.0)
    np.testing.assert_array_equal(out[:, :, 8:], VIDEOS[:, :, 8:])
    np.testing.assert_array_equal(out[:, :, :8, 8:], VIDEOS[:, :, :8, 8:])


def test_color_is_identity_at_the_middle_draw_and_shifts_brightness():
    same = augment.augment_videos(VIDEOS, ("color",), constant(0.5)).numpy()
    np.testing.assert_allclose(same, VIDEOS, atol=1e-6)
    darker = augment.augment_videos(VIDEOS, ("color",), constant(0.0)).numpy()
    # Brightness -0.5, then contrast x0.5 around the clip's (darker) mean.
    shifted = VIDEOS - 0.5
    mean = shifted.mean(axis=(1, 2, 3, 4), keepdims=True)
    np.testing.assert_allclose(darker, (shifted - mean) * 0.5 + mean, atol=1e-5)


def test_augmentation_passes_gradients_except_through_the_hole():
    x = tf.Variable(VIDEOS)
    with tf.GradientTape(persistent=True) as tape:
        y = augment.augment_videos(x, ("translation", "cutout"), constant(0.0))
        total = tf.reduce_sum(y * VIDEOS)
        colored = tf.reduce_sum(
            augment.augment_videos(x, augment.AUGMENTATIONS, constant(0.0)) ** 2
        )
    grad = tape.gradient(total, x).numpy()
    # The shift up-left by 2 moves x[2:, 2:] into view; cutout's square over
    # y[:8, :8] hides x[2:10, 2:10]: exactly those get no gradient.
    expected = np.zeros_like(VIDEOS)
    expected[:, :, 2:, 2:] = VIDEOS[:, :, :-2, :-2]
    expected[:, :, 2:10, 2:10] = 0.0
    np.testing.assert_allclose(grad, expected, atol=1e-6)
    grad = tape.gradient(colored, x).numpy()
    assert np.all(np.isfinite(grad)) and np.abs(grad).sum() > 0


def test_the_loop_augments_critic_inputs_only_in_training():
    gan = build_model("recurrent", "tiny", seed=0)
    gan.compile(augment="translation,cutout")
    assert gan.augment == ("translation", "cutout")
    videos = tf.constant(VIDEOS)
    # Outside training the video critic scores the clips as they are (the
    # image critic's frames are drawn at random either way).
    plain = gan._scores(videos, training=False)[0].numpy()
    np.testing.assert_array_equal(plain, gan._scores(videos, training=False)[0])
    # In training the clips change (and batch norm uses batch statistics),
    # so compare with an un-augmented model in training mode.
    twin = build_model("recurrent", "tiny", seed=0)
    twin.compile()
    twin.set_weights(gan.get_weights())
    augmented = gan._scores(videos, training=True)[0].numpy()
    unaugmented = twin._scores(videos, training=True)[0].numpy()
    assert np.abs(augmented - unaugmented).max() > 1e-3
    history = gan.fit(
        tf.data.Dataset.from_tensor_slices(VIDEOS[:2]).batch(2),
        epochs=1,
        verbose=0,
    ).history
    assert np.isfinite(history["d_loss"][-1]) and np.isfinite(history["g_loss"][-1])
    assert gan.get_compile_config()["augment"] == ["translation", "cutout"]


def test_saved_model_keeps_the_policy(tmp_path):
    gan = build_model("temporal", "tiny", seed=0)
    gan.compile(augment=["cutout"])
    path = str(tmp_path / "gan.keras")
    gan.save(path)
    assert keras.models.load_model(path).augment == ("cutout",)


def test_unknown_names_fail_in_compile_and_config():
    gan = build_model("temporal", "tiny", seed=0)
    with pytest.raises(ValueError, match="unknown augmentation 'mixup'"):
        gan.compile(augment="mixup")
    with pytest.raises(ValueError, match="unknown augment 'mixup'"):
        TrainConfig(augment="translation,mixup")
    with pytest.raises(ValueError, match="augment must be a string"):
        TrainConfig(augment=["translation"])
    assert TrainConfig(augment="translation, cutout").augment == "translation, cutout"
