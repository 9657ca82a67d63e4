"""Decoding a folder's files: probing them, decoding clips, counting failures.

Part of `tfvgan.data.video_dataset_from_directory` (`tfvgan.data.directory`).
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import hashlib
import logging
import os
import threading

import numpy as np

from tfvgan import video_io

logger = logging.getLogger("tfvgan.data")


@dataclasses.dataclass
class DecodeStats:
    """What happened to the files of a directory dataset.

    Available as ``dataset.stats``. Probing (at construction) and decoding
    (during iteration, possibly in several threads) both record here.

    Attributes:
        directory: The folder indexed.
        files_found: Video files found (matching extensions) for this subset.
        files_ignored: Files without a video extension, left out.
        skipped: ``{path: reason}`` for every file left out so far: unreadable,
            corrupt, zero frames, or too short with ``short_videos="skip"``.
        decode_failures: Failed decodes during iteration (a file that fails
            is then skipped in later epochs without another attempt).
    """

    directory: str
    files_found: int = 0
    files_ignored: int = 0
    skipped: dict[str, str] = dataclasses.field(default_factory=dict)
    decode_failures: int = 0
    _lock: threading.Lock = dataclasses.field(
        default_factory=threading.Lock, repr=False, compare=False
    )

    @property
    def num_skipped(self) -> int:
        """Number of distinct files left out so far."""
        return len(self.skipped)

    @property
    def num_used(self) -> int:
        """Files found minus files skipped."""
        return self.files_found - self.num_skipped

    def record(self, path: str, reason: str, during_decode: bool = False) -> None:
        """Marks `path` as skipped, logging a warning naming it."""
        with self._lock:
            first = path not in self.skipped
            self.skipped.setdefault(path, reason)
            if during_decode:
                self.decode_failures += 1
            count = len(self.skipped)
        if first:
            logger.warning(
                "skipping video %s: %s (%d skipped so far)", path, reason, count
            )

    def summary(self) -> str:
        """One line: files found, used and skipped."""
        return (
            f"{self.directory}: {self.files_found} video files found, "
            f"{self.num_used} used, {self.num_skipped} skipped, "
            f"{self.files_ignored} non-video files ignored"
        )


def _clip_indices(n, frames, step, random_value, random_clip, short_videos):
    span = (frames - 1) * step + 1
    start = 0
    if random_clip:
        start = int(abs(int(random_value)) % (max(n - span, 0) + 1))
    indices = start + np.arange(frames) * step
    if short_videos == "loop":
        return indices % n
    return np.minimum(indices, n - 1)


def _cache_path(cache_dir, path, size, resize, channels) -> str:
    stat = os.stat(path)
    key = f"{os.path.abspath(path)}|{stat.st_mtime_ns}|{stat.st_size}|{size}|{resize}|{channels}"
    digest = hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]
    stem = os.path.splitext(os.path.basename(path))[0][:40]
    return os.path.join(cache_dir, f"{stem}-{digest}.npy")


@dataclasses.dataclass(eq=False)  # compared and hashed by identity, as before
class _Decoder:
    """The Python side of the decode map (runs under `tf.numpy_function`).

    Returns ``(clip, ok)``; a failed decode gives ``ok=False`` and a zero
    clip, filtered out downstream, so one bad file never stops the pipeline.
    The fields are `video_dataset_from_directory`'s arguments of the same
    names (``size`` the output size).
    """

    files: list  # [(path, num_frames, label)]
    frames: int
    frame_step: int
    size: tuple[int, int]
    resize: str
    channels: int
    random_clip: bool
    short_videos: str
    on_error: str
    cache_dir: str | None
    stats: DecodeStats

    def __post_init__(self):
        self.span = (self.frames - 1) * self.frame_step + 1

    def _read_all(self, path):
        if self.cache_dir is None:
            return video_io.read_video(
                path, size=self.size, resize=self.resize, channels=self.channels
            )
        cached = _cache_path(
            self.cache_dir, path, self.size, self.resize, self.channels
        )
        if os.path.exists(cached):
            try:
                return np.load(cached, mmap_mode="r", allow_pickle=False)
            except (OSError, ValueError):
                pass  # A damaged cache entry: decode again and overwrite it.
        video = video_io.read_video(
            path, size=self.size, resize=self.resize, channels=self.channels
        )
        # Write then rename, so a parallel reader never sees half a file.
        tmp = f"{cached}.{os.getpid()}.{threading.get_ident()}.tmp"
        with open(tmp, "wb") as f:
            np.save(f, video, allow_pickle=False)
        os.replace(tmp, cached)
        return video

    def _clip(self, path, num_frames, random_value):
        if self.cache_dir is not None:
            video = self._read_all(path)
            return self._take(path, video, random_value)
        if num_frames >= self.span:
            start = _clip_indices(
                num_frames,
                self.frames,
                self.frame_step,
                random_value,
                self.random_clip,
                "pad",
            )[0]
            clip = video_io.read_video(
                path,
                frames=self.frames,
                start=int(start),
                step=self.frame_step,
                size=self.size,
                resize=self.resize,
                channels=self.channels,
            )
            if len(clip) == self.frames:
                return clip
            # The container over-stated its length; fall back to the real one.
        return self._take(path, self._read_all(path), random_value)

    def _take(self, path, video, random_value):
        n = len(video)
        if n < self.span and self.short_videos == "skip":
            raise video_io.VideoDecodeError(
                f"{n} frames decoded, fewer than the {self.span} a clip needs "
                f"(frames={self.frames}, frame_step={self.frame_step})"
            )
        indices = _clip_indices(
            n,
            self.frames,
            self.frame_step,
            random_value,
            self.random_clip,
            self.short_videos,
        )
        return np.asarray(video[indices])

    def __call__(self, index, random_value):
        """Clip of file `index`, or of the next good file if that one fails.

        Returns ``(clip, label)``. Filling a failed file's slot keeps the epoch
        length (and ``dataset.cardinality()``) fixed.
        """
        n = len(self.files)
        for attempt in range(n):
            path, num_frames, label = self.files[(int(index) + attempt) % n]
            if path in self.stats.skipped:
                continue
            try:
                clip = self._clip(path, num_frames, random_value)
            except Exception as err:
                if self.on_error == "raise":
                    raise video_io.VideoDecodeError(
                        f"cannot decode {path!r}: {err}"
                    ) from err
                self.stats.record(path, f"decode failed: {err}", during_decode=True)
                continue
            return np.ascontiguousarray(clip, dtype=np.uint8), np.int32(label)
        raise video_io.VideoDecodeError(
            f"every one of the {n} video files failed to decode; {self.stats.summary()}"
        )


#: Probe results by (path, size, modification time): a process that builds
#: the same folder's data set again (the runner does, once per `fit` call
#: of a resumed run) does not probe every file again.
_PROBE_CACHE: dict[tuple, object] = {}


def _probe_cached(path):
    stat = os.stat(path)
    key = (os.path.abspath(path), stat.st_size, stat.st_mtime_ns)
    info = _PROBE_CACHE.get(key)
    if info is None:
        info = video_io.probe_video(path)
        _PROBE_CACHE[key] = info
    return info


def _probe_all(paths, span, short_videos, on_error, stats, max_workers=8):
    """Frame counts of the usable files; records and logs the others."""

    def probe(path):
        try:
            return _probe_cached(path), None
        except Exception as err:
            return None, err

    with concurrent.futures.ThreadPoolExecutor(max_workers) as pool:
        results = list(pool.map(probe, paths))
    kept = []
    for path, (info, err) in zip(paths, results, strict=True):
        if err is not None:
            if on_error == "raise":
                raise video_io.VideoDecodeError(f"cannot read {path!r}: {err}") from err
            stats.record(path, f"unreadable: {err}")
        elif info.frames < span and short_videos == "skip":
            stats.record(
                path,
                f"{info.frames} frames, fewer than the {span} a clip needs "
                "(short_videos='skip'; use 'loop' or 'pad' to keep it)",
            )
        else:
            kept.append((path, info.frames))
    return kept
