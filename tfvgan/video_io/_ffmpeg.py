"""Decoding with the ffmpeg binary: seeking by time, PNM frames on a pipe.

Part of `tfvgan.video_io` (`read_video`'s ``"ffmpeg"`` backend).
"""

from __future__ import annotations

import os
import subprocess

import numpy as np

from tfvgan.video_io._common import VideoDecodeError, _local_url


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
