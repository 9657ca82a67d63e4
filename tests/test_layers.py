"""`tfvgan.layers`: fused batch norm against Keras' own; ops with custom gradients."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfvgan import distribute
from tfvgan.layers import (
    FusedBatchNormalization,
    PatchGradConv2DTranspose,
    PatchGradConv3DTranspose,
    VideoConv3D,
    leaky_relu,
    video_conv,
)
from tfvgan.models import critics


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
        lambda v: tf.pad(v, critics._SPACE_PAD),
        lambda v: tf.nn.leaky_relu(v, 0.2),
        dtype,
    )
    ours = _value_grad_and_r1(critics._pad_space, lambda v: leaky_relu(v, 0.2), dtype)
    assert plain[1].any() and plain[2].any()
    for a, b in zip(plain, ours):
        np.testing.assert_allclose(b, a, rtol=1e-6 if dtype == "float32" else 2e-2)
    assert float(leaky_relu(tf.constant(-1.0))) == pytest.approx(-0.2)
    with pytest.raises(ValueError, match="alpha must be in"):
        leaky_relu(tf.constant(1.0), alpha=1.5)


def test_patch_video_critic_step_has_no_pad_op_at_any_order():
    """TF's oneDNN remapper fails on a Pad feeding a Conv3D in training graphs."""
    critic = critics.PatchVideoDiscriminator(frames=6, size=16, channels=1, width=4)
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


# VideoConv3D: (input shape, filters, kernel, strides, padding, expected path).
CONV_CASES = {
    "rgb-first-stage": ((2, 6, 10, 10, 3), 8, (4, 4, 4), (1, 2, 2), "valid", "s2d"),
    "gray-same-odd": ((2, 6, 9, 11, 1), 8, (4, 4, 4), (2, 2, 2), "same", "s2d"),
    "small-output": ((2, 5, 6, 6, 128), 64, (4, 4, 4), (1, 2, 2), "valid", "patches"),
    "small-output-same": (
        (2, 2, 8, 8, 128),
        64,
        (4, 4, 4),
        (2, 2, 2),
        "same",
        "patches",
    ),
    "middle-stage": ((2, 6, 18, 18, 16), 8, (4, 4, 4), (1, 2, 2), "valid", None),
    "head": ((2, 4, 6, 6, 512), 1, (4, 4, 4), (1, 2, 2), "valid", None),
}


def _conv_values_grads_and_r1(layer, x):
    """Output, input gradient and the R1-style second derivative wrt the kernel."""

    @tf.function
    def run(x):
        with tf.GradientTape() as outer:
            with tf.GradientTape() as inner:
                inner.watch(x)
                y = layer(x)
                score = tf.reduce_sum(tf.cast(y, "float32") ** 2)
            g = inner.gradient(score, x)
            penalty = tf.reduce_sum(tf.cast(g, "float32") ** 2)
        return y, g, outer.gradient(penalty, layer.kernel)

    return [np.asarray(tf.cast(t, "float32"), "float64") for t in run(x)]


def _graph_op_types(layer, x) -> set[str]:
    graph = tf.function(layer).get_concrete_function(x).graph
    return {op.type for op in graph.get_operations()}


@pytest.mark.parametrize("case", list(CONV_CASES), ids=list(CONV_CASES))
def test_video_conv3d_matches_keras_conv3d_and_takes_the_expected_path(case):
    """Same values, input gradients and second derivatives as keras Conv3D."""
    shape, filters, kernel, strides, padding, path = CONV_CASES[case]
    kwargs = dict(filters=filters, kernel_size=kernel, strides=strides)
    ours = VideoConv3D(padding=padding, use_bias=True, **kwargs)
    plain = keras.layers.Conv3D(padding=padding, use_bias=True, **kwargs)
    ours.build(shape)
    plain.build(shape)
    rng = np.random.default_rng(0)
    weights = [rng.normal(0, 0.05, w.shape).astype("float32") for w in plain.weights]
    plain.set_weights(weights)
    ours.set_weights(weights)
    x = tf.constant(rng.uniform(-1, 1, shape).astype("float32"))

    forms = {
        "s2d": video_conv.space_to_depth_conv3d,
        "patches": video_conv.patches_conv3d,
    }
    assert ours._cpu_kernel(x) is forms.get(path)
    ops = _graph_op_types(ours, x)
    assert ("ExtractVolumePatches" in ops) == (path == "patches")
    want = _conv_values_grads_and_r1(plain, x)
    got = _conv_values_grads_and_r1(ours, x)
    assert want[0].shape == got[0].shape and want[2].any()
    for a, b in zip(want, got):
        np.testing.assert_allclose(b, a, rtol=1e-4, atol=1e-5 * np.abs(a).max())


@pytest.mark.parametrize("case", ["rgb-first-stage", "small-output"])
def test_video_conv3d_in_bfloat16_stays_close_to_float32(case):
    shape, filters, kernel, strides, padding, _ = CONV_CASES[case]
    layer = VideoConv3D(filters, kernel, strides, padding=padding)
    x = tf.random.stateless_uniform(shape, (3, 4), -1, 1)
    layer.build(shape)
    full = _conv_values_grads_and_r1(layer, x)
    half = _conv_values_grads_and_r1(layer, tf.cast(x, "bfloat16"))
    for a, b in zip(full, half):
        assert not np.array_equal(a, b)
        assert np.abs(a - b).max() <= 3e-2 * np.abs(a).max()


def test_video_conv3d_uses_the_plain_convolution_where_its_forms_do_not_apply(
    monkeypatch,
):
    shape, filters, kernel, strides, padding, _ = CONV_CASES["rgb-first-stage"]
    x = tf.zeros(shape)
    odd_kernel = VideoConv3D(filters, 3, strides, padding=padding)
    dilated = VideoConv3D(filters, kernel, 1, dilation_rate=2)
    for layer in (odd_kernel, dilated):
        assert layer._cpu_kernel(x) is None
    # Unknown frame size (e.g. a serving signature with None dimensions).
    layer = VideoConv3D(filters, kernel, strides, padding=padding)
    spec = tf.TensorSpec((None, None, 10, 10, 3))
    ops = {
        op.type
        for op in tf.function(layer).get_concrete_function(spec).graph.get_operations()
    }
    assert "Conv3D" in ops and "Transpose" not in ops
    # On a GPU or TPU the framework's own kernels are used.
    monkeypatch.setattr(distribute, "has_accelerator", lambda: True)
    assert VideoConv3D(filters, kernel, strides)._cpu_kernel(x) is None


def test_video_conv3d_serializes_like_conv3d(tmp_path):
    layer = VideoConv3D(4, (2, 4, 4), (1, 2, 2), padding="same", use_bias=False)
    clone = keras.layers.deserialize(keras.layers.serialize(layer))
    assert isinstance(clone, VideoConv3D)
    assert clone.get_config() == layer.get_config()
    inputs = keras.Input((4, 8, 8, 3))
    model = keras.Model(inputs, VideoConv3D(4, 4, (1, 2, 2))(inputs))
    path = tmp_path / "conv.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    x = np.random.default_rng(1).uniform(-1, 1, (2, 4, 8, 8, 3)).astype("float32")
    np.testing.assert_allclose(loaded(x), model(x), rtol=1e-6)


# ------------------------------------------- batch norm under mixed precision
def test_fused_batch_norm_takes_bfloat16_activations_as_they_are(monkeypatch):
    """Under mixed_bfloat16 the fused kernel runs on the bfloat16 activations
    (no float32 casts) and matches Keras' layer, which upcasts, to bfloat16
    rounding: outputs, input gradient and moving statistics."""
    shape = (4, 3, 6, 6, 8)
    rng = np.random.default_rng(3)
    x32 = rng.normal(1.0, 2.0, shape).astype("float32")
    upstream = tf.constant(rng.normal(size=shape).astype("float32"))
    policy = keras.dtype_policies.DTypePolicy("mixed_bfloat16")
    kwargs = {"momentum": 0.9, "epsilon": 1e-5, "dtype": policy}
    fused = FusedBatchNormalization(**kwargs)
    plain = keras.layers.BatchNormalization(**kwargs)
    x = tf.constant(x32, tf.bfloat16)
    results = []
    for layer in (fused, plain):
        layer.build(shape)

        @tf.function
        def step(x, layer=layer):
            with tf.GradientTape() as tape:
                tape.watch(x)
                y = layer(x, training=True)
                loss = tf.reduce_sum(tf.cast(y, tf.float32) * upstream)
            return y, tape.gradient(loss, [x, layer.gamma])

        results.append(step(x))
        graph = step.get_concrete_function(x).graph
        op_types = {op.type for op in graph.get_operations()}
        assert ("FusedBatchNormV3" in op_types) == (layer is fused)
    (y_f, g_f), (y_p, g_p) = results
    # On a GPU/TPU bfloat16 keeps Keras' computation (XLA fuses it there).
    monkeypatch.setattr(distribute, "has_accelerator", lambda: True)
    assert not fused._fusable(x, True, None)
    assert fused._fusable(tf.cast(x, tf.float32), True, None)
    assert y_f.dtype == tf.bfloat16 and g_f[0].dtype == tf.bfloat16
    np.testing.assert_allclose(
        tf.cast(y_f, tf.float32), tf.cast(y_p, tf.float32), atol=0.05
    )
    for a, b in zip(g_f, g_p):
        a, b = tf.cast(a, tf.float32).numpy(), tf.cast(b, tf.float32).numpy()
        np.testing.assert_allclose(a, b, atol=0.02 * np.abs(b).max())
    for a, b in zip(fused.non_trainable_weights, plain.non_trainable_weights):
        assert a.dtype == "float32"
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-2, atol=1e-2)


# ------------------------------------------------- PatchGradConv{2,3}DTranspose
# (layer class, Keras class, input shape, constructor arguments)
TRANSPOSE_CASES = {
    "2d-same-stride2": (
        PatchGradConv2DTranspose,
        keras.layers.Conv2DTranspose,
        (3, 4, 4, 16),
        {"filters": 8, "kernel_size": 4, "strides": 2, "padding": "same"},
    ),
    "2d-valid-stem-bias": (
        PatchGradConv2DTranspose,
        keras.layers.Conv2DTranspose,
        (3, 1, 1, 16),
        {"filters": 8, "kernel_size": 4, "use_bias": True},
    ),
    "3d-same-time-stride1": (
        PatchGradConv3DTranspose,
        keras.layers.Conv3DTranspose,
        (3, 2, 4, 4, 16),
        {"filters": 8, "kernel_size": 4, "strides": (1, 2, 2), "padding": "same"},
    ),
    "3d-same-stride2-odd": (
        PatchGradConv3DTranspose,
        keras.layers.Conv3DTranspose,
        (3, 3, 3, 3, 16),
        {"filters": 8, "kernel_size": 3, "strides": 2, "padding": "same"},
    ),
}


def _transpose_pair(case, dtype="float32"):
    cls, keras_cls, shape, kwargs = TRANSPOSE_CASES[case]
    ours = cls(**kwargs, dtype=dtype)
    theirs = keras_cls(**kwargs, dtype=dtype)
    ours.build(shape)
    theirs.build(shape)
    rng = np.random.default_rng(0)
    weights = [rng.normal(size=w.shape).astype("float32") for w in ours.weights]
    ours.set_weights(weights)
    theirs.set_weights(weights)
    return ours, theirs, shape


def _value_and_grads(layer, x, upstream):
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = layer(x)
        loss = tf.reduce_sum(tf.cast(y, tf.float32) * upstream)
    grads = tape.gradient(loss, [x, *layer.trainable_weights])
    return [tf.cast(t, tf.float32).numpy() for t in (y, *grads)]


@pytest.mark.parametrize("case", sorted(TRANSPOSE_CASES))
def test_patch_grad_transpose_matches_keras(case, monkeypatch):
    """Value, input gradient and kernel (and bias) gradients of the patch form
    equal Keras' transposed convolution; forced on in float32 to compare
    without bfloat16 rounding."""
    ours, theirs, shape = _transpose_pair(case)
    monkeypatch.setattr(type(ours), "patch_dtypes", ("float32",))
    rng = np.random.default_rng(1)
    x = tf.constant(rng.normal(size=shape).astype("float32"))
    assert ours._use_patches(x)
    upstream = tf.constant(
        rng.normal(size=ours.compute_output_shape(shape)).astype("float32")
    )
    mine = _value_and_grads(ours, x, upstream)
    reference = _value_and_grads(theirs, x, upstream)
    assert len(mine) == len(reference) >= 3
    for a, b in zip(mine, reference):
        assert b.any()
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4 * np.abs(b).max())


def test_patch_grad_transpose_path_is_bfloat16_small_inputs_on_cpu_only(
    monkeypatch,
):
    """The patch form is used for a small input under bfloat16 on a CPU, and
    only there."""

    def gradient_ops(layer, shape):
        x = tf.zeros(shape)

        @tf.function
        def grads(x):
            with tf.GradientTape() as tape:
                tape.watch(x)
                y = tf.reduce_sum(tf.cast(layer(x), tf.float32))
            return tape.gradient(y, [x, layer.kernel])

        graph = grads.get_concrete_function(x).graph
        ops = {op.type for op in graph.get_operations()}
        for fn in graph._functions.values():
            ops |= {node.op for node in fn.definition.node_def}
        return ops

    kwargs = {"filters": 4, "kernel_size": 4, "strides": 2, "padding": "same"}
    small, large = (2, 4, 4, 8), (2, 8, 8, 8)
    bf16 = PatchGradConv2DTranspose(**kwargs, dtype="mixed_bfloat16")
    assert "ExtractImagePatches" in gradient_ops(bf16, small)
    assert "Conv2DBackpropFilter" not in gradient_ops(bf16, small)
    bf16_large = PatchGradConv2DTranspose(**kwargs, dtype="mixed_bfloat16")
    assert "ExtractImagePatches" not in gradient_ops(bf16_large, large)
    f32 = PatchGradConv2DTranspose(**kwargs)
    assert "ExtractImagePatches" not in gradient_ops(f32, small)
    assert "Conv2DBackpropFilter" in gradient_ops(f32, small)
    monkeypatch.setattr(distribute, "has_accelerator", lambda: True)
    on_gpu = PatchGradConv2DTranspose(**kwargs, dtype="mixed_bfloat16")
    assert "ExtractImagePatches" not in gradient_ops(on_gpu, small)


@pytest.mark.parametrize("case", sorted(TRANSPOSE_CASES))
def test_patch_grad_transpose_in_bfloat16_is_as_accurate_as_keras(case):
    """Against the float32 computation, the bfloat16 patch form's value and
    gradients are off by no more than Keras' own bfloat16 layer's (x1.5)."""
    ours, theirs, shape = _transpose_pair(case, dtype="mixed_bfloat16")
    exact = _transpose_pair(case)[1]
    rng = np.random.default_rng(2)
    x = tf.constant(rng.normal(size=shape).astype("float32"))
    assert ours._use_patches(tf.cast(x, tf.bfloat16))
    upstream = tf.constant(
        rng.normal(size=ours.compute_output_shape(shape)).astype("float32")
    )
    for a, b, ref in zip(
        _value_and_grads(ours, x, upstream),
        _value_and_grads(theirs, x, upstream),
        _value_and_grads(exact, x, upstream),
    ):
        scale = np.abs(ref).max()
        ours_error = np.abs(a - ref).max() / scale
        keras_error = np.abs(b - ref).max() / scale
        assert ours_error <= max(1.5 * keras_error, 0.01), (ours_error, keras_error)


def test_patch_grad_transpose_serializes(tmp_path):
    layer = PatchGradConv3DTranspose(4, 4, (1, 2, 2), padding="same")
    clone = keras.saving.deserialize_keras_object(
        keras.saving.serialize_keras_object(layer)
    )
    assert isinstance(clone, PatchGradConv3DTranspose)
    assert clone.get_config() == layer.get_config()
    inputs = keras.Input((2, 4, 4, 3))
    model = keras.Model(inputs, layer(inputs))
    path = tmp_path / "t.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    x = np.random.default_rng(0).normal(size=(1, 2, 4, 4, 3)).astype("float32")
    np.testing.assert_allclose(loaded(x), model(x), rtol=1e-6)
