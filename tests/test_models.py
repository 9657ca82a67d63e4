"""Behavioural tests of the shared loop and the four variants (tiny shapes)."""

import warnings

import keras
import numpy as np
import pytest
import tensorflow as tf

from tests.helpers import (
    assert_video_batch,
    run_layer_test,
    run_model_saving_test,
    run_serialization_test,
)
from tfvgan import layers
from tfvgan.data import video_condition
from tfvgan.models import (
    MODELS,
    ConditionalGAN,
    RecurrentGAN,
    VideoGAN,
    build_model,
)

B, T, S, C = 2, 4, 16, 1
VOCAB = ["", "[UNK]", "digit", "moves", "up", "down", "left", "right", "3", "7"]
RNG = np.random.default_rng(0)
VIDEOS = RNG.uniform(-1, 1, (4, T, S, S, C)).astype("float32")
CONDITIONS = {
    None: None,
    "label": np.array([0, 1, 2, 3], "int32"),
    "text": np.array([[2, 8, 3, 4]] * 4, "int32"),
    "image": VIDEOS[:, 0],
    "video": video_condition(tf.constant(VIDEOS), "low_res", downscale=4).numpy(),
}
CASES = [
    ("temporal", None),
    ("conv3d", None),
    ("recurrent", None),
    ("recurrent", "label"),
    ("conditional", "label"),
    ("conditional", "text"),
    ("conditional", "image"),
    ("conditional", "video"),
]
IDS = [f"{m}-{c}" if c else m for m, c in CASES]
# A representative few in the default run, every case in the slow set.
_DEFAULT = {
    ("temporal", None),
    ("recurrent", "label"),
    ("conditional", "label"),
    ("conditional", "text"),
}
SOME_CASES = [
    c if c in _DEFAULT else pytest.param(*c, marks=pytest.mark.slow) for c in CASES
]


def make(name, condition_type, **kwargs):
    if name == "recurrent" and condition_type == "label":
        kwargs["num_classes"] = 10
    elif condition_type is not None:
        kwargs["condition_type"] = condition_type
    if condition_type == "text":
        kwargs.update(vocabulary=VOCAB, sequence_length=4)
    return build_model(name, "tiny", seed=0, **kwargs)


def dataset(condition_type, batch=B):
    data = VIDEOS if condition_type is None else (VIDEOS, CONDITIONS[condition_type])
    return tf.data.Dataset.from_tensor_slices(data).batch(batch, drop_remainder=True)


def cond(condition_type, n=B):
    c = CONDITIONS[condition_type]
    return None if c is None else c[:n]


@pytest.mark.parametrize("name,condition_type", CASES, ids=IDS)
def test_generate_and_discriminate_shapes(name, condition_type):
    gan = make(name, condition_type)
    videos = gan.generate(B, condition=cond(condition_type), seed=1)
    assert_video_batch(videos, (B, T, S, S, C))
    logits = gan.discriminate(
        tf.constant(videos), gan.prepare_condition(cond(condition_type))
    )
    assert all(x.shape[0] == B and x.shape.rank == 2 for x in logits)
    expected_heads = 2 if name == "recurrent" else 1
    assert len(logits) == expected_heads


@pytest.mark.parametrize("name,condition_type", SOME_CASES, ids=IDS)
def test_one_fit_step_gives_finite_losses_and_changes_both_networks(
    name, condition_type, capfd
):
    capfd.readouterr()
    gan = make(name, condition_type)
    gan.compile(ema_decay=0.9)
    g0 = [w.copy() for w in gan.generator.get_weights()]
    d0 = [w.copy() for w in gan.discriminator.get_weights()]
    history = gan.fit(dataset(condition_type), epochs=1, verbose=0).history
    for key in ("d_loss", "g_loss", "d_real", "d_fake"):
        assert np.isfinite(history[key][-1]), key
    changed = lambda a, b: any(not np.allclose(x, y) for x, y in zip(a, b))  # noqa: E731
    assert changed(g0, gan.generator.get_weights())
    assert changed(d0, gan.discriminator.get_weights())
    # EMA moved towards the generator but is not equal to it.
    assert changed(g0, gan.ema_generator.get_weights())
    assert int(gan.optimizer.iterations) == len(VIDEOS) // B
    # Grappler optimizes the traced step without errors: a failed pass (e.g.
    # the oneDNN remapper on a Pad feeding a Conv3D) is logged to stderr.
    assert "meta_optimizer" not in capfd.readouterr().err


def test_fit_on_a_dataset_does_not_pass_keras_shuffle_default():
    """No "`shuffle=True` ... will be ignored" warning from Keras for a data
    set; an explicit `shuffle` (and positional arguments) still pass through."""
    gan = make("temporal", None)
    gan.compile()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        gan.fit(dataset(None), epochs=1, verbose=0)
    assert not [w for w in caught if "shuffle" in str(w.message)], caught
    with pytest.warns(UserWarning, match="shuffle"):
        gan.fit(dataset(None), epochs=1, verbose=0, shuffle=True)
    history = gan.fit(dataset(None), None, None, 2, 0)  # y, batch_size, epochs, verbose
    assert len(history.history["d_loss"]) == 2


@pytest.mark.parametrize("name,condition_type", SOME_CASES, ids=IDS)
def test_config_round_trip(name, condition_type):
    run_serialization_test(make(name, condition_type))


@pytest.mark.parametrize(
    "name,condition_type",
    # 3-7 s each: the conditional text/image/video cases run in the slow set.
    [
        c
        if c[1] not in ("text", "image", "video")
        else pytest.param(*c, marks=pytest.mark.slow)
        for c in CASES
    ],
    ids=IDS,
)
def test_keras_file_round_trip(name, condition_type, tmp_path):
    gan = make(name, condition_type)
    gan.compile(ema_decay=0.5)
    gan.fit(dataset(condition_type), epochs=1, verbose=0)
    run_model_saving_test(gan, tmp_path, condition=cond(condition_type))


def test_keras_file_keeps_the_ema_copy_with_custom_losses(tmp_path):
    # Custom losses leave no compile config; the EMA copy must survive anyway.
    gan = make("temporal", None)
    gan.compile(
        loss=(lambda f: -tf.reduce_mean(f), lambda r, f: tf.reduce_mean(f - r)),
        ema_decay=0.5,
    )
    gan.fit(dataset(None), epochs=1, verbose=0)
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

    gan = make("temporal", None)
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
    gan = make("temporal", None)
    gan.compile(ema_decay=0.99)
    gan.fit(dataset(None), epochs=1, verbose=0)
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
    gan.fit(dataset(None), epochs=1, verbose=0)
    np.testing.assert_array_equal(
        gan.generate(2, seed=1), gan.generate(2, seed=1, use_ema=False)
    )
    gan.compile(ema_decay=0.5)  # a new copy, from the current generator
    np.testing.assert_array_equal(
        gan.generate(2, seed=1), gan.generate(2, seed=1, use_ema=False)
    )


def test_generate_with_seed_is_deterministic_and_row_wise():
    gan = make("temporal", None)
    a = gan.generate(3, seed=10)
    b = gan.generate(3, seed=10)
    np.testing.assert_array_equal(a, b)
    # video i uses seed + i, so a shifted seed shifts the rows
    np.testing.assert_allclose(gan.generate(2, seed=11), a[1:], atol=1e-6)
    assert not np.allclose(a[0], a[1])


def test_wrong_video_shape_is_rejected_with_the_expected_layout():
    gan = make("temporal", None)
    gan.compile()
    bad = np.zeros((4, T, S, S, 3), "float32")
    with pytest.raises(ValueError, match=r"expected video rank 5 .*got shape"):
        gan.fit(bad, epochs=1, batch_size=2, verbose=0)
    with pytest.raises(ValueError, match=r"\(batch, frames, height, width, channels\)"):
        gan.fit(np.zeros((4, S, S, C), "float32"), epochs=1, batch_size=2, verbose=0)


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
    gan = make("conditional", condition_type)
    with pytest.raises(ValueError, match=match):
        gan.generate(2, condition=bad)


def test_conditional_model_requires_a_condition():
    gan = make("conditional", "label")
    with pytest.raises(ValueError, match="conditional"):
        gan.generate(2)


def test_text_model_tokenizes_caption_strings_and_handles_oov_and_empty():
    gan = make("conditional", "text")
    ids = gan.tokenize(["digit 7 moves up", "zebra", ""]).numpy()
    assert ids.shape == (3, 4)
    assert list(ids[0]) == [VOCAB.index(w) for w in ("digit", "7", "moves", "up")]
    assert ids[1, 0] == 1 and ids[2].sum() == 0  # [UNK], and all padding
    videos = gan.generate(condition=["digit 7 moves up", "digit 3 moves left"], seed=0)
    assert_video_batch(videos, (2, T, S, S, C))


def test_recurrent_latent_layout_and_autoregressive_option():
    gan = build_model("recurrent", "tiny", seed=0)
    assert gan.latent_dim == 6 + 2 * (T + 1)
    ar = build_model("recurrent", "tiny", seed=0, autoregressive=True)
    assert isinstance(ar, RecurrentGAN)
    assert_video_batch(ar.generate(2, seed=0), (2, T, S, S, C))
    ar.compile()
    ar.fit(dataset(None), epochs=1, verbose=0)


def test_recurrent_image_critic_scores_several_frames_per_clip():
    gan = build_model("recurrent", "tiny", seed=0, image_frames=3)
    videos = gan.generate(2, seed=0)
    video_logits, image_logits = gan.discriminate(videos)
    single = build_model("recurrent", "tiny", seed=0)
    _, one_frame_logits = single.discriminate(videos)
    assert image_logits.shape[0] == 2 * 3
    assert one_frame_logits.shape[0] == 2
    assert video_logits.shape[0] == 2
    gan.compile()
    history = gan.fit(dataset(None), epochs=1, verbose=0)
    assert np.isfinite(history.history["d_loss"][-1])
    clone = RecurrentGAN.from_config(gan.get_config())
    assert clone.image_frames == 3
    for bad in (0, T + 1, 1.5, True):
        with pytest.raises(ValueError, match="image_frames must be an int"):
            build_model("recurrent", "tiny", image_frames=bad)


def test_recurrent_image_critic_dense_head_option():
    gan = build_model("recurrent", "tiny", seed=0, patch_image_critic=False)
    videos = gan.generate(3, seed=0)
    _, image_logits = gan.discriminate(videos)
    assert tuple(image_logits.shape) == (3, 1)
    _, patch_logits = build_model("recurrent", "tiny", seed=0).discriminate(videos)
    assert patch_logits.shape[0] == 3 and patch_logits.shape[1] > 1
    critic = gan.discriminator.image_critic
    assert isinstance(critic.head, keras.layers.Dense) and not critic.patch
    gan.compile()
    gan.fit(dataset(None), epochs=1, verbose=0)
    clone = RecurrentGAN.from_config(gan.get_config())
    assert not clone.discriminator.image_critic.patch


def _shift_np(image, dy, dx):
    """Moves (H, W, C) by whole pixels, zeros shifted in."""
    out = np.zeros_like(image)
    h, w = image.shape[:2]
    src = image[max(0, -dy) : h - max(0, dy), max(0, -dx) : w - max(0, dx)]
    out[
        max(0, dy) : max(0, dy) + src.shape[0], max(0, dx) : max(0, dx) + src.shape[1]
    ] = src
    return out


def test_shift_matrices_move_rows_and_interpolate():
    from tfvgan.augment import shift_matrices
    from tfvgan.models.recurrent_gan import whole_pixel_shift_matrices

    x = RNG.uniform(0, 1, (S, 3)).astype("float32")
    for offset in (-3, 0, 2):
        m = shift_matrices(tf.constant([float(offset)]), S)[0]
        expected = _shift_np(x[:, None], offset, 0)[:, 0]
        np.testing.assert_allclose(m.numpy() @ x, expected, atol=1e-6)
    half = shift_matrices(tf.constant([1.5]), S)[0].numpy() @ x
    np.testing.assert_allclose(
        half,
        0.5 * (_shift_np(x[:, None], 1, 0) + _shift_np(x[:, None], 2, 0))[:, 0],
        atol=1e-6,
    )
    # Whole-pixel operator: rounded forward, the bilinear gradient backward.
    offset = tf.Variable([1.3])
    with tf.GradientTape(persistent=True) as tape:
        hard = whole_pixel_shift_matrices(offset, S)[0]
        soft = shift_matrices(offset, S)[0]
        y_hard = tf.reduce_sum(tf.linalg.matvec(hard, x[:, 0]) * x[:, 1])
        y_soft = tf.reduce_sum(tf.linalg.matvec(soft, x[:, 0]) * x[:, 1])
    np.testing.assert_allclose(
        hard.numpy() @ x, _shift_np(x[:, None], 1, 0)[:, 0], atol=1e-6
    )
    g_hard, g_soft = tape.gradient(y_hard, offset), tape.gradient(y_soft, offset)
    assert abs(float(g_soft[0])) > 0
    np.testing.assert_allclose(g_hard.numpy(), g_soft.numpy(), rtol=1e-6)


def test_recurrent_translate_moves_one_canvas_per_clip():
    gan = build_model("recurrent", "tiny", seed=0, translate=True)
    g = gan.generator
    noise = gan.noise_from_seeds(np.arange(3))
    videos = g(noise).numpy()
    assert_video_batch(videos, (3, T, S, S, C))
    # Every frame is the clip's canvas moved by its rounded offsets.
    c, m = g.content_dim, g.motion_dim
    content, h0 = noise[:, :c], noise[:, c : c + m]
    eps = tf.reshape(noise[:, c + m :], (-1, T, m))
    canvas = g.frame_generator(tf.concat([content, h0], -1)).numpy()
    unit = g.offset(g.gru(eps, initial_state=h0)).numpy()  # in (-1, 1)
    offsets = np.round(g.max_shift * S * unit)
    assert g.max_shift == 0.25 and np.abs(offsets).max() <= S / 4
    for b in range(3):
        for t in range(T):
            dy, dx = offsets[b, t].astype(int)
            expected = _shift_np(canvas[b] + 1.0, dy, dx) - 1.0
            np.testing.assert_allclose(videos[b, t], expected, atol=1e-5)
    gan.compile()
    history = gan.fit(dataset(None), epochs=1, verbose=0).history
    assert np.isfinite(history["g_loss"][-1])
    assert RecurrentGAN.from_config(gan.get_config()).generator.translate
    with pytest.raises(ValueError, match="autoregressive and translate"):
        build_model("recurrent", "tiny", translate=True, autoregressive=True)


def test_recurrent_translate_max_shift_bounds_the_offsets():
    gan = build_model("recurrent", "tiny", seed=0, translate=True, max_shift=0.125)
    g = gan.generator
    # Saturate the offset head: every frame moves max_shift * size down and
    # as far left, whatever the motion codes.
    g.offset.kernel.assign(tf.zeros_like(g.offset.kernel))
    g.offset.bias.assign([20.0, -20.0])
    noise = gan.noise_from_seeds(np.arange(4))
    videos = g(noise).numpy()
    canvas = g.frame_generator(noise[:, : g.content_dim + g.motion_dim]).numpy()
    for b in range(4):
        expected = _shift_np(canvas[b] + 1.0, S // 8, -(S // 8)) - 1.0
        for t in range(T):
            np.testing.assert_allclose(videos[b, t], expected, atol=1e-5)
    restored = RecurrentGAN.from_config(gan.get_config())
    assert restored.generator.max_shift == 0.125
    for bad in (0, 0.75, "1/8", True):
        with pytest.raises(ValueError, match="max_shift"):
            build_model("recurrent", "tiny", translate=True, max_shift=bad)


@pytest.mark.parametrize("translate", [False, True])
def test_recurrent_label_condition_reaches_generator_and_both_critics(translate):
    gan = make("recurrent", "label", translate=translate)
    assert gan.condition_type == "label" and gan.num_classes == 10
    assert gan.condition_spec.shape.as_list() == [None]
    noise = gan.noise_from_seeds(np.arange(3))
    threes = gan.generator([noise, tf.constant([3, 3, 3])]).numpy()
    sevens = gan.generator([noise, tf.constant([7, 7, 7])]).numpy()
    again = gan.generator([noise, tf.constant([3, 3, 3])]).numpy()
    np.testing.assert_array_equal(threes, again)
    # The label changes the clips about as much as the content code does
    # (unit-normal embedding, like the noise; same motion codes).
    c = gan.generator.content_dim
    other_content = tf.concat(
        [gan.noise_from_seeds(np.arange(3, 6))[:, :c], noise[:, c:]], axis=-1
    )
    by_content = gan.generator([other_content, tf.constant([3, 3, 3])]).numpy()
    by_label = np.abs(threes - sevens).mean()
    assert by_label > 0.3 * np.abs(threes - by_content).mean(), by_label
    # Both critics read the label; each frame gets its own clip's label.
    gan = make("recurrent", "label", image_frames=3)
    videos = tf.constant(VIDEOS[:2])
    labels, swapped = tf.constant([1, 2]), tf.constant([2, 1])
    frames = tf.reshape(
        tf.gather(videos, [[0, 1, 3], [2, 2, 0]], batch_dims=1), (6, S, S, C)
    )
    d = gan.discriminator
    v1, i1 = (x.numpy() for x in d([videos, frames, labels]))
    v2, i2 = (x.numpy() for x in d([videos, frames, swapped]))
    assert i1.shape[0] == 6
    for a, b in ((v1, v2), (i1, i2)):
        assert np.abs(a - b).max() > 1e-4
    # Frames 0-2 belong to clip 0: relabelling only clip 1 leaves them alone.
    v3, i3 = (x.numpy() for x in d([videos, frames, tf.constant([1, 5])]))
    np.testing.assert_allclose(v3[0], v1[0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(i3[:3], i1[:3], rtol=1e-5, atol=1e-6)
    assert np.abs(i3[3:] - i1[3:]).max() > 1e-4


def test_recurrent_label_model_trains_on_labelled_moving_digits():
    from tfvgan import data

    gan = make("recurrent", "label", translate=True)
    digits = data.moving_digits(
        num_videos=8, frames=T, size=S, condition="label", batch_size=4
    )
    gan.compile(ema_decay=0.5)
    history = gan.fit(digits, epochs=1, verbose=0).history
    assert np.isfinite(history["d_loss"][-1])
    assert_video_batch(gan.generate(condition=[0, 9], seed=0), (2, T, S, S, C))
    with pytest.raises(ValueError, match=r"label ids must lie in \[0, 10\)"):
        gan.generate(condition=[10])
    with pytest.raises(ValueError, match="integer label ids"):
        gan.generate(condition=[1.5])
    with pytest.raises(ValueError, match="is conditional"):
        gan.generate(2)
    # An unconditional RecurrentGAN ignores labelled data's labels.
    plain = make("recurrent", None)
    plain.compile()
    plain.fit(digits, epochs=1, verbose=0)


def test_recurrent_label_options_validation_and_matching_aware():
    for bad in (1, 2.5, True, "10"):
        with pytest.raises(ValueError, match="num_classes"):
            make("recurrent", None, num_classes=bad)
    for bad in (0, 1.5, True):
        with pytest.raises(ValueError, match="label_dim"):
            make("recurrent", "label", label_dim=bad)
    with pytest.raises(ValueError, match="matching_aware"):
        make("recurrent", "label", matching_aware="yes")
    gan = make("recurrent", "label")
    labels = tf.constant(np.arange(200) % 10, tf.int32)
    wrong = gan.mismatched_condition(labels).numpy()
    assert np.all(wrong != labels.numpy()) and wrong.min() >= 0 and wrong.max() < 10
    assert len(np.unique((wrong - labels.numpy()) % 10)) == 9
    off = make("recurrent", "label", matching_aware=False)
    assert off.mismatched_condition(labels) is None
    assert make("recurrent", None).mismatched_condition(labels) is None
    clone = RecurrentGAN.from_config(
        make("recurrent", "label", label_dim=6, matching_aware=False).get_config()
    )
    assert (clone.num_classes, clone.matching_aware) == (10, False)
    assert clone.generator.label_encoder.dim == 6


def test_conv3d_plain_stream_and_mask_regulariser_reported():
    plain = build_model("conv3d", "tiny", two_stream=False)
    assert_video_batch(plain.generate(2, seed=0), (2, T, S, S, C))
    gan = build_model("conv3d", "tiny", mask_l1=0.5)
    gan.compile()
    history = gan.fit(dataset(None), epochs=1, verbose=0).history
    assert history["g_reg"][-1] > 0


def test_super_resolution_reconstruction_term_is_tracked():
    gan = make("conditional", "video", recon_weight=1.0)
    gan.compile()
    history = gan.fit(dataset("video"), epochs=1, verbose=0).history
    assert history["recon"][-1] > 0


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
    gan = make("temporal", None)
    gan.compile(loss=loss, gp_weight=1.0, r1_weight=0.1, d_steps=2)
    history = gan.fit(dataset(None), epochs=1, verbose=0).history
    assert np.isfinite(history["gp"][-1]) and history["gp"][-1] > 0
    assert np.isfinite(history["r1"][-1])


def test_evaluate_reports_the_same_metrics_without_updates():
    gan = make("temporal", None)
    gan.compile()
    before = [w.copy() for w in gan.get_weights()]
    result = gan.evaluate(dataset(None), verbose=0, return_dict=True)
    assert {"d_loss", "g_loss", "d_real", "d_fake"} <= set(result)
    for a, b in zip(before, gan.get_weights()):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    "kwargs,match",
    [
        (dict(size=48), "size must be one of"),
        (dict(channels=2), "channels must be 1 or 3"),
        (dict(frames=1), "frames must be"),
    ],
)
def test_unsupported_shapes_raise(kwargs, match):
    with pytest.raises(ValueError, match=match):
        build_model("temporal", "tiny", **kwargs)


@pytest.mark.parametrize(
    "name,flag",
    [
        ("temporal", "sv_clip"),
        ("conv3d", "two_stream"),
        ("recurrent", "patch_image_critic"),
        ("recurrent", "autoregressive"),
        ("recurrent", "translate"),
        ("conditional", "spectral_norm"),
    ],
)
def test_on_off_options_must_be_bools(name, flag):
    # "false" is truthy: taken as is, it would build the opposite model.
    with pytest.raises(ValueError, match=f"{flag} must be True or False"):
        build_model(name, "tiny", **{flag: "false"})
    assert build_model(name, "tiny", **{flag: True}) is not None


def test_build_model_lists_valid_names():
    with pytest.raises(ValueError, match="conditional"):
        build_model("nope")
    with pytest.raises(ValueError, match="paper"):
        build_model("temporal", preset="nope")
    assert set(MODELS) == {"conditional", "temporal", "conv3d", "recurrent"}


def test_compile_validates_arguments():
    gan = make("temporal", None)
    with pytest.raises(ValueError, match="d_steps"):
        gan.compile(d_steps=0)
    with pytest.raises(ValueError, match="ema_decay"):
        gan.compile(ema_decay=1.5)
    opt = keras.optimizers.Adam()
    with pytest.raises(ValueError, match="distinct"):
        gan.compile(d_optimizer=opt, g_optimizer=opt)


@pytest.mark.parametrize("size,frames", [(32, 8), (64, 16), (64, 32), (128, 8)])
def test_depth_follows_the_clip_shape(size, frames):
    gan = build_model(
        "conv3d", frames=frames, size=size, channels=3, latent_dim=4, width=4, d_width=4
    )
    assert_video_batch(gan.generate(1, seed=0), (1, frames, size, size, 3))


def test_paper_presets_match_published_latent_sizes():
    from tfvgan.models import PRESETS

    assert PRESETS["temporal"]["paper"]["frames"] == 16
    assert PRESETS["conv3d"]["paper"]["frames"] == 32
    assert (
        PRESETS["recurrent"]["paper"]["content_dim"],
        PRESETS["recurrent"]["paper"]["motion_dim"],
    ) == (50, 10)


# ---------------------------------------------------------------- layers
def test_tile_to_video_layer():
    out = run_layer_test(
        layers.TileToVideo(frames=3, size=4),
        np.arange(10, dtype="float32")[None],
        (1, 3, 4, 4, 10),
    )
    np.testing.assert_array_equal(out[0, 2, 3, 1], np.arange(10))


def test_condition_encoders():
    run_layer_test(layers.LabelEncoder(10, 4), np.array([1, 9]), (2, 4))
    # Unit-normal entries by default (the noise's scale), not Keras'
    # Embedding default; the initializer survives a config round trip.
    unit = layers.LabelEncoder(100, 16)
    assert 0.8 < float(np.std(unit(np.arange(100)))) < 1.2
    clone = layers.LabelEncoder.from_config(unit.get_config())
    assert isinstance(clone.embeddings_initializer, keras.initializers.RandomNormal)
    assert clone.embeddings_initializer.stddev == 1.0
    small = layers.LabelEncoder(100, 16, embeddings_initializer="uniform")
    assert np.abs(small(np.arange(100)).numpy()).max() <= 0.05
    clone = layers.LabelEncoder.from_config(small.get_config())
    assert isinstance(clone.embeddings_initializer, keras.initializers.RandomUniform)
    run_layer_test(layers.TextEncoder(12, 5), np.array([[3, 4, 0]]), (1, 5))
    run_layer_test(
        layers.TextEncoder(12, 5, mode="mean"), np.array([[3, 4, 0]]), (1, 5)
    )
    run_layer_test(
        layers.ImageEncoder(16, 6), np.zeros((2, 16, 16, 3), "float32"), (2, 6)
    )
    with pytest.raises(ValueError, match="mode"):
        layers.TextEncoder(12, 5, mode="lstm")


@pytest.mark.parametrize(
    "make, shape, inputs",
    [
        (lambda: layers.LabelEncoder(10, 4), (None,), np.array([1, 9])),
        (lambda: layers.TextEncoder(12, 5), (None, 3), np.array([[3, 4, 0]])),
        (
            lambda: layers.TextEncoder(12, 5, mode="mean"),
            (None, 3),
            np.array([[3, 4, 0]]),
        ),
        (
            lambda: layers.ImageEncoder(16, 6),
            (None, 16, 16, 3),
            np.zeros((2, 16, 16, 3), "float32"),
        ),
    ],
    ids=["label", "text-gru", "text-mean", "image"],
)
def test_condition_encoders_build_all_weights_from_a_shape(make, shape, inputs):
    # Keras warns ("does not have a `build()` method ... unbuilt state") and
    # marks a layer built with no weights when build() cannot create them.
    layer = make()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        layer.build(shape)
        names = sorted(w.path for w in layer.weights)
        assert names
        out = layer(inputs)
    assert sorted(w.path for w in layer.weights) == names  # the call added none
    assert tuple(out.shape) == tuple(layer.compute_output_shape(inputs.shape))


def test_singular_value_clip_bounds_the_spectrum():
    w = tf.constant(np.random.default_rng(0).normal(size=(3, 3, 4, 8)) * 3, tf.float32)
    clipped = layers.SingularValueClip(1.0)(w)
    s = np.linalg.svd(clipped.numpy().reshape(-1, 8), compute_uv=False)
    assert s.max() <= 1.0 + 1e-4
    small = tf.constant(np.eye(4, dtype="float32") * 0.5)
    np.testing.assert_allclose(layers.SingularValueClip(1.0)(small), small, atol=1e-6)


# ------------------------------------------------ the shared loop learns
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


def test_recurrent_gan_names_content_and_motion_dims_for_latent_dim():
    with pytest.raises(ValueError, match="content_dim= and motion_dim="):
        RecurrentGAN(latent_dim=16, frames=4, size=16, channels=1)


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


def test_conditional_gan_rejects_bad_construction():
    with pytest.raises(ValueError, match="vocabulary"):
        ConditionalGAN("text", frames=4, size=16, channels=1)
    with pytest.raises(ValueError, match="condition_type"):
        ConditionalGAN("audio")
    with pytest.raises(ValueError, match="downscale"):
        ConditionalGAN("video", frames=4, size=16, channels=1, downscale=3)


# ------------------------------------------------------ learning per variant
@pytest.fixture(scope="module")
def digit_extractor(tmp_path_factory):
    """The offline digit classifier at 4x16x16, trained into a temp cache."""
    from tfvgan import metrics

    return metrics.load_digit_extractor(
        cache_dir=tmp_path_factory.mktemp("extractors"),
        frames=4,
        size=16,
        num_videos=1000,
        epochs=8,
    )


def _pixel_w1(fake, real) -> float:
    """1-D Wasserstein distance between the two sets' pixel-value distributions."""
    q = np.linspace(0.0, 1.0, 101)
    return float(np.abs(np.quantile(fake, q) - np.quantile(real, q)).mean())


@pytest.mark.slow
@pytest.mark.parametrize("name", ["temporal", "conv3d", "recurrent", "conditional"])
def test_variant_learns_moving_digits(name, digit_extractor):
    """Each variant moves toward the data on `moving_digits` in a fixed budget.

    Criteria (both discriminator-independent), 300 steps of batch 16 at 4
    frames of 16x16: the 1-D Wasserstein distance between generated and
    real pixel-value distributions falls below half of the untrained
    generator's (dark canvas, bright strokes), and the Frechet distance in
    the offline digit classifier's feature space (FVD protocol) falls by at
    least 10%.
    """
    from tfvgan import data, metrics, models

    keras.utils.set_random_seed(0)
    kwargs = {"width": 32, "d_width": 32}
    if name == "conditional":
        kwargs["condition_type"] = "label"
    gan = models.build_model(name, "tiny", seed=0, **kwargs)
    gan.compile(ema_decay=0.99)
    condition = "label" if name == "conditional" else None
    real, labels, _ = data.moving_digits_arrays(256, frames=4, size=16, seed=9)
    real = real.astype("float32") / 127.5 - 1.0
    cond = labels[:, 0].astype("int32") if condition else None

    def distances():
        fake = gan.generate(256, condition=cond, seed=1)
        fvd = metrics.video_distances(real, fake, digit_extractor)["fvd"]
        return _pixel_w1(fake, real), fvd

    w1_before, fvd_before = distances()
    train = data.moving_digits(
        num_videos=1024,
        frames=4,
        size=16,
        batch_size=16,
        condition=condition,
        repeat=True,
    )
    gan.fit(train, epochs=1, steps_per_epoch=300, verbose=0)
    w1_after, fvd_after = distances()
    assert w1_after < 0.5 * w1_before, (name, w1_before, w1_after)
    assert fvd_after < 0.9 * fvd_before, (name, fvd_before, fvd_after)


def test_matching_aware_defaults_config_and_validation():
    assert make("conditional", "label").matching_aware is True
    assert make("conditional", "text").matching_aware is False
    assert make("conditional", "image").matching_aware is False
    assert make("conditional", "video").matching_aware is False
    gan = make("conditional", "image", matching_aware=True)
    assert ConditionalGAN.from_config(gan.get_config()).matching_aware is True
    with pytest.raises(ValueError, match="matching_aware"):
        make("conditional", "label", matching_aware="false")


def test_mismatched_labels_are_other_classes():
    gan = make("conditional", "label")
    labels = tf.constant(np.arange(200) % 10, tf.int32)
    wrong = gan.mismatched_condition(labels).numpy()
    assert wrong.dtype == np.int32 and wrong.shape == (200,)
    assert np.all(wrong != labels.numpy())
    assert wrong.min() >= 0 and wrong.max() < 10
    # Every other class is drawn, not one fixed offset.
    assert len(np.unique((wrong - labels.numpy()) % 10)) == 9


def test_mismatched_captions_and_frames_are_the_next_clips():
    text = make("conditional", "text", matching_aware=True)
    captions = tf.constant(CONDITIONS["text"][:3] + np.arange(3)[:, None], tf.int32)
    np.testing.assert_array_equal(
        text.mismatched_condition(captions).numpy(), np.roll(captions, 1, axis=0)
    )
    assert make("conditional", "image").mismatched_condition(VIDEOS[:, 0]) is None
    image = make("conditional", "image", matching_aware=True)
    frames = tf.constant(VIDEOS[:, 0])
    np.testing.assert_array_equal(
        image.mismatched_condition(frames).numpy(), np.roll(VIDEOS[:, 0], 1, axis=0)
    )


@pytest.mark.parametrize("matching_aware", [True, False])
def test_matching_aware_critic_loss_is_gan_cls(matching_aware):
    """D loss = (L(real, fake) + L(real, real with a wrong label)) / 2."""
    gan = make("conditional", "label", matching_aware=matching_aware)
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


# ------------------------------------------------- penalties and the critic
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
    gan = make("temporal", None)
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
    gan.fit(dataset(None).take(1), epochs=1, verbose=0)
    # real, fake (training), GP, R1 (inference mode), G step (training)
    assert calls == [True, True, False, False, True], calls


def test_layer_norm_critic_is_per_clip_in_training_and_paper_gp_uses_it():
    from tfvgan.config import TrainConfig

    gan = make("temporal", None, critic_norm="layer")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gan.compile(gp_weight=10.0)
    assert _cross_clip_gradient(gan, training=True) == 0.0
    config = TrainConfig.from_preset("paper", model="temporal")
    assert config.gp_weight > 0 and config.model_kwargs["critic_norm"] == "layer"
    with pytest.raises(ValueError, match="critic_norm"):
        make("temporal", None, critic_norm="group")


def test_every_critic_step_of_a_train_step_sees_its_one_real_batch():
    gan = make("temporal", None)
    gan.compile(d_steps=3, run_eagerly=True)
    seen = []
    original = gan._d_loss

    def spy(real, fake, condition, training):
        seen.append(float(tf.reduce_sum(real)))
        return original(real, fake, condition, training)

    gan._d_loss = spy
    gan.fit(dataset(None), epochs=1, verbose=0)  # 2 batches
    assert len(seen) == 6
    assert seen[0] == seen[1] == seen[2] != seen[3] == seen[4] == seen[5]
    assert int(gan.d_optimizer.iterations) == 6 and int(gan.g_optimizer.iterations) == 2
