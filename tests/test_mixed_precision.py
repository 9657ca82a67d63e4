"""Mixed precision: the `mixed_bfloat16` dtype policy across variants and runs."""

from __future__ import annotations

import json
import os

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfvgan import config as config_lib
from tfvgan import models, train


def _data(gan, n=4):
    rng = np.random.default_rng(0)
    video = rng.uniform(-1, 1, (n, *gan.video_shape)).astype("float32")
    if gan.conditional:
        return tf.data.Dataset.from_tensor_slices((video, np.arange(n) % 10)).batch(2)
    return tf.data.Dataset.from_tensor_slices(video).batch(2)


def _generate(gan, noise):
    condition = np.array([1, 2]) if gan.conditional else None
    return gan.generate(noise=noise, condition=condition, use_ema=False)


def _compute_dtypes(network):
    return {
        layer.dtype_policy.compute_dtype
        for layer in network._flatten_layers()
        if layer.weights and not layer._flatten_layers(include_self=False)
    }


@pytest.mark.parametrize("name", sorted(models.MODELS))
def test_every_variant_trains_in_bfloat16_with_float32_outputs(name):
    with models.dtype_policy("mixed_bfloat16"):
        gan = models.build_model(name, "tiny", seed=0)
    assert keras.config.dtype_policy().name == "float32"  # restored
    # Compiled outside the block: the EMA copy still computes in bfloat16.
    gan.compile(ema_decay=0.9, r1_weight=0.1)
    for network in (gan.generator, gan.discriminator, gan.ema_generator):
        assert _compute_dtypes(network) == {"bfloat16"}, network.name
        assert {v.dtype for v in network.weights} == {"float32"}
    history = gan.fit(_data(gan), epochs=1, verbose=0).history
    assert set(history) >= {"d_loss", "g_loss", "r1"}
    assert all(np.isfinite(values[-1]) for values in history.values()), history

    noise = np.random.default_rng(1).normal(size=(2, gan.latent_dim))
    video = _generate(gan, noise)
    assert video.dtype == np.float32 and video.shape == (2, *gan.video_shape)
    assert np.all(np.abs(video) <= 1.0)
    # The same weights in float32: close, but not equal (bfloat16 has 8 bits
    # of mantissa, so the computation really ran in it).
    reference = models.build_model(name, "tiny", seed=0)
    reference.generator.set_weights(gan.generator.get_weights())
    difference = np.abs(video - _generate(reference, noise))
    assert 0.0 < difference.max() < 0.25, difference.max()


def test_bfloat16_model_saves_and_loads_with_its_policy(tmp_path):
    with models.dtype_policy("mixed_bfloat16"):
        gan = models.build_model("recurrent", "tiny", seed=0)
    gan.compile()
    gan.fit(_data(gan), epochs=1, verbose=0)
    path = str(tmp_path / "gan.keras")
    gan.save(path)
    loaded = keras.models.load_model(path)
    assert _compute_dtypes(loaded.generator) == {"bfloat16"}
    noise = np.random.default_rng(2).normal(size=(2, gan.latent_dim))
    np.testing.assert_array_equal(_generate(loaded, noise), _generate(gan, noise))


def test_mixed_float16_is_refused_with_the_alternative():
    with models.dtype_policy("mixed_float16"):
        gan = models.build_model("temporal", "tiny")
    with pytest.raises(ValueError, match="mixed_float16 .*not supported.*bfloat16"):
        gan.compile()


def test_run_in_bfloat16_exports_a_float32_saved_model(tmp_path):
    config = config_lib.TrainConfig.from_preset(
        "tiny",
        run_dir=str(tmp_path / "run"),
        dtype_policy="mixed_bfloat16",
        sample_every_epochs=0,
    )
    model = train.run(config).model
    assert keras.config.dtype_policy().name == "float32"
    assert _compute_dtypes(model.generator) == {"bfloat16"}
    with open(os.path.join(config.run_dir, "config.json")) as f:
        assert json.load(f)["dtype_policy"] == "mixed_bfloat16"
    export_root = os.path.join(config.run_dir, "export")
    version = sorted(os.listdir(export_root), key=int)[-1]
    served = tf.saved_model.load(os.path.join(export_root, version))
    noise = tf.random.stateless_normal((2, model.latent_dim), seed=(1, 2))
    outputs = served.signatures["generate_float"](noise=noise)
    video = outputs["video"].numpy()
    assert video.dtype == np.float32 and video.shape == (2, *model.video_shape)
    np.testing.assert_allclose(video, model.generate(noise=noise), atol=1e-5)
    # Rebuilt from the run's config (as tfvgan-sample does): same policy.
    assert _compute_dtypes(train.build_model(config).generator) == {"bfloat16"}
