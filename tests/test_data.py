"""Tests for tfvgan.data: every source, every condition, every bad input."""

import logging
import os
import time

import imageio_ffmpeg
import numpy as np
import pytest
import tensorflow as tf
import tensorflow_datasets as tfds

from tfvgan import data, masking, video_io
from tfvgan.data import conditions as conditions_lib

# ---------------------------------------------------------------- helpers


def _ramp(frames, height=20, width=24, channels=3, offset=0):
    """Frame i is the constant level 10 + 20 * (i + offset), so clips identify
    their source frames after lossy compression."""
    levels = (10 + 20 * (np.arange(frames) + offset)).astype(np.uint8)
    video = np.broadcast_to(
        levels[:, None, None, None], (frames, height, width, channels)
    )
    return np.ascontiguousarray(video)


def _levels(video_float):
    """Frame indices back from a float [-1, 1] clip of a `_ramp`."""
    pixels = (np.asarray(video_float) + 1) * 127.5
    means = pixels.reshape(len(pixels), -1).mean(axis=1)
    return np.round((means - 10) / 20).astype(int)


def _check_contract(video, shape):
    assert video.dtype == tf.float32
    assert tuple(video.shape) == shape
    values = video.numpy()
    assert values.min() >= -1.0 and values.max() <= 1.0


def _write_faststart_mp4(path, video):
    """An mp4 with its index first: truncating it keeps it probe-able."""
    writer = imageio_ffmpeg.write_frames(
        str(path),
        (video.shape[2], video.shape[1]),
        fps=8,
        codec="libx264",
        macro_block_size=1,
        ffmpeg_log_level="error",
        output_params=["-movflags", "+faststart"],
    )
    writer.send(None)
    for frame in video:
        writer.send(np.ascontiguousarray(frame))
    writer.close()


@pytest.fixture
def video_dir(tmp_path):
    """Two classes; 'dark' clips are dim, 'light' clips bright; mixed formats,
    sizes and channel counts."""
    root = tmp_path / "videos"
    (root / "dark").mkdir(parents=True)
    (root / "light").mkdir()
    dark = np.full((12, 20, 24, 3), 30, np.uint8)
    light = np.full((12, 20, 24, 3), 220, np.uint8)
    video_io.write_video(root / "dark" / "a.mp4", dark)
    video_io.write_video(root / "dark" / "b.gif", dark[..., :1])  # grayscale
    video_io.write_video(root / "dark" / "c.MKV", dark[:, :17, :23])  # odd size
    video_io.write_video(root / "light" / "d.avi", light)
    video_io.write_video(root / "light" / "e.mp4", light[:, :, :20])
    video_io.write_video(root / "light" / "f.webm", light)
    (root / "light" / "notes.txt").write_text("not a video")
    return root


# ---------------------------------------------------------------- moving digits


def test_moving_digits_arrays_shapes_dtypes_ranges():
    videos, labels, captions = data.moving_digits_arrays(
        10, frames=8, size=32, num_digits=2, channels=3, seed=1
    )
    assert videos.shape == (10, 8, 32, 32, 3) and videos.dtype == np.uint8
    assert labels.shape == (10, 2) and labels.dtype == np.int32
    assert captions.shape == (10,)
    assert labels.min() >= 0 and labels.max() <= 9
    assert videos.max() == 255 and videos.min() == 0  # real strokes on black
    assert (videos[..., 0] == videos[..., 2]).all()


def test_moving_digits_is_deterministic_per_seed():
    a = data.moving_digits_arrays(6, frames=6, size=24, seed=3)
    b = data.moving_digits_arrays(6, frames=6, size=24, seed=3)
    c = data.moving_digits_arrays(6, frames=6, size=24, seed=4)
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)
    assert not np.array_equal(a[0], c[0])


def test_moving_digits_default_size_is_fast():
    start = time.perf_counter()
    videos, _, _ = data.moving_digits_arrays()
    elapsed = time.perf_counter() - start
    assert videos.shape == (1024, 16, 64, 64, 1)
    assert elapsed < 10.0, f"1024 clips took {elapsed:.1f}s"


def test_captions_name_labels_and_dominant_motion():
    videos, labels, captions = data.moving_digits_arrays(
        64, frames=8, size=32, num_digits=1, seed=0
    )
    rows = np.arange(32)
    checked = 0
    for video, label, caption in zip(videos, labels, captions, strict=True):
        words = caption.split()
        assert words[:3] == ["digit", str(label[0]), "moves"]
        assert set(words) <= set(data.MOVING_DIGITS_VOCABULARY)
        mass = video[..., 0].astype(float)
        total = mass.sum(axis=(1, 2))
        cy = (mass.sum(axis=2) @ rows) / total
        cx = (mass.sum(axis=1) @ rows) / total
        for centre, names in ((cy, ("up", "down")), (cx, ("left", "right"))):
            votes = np.sign(np.diff(centre)).sum()
            if abs(votes) >= 3:  # a clear dominant direction on this axis
                expected = names[0] if votes < 0 else names[1]
                assert expected in words, (caption, votes)
                checked += 1
            if np.abs(np.diff(centre)).max() < 1e-6:  # never moved on this axis
                assert not set(names) & set(words), caption
    assert checked > 40


def test_multi_digit_caption_grammar():
    _, labels, captions = data.moving_digits_arrays(
        5, frames=4, size=32, num_digits=2, seed=2
    )
    for label, caption in zip(labels, captions, strict=True):
        first, second = caption.split(" and digit ")
        assert first.startswith(f"digit {label[0]} moves ")
        assert second.startswith(f"{label[1]} moves ")


def test_moving_digits_dataset_batched_contract():
    ds = data.moving_digits(16, frames=8, size=32, batch_size=4, seed=0)
    batches = list(ds)
    assert len(batches) == 4
    _check_contract(batches[0], (4, 8, 32, 32, 1))
    # Unbatched when batch_size is None; channels=3 replicates gray.
    video = next(iter(data.moving_digits(4, frames=8, size=32, channels=3)))
    _check_contract(video, (8, 32, 32, 3))


def test_moving_digits_conditions():
    kwargs = dict(num_videos=8, frames=8, size=32, batch_size=4, shuffle=False)
    videos_np, labels_np, captions_np = data.moving_digits_arrays(
        8, frames=8, size=32, seed=0
    )

    video, label = next(iter(data.moving_digits(condition="label", **kwargs)))
    assert label.dtype == tf.int32 and label.shape == (4,)
    np.testing.assert_array_equal(label.numpy(), labels_np[:4, 0])
    np.testing.assert_allclose(video.numpy(), videos_np[:4] / 127.5 - 1, atol=1e-6)

    ds = data.moving_digits(condition="caption", sequence_length=12, **kwargs)
    _, tokens = next(iter(ds))
    assert tokens.dtype == tf.int64 and tokens.shape == (4, 12)
    vocab = ds.vectorizer.get_vocabulary()
    decoded = [" ".join(vocab[t] for t in row if t) for row in tokens.numpy()]
    assert decoded == list(captions_np[:4])

    _, text = next(iter(data.moving_digits(condition="caption_text", **kwargs)))
    assert text.dtype == tf.string
    assert [t.decode() for t in text.numpy()] == list(captions_np[:4])

    video, first = next(iter(data.moving_digits(condition="first_frame", **kwargs)))
    assert first.shape == (4, 32, 32, 1)
    np.testing.assert_array_equal(first.numpy(), video.numpy()[:, 0])

    video, low = next(iter(data.moving_digits(condition="low_res", **kwargs)))
    assert low.shape == (4, 8, 8, 8, 1) and low.dtype == tf.float32
    expected = video.numpy().reshape(4, 8, 8, 4, 8, 4, 1).mean(axis=(3, 5))
    np.testing.assert_allclose(low.numpy(), expected, atol=1e-5)

    video, context = next(
        iter(data.moving_digits(condition="context_frames", context_frames=3, **kwargs))
    )
    assert context.shape == (4, 3, 32, 32, 1) and context.dtype == tf.float32
    np.testing.assert_array_equal(context.numpy(), video.numpy()[:, :3])

    video, keys = next(
        iter(data.moving_digits(condition="keyframes", keyframe_interval=7, **kwargs))
    )
    assert keys.shape == (4, 2, 32, 32, 1) and keys.dtype == tf.float32
    np.testing.assert_array_equal(keys.numpy(), video.numpy()[:, [0, 7]])

    two = data.moving_digits(4, frames=4, size=32, num_digits=2, condition="label")
    assert next(iter(two))[1].shape == (2,)


def test_moving_digits_rejects_bad_arguments():
    with pytest.raises(ValueError, match="'colour'"):
        data.moving_digits(4, condition="colour")
    with pytest.raises(ValueError, match="channels 1 or 3, got 2"):
        data.moving_digits_arrays(4, channels=2)
    with pytest.raises(ValueError, match="size an int >= 8, got 4"):
        data.moving_digits_arrays(4, size=4)
    with pytest.raises(ValueError, match="downscale"):
        data.moving_digits(4, size=32, condition="low_res", downscale=3)
    for k in (0, 4, "2"):
        with pytest.raises(ValueError, match="context_frames"):
            data.moving_digits(
                4, frames=4, condition="context_frames", context_frames=k
            )
    for n in (2, 4, None):  # frames=5: keyframes every 2 or 4 frames
        data.moving_digits(4, frames=5, condition="keyframes", keyframe_interval=n)
    for n in (1, 3, 5, 2.0):
        with pytest.raises(ValueError, match="keyframe_interval"):
            data.moving_digits(4, frames=5, condition="keyframes", keyframe_interval=n)


def test_caption_vectorizer_adapts():
    vec = data.caption_vectorizer(
        ["digit 3 moves up", "digit 7 moves left"], sequence_length=6
    )
    ids = vec(["digit 3 moves left", "digit 9 moves sideways"]).numpy()
    assert ids.shape == (2, 6)
    assert ids[0, :4].min() > 1  # all known
    assert ids[1, 1] == 1 and ids[1, 3] == 1  # OOV
    with pytest.raises(ValueError, match="neither"):
        data.caption_vectorizer()


# ---------------------------------------------------------------- from_arrays


def test_from_arrays_uint8_rank4_and_conditions():
    videos = np.full((6, 4, 8, 8), 255, np.uint8)
    ds = data.from_arrays(videos, conditions=list(range(6)), batch_size=4, seed=0)
    batches = list(ds)
    assert len(batches) == 1  # drop_remainder
    video, cond = batches[0]
    _check_contract(video, (4, 4, 8, 8, 1))
    assert np.allclose(video.numpy(), 1.0)
    assert sorted(cond.numpy().tolist()) == sorted(set(cond.numpy().tolist()))


def test_from_arrays_float_passthrough():
    videos = np.linspace(-1, 1, 2 * 2 * 4 * 4 * 3, dtype=np.float64).reshape(
        2, 2, 4, 4, 3
    )
    out = next(iter(data.from_arrays(videos, shuffle=False, batch_size=2)))
    np.testing.assert_allclose(out.numpy(), videos, atol=1e-6)


@pytest.mark.parametrize(
    "videos, error, match",
    [
        (np.zeros((2, 4, 8, 8, 3), np.int64), TypeError, "int64"),
        (np.zeros((4, 8, 8), np.uint8), ValueError, r"rank 5.*\(4, 8, 8\)"),
        (np.zeros((2, 4, 8, 8, 2), np.uint8), ValueError, "1 or 3 channels"),
        (np.full((2, 4, 8, 8, 3), 255.0), ValueError, r"\[-1, 1\].*255"),
        (np.full((2, 4, 8, 8, 3), np.nan), ValueError, "NaN"),
    ],
)
def test_from_arrays_validation(videos, error, match):
    with pytest.raises(error, match=match):
        data.from_arrays(videos)


def test_from_arrays_length_and_batch_errors():
    videos = np.zeros((3, 2, 4, 4, 1), np.uint8)
    with pytest.raises(ValueError, match="3 entries.*got 2"):
        data.from_arrays(videos, conditions=np.zeros(2))
    with pytest.raises(ValueError, match="batch_size=8"):
        data.from_arrays(videos, batch_size=8)


# ---------------------------------------------------------------- from_tfds


@pytest.fixture
def mock_tfds():
    with tfds.testing.mock_data(
        num_examples=4, policy=tfds.testing.MockPolicy.USE_CODE
    ):
        yield


def test_from_tfds_moving_mnist(mock_tfds):
    ds = data.from_tfds("moving_mnist", frames=8, size=32, batch_size=2, seed=0)
    batches = list(ds)
    assert len(batches) == 2
    _check_contract(batches[0], (2, 8, 32, 32, 1))
    video, low = next(
        iter(data.from_tfds("moving_mnist", frames=4, size=32, condition="low_res"))
    )
    assert low.shape == (4, 8, 8, 1)


def test_from_tfds_ucf101_labels_and_channels(mock_tfds):
    ds = data.from_tfds(
        "ucf101",
        frames=8,
        size=(16, 24),
        frame_step=2,
        channels=1,
        batch_size=2,
        condition="label",
        flip=True,
        seed=0,
    )
    video, label = next(iter(ds))
    _check_contract(video, (2, 8, 16, 24, 1))
    assert label.dtype == tf.int32
    assert ((label.numpy() >= 0) & (label.numpy() < 101)).all()


def test_from_tfds_bair_short_video_policies(mock_tfds):
    # bair clips have 30 frames: a 40-frame clip is too short.
    too_long = data.from_tfds(
        "bair_robot_pushing_small", frames=40, short_videos="skip"
    )
    assert list(too_long) == []
    video = next(
        iter(
            data.from_tfds(
                "bair_robot_pushing_small", frames=40, size=16, short_videos="pad"
            )
        )
    )
    _check_contract(video, (40, 16, 16, 3))


def test_from_tfds_errors(tmp_path):
    with pytest.raises(ValueError, match="'kinetics'.*moving_mnist"):
        data.from_tfds("kinetics")
    with pytest.raises(ValueError, match="labelled"):
        data.from_tfds("moving_mnist", condition="label")
    with pytest.raises(FileNotFoundError, match="download=True"):
        data.from_tfds("moving_mnist", data_dir=str(tmp_path))


# ---------------------------------------------------------------- directory


def test_directory_labels_follow_class_names(video_dir):
    ds = data.video_dataset_from_directory(
        video_dir, frames=8, size=16, batch_size=None, seed=0
    )
    assert ds.class_names == ["dark", "light"]
    assert len(ds.file_paths) == 6 and ds.stats.num_skipped == 0
    assert ds.stats.files_ignored == 1  # notes.txt
    seen = []
    for video, label in ds:
        _check_contract(video, (8, 16, 16, 3))
        assert label.dtype == tf.int32
        brightness = video.numpy().mean()
        seen.append(int(label))
        assert (brightness > 0) == (ds.class_names[int(label)] == "light")
    assert sorted(seen) == [0, 0, 0, 1, 1, 1]


def test_directory_explicit_labels_and_root_files(video_dir):
    video_io.write_video(video_dir / "stray.mp4", _ramp(12))  # beside the classes
    inferred = data.video_dataset_from_directory(video_dir, frames=4, size=8)
    assert len(inferred.file_paths) == 6  # root files are not a class
    files = sorted(
        str(p)
        for p in video_dir.rglob("*")
        if p.suffix in (".mp4", ".gif", ".MKV", ".avi", ".webm")
    )
    assert len(files) == 7
    labels = list(range(7))
    ds = data.video_dataset_from_directory(
        video_dir, frames=4, size=8, labels=labels, batch_size=None, shuffle=False
    )
    got = [int(label) for _, label in ds]
    assert got == [labels[files.index(p)] for p in ds.file_paths]
    with pytest.raises(ValueError, match="7 files found.*got 2 labels"):
        data.video_dataset_from_directory(video_dir, labels=[0, 1])


def test_directory_batches_channels_and_conditions(video_dir):
    ds = data.video_dataset_from_directory(
        video_dir, frames=4, size=(8, 12), channels=1, batch_size=4, seed=0
    )
    batches = list(ds)
    assert len(batches) == 1  # 6 files, drop_remainder
    _check_contract(batches[0][0], (4, 4, 8, 12, 1))
    ds = data.video_dataset_from_directory(
        video_dir, frames=4, size=16, batch_size=2, condition="first_frame", seed=0
    )
    video, first = next(iter(ds))
    np.testing.assert_array_equal(first.numpy(), video.numpy()[:, 0])
    ds = data.video_dataset_from_directory(
        video_dir, frames=4, size=16, batch_size=2, condition="context_frames",
        context_frames=3, seed=0,
    )  # fmt: skip
    video, context = next(iter(ds))
    np.testing.assert_array_equal(context.numpy(), video.numpy()[:, :3])
    with pytest.raises(ValueError, match="context_frames"):
        data.video_dataset_from_directory(
            video_dir, frames=4, size=16, condition="context_frames", context_frames=4
        )
    ds = data.video_dataset_from_directory(
        video_dir, frames=4, size=16, batch_size=2, condition="keyframes", seed=0
    )
    video, keys = next(iter(ds))
    np.testing.assert_array_equal(keys.numpy(), video.numpy()[:, [0, 3]])
    with pytest.raises(ValueError, match="keyframe_interval"):
        data.video_dataset_from_directory(
            video_dir, frames=4, size=16, condition="keyframes", keyframe_interval=2
        )
    ds = data.video_dataset_from_directory(
        video_dir, frames=4, size=16, batch_size=2, condition="masked", mask_size=6
    )
    video, masked = next(iter(ds))
    assert masked.shape == (2, 4, 16, 16, 4)  # RGB and the mask
    np.testing.assert_array_equal(
        masked.numpy(), masking.masked_condition(video, masking.box_masks(video, 6))
    )
    with pytest.raises(ValueError, match="mask_size"):
        data.video_dataset_from_directory(
            video_dir, frames=4, size=16, condition="masked", mask_size=16
        )
    unlabelled = data.video_dataset_from_directory(
        video_dir, frames=4, size=16, batch_size=2, labels=None
    )
    assert next(iter(unlabelled)).shape == (2, 4, 16, 16, 3)


def test_directory_validation_split_is_disjoint(video_dir):
    kwargs = dict(frames=4, size=16, batch_size=None, seed=7, validation_split=0.34)
    train = data.video_dataset_from_directory(video_dir, subset="training", **kwargs)
    val = data.video_dataset_from_directory(video_dir, subset="validation", **kwargs)
    both = data.video_dataset_from_directory(video_dir, subset="both", **kwargs)
    assert len(val.file_paths) == 2 and len(train.file_paths) == 4
    assert not set(train.file_paths) & set(val.file_paths)
    assert set(train.file_paths) | set(val.file_paths) == {
        str(p) for p in video_dir.rglob("*") if p.suffix != ".txt" and p.is_file()
    }
    assert both[0].file_paths == train.file_paths
    assert both[1].file_paths == val.file_paths
    with pytest.raises(ValueError, match="seed"):
        data.video_dataset_from_directory(
            video_dir, validation_split=0.2, subset="training"
        )
    with pytest.raises(ValueError, match="subset"):
        data.video_dataset_from_directory(
            video_dir, validation_split=0.2, subset="test", seed=1
        )


def test_directory_missing_or_empty_names_path_and_extensions(tmp_path):
    missing = tmp_path / "nowhere"
    with pytest.raises(ValueError, match=r"nowhere.*\.mp4.*\.gif"):
        data.video_dataset_from_directory(missing)
    empty = tmp_path / "empty"
    (empty / "cls").mkdir(parents=True)
    (empty / "cls" / "readme.md").write_text("hi")
    with pytest.raises(ValueError, match=r"empty.*\.mp4.*\.webm"):
        data.video_dataset_from_directory(empty)


def test_directory_skips_corrupt_files_with_warnings(video_dir, caplog):
    good = (video_dir / "dark" / "a.mp4").read_bytes()
    (video_dir / "dark" / "zero.mp4").write_bytes(b"")
    (video_dir / "dark" / "truncated.mp4").write_bytes(good[: len(good) // 3])
    flipped = bytearray(good)
    for i in range(0, 64, 3):
        flipped[i] ^= 0xFF  # the container header
    (video_dir / "light" / "flipped.mp4").write_bytes(bytes(flipped))
    (video_dir / "light" / "text.avi").write_text("I am not a video")
    with caplog.at_level(logging.WARNING, logger="tfvgan.data"):
        ds = data.video_dataset_from_directory(
            video_dir, frames=8, size=16, batch_size=2, seed=0
        )
    bad = {"zero.mp4", "truncated.mp4", "flipped.mp4", "text.avi"}
    assert {os.path.basename(p) for p in ds.stats.skipped} == bad
    assert ds.stats.num_skipped == 4 and ds.stats.num_used == 6
    for name in bad:
        assert any(name in r.getMessage() for r in caplog.records), name
    assert any("4 of 10 video files skipped" in r.getMessage() for r in caplog.records)
    assert sum(1 for _ in ds) == 3  # all 6 good files still train
    with pytest.raises(video_io.VideoDecodeError, match="zero.mp4|truncated|flipped"):
        data.video_dataset_from_directory(video_dir, on_error="raise", seed=0)


def test_directory_decode_failure_during_iteration_is_skipped(tmp_path, caplog):
    root = tmp_path / "clips"
    root.mkdir()
    for i in range(3):
        video_io.write_video(root / f"good{i}.mp4", _ramp(12))
    noise = np.random.default_rng(0).integers(0, 256, (24, 32, 32, 3), np.uint8)
    _write_faststart_mp4(root / "cut.mp4", noise)
    whole = (root / "cut.mp4").read_bytes()
    (root / "cut.mp4").write_bytes(whole[: len(whole) // 5])
    # The index survives the cut, so probing passes and decoding fails.
    assert video_io.probe_video(root / "cut.mp4").frames == 24
    ds = data.video_dataset_from_directory(root, frames=8, size=16, batch_size=None)
    assert ds.stats.num_skipped == 0
    assert int(ds.cardinality()) == 4
    with caplog.at_level(logging.WARNING, logger="tfvgan.data"):
        clips = list(ds)
    # The cut file's slot is filled with a good clip: the epoch keeps its length.
    assert len(clips) == 4
    for clip in clips:
        assert np.diff(_levels(clip)).tolist() == [1] * 7
    assert ds.stats.decode_failures == 1
    assert list(ds.stats.skipped) == [str(root / "cut.mp4")]
    assert any("cut.mp4" in r.getMessage() for r in caplog.records)
    assert len(list(ds)) == 4  # next epoch: no second attempt at the bad file
    assert ds.stats.decode_failures == 1
    strict = data.video_dataset_from_directory(
        root, frames=8, size=16, batch_size=None, on_error="raise"
    )
    with pytest.raises(tf.errors.OpError, match="cut.mp4"):
        list(strict)


def test_directory_short_video_policies(tmp_path):
    root = tmp_path / "short"
    root.mkdir()
    video_io.write_video(root / "short.mp4", _ramp(5, 16, 16))
    video_io.write_video(root / "long.mp4", _ramp(10, 16, 16))
    common = dict(frames=8, size=16, batch_size=None, random_clip=False, shuffle=False)
    skip = data.video_dataset_from_directory(root, **common)
    assert [os.path.basename(p) for p in skip.file_paths] == ["long.mp4"]
    assert "short.mp4" in next(iter(skip.stats.skipped))
    loop = data.video_dataset_from_directory(root, short_videos="loop", **common)
    pad = data.video_dataset_from_directory(root, short_videos="pad", **common)
    loop_clips = {
        os.path.basename(p): c for p, c in zip(loop.file_paths, loop, strict=True)
    }
    pad_clips = {
        os.path.basename(p): c for p, c in zip(pad.file_paths, pad, strict=True)
    }
    assert _levels(loop_clips["short.mp4"]).tolist() == [0, 1, 2, 3, 4, 0, 1, 2]
    assert _levels(pad_clips["short.mp4"]).tolist() == [0, 1, 2, 3, 4, 4, 4, 4]
    assert _levels(pad_clips["long.mp4"]).tolist() == list(range(8))


def test_directory_frame_step_and_random_starts(tmp_path):
    root = tmp_path / "ramp"
    root.mkdir()
    video_io.write_video(root / "r.mp4", _ramp(12, 16, 16))
    ds = data.video_dataset_from_directory(
        root, frames=3, frame_step=2, size=16, batch_size=None, seed=0
    )
    starts = set()
    for _ in range(6):
        levels = _levels(next(iter(ds))).tolist()
        assert np.diff(levels).tolist() == [2, 2]
        assert 0 <= levels[0] <= 12 - 5
        starts.add(levels[0])
    assert len(starts) > 1  # a new random clip each epoch


def test_directory_cache_dir_decodes_once(video_dir, tmp_path):
    cache = tmp_path / "cache"
    kwargs = dict(frames=4, size=16, batch_size=None, seed=0, cache_dir=cache)
    ds = data.video_dataset_from_directory(video_dir, **kwargs)
    first = sorted(float(v.numpy().mean()) for v, _ in ds)
    assert len(list(cache.glob("*.npy"))) == 6
    stored = np.load(next(cache.glob("a-*.npy")))
    assert stored.shape == (12, 16, 16, 3) and stored.dtype == np.uint8
    again = sorted(float(v.numpy().mean()) for v, _ in ds)
    np.testing.assert_allclose(first, again, atol=1e-6)  # constant clips


def test_directory_flip_reverses_width(tmp_path):
    root = tmp_path / "flip"
    root.mkdir()
    video = np.zeros((4, 16, 16, 3), np.uint8)
    video[:, :, :8] = 255  # left half white
    video_io.write_video(root / "half.mp4", video)
    seen = set()
    ds = data.video_dataset_from_directory(
        root, frames=4, size=16, batch_size=None, flip=True, seed=0
    )
    for _ in range(8):
        clip = next(iter(ds)).numpy()
        seen.add(bool(clip[:, :, :8].mean() > clip[:, :, 8:].mean()))
    assert seen == {True, False}


def test_condition_helpers():
    video = tf.reshape(tf.range(2 * 4 * 4 * 1, dtype=tf.float32), (2, 4, 4, 1))
    low = conditions_lib.video_condition(video, "low_res", downscale=2)
    assert low.shape == (2, 2, 2, 1)
    assert float(low[0, 0, 0, 0]) == np.mean([0, 1, 4, 5])
    with pytest.raises(ValueError, match="divisible"):
        conditions_lib.video_condition(video, "low_res", downscale=3)
    with pytest.raises(ValueError, match="'label'"):
        conditions_lib.video_condition(video, "label")
    clips = tf.reshape(tf.range(3 * 2 * 2 * 1, dtype=tf.float32), (3, 2, 2, 1))
    first_two = conditions_lib.video_condition(
        clips, "context_frames", context_frames=2
    )
    np.testing.assert_array_equal(first_two, clips[:2])
    with pytest.raises(ValueError, match="context_frames < frames=3"):
        conditions_lib.video_condition(clips, "context_frames", context_frames=3)
    ends = conditions_lib.video_condition(clips, "keyframes")
    np.testing.assert_array_equal(ends, tf.gather(clips, [0, 2]))
    batched = conditions_lib.video_condition(clips[None], "keyframes")
    np.testing.assert_array_equal(batched[0], ends)


# ------------------------------------------- issue 27: split, classes, resume
def test_directory_split_is_a_function_of_seed_and_files_not_shuffle(tmp_path):
    # 4 classes x 3 files: in sorted order the last files are all one class.
    root = tmp_path / "classes"
    for c in range(4):
        (root / f"c{c}").mkdir(parents=True)
        for i in range(3):
            video_io.write_video(root / f"c{c}" / f"{i}.mp4", _ramp(4, 8, 8))
    kwargs = dict(frames=2, size=8, batch_size=None, seed=5, validation_split=0.25)
    split = {}
    for subset in ("training", "validation"):
        for shuffle in (True, False):
            ds = data.video_dataset_from_directory(
                root, subset=subset, shuffle=shuffle, **kwargs
            )
            split[subset, shuffle] = ds.file_paths
    assert split["training", True] == split["training", False]
    assert split["validation", True] == split["validation", False]
    train, val = set(split["training", True]), set(split["validation", False])
    assert len(val) == 3 and len(train) == 9 and not train & val
    # A seeded permutation, not the tail of the sorted list (the last class).
    assert {os.path.basename(os.path.dirname(p)) for p in val} != {"c3"}
    # Another seed, another split.
    other = data.video_dataset_from_directory(
        root, subset="validation", **{**kwargs, "seed": 6}
    )
    assert set(other.file_paths) != val
    with pytest.raises(ValueError, match="needs a seed"):
        data.video_dataset_from_directory(
            root, validation_split=0.25, subset="validation", shuffle=False
        )
    # One call for both subsets needs no seed: they are disjoint whatever it is.
    train_ds, val_ds = data.video_dataset_from_directory(
        root, frames=2, size=8, validation_split=0.25, subset="both"
    )
    assert not set(train_ds.file_paths) & set(val_ds.file_paths)
    assert len(train_ds.file_paths) + len(val_ds.file_paths) == 12


@pytest.fixture
def split_dirs(tmp_path):
    """train/ and test/ with classes cat, dog, eel; test/dog has no videos."""
    for split in ("train", "test"):
        for name in ("cat", "dog", "eel"):
            (tmp_path / split / name).mkdir(parents=True)
            if split == "test" and name == "dog":
                continue
            level = {"cat": 0, "dog": 4, "eel": 8}[name]
            video_io.write_video(
                tmp_path / split / name / "a.mp4", _ramp(4, 8, 8, offset=level)
            )
    return tmp_path / "train", tmp_path / "test"


def test_directory_empty_class_folders_keep_their_class_ids(split_dirs, caplog):
    train_dir, test_dir = split_dirs
    kwargs = dict(frames=1, size=8, batch_size=None, shuffle=False, random_clip=False)
    train = data.video_dataset_from_directory(train_dir, **kwargs)
    with caplog.at_level(logging.WARNING, logger="tfvgan.data"):
        test = data.video_dataset_from_directory(test_dir, **kwargs)
    assert train.class_names == test.class_names == ["cat", "dog", "eel"]
    labels = {
        os.path.basename(os.path.dirname(path)): int(label)
        for path, (_, label) in zip(test.file_paths, test, strict=True)
    }
    assert labels == {"cat": 0, "eel": 2}  # eel is class 2 in both folders
    assert any(
        "dog" in r.getMessage() and "no video" in r.getMessage() for r in caplog.records
    )


def test_directory_takes_class_names_explicitly(split_dirs):
    train_dir, test_dir = split_dirs
    kwargs = dict(frames=1, size=8, batch_size=None, shuffle=False, random_clip=False)
    # The dog folder is gone altogether: the given names still fix the ids.
    os.rmdir(test_dir / "dog")
    test = data.video_dataset_from_directory(
        test_dir, class_names=["cat", "dog", "eel"], **kwargs
    )
    assert test.class_names == ["cat", "dog", "eel"]
    assert sorted(int(label) for _, label in test) == [0, 2]
    # An explicit order is the class-id order.
    reordered = data.video_dataset_from_directory(
        train_dir, class_names=["eel", "dog", "cat"], **kwargs
    )
    by_class = {
        os.path.basename(os.path.dirname(path)): int(label)
        for path, (_, label) in zip(reordered.file_paths, reordered, strict=True)
    }
    assert by_class == {"eel": 0, "dog": 1, "cat": 2}
    with pytest.raises(ValueError, match=r"\['eel'\].*not in class_names"):
        data.video_dataset_from_directory(train_dir, class_names=["cat", "dog"])
    with pytest.raises(ValueError, match="labels='inferred'"):
        data.video_dataset_from_directory(
            train_dir, labels=None, class_names=["cat", "dog", "eel"]
        )
    with pytest.raises(ValueError, match="distinct"):
        data.video_dataset_from_directory(train_dir, class_names=["cat", "cat"])


@pytest.fixture
def five_clips(tmp_path):
    """Five distinct 8-frame ramps: an odd count, so batches of 2 straddle epochs."""
    root = tmp_path / "five"
    root.mkdir()
    for k in range(5):
        video_io.write_video(root / f"{k}.mp4", _ramp(8, 16, 16, offset=k))
    return root


def _count_decodes(monkeypatch):
    calls = []
    read = video_io.read_video

    def counting(path, *args, **kwargs):
        calls.append(os.path.basename(path))
        return read(path, *args, **kwargs)

    monkeypatch.setattr(video_io, "read_video", counting)
    return calls


def test_directory_skip_resumes_the_stream_without_decoding(five_clips, monkeypatch):
    kwargs = dict(frames=4, size=16, batch_size=2, seed=3, repeat=True, flip=True)
    skip = 20  # 40 clips: 8 epochs of the 5 files
    whole = [
        b.numpy()
        for b in data.video_dataset_from_directory(five_clips, **kwargs).take(skip + 3)
    ]
    decodes = _count_decodes(monkeypatch)
    resumed = data.video_dataset_from_directory(five_clips, skip=skip, **kwargs)
    got = [b.numpy() for b in resumed.take(3)]
    # The same clips (files, random starts, flips) as the uninterrupted stream.
    for a, b in zip(got, whole[skip:], strict=True):
        np.testing.assert_array_equal(a, b)
    # Only the clips served (and a few prefetched) were decoded, not the
    # 2 * 20 skipped ones.
    assert 6 <= len(decodes) <= 16, decodes


def test_directory_probes_each_file_once_per_process(five_clips, monkeypatch):
    # The runner builds a folder's data set more than once (the epoch
    # count, then each resumed stream): the files are probed once.
    from tfvgan.data import _decode

    monkeypatch.setattr(_decode, "_PROBE_CACHE", {})
    probes = []
    real = video_io.probe_video
    monkeypatch.setattr(
        video_io, "probe_video", lambda path: (probes.append(path), real(path))[1]
    )
    for _ in range(2):
        data.video_dataset_from_directory(five_clips, frames=4, size=16, batch_size=2)
    assert len(probes) == 5, probes


def test_directory_skip_within_one_epoch(five_clips):
    kwargs = dict(frames=4, size=16, batch_size=2, seed=3)
    whole = [b.numpy() for b in data.video_dataset_from_directory(five_clips, **kwargs)]
    resumed = data.video_dataset_from_directory(five_clips, skip=1, **kwargs)
    assert int(resumed.cardinality()) == 1  # 5 files: 2 batches, one skipped
    np.testing.assert_array_equal(next(iter(resumed)).numpy(), whole[1])
    with pytest.raises(ValueError, match="skip"):
        data.video_dataset_from_directory(five_clips, skip=-1)


@pytest.mark.parametrize("source", ["arrays", "moving_digits"])
def test_in_memory_sources_skip_like_dataset_skip(source):
    if source == "arrays":
        videos = np.arange(7 * 2 * 4 * 4, dtype=np.uint8).reshape(7, 2, 4, 4, 1)

        def build(**kw):
            return data.from_arrays(videos, np.arange(7), batch_size=3, seed=1, **kw)

    else:

        def build(**kw):
            return data.moving_digits(
                7, frames=2, size=8, batch_size=3, condition="label", **kw
            )

    whole = list(build(repeat=True).take(9))
    resumed = list(build(repeat=True, skip=6).take(3))
    for (va, ca), (vb, cb) in zip(resumed, whole[6:], strict=True):
        np.testing.assert_array_equal(va.numpy(), vb.numpy())
        np.testing.assert_array_equal(ca.numpy(), cb.numpy())
