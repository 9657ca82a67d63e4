"""Reading and writing video files, and tiling clips into a grid.

This is the uint8 edge of the tensor contract: files hold uint8 frames
``(frames, height, width, channels)``; the library works on float32 in
``[-1, 1]``. `to_uint8` converts between the two, `read_video` and
`write_video` move clips between disk and NumPy, and `video_grid` tiles a batch
``(batch, frames, height, width, channels)`` into one clip for sample files.

Decoding uses the ffmpeg binary bundled with ``imageio-ffmpeg`` (run as a
subprocess with an argument list, never through a shell); PyAV is the
fallback when that binary is unavailable; both return frames in the
displayed orientation (rotation metadata applied) and seek by time in
containers with reliable timestamps. Files are written with the same
binary (through imageio-ffmpeg for video containers, one-palette GIFs
directly); Pillow, via imageio, writes GIFs when the binary is missing.
Metadata (`probe_video`) comes from PyAV, without decoding.

Example:

```python
from tfvgan import video_io

clip = video_io.read_video("walk.mp4", frames=16, size=64)  # (16, 64, 64, 3) uint8
video_io.write_video("walk.gif", clip, fps=8)
```
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
from collections.abc import Sequence

import numpy as np

__all__ = [
    "VIDEO_EXTENSIONS",
    "VideoDecodeError",
    "VideoInfo",
    "probe_video",
    "read_video",
    "resize_frames",
    "show",
    "to_uint8",
    "video_grid",
    "write_video",
]

#: File extensions (lower case, with the dot) that `read_video` accepts.
VIDEO_EXTENSIONS = (".mp4", ".avi", ".mov", ".mkv", ".webm", ".gif")

_RESIZE_MODES = ("crop", "pad", "stretch")
# Encoder per container for write_video; GIF has its own path (_write_gif).
_WRITE_CODECS = {
    ".mp4": "libx264",
    ".mov": "libx264",
    ".mkv": "libx264",
    ".avi": "libx264",
    ".webm": "libvpx-vp9",
}


class VideoDecodeError(RuntimeError):
    """Raised when a file cannot be decoded into at least one frame."""


@dataclasses.dataclass(frozen=True)
class VideoInfo:
    """Cheap metadata of a video file, as read by `probe_video`.

    Attributes:
        path: The file.
        frames: Number of frames (from the container; an estimate for some
            formats, so decoding may return fewer).
        height: Frame height in pixels, as stored: `read_video` returns a
            file with rotation metadata in its displayed orientation, with
            height and width swapped for a 90 or 270 degree rotation.
        width: Frame width in pixels, as stored.
        fps: Frames per second, or 0.0 when unknown.
    """

    path: str
    frames: int
    height: int
    width: int
    fps: float


def to_uint8(video) -> np.ndarray:
    """Converts a video (or any image array) to uint8 ``[0, 255]``.

    Args:
        video: Array-like (NumPy, tf.Tensor). uint8 passes through unchanged;
            floating values are taken to be in ``[-1, 1]`` (the library
            contract), clipped and mapped to ``[0, 255]``.

    Returns:
        A uint8 NumPy array with the input's shape.

    Raises:
        TypeError: If the dtype is neither uint8 nor floating point.

    Example:

    >>> to_uint8(np.array([-1.0, 0.0, 1.0])).tolist()
    [0, 128, 255]
    """
    array = np.asarray(video)
    if array.dtype == np.uint8:
        return array
    if not np.issubdtype(array.dtype, np.floating):
        raise TypeError(
            f"expected a uint8 video or a floating video in [-1, 1], got dtype "
            f"{array.dtype}"
        )
    scaled = (np.clip(array, -1.0, 1.0) + 1.0) * 127.5
    return np.round(scaled).astype(np.uint8)


def _as_size(size) -> tuple[int, int] | None:
    if size is None:
        return None
    if isinstance(size, (int, np.integer)):
        size = (int(size), int(size))
    size = tuple(int(s) for s in size)
    if len(size) != 2 or min(size) < 1:
        raise ValueError(
            f"expected size as a positive int or (height, width), got {size!r}"
        )
    return size


def _check_resize_mode(resize: str) -> None:
    if resize not in _RESIZE_MODES:
        raise ValueError(f"expected resize in {_RESIZE_MODES}, got {resize!r}")


def _check_channels(channels) -> None:
    if channels not in (1, 3):
        raise ValueError(f"expected channels 1 or 3, got {channels!r}")


def resize_frames(
    frames: np.ndarray, size, resize: str = "crop", channels: int | None = None
) -> np.ndarray:
    """Resizes uint8 frames with Pillow, the NumPy-side twin of ffmpeg's scaling.

    Args:
        frames: uint8 array ``(T, H, W, C)`` with C 1 or 3.
        size: Output size, an int (square) or ``(height, width)``.
        resize: ``"crop"`` scales to cover the output keeping the aspect ratio
            and crops the centre; ``"pad"`` scales to fit inside and pads with
            black; ``"stretch"`` ignores the aspect ratio.
        channels: Output channels (1 or 3), or None to keep the input's.

    Returns:
        uint8 array ``(T, height, width, channels)``.
    """
    from PIL import Image

    out_h, out_w = _as_size(size)
    _check_resize_mode(resize)
    frames = _convert_channels(frames, channels or frames.shape[-1])
    t, h, w, c = frames.shape
    if resize == "stretch":
        scaled = (out_w, out_h)
    else:
        pick = max if resize == "crop" else min
        scale = pick(out_h / h, out_w / w)
        scaled = (max(1, round(w * scale)), max(1, round(h * scale)))
    out = np.zeros((t, out_h, out_w, c), np.uint8)
    for i, frame in enumerate(frames):
        image = Image.fromarray(frame[..., 0] if c == 1 else frame)
        array = np.asarray(image.resize(scaled, Image.BILINEAR))
        array = array.reshape(scaled[1], scaled[0], c)
        # Centre crop (crop mode) or centre paste (pad mode) in one slicing step.
        src_y = max(0, (scaled[1] - out_h) // 2)
        src_x = max(0, (scaled[0] - out_w) // 2)
        dst_y = max(0, (out_h - scaled[1]) // 2)
        dst_x = max(0, (out_w - scaled[0]) // 2)
        hh = min(out_h, scaled[1])
        ww = min(out_w, scaled[0])
        out[i, dst_y : dst_y + hh, dst_x : dst_x + ww] = array[
            src_y : src_y + hh, src_x : src_x + ww
        ]
    return out


def _convert_channels(frames: np.ndarray, channels: int) -> np.ndarray:
    c = frames.shape[-1]
    if c == channels:
        return frames
    if c == 4:  # RGBA -> RGB; alpha dropped.
        frames, c = frames[..., :3], 3
        if channels == 3:
            return frames
    if c == 1 and channels == 3:
        return np.repeat(frames, 3, axis=-1)
    if c == 3 and channels == 1:
        luma = frames.astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)
        return np.round(luma)[..., None].clip(0, 255).astype(np.uint8)
    raise ValueError(f"cannot convert {c} channels to {channels}")


def _local_url(path: str) -> str:
    """`path` as an ffmpeg/libav URL that can only name that local file.

    ffmpeg and PyAV read protocol prefixes (``concat:``, ``subfile:``,
    ``http:``...) in file names; a relative path such as
    ``concat:clips/a.mp4`` would otherwise read other files. The ``file:``
    protocol with an absolute path takes the rest of the name literally
    (a leading ``-`` can no longer look like an option either).
    """
    return "file:" + os.path.abspath(path)


def _ffmpeg_exe() -> str | None:
    try:
        import imageio_ffmpeg

        return imageio_ffmpeg.get_ffmpeg_exe()
    except Exception:  # Not installed, or no binary for this platform.
        return None


def probe_video(path: str | os.PathLike) -> VideoInfo:
    """Reads a video file's frame count and size without decoding it.

    Uses PyAV's container metadata; falls back to decoding with ffmpeg when
    PyAV is missing or the container does not record a frame count.

    Args:
        path: The video file.

    Returns:
        A `VideoInfo`.

    Raises:
        VideoDecodeError: If the file cannot be opened as a video with at
            least one frame.

    Example:

    >>> info = probe_video("walk.mp4")  # doctest: +SKIP
    >>> info.frames, info.height, info.width  # doctest: +SKIP
    (64, 120, 160)
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise VideoDecodeError(f"{path!r} is not a file")
    if os.path.getsize(path) == 0:
        raise VideoDecodeError(f"{path!r} is empty (0 bytes)")
    try:
        import av
    except ImportError:
        av = None
    frames = height = width = 0
    fps = 0.0
    if av is not None:
        try:
            with av.open(_local_url(path)) as container:
                if not container.streams.video:
                    raise VideoDecodeError(f"{path!r} has no video stream")
                stream = container.streams.video[0]
                height, width = stream.codec_context.height, stream.codec_context.width
                fps = float(stream.average_rate or stream.guessed_rate or 0.0)
                frames = int(stream.frames or 0)
                if frames == 0 and stream.duration and stream.time_base and fps:
                    frames = int(round(float(stream.duration * stream.time_base) * fps))
                if frames == 0:
                    # No count in the container (GIF, some mkv/webm): count by
                    # demuxing packets, which is cheap (no decoding).
                    frames = sum(1 for p in container.demux(stream) if p.size)
        except VideoDecodeError:
            raise
        except Exception as err:
            raise VideoDecodeError(f"cannot open {path!r} as a video: {err}") from err
    else:
        exe = _ffmpeg_exe()
        if exe is None:
            raise VideoDecodeError("neither PyAV nor imageio-ffmpeg is available")
        import imageio_ffmpeg

        try:
            frames, _ = imageio_ffmpeg.count_frames_and_secs(_local_url(path))
            height, width, fps = _ffmpeg_header(path)
        except Exception as err:
            raise VideoDecodeError(f"cannot open {path!r} as a video: {err}") from err
    if frames < 1 or height < 1 or width < 1:
        raise VideoDecodeError(
            f"{path!r} has no decodable frames (frames={frames}, size={height}x{width})"
        )
    return VideoInfo(path, frames, height, width, fps)


def _ffmpeg_header(path: str) -> tuple[int, int, float]:
    """(height, width, fps) from ffmpeg's header, without decoding frames."""
    import imageio_ffmpeg

    reader = imageio_ffmpeg.read_frames(_local_url(path))
    try:
        meta = next(reader)
    finally:
        reader.close()
    width, height = meta["size"]
    return height, width, float(meta.get("fps") or 0.0)


def _scale_filter(size, resize: str) -> str:
    h, w = size
    if resize == "stretch":
        return f"scale={w}:{h}:flags=bilinear"
    if resize == "crop":
        return (
            f"scale={w}:{h}:force_original_aspect_ratio=increase:flags=bilinear,"
            f"crop={w}:{h}"
        )
    return (
        f"scale={w}:{h}:force_original_aspect_ratio=decrease:flags=bilinear,"
        f"pad={w}:{h}:(ow-iw)/2:(oh-ih)/2"
    )


# Containers whose packets carry reliable timestamps, so that a frame index
# can be turned into a seek time. AVI (timestamps are often decode order)
# and GIF (per-frame delays, no keyframe index) are always read from frame 0.
_SEEKABLE_EXTENSIONS = (".mp4", ".m4v", ".mov", ".mkv", ".webm")


def _seek_origin(path: str) -> tuple[float, float, float] | None:
    """``(frame_rate, stream_start, container_start)`` when `path` can be seeked.

    Times are in seconds. None when a frame index cannot be mapped to a time:
    a container outside `_SEEKABLE_EXTENSIONS`, no PyAV, or a variable frame
    rate (the average rate differs from the stream's base rate).
    """
    if not _seekable(path):
        return None
    try:
        import av
    except ImportError:
        return None
    try:
        with av.open(_local_url(path)) as container:
            return _container_origin(container)
    except Exception:  # Unreadable here: the decoder reports it properly.
        return None


def _seekable(path: str) -> bool:
    return os.path.splitext(path)[1].lower() in _SEEKABLE_EXTENSIONS


def _container_origin(container) -> tuple[float, float, float] | None:
    """`_seek_origin` of an open PyAV container, whatever its extension."""
    import av

    try:
        stream = container.streams.video[0]
        rate, base = stream.average_rate, stream.base_rate
        if not rate or not base or rate != base:
            return None
        stream_start = 0.0
        if stream.start_time is not None and stream.time_base:
            stream_start = float(stream.start_time * stream.time_base)
        container_start = stream_start
        if container.start_time is not None:
            container_start = container.start_time / av.time_base
        return float(rate), stream_start, container_start
    except Exception:  # Unreadable here: the decoder reports it properly.
        return None


def _seek_seconds(path: str, start: int) -> float | None:
    """Where ffmpeg's input ``-ss`` must point so that frame `start` comes first.

    ffmpeg's input seek is relative to the container's start and, being
    accurate, drops every frame before the target; half a frame early keeps
    frame `start` whatever the rounding of its timestamp. None means decode
    from frame 0 and count frames (see `_seek_origin`).
    """
    if start < 1:
        return None
    origin = _seek_origin(path)
    if origin is None:
        return None
    rate, stream_start, container_start = origin
    return max(0.0, stream_start - container_start + (start - 0.5) / rate)


def _parse_pnm_frames(data: bytes, channels: int, path: str) -> np.ndarray:
    """Frames from ffmpeg's ``image2pipe`` PPM (RGB) or PGM (gray) stream.

    ffmpeg's PNM encoder writes a three-line header (``P6`` or ``P5``, then
    width and height, then 255) before every frame, so the frame size is the
    one ffmpeg produced, after rotation and scaling, not one guessed from the
    stream's header.
    """
    magic = b"P5" if channels == 1 else b"P6"
    parts = data.split(b"\n", 3)
    if len(parts) < 4 or parts[0] != magic or parts[2] != b"255":
        return np.zeros((0, 1, 1, channels), np.uint8)
    width, height = (int(v) for v in parts[1].split())
    header = sum(len(p) + 1 for p in parts[:3])
    frame_bytes = header + height * width * channels
    count = len(data) // frame_bytes
    frames = np.frombuffer(data, np.uint8, count * frame_bytes)
    frames = frames.reshape(count, frame_bytes)
    if count and np.any(frames[:, :header] != frames[0, :header]):
        raise VideoDecodeError(f"the frame size of {path!r} changes mid-stream")
    pixels = frames[:, header:].reshape(count, height, width, channels)
    return np.ascontiguousarray(pixels)


def _read_ffmpeg(exe, path, frames, start, step, size, resize, channels, timeout):
    seek = _seek_seconds(path, start)
    # After a seek the first frame ffmpeg filters is frame `start` itself.
    first = start if seek is None else 0
    filters = []
    if first or step != 1:
        filters.append(f"select='gte(n,{first})*not(mod(n-{first},{step}))'")
    if size is not None:
        filters.append(_scale_filter(size, resize))
    cmd = [exe, "-nostdin", "-v", "error", "-threads", "1"]
    if seek is not None:
        # Before -i: seek in the input (keyframe, then decode up to the
        # target) instead of decoding every frame from 0.
        cmd += ["-ss", f"{seek:.6f}"]
    cmd += ["-i", _local_url(path)]
    if filters:
        cmd += ["-vf", ",".join(filters)]
    if frames is not None:
        cmd += ["-frames:v", str(frames)]
    # ffmpeg applies the display matrix (rotated phone videos) by default;
    # PNM output carries the resulting frame size with every frame.
    codec, pix_fmt = ("pgm", "gray") if channels == 1 else ("ppm", "rgb24")
    cmd += ["-fps_mode", "passthrough", "-f", "image2pipe", "-c:v", codec]
    cmd += ["-pix_fmt", pix_fmt, "-"]
    try:
        result = subprocess.run(
            cmd, capture_output=True, timeout=timeout, check=False, stdin=None
        )
    except subprocess.TimeoutExpired as err:
        raise VideoDecodeError(f"decoding {path!r} timed out after {timeout}s") from err
    video = _parse_pnm_frames(result.stdout, channels, path)
    if len(video) == 0:
        message = result.stderr.decode("utf-8", "replace").strip()[-500:]
        raise VideoDecodeError(
            f"ffmpeg decoded no frames from {path!r} (exit {result.returncode}): "
            f"{message}"
        )
    return video


def _display_matrix(frame) -> np.ndarray | None:
    """The 3x3 display matrix (int32, row-major) a decoded frame carries."""
    try:
        side = frame.side_data
        for item in side:
            # PyAV 18.1.1 made the container a true mapping (iterating gives
            # the types); earlier versions iterate over the entries.
            side_data = item if hasattr(item, "type") else side[item]
            kind = getattr(side_data.type, "name", str(side_data.type))
            if "DISPLAYMATRIX" in kind.upper():
                return np.frombuffer(bytes(side_data), np.int32, 9)
    except Exception:  # An older PyAV without side data access: no rotation.
        return None
    return None


def _to_display(image: np.ndarray, matrix: np.ndarray | None) -> np.ndarray:
    """Applies a display matrix to an ``(H, W, C)`` frame as ffmpeg does.

    The same choices as ffmpeg's automatic rotation (``-autorotate``, on by
    default): right-angle rotations as transposes, flips from the matrix
    signs. Rotations by other angles are left to ffmpeg.
    """
    if matrix is None:
        return image
    a, b, c, d = (float(v) / 65536.0 for v in matrix[[0, 1, 3, 4]])
    if not (np.hypot(a, c) and np.hypot(b, d)):
        return image
    rotation = -np.degrees(np.arctan2(b / np.hypot(b, d), a / np.hypot(a, c)))
    theta = -round(rotation)  # ffmpeg's get_rotation(): clockwise degrees
    theta -= 360 * np.floor(theta / 360 + 0.9 / 360)
    if abs(theta - 90) < 1:
        # transpose=cclock_flip (a plain transpose) or transpose=clock.
        return image.transpose(1, 0, 2) if c > 0 else np.rot90(image, -1)
    if abs(theta - 270) < 1:
        # transpose=clock_flip or transpose=cclock.
        return np.rot90(image, -1)[::-1] if c < 0 else np.rot90(image, 1)
    if abs(theta - 180) < 1:
        if a < 0:
            image = image[:, ::-1]
        return image[::-1] if d < 0 else image
    if abs(theta) < 1 and d < 0:
        return image[::-1]
    return image


def _pyav_frames(container, stream, start: int, seek_origin):
    """``(index, frame)`` pairs from about frame `start` on.

    With `seek_origin` (see `_seek_origin`) the container is first seeked to
    the keyframe before frame `start` and indices come from timestamps, the
    rule ffmpeg's input seek follows; otherwise, or when the seek lands past
    frame `start` or a frame has no timestamp, frames are counted from 0.
    """
    if seek_origin is not None and start > 0:
        rate, stream_start, _ = seek_origin
        target = stream_start + (start - 0.5) / rate
        container.seek(int(target / stream.time_base), stream=stream, backward=True)
        decoded = container.decode(stream)
        frame = next(decoded, None)
        if frame is not None and frame.pts is not None:
            index = round((float(frame.pts * stream.time_base) - stream_start) * rate)
            if index <= start:
                yield index, frame
                for frame in decoded:
                    if frame.pts is None:
                        index += 1
                    else:
                        seconds = float(frame.pts * stream.time_base)
                        index = round((seconds - stream_start) * rate)
                    yield index, frame
                return
        container.seek(0)  # Flushes the decoder too.
    yield from enumerate(container.decode(stream))


def _read_pyav(path, frames, start, step, size, resize, channels):
    import av

    out = []
    try:
        with av.open(_local_url(path)) as container:
            stream = container.streams.video[0]
            fmt = "gray" if channels == 1 else "rgb24"
            seen = 0  # Frames at or after `start`, like ffmpeg's select `n`.
            # The container is open already: no second open for the origin.
            origin = None
            if start > 0 and _seekable(path):
                origin = _container_origin(container)
            pairs = _pyav_frames(container, stream, start, origin)
            for index, frame in pairs:
                if index < start:
                    continue
                seen += 1
                if (seen - 1) % step:
                    continue
                array = frame.to_ndarray(format=fmt)
                array = array.reshape(array.shape[0], array.shape[1], channels)
                out.append(_to_display(array, _display_matrix(frame)))
                if frames is not None and len(out) >= frames:
                    break
    except Exception as err:
        if not out:
            raise VideoDecodeError(f"PyAV cannot decode {path!r}: {err}") from err
    if not out:
        raise VideoDecodeError(f"PyAV decoded no frames from {path!r}")
    video = np.stack(out)
    if size is not None:
        video = resize_frames(video, size, resize)
    return video


def read_video(
    path: str | os.PathLike,
    frames: int | None = None,
    start: int = 0,
    step: int = 1,
    size: int | Sequence[int] | None = None,
    resize: str = "crop",
    channels: int = 3,
    backend: str = "auto",
    timeout: float = 120.0,
) -> np.ndarray:
    """Decodes a video file (or a clip of it) into a uint8 array.

    Args:
        path: A video file (mp4, avi, mov, mkv, webm, gif, or anything ffmpeg
            reads).
        frames: Number of frames to return, or None for all. Fewer come back
            when the file ends early.
        start: Index of the first frame to return. In mp4, mov, m4v, mkv
            and webm files with a constant frame rate the decoder seeks to
            the keyframe before it (frame ``start`` is the one shown at
            ``start / fps`` seconds) instead of decoding every earlier frame;
            other files (avi, gif, variable frame rate) are decoded from
            frame 0 and frames counted.
        step: Frame stride (2 keeps every other frame).
        size: Output size, an int (square) or ``(height, width)``; None keeps
            the file's displayed size.
        resize: How to reach `size`: ``"crop"`` (keep aspect ratio, scale to
            cover, crop the centre), ``"pad"`` (keep aspect ratio, fit inside,
            pad black) or ``"stretch"``.
        channels: 3 for RGB or 1 for grayscale; the file is converted if it
            differs.
        backend: ``"ffmpeg"`` (imageio-ffmpeg's bundled binary), ``"pyav"`` or
            ``"auto"`` (ffmpeg when available, else PyAV).
        timeout: Seconds before an ffmpeg decode is abandoned.

    Returns:
        uint8 array ``(T, H, W, channels)`` with ``1 <= T``, in the displayed
        orientation: a file with rotation metadata (phone videos) comes back
        rotated and flipped as players show it, by both backends (ffmpeg's
        automatic rotation; PyAV applies right angles and flips the same
        way), so a 64x32 stream rotated by 90 degrees gives frames of height
        64 and width 32.

    Raises:
        VideoDecodeError: If no frame could be decoded (missing, corrupt or
            empty file, or `start` past the end).
        ValueError: For invalid arguments.

    Example:

    >>> clip = read_video("walk.mp4", frames=16, step=2, size=64)  # doctest: +SKIP
    >>> clip.shape, clip.dtype  # doctest: +SKIP
    ((16, 64, 64, 3), dtype('uint8'))
    """
    path = os.fspath(path)
    size = _as_size(size)
    _check_resize_mode(resize)
    _check_channels(channels)
    if frames is not None and frames < 1:
        raise ValueError(f"expected frames >= 1 or None, got {frames!r}")
    if start < 0 or step < 1:
        raise ValueError(f"expected start >= 0 and step >= 1, got {start}, {step}")
    if backend not in ("auto", "ffmpeg", "pyav"):
        raise ValueError(
            f"expected backend 'auto', 'ffmpeg' or 'pyav', got {backend!r}"
        )
    if not os.path.isfile(path):
        raise VideoDecodeError(f"{path!r} is not a file")
    exe = _ffmpeg_exe() if backend in ("auto", "ffmpeg") else None
    if backend == "ffmpeg" and exe is None:
        raise VideoDecodeError("backend='ffmpeg' but imageio-ffmpeg is unavailable")
    if exe is not None:
        return _read_ffmpeg(
            exe, path, frames, start, step, size, resize, channels, timeout
        )
    return _read_pyav(path, frames, start, step, size, resize, channels)


def _as_video_uint8(video) -> np.ndarray:
    video = to_uint8(video)
    if video.ndim == 3:
        video = video[..., None]
    if video.ndim != 4 or video.shape[-1] not in (1, 3):
        raise ValueError(
            "expected a video (frames, height, width, channels) with channels 1 or "
            f"3, or (frames, height, width), got shape {video.shape}"
        )
    if video.shape[0] < 1:
        raise ValueError(f"expected at least one frame, got shape {video.shape}")
    return video


def _write_gif(path: str, video: np.ndarray, fps: float) -> None:
    exe = _ffmpeg_exe()
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
