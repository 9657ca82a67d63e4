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

from tfvgan.video_io._common import (
    VIDEO_EXTENSIONS,
    VideoDecodeError,
    VideoInfo,
    resize_frames,
    to_uint8,
)
from tfvgan.video_io._reading import probe_video, read_video
from tfvgan.video_io._writing import show, video_grid, write_video

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
