"""`tfvgan.layers`: fused batch norm against Keras' own; ops with custom gradients."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfvgan.layers import FusedBatchNormalization, leaky_relu
from tfvgan.models import networks


def _pair(shape, **kwargs):
    kwargs = {"momentum": 0.9, "epsilon": 1e-5, **kwargs}
    fused = FusedBatchNormalization(**kwargs)
    plain = keras.layers.BatchNormalization(**kwargs)
    fused.build(shape)
    plain.build(shape)
    rng = np.random.default_rng(0)
    c = shape[kwargs.get("axis", -1)]
    weights = [rng.uniform(0.5, 1.5, c), rng.normal(size=c)]
    weights += [rng.normal(size=c), rng.uniform(0.5, 2.0, c)]
    for layer in (fused, plain):
        variables = (layer.gamma, layer.beta, layer.moving_mean, layer.moving_variance)
        for variable, value in zip(variables, weights):
            variable.assign(value.astype("float32"))
    return fused, plain


def _train_step(layer, x, upstream):
    @tf.function
    def step(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = layer(x, training=True)
            loss = tf.reduce_sum(y * upstream)
        grads = tape.gradient(loss, [x, layer.gamma, layer.beta])
        return y, grads

    return step(x)


@pytest.mark.parametrize(
    "shape", [(6, 5), (4, 7, 5), (4, 6, 6, 8), (2, 3, 6, 6, 8), (1, 4, 4, 4, 3)]
)
def test_fused_matches_keras_in_training(shape):
    """Outputs, gradients (x, gamma, beta) and moving statistics agree."""
    rng = np.random.default_rng(1)
    x = tf.constant(rng.normal(2.0, 3.0, shape).astype("float32"))
    upstream = tf.constant(rng.normal(size=shape).astype("float32"))
    fused, plain = _pair(shape)
    y_f, g_f = _train_step(fused, x, upstream)
    y_p, g_p = _train_step(plain, x, upstream)
    np.testing.assert_allclose(y_f, y_p, rtol=1e-4, atol=1e-4)
    for a, b in zip(g_f, g_p):
        np.testing.assert_allclose(a, b, rtol=1e-3, atol=1e-4)
    for a, b in zip(fused.get_weights(), plain.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    # The moving variance moved towards the biased batch variance.
    var = np.var(x.numpy().reshape(-1, shape[-1]), axis=0)
    initial = _pair(shape)[0].moving_variance.numpy()
    np.testing.assert_allclose(
        fused.moving_variance.numpy(), 0.9 * initial + 0.1 * var, rtol=1e-4
    )


def test_fused_kernel_is_used_in_training_only():
    shape = (2, 3, 4, 4, 8)
    x = tf.random.normal(shape)
    fused, plain = _pair(shape)

    def op_types(training):
        fn = tf.function(lambda x: fused(x, training=training))
        graph = fn.get_concrete_function(x).graph
        return {op.type for op in graph.get_operations()}

    assert "FusedBatchNormV3" in op_types(True)
    assert "FusedBatchNormV3" not in op_types(False)
    np.testing.assert_allclose(
        fused(x, training=False), plain(x, training=False), rtol=1e-5, atol=1e-5
    )


@pytest.mark.parametrize(
    "kwargs, why",
    [
        ({"epsilon": 1e-6}, "epsilon below cuDNN's minimum"),
        ({"axis": 1}, "axis other than the last"),
        ({"renorm": True}, "batch renormalization"),
    ],
)
def test_falls_back_to_keras_where_the_kernel_does_not_apply(kwargs, why):
    shape = (4, 6, 6, 8)
    x = tf.random.normal(shape)
    fused, plain = _pair(shape, **kwargs)
    fn = tf.function(lambda x: fused(x, training=True))
    ops = {op.type for op in fn.get_concrete_function(x).graph.get_operations()}
    assert "FusedBatchNormV3" not in ops, why
    np.testing.assert_allclose(
        fused(x, training=True), plain(x, training=True), rtol=1e-5, atol=1e-5
    )


def test_fused_batch_norm_serializes(tmp_path):
    layer = FusedBatchNormalization(momentum=0.8, epsilon=2e-5, synchronized=True)
    clone = keras.saving.deserialize_keras_object(
        keras.saving.serialize_keras_object(layer)
    )
    assert isinstance(clone, FusedBatchNormalization)
    assert clone.get_config() == layer.get_config()
    inputs = keras.Input((4, 4, 3))
    model = keras.Model(inputs, layer(inputs))
    path = tmp_path / "bn.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert isinstance(loaded.layers[-1], FusedBatchNormalization)


@pytest.mark.parametrize("shape", [(4, 8), (4, 3, 8), (4, 3, 3, 8), (2, 2, 3, 3, 8)])
def test_nan_activations_stay_nan_through_a_following_relu(shape):
    """A diverged model must stay visible to the non-finite checks.

    oneDNN fuses batch norm with a directly following ReLU in graphs and
    that fused ReLU maps NaN to 0; the layer must not let that happen.
    """
    layer = FusedBatchNormalization(epsilon=1e-5)
    layer.build(shape)
    x = tf.fill(shape, np.nan)
    out = tf.function(lambda x: tf.nn.relu(layer(x, training=True)))(x)
    assert np.isnan(out.numpy()).all()


def _value_grad_and_r1(pad, act, dtype="float32"):
    """A conv critic's output, input gradient and R1-style second derivative."""
    rng = np.random.default_rng(0)
    x = tf.constant(rng.normal(size=(2, 3, 6, 6, 2)), dtype)
    w = tf.Variable(rng.normal(size=(2, 4, 4, 2, 3)).astype(dtype))
    with tf.GradientTape() as outer:
        with tf.GradientTape() as inner:
            inner.watch(x)
            h = act(tf.nn.conv3d(pad(x), w, [1, 1, 2, 2, 1], "VALID"))
            y = tf.reduce_sum(h * h)
        g = inner.gradient(y, x)
        penalty = tf.reduce_sum(g * g)
    return [t.numpy().astype("float64") for t in (y, g, outer.gradient(penalty, w))]


@pytest.mark.parametrize("dtype", ["float32", "bfloat16"])
def test_output_gradient_leaky_relu_and_pad_match_the_plain_ops(dtype):
    """Same values, gradients and second derivatives as tf.nn.leaky_relu/tf.pad."""
    plain = _value_grad_and_r1(
        lambda v: tf.pad(v, networks._SPACE_PAD),
        lambda v: tf.nn.leaky_relu(v, 0.2),
        dtype,
    )
    ours = _value_grad_and_r1(networks._pad_space, lambda v: leaky_relu(v, 0.2), dtype)
    assert plain[1].any() and plain[2].any()
    for a, b in zip(plain, ours):
        np.testing.assert_allclose(b, a, rtol=1e-6 if dtype == "float32" else 2e-2)
    assert float(leaky_relu(tf.constant(-1.0))) == pytest.approx(-0.2)
    with pytest.raises(ValueError, match="alpha must be in"):
        leaky_relu(tf.constant(1.0), alpha=1.5)


def test_patch_video_critic_step_has_no_pad_op_at_any_order():
    """TF's oneDNN remapper fails on a Pad feeding a Conv3D in training graphs."""
    critic = networks.PatchVideoDiscriminator(frames=6, size=16, channels=1, width=4)
    x = tf.random.stateless_uniform((2, 6, 16, 16, 1), (1, 2), -1, 1)
    critic(x)

    @tf.function
    def r1_step(x):
        with tf.GradientTape() as outer:
            with tf.GradientTape() as inner:
                inner.watch(x)
                score = tf.reduce_sum(critic(x, training=True))
            g = inner.gradient(score, x)
            penalty = tf.reduce_sum(g * g)
        return outer.gradient(penalty, critic.trainable_variables)

    graph = r1_step.get_concrete_function(x).graph
    ops = {op.type for op in graph.get_operations()}
    for fn in graph._functions.values():
        ops |= {node.op for node in fn.definition.node_def}
    assert "Conv3DBackpropFilterV2" in ops and "PadV2" in ops
    assert "Pad" not in ops
