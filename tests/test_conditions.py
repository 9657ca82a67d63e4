"""`tfvgan.conditions`: the one owner of how each condition type is shaped,
checked, served, taken from real clips and beaten by its trivial baseline."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from tfvgan import builders, conditions


def test_registry_names_the_types_and_refuses_unknown_ones():
    assert list(conditions.CONDITION_TYPES) == [
        "label",
        "text",
        "image",
        "video",
        "frames",
        "keyframes",
        "masked",
    ]
    with pytest.raises(ValueError, match="unknown condition_type 'audio'.*'frames'"):
        conditions.get("audio")
    # The data builders take their condition names from the same objects.
    assert builders.DATA_CONDITIONS == {
        "label": "label",
        "text": "caption",
        "image": "first_frame",
        "video": "low_res",
        "frames": "context_frames",
        "keyframes": "keyframes",
        "masked": "masked",
    }


@pytest.mark.parametrize(
    "name, options, shape, dtype",
    [
        ("label", {}, (), tf.int32),
        ("text", {"sequence_length": 5}, (5,), tf.int32),
        ("image", {}, (32, 32, 1), tf.float32),
        ("video", {"downscale": 4}, (8, 8, 8, 1), tf.float32),
        ("frames", {"context_frames": 3}, (3, 32, 32, 1), tf.float32),
        ("keyframes", {"keyframe_interval": 7}, (2, 32, 32, 1), tf.float32),
        ("masked", {}, (8, 32, 32, 2), tf.float32),
    ],
)
def test_shapes_and_specs(name, options, shape, dtype):
    kind = conditions.get(name)
    assert kind.shape(8, 32, 1, **options) == shape
    spec = kind.spec(shape)
    assert spec.shape.as_list() == [None, *shape] and spec.dtype == dtype
    assert spec.name == "condition"


def test_text_is_served_as_strings_only_with_a_vectorizer():
    text = conditions.get("text")
    ids = text.spec((5,))
    assert text.serving_spec(ids, has_vectorizer=True).dtype == tf.string
    assert text.serving_spec(ids) is ids


def test_ids_are_checked_against_the_limit():
    label = conditions.get("label")
    np.testing.assert_array_equal(label.check(tf.constant([0, 9]), 10), [0, 9])
    with pytest.raises(ValueError, match=r"label ids must lie in \[0, 10\)"):
        label.check(tf.constant([0, 10]), 10)
    with pytest.raises(ValueError, match="integer label ids"):
        label.check(tf.constant([0.0]), 10)
    # No limit known: only the dtype is checked.
    assert label.check(tf.constant([99], tf.int64), None).dtype == tf.int32

    @tf.function
    def served(ids):
        return label.check_served(ids, 4)

    with pytest.raises(tf.errors.InvalidArgumentError, match="label id >= 4"):
        served(tf.constant([1, 4]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="label id < 0"):
        served(tf.constant([-1, 0]))


def test_served_float_conditions_must_be_finite_and_in_range():
    image = conditions.get("image")

    @tf.function
    def served(frames):
        return image.check_served(frames)

    ok = tf.fill((1, 2, 2, 1), 1.0 + conditions.FLOAT_TOLERANCE / 2)
    assert served(ok).dtype == tf.float32
    for bad in (1.5, float("nan"), -float("inf")):
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[-1, 1\]"):
            served(tf.fill((1, 2, 2, 1), bad))
    with pytest.raises(ValueError, match="float image condition"):
        image.check(tf.constant([[1]]))


def _clips():
    """Two 3-frame 4x4 clips: frame t of clip b is b + t/10 on the left
    half, -(b + t/10) on the right."""
    clips = np.zeros((2, 3, 4, 4, 1), np.float32)
    for b in range(2):
        for t in range(3):
            clips[b, t, :, :2] = 0.1 * b + t / 10
            clips[b, t, :, 2:] = -(0.1 * b + t / 10)
    return clips


def test_conditions_from_real_clips():
    clips = _clips()
    np.testing.assert_array_equal(
        conditions.get("image").from_clips(clips), clips[:, 0]
    )
    low = conditions.get("video").from_clips(clips, downscale=2)
    assert low.shape == (2, 3, 2, 2, 1)
    np.testing.assert_allclose(low[1, 2, :, 0, 0], 0.3, rtol=1e-6)  # area mean
    np.testing.assert_allclose(low[1, 2, :, 1, 0], -0.3, rtol=1e-6)
    np.testing.assert_array_equal(
        conditions.get("label").from_clips(clips, labels=[3, 4]), [3, 4]
    )
    with pytest.raises(ValueError, match="need labels"):
        conditions.get("label").from_clips(clips)
    with pytest.raises(ValueError, match="captions"):
        conditions.get("text").from_clips(clips, labels=[1, 2])


def test_trivial_baselines():
    clips = _clips()
    image = conditions.get("image")
    assert image.baseline_name == "copy_first_frame"
    copied = image.baseline(clips, image.from_clips(clips))
    assert copied.shape == clips.shape
    for t in range(3):
        np.testing.assert_array_equal(copied[:, t], clips[:, 0])
    video = conditions.get("video")
    assert video.baseline_name == "bicubic"
    flat = np.full((1, 2, 8, 8, 1), 0.25, np.float32)
    up = video.baseline(flat, video.from_clips(flat, downscale=4))
    assert up.shape == flat.shape
    np.testing.assert_allclose(up, 0.25, atol=1e-6)  # a flat clip stays flat
    assert conditions.get("label").baseline(clips, None) is None
    frames = conditions.get("frames")
    assert frames.baseline_name == "copy_last_frame"
    context = frames.from_clips(clips, context_frames=2)
    np.testing.assert_array_equal(context, clips[:, :2])
    held = frames.baseline(clips, context)
    np.testing.assert_array_equal(held[:, :2], clips[:, :2])
    np.testing.assert_array_equal(held[:, 2], clips[:, 1])  # the last one, held
    assert list(frames.scored_frames(context, 3)) == [2]
    assert list(video.scored_frames(None, 3)) == [0, 1, 2]


def test_cross_fade_blends_each_keyframe_into_the_next():
    keyframes = conditions.get("keyframes")
    assert keyframes.baseline_name == "cross_fade"
    # 7 frames, keyframes every 3: frames 0, 3, 6 given; values 0, 3, 6.
    clips = np.arange(7, dtype=np.float32).reshape(1, 7, 1, 1, 1) * np.ones(
        (1, 7, 2, 2, 1), np.float32
    )
    given = keyframes.from_clips(clips, keyframe_interval=3)
    np.testing.assert_array_equal(given[0, :, 0, 0, 0], [0, 3, 6])
    # A linear ramp is its own cross-fade: every frame exact.
    np.testing.assert_allclose(keyframes.baseline(clips, given), clips, atol=1e-6)
    # A jump between two keyframes: thirds of the way at frames 1 and 2.
    step = np.zeros((1, 4, 1, 1, 1), np.float32)
    step[:, 3] = 1.0
    faded = conditions.cross_fade(step[:, [0, 3]], 4)
    np.testing.assert_allclose(faded[0, :, 0, 0, 0], [0, 1 / 3, 2 / 3, 1], atol=1e-6)
    assert list(keyframes.scored_frames(given, 7)) == [1, 2, 4, 5]
    assert keyframes.shape(7, 8, 1) == (2, 8, 8, 1)  # first and last
    assert keyframes.shape(7, 8, 1, keyframe_interval=2) == (4, 8, 8, 1)
    assert conditions.keyframe_indices(9, 4) == [0, 4, 8]


def test_interpolation_scores_count_only_the_frames_between():
    from tfvgan import metrics

    clips = np.zeros((2, 5, 16, 16, 1), np.float32)
    clips[:, 2] = 0.4  # a flash in the middle: the cross-fade misses it
    fake = clips.copy()
    fake[:, [0, 4]] = 0.9  # wrong keyframes do not count
    scores = metrics.interpolation_scores(clips, fake)
    assert scores["psnr"] == 100.0 and scores["ssim"] == pytest.approx(1.0)
    # Frames 1 and 3 fade exactly (0 to 0); frame 2 errs by 0.4:
    # (100 + 10 log10(4 / 0.16) + 100) / 3.
    expected = (200 + 10 * np.log10(4 / 0.16)) / 3
    assert scores["psnr_cross_fade"] == pytest.approx(expected, abs=0.01)
    np.testing.assert_array_equal(
        metrics.cross_fade(clips[:, [0, 4]], 5),
        conditions.cross_fade(clips[:, [0, 4]], 5),
    )
    with pytest.raises(ValueError, match="keyframe_interval"):
        metrics.interpolation_scores(clips, fake, keyframe_interval=3)
    with pytest.raises(ValueError, match="one"):
        metrics.interpolation_scores(clips, fake[:, :4])


def test_baseline_scores_take_only_the_scored_frames():
    from tfvgan import metrics

    real = np.zeros((2, 4, 16, 16, 1), np.float32)
    fake, baseline = real.copy(), real.copy()
    fake[:, 0] = 0.9  # not scored
    baseline[:, 2] = 0.4  # scored: 10 log10(4 / 0.16) in one of two frames
    scores = metrics.baseline_scores(real, fake, baseline, "still", [1, 2])
    assert scores["psnr"] == 100.0 and scores["ssim"] == pytest.approx(1.0)
    expected = (100 + 10 * np.log10(4 / 0.16)) / 2
    assert scores["psnr_still"] == pytest.approx(expected, abs=0.01)
    # Frames apart (not a slice) score the same way.
    apart = metrics.baseline_scores(real, fake, baseline, "still", [0, 2])
    assert apart["psnr_still"] == pytest.approx(expected, abs=0.01)
    with pytest.raises(ValueError, match="baseline clips of one"):
        metrics.baseline_scores(real, fake, baseline[:, :3], "still", [1])


def test_keyframe_errors():
    keyframes = conditions.get("keyframes")
    # Not an int, nothing between keyframes, or the last frame not one.
    for n in (1, 0, 8, 3, 2.0, True):
        with pytest.raises(ValueError, match="keyframe_interval"):
            keyframes.shape(8, 32, 1, keyframe_interval=n)
    with pytest.raises(ValueError, match="keyframe_interval"):
        keyframes.from_clips(_clips(), keyframe_interval=3)
    with pytest.raises(ValueError, match=r"m >= 2"):
        conditions.cross_fade(np.zeros((1, 1, 4, 4, 1)), 5)
    with pytest.raises(ValueError, match="multiple of the 2 gaps"):
        conditions.cross_fade(np.zeros((1, 3, 4, 4, 1)), 6)


def test_context_frames_errors():
    frames = conditions.get("frames")
    for k in (0, 8, 9, 1.5, True, None):
        with pytest.raises(ValueError, match="context_frames"):
            frames.shape(8, 32, 1, context_frames=k)
    with pytest.raises(ValueError, match="context_frames < frames=3"):
        frames.from_clips(_clips(), context_frames=3)
    with pytest.raises(ValueError, match="frames > k=2"):
        conditions.copy_last_frame(np.zeros((1, 2, 4, 4, 1)), 2)
    with pytest.raises(ValueError, match=r"\(B, k, H, W, C\)"):
        conditions.copy_last_frame(np.zeros((2, 4, 4, 1)), 5)


def test_prediction_scores_count_only_the_predicted_frames():
    from tfvgan import metrics

    clips = np.repeat(np.repeat(_clips(), 4, axis=2), 4, axis=3)  # 16x16: SSIM
    # Wrong context frames do not count; the predicted frame is exact.
    fake = clips.copy()
    fake[:, :2] = 0.9
    scores = metrics.prediction_scores(clips, fake, context_frames=2)
    assert scores["psnr"] == 100.0 and scores["ssim"] == pytest.approx(1.0)
    # Holding frame 1 errs by 0.1 everywhere in frame 2: 10 log10(4 / 0.01).
    assert scores["psnr_copy_last_frame"] == pytest.approx(26.02, abs=0.01)
    np.testing.assert_array_equal(
        metrics.copy_last_frame(clips[:, :2], 3),
        conditions.copy_last_frame(clips[:, :2], 3),
    )
    with pytest.raises(ValueError, match="one \\(B, T, H, W, C\\) shape"):
        metrics.prediction_scores(clips, clips[:, :2], context_frames=1)
    for k in (0, 3, -1):
        with pytest.raises(ValueError, match="context_frames"):
            metrics.prediction_scores(clips, fake, context_frames=k)


def test_best_of_n_takes_each_clips_best_sample_and_measures_spread():
    from tfvgan import metrics

    clips = np.repeat(np.repeat(_clips(), 4, axis=2), 4, axis=3)
    off = clips.copy()
    off[:, 2] += 0.1  # the predicted frame errs by 0.1 everywhere
    exact_for_clip_0 = off.copy()
    exact_for_clip_0[0] = clips[0]
    scores = metrics.best_of_n_scores(clips, [off, exact_for_clip_0], 2)
    # Clip 0's best sample is exact (100 dB), clip 1's errs by 0.1.
    assert scores["psnr_best_of_n"] == pytest.approx((100.0 + 26.02) / 2, abs=0.01)
    assert scores["ssim_best_of_n"] > metrics.prediction_scores(clips, off, 2)["ssim"]
    # The samples differ by 0.1 on clip 0's predicted frame only: half the
    # predicted pixels.
    assert scores["diversity"] == pytest.approx(0.05, abs=1e-6)
    same = metrics.best_of_n_scores(clips, np.stack([off, off, off]), 2)
    assert same["diversity"] == 0.0
    with pytest.raises(ValueError, match="at least 2 samples"):
        metrics.best_of_n_scores(clips, [off], 2)
    with pytest.raises(ValueError, match="shape"):
        metrics.best_of_n_scores(clips, [off, off[:1]], 2)
    with pytest.raises(ValueError, match="context_frames"):
        metrics.best_of_n_scores(clips, [off, off], 3)


def test_command_line_requests():
    label, text, image = (conditions.get(n) for n in ("label", "text", "image"))
    np.testing.assert_array_equal(label.from_request(5, labels=[1, 2]), [1, 2, 1, 2, 1])
    assert (
        list(text.from_request(2, caption="digit 3 moves up"))
        == ["digit 3 moves up"] * 2
    )
    assert label.from_request(3) is None  # the run's own sample grid then
    with pytest.raises(ValueError, match="--caption needs a text-conditional"):
        label.from_request(2, caption="digit 1 moves up")
    with pytest.raises(ValueError, match="--labels needs a label-conditional"):
        text.from_request(2, labels=[1])
    with pytest.raises(ValueError, match="this one takes 'image' conditions"):
        image.from_request(2, labels=[1])
    with pytest.raises(ValueError, match="not both"):
        label.from_request(2, labels=[1], caption="x")
