"""`SingularValueClip`: TGAN's Lipschitz constraint on discriminator kernels."""

from __future__ import annotations

import keras
import tensorflow as tf


@keras.saving.register_keras_serializable(package="tfvgan")
class SingularValueClip(keras.constraints.Constraint):
    """Clips the singular values of a kernel to at most `max_value`.

    The kernel is viewed as a matrix `(prod(kernel_shape[:-1]), filters)`;
    the optimizer applies the constraint after each update. An SVD per kernel
    per step is costly for large 3D convolutions: spectral normalization is
    the cheaper alternative (`spectral_norm=True` on the discriminators).

    Args:
        max_value: the largest singular value allowed (1 in TGAN).

    Example:

    ```python
    # In a layer: keras.layers.Conv3D(8, 4, kernel_constraint=SingularValueClip())
    kernel = tf.random.normal((4, 4, 4, 3, 8))
    SingularValueClip(max_value=1.0)(kernel)  # (4, 4, 4, 3, 8)
    ```

    Reference:
        Saito et al. 2017, "Temporal Generative Adversarial Nets with Singular
        Value Clipping", https://arxiv.org/abs/1611.06624
    """

    def __init__(self, max_value: float = 1.0):
        self.max_value = float(max_value)

    def __call__(self, w):
        shape = tf.shape(w)
        matrix = tf.reshape(w, (-1, shape[-1]))
        s, u, v = tf.linalg.svd(matrix)
        s = tf.minimum(s, self.max_value)
        clipped = tf.matmul(u * s, v, adjoint_b=True)
        return tf.reshape(clipped, shape)

    def get_config(self):
        return {"max_value": self.max_value}
