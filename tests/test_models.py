"""The model registry and what every variant shares: `build_model`, presets,
argument checks across variants, the condition encoders, learning per variant.

The shared `VideoGAN` loop is tested in tests/test_video_gan.py; each variant
in tests/test_model_<variant>.py (through `helpers.run_variant_test`).
"""

import warnings

import keras
import numpy as np
import pytest
import tensorflow as tf

from tests.helpers import run_layer_test
from tfvgan import layers
from tfvgan.models import MODELS, build_model, preset_table


# ----------------------------------------------------- registry and presets
def test_build_model_lists_valid_names():
    with pytest.raises(ValueError, match="conditional"):
        build_model("nope")
    with pytest.raises(ValueError, match="paper"):
        build_model("temporal", preset="nope")
    assert set(MODELS) == {"conditional", "temporal", "conv3d", "recurrent"}


def test_paper_presets_match_published_latent_sizes():
    from tfvgan.models import PRESETS

    assert PRESETS["temporal"]["paper"]["frames"] == 16
    assert PRESETS["conv3d"]["paper"]["frames"] == 32
    assert (
        PRESETS["recurrent"]["paper"]["content_dim"],
        PRESETS["recurrent"]["paper"]["motion_dim"],
    ) == (50, 10)


def _preset_cases():
    for name, cls in MODELS.items():
        for preset in cls.presets:
            marks = [pytest.mark.slow] if preset == "paper" else []  # 1-3 s each
            yield pytest.param(name, preset, marks=marks, id=f"{name}-{preset}")


@pytest.mark.parametrize("name, preset", _preset_cases())
def test_presets_declare_what_they_build(name, preset):
    """A preset's parameter count is the built model's; it says what it is."""
    info = MODELS[name].presets[preset]
    gan = MODELS[name].from_preset(preset)
    assert gan.generator.count_params() + gan.discriminator.count_params() == (
        info.params
    )
    assert info.description and info.description.endswith(".")
    assert info.paper is None or info.paper.startswith("https://arxiv.org/abs/")
    with pytest.raises(TypeError):
        info.kwargs["frames"] = 2  # read-only: from_preset copies it
    row = next(r for r in preset_table() if (r["model"], r["preset"]) == (name, preset))
    assert row["params"] == info.params and row["description"] == info.description


def test_from_preset_names_the_presets_of_its_variant():
    from tfvgan.models import RecurrentGAN, VideoGAN

    with pytest.raises(ValueError, match=r"'huge'.*\['paper', 'quickstart', 'tiny'\]"):
        RecurrentGAN.from_preset("huge")
    with pytest.raises(ValueError, match="has no architecture presets"):
        VideoGAN.from_preset("tiny")
    gan = RecurrentGAN.from_preset("tiny", frames=6)  # overrides win
    assert gan.frames == 6


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


# ------------------------------------------ layers the variants are built of
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
