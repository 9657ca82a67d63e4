"""Transposed convolutions whose kernel gradient is a matrix product on CPU."""

from __future__ import annotations

import math

import keras
import tensorflow as tf

from tfvgan import distribute


def patch_grad_conv_transpose(x, kernel, output_shape, strides, padding: str):
    """`tf.nn.conv_transpose` whose kernel gradient is one matrix product.

    The value and the input gradient are TensorFlow's own (a transposed
    convolution, and a convolution of the output gradient). The kernel
    gradient, TensorFlow's ``Conv{2,3}DBackpropFilter`` of the output
    gradient, is computed instead as the product of the output gradient's
    patches (as `tf.image.extract_patches` / `tf.extract_volume_patches`
    unfold them, one patch per input position) with the input: equal up to
    rounding. On a small input (a 4x4 map of 512 channels) oneDNN's
    bfloat16 kernel gradient runs at a third of the CPU's bfloat16
    matrix-multiply speed (measured on a 2-core AMX Xeon: 55 ms against 17 ms
    for this form, batch 128, 4x4x512 -> 8x8x256).

    Differentiable once (the generators that use it are never differentiated
    twice).

    Args:
        x: ``(N, *spatial, C_in)`` input, static spatial shape.
        kernel: ``(*kernel_size, C_out, C_in)`` kernel, as Keras keeps it.
        output_shape: ``(N, *spatial_out, C_out)``, as for
            `tf.nn.conv_transpose`.
        strides: one stride per spatial axis.
        padding: ``"same"`` or ``"valid"`` (either case).

    Returns:
        ``tf.nn.conv_transpose(x, kernel, output_shape, strides, padding)``.

    Reference:
        Convolution gradients as matrix products over unfolded patches
        (im2col): Chellapilla et al. 2006, https://hal.inria.fr/inria-00112631
    """
    # Read (and, under a mixed policy, cast) a variable kernel out here: a
    # custom gradient must not see variables.
    kernel = tf.convert_to_tensor(kernel)
    rank = len(strides)
    padding = padding.upper()
    ksize = [1, *kernel.shape[:rank], 1]
    step = [1, *strides, 1]

    @tf.custom_gradient
    def transpose(x, kernel):
        y = tf.nn.conv_transpose(x, kernel, output_shape, strides, padding)

        def grad(dy):
            dx = tf.nn.convolution(dy, kernel, strides, padding)
            if rank == 2:
                patches = tf.image.extract_patches(dy, ksize, step, [1] * 4, padding)
            else:
                patches = tf.extract_volume_patches(dy, ksize, step, padding)
            depth = math.prod(kernel.shape[:-1])  # taps x C_out
            dk = tf.matmul(
                tf.reshape(patches, (-1, depth)),
                tf.reshape(x, (-1, kernel.shape[-1])),
                transpose_a=True,
            )
            return dx, tf.reshape(dk, kernel.shape)

        return y, grad

    return transpose(x, kernel)


class _PatchGradMixin:
    """The choice and call shared by the 2D and 3D layers below."""

    #: An input of at most this many positions per frame counts as small.
    max_patch_positions = 16
    #: Compute dtypes the rewrite is used for: in float32 oneDNN's own
    #: kernel gradient is as fast or faster (measured 46 vs 43 ms on the
    #: shape above, and 11 vs 14 ms on 4x4x256 -> 8x8x128).
    patch_dtypes = ("bfloat16",)

    def _use_patches(self, inputs) -> bool:
        spatial = inputs.shape[1:-1]
        return (
            keras.backend.backend() == "tensorflow"
            and self.data_format == "channels_last"
            and self.output_padding is None
            and all(d == 1 for d in self.dilation_rate)
            and None not in spatial
            and math.prod(spatial[-2:]) <= self.max_patch_positions
            and self.compute_dtype in self.patch_dtypes
            and not distribute.has_accelerator()
        )

    def call(self, inputs):
        if not self._use_patches(inputs):
            return super().call(inputs)
        output_shape = self.compute_output_shape(inputs.shape)
        output_shape = (tf.shape(inputs)[0], *output_shape[1:])
        outputs = patch_grad_conv_transpose(
            inputs, self.kernel, output_shape, tuple(self.strides), self.padding
        )
        if self.use_bias:
            outputs = outputs + self.bias
        if self.activation is not None:
            return self.activation(outputs)
        return outputs


@keras.saving.register_keras_serializable(package="tfvgan")
class PatchGradConv2DTranspose(_PatchGradMixin, keras.layers.Conv2DTranspose):
    """`keras.layers.Conv2DTranspose` with a faster bfloat16 kernel gradient on CPU.

    Same arguments, weights, saved format and outputs as the Keras layer.
    With the TensorFlow backend on a machine without a GPU, under a
    bfloat16 compute dtype (`mixed_bfloat16`), on a small input (at most
    `max_patch_positions` positions), the kernel gradient is computed by
    `patch_grad_conv_transpose`. Everything else is the Keras layer's own.

    Args:
        **kwargs: those of `keras.layers.Conv2DTranspose`.

    Example:

    >>> layer = PatchGradConv2DTranspose(8, 4, 2, padding="same")
    >>> tuple(layer(keras.ops.zeros((2, 4, 4, 16))).shape)
    (2, 8, 8, 8)

    Reference:
        Chellapilla et al. 2006, https://hal.inria.fr/inria-00112631
    """


@keras.saving.register_keras_serializable(package="tfvgan")
class PatchGradConv3DTranspose(_PatchGradMixin, keras.layers.Conv3DTranspose):
    """`keras.layers.Conv3DTranspose` with a faster bfloat16 kernel gradient on CPU.

    The 3D counterpart of `PatchGradConv2DTranspose` (positions per frame:
    height x width of the input).

    Args:
        **kwargs: those of `keras.layers.Conv3DTranspose`.

    Example:

    >>> layer = PatchGradConv3DTranspose(8, 4, (1, 2, 2), padding="same")
    >>> tuple(layer(keras.ops.zeros((2, 2, 4, 4, 16))).shape)
    (2, 2, 8, 8, 8)

    Reference:
        Chellapilla et al. 2006, https://hal.inria.fr/inria-00112631
    """


__all__ = [
    "PatchGradConv2DTranspose",
    "PatchGradConv3DTranspose",
    "patch_grad_conv_transpose",
]
