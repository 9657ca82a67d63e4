"""`tfvgan.conditions`: the one owner of how each condition type is shaped,
checked, served, taken from real clips and beaten by its trivial baseline."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from tfvgan import builders, conditions


def test_registry_names_the_types_and_refuses_unknown_ones():
    assert list(conditions.CONDITION_TYPES) == ["label", "text", "image", "video"]
    with pytest.raises(ValueError, match="unknown condition_type 'audio'.*'video'"):
        conditions.get("audio")
    # The data builders take their condition names from the same objects.
    assert builders.DATA_CONDITIONS == {
        "label": "label",
        "text": "caption",
        "image": "first_frame",
        "video": "low_res",
    }


@pytest.mark.parametrize(
    "name, options, shape, dtype",
    [
        ("label", {}, (), tf.int32),
        ("text", {"sequence_length": 5}, (5,), tf.int32),
        ("image", {}, (32, 32, 1), tf.float32),
        ("video", {"downscale": 4}, (8, 8, 8, 1), tf.float32),
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
