"""Mixed precision: the `mixed_bfloat16` dtype policy across variants and runs."""

from __future__ import annotations

import json
import os

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfvgan import builders, models, precision, train
from tfvgan import config as config_lib


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


@pytest.mark.parametrize(
    "name",
    [  # 4-5 s each: two in the default run
        n if n in ("recurrent", "temporal") else pytest.param(n, marks=pytest.mark.slow)
        for n in sorted(models.MODELS)
    ],
)
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


@pytest.mark.slow  # 9 s
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
    assert _compute_dtypes(builders.build_model(config).generator) == {"bfloat16"}


# ------------------------------------------------------ dtype_policy="auto"
@pytest.mark.parametrize(
    "flags, gpus, tpu, expected, why",
    [
        ({"avx512f", "amx_bf16", "amx_tile"}, [], False, "mixed_bfloat16", "AMX"),
        ({"avx512f", "avx512_bf16"}, [], False, "float32", "AVX512-BF16 but no AMX"),
        ({"avx2"}, [], False, "float32", "without bfloat16"),
        ({"avx2"}, [("NVIDIA A100", (8, 0))], False, "mixed_bfloat16", "Ampere"),
        (
            {"avx2"},
            [("NVIDIA H100", (9, 0)), ("Tesla T4", (7, 5))],
            False,
            "float32",
            "mixed_float16",
        ),
        ({"avx2"}, [("Tesla T4", (7, 5))], False, "float32", "Ampere"),
        ({"amx_bf16"}, [("Tesla V100", (7, 0))], False, "float32", "V100"),
        ({"avx2"}, [], True, "mixed_bfloat16", "TPU"),
    ],
)
def test_auto_policy_follows_the_hardware(flags, gpus, tpu, expected, why, monkeypatch):
    """bfloat16 on AMX CPUs, Ampere-or-newer GPUs (all of them) and TPUs;
    float32 elsewhere. A GPU decides over the host CPU."""
    monkeypatch.delenv(precision.ENV_OVERRIDE, raising=False)
    policy, reason = precision.choose_dtype_policy(frozenset(flags), gpus, tpu)
    assert policy == expected
    assert why in reason


def test_auto_policy_override_and_its_check(monkeypatch):
    monkeypatch.setenv(precision.ENV_OVERRIDE, "mixed_bfloat16")
    assert precision.choose_dtype_policy(frozenset(), [], False)[0] == "mixed_bfloat16"
    monkeypatch.setenv(precision.ENV_OVERRIDE, "bfloat16")
    with pytest.raises(ValueError, match="TFVGAN_AUTO_DTYPE_POLICY='bfloat16'"):
        precision.choose_dtype_policy()


def test_cpu_flags_are_read_from_cpuinfo(tmp_path):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(
        "processor\t: 0\nmodel name\t: Xeon\nflags\t\t: fpu avx512f amx_bf16\n"
        "processor\t: 1\nflags\t\t: fpu\n"
    )
    assert precision.cpu_flags(str(cpuinfo)) == {"fpu", "avx512f", "amx_bf16"}
    assert precision.cpu_flags(str(tmp_path / "missing")) == frozenset()


def test_auto_is_the_default_and_builds_under_the_chosen_policy(monkeypatch):
    assert config_lib.TrainConfig().dtype_policy == "auto"
    assert "auto" in config_lib.DTYPE_POLICIES
    monkeypatch.setenv(precision.ENV_OVERRIDE, "mixed_bfloat16")
    with models.dtype_policy("auto"):
        gan = models.build_model("temporal", "tiny", seed=0)
    assert keras.config.dtype_policy().name == "float32"
    assert _compute_dtypes(gan.generator) == {"bfloat16"}


def _stub_machine(monkeypatch, flags):
    monkeypatch.delenv(precision.ENV_OVERRIDE, raising=False)
    monkeypatch.setattr(precision, "cpu_flags", lambda path=None: frozenset(flags))
    monkeypatch.setattr(precision, "accelerators", lambda: ([], False))


@pytest.mark.slow  # 10 s
def test_run_resolves_auto_once_and_a_resume_keeps_it(tmp_path, monkeypatch, capsys):
    """The runner writes the policy "auto" chose into config.json and logs
    why; resuming the run on a machine that would choose otherwise keeps the
    policy the run started with."""
    _stub_machine(monkeypatch, {"amx_bf16", "amx_tile"})
    config = config_lib.TrainConfig.from_preset(
        "tiny", run_dir=str(tmp_path / "run"), sample_every_epochs=0, export=False
    )
    assert config.dtype_policy == "auto"
    model = train.run(config).model
    assert _compute_dtypes(model.generator) == {"bfloat16"}
    path = os.path.join(config.run_dir, "config.json")
    with open(path) as f:
        assert json.load(f)["dtype_policy"] == "mixed_bfloat16"
    assert (
        "dtype policy auto -> mixed_bfloat16: CPU with AMX" in capsys.readouterr().out
    )

    _stub_machine(monkeypatch, {"avx2"})  # this machine would pick float32
    import dataclasses

    longer = dataclasses.replace(config, epochs=config.epochs + 1)
    model = train.run(longer).model
    assert _compute_dtypes(model.generator) == {"bfloat16"}
    assert "mixed_bfloat16: the policy this run started with" in capsys.readouterr().out
    with open(path) as f:
        assert json.load(f)["dtype_policy"] == "mixed_bfloat16"

    # A new run on that machine resolves to float32.
    fresh = dataclasses.replace(config, run_dir=str(tmp_path / "fresh"))
    assert _compute_dtypes(train.run(fresh).model.generator) == {"float32"}


# ------------------------------------------ mixed_float16 with loss scaling
def _state(gan) -> dict:
    """Every variable a training step may change, by role, as NumPy arrays."""
    d_opt, g_opt = gan.d_optimizer, gan.g_optimizer
    groups = {
        "generator": gan.generator.weights,
        "discriminator": gan.discriminator.weights,
        "ema": gan.ema_generator.weights,
        "d_slots": [
            v for v in d_opt.inner_optimizer.variables if "iteration" not in v.path
        ],
        "g_slots": [
            v for v in g_opt.inner_optimizer.variables if "iteration" not in v.path
        ],
    }
    return {k: [np.array(v.numpy()) for v in vs] for k, vs in groups.items()}


class _ForceOverflow(keras.callbacks.Callback):
    """Sets one network's loss scale to 2**100 for one step (at global step
    `step`): its float16 gradients overflow. Records the state around it."""

    def __init__(self, network: str, step: int):
        super().__init__()
        self.network, self.step = network, step
        self.before = self.after = None

    def _optimizer(self):
        return getattr(self.model, f"{self.network}_optimizer")

    def on_train_batch_begin(self, batch, logs=None):
        self.at_step = int(self.model.g_optimizer.iterations.numpy()) == self.step
        if self.at_step:
            self.before = _state(self.model)
            self.iterations = (
                int(self.model.d_optimizer.iterations.numpy()),
                int(self.model.g_optimizer.iterations.numpy()),
            )
            self.scales = [float(self.model.d_optimizer.dynamic_scale),
                           float(self.model.g_optimizer.dynamic_scale)]  # fmt: skip
            self._optimizer().dynamic_scale.assign(2.0**100)

    def on_train_batch_end(self, batch, logs=None):
        if self.at_step:
            self.after = _state(self.model)
            self.iterations_after = (
                int(self.model.d_optimizer.iterations.numpy()),
                int(self.model.g_optimizer.iterations.numpy()),
            )
            self.scales_after = [float(self.model.d_optimizer.dynamic_scale),
                                 float(self.model.g_optimizer.dynamic_scale)]  # fmt: skip
            index = 0 if self.network == "d" else 1
            self._optimizer().dynamic_scale.assign(self.scales[index])


@pytest.mark.parametrize(
    "name",
    # recurrent in the default run (the quick-start family), the rest slow.
    [n if n == "recurrent" else pytest.param(n, marks=pytest.mark.slow)
     for n in sorted(models.MODELS)],
)  # fmt: skip
def test_every_variant_trains_in_float16_with_loss_scaling(name):
    with models.dtype_policy("mixed_float16"):
        gan = models.build_model(name, "tiny", seed=0)
    gan.compile(ema_decay=0.9, r1_weight=0.1)
    for optimizer in (gan.d_optimizer, gan.g_optimizer):
        assert isinstance(optimizer, keras.optimizers.LossScaleOptimizer)
    for network in (gan.generator, gan.discriminator, gan.ema_generator):
        assert _compute_dtypes(network) == {"float16"}, network.name
        assert {v.dtype for v in network.weights} == {"float32"}
    # The first steps may overflow until the loss scale has come down from
    # 2**15 (halving once per overflow): 8 steps leave room for that.
    history = gan.fit(_data(gan, n=16), epochs=1, verbose=0).history
    assert all(np.isfinite(values[-1]) for values in history.values()), history
    assert 0.0 <= history["skipped"][-1] < 1.0
    # Eight batches: eight steps counted, skipped or not.
    assert int(gan.g_optimizer.iterations) == 8
    assert int(gan.d_optimizer.iterations) == 8

    noise = np.random.default_rng(1).normal(size=(2, gan.latent_dim))
    video = _generate(gan, noise)
    assert video.dtype == np.float32 and video.shape == (2, *gan.video_shape)
    reference = models.build_model(name, "tiny", seed=0)
    reference.generator.set_weights(gan.generator.get_weights())
    difference = np.abs(video - _generate(reference, noise))
    assert 0.0 < difference.max() < 0.25, difference.max()


@pytest.mark.parametrize(
    "network, jit",
    [
        pytest.param("d", False, marks=pytest.mark.slow),  # 6-7 s each
        ("g", False),
        pytest.param("g", True, marks=pytest.mark.slow),
    ],
)
def test_an_overflowing_step_is_skipped_whole_and_still_counted(network, jit):
    """A step whose critic (d) or generator (g) gradients overflow changes no
    weight, optimizer slot or EMA weight (for g: the critic, updated before
    G's gradients overflowed, is restored); both optimizers' iterations
    advance as in a kept step; only that network's loss scale halves. Also
    under XLA (the GPU default)."""
    with models.dtype_policy("mixed_float16"):
        gan = models.build_model("recurrent", "tiny", seed=0)
    gan.compile(ema_decay=0.9, d_steps=2, jit_compile=jit)
    overflow = _ForceOverflow(network, step=2)
    history = gan.fit(_data(gan, n=8), epochs=1, verbose=0, callbacks=[overflow])
    assert overflow.before is not None and overflow.after is not None
    for group, values in overflow.before.items():
        for a, b in zip(values, overflow.after[group]):
            np.testing.assert_array_equal(a, b, err_msg=group)
    assert overflow.iterations_after == (
        overflow.iterations[0] + 2,
        overflow.iterations[1] + 1,
    )
    index = 0 if network == "d" else 1
    assert overflow.scales_after[index] == 2.0**99
    # The other network's gradients were finite: its scale did not change.
    assert overflow.scales_after[1 - index] == overflow.scales[1 - index]
    assert history.history["skipped"][-1] == pytest.approx(0.25)
    assert int(gan.g_optimizer.iterations) == 4
    # The steps before and after the skipped one did train.
    fresh = _state(gan)
    assert any(
        not np.array_equal(a, b)
        for a, b in zip(fresh["generator"], overflow.after["generator"])
    )


def _final_state(run_dir):
    import tensorflow as tf

    reader = tf.train.load_checkpoint(os.path.join(run_dir, "checkpoints"))
    names = sorted(reader.get_variable_to_shape_map())
    # The object graph records Keras' global layer-name counters (which
    # differ between processes' histories); the values are what count.
    skip = ("save_counter", "_CHECKPOINTABLE_OBJECT_GRAPH")
    return {n: reader.get_tensor(n) for n in names if not any(k in n for k in skip)}


@pytest.mark.slow  # ~12 s: three runs
def test_float16_resume_is_bit_identical_through_a_skipped_step(tmp_path):
    """With a forced overflow at step 1, a run of 4 steps and the same run
    stopped after 2 steps and resumed end in bit-identical checkpoints
    (weights, slots, loss scales, counters): checkpoints and the data
    position count skipped steps like kept ones."""

    def config(name, epochs):
        return config_lib.TrainConfig.from_preset(
            "tiny",
            run_dir=str(tmp_path / name),
            dtype_policy="mixed_float16",
            deterministic=True,
            epochs=epochs,
            sample_every_epochs=0,
            export=False,
        )

    whole = _ForceOverflow("g", step=1)
    train.run(config("whole", 2), callbacks=[whole])
    assert whole.after is not None
    first = _ForceOverflow("g", step=1)
    train.run(config("resumed", 1), callbacks=[first])
    assert first.after is not None
    train.run(config("resumed", 2))
    expected = _final_state(str(tmp_path / "whole"))
    resumed = _final_state(str(tmp_path / "resumed"))
    assert sorted(expected) == sorted(resumed)
    assert any("dynamic_scale" in name for name in expected)
    for name, value in expected.items():
        np.testing.assert_array_equal(resumed[name], value, err_msg=name)
    with open(os.path.join(str(tmp_path / "whole"), "config.json")) as f:
        assert json.load(f)["dtype_policy"] == "mixed_float16"


def test_a_resume_may_not_switch_to_or_from_float16(tmp_path):
    """bfloat16 <-> float32 is a resumable change; to or from mixed_float16
    is not (its checkpoints carry loss-scale optimizers), and the message
    says why."""
    base = config_lib.TrainConfig.from_preset("tiny", dtype_policy="float32")
    for policy, refused in (
        ("mixed_bfloat16", False),
        ("mixed_float16", True),
        ("auto", False),
    ):
        other = config_lib.TrainConfig.from_dict(
            {**base.to_dict(), "dtype_policy": policy}
        )
        assert ("dtype_policy" in other.incompatible_fields(base)) == refused
        assert ("dtype_policy" in base.incompatible_fields(other)) == refused

    config = config_lib.TrainConfig.from_preset(
        "tiny",
        run_dir=str(tmp_path / "run"),
        dtype_policy="float32",
        epochs=1,
        sample_every_epochs=0,
        export=False,
    )
    train.run(config)
    import dataclasses

    switched = dataclasses.replace(config, epochs=2, dtype_policy="mixed_float16")
    with pytest.raises(train.RunDirError, match="not to or from mixed_float16"):
        train.run(switched)


def test_penalties_do_not_depend_on_their_grad_scale():
    """GP and R1 with a float16-sized grad_scale equal the unscaled ones."""
    from tfvgan import losses

    rng = np.random.default_rng(4)
    real = tf.constant(rng.normal(size=(3, 2, 4, 4, 1)).astype("float32"))
    fake = tf.constant(rng.normal(size=(3, 2, 4, 4, 1)).astype("float32"))
    w = tf.constant(rng.normal(size=(32, 1)).astype("float32"))

    def critic(x):
        return tf.tanh(tf.reshape(x, (3, -1))) @ w

    alpha = tf.constant([[[[[0.2]]]], [[[[0.5]]]], [[[[0.9]]]]])
    for scale in (2.0**15, 2.0**-10):
        np.testing.assert_allclose(
            losses.gradient_penalty(critic, real, fake, alpha=alpha, grad_scale=scale),
            losses.gradient_penalty(critic, real, fake, alpha=alpha),
            rtol=1e-5,
        )
        np.testing.assert_allclose(
            losses.r1_penalty(critic, real, grad_scale=scale),
            losses.r1_penalty(critic, real),
            rtol=1e-5,
        )


def test_an_infinite_loss_in_a_skipped_step_stays_out_of_the_logs():
    """A float16 forward overflow (an inf loss) skips the step; its losses
    are not averaged into the logs, so the non-finite guard does not stop
    a run that recovers."""
    from tfvgan import callbacks, losses

    factor = tf.Variable(1.0, trainable=False)
    g_loss, d_loss = losses.get("non_saturating")

    def inflated_d_loss(real, fake):
        return d_loss(real, fake) * factor

    class Inflate(keras.callbacks.Callback):
        def on_train_batch_begin(self, batch, logs=None):
            factor.assign(np.inf if batch == 1 else 1.0)

    with models.dtype_policy("mixed_float16"):
        gan = models.build_model("recurrent", "tiny", seed=0)
    gan.compile(loss=(g_loss, inflated_d_loss))
    guard = callbacks.NonFiniteGuard()
    history = gan.fit(
        _data(gan, n=8), epochs=1, verbose=0, callbacks=[guard, Inflate()]
    ).history
    assert not guard.tripped, guard.message
    assert np.isfinite(history["d_loss"][-1])
    assert history["skipped"][-1] >= 0.25
    assert int(gan.g_optimizer.iterations) == 4


@pytest.mark.slow  # 8 exports, ~40 s
@pytest.mark.parametrize("policy", ["mixed_bfloat16", "mixed_float16"])
@pytest.mark.parametrize("name", sorted(models.MODELS))
def test_every_variant_exports_under_each_half_precision_policy(name, policy, tmp_path):
    """Trained under the policy, exported (the export reloads and compares
    itself with the in-memory generator) and served in float32."""
    from tfvgan import export

    with models.dtype_policy(policy):
        gan = models.build_model(name, "tiny", seed=0)
    gan.compile(ema_decay=0.9)
    gan.fit(_data(gan), epochs=1, verbose=0)
    path = export.export_generator(gan, str(tmp_path))
    served = tf.saved_model.load(path)
    noise = tf.random.stateless_normal((2, gan.latent_dim), seed=(1, 2))
    extra = {}
    if gan.conditional:
        extra["condition"] = tf.constant([1, 2], tf.int32)
    video = served.signatures["generate_float"](noise=noise, **extra)["video"]
    assert video.dtype == tf.float32 and tuple(video.shape) == (2, *gan.video_shape)
    expected = gan.generate(noise=noise, condition=extra.get("condition"))  # EMA
    # Within the compute dtype's epsilon (graph and eager round differently).
    eps = 2.0**-7 if policy == "mixed_bfloat16" else 2.0**-10
    difference = np.abs(video.numpy() - expected).max()
    assert difference <= eps, difference


@pytest.mark.slow  # ~10 s each
@pytest.mark.parametrize(
    "condition_type,given",
    [("frames", [0, 1]), ("keyframes", [0, 3]), ("masked", None)],
)
def test_frame_generators_stay_float32_under_bfloat16(condition_type, given, tmp_path):
    """The frames, keyframes and masked cGANs under mixed_bfloat16: their
    critic computes in bfloat16, their generator (`FramePredictor`,
    `KeyframeInterpolator`, `Inpainter`) in float32 (frames feed later
    frames), so the given frames (or pixels) come back exact and the export
    matches to 1e-5."""
    from tfvgan import export, masking

    with models.dtype_policy("mixed_bfloat16"):
        gan = models.build_model(
            "conditional", "tiny", condition_type=condition_type, seed=0
        )
    gan.compile(ema_decay=0.9)
    assert _compute_dtypes(gan.generator) == {"float32"}
    assert gan.generator.dtype_policy.compute_dtype == "float32"  # its inputs
    assert _compute_dtypes(gan.discriminator) == {"bfloat16"}
    rng = np.random.default_rng(0)
    video = rng.uniform(-1, 1, (4, *gan.video_shape)).astype("float32")
    shifted = video + np.float32(1e-3) * np.sign(-video)  # not bfloat16 values
    if condition_type == "masked":
        mask = masking.box_masks(video, gan.size // 2).numpy()
        conditions = masking.masked_condition(video, mask)
        condition = masking.masked_condition(shifted[:2], mask[:2])
        seen = mask[:2, ..., 0] == 0
    else:
        conditions, condition = video[:, given], shifted[:2, given]
    data = tf.data.Dataset.from_tensor_slices((video, conditions)).batch(2)
    gan.fit(data, epochs=1, verbose=0)
    out = np.asarray(gan.generate(condition=condition, seed=0))
    if condition_type == "masked":
        np.testing.assert_array_equal(out[seen], shifted[:2][seen])
    else:
        np.testing.assert_array_equal(out[:, given], condition)
    path = export.export_generator(gan, str(tmp_path))  # verifies itself
    served = tf.saved_model.load(path)
    noise = tf.random.stateless_normal((2, gan.latent_dim), seed=(1, 2))
    got = served.signatures["generate_float"](noise=noise, condition=condition)
    expected = gan.generate(noise=noise, condition=condition)
    np.testing.assert_allclose(got["video"].numpy(), expected, rtol=0, atol=1e-5)
