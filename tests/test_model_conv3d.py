"""Conv3DGAN (VGAN): `run_variant_test` and the variant's own options."""

import pytest
import tensorflow as tf

from tests.helpers import (
    TINY_VIDEO_SHAPE,
    assert_video_batch,
    run_variant_test,
    tiny_model,
    tiny_videos,
)
from tfvgan.models import build_model

T, S, _, C = TINY_VIDEO_SHAPE


def test_conv3d_variant(tmp_path, capfd):
    """Shapes, a train step, config and `.keras` round trips."""
    run_variant_test(tiny_model("conv3d"), tmp_path, capfd=capfd, export=False)


def test_conv3d_export(tmp_path, capfd):
    """The one variant export of the default run (2-3 s; the others are in
    the slow set): conv3d, the variant tests/test_export.py exports only
    there."""
    run_variant_test(
        tiny_model("conv3d"),
        tmp_path,
        fit=False,
        serialization=False,
        saving=False,
        capfd=capfd,
    )


def test_conv3d_plain_stream_and_mask_regulariser_reported():
    plain = build_model("conv3d", "tiny", two_stream=False)
    assert_video_batch(plain.generate(2, seed=0), (2, T, S, S, C))
    gan = build_model("conv3d", "tiny", mask_l1=0.5)
    gan.compile()
    data = tf.data.Dataset.from_tensor_slices(tiny_videos(4)).batch(
        2, drop_remainder=True
    )
    history = gan.fit(data, epochs=1, verbose=0).history
    assert history["g_reg"][-1] > 0


@pytest.mark.parametrize("size,frames", [(32, 8), (64, 16), (64, 32), (128, 8)])
def test_depth_follows_the_clip_shape(size, frames):
    gan = build_model(
        "conv3d", frames=frames, size=size, channels=3, latent_dim=4, width=4, d_width=4
    )
    assert_video_batch(gan.generate(1, seed=0), (1, frames, size, size, 3))
