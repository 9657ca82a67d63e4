"""Tests for tfvgan.metrics: distances, extractors, classifier and frame metrics."""

import os

import numpy as np
import pytest
import scipy.linalg

from tfvgan import metrics

# ---------------------------------------------------------------------------
# Helpers


def _scipy_frechet(features_a, features_b):
    """The textbook FID formula with scipy's general matrix square root."""
    mu_a, mu_b = features_a.mean(0), features_b.mean(0)
    s_a = np.cov(features_a, rowvar=False)
    s_b = np.cov(features_b, rowvar=False)
    covmean = scipy.linalg.sqrtm(s_a @ s_b).real
    return float(np.sum((mu_a - mu_b) ** 2) + np.trace(s_a + s_b - 2 * covmean))


def _plain_unbiased_mmd2(x, y, degree=3, coef0=1.0):
    """Unbiased MMD^2 with a polynomial kernel, written out with loops."""
    gamma = 1.0 / x.shape[1]

    def k(u, v):
        return (gamma * float(np.dot(u, v)) + coef0) ** degree

    m, n = len(x), len(y)
    xx = sum(k(x[i], x[j]) for i in range(m) for j in range(m) if i != j)
    yy = sum(k(y[i], y[j]) for i in range(n) for j in range(n) if i != j)
    xy = sum(k(x[i], y[j]) for i in range(m) for j in range(n))
    return xx / (m * (m - 1)) + yy / (n * (n - 1)) - 2 * xy / (m * n)


_SHAPES = {  # class id -> (height, width, hollow)
    0: (2, 8, False),
    1: (8, 2, False),
    2: (4, 4, False),
    3: (7, 7, True),
}


def make_clips(num, frames=4, size=16, seed=0, labels=None):
    """Labelled toy clips: a class-dependent bright shape drifting across."""
    rng = np.random.default_rng(seed)
    if labels is None:
        labels = rng.integers(0, len(_SHAPES), num)
    videos = np.zeros((num, frames, size, size, 1), np.uint8)
    for i, label in enumerate(labels):
        h, w, hollow = _SHAPES[int(label)]
        mask = np.ones((h, w), bool)
        if hollow:
            mask[1:-1, 1:-1] = False
        dy, dx = rng.integers(0, 2, 2)
        y0 = rng.integers(0, size - h - frames + 1)
        x0 = rng.integers(0, size - w - frames + 1)
        for t in range(frames):
            y, x = y0 + t * dy, x0 + t * dx
            videos[i, t, y : y + h, x : x + w, 0][mask] = 255
    return videos, np.asarray(labels, np.int64), None


def to_float(videos):
    return videos.astype(np.float32) / 127.5 - 1.0


# ---------------------------------------------------------------------------
# Frechet distance


def test_frechet_distance_matches_scipy_sqrtm_reference():
    rng = np.random.default_rng(0)
    mixing = rng.normal(size=(12, 12))
    a = rng.normal(size=(300, 12)) @ mixing
    b = rng.normal(0.3, 1.5, size=(250, 12)) @ mixing.T + 0.5
    expected = _scipy_frechet(a, b)
    assert expected > 1.0
    np.testing.assert_allclose(metrics.frechet_distance(a, b), expected, rtol=1e-6)
    np.testing.assert_allclose(metrics.frechet_distance(b, a), expected, rtol=1e-6)


def test_frechet_distance_is_zero_for_identical_sets_even_if_singular():
    rng = np.random.default_rng(1)
    full_rank = rng.normal(size=(100, 8))
    singular = rng.normal(size=(5, 20))  # 5 samples, 20 dims: rank-4 covariance
    assert metrics.frechet_distance(full_rank, full_rank) < 1e-9
    assert metrics.frechet_distance(singular, singular) < 1e-9


def test_frechet_distance_from_moments_golden_values():
    # N(0, 1) vs N(1, 4): 1 + 1 + 4 - 2 * sqrt(4) = 2.
    assert metrics.frechet_distance_from_moments(
        [0.0], [[1.0]], [1.0], [[4.0]]
    ) == pytest.approx(2.0, rel=1e-12)
    # Commuting, singular covariances: sum (sqrt(a) - sqrt(b))^2.
    var_a = np.array([0.0, 1.0, 4.0, 0.0])
    var_b = np.array([9.0, 1.0, 0.0, 0.0])
    mu_a, mu_b = np.zeros(4), np.array([1.0, 0.0, 0.0, 2.0])
    expected = 5.0 + np.sum((np.sqrt(var_a) - np.sqrt(var_b)) ** 2)
    got = metrics.frechet_distance_from_moments(
        mu_a, np.diag(var_a), mu_b, np.diag(var_b)
    )
    assert got == pytest.approx(expected, rel=1e-10)


def test_frechet_distance_rejects_bad_inputs():
    rng = np.random.default_rng(2)
    with pytest.raises(ValueError, match=r"feature dimensions differ.*\(10, 4\)"):
        metrics.frechet_distance(rng.normal(size=(10, 4)), rng.normal(size=(10, 5)))
    with pytest.raises(ValueError, match="at least 2 samples in features_b"):
        metrics.frechet_distance(rng.normal(size=(10, 4)), rng.normal(size=(1, 4)))
    with pytest.raises(ValueError, match=r"rank 2.*\(10,\)"):
        metrics.frechet_distance(rng.normal(size=10), rng.normal(size=(10, 4)))
    with pytest.raises(ValueError, match=r"sigma_b of shape \(2, 2\)"):
        metrics.frechet_distance_from_moments(
            np.zeros(2), np.eye(2), np.zeros(2), np.eye(3)
        )


# ---------------------------------------------------------------------------
# Kernel distance


def test_kernel_distance_matches_plain_unbiased_mmd_on_full_subset():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(20, 5))
    y = rng.normal(0.4, 1.2, size=(20, 5))
    expected = _plain_unbiased_mmd2(x, y)
    got = metrics.kernel_distance(x, y, num_subsets=1, subset_size=20)
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    # Every full-size subset is a permutation: identical estimates, zero std.
    mean, std = metrics.kernel_distance(
        x, y, num_subsets=3, subset_size=20, return_std=True
    )
    np.testing.assert_allclose(mean, expected, rtol=1e-12)
    assert std < 1e-12 * abs(expected)


def test_kernel_distance_near_zero_for_same_distribution_positive_for_shift():
    rng = np.random.default_rng(4)
    a = rng.normal(size=(400, 8))
    same = rng.normal(size=(400, 8))
    shifted = rng.normal(0.5, 1.0, size=(400, 8))
    kw = dict(num_subsets=20, subset_size=100, return_std=True)
    same_mean, same_std = metrics.kernel_distance(a, same, **kw)
    shift_mean, _ = metrics.kernel_distance(a, shifted, **kw)
    assert abs(same_mean) < 3 * same_std + 1e-3
    assert shift_mean > 0.1
    assert shift_mean > 20 * abs(same_mean)


def test_kernel_distance_rejects_bad_inputs():
    a = np.zeros((10, 3))
    with pytest.raises(ValueError, match="feature dimensions differ"):
        metrics.kernel_distance(a, np.zeros((10, 4)))
    with pytest.raises(ValueError, match="subset_size >= 2, got 1"):
        metrics.kernel_distance(a, a, subset_size=1)
    with pytest.raises(ValueError, match="num_subsets must be an integer >= 1, got 0"):
        metrics.kernel_distance(a, a, num_subsets=0)


# ---------------------------------------------------------------------------
# Streaming metrics


def _projection_extractor(dim=6):
    """A fixed linear projection of per-frame-mean pixels: a cheap extractor."""
    calls = []
    rng = np.random.default_rng(5)

    def extract(videos):
        videos = np.asarray(videos)
        calls.append(videos.shape[0])
        pooled = videos.mean(axis=(2, 3)).reshape(videos.shape[0], -1)  # (B, T*C)
        weights = rng.__class__(np.random.PCG64(5)).normal(size=(pooled.shape[1], dim))
        return np.tanh(pooled @ weights) + 0.01 * pooled.sum(1, keepdims=True)

    return extract, calls


def test_streaming_metrics_match_one_shot_functions():
    rng = np.random.default_rng(6)
    real = rng.normal(size=(40, 7))
    fake = rng.normal(0.3, 1.0, size=(30, 7))
    fvd = metrics.FrechetVideoDistance()
    kvd = metrics.KernelVideoDistance(num_subsets=5, subset_size=20, seed=1)
    for metric in (fvd, kvd):
        for start in range(0, 40, 16):
            metric.update_state(real_features=real[start : start + 16])
        metric.update_state(fake_features=fake[:10])
        metric.update_state(fake_features=fake[10:])
    assert (fvd.num_real, fvd.num_fake) == (40, 30)
    assert fvd.result() == pytest.approx(metrics.frechet_distance(real, fake))
    expected = metrics.kernel_distance(
        real, fake, num_subsets=5, subset_size=20, seed=1, return_std=True
    )
    assert kvd.result(return_std=True) == pytest.approx(expected)
    fvd.reset_state()
    assert fvd.num_real == 0
    with pytest.raises(ValueError, match="at least 2 real samples"):
        fvd.result()


def test_streaming_metric_runs_extractor_in_batches():
    extract, calls = _projection_extractor()
    rng = np.random.default_rng(7)
    real = rng.uniform(-1, 1, size=(10, 3, 4, 4, 1)).astype(np.float32)
    fake = rng.uniform(-1, 1, size=(6, 3, 4, 4, 1)).astype(np.float32)
    fvd = metrics.FrechetVideoDistance(extract, batch_size=4)
    fvd.update_state(real=real, fake=fake)
    assert calls == [4, 4, 2, 4, 2]
    assert fvd.result() == pytest.approx(
        metrics.frechet_distance(extract(real), extract(fake))
    )


def test_streaming_metric_errors():
    fvd = metrics.FrechetVideoDistance()
    with pytest.raises(ValueError, match="only accepts precomputed features"):
        fvd.update_state(real=np.zeros((2, 3, 4, 4, 1), np.float32))
    with pytest.raises(ValueError, match="update_state got nothing"):
        fvd.update_state()
    fvd.update_state(real_features=np.zeros((3, 4)))
    with pytest.raises(ValueError, match="feature dimensions differ"):
        fvd.update_state(fake_features=np.zeros((3, 5)))
    extract, _ = _projection_extractor()
    with pytest.raises(ValueError, match=r"rank 5 .*got shape \(2, 4, 4, 1\)"):
        metrics.FrechetVideoDistance(extract).update_state(
            real=np.zeros((2, 4, 4, 1), np.float32)
        )


def test_video_distances_reads_datasets_of_pairs_up_to_max_videos():
    extract, _ = _projection_extractor()
    rng = np.random.default_rng(8)
    real = rng.uniform(-1, 1, size=(12, 3, 4, 4, 1)).astype(np.float32)
    fake = rng.uniform(-0.5, 0.5, size=(12, 3, 4, 4, 1)).astype(np.float32)
    pairs = [(real[i : i + 5], np.zeros(5)) for i in range(0, 12, 5)]
    scores = metrics.video_distances(
        pairs, fake, extract, batch_size=4, max_videos=8, kvd_subset_size=8
    )
    assert scores["num_real"] == 8 and scores["num_fake"] == 8
    expected = metrics.frechet_distance(extract(real[:8]), extract(fake[:8]))
    assert scores["fvd"] == pytest.approx(expected)
    assert np.isfinite(scores["kvd"]) and scores["kvd_std"] >= 0


# ---------------------------------------------------------------------------
# I3D extractor (stand-in SavedModels)


def _save_stand_in(path, with_signature):
    import tensorflow as tf

    class StandIn(tf.Module):
        @tf.function(
            input_signature=[tf.TensorSpec([None, None, 224, 224, 3], tf.float32)]
        )
        def __call__(self, x):
            batch = tf.shape(x)[0]
            column = tf.ones([batch, 1])
            # float64 sum: a float32 mean over ~10^6 pixels drifts by ~1e-3.
            means = tf.cast(
                tf.reduce_mean(tf.cast(x, tf.float64), [1, 2, 3]), tf.float32
            )
            stats = [
                means,  # channel means
                column * tf.cast(batch, tf.float32),  # batch size seen
                column * tf.cast(tf.shape(x)[1], tf.float32),  # frames
                tf.reduce_min(x, axis=[1, 2, 3, 4])[:, None],
                tf.reduce_max(x, axis=[1, 2, 3, 4])[:, None],
            ]
            features = tf.concat(stats + [tf.zeros([batch, 400 - 7])], axis=1)
            if with_signature:
                return {"default": features, "pooled": stats[0]}
            return features

    module = StandIn()
    signatures = (
        {"default": module.__call__.get_concrete_function()} if with_signature else {}
    )
    tf.saved_model.save(module, str(path), signatures=signatures)
    return str(path)


@pytest.fixture(scope="module")
def i3d_signature_model(tmp_path_factory):
    return _save_stand_in(tmp_path_factory.mktemp("i3d_sig"), with_signature=True)


def test_i3d_features_preprocess_and_batch_into_16s(i3d_signature_model):
    extractor = metrics.I3DFeatures(i3d_signature_model)
    rng = np.random.default_rng(9)
    # 20 grayscale 32x32 clips of 5 frames; clip i is constant at level[i].
    levels = rng.uniform(-0.9, 0.9, size=20).astype(np.float32)
    videos = np.ones((20, 5, 32, 32, 1), np.float32) * levels[:, None, None, None, None]
    features = extractor(videos)
    assert features.shape == (20, 400)
    # Tiled to 3 channels, values untouched by the resize of a flat frame.
    np.testing.assert_allclose(
        features[:, :3], np.repeat(levels[:, None], 3, 1), atol=1e-5
    )
    np.testing.assert_array_equal(features[:, 3], [16] * 16 + [4] * 4)
    np.testing.assert_array_equal(features[:, 4], 5)


def test_i3d_features_scale_uint8_and_keep_rgb_channels(i3d_signature_model):
    extractor = metrics.I3DFeatures(i3d_signature_model, batch_size=2)
    videos = np.zeros((3, 2, 8, 8, 3), np.uint8)
    videos[..., 0] = 255
    videos[:, :, :4, :, 1] = 255  # top half of channel 1 bright
    features = extractor(videos)
    # Reference (TF1) resizing samples row i at i * 8 / 224: rows 0-84 are
    # bright, 85-111 blend, 112-223 dark, so channel 1 averages -27 / 224.
    np.testing.assert_allclose(features[:, :3], [[1.0, -27 / 224, -1.0]] * 3, atol=1e-5)
    np.testing.assert_allclose(features[:, 5:7], [[-1.0, 1.0]] * 3)
    np.testing.assert_array_equal(features[:, 3], [2, 2, 1])


def test_i3d_features_accept_a_plain_callable_saved_model(tmp_path):
    import tensorflow as tf

    path = _save_stand_in(tmp_path / "i3d_callable", with_signature=False)
    loaded = tf.saved_model.load(path)
    assert not {"default", "serving_default"} & set(loaded.signatures)
    extractor = metrics.I3DFeatures(path)
    features = extractor(np.full((2, 3, 16, 16, 1), 0.25, np.float32))
    np.testing.assert_allclose(features[:, :3], 0.25, atol=1e-6)


def test_i3d_features_missing_model_says_where_to_get_it(tmp_path):
    with pytest.raises(FileNotFoundError) as info:
        metrics.I3DFeatures(tmp_path / "nowhere")
    message = str(info.value)
    assert "nowhere" in message
    assert "kaggle.com/models/deepmind/i3d-kinetics" in message
    assert "tfhub.dev/deepmind/i3d-kinetics-400/1" in message
    assert "never downloads" in message


def _tf1_resize_bilinear(image, out_h, out_w):
    """TF1 resize_bilinear (no align_corners, no half-pixel centres), written out:
    output pixel i samples input coordinate i * in / out."""
    in_h, in_w = image.shape[:2]
    ys = np.arange(out_h) * in_h / out_h
    xs = np.arange(out_w) * in_w / out_w
    y0, x0 = np.floor(ys).astype(int), np.floor(xs).astype(int)
    y1, x1 = np.minimum(y0 + 1, in_h - 1), np.minimum(x0 + 1, in_w - 1)
    fy, fx = (ys - y0)[:, None, None], (xs - x0)[None, :, None]
    top = image[y0][:, x0] * (1 - fx) + image[y0][:, x1] * fx
    bottom = image[y1][:, x0] * (1 - fx) + image[y1][:, x1] * fx
    return top * (1 - fy) + bottom * fy


def test_preprocess_for_i3d_resizes_like_the_reference_fvd():
    # 2x2 -> 4x4: output pixel i samples input coordinate i / 2, clamped at
    # the edge (tf.image.resize's half-pixel centres give -0.75 at [0, 1]).
    frame = np.array([[-1.0, 0.0], [0.5, 1.0]], np.float32)
    out = metrics.preprocess_for_i3d(frame[None, None, :, :, None], size=4)
    expected = [
        [-1.0, -0.5, 0.0, 0.0],
        [-0.25, 0.125, 0.5, 0.5],
        [0.5, 0.75, 1.0, 1.0],
        [0.5, 0.75, 1.0, 1.0],
    ]
    assert out.shape == (1, 1, 4, 4, 3)
    for channel in range(3):  # grayscale tiled to RGB
        np.testing.assert_allclose(out[0, 0, ..., channel], expected, atol=1e-6)
    # uint8 as the reference: resized in [0, 255], then 2 x / 255 - 1.
    pixels = np.array([[0, 255], [255, 0]], np.uint8)
    out = metrics.preprocess_for_i3d(pixels[None, None, :, :, None], size=4)
    np.testing.assert_allclose(out[0, 0, 0, :, 0], [-1.0, 0.0, 1.0, 1.0], atol=1e-6)
    np.testing.assert_allclose(out[0, 0, 1, :2, 0], [0.0, 0.0], atol=1e-6)
    # Non-square input, up- and downscaled, against the written-out formula.
    rng = np.random.default_rng(10)
    videos = rng.uniform(-1, 1, size=(2, 3, 10, 12, 3)).astype(np.float32)
    for size in (24, 7):
        out = metrics.preprocess_for_i3d(videos, size=size)
        assert out.shape == (2, 3, size, size, 3)
        np.testing.assert_allclose(
            out[1, 2], _tf1_resize_bilinear(videos[1, 2], size, size), atol=1e-5
        )


# ---------------------------------------------------------------------------
# Offline digit classifier


@pytest.fixture(scope="module")
def trained_classifier():
    videos, labels, _ = make_clips(192, seed=0)
    return metrics.train_digit_classifier(
        videos,
        labels,
        num_classes=4,
        epochs=12,
        batch_size=16,
        filters=(8, 16),
        feature_dim=24,
    )


def test_digit_classifier_beats_chance_on_held_out_clips(trained_classifier):
    videos, labels, _ = make_clips(96, seed=1)
    accuracy = metrics.conditional_accuracy(
        trained_classifier, to_float(videos), labels
    )
    assert accuracy > 0.8  # chance is 0.25


def test_fvd_with_digit_features_ranks_noise_above_a_second_sample(trained_classifier):
    extractor = metrics.DigitFeatures(trained_classifier)
    real = to_float(make_clips(96, seed=2)[0])
    copy = to_float(make_clips(96, seed=3)[0])
    noise = np.random.default_rng(4).uniform(-1, 1, real.shape).astype(np.float32)
    features = extractor(real)
    assert features.shape == (96, 24) and features.min() >= 0  # ReLU layer
    near = metrics.frechet_distance(features, extractor(copy))
    far = metrics.frechet_distance(features, extractor(noise))
    assert far > 5 * near
    with pytest.raises(ValueError, match=r"shape \(batch, 4, 16, 16, 1\)"):
        extractor(np.zeros((2, 4, 8, 8, 1), np.float32))


def test_fvd_with_random_conv3d_features_ranks_noise_above_a_second_sample():
    import tensorflow as tf

    filters = tf.constant(
        np.random.default_rng(11).normal(size=(3, 3, 3, 1, 16)), tf.float32
    )

    def random_conv_features(videos):
        x = tf.nn.relu(tf.nn.conv3d(videos, filters, [1, 1, 2, 2, 1], "SAME"))
        return tf.concat(
            [tf.reduce_mean(x, [1, 2, 3]), tf.math.reduce_std(x, [1, 2, 3])], axis=1
        )

    real = to_float(make_clips(64, seed=5)[0])
    copy = to_float(make_clips(64, seed=6)[0])
    noise = np.random.default_rng(7).uniform(-1, 1, real.shape).astype(np.float32)
    fvd = metrics.FrechetVideoDistance(random_conv_features)
    fvd.update_state(real=real, fake=copy)
    near = fvd.result()
    fvd.reset_state()
    fvd.update_state(real=real, fake=noise)
    assert fvd.result() > 5 * near


def test_inception_score_of_classifier_separates_diverse_from_collapsed(
    trained_classifier,
):
    diverse = to_float(make_clips(80, seed=8, labels=np.arange(80) % 4)[0])
    collapsed = to_float(make_clips(80, seed=8, labels=np.zeros(80, int))[0])
    high, _ = metrics.inception_score(trained_classifier, diverse, num_splits=2)
    low, _ = metrics.inception_score(trained_classifier, collapsed, num_splits=2)
    # 4 classes: a diverse set scores ~2.7 with this small classifier, a
    # one-class set ~1.2.
    assert high > 2.0 and low < 1.5


def test_load_digit_extractor_trains_once_then_loads_from_cache(tmp_path, monkeypatch):
    calls = []

    # Keyword-only and (N, 1) labels, like tfvgan.data.moving_digits_arrays.
    def data_fn(*, num_videos, frames, size, channels, seed):
        calls.append((num_videos, frames, size, channels, seed))
        videos, labels, captions = make_clips(num_videos, frames, size, seed)
        return videos, labels[:, None].astype(np.int32), captions

    monkeypatch.setenv("TFVGAN_CACHE_DIR", str(tmp_path))
    kwargs = dict(frames=4, size=16, num_classes=4, num_videos=32, epochs=1)
    first = metrics.load_digit_extractor(data_fn=data_fn, **kwargs)
    assert calls == [(32, 4, 16, 1, 0)]
    saved = os.listdir(tmp_path / "extractors")
    assert len(saved) == 1 and saved[0].endswith(".keras")
    second = metrics.load_digit_extractor(data_fn=data_fn, **kwargs)
    assert len(calls) == 1  # loaded, not retrained
    videos = to_float(make_clips(5, seed=9)[0])
    np.testing.assert_allclose(second(videos), first(videos), rtol=1e-5, atol=1e-6)


def test_train_digit_classifier_is_reproducible_from_its_seed():
    """Same seed and data: the same classifier (initialisers and shuffling
    order), whatever the global random state; another seed differs."""
    videos, labels, _ = make_clips(48, seed=3)

    def weights(seed):
        model = metrics.train_digit_classifier(
            videos, labels, num_classes=4, epochs=3, batch_size=8,
            filters=(4,), feature_dim=8, seed=seed,
        )  # fmt: skip
        return model.get_weights()

    import keras

    first = weights(0)
    keras.utils.set_random_seed(123)  # Keras' own array shuffling follows this
    again, other = weights(0), weights(1)
    for a, b in zip(first, again):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert any(not np.allclose(a, b) for a, b in zip(first, other))


def test_train_digit_classifier_accepts_multi_digit_labels():
    videos, labels, _ = make_clips(16, seed=12)
    multi = np.stack([labels, (labels + 1) % 4], axis=1)
    model = metrics.train_digit_classifier(
        videos, multi, num_classes=4, epochs=1, filters=(4,), feature_dim=8
    )
    assert model.output_shape == (None, 4)
    with pytest.raises(ValueError, match=r"labels in \[0, 4\), got values in \[4, 7\]"):
        metrics.train_digit_classifier(videos, labels + 4, num_classes=4, epochs=1)


# ---------------------------------------------------------------------------
# Inception score and conditional accuracy: golden values


def test_inception_score_golden_values():
    uniform = np.full((40, 5), 0.2)
    assert metrics.inception_score_from_predictions(uniform, 4) == pytest.approx(
        (1.0, 0.0)
    )
    confident = np.tile(np.eye(5), (8, 1))  # each split of 10 holds 2 of each
    mean, std = metrics.inception_score_from_predictions(confident, num_splits=4)
    assert mean == pytest.approx(5.0, rel=1e-12) and std == pytest.approx(0.0)
    # Logits through a classifier callable, in batches.
    videos = np.tile(np.arange(4, dtype=np.float32), 10).reshape(40, 1, 1, 1, 1)

    def classifier(v):
        return 30.0 * np.eye(4)[np.asarray(v)[:, 0, 0, 0, 0].astype(int)]

    mean, _ = metrics.inception_score(classifier, videos, num_splits=5, batch_size=7)
    assert mean == pytest.approx(4.0, rel=1e-6)
    zero_logits = metrics.inception_score(lambda v: np.zeros((len(v), 3)), videos, 2)
    assert zero_logits[0] == pytest.approx(1.0)


def test_inception_score_rejects_bad_inputs():
    with pytest.raises(ValueError, match="pass from_logits=True"):
        metrics.inception_score_from_predictions(np.full((4, 2), 3.0), 2)
    with pytest.raises(ValueError, match=r"num_splits <= number of videos \(4\)"):
        metrics.inception_score_from_predictions(np.full((4, 2), 0.5), 5)


def test_conditional_accuracy_counts_matching_argmax():
    predicted = np.array([0, 1, 2, 2, 1])
    videos = predicted.astype(np.float32).reshape(5, 1, 1, 1, 1)

    def classifier(v):
        return np.eye(3)[np.asarray(v)[:, 0, 0, 0, 0].astype(int)]

    requested = np.array([0, 1, 2, 0, 0])
    assert metrics.conditional_accuracy(classifier, videos, requested, 2) == 0.6
    with pytest.raises(ValueError, match=r"labels of shape \(5,\)"):
        metrics.conditional_accuracy(classifier, videos, requested[:4])


# ---------------------------------------------------------------------------
# PSNR / SSIM


def test_psnr_hand_computed_values():
    a = np.zeros((2, 3, 8, 8, 1), np.float32)
    b = a.copy()
    b[0] += 0.1  # MSE 0.01 -> 10 log10(4 / 0.01)
    checker = np.indices((8, 8)).sum(0) % 2 * 0.4 - 0.2  # +-0.2, MSE 0.04
    b[1] += checker[None, :, :, None]
    per_video = np.asarray(metrics.psnr(a, b, reduction="none"))
    expected = [10 * np.log10(400.0), 10 * np.log10(100.0)]
    np.testing.assert_allclose(per_video, expected, rtol=1e-5)
    assert float(metrics.psnr(a, b)) == pytest.approx(np.mean(expected), rel=1e-5)


def test_psnr_of_identical_videos_is_inf_unless_capped():
    a = np.random.default_rng(13).uniform(-1, 1, (2, 2, 8, 8, 3)).astype(np.float32)
    assert np.isinf(float(metrics.psnr(a, a)))
    assert float(metrics.psnr(a, a, max_db=100.0)) == pytest.approx(100.0)


def test_ssim_identical_hand_computed_and_monotone_in_noise():
    rng = np.random.default_rng(14)
    a = rng.uniform(-1, 1, (2, 2, 16, 16, 3)).astype(np.float32)
    assert float(metrics.ssim(a, a)) == pytest.approx(1.0, abs=1e-6)
    # Flat frames: only the luminance term; on [0, 2] with C1 = (0.01 * 2)^2.
    x = np.full((1, 2, 16, 16, 1), 0.5, np.float32)
    y = np.full((1, 2, 16, 16, 1), 0.3, np.float32)
    c1 = (0.01 * 2.0) ** 2
    expected = (2 * 1.5 * 1.3 + c1) / (1.5**2 + 1.3**2 + c1)
    # Loose tolerance: float32 E[x^2] - E[x]^2 inside tf.image.ssim is off by
    # ~1e-6, against C2 = 0.0036. Without the shift to [0, 2] it would be 0.88.
    assert float(metrics.ssim(x, y)) == pytest.approx(expected, rel=5e-4)
    noise = rng.normal(size=a.shape).astype(np.float32)
    values = [
        float(metrics.ssim(a, np.clip(a + s * noise, -1, 1))) for s in (0.05, 0.2, 0.6)
    ]
    assert values[0] > values[1] > values[2]


def test_frame_metrics_reject_bad_inputs():
    a = np.zeros((1, 2, 16, 16, 1), np.float32)
    with pytest.raises(ValueError, match="same shape"):
        metrics.psnr(a, np.zeros((1, 3, 16, 16, 1), np.float32))
    with pytest.raises(ValueError, match="got dtype uint8"):
        metrics.psnr(a.astype(np.uint8), a.astype(np.uint8))
    with pytest.raises(ValueError, match=r"in \[-1, 1\], got values in \[255, 255\]"):
        metrics.ssim(a, a + 255.0)
    with pytest.raises(ValueError, match="at least 11x11"):
        metrics.ssim(a[:, :, :8, :8], a[:, :, :8, :8])
    with pytest.raises(ValueError, match="reduction"):
        metrics.psnr(a, a, reduction="sum")


def test_metrics_namespace_is_lazy_and_complete():
    import subprocess
    import sys

    code = (
        "import sys, tfvgan.metrics as m; m.frechet_distance; "
        "print('tensorflow' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"
    for name in metrics.__all__:
        assert getattr(metrics, name) is not None
