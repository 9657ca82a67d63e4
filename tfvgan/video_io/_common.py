"""What reading and writing share: errors, uint8 conversion, sizes, ffmpeg.

Part of `tfvgan.video_io`; import the names from there.
"""

from __future__ import annotations

import dataclasses
import os

import numpy as np

#: File extensions (lower case, with the dot) that `read_video` accepts.
VIDEO_EXTENSIONS = (".mp4", ".avi", ".mov", ".mkv", ".webm", ".gif")


_RESIZE_MODES = ("crop", "pad", "stretch")


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
