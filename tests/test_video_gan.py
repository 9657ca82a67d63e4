"""The shared `VideoGAN` loop and its hooks, on a plain `VideoGAN` or the tiny
TemporalGAN: fit/evaluate, EMA, saving, seeds, penalties, critic steps.

Each variant's own checks (shapes, a train step, config, `.keras`, export)
are in tests/test_model_<variant>.py, through `helpers.run_variant_test`.
"""

import warnings

import keras
import numpy as np
import pytest
import tensorflow as tf

from tests.helpers import (
    TINY_VIDEO_SHAPE,
    run_model_saving_test,
    run_serialization_test,
    tiny_model,
)
from tfvgan.models import VideoGAN

B = 2
T, S, _, C = TINY_VIDEO_SHAPE
RNG = np.random.default_rng(0)
VIDEOS = RNG.uniform(-1, 1, (4, T, S, S, C)).astype("float32")  # = tiny_videos(4)


def make(**kwargs):
    return tiny_model("temporal", **kwargs)


def dataset(batch=B):
    return tf.data.Dataset.from_tensor_slices(VIDEOS).batch(batch, drop_remainder=True)


# ------------------------------------------------------------- fit, evaluate
def test_fit_on_a_dataset_does_not_pass_keras_shuffle_default():
    """No "`shuffle=True` ... will be ignored" warning from Keras for a data
    set; an explicit `shuffle` (and positional arguments) still pass through."""
    gan = make()
    gan.compile()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        gan.fit(dataset(), epochs=1, verbose=0)
    assert not [w for w in caught if "shuffle" in str(w.message)], caught
    with pytest.warns(UserWarning, match="shuffle"):
        gan.fit(dataset(), epochs=1, verbose=0, shuffle=True)
    history = gan.fit(dataset(), None, None, 2, 0)  # y, batch_size, epochs, verbose
    assert len(history.history["d_loss"]) == 2


def test_evaluate_reports_the_same_metrics_without_updates():
    gan = make()
    gan.compile()
    before = [w.copy() for w in gan.get_weights()]
    result = gan.evaluate(dataset(), verbose=0, return_dict=True)
    assert {"d_loss", "g_loss", "d_real", "d_fake"} <= set(result)
    for a, b in zip(before, gan.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_wrong_video_shape_is_rejected_with_the_expected_layout():
    gan = make()
    gan.compile()
    bad = np.zeros((4, T, S, S, 3), "float32")
    with pytest.raises(ValueError, match=r"expected video rank 5 .*got shape"):
        gan.fit(bad, epochs=1, batch_size=2, verbose=0)
    with pytest.raises(ValueError, match=r"\(batch, frames, height, width, channels\)"):
        gan.fit(np.zeros((4, S, S, C), "float32"), epochs=1, batch_size=2, verbose=0)


def test_compile_validates_arguments():
    gan = make()
    with pytest.raises(ValueError, match="d_steps"):
        gan.compile(d_steps=0)
    with pytest.raises(ValueError, match="ema_decay"):
        gan.compile(ema_decay=1.5)
    opt = keras.optimizers.Adam()
    with pytest.raises(ValueError, match="distinct"):
        gan.compile(d_optimizer=opt, g_optimizer=opt)


# ---------------------------------------------------------- EMA and saving
def test_keras_file_keeps_the_ema_copy_with_custom_losses(tmp_path):
    # Custom losses leave no compile config; the EMA copy must survive anyway.
    gan = make()
    gan.compile(
        loss=(lambda f: -tf.reduce_mean(f), lambda r, f: tf.reduce_mean(f - r)),
        ema_decay=0.5,
    )
    gan.fit(dataset(), epochs=1, verbose=0)
    assert gan.get_compile_config() is None
    path = str(tmp_path / "custom.keras")
    gan.save(path)
    restored = keras.saving.load_model(path)
    assert restored.ema_generator is not None
    np.testing.assert_allclose(
        restored.generate(2, seed=1), gan.generate(2, seed=1), atol=1e-6
    )
    # The EMA copy really differs from the generator after training.
    assert (
        np.abs(gan.generate(2, seed=1, use_ema=False) - gan.generate(2, seed=1)).max()
        > 1e-4
    )


def test_keras_file_does_not_bake_in_the_devices_jit_default(tmp_path, monkeypatch):
    from tfvgan.models import video_gan

    gan = make()
    monkeypatch.setattr(video_gan.distribute, "has_accelerator", lambda: True)
    gan.compile()
    assert gan.jit_compile  # a GPU machine's default
    assert gan.get_compile_config()["jit_compile"] is None
    path = str(tmp_path / "gpu.keras")
    gan.save(path)
    monkeypatch.setattr(video_gan.distribute, "has_accelerator", lambda: False)
    assert not keras.saving.load_model(path).jit_compile  # resolved here: CPU
    gan.compile(jit_compile=True)  # an explicit choice is kept
    gan.save(path)
    assert keras.saving.load_model(path).jit_compile


def test_recompiling_without_ema_drops_the_ema_copy(tmp_path):
    gan = make()
    gan.compile(ema_decay=0.99)
    gan.fit(dataset(), epochs=1, verbose=0)
    with_ema = len(gan.weights)
    gan.compile(ema_decay=None)
    assert gan.ema_generator is None
    assert len(gan.weights) < with_ema  # untracked, not only hidden
    # ... also by TF's checkpoint dependencies (tf.train.Checkpoint(model=)).
    names = [
        n
        for n, _ in tf.train.list_variables(
            tf.train.Checkpoint(model=gan).write(str(tmp_path / "ckpt"))
        )
    ]
    assert names and not [n for n in names if "ema_generator" in n]
    gan.fit(dataset(), epochs=1, verbose=0)
    np.testing.assert_array_equal(
        gan.generate(2, seed=1), gan.generate(2, seed=1, use_ema=False)
    )
    gan.compile(ema_decay=0.5)  # a new copy, from the current generator
    np.testing.assert_array_equal(
        gan.generate(2, seed=1), gan.generate(2, seed=1, use_ema=False)
    )


def test_generate_with_seed_is_deterministic_and_row_wise():
    gan = make()
    a = gan.generate(3, seed=10)
    b = gan.generate(3, seed=10)
    np.testing.assert_array_equal(a, b)
    # video i uses seed + i, so a shifted seed shifts the rows
    np.testing.assert_allclose(gan.generate(2, seed=11), a[1:], atol=1e-6)
    assert not np.allclose(a[0], a[1])


# ----------------------------------------------- a plain VideoGAN learns
MODES = (0.3, 0.7)


def _two_mode_clips(n, seed):
    # Each clip is one flat grey level drawn from two modes; no motion.
    levels = np.random.default_rng(seed).choice(MODES, size=n)
    clips = np.broadcast_to(levels[:, None, None, None, None], (n, 4, 8, 8, 1))
    return clips.astype("float32"), levels


def _gap_to_data(videos, levels):
    """Discriminator-free distance of generated clips to the data.

    The 1-D Wasserstein distance between the clips' mean levels and the data's,
    plus the mean deviation of pixels from their clip's level (0 for data).
    """
    videos = np.asarray(videos)
    means = videos.mean(axis=(1, 2, 3, 4))
    w1 = np.abs(np.sort(means) - np.sort(levels[: len(means)])).mean()
    flatness = np.abs(videos - means[:, None, None, None, None]).mean()
    return float(w1 + flatness)


def _small_plain_gan(hidden=64):
    keras.utils.set_random_seed(3)
    z = keras.Input((8,))
    h = keras.layers.Dense(hidden, activation="relu")(z)
    h = keras.layers.Dense(4 * 8 * 8, activation="tanh")(h)
    g = keras.Model(z, keras.layers.Reshape((4, 8, 8, 1))(h))
    x = keras.Input((4, 8, 8, 1))
    h = keras.layers.Flatten()(x)
    for _ in range(2):
        h = keras.layers.LeakyReLU(0.2)(keras.layers.Dense(hidden)(h))
    d = keras.Model(x, keras.layers.Dense(1)(h))
    return VideoGAN(g, d, latent_dim=8, frames=4, size=8, channels=1, seed=5)


def test_plain_video_gan_reads_its_shapes_from_the_generator():
    full = _small_plain_gan()
    gan = VideoGAN(full.generator, full.discriminator)
    assert (gan.latent_dim, *gan.video_shape) == (8, 4, 8, 8, 1)
    assert gan.generate(2, seed=0).shape == (2, 4, 8, 8, 1)
    with pytest.raises(ValueError, match=r"shape \(4, 8, 8, 1\).*frames=5"):
        VideoGAN(full.generator, full.discriminator, frames=5)
    with pytest.raises(ValueError, match=r"latent_dim=9.*noise of shape \(None, 8\)"):
        VideoGAN(full.generator, full.discriminator, latent_dim=9)

    class Subclassed(keras.Model):  # no symbolic shapes to read
        def __init__(self):
            super().__init__()
            self.inner = full.generator

        def call(self, z):
            return self.inner(z)

    with pytest.raises(ValueError, match="latent_dim=, frames=, size="):
        VideoGAN(Subclassed(), full.discriminator)
    gan = VideoGAN(
        Subclassed(), full.discriminator, latent_dim=8, frames=4, size=8, channels=1
    )
    assert gan.video_shape == (4, 8, 8, 1)


def test_shared_loop_learns_a_two_mode_distribution():
    gan = _small_plain_gan()
    gan.compile(
        d_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5),
        g_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5),
    )
    _, reference = _two_mode_clips(256, 1)
    gap0 = _gap_to_data(gan.generate(256, seed=0), reference)
    clips, _ = _two_mode_clips(2048, 0)
    data = (
        tf.data.Dataset.from_tensor_slices(clips)
        .shuffle(2048, seed=0)
        .batch(32, drop_remainder=True)
    )
    gan.fit(data, epochs=6, verbose=0)
    gap1 = _gap_to_data(gan.generate(256, seed=0), reference)
    assert gap1 < 0.5 * gap0, (gap0, gap1)


def test_plain_video_gan_serializes_its_networks(tmp_path):
    gan = _small_plain_gan()
    gan.compile(ema_decay=0.9)
    run_serialization_test(gan)
    run_model_saving_test(gan, tmp_path)


# ------------------------------------------------- penalties and the critic
@pytest.mark.parametrize(
    "loss",
    [
        "wasserstein",
        *(
            pytest.param(n, marks=pytest.mark.slow)
            for n in ("minimax", "hinge", "least_squares")
        ),
    ],  # 4 s each
)
def test_losses_and_penalties_train(loss):
    gan = make()
    gan.compile(loss=loss, gp_weight=1.0, r1_weight=0.1, d_steps=2)
    history = gan.fit(dataset(), epochs=1, verbose=0).history
    assert np.isfinite(history["gp"][-1]) and history["gp"][-1] > 0
    assert np.isfinite(history["r1"][-1])


def _cross_clip_gradient(gan, training):
    """|d score(clip 0) / d clip 1| through the critic as `training` runs it."""
    from tfvgan import losses

    x = tf.constant(RNG.uniform(-1, 1, (2, *gan.video_shape)), tf.float32)
    with tf.GradientTape() as tape:
        tape.watch(x)
        scores = losses.clip_scores(gan._scores(x, training=training, augment=True), 2)
        first = scores[0]
    return float(tf.reduce_max(tf.abs(tape.gradient(first, x)[1])))


def test_penalty_passes_are_per_clip_and_update_no_statistics():
    gan = make()
    with pytest.warns(UserWarning, match="batch-norm critic"):
        gan.compile(gp_weight=1.0, r1_weight=1.0, run_eagerly=True)
    # Batch norm in training mode mixes clips; the penalty passes do not.
    assert _cross_clip_gradient(gan, training=True) > 1e-4
    assert _cross_clip_gradient(gan, training=False) == 0.0
    calls = []
    original = gan.discriminate

    def spy(videos, condition=None, training=False):
        calls.append(training)
        return original(videos, condition, training=training)

    gan.discriminate = spy
    gan.fit(dataset().take(1), epochs=1, verbose=0)
    # real, fake (training), GP, R1 (inference mode), G step (training)
    assert calls == [True, True, False, False, True], calls


def test_layer_norm_critic_is_per_clip_in_training_and_paper_gp_uses_it():
    from tfvgan.config import TrainConfig

    gan = make(critic_norm="layer")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gan.compile(gp_weight=10.0)
    assert _cross_clip_gradient(gan, training=True) == 0.0
    config = TrainConfig.from_preset("paper", model="temporal")
    assert config.gp_weight > 0 and config.model_kwargs["critic_norm"] == "layer"
    with pytest.raises(ValueError, match="critic_norm"):
        make(critic_norm="group")


def test_every_critic_step_of_a_train_step_sees_its_one_real_batch():
    gan = make()
    gan.compile(d_steps=3, run_eagerly=True)
    seen = []
    original = gan._d_loss

    def spy(real, fake, condition, training):
        seen.append(float(tf.reduce_sum(real)))
        return original(real, fake, condition, training)

    gan._d_loss = spy
    gan.fit(dataset(), epochs=1, verbose=0)  # 2 batches
    assert len(seen) == 6
    assert seen[0] == seen[1] == seen[2] != seen[3] == seen[4] == seen[5]
    assert int(gan.d_optimizer.iterations) == 6 and int(gan.g_optimizer.iterations) == 2
