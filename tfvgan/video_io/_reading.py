"""`probe_video` and `read_video`, with PyAV's decoding (the fallback backend).

Part of `tfvgan.video_io`; import the names from there.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np

from tfvgan.video_io import _common, _ffmpeg
from tfvgan.video_io._common import (
    VideoDecodeError,
    VideoInfo,
    _as_size,
    _check_channels,
    _check_resize_mode,
    _local_url,
    resize_frames,
)


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
        exe = _common._ffmpeg_exe()
        if exe is None:
            raise VideoDecodeError("neither PyAV nor imageio-ffmpeg is available")
        import imageio_ffmpeg

        try:
            frames, _ = imageio_ffmpeg.count_frames_and_secs(_local_url(path))
            height, width, fps = _ffmpeg._ffmpeg_header(path)
        except Exception as err:
            raise VideoDecodeError(f"cannot open {path!r} as a video: {err}") from err
    if frames < 1 or height < 1 or width < 1:
        raise VideoDecodeError(
            f"{path!r} has no decodable frames (frames={frames}, size={height}x{width})"
        )
    return VideoInfo(path, frames, height, width, fps)


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
            if start > 0 and _ffmpeg._seekable(path):
                origin = _ffmpeg._container_origin(container)
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
    exe = _common._ffmpeg_exe() if backend in ("auto", "ffmpeg") else None
    if backend == "ffmpeg" and exe is None:
        raise VideoDecodeError("backend='ffmpeg' but imageio-ffmpeg is unavailable")
    if exe is not None:
        return _ffmpeg._read_ffmpeg(
            exe, path, frames, start, step, size, resize, channels, timeout
        )
    return _read_pyav(path, frames, start, step, size, resize, channels)
