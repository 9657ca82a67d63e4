"""Tests for tfvgan.video_io: conversions, file round trips, the grid."""

import pathlib

import numpy as np
import pytest

from tfvgan import video_io


def _ramp(frames=12, height=24, width=32, channels=3):
    """Frame i is a constant gray level 10 + 20 * i: decodable frame identity."""
    levels = (10 + 20 * np.arange(frames)).astype(np.uint8)
    video = np.broadcast_to(
        levels[:, None, None, None], (frames, height, width, channels)
    )
    return np.ascontiguousarray(video)


def _levels(video):
    return np.round((video.reshape(len(video), -1).mean(axis=1) - 10) / 20).astype(int)


def test_to_uint8_maps_contract_range_and_passes_uint8():
    out = video_io.to_uint8(np.array([-1.0, -2.0, 0.0, 1.0, 3.0], np.float32))
    assert out.dtype == np.uint8
    assert out.tolist() == [0, 0, 128, 255, 255]
    raw = np.arange(5, dtype=np.uint8)
    assert video_io.to_uint8(raw) is raw


def test_to_uint8_rejects_integer_non_uint8():
    with pytest.raises(TypeError, match="int64"):
        video_io.to_uint8(np.zeros(3, np.int64))


@pytest.mark.parametrize("ext", [".gif", ".mp4", ".avi", ".mkv", ".webm"])
def test_round_trip_keeps_frame_count_size_and_content(tmp_path, ext):
    video = _ramp()
    path = video_io.write_video(tmp_path / f"clip{ext}", video, fps=8)
    back = video_io.read_video(path)
    assert back.dtype == np.uint8
    assert back.shape == video.shape
    assert np.abs(back.astype(int) - video).mean() < 4
    info = video_io.probe_video(path)
    assert (info.frames, info.height, info.width) == (12, 24, 32)


def test_round_trip_float_grayscale_odd_size(tmp_path):
    rng = np.random.default_rng(0)
    video = rng.uniform(-1, 1, (5, 15, 21, 1)).astype(np.float32)
    path = video_io.write_video(tmp_path / "odd.mp4", video)
    back = video_io.read_video(path, channels=1)
    assert back.shape == (5, 15, 21, 1)
    gif = video_io.write_video(tmp_path / "odd.gif", video[..., 0])  # (T, H, W)
    assert video_io.read_video(gif, channels=1).shape == (5, 15, 21, 1)
    assert video_io.read_video(gif, channels=3).shape == (5, 15, 21, 3)


@pytest.mark.parametrize("backend", ["ffmpeg", "pyav"])
def test_read_selects_start_step_and_count(tmp_path, backend):
    path = video_io.write_video(tmp_path / "ramp.mp4", _ramp())
    clip = video_io.read_video(path, frames=4, start=2, step=3, backend=backend)
    assert _levels(clip).tolist() == [2, 5, 8, 11]
    # Past the end: fewer frames, not an error.
    tail = video_io.read_video(path, frames=5, start=9, backend=backend)
    assert _levels(tail).tolist() == [9, 10, 11]


@pytest.mark.parametrize("backend", ["ffmpeg", "pyav"])
def test_resize_modes(tmp_path, backend):
    video = np.full((3, 20, 40, 3), 200, np.uint8)  # wide, bright
    path = video_io.write_video(tmp_path / "wide.mp4", video)
    crop = video_io.read_video(path, size=16, resize="crop", backend=backend)
    pad = video_io.read_video(path, size=16, resize="pad", backend=backend)
    stretch = video_io.read_video(path, size=(8, 12), resize="stretch", backend=backend)
    assert crop.shape == pad.shape == (3, 16, 16, 3)
    assert stretch.shape == (3, 8, 12, 3)
    assert crop.min() > 150  # crop fills the frame with content
    assert pad[:, :2].max() < 30 and pad[:, 7:9].min() > 150  # black bars, content


def test_resize_frames_matches_shape_and_channels():
    frames = np.zeros((2, 10, 30, 3), np.uint8)
    assert video_io.resize_frames(frames, (8, 8), "crop", channels=1).shape == (
        2,
        8,
        8,
        1,
    )


@pytest.mark.parametrize("content", [b"", b"not a video at all" * 10])
def test_probe_and_read_reject_bad_files(tmp_path, content):
    path = tmp_path / "bad.mp4"
    path.write_bytes(content)
    with pytest.raises(video_io.VideoDecodeError, match="bad.mp4"):
        video_io.probe_video(path)
    with pytest.raises(video_io.VideoDecodeError, match="bad.mp4"):
        video_io.read_video(path)


def test_read_missing_file_names_it(tmp_path):
    with pytest.raises(video_io.VideoDecodeError, match="nope.mp4"):
        video_io.read_video(tmp_path / "nope.mp4")


def test_write_rejects_bad_extension_and_shape(tmp_path):
    with pytest.raises(ValueError, match=r"\.png"):
        video_io.write_video(tmp_path / "x.png", np.zeros((2, 8, 8, 3), np.uint8))
    with pytest.raises(ValueError, match=r"\(2, 8, 8, 2\)"):
        video_io.write_video(tmp_path / "x.gif", np.zeros((2, 8, 8, 2), np.uint8))


def test_video_grid_shape_placement_and_border():
    videos = np.zeros((5, 4, 6, 7, 1), np.uint8)
    videos[3] = 100  # second row, first column with cols=3
    grid = video_io.video_grid(videos, cols=3, border=1)
    assert grid.shape == (4, 2 * 6 + 3, 3 * 7 + 4, 1)
    assert grid.dtype == np.uint8
    assert (grid[:, 8:14, 1:8] == 100).all()
    assert (grid[:, 0] == 255).all()  # top border
    assert (grid[:, 8:14, 17:25] == 255).all()  # missing 6th tile is blank


def test_video_grid_float_defaults_and_errors():
    grid = video_io.video_grid(-np.ones((4, 2, 8, 8, 3), np.float32), border=2)
    assert grid.shape == (2, 2 * 8 + 6, 2 * 8 + 6, 3)
    assert grid.max() == 1.0 and grid.min() == -1.0
    with pytest.raises(ValueError, match="rank 5"):
        video_io.video_grid(np.zeros((2, 8, 8, 3)))


def test_static_gif_keeps_every_frame(tmp_path):
    # Pillow would merge identical frames; the ffmpeg writer must not.
    path = video_io.write_video(
        tmp_path / "still.gif", np.full((6, 8, 8, 1), 30, np.uint8)
    )
    back = video_io.read_video(path, channels=1)
    assert back.shape == (6, 8, 8, 1)
    assert np.abs(back.astype(int) - 30).max() <= 1


def test_gif_pillow_fallback_without_ffmpeg(tmp_path, monkeypatch):
    monkeypatch.setattr(video_io, "_ffmpeg_exe", lambda: None)
    rng = np.random.default_rng(0)
    video = rng.integers(0, 256, (5, 8, 9, 3), np.uint8)
    path = video_io.write_video(tmp_path / "pil.gif", video)
    back = video_io.read_video(path)  # PyAV decodes when ffmpeg is "missing"
    assert back.shape == (5, 8, 9, 3)


def test_show_writes_the_gif_and_displays_only_in_a_notebook(tmp_path, monkeypatch):
    shown = []
    batch = np.zeros((3, 4, 8, 8, 1), np.uint8)
    # Outside a notebook: nothing displayed, the GIF still written when asked.
    path = video_io.show(batch, path=tmp_path / "grid.gif", cols=3)
    assert path == str(tmp_path / "grid.gif")
    import imageio.v3 as iio

    frames = iio.imread(path, index=None)
    assert frames.shape[:3] == (4, 8 + 2 * 2, 3 * 8 + 4 * 2)  # one row of 3
    assert video_io.show(batch[0]) is None  # in memory: no file
    # In a notebook kernel: the GIF's bytes go to IPython's display.
    pytest.importorskip("IPython")
    import IPython.display

    monkeypatch.setattr(video_io, "_in_notebook", lambda: True)
    monkeypatch.setattr(IPython.display, "display", shown.append)
    assert video_io.show(path) == path
    assert len(shown) == 1 and shown[0].data == pathlib.Path(path).read_bytes()
