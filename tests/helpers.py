"""Shared test helpers, in the spirit of keras-hub's `TestCase`.

Every layer, network and model test in the suite goes through these, so a
new component gets shape, serialization and saving checks by one call each.
"""

from __future__ import annotations

import os

import keras
import numpy as np


def run_serialization_test(obj) -> None:
    """`get_config` -> `from_config` -> `get_config` is a fixed point.

    Also checks that Keras' own serialize/deserialize (the `.keras` path)
    recreates an object of the same class.
    """
    config = obj.get_config()
    clone = obj.__class__.from_config(config)
    assert clone.get_config() == config
    restored = keras.saving.deserialize_keras_object(
        keras.saving.serialize_keras_object(obj)
    )
    assert type(restored) is type(obj)
    assert restored.get_config() == config


def run_layer_test(layer, inputs, expected_output_shape) -> np.ndarray:
    """Calls `layer` on `inputs`, checks the output shape and serialization."""
    outputs = keras.ops.convert_to_numpy(layer(inputs))
    assert tuple(outputs.shape) == tuple(expected_output_shape), (
        f"expected {expected_output_shape}, got {outputs.shape}"
    )
    assert np.all(np.isfinite(outputs))
    run_serialization_test(layer)
    return outputs


def run_model_saving_test(model, tmp_path, condition=None, seed: int = 7) -> None:
    """`.keras` round trip: the reloaded model generates the same videos."""
    path = os.path.join(str(tmp_path), "model.keras")
    kwargs = dict(num_videos=2, condition=condition, seed=seed, use_ema=False)
    before = model.generate(**kwargs)
    model.save(path)
    restored = keras.saving.load_model(path)
    assert type(restored) is type(model)
    after = restored.generate(**kwargs)
    np.testing.assert_allclose(before, after, atol=1e-6)
    if getattr(model, "ema_generator", None) is not None:
        assert restored.ema_generator is not None
        np.testing.assert_allclose(
            model.generate(**{**kwargs, "use_ema": True}),
            restored.generate(**{**kwargs, "use_ema": True}),
            atol=1e-6,
        )


def assert_video_batch(videos, shape) -> None:
    """A float32 video batch of `shape` with every value in [-1, 1]."""
    videos = np.asarray(videos)
    assert videos.shape == tuple(shape), f"expected {shape}, got {videos.shape}"
    assert videos.dtype == np.float32
    assert np.all(np.isfinite(videos))
    assert videos.min() >= -1.0 and videos.max() <= 1.0
