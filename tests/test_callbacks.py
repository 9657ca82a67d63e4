"""Tests of tfvgan.callbacks: GIF encoding, TensorBoard videos, samples, NaN guard."""

import io
import re

import numpy as np
import pytest


@pytest.fixture()
def tiny_gan():
    import keras

    from tfvgan import models

    keras.utils.set_random_seed(0)
    gan = models.build_model("temporal", preset="tiny", seed=0)
    gan.compile(ema_decay=0.9)
    return gan


@pytest.fixture()
def tiny_data():
    from tfvgan import data

    return data.moving_digits(8, frames=4, size=16, batch_size=4)


def _moving_clip(frames=5, size=12, channels=1):
    clip = np.zeros((frames, size, size, channels), np.uint8)
    for t in range(frames):
        clip[t, t : t + 3, t : t + 3] = 255
    return clip


def test_encode_gif_round_trips():
    import imageio.v3 as iio

    from tfvgan.callbacks import encode_gif

    data = encode_gif(_moving_clip(), fps=10)
    assert data.startswith(b"GIF89a")
    frames = iio.imread(io.BytesIO(data), index=None, extension=".gif")
    assert frames.shape[:3] == (5, 12, 12)
    with pytest.raises(ValueError, match=r"got shape \(12, 12\)"):
        encode_gif(np.zeros((12, 12), np.uint8))


def test_video_summary_is_an_animated_gif_image(tmp_path):
    import tensorflow as tf

    from tfvgan.callbacks import write_video_summary

    writer = tf.summary.create_file_writer(str(tmp_path))
    with writer.as_default():
        assert write_video_summary("clip", _moving_clip(size=10), step=7)
    writer.flush()
    (path,) = tmp_path.glob("events.out.tfevents*")
    values = [
        (event.step, value)
        for event in tf.compat.v1.train.summary_iterator(str(path))
        for value in event.summary.value
    ]
    ((step, value),) = values
    assert step == 7 and value.tag == "clip"
    assert value.metadata.plugin_data.plugin_name == "images"
    width, height, gif = value.tensor.string_val
    assert (width, height) == (b"10", b"10") and gif.startswith(b"GIF89a")


def test_sample_writer_uses_fixed_noise(tmp_path, tiny_gan, tiny_data):
    import imageio.v3 as iio

    from tfvgan.callbacks import VideoSampleWriter
    from tfvgan.video_io import video_grid

    writer = VideoSampleWriter(
        tmp_path / "samples", num_videos=3, every_n_epochs=2, log_dir=tmp_path / "logs"
    )
    tiny_gan.fit(tiny_data, epochs=4, callbacks=[writer], verbose=0)
    names = sorted(p.name for p in (tmp_path / "samples").iterdir())
    assert names == ["samples_epoch0002.gif", "samples_epoch0004.gif"]
    gif = iio.imread(tmp_path / "samples" / "samples_epoch0004.gif", index=None)
    grid = video_grid(np.zeros((3, 4, 16, 16, 1), np.float32))
    assert gif.shape[:3] == grid.shape[:3]
    assert list((tmp_path / "logs").glob("events.out.tfevents*"))
    # The same weights and the fixed noise give the same grid again.
    first = writer.write(4)[0]
    again = iio.imread(first, index=None)
    np.testing.assert_array_equal(again, gif)
    with pytest.raises(ValueError, match="unknown sample format 'avi'"):
        VideoSampleWriter(tmp_path, formats=("avi",))


def test_epoch_logger_prints_one_line_per_epoch(tiny_gan, tiny_data):
    from tfvgan.callbacks import EpochLogger

    stream = io.StringIO()
    tiny_gan.fit(
        tiny_data, epochs=2, callbacks=[EpochLogger(2, stream=stream)], verbose=0
    )
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2
    assert re.fullmatch(
        r"epoch 2/2 .*d_loss=-?\d+\.\d{4} .*g_loss=-?\d+\.\d{4}.* \(\d+\.\d s\)",
        lines[1],
    )


def test_guard_stops_and_saver_refuses_non_finite_state(tmp_path, tiny_gan, tiny_data):
    import keras
    import tensorflow as tf

    from tfvgan.callbacks import CheckpointSaver, NonFiniteGuard
    from tfvgan.checkpoint import TrainingCheckpoint

    state = TrainingCheckpoint(tiny_gan, tmp_path / "ck")
    guard = NonFiniteGuard()
    saver = CheckpointSaver(state, every_n_epochs=1, every_n_steps=1, guard=guard)

    class Poison(keras.callbacks.Callback):
        # Runs after the saver in the same step: the saver must notice the
        # NaN weight at the *next* save, not write it.
        def on_train_batch_end(self, batch, logs=None):
            if int(self.model.optimizer.iterations.numpy()) == 3:
                weight = self.model.generator.trainable_variables[0]
                weight.assign(tf.fill(weight.shape, np.nan))

    tiny_gan.fit(tiny_data, epochs=5, callbacks=[guard, saver, Poison()], verbose=0)
    assert guard.tripped and guard.step == 4
    assert re.match(r"non-finite \w+=nan at step 4 \(epoch 2, batch 2\)", guard.message)
    assert state.latest.endswith("ckpt-3")
    assert saver.skipped >= 1

    # A NaN weight with clean logs is refused too.
    fresh = TrainingCheckpoint(tiny_gan, tmp_path / "ck2")
    lone = CheckpointSaver(fresh)
    lone.set_model(tiny_gan)
    lone.on_train_end()
    assert fresh.latest is None and lone.skipped == 1
