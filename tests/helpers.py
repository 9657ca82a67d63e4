"""Shared test helpers, in the spirit of keras-hub's `TestCase`.

Every layer, network and model test in the suite goes through these, so a
new component gets shape, serialization and saving checks by one call each.
"""

from __future__ import annotations

import os

import keras
import numpy as np

# The clip shape of every variant's "tiny" preset: (frames, size, size, channels).
TINY_VIDEO_SHAPE = (4, 16, 16, 1)
# A small caption vocabulary (padding and [UNK] first) for text models.
TINY_VOCABULARY = [
    "",
    "[UNK]",
    "digit",
    "moves",
    "up",
    "down",
    "left",
    "right",
    "3",
    "7",
]


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


# ------------------------------------------------------------------ variants
def tiny_model(name: str, condition_type: str | None = None, **kwargs):
    """`build_model(name, "tiny", seed=0)` with `condition_type` wired the
    variant's way: `num_classes=10` for a label `RecurrentGAN`,
    `condition_type=` (and a tiny vocabulary for text) otherwise."""
    from tfvgan.models import build_model

    if name == "recurrent" and condition_type == "label":
        kwargs["num_classes"] = 10
    elif condition_type is not None:
        kwargs["condition_type"] = condition_type
    if condition_type == "text":
        kwargs.update(vocabulary=TINY_VOCABULARY, sequence_length=4)
    return build_model(name, "tiny", seed=0, **kwargs)


def tiny_videos(n: int = 4, shape=TINY_VIDEO_SHAPE, seed: int = 0) -> np.ndarray:
    """`n` float32 clips of `shape`, uniform in [-1, 1]."""
    rng = np.random.default_rng(seed)
    return rng.uniform(-1, 1, (n, *shape)).astype("float32")


def example_condition(model, n: int, seed: int = 0):
    """`n` valid conditions for `model`, read off its `condition_spec`.

    Label ids cycle through `[0, num_classes)`; token ids through the
    vocabulary's words (never padding or `[UNK]`); float conditions (first
    frames, low-resolution clips) are uniform in [-1, 1], masked clips
    too, with a box mask each. None for an unconditional model.
    """
    spec = model.condition_spec
    if spec is None:
        return None
    shape = (n, *spec.shape[1:])
    if model.condition_type == "label":
        return (np.arange(n) % model.num_classes).astype("int32")
    if spec.dtype.is_integer:
        words = len(model.vocabulary) - 2
        return (np.arange(np.prod(shape)).reshape(shape) % words + 2).astype("int32")
    rng = np.random.default_rng(seed)
    if model.condition_type == "masked":  # clips, and a box mask per clip
        from tfvgan import conditions

        clips = rng.uniform(-1, 1, (*shape[:-1], shape[-1] - 1)).astype("float32")
        return conditions.get("masked").from_clips(clips, mask_size=model.size // 2)
    return rng.uniform(-1, 1, shape).astype(spec.dtype.as_numpy_dtype)


def _export_condition(model, condition):
    """`condition` in the exported signatures' input format (captions for a
    text model with a `text_vectorizer`, the model's own format otherwise)."""
    import tensorflow as tf

    from tfvgan.export import condition_spec

    spec = condition_spec(model)
    if spec is None:
        return None
    if spec.dtype == tf.string:
        words = [w for w in model.text_vectorizer.get_vocabulary() if w][1:]
        return np.array([" ".join(np.roll(words, -i)[:4]) for i in range(2)])
    return np.asarray(condition)[:2]


def run_variant_test(
    model,
    tmp_path,
    *,
    init_kwargs: dict | None = None,
    videos=None,
    conditions=None,
    batch_size: int = 2,
    num_critic_heads: int = 1,
    capfd=None,
    fit: bool = True,
    serialization: bool = True,
    saving: bool = True,
    export: bool = True,
):
    """Every check a video GAN variant must pass, in the spirit of keras-hub's
    `TestCase.run_task_test`. Returns the (trained) model.

    `model` is a built model, or a class built with `init_kwargs` (keep both
    tiny: the "tiny" preset). The data default to 4 random clips of the
    model's shape and `example_condition`s; pass `videos`/`conditions` to
    choose them.

    Checks, in order (each but the first can be switched off):

    1. Shapes: `generate(2, condition, seed=1)` is a float32 batch of the
       model's clip shape in [-1, 1]; `discriminate` returns
       `num_critic_heads` rank-2 score tensors with the batch first.
    2. `serialization`: `get_config` -> `from_config` is a fixed point, also
       through Keras' (de)serialization (`run_serialization_test`).
    3. `fit`: `compile(ema_decay=0.9)` and one epoch on the clips (batch
       `batch_size`): finite `d_loss`, `g_loss`, `d_real`, `d_fake`; the
       generator, the discriminator and the EMA copy all change; one
       optimizer step per batch.
    4. `saving`: the `.keras` round trip generates the same videos, from the
       generator and the EMA copy (`run_model_saving_test`).
    5. `export`: `tfvgan.export.export_generator` (which verifies its own
       signatures) writes version 1 under `tmp_path`; reloaded with plain
       `tf.saved_model.load`, `generate_from_seed` returns uint8 clips of the
       model's shape that match `generate(2, seed=3)` to a uint8 step.

    With pytest's `capfd` fixture, also checks that no Grappler pass failed
    ("meta_optimizer" on stderr) from the start of the test to the end.
    """
    import tensorflow as tf

    if isinstance(model, type):
        model = model(**(init_kwargs or {}))
    if videos is None:
        videos = tiny_videos(4, model.video_shape)
    videos = np.asarray(videos, "float32")
    if conditions is None:
        conditions = example_condition(model, len(videos))
    condition = None if conditions is None else conditions[:2]

    # 1. Shapes and range.
    generated = model.generate(2, condition=condition, seed=1)
    assert_video_batch(generated, (2, *model.video_shape))
    logits = model.discriminate(
        tf.constant(generated), model.prepare_condition(condition)
    )
    logits = logits if isinstance(logits, (list, tuple)) else [logits]
    assert len(logits) == num_critic_heads, len(logits)
    for x in logits:
        assert x.shape[0] == 2 and x.shape.rank == 2, x.shape

    # 2. Config round trip (of the model as built).
    if serialization:
        run_serialization_test(model)

    # 3. A train step.
    if fit:
        data = videos if conditions is None else (videos, conditions)
        dataset = tf.data.Dataset.from_tensor_slices(data).batch(
            batch_size, drop_remainder=True
        )
        model.compile(ema_decay=0.9)
        g0 = [w.copy() for w in model.generator.get_weights()]
        d0 = [w.copy() for w in model.discriminator.get_weights()]
        history = model.fit(dataset, epochs=1, verbose=0).history
        for key in ("d_loss", "g_loss", "d_real", "d_fake"):
            assert np.isfinite(history[key][-1]), key

        def changed(a, b):
            return any(not np.allclose(x, y) for x, y in zip(a, b))

        assert changed(g0, model.generator.get_weights())
        assert changed(d0, model.discriminator.get_weights())
        # EMA moved towards the generator but is not equal to it.
        assert changed(g0, model.ema_generator.get_weights())
        assert changed(model.generator.get_weights(), model.ema_generator.get_weights())
        assert int(model.optimizer.iterations) == len(videos) // batch_size

    # 4. `.keras` round trip (with the EMA copy when trained).
    if saving:
        run_model_saving_test(model, tmp_path, condition=condition)

    # 5. SavedModel export, reloaded without tfvgan.
    if export:
        from tfvgan.export import export_generator

        base = os.path.join(str(tmp_path), "export")
        path = export_generator(model, base, max_batch=4)
        assert path == os.path.join(base, "1")
        served = tf.saved_model.load(path)
        request = _export_condition(model, condition)
        extra = {} if request is None else {"condition": tf.constant(request)}
        out = served.signatures["generate_from_seed"](
            seed=tf.constant([3, 4], tf.int64), **extra
        )["video"]
        assert out.dtype == tf.uint8
        assert tuple(out.shape) == (2, *model.video_shape), out.shape
        expected = model.generate(2, condition=request, seed=3)
        expected = np.round((expected + 1.0) * 127.5)
        assert np.abs(out.numpy().astype("float32") - expected).max() <= 1.0

    if capfd is not None:
        # Grappler optimizes every traced function (the train step, the
        # export's) without errors: a failed pass (e.g. the oneDNN remapper
        # on a Pad feeding a Conv3D) is logged to stderr. Read since the test
        # began, so the model's construction is covered too.
        assert "meta_optimizer" not in capfd.readouterr().err
    return model
