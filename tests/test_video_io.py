"""Tests for tfvgan.video_io: conversions, file round trips, the grid."""

import importlib.util
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
    monkeypatch.setattr(video_io._common, "_ffmpeg_exe", lambda: None)
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

    monkeypatch.setattr(video_io._writing, "_in_notebook", lambda: True)
    monkeypatch.setattr(IPython.display, "display", shown.append)
    assert video_io.show(path) == path
    assert len(shown) == 1 and shown[0].data == pathlib.Path(path).read_bytes()


# ------------------------------------------------ seeking (issue 27, item 12)
def _coded(frames, bits=6):
    """Frame i shows i in binary: 2 x 3 blocks of 16 px, black or white."""
    video = np.zeros((frames, 32, 48, 3), np.uint8)
    for i in range(frames):
        for bit in range(bits):
            if (i >> bit) & 1:
                row, col = divmod(bit, 3)
                video[i, row * 16 : (row + 1) * 16, col * 16 : (col + 1) * 16] = 255
    return video


def _write_short_gop(path, video, fps=30):
    """A file with a keyframe every 8 frames, so seeks land mid-file."""
    import imageio_ffmpeg

    codec = "libvpx-vp9" if str(path).endswith(".webm") else "libx264"
    writer = imageio_ffmpeg.write_frames(
        str(path),
        (video.shape[2], video.shape[1]),
        fps=fps,
        codec=codec,
        macro_block_size=1,
        ffmpeg_log_level="error",
        output_params=["-g", "8"],
    )
    writer.send(None)
    for frame in video:
        writer.send(np.ascontiguousarray(frame))
    writer.close()
    return str(path)


@pytest.fixture(scope="module")
def coded_files(tmp_path_factory):
    root = tmp_path_factory.mktemp("coded")
    video = _coded(60)
    files = {
        ext: _write_short_gop(root / f"coded{ext}", video)
        for ext in (".mp4", ".mkv", ".webm")
    }
    files[".avi"] = video_io.write_video(root / "coded.avi", video, fps=30)
    files[".gif"] = video_io.write_video(root / "coded.gif", video[:24], fps=30)
    return files


@pytest.mark.parametrize("backend", ["ffmpeg", "pyav"])
@pytest.mark.parametrize(
    "ext",
    # mp4 (seeked) and avi (counted from 0) in the default run; 18 s in all.
    [
        ".mp4",
        ".avi",
        *(pytest.param(e, marks=pytest.mark.slow) for e in (".mkv", ".webm", ".gif")),
    ],
)
def test_reading_at_an_offset_equals_reading_from_0_and_slicing(
    coded_files, ext, backend
):
    path = coded_files[ext]
    whole = video_io.read_video(path, backend=backend)
    for start, step, frames in [
        (1, 1, 3),
        (7, 1, 4),
        (8, 3, 4),
        (21, 2, 3),
        (45, 1, 16),
    ]:
        if start >= len(whole):
            continue
        clip = video_io.read_video(
            path, frames=frames, start=start, step=step, backend=backend
        )
        np.testing.assert_array_equal(clip, whole[start::step][:frames])


def test_seeking_targets_containers_with_timestamps(coded_files):
    # Half a frame before frame 45 at 30 fps, so rounding never drops it.
    assert video_io._ffmpeg._seek_seconds(coded_files[".mp4"], 45) == pytest.approx(
        44.5 / 30
    )
    assert video_io._ffmpeg._seek_seconds(coded_files[".mkv"], 45) == pytest.approx(
        44.5 / 30
    )
    assert video_io._ffmpeg._seek_seconds(coded_files[".mp4"], 0) is None
    # AVI timestamps are unreliable, GIF delays vary: counted from frame 0.
    assert video_io._ffmpeg._seek_seconds(coded_files[".avi"], 45) is None
    assert video_io._ffmpeg._seek_seconds(coded_files[".gif"], 10) is None


def test_ffmpeg_seeks_in_the_input_before_decoding(coded_files, monkeypatch):
    import subprocess

    commands = []
    run = subprocess.run

    def spy(cmd, *args, **kwargs):
        commands.append(list(cmd))
        return run(cmd, *args, **kwargs)

    monkeypatch.setattr(video_io._ffmpeg.subprocess, "run", spy)
    video_io.read_video(coded_files[".mp4"], frames=2, start=45, backend="ffmpeg")
    (cmd,) = commands
    # -ss before -i seeks the input; after -i it would decode from frame 0.
    assert "-ss" in cmd and cmd.index("-ss") < cmd.index("-i")
    assert not any("select" in part for part in cmd)


class _CountingContainer:
    """An `av` container that counts the frames it decodes."""

    def __init__(self, container, counter):
        self._container = container
        self._counter = counter

    def __enter__(self):
        self._container.__enter__()
        return self

    def __exit__(self, *exc):
        return self._container.__exit__(*exc)

    def __getattr__(self, name):
        return getattr(self._container, name)

    def decode(self, *args, **kwargs):
        for frame in self._container.decode(*args, **kwargs):
            self._counter.append(frame)
            yield frame


def test_pyav_seeks_instead_of_decoding_every_earlier_frame(coded_files, monkeypatch):
    av = pytest.importorskip("av")
    decoded = []
    real_open = av.open
    monkeypatch.setattr(
        av, "open", lambda *a, **k: _CountingContainer(real_open(*a, **k), decoded)
    )
    clip = video_io.read_video(coded_files[".mp4"], frames=4, start=50, backend="pyav")
    assert _coded_indices(clip) == [50, 51, 52, 53]
    # From the keyframe at 48 (one every 8 frames), not from frame 0.
    assert len(decoded) <= 4 + 8


def test_pyav_counts_from_0_when_a_seek_lands_past_the_frame(coded_files, monkeypatch):
    path = coded_files[".mp4"]
    whole = video_io.read_video(path, backend="pyav")
    rate, stream_start, container_start = video_io._ffmpeg._seek_origin(path)
    # A wrong stream start makes every timestamp look 10 s late.
    monkeypatch.setattr(
        video_io._ffmpeg,
        "_container_origin",
        lambda container: (rate, stream_start - 10.0, container_start),
    )
    clip = video_io.read_video(path, frames=3, start=20, backend="pyav")
    np.testing.assert_array_equal(clip, whole[20:23])


def _coded_indices(video):
    bits = video[:, 8::16, 8::16, 0].reshape(len(video), -1) > 128  # (T, 6)
    return [int(sum(1 << b for b in range(6) if row[b])) for row in bits]


# ----------------------------------------- rotated videos (issue 27, item 13)
def _with_rotation(tmp_path, source, rotation, hflip=False):
    """`source` with a display matrix (ffmpeg's -display_rotation), stream-copied."""
    import subprocess

    import imageio_ffmpeg

    out = tmp_path / f"rot{rotation}{'_flip' if hflip else ''}.mp4"
    cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-v", "error", "-y"]
    cmd += ["-display_rotation", str(rotation)]
    if hflip:
        cmd += ["-display_hflip"]
    cmd += ["-i", str(source), "-c", "copy", str(out)]
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        pytest.skip(
            "this ffmpeg cannot write rotation metadata (-display_rotation needs "
            f"ffmpeg >= 6.1): {result.stderr.strip()[-200:]}"
        )
    return out


_DISPLAYED = {
    "rot90": (90, False, lambda f: np.rot90(f, 1)),  # counter-clockwise
    "rot270": (270, False, lambda f: np.rot90(f, -1)),
    "rot180": (180, False, lambda f: f[::-1, ::-1]),
    "rot90_hflip": (90, True, lambda f: np.rot90(f, 1)[:, ::-1]),
}


@pytest.mark.parametrize("case", sorted(_DISPLAYED))
def test_rotated_videos_come_back_as_displayed_by_both_backends(tmp_path, case):
    rotation, hflip, displayed = _DISPLAYED[case]
    rng = np.random.default_rng(0)
    # 4 x 8 blocks of 8 px with distinct levels: 32 high, 64 wide, 3 frames.
    image = np.kron(rng.integers(0, 4, (4, 8)) * 80, np.ones((8, 8), int))
    video = np.repeat(np.stack([image] * 3, -1)[None], 3, 0).astype(np.uint8)
    stored = video_io.write_video(tmp_path / "stored.mp4", video)
    path = _with_rotation(tmp_path, stored, rotation, hflip)
    want = np.stack([displayed(frame) for frame in video])
    want_small = video_io.resize_frames(want, (16, 8), "stretch")
    got, missing = {}, []
    for backend in ("ffmpeg", "pyav"):
        if backend == "pyav" and importlib.util.find_spec("av") is None:
            missing.append("PyAV is not installed: the pyav backend is unchecked")
            continue
        got[backend] = video_io.read_video(path, backend=backend)
        assert got[backend].shape == want.shape, backend
        assert np.abs(got[backend].astype(int) - want).mean() < 4, backend
        # Rotated first, then scaled: the displayed picture at the new size.
        small = video_io.read_video(
            path, size=(16, 8), resize="stretch", backend=backend
        )
        assert np.abs(small.astype(int) - want_small).mean() < 12, backend
    if missing:
        pytest.skip("; ".join(missing))
    assert np.abs(got["ffmpeg"].astype(int) - got["pyav"]).max() <= 2
