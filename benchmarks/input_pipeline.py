"""Input-pipeline throughput: tfvgan's directory loader vs a naive Python loop.

Writes a folder of small mp4 files to a temporary directory, then measures
clips per second for 16-frame 64x64 clips (float32 in [-1, 1]) from

- ``naive``: a sequential loop that opens each file with imageio, reads the
  clip's frames and resizes them with NumPy (centre crop + nearest sampling,
  the cheapest resize, so the baseline is flattered rather than handicapped);
- ``tfvgan``: `tfvgan.data.video_dataset_from_directory` (parallel ffmpeg
  decodes inside ``map(num_parallel_calls=AUTOTUNE)``, resize in ffmpeg,
  prefetch), first epoch, construction (file probing) included;
- ``tfvgan+cache``: the same with ``cache_dir=`` (decode-once ``.npy`` cache),
  its first epoch (decode + write) and its second (cached).

The naive loop gets an untimed warm-up read; the tfvgan epochs include
building the dataset (probing every file) and tracing.

Usage::

    python benchmarks/input_pipeline.py --num-files 48
"""

import argparse
import os
import shutil
import tempfile
import time

import numpy as np


def _make_video(rng, frames, height, width):
    """A moving colour gradient plus a square: compressible, non-trivial."""
    y = np.linspace(0, 1, height)[:, None]
    x = np.linspace(0, 1, width)[None, :]
    colour = rng.uniform(0.2, 1.0, 3)
    video = np.empty((frames, height, width, 3), np.uint8)
    for t in range(frames):
        phase = t / frames
        base = 0.5 + 0.5 * np.sin(2 * np.pi * (x + y + phase))
        frame = base[..., None] * colour
        top = int((height - 16) * phase)
        frame[top : top + 16, width // 3 : width // 3 + 16] = 1.0
        video[t] = (frame * 255).astype(np.uint8)
    return video


def write_files(folder, num_files, frames, height, width, seed=0):
    from tfvgan import video_io

    rng = np.random.default_rng(seed)
    os.makedirs(folder, exist_ok=True)
    for i in range(num_files):
        video_io.write_video(
            os.path.join(folder, f"clip{i:04d}.mp4"),
            _make_video(rng, frames, height, width),
            fps=25,
        )


def naive_loop(paths, clip_frames, size):
    """Sequential: imageio read, NumPy crop + resize, float conversion."""
    import imageio.v3 as iio

    clips = 0
    for path in paths:
        frames = []
        for frame in iio.imiter(path):
            frames.append(frame)
            if len(frames) == clip_frames:
                break
        video = np.stack(frames)
        _, h, w, _ = video.shape
        side = min(h, w)
        top, left = (h - side) // 2, (w - side) // 2
        video = video[:, top : top + side, left : left + side]
        index = (np.arange(size) * side / size).astype(int)
        video = video[:, index][:, :, index]
        video = video.astype(np.float32) / 127.5 - 1.0
        assert video.shape == (clip_frames, size, size, 3)
        clips += 1
    return clips


def pipeline_epoch(dataset):
    clips = 0
    for batch in dataset:
        clips += int(batch.shape[0])
    return clips


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--num-files", type=int, default=48)
    parser.add_argument("--file-frames", type=int, default=48)
    parser.add_argument("--file-height", type=int, default=120)
    parser.add_argument("--file-width", type=int, default=160)
    parser.add_argument("--frames", type=int, default=16)
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--workdir", default=None, help="default: a temp dir")
    args = parser.parse_args(argv)

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from tfvgan.data import video_dataset_from_directory

    workdir = args.workdir or tempfile.mkdtemp(prefix="tfvgan_bench_")
    folder = os.path.join(workdir, "videos")
    try:
        start = time.perf_counter()
        write_files(
            folder, args.num_files, args.file_frames, args.file_height, args.file_width
        )
        print(
            f"wrote {args.num_files} mp4 files ({args.file_frames} frames, "
            f"{args.file_width}x{args.file_height}) in "
            f"{time.perf_counter() - start:.1f}s; cpus={os.cpu_count()}"
        )
        paths = sorted(os.path.join(folder, f) for f in os.listdir(folder))
        rows = []

        naive_loop(paths[:1], args.frames, args.size)  # warm-up: imports, plugin
        start = time.perf_counter()
        clips = naive_loop(paths, args.frames, args.size)
        rows.append(
            ("naive loop (imageio + NumPy)", clips, time.perf_counter() - start)
        )

        common = dict(
            frames=args.frames,
            size=args.size,
            batch_size=args.batch_size,
            labels=None,
            seed=0,
        )
        start = time.perf_counter()
        dataset = video_dataset_from_directory(folder, **common)
        clips = pipeline_epoch(dataset)
        rows.append(("tfvgan pipeline, epoch 1", clips, time.perf_counter() - start))

        cache = os.path.join(workdir, "cache")
        start = time.perf_counter()
        cached = video_dataset_from_directory(folder, cache_dir=cache, **common)
        clips = pipeline_epoch(cached)
        rows.append(("tfvgan + cache_dir, epoch 1", clips, time.perf_counter() - start))
        start = time.perf_counter()
        clips = pipeline_epoch(cached)
        rows.append(("tfvgan + cache_dir, epoch 2", clips, time.perf_counter() - start))

        naive_rate = rows[0][1] / rows[0][2]
        print(f"\n{args.frames}-frame {args.size}x{args.size} clips, float32 [-1, 1]")
        print(f"{'source':<32}{'clips':>7}{'seconds':>9}{'clips/s':>9}{'vs naive':>10}")
        for name, clips, seconds in rows:
            rate = clips / seconds
            print(
                f"{name:<32}{clips:>7}{seconds:>9.2f}{rate:>9.1f}"
                f"{rate / naive_rate:>9.2f}x"
            )
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
