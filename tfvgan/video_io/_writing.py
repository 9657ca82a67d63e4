"""`write_video`, `video_grid` and `show`: clips to files and notebooks.

Part of `tfvgan.video_io`; import the names from there.
"""

from __future__ import annotations

import os
import subprocess

import numpy as np

from tfvgan.video_io import _common
from tfvgan.video_io._common import _as_video_uint8, _local_url

# Encoder per container for write_video; GIF has its own path (_write_gif).
_WRITE_CODECS = {
    ".mp4": "libx264",
    ".mov": "libx264",
    ".mkv": "libx264",
    ".avi": "libx264",
    ".webm": "libvpx-vp9",
}


def _write_gif(path: str, video: np.ndarray, fps: float) -> None:
    exe = _common._ffmpeg_exe()
    if exe is None:
        import imageio.v3 as iio

        frames = video[..., 0] if video.shape[-1] == 1 else video
        iio.imwrite(
            path, frames, extension=".gif", plugin="pillow", duration=1000 / fps, loop=0
        )
        return
    t, h, w, _ = video.shape
    rgb = np.repeat(video, 3, axis=-1) if video.shape[-1] == 1 else video
    # One palette for the whole clip (palettegen sees every frame), no
    # dithering: flat regions stay flat and gray stays exactly gray.
    palette = (
        "split[a][b];[a]palettegen=stats_mode=full:reserve_transparent=0[p];"
        "[b][p]paletteuse=dither=none"
    )
    cmd = [
        exe, "-nostdin", "-v", "error", "-y",
        "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{w}x{h}",
        "-framerate", str(fps), "-i", "-",
        "-filter_complex", palette, "-loop", "0", "-f", "gif", _local_url(path),
    ]  # fmt: skip
    result = subprocess.run(
        cmd, input=np.ascontiguousarray(rgb).tobytes(), capture_output=True, check=False
    )
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip()[-500:]
        raise OSError(f"ffmpeg could not write {path!r}: {message}")


def _file_stamp(path: str) -> tuple[int, int, int] | None:
    """(inode, mtime_ns, size) of `path`, or None when there is no such file."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_ino, stat.st_mtime_ns, stat.st_size


def write_video(path: str | os.PathLike, video, fps: float = 8) -> str:
    """Writes a clip to a GIF or video file, the format chosen by extension.

    GIF is written with imageio-ffmpeg's ffmpeg (one palette for the clip,
    no dithering, looping forever; Pillow via imageio when the binary is
    missing, which merges identical consecutive frames); mp4, mov, mkv and
    avi with H.264 and webm with VP9 (via imageio-ffmpeg). H.264 uses yuv420p
    (plays everywhere) when height and width are even and yuv444p otherwise,
    so the size is never altered.

    Args:
        path: Output file; its extension picks the format.
        video: ``(frames, height, width, channels)`` with channels 1 or 3, or
            ``(frames, height, width)``; uint8, or floating in ``[-1, 1]``.
        fps: Frames per second.

    Returns:
        The path written, as a string.

    Raises:
        ValueError: For an unsupported extension or a badly shaped video.
        OSError: If the file could not be written (missing or unwritable
            folder, full disk).

    Example:

    >>> write_video("sample.gif", np.zeros((8, 32, 32, 1), np.uint8))  # doctest: +SKIP
    'sample.gif'
    """
    path = os.fspath(path)
    ext = os.path.splitext(path)[1].lower()
    if ext != ".gif" and ext not in _WRITE_CODECS:
        raise ValueError(
            f"cannot write {path!r}: expected an extension in "
            f"{('.gif', *_WRITE_CODECS)}, got {ext!r}"
        )
    if fps <= 0:
        raise ValueError(f"expected fps > 0, got {fps!r}")
    video = _as_video_uint8(video)
    if ext == ".gif":
        _write_gif(path, video, fps)
        return path

    import imageio_ffmpeg

    if video.shape[-1] == 1:
        video = np.repeat(video, 3, axis=-1)
    t, h, w, _ = video.shape
    codec = _WRITE_CODECS[ext]
    pix_fmt = "yuv420p" if (h % 2 == 0 and w % 2 == 0) else "yuv444p"
    output_params = (
        ["-crf", "18"] if codec == "libx264" else ["-b:v", "0", "-crf", "30"]
    )
    before = _file_stamp(path)
    writer = imageio_ffmpeg.write_frames(
        _local_url(path),
        (w, h),
        fps=fps,
        codec=codec,
        pix_fmt_out=pix_fmt,
        macro_block_size=1,
        quality=None,
        ffmpeg_log_level="error",
        output_params=output_params,
    )
    writer.send(None)
    try:
        for frame in video:
            writer.send(np.ascontiguousarray(frame))
    finally:
        writer.close()
    # imageio-ffmpeg does not report an output ffmpeg could not open (a
    # missing or unwritable folder, a full disk): check for the file.
    after = _file_stamp(path)
    if after is None or after == before or after[-1] == 0:
        raise OSError(
            f"ffmpeg could not write {path!r}: no file written (missing or "
            "unwritable folder, or disk full?)"
        )
    return path


def video_grid(videos, cols: int | None = None, border: int = 2, pad_value=None):
    """Tiles a batch of clips into one clip, for sample GIFs and TensorBoard.

    Args:
        videos: ``(batch, frames, height, width, channels)``; uint8, or
            floating in ``[-1, 1]``.
        cols: Clips per row; None picks ``ceil(sqrt(batch))``.
        border: Pixels of border between and around the tiles.
        pad_value: Border colour in the input's units; None means white
            (255 for uint8, 1.0 for floats).

    Returns:
        One clip ``(frames, rows*height + (rows+1)*border,
        cols*width + (cols+1)*border, channels)`` with the input's dtype;
        missing tiles in the last row are filled with the border colour.

    Example:

    >>> video_grid(np.zeros((6, 8, 16, 16, 1), np.uint8), cols=3, border=1).shape
    (8, 35, 52, 1)
    """
    videos = np.asarray(videos)
    if videos.ndim != 5:
        raise ValueError(
            "expected videos of rank 5 (batch, frames, height, width, channels), "
            f"got shape {videos.shape}"
        )
    b, t, h, w, c = videos.shape
    if b < 1:
        raise ValueError(f"expected at least one video, got shape {videos.shape}")
    if cols is None:
        cols = int(np.ceil(np.sqrt(b)))
    if cols < 1:
        raise ValueError(f"expected cols >= 1 or None, got {cols!r}")
    if border < 0:
        raise ValueError(f"expected border >= 0, got {border!r}")
    cols = min(cols, b)
    rows = -(-b // cols)
    if pad_value is None:
        pad_value = 255 if videos.dtype == np.uint8 else 1.0
    grid = np.full(
        (t, rows * h + (rows + 1) * border, cols * w + (cols + 1) * border, c),
        pad_value,
        dtype=videos.dtype,
    )
    for i in range(b):
        r, col = divmod(i, cols)
        y = border + r * (h + border)
        x = border + col * (w + border)
        grid[:, y : y + h, x : x + w] = videos[i]
    return grid


def _in_notebook() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and hasattr(shell, "kernel")


def show(video, path: str | os.PathLike | None = None, fps: float = 8, cols=None):
    """Shows clips inline in a notebook, as an animated GIF.

    Outside a notebook (a script, a terminal) nothing is displayed; the GIF
    is still written when ``path`` is given, so tutorials run the same way
    in Colab, Jupyter and plain Python.

    Args:
        video: A GIF file's path, one clip ``(frames, height, width,
            channels)`` or a batch ``(batch, frames, height, width,
            channels)`` (tiled with `video_grid`); uint8 or floats in
            ``[-1, 1]``.
        path: Where to write the GIF for an array input; None keeps it in
            memory.
        fps: Frames per second for an array input.
        cols: Clips per row for a batch.

    Returns:
        The GIF's path, or None for an in-memory array.
    """
    if isinstance(video, (str, os.PathLike)):
        path = os.fspath(video)
        with open(path, "rb") as f:
            data = f.read()
    else:
        array = np.asarray(video)
        if array.ndim == 5:
            array = video_grid(array, cols=cols)
        if path is None:
            import tempfile

            with tempfile.TemporaryDirectory() as tmp:
                tmp_path = write_video(os.path.join(tmp, "clip.gif"), array, fps=fps)
                with open(tmp_path, "rb") as f:
                    data = f.read()
        else:
            path = write_video(path, array, fps=fps)
            with open(path, "rb") as f:
                data = f.read()
    if _in_notebook():
        from IPython.display import Image, display

        display(Image(data=data, format="gif"))
    return None if path is None else os.fspath(path)
