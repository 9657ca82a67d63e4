"""RecurrentGAN (MoCoGAN): `run_variant_test` unconditional, with labels and
with captions, and the variant's own options (image critic, translation,
label and caption conditions)."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from tests.helpers import (
    TINY_VIDEO_SHAPE,
    TINY_VOCABULARY,
    assert_video_batch,
    example_condition,
    run_variant_test,
    tiny_model,
)
from tfvgan.models import RecurrentGAN, build_model

B = 2
T, S, _, C = TINY_VIDEO_SHAPE
RNG = np.random.default_rng(0)
VIDEOS = RNG.uniform(-1, 1, (4, T, S, S, C)).astype("float32")  # = tiny_videos(4)
LABELS = np.array([0, 1, 2, 3], "int32")


def make(condition_type, **kwargs):
    return tiny_model("recurrent", condition_type, **kwargs)


def dataset(batch=B):
    return tf.data.Dataset.from_tensor_slices(VIDEOS).batch(batch, drop_remainder=True)


def conditions_for(model):
    return LABELS if model.condition_type == "label" else example_condition(model, 4)


# ------------------------------------------------------------ the variant
@pytest.mark.parametrize("condition_type", [None, "label", "text"])
def test_recurrent_variant(condition_type, tmp_path, capfd):
    """Shapes (a video and an image critic), a train step, config and
    `.keras` round trips."""
    model = make(condition_type)
    run_variant_test(
        model,
        tmp_path,
        videos=VIDEOS,
        conditions=None if condition_type is None else conditions_for(model),
        num_critic_heads=2,
        capfd=capfd,
        export=False,
    )


@pytest.mark.slow  # 3-4 s each; the default run exports the conv3d variant
@pytest.mark.parametrize("condition_type", [None, "label", "text"])
def test_recurrent_export(condition_type, tmp_path, capfd):
    model = make(condition_type)
    run_variant_test(
        model,
        tmp_path,
        conditions=None if condition_type is None else conditions_for(model),
        num_critic_heads=2,
        fit=False,
        serialization=False,
        saving=False,
        capfd=capfd,
    )


# --------------------------------------------------------------- options
def test_recurrent_gan_names_content_and_motion_dims_for_latent_dim():
    with pytest.raises(ValueError, match="content_dim= and motion_dim="):
        RecurrentGAN(latent_dim=16, frames=4, size=16, channels=1)


def test_recurrent_latent_layout_and_autoregressive_option():
    gan = build_model("recurrent", "tiny", seed=0)
    assert gan.latent_dim == 6 + 2 * (T + 1)
    ar = build_model("recurrent", "tiny", seed=0, autoregressive=True)
    assert isinstance(ar, RecurrentGAN)
    clips = np.asarray(ar.generate(4, seed=0))
    assert_video_batch(clips, (4, T, S, S, C))
    # Each frame is the previous one moved by whole pixels, repainted
    # through a mask that starts almost shut (sigmoid(-5)): the second
    # frame holds the first one's values, shifted (by at most
    # 2 * max_shift * size: two positions within max_shift of the origin).
    bound = int(2 * ar.generator.max_shift * S)  # 8 pixels here

    def shift_error(a, b):
        """How far `b` is from `a` moved by the best whole-pixel shift."""
        errors = []
        for dy in range(-bound, bound + 1):
            for dx in range(-bound, bound + 1):
                moved = np.full_like(a, -1.0)
                src = a[max(0, -dy) : S - max(0, dy), max(0, -dx) : S - max(0, dx)]
                moved[
                    max(0, dy) : max(0, dy) + src.shape[0],
                    max(0, dx) : max(0, dx) + src.shape[1],
                ] = src
                errors.append(np.abs(moved - b).mean())
        return min(errors)

    assert max(shift_error(clips[i, 0], clips[i, 1]) for i in range(4)) < 0.02
    # Different noise, different clips: the first frame comes from the
    # content code, the moves from the motion codes.
    assert np.abs(clips[0] - clips[1]).mean() > 0.05
    # Steps are differences of bounded positions, not a bounded step each:
    # with every position pinned at +max_shift (a saturated tanh) and the
    # repaint mask shut, the content moves once, to frame 0's place, and
    # then stays; a per-step move would go on by max_shift * size a frame.
    g = ar.generator
    kernel, bias = g.step_offset.get_weights()
    g.step_offset.set_weights([np.zeros_like(kernel), np.full_like(bias, 20.0)])
    repaint_kernel, repaint_bias = g.repaint.get_weights()
    repaint_bias[-1] = -60.0
    g.repaint.set_weights([repaint_kernel, repaint_bias])
    pinned = np.asarray(ar.generate(4, seed=0))
    for t in range(1, T):
        np.testing.assert_allclose(pinned[:, t], pinned[:, 0], atol=1e-5)
    ar.compile()
    ar.fit(dataset(), epochs=1, verbose=0)


@pytest.mark.slow  # ~20 s
def test_autoregressive_samples_differ_across_noise_after_training():
    """The frame-feedback RNN GAN used to collapse to one clip for every
    noise vector; 200 seeded steps on moving digits leave its clips about
    as different from each other as real clips are."""
    from tfvgan import data

    train = data.moving_digits(
        512, frames=8, size=32, batch_size=16, repeat=True, seed=0, glyph_size=24
    )
    gan = RecurrentGAN(
        frames=8, size=32, channels=1, content_dim=16, motion_dim=4, width=16,
        d_width=16, autoregressive=True, max_shift=0.125, seed=0,
    )  # fmt: skip
    gan.compile(ema_decay=0.9)
    gan.fit(train, epochs=1, steps_per_epoch=200, verbose=0)
    clips = np.asarray(gan.generate(64, seed=0))
    real = next(iter(data.moving_digits(64, frames=8, size=32, batch_size=64, seed=1)))
    spread = np.abs(clips[:32] - clips[32:]).mean()
    real = np.asarray(real)
    real_spread = np.abs(real[:32] - real[32:]).mean()
    assert spread > 0.3 * real_spread, (spread, real_spread)


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
    history = gan.fit(dataset(), epochs=1, verbose=0)
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
    gan.fit(dataset(), epochs=1, verbose=0)
    clone = RecurrentGAN.from_config(gan.get_config())
    assert not clone.discriminator.image_critic.patch


# ------------------------------------------------------------ translation
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
    from tfvgan.models.recurrent.networks import whole_pixel_shift_matrices

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
    history = gan.fit(dataset(), epochs=1, verbose=0).history
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


# -------------------------------------------------------- label condition
@pytest.mark.parametrize("translate", [False, True])
def test_recurrent_label_condition_reaches_generator_and_both_critics(translate):
    gan = make("label", translate=translate)
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
    gan = make("label", image_frames=3)
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

    gan = make("label", translate=True)
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
    plain = make(None)
    plain.compile()
    plain.fit(digits, epochs=1, verbose=0)


def test_recurrent_label_options_validation_and_matching_aware():
    for bad in (1, 2.5, True, "10"):
        with pytest.raises(ValueError, match="num_classes"):
            make(None, num_classes=bad)
    for bad in (0, 1.5, True):
        with pytest.raises(ValueError, match="label_dim"):
            make("label", label_dim=bad)
    with pytest.raises(ValueError, match="matching_aware"):
        make("label", matching_aware="yes")
    gan = make("label")
    labels = tf.constant(np.arange(200) % 10, tf.int32)
    wrong = gan.mismatched_condition(labels).numpy()
    assert np.all(wrong != labels.numpy()) and wrong.min() >= 0 and wrong.max() < 10
    assert len(np.unique((wrong - labels.numpy()) % 10)) == 9
    off = make("label", matching_aware=False)
    assert off.mismatched_condition(labels) is None
    assert make(None).mismatched_condition(labels) is None
    clone = RecurrentGAN.from_config(
        make("label", label_dim=6, matching_aware=False).get_config()
    )
    assert (clone.num_classes, clone.matching_aware) == (10, False)
    assert clone.generator.label_encoder.dim == 6


# --------------------------------------------------------------- captions
def test_recurrent_text_reads_captions_as_strings_or_token_ids():
    gan = make("text")
    assert gan.condition_type == "text" and gan.vocabulary == TINY_VOCABULARY
    captions = ["digit 3 moves up", "digit 7 moves left"]
    tokens = gan.tokenize(captions).numpy()
    assert tokens.tolist() == [[2, 8, 3, 4], [2, 9, 3, 6]]
    from_strings = np.asarray(gan.generate(condition=captions, seed=4))
    from_ids = np.asarray(gan.generate(condition=tokens, seed=4))
    np.testing.assert_array_equal(from_strings, from_ids)
    assert_video_batch(from_strings, (2, T, S, S, C))
    # The caption reaches the clip: another caption, another clip.
    other = gan.generate(condition=["digit 7 moves up", "digit 3 moves left"], seed=4)
    assert np.abs(np.asarray(other) - from_strings).max() > 1e-3


def test_recurrent_text_bad_captions_keep_their_documented_behaviour():
    gan = make("text")
    # Out-of-vocabulary words -> [UNK] (1); empty -> all padding (the
    # encoder reads "no text"); words past sequence_length are cut off.
    tokens = gan.tokenize(
        ["a ball moves up", "", "digit 3 moves up and to the left"]
    ).numpy()
    assert tokens.tolist() == [[1, 1, 3, 4], [0, 0, 0, 0], [2, 8, 3, 4]]
    videos = gan.generate(condition=["a ball moves up", ""], seed=0)
    assert_video_batch(np.asarray(videos), (2, T, S, S, C))
    with pytest.raises(ValueError, match=r"token ids must lie in \[0, 10\)"):
        gan.generate(condition=np.full((2, 4), 10, "int32"))
    with pytest.raises(ValueError, match="shape"):
        gan.generate(condition=np.zeros((2, 5), "int32"))


def test_recurrent_text_options_are_checked():
    kwargs = dict(frames=T, size=S, channels=C, content_dim=4, motion_dim=2)
    with pytest.raises(ValueError, match="needs vocabulary="):
        RecurrentGAN(condition_type="text", **kwargs)
    with pytest.raises(ValueError, match="num_classes= makes a label model"):
        RecurrentGAN(num_classes=10, condition_type="text", vocabulary=["a"], **kwargs)
    with pytest.raises(ValueError, match="takes no vocabulary"):
        RecurrentGAN(num_classes=10, vocabulary=["a"], **kwargs)
    with pytest.raises(
        ValueError, match="condition_type must be None, 'label' or 'text'"
    ):
        RecurrentGAN(condition_type="image", **kwargs)
    with pytest.raises(ValueError, match="sequence_length"):
        RecurrentGAN(vocabulary=["a"], sequence_length=0, **kwargs)
    with pytest.raises(ValueError, match="text_dim"):
        RecurrentGAN(vocabulary=["a"], text_dim=0, **kwargs)
    # A plain word list gets padding and [UNK] first.
    gan = RecurrentGAN(vocabulary=["digit", "3"], **kwargs)
    assert gan.vocabulary == ["", "[UNK]", "digit", "3"]
    assert gan.condition_type == "text"
    assert tuple(gan.condition_spec.shape) == (None, 16)


# ---------------------------------------------------------------- matcher
def test_matching_loss_counts_identical_captions_as_positives():
    from tfvgan.models.matching import matching_loss

    clips = np.eye(3, dtype="float32")
    texts = np.eye(3, dtype="float32")
    distinct = np.array([[1, 2], [1, 3], [1, 4]])
    # Every clip closest to its own caption: a small loss.
    assert float(matching_loss(clips, texts, distinct, 0.1)) < 1e-3
    # Clips 0 and 1 share a caption: each is a positive of the other, so
    # the best the loss can do is log(2) for those rows (not a penalty for
    # matching the twin).
    shared = np.array([[1, 2], [1, 2], [1, 4]])
    same = np.array([[1, 0, 0], [1, 0, 0], [0, 0, 1]], "float32")
    value = float(matching_loss(same, same, shared, 1e-3))
    assert value == pytest.approx((2 * np.log(2) + 0) / 3 * 1, abs=1e-3)
    # A clip nearer another caption than its own: a large loss.
    assert float(matching_loss(clips[::-1].copy(), texts, distinct, 0.1)) > 5


def test_caption_clip_matcher_learns_pairs_and_round_trips(tmp_path):
    from tests.helpers import run_serialization_test
    from tfvgan.data import MOVING_DIGITS_VOCABULARY, moving_digits
    from tfvgan.models import text
    from tfvgan.models.matching import CaptionClipMatcher

    vocabulary = text.full_vocabulary(MOVING_DIGITS_VOCABULARY)
    ds = moving_digits(
        64, frames=T, size=S, batch_size=16, condition="caption",
        vectorizer=text.text_vectorizer(vocabulary, 8), repeat=True,
    )  # fmt: skip
    matcher = CaptionClipMatcher(
        len(vocabulary), 8, T, S, C, dim=8, width=4, memory_size=20, seed=1
    )
    matcher.compile(optimizer=keras.optimizers.Adam(3e-3))
    history = matcher.fit(
        ds, epochs=1, steps_per_epoch=30, shuffle=False, verbose=0
    ).history
    videos, tokens = next(iter(ds))
    untrained = CaptionClipMatcher(len(vocabulary), 8, T, S, C, dim=8, width=4)
    assert float(matcher.loss_of(videos, tokens)) < float(
        untrained.loss_of(videos, tokens)
    )
    assert int(matcher.steps_trained) == 30 and np.isfinite(history["match"][-1])
    # The memory holds the captions of the last training clips.
    memory = matcher.memory.numpy()
    assert memory.shape == (20, 8) and (memory[:, 0] == 2).all()  # "digit ..."
    assert np.isfinite(float(matcher.generated_loss(videos, tokens)))
    run_serialization_test(matcher)
    path = str(tmp_path / "matcher.keras")
    matcher.save(path)
    restored = keras.models.load_model(path)
    assert int(restored.steps_trained) == 30
    np.testing.assert_allclose(
        restored.loss_of(videos, tokens), matcher.loss_of(videos, tokens), rtol=1e-5
    )


def test_centre_steps_follow_the_bright_pixels():
    from tfvgan.models.matching import centre_steps

    clips = -np.ones((2, 4, 16, 16, 1), "float32")
    for t in range(4):
        clips[0, t, 5:8, 2 + t : 5 + t] = 1.0  # right by 1 px a frame
        clips[1, t, 9 - 2 * t : 12 - 2 * t, 6:9] = 1.0  # up by 2 px a frame
    steps = np.asarray(centre_steps(clips)).reshape(2, 3, 2)
    np.testing.assert_allclose(steps[0], [[0, 1]] * 3, atol=1e-3)
    np.testing.assert_allclose(steps[1], [[-2, 0]] * 3, atol=1e-3)
    # The same clip shifted as a whole moves the same way.
    shifted = np.roll(clips, (3, -2), axis=(2, 3))
    np.testing.assert_allclose(centre_steps(shifted), centre_steps(clips), atol=1e-3)
    # The gradient reaches the pixels.
    x = tf.constant(clips)
    with tf.GradientTape() as tape:
        tape.watch(x)
        total = tf.reduce_sum(centre_steps(x))
    assert float(tf.reduce_max(tf.abs(tape.gradient(total, x)))) > 0


def test_matcher_motion_stream_reads_motion_and_round_trips(tmp_path):
    from tests.helpers import run_serialization_test
    from tfvgan.models.matching import MOTION_STREAM_UNITS, CaptionClipMatcher

    matcher = CaptionClipMatcher(10, 4, T, S, C, dim=8, width=4, motion_stream=True)
    assert matcher.feature_dim == 16 + MOTION_STREAM_UNITS
    videos = keras.random.uniform((3, T, S, S, C), -1.0, 1.0, seed=0)
    tokens = np.array([[2, 3, 4, 5]] * 3)
    assert tuple(matcher.clip_features(videos).shape) == (3, matcher.feature_dim)
    clips, texts = matcher([videos, tokens])
    assert tuple(clips.shape) == (3, 8)
    np.testing.assert_allclose(np.linalg.norm(clips, axis=-1), 1.0, atol=1e-4)
    # The motion stream (the last features) reads motion only: a square
    # and a bar moving right read the same; the square moving left differs.
    square = -np.ones((1, T, S, S, C), "float32")
    bar = square.copy()
    for t in range(T):
        square[0, t, 2:6, t : t + 4] = 1.0
        bar[0, t, 8:9, t + 1 : t + 4] = 1.0
    backward = square[:, ::-1].copy()

    def motion(clips):
        return np.asarray(matcher.clip_features(clips))[:, -MOTION_STREAM_UNITS:]

    np.testing.assert_allclose(motion(square), motion(bar), atol=5e-3)
    assert np.abs(motion(square) - motion(backward)).max() > 0.05
    # ...and the clip embedding changes with it.
    assert (
        np.abs(
            np.asarray(matcher.embed_clips(square) - matcher.embed_clips(backward))
        ).max()
        > 1e-4
    )
    plain = CaptionClipMatcher(10, 4, T, S, C, dim=8, width=4)
    assert tuple(plain.clip_features(videos).shape) == (3, 16)
    run_serialization_test(matcher)
    path = str(tmp_path / "motion.keras")
    matcher.save(path)
    restored = keras.models.load_model(path)
    assert restored.motion_stream
    np.testing.assert_allclose(
        restored.embed_clips(videos), matcher.embed_clips(videos), atol=1e-5
    )
    gan = make("text", match_critic=True, match_motion=True, match_steps=2)
    assert gan.matcher.motion_stream
    features = gan.matcher.clip_features(np.asarray(VIDEOS[:2]))
    assert features.shape[-1] == gan.matcher.feature_dim
    with pytest.raises(ValueError, match="match_motion= shapes the matcher"):
        make("text", match_motion=True)
    with pytest.raises(ValueError, match="match_motion"):
        make("text", match_critic=True, match_motion="yes")


def test_text_model_pretrains_its_matcher_once_then_adds_the_match_loss(tmp_path):
    from tfvgan.data import moving_digits

    gan = make("text", match_weight=2.0, match_steps=3)
    assert gan.needs_pretraining() and gan.regularizer_names() == ("match",)
    ds = moving_digits(
        16, frames=T, size=S, batch_size=4, condition="caption",
        vectorizer=gan.text_vectorizer,
    )  # fmt: skip
    gan.compile()
    history = gan.fit(ds, epochs=1, verbose=0).history
    assert int(gan.matcher.steps_trained) == 3 and not gan.needs_pretraining()
    assert np.isfinite(history["match"][-1]) and history["match"][-1] > 0
    weights = [w.numpy().copy() for w in gan.matcher.weights]
    gan.fit(ds, epochs=1, verbose=0)  # no second pretraining; matcher frozen
    assert int(gan.matcher.steps_trained) == 3
    for before, after in zip(weights, gan.matcher.weights, strict=True):
        np.testing.assert_array_equal(before, after.numpy())
    assert not gan.matcher.trainable  # frozen after pretraining
    clone = RecurrentGAN.from_config(gan.get_config())
    assert clone.match_weight == 2.0 and clone.needs_pretraining()
    # Saved and loaded, the matcher is still trained: no second pretraining.
    path = str(tmp_path / "text.keras")
    gan.save(path)
    restored = keras.models.load_model(path)
    assert int(restored.matcher.steps_trained) == 3
    assert not restored.needs_pretraining()
    # Arrays cannot be pretrained on; the model says what to do.
    fresh = make("text", match_weight=1.0, match_steps=2)
    fresh.compile()
    with pytest.raises(ValueError, match="needs a tf.data.Dataset"):
        fresh.fit(VIDEOS, epochs=1, verbose=0)
    # Caption strings work as well as token ids.
    strings = moving_digits(
        16, frames=T, size=S, batch_size=4, condition="caption_text"
    )
    fresh.fit(strings, epochs=1, verbose=0)
    assert int(fresh.matcher.steps_trained) == 2
    with pytest.raises(ValueError, match="are for conditional models"):
        make(None, match_weight=1.0)
    with pytest.raises(ValueError, match="match_weight"):
        make("text", match_weight=-1.0)
    assert not make("text").needs_pretraining()


def test_recurrent_drift_moves_each_clip_along_a_straight_path():
    gan = build_model("recurrent", "tiny", seed=0, translate=True, drift=True)
    g = gan.generator
    # Without the GRU's per-frame term, frame t is the canvas moved by
    # max_shift * size * tanh(v * (t / (T - 1) - 1/2)): a straight path.
    g.offset.kernel.assign(tf.zeros_like(g.offset.kernel))
    g.offset.bias.assign(tf.zeros_like(g.offset.bias))
    head = g.velocity.layers[-1]
    head.bias.assign([4.0, -4.0])  # down and to the left, whatever the noise
    noise = gan.noise_from_seeds(np.arange(3))
    videos = g(noise).numpy()
    c, m = g.content_dim, g.motion_dim
    h0 = noise[:, c : c + m]
    canvas = g.frame_generator(tf.concat([noise[:, :c], h0], -1)).numpy()
    velocity = g.velocity(h0).numpy()  # (B, 2): no condition code here
    time = np.linspace(-0.5, 0.5, T)
    offsets = np.round(
        g.max_shift * S * np.tanh(velocity[:, None, :] * time[None, :, None])
    ).astype(int)
    assert (np.diff(offsets[..., 0], axis=1) >= 0).all()  # moving down
    assert (np.diff(offsets[..., 1], axis=1) <= 0).all()  # and left
    assert (offsets[:, -1] - offsets[:, 0] != 0).all()
    for b in range(3):
        for t in range(T):
            dy, dx = offsets[b, t]
            expected = _shift_np(canvas[b] + 1.0, dy, dx) - 1.0
            np.testing.assert_allclose(videos[b, t], expected, atol=1e-5)
    gan.compile()
    gan.fit(dataset(), epochs=1, verbose=0)
    assert RecurrentGAN.from_config(gan.get_config()).generator.drift
    with pytest.raises(ValueError, match="drift moves a translated canvas"):
        build_model("recurrent", "tiny", drift=True)


def test_drift_threshold_holds_slow_axes_still_and_keeps_the_gradient():
    gan = build_model(
        "recurrent", "tiny", seed=0, translate=True, drift=True, drift_threshold=1.0
    )
    g = gan.generator
    head = g.velocity.layers[-1]
    head.kernel.assign(tf.zeros_like(head.kernel))
    head.bias.assign([6.0, 0.5])  # fast down; sideways below the threshold
    # A per-frame term that would move the clip on both axes.
    g.offset.kernel.assign(tf.random.normal(g.offset.kernel.shape, seed=1) * 3)
    noise = gan.noise_from_seeds(np.arange(4))
    videos = g(noise).numpy()
    rows = np.arange(S)
    bright = (videos[..., 0] + 1) / 2  # (B, T, H, W)
    mass = bright.sum((2, 3))
    y = (bright.sum(3) * rows).sum(-1) / mass
    x = (bright.sum(2) * rows).sum(-1) / mass
    # Still sideways (what leaves the frame at the bottom moves the
    # centre by a few thousandths of a pixel).
    np.testing.assert_allclose(x, x[:, :1].repeat(T, 1), atol=0.05)
    assert (np.abs(y[:, -1] - y[:, 0]) > 0.5).any()  # moving down
    # Without the threshold the same weights move it sideways.
    free = build_model("recurrent", "tiny", seed=0, translate=True, drift=True)
    free.generator.set_weights(g.get_weights())
    loose = (free.generator(noise).numpy()[..., 0] + 1) / 2
    x_free = (loose.sum(2) * rows).sum(-1) / loose.sum((2, 3))
    assert np.abs(np.diff(x_free, axis=1)).max() > 0.5
    # The held axis still gets a gradient (straight-through): a loss that
    # wants later frames further right.
    later = tf.linspace(0.0, 1.0, T)[None, :, None, None, None]
    right = tf.linspace(-1.0, 1.0, S)[None, None, None, :, None]
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(g(noise) * later * right)
    grad = tape.gradient(loss, head.bias)
    assert float(tf.abs(grad[1])) > 0
    config = RecurrentGAN.from_config(gan.get_config()).generator.get_config()
    assert config["drift_threshold"] == 1.0
    with pytest.raises(ValueError, match="drift_threshold= applies to drift=True"):
        build_model("recurrent", "tiny", translate=True, drift_threshold=1.0)
    with pytest.raises(ValueError, match="drift_threshold"):
        build_model("recurrent", "tiny", translate=True, drift=True, drift_threshold=-1)


def test_a_label_model_matches_its_class_ids():
    from tfvgan.models.matching import CaptionClipMatcher

    gan = make("label", match_weight=1.0, match_critic=True, match_steps=3)
    matcher = gan.matcher
    assert matcher.classes and matcher.sequence_length == 1
    assert matcher.vocab_size == gan.num_classes
    # Clips of one class are each other's positives; the embedding of a
    # class id does not depend on how the ids are batched.
    np.testing.assert_allclose(
        matcher.embed_text(np.array([3, 7])),
        matcher.embed_text(np.array([[3], [7]])),
        atol=1e-6,
    )
    ds = tf.data.Dataset.from_tensor_slices((VIDEOS, LABELS)).batch(2).repeat()
    gan.compile()
    history = gan.fit(ds, epochs=1, steps_per_epoch=2, verbose=0).history
    assert int(matcher.steps_trained) == 3 and not gan.needs_pretraining()
    assert np.isfinite(history["match"][-1])
    assert matcher.memory.shape == (matcher.memory_size, 1)
    assert set(np.unique(matcher.memory.numpy()[:6, 0])) <= set(LABELS.tolist())
    logits = gan.discriminate(VIDEOS[:2], LABELS[:2])
    assert len(logits) == 3
    other = gan.discriminate(VIDEOS[:2], (LABELS[:2] + 1) % gan.num_classes)
    assert np.abs(np.asarray(other[2]) - np.asarray(logits[2])).max() > 0
    with pytest.raises(ValueError, match="sequence_length must be 1"):
        CaptionClipMatcher(10, 2, T, S, C, classes=True)
    with pytest.raises(ValueError, match="one class id per clip"):
        matcher.embed_text(np.zeros((2, 3), "int32"))


def test_a_class_matchers_empty_memory_is_left_out_and_classes_pair_up():
    from tfvgan.models.matching import CaptionClipMatcher, matching_loss

    matcher = CaptionClipMatcher(
        10, 1, T, S, C, dim=8, width=4, memory_size=6, classes=True
    )
    assert (matcher.memory.numpy() == -1).all()  # no class yet
    videos = np.asarray(VIDEOS[:2])
    labels = np.array([0, 3])
    # An empty memory changes nothing: the loss is the batch's alone.
    alone = CaptionClipMatcher(
        10, 1, T, S, C, dim=8, width=4, memory_size=0, classes=True
    )
    alone.clip_encoder.set_weights(matcher.clip_encoder.get_weights())
    alone.text_encoder.set_weights(matcher.text_encoder.get_weights())
    np.testing.assert_allclose(
        matcher.generated_loss(videos, labels),
        alone.generated_loss(videos, labels),
        rtol=1e-5,
    )
    # A filled row counts: a remembered class 3 is one more positive of the
    # clip of class 3 and one more negative of the clip of class 0.
    matcher.memory.assign(np.array([[3], [-1], [-1], [-1], [-1], [-1]]))
    clips, texts = (np.asarray(x) for x in matcher([videos, labels]))
    logits = clips @ np.stack([texts[0], texts[1], texts[1]]).T / matcher.temperature
    logp = logits - np.log(np.exp(logits).sum(1, keepdims=True))
    expected = -(logp[0, 0] + 0.5 * (logp[1, 1] + logp[1, 2])) / 2
    np.testing.assert_allclose(
        matcher.generated_loss(videos, labels), expected, rtol=1e-4
    )
    # Clips of one class are each other's positives: two clips of class 4
    # embedded as their class give the smallest loss the pair allows.
    code = np.eye(8, dtype="float32")[:3]
    same = np.array([[4], [4], [5]])
    value = float(matching_loss(code[[0, 0, 2]], code[[0, 0, 2]], same, 1e-3))
    assert value == pytest.approx(2 * np.log(2) / 3, abs=1e-3)


def test_match_critic_adds_a_head_on_the_frozen_matchers_features():
    from tfvgan.data import moving_digits

    gan = make("text", match_critic=True, match_steps=2)
    assert gan.match_weight == 0.0 and gan.matcher is not None
    assert gan.needs_pretraining() and gan.regularizer_names() == ()
    captions = ["digit 3 moves up", "digit 7 moves left"]
    videos = gan.generate(condition=captions, seed=0)
    logits = gan.discriminate(videos, gan.tokenize(captions))
    assert len(logits) == 3 and tuple(logits[2].shape) == (2, 1)
    # The head reads the caption: another caption, another score.
    other = gan.discriminate(videos, gan.tokenize(captions[::-1]))
    assert np.abs(np.asarray(other[2]) - np.asarray(logits[2])).max() > 0
    ds = moving_digits(
        16, frames=T, size=S, batch_size=4, condition="caption",
        vectorizer=gan.text_vectorizer,
    )  # fmt: skip
    gan.compile()
    encoders = [*gan.matcher.clip_encoder.weights, *gan.matcher.text_encoder.weights]
    matcher_weights = [w.numpy().copy() for w in encoders]
    head = gan.discriminator.match_head.kernel.numpy().copy()
    gan.fit(ds, epochs=1, verbose=0)
    # Pretraining changed the matcher once; the GAN steps trained the head
    # (part of the critic) and left the matcher alone afterwards.
    assert int(gan.matcher.steps_trained) == 2
    assert np.abs(gan.discriminator.match_head.kernel.numpy() - head).max() > 0
    after_pretraining = [w.numpy().copy() for w in encoders]
    assert any(
        np.abs(a - b).max() > 0 for a, b in zip(after_pretraining, matcher_weights)
    )
    gan.fit(ds, epochs=1, verbose=0)
    for before, now in zip(after_pretraining, encoders, strict=True):
        np.testing.assert_array_equal(before, now.numpy())
    with pytest.raises(
        ValueError,
        match="are for conditional models.*match_weight=0 and match_critic=False",
    ):
        make(None, match_critic=True)
    with pytest.raises(ValueError, match="match_critic must be True or False"):
        make("text", match_critic="yes")
