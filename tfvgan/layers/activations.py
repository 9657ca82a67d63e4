"""`leaky_relu` whose gradient reads the activation's output, not its input."""

from __future__ import annotations

import tensorflow as tf


def leaky_relu(x, alpha: float = 0.2):
    """`tf.nn.leaky_relu(x, alpha)` with the gradient computed from its output.

    Same values and gradients as `tf.nn.leaky_relu` for `0 < alpha < 1` (the
    output has the sign of the input, so it selects the same slope). The
    backward pass then no longer reads the pre-activation, which matters
    after a biased convolution: TF's oneDNN remapper fuses
    conv + bias + LeakyRelu into one kernel even when the gradient still
    reads the bias output, the rewrite fails for the whole training graph,
    and TF logs "remapper failed" at every trace. With this function the
    fusion is valid and the pre-activation need not be kept for backprop.

    Args:
        x: a float tensor.
        alpha: the negative slope, in (0, 1).

    Example:

    >>> [round(float(v), 4) for v in leaky_relu(tf.constant([-1.0, 2.0]))]
    [-0.2, 2.0]
    """
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must be in (0, 1), got {alpha!r}.")

    @tf.custom_gradient
    def _forward(x):
        y = tf.nn.leaky_relu(x, alpha)

        def _grad(dy):
            return tf.raw_ops.LeakyReluGrad(gradients=dy, features=y, alpha=alpha)

        return y, _grad

    return _forward(tf.convert_to_tensor(x))
