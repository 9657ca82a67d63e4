"""`VideoConv3D`: Keras `Conv3D` with faster equivalent kernels on CPU."""

from __future__ import annotations

import math

import keras
import tensorflow as tf

from tfvgan import distribute


def _pad_same(x, kernel, strides):
    """Zero-pads T, H, W as TensorFlow's ``padding="same"`` does."""
    pads = [(0, 0)]
    for i, stride in enumerate(strides):
        size, k = x.shape[1 + i], kernel.shape[i]
        total = max((-(-size // stride) - 1) * stride + k - size, 0)
        pads.append((total // 2, total - total // 2))
    return tf.pad(x, [*pads, (0, 0)])


def space_to_depth_conv3d(x, kernel, strides, padding: str = "valid"):
    """A strided 3D convolution as an unstrided one on stride-sized blocks.

    Each axis with stride 2 is cut into blocks of 2 that move into the
    channels, and the kernel is rearranged to match, so the convolution runs
    with stride 1 on twice as many input channels per stride-2 axis. The
    result equals `tf.nn.conv3d` (up to float32 rounding); oneDNN computes
    the input gradient of a few-channel strided convolution several times
    slower than this form's.

    Args:
        x: ``(N, T, H, W, C)`` input, static spatial shape.
        kernel: ``(kt, kh, kw, C, F)`` kernel.
        strides: ``(st, sh, sw)``, each 1 or 2; a stride-2 axis needs an
            even kernel size.
        padding: ``"valid"`` or ``"same"`` (TensorFlow's definition).

    Returns:
        ``(N, T', H', W', F)``, as ``tf.nn.conv3d(x, kernel, ...)``.

    Reference:
        The space-to-depth first convolution of Ying et al. 2018,
        https://arxiv.org/abs/1811.06992
    """
    x = _pad_same(x, kernel, strides) if padding == "same" else x
    st, sh, sw = strides
    # A trailing odd row is never read by a stride-2 window without padding.
    bt, bh, bw = (x.shape[1 + i] // s for i, s in enumerate(strides))
    x = x[:, : bt * st, : bh * sh, : bw * sw]
    c, f = x.shape[-1], kernel.shape[-1]
    x = tf.reshape(x, (-1, bt, st, bh, sh, bw, sw, c))
    x = tf.transpose(x, (0, 1, 3, 5, 2, 4, 6, 7))
    x = tf.reshape(x, (-1, bt, bh, bw, st * sh * sw * c))
    kt, kh, kw = (kernel.shape[i] // s for i, s in enumerate(strides))
    k = tf.reshape(kernel, (kt, st, kh, sh, kw, sw, c, f))
    k = tf.transpose(k, (0, 2, 4, 1, 3, 5, 6, 7))
    k = tf.reshape(k, (kt, kh, kw, st * sh * sw * c, f))
    return tf.nn.conv3d(x, k, (1, 1, 1, 1, 1), "VALID")


def patches_conv3d(x, kernel, strides, padding: str = "valid"):
    """A 3D convolution as one matrix product over extracted patches.

    Equal to `tf.nn.conv3d` up to float32 rounding. On a small output (a few
    positions per frame, many input channels) oneDNN's direct convolution
    runs well below the CPU's matrix-multiply speed; the patches form runs
    near it, forward and for the kernel gradient.

    Args:
        x: ``(N, T, H, W, C)`` input, static spatial shape.
        kernel: ``(kt, kh, kw, C, F)`` kernel.
        strides: ``(st, sh, sw)``.
        padding: ``"valid"`` or ``"same"`` (TensorFlow's definition).

    Returns:
        ``(N, T', H', W', F)``.

    Reference:
        Convolution as a matrix product over unfolded patches (im2col):
        Chellapilla et al. 2006, https://hal.inria.fr/inria-00112631
    """
    x = _pad_same(x, kernel, strides) if padding == "same" else x
    ksize = list(kernel.shape[:3])
    patches = tf.extract_volume_patches(x, [1, *ksize, 1], [1, *strides, 1], "VALID")
    flat = tf.reshape(kernel, (-1, kernel.shape[-1]))
    return tf.tensordot(patches, flat, 1)


@keras.saving.register_keras_serializable(package="tfvgan")
class VideoConv3D(keras.layers.Conv3D):
    """`keras.layers.Conv3D` that picks a faster equivalent kernel on CPU.

    Same arguments, weights, saved format and outputs (up to float32
    rounding) as `keras.layers.Conv3D`. With the TensorFlow backend on a
    machine without a GPU, two shapes common in video critics run as an
    equivalent computation that oneDNN executes faster (found with
    `benchmarks/profile_step.py`; 4-8% of a paper-preset training step, see
    docs/notes/speed.md):

    - a strided convolution of a few-channel input (the critic's first
      layer, on RGB or gray video), whose input gradient, needed in every
      generator step, oneDNN computes several times slower than the
      forward pass: run by `space_to_depth_conv3d`;
    - a convolution with a small output (at most `max_patch_positions`
      positions per frame) and a large kernel (the critic's last stages):
      run by `patches_conv3d`, one matrix product.

    Everything else (and every case on GPU/TPU, other backends, dilation,
    grouped or channels-first convolution, inputs of unknown frame size) is
    the Keras layer's own convolution. The choice is made when the layer is
    traced; the class attributes below set the thresholds.

    Args:
        **kwargs: those of `keras.layers.Conv3D`.

    Example:

    >>> layer = VideoConv3D(8, (4, 4, 4), strides=(1, 2, 2))
    >>> tuple(layer(keras.ops.zeros((2, 8, 16, 16, 3))).shape)
    (2, 5, 7, 7, 8)

    Reference:
        The 3D-conv video critics it serves: Vondrick et al. 2016 (VGAN),
        https://arxiv.org/abs/1609.02612 ; Tulyakov et al. 2018 (MoCoGAN),
        https://arxiv.org/abs/1707.04993
    """

    #: A frame of at most this many output positions counts as small.
    max_patch_positions = 16
    #: ... and a kernel of at least this many taps x channels as large.
    min_patch_depth = 8192
    #: ... and at least this many filters (a one-filter head stays direct).
    min_patch_filters = 64
    #: Inputs with at most this many channels use space-to-depth.
    max_space_to_depth_channels = 4

    def _cpu_kernel(self, inputs):
        """The equivalent computation to use, or None for the default."""
        if (
            keras.backend.backend() != "tensorflow"
            or self.data_format != "channels_last"
            or any(d != 1 for d in self.dilation_rate)
            or self.groups != 1
            or None in inputs.shape[1:]
            or distribute.has_accelerator()
        ):
            return None
        channels = inputs.shape[-1]
        if (
            channels <= self.max_space_to_depth_channels
            and all(
                s == 1 or (s == 2 and k % 2 == 0)
                for s, k in zip(self.strides, self.kernel_size, strict=True)
            )
            and 2 in self.strides
        ):
            return space_to_depth_conv3d
        out = self.compute_output_shape(inputs.shape)
        depth = math.prod(self.kernel_size) * channels
        if (
            out[2] * out[3] <= self.max_patch_positions
            and depth >= self.min_patch_depth
            and self.filters >= self.min_patch_filters
        ):
            return patches_conv3d
        return None

    def convolution_op(self, inputs, kernel):
        compute = self._cpu_kernel(inputs)
        if compute is None:
            return super().convolution_op(inputs, kernel)
        return compute(inputs, kernel, tuple(self.strides), self.padding)
