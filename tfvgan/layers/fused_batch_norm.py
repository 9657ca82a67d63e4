"""`FusedBatchNormalization`: Keras batch norm with TensorFlow's fused kernel."""

from __future__ import annotations

import keras
import tensorflow as tf

from tfvgan import distribute

# cuDNN's smallest epsilon; below it the fused kernel is not used.
_MIN_FUSED_EPSILON = 1e-5
# Activation dtypes the fused kernel takes (statistics stay float32).
_FUSED_DTYPES = (tf.float32, tf.bfloat16, tf.float16)


@keras.saving.register_keras_serializable(package="tfvgan")
class FusedBatchNormalization(keras.layers.BatchNormalization):
    """`keras.layers.BatchNormalization` that trains with one fused kernel.

    Keras 3 computes training-mode batch norm from separate ops (moments,
    then scale and shift), several passes over the activations forward and
    backward. With the TensorFlow backend this layer runs the same
    computation as `tf.raw_ops.FusedBatchNormV3` (oneDNN on CPU, cuDNN on
    GPU): about 3x less time per layer on 64x64 video activations on CPU,
    5-10% of a paper-preset training step. Outputs, gradients and moving
    statistics are those of the Keras layer (biased batch variance), up to
    float32 rounding.

    Under a mixed dtype policy (``mixed_bfloat16``, ``mixed_float16``) the
    kernel takes the bfloat16 / float16 activations as they are and keeps
    its statistics, scale and offset in float32, as Keras' layer does after
    upcasting: no casts of the activations to float32 and back (3-4x faster
    than Keras' layer on a 128x32x32x128 bfloat16 batch, forward and input
    gradient, on a 2-core AMX Xeon; Keras' form with its casts was about 30%
    of the op time of a TGAN bfloat16 training step there).

    The Keras computation is used instead where the fused kernel does not
    apply: inference, other backends, masks, batch renormalization, an axis
    other than the last, inputs that are not float32 or the policy's compute
    dtype, bfloat16 inputs on a GPU/TPU, epsilon below 1e-5, and
    synchronized batch norm across several replicas.

    Args:
        **kwargs: those of `keras.layers.BatchNormalization`.

    Example:

    ```python
    bn = FusedBatchNormalization(momentum=0.9, epsilon=1e-5)
    bn(keras.ops.ones((2, 4, 16, 16, 8)), training=True)  # (2, 4, 16, 16, 8)
    ```

    Reference:
        Ioffe & Szegedy 2015, "Batch Normalization: Accelerating Deep Network
        Training by Reducing Internal Covariate Shift",
        https://arxiv.org/abs/1502.03167
    """

    def _fusable(self, inputs, training, mask) -> bool:
        rank = len(inputs.shape)
        return (
            bool(training)
            and self.trainable
            and mask is None
            and not self.renorm
            and keras.backend.backend() == "tensorflow"
            and 2 <= rank <= 5
            and self.axis in (-1, rank - 1)
            and inputs.dtype in _FUSED_DTYPES
            and inputs.dtype.name in ("float32", self.compute_dtype)
            # bfloat16 only where it was measured (CPU; on a GPU, XLA fuses).
            and (inputs.dtype != tf.bfloat16 or not distribute.has_accelerator())
            and self.variable_dtype == "float32"
            and self.epsilon >= _MIN_FUSED_EPSILON
            and not (
                self.synchronized
                and tf.distribute.get_strategy().num_replicas_in_sync > 1
            )
        )

    def call(self, inputs, training=None, mask=None):
        if not self._fusable(inputs, training, mask):
            return super().call(inputs, training=training, mask=mask)
        channels = inputs.shape[-1]
        shape = tf.shape(inputs)
        # The fused kernel takes NHWC; every other axis is a reduction axis,
        # so fold them into (N, rest, 1, C). The fold must never be a no-op:
        # Grappler would then fuse the kernel with a following ReLU, and
        # oneDNN's fused ReLU turns NaN activations into 0, hiding a
        # diverged model from the non-finite checks.
        x = tf.reshape(inputs, (shape[0], -1, 1, channels))
        gamma = self.gamma if self.scale else tf.ones((channels,), tf.float32)
        beta = self.beta if self.center else tf.zeros((channels,), tf.float32)
        y, mean, variance, *_ = tf.raw_ops.FusedBatchNormV3(
            x=x,
            scale=tf.convert_to_tensor(gamma),
            offset=tf.convert_to_tensor(beta),
            mean=tf.zeros((0,), tf.float32),
            variance=tf.zeros((0,), tf.float32),
            epsilon=self.epsilon,
            data_format="NHWC",
            is_training=True,
        )
        # The kernel returns the unbiased (n / (n - 1)) batch variance for the
        # running average; Keras averages the biased one.
        count = tf.cast(tf.size(x) // channels, tf.float32)
        variance = variance * tf.math.divide_no_nan(count - 1.0, count)
        momentum = self.momentum
        self.moving_mean.assign(self.moving_mean * momentum + mean * (1 - momentum))
        self.moving_variance.assign(
            self.moving_variance * momentum + variance * (1 - momentum)
        )
        return tf.reshape(y, shape)


__all__ = ["FusedBatchNormalization"]
