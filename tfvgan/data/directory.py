"""`video_dataset_from_directory`: the video twin of Keras' image loader."""

from __future__ import annotations

import logging
import os

import numpy as np
import tensorflow as tf

from tfvgan import video_io
from tfvgan.data import _common
from tfvgan.data import conditions as conditions_lib
from tfvgan.data._decode import DecodeStats, _Decoder, _probe_all
from tfvgan.validation import check_choice

__all__ = ["DecodeStats", "video_dataset_from_directory"]

logger = logging.getLogger("tfvgan.data")

_ON_ERROR = ("skip", "raise")
_SUBSETS = ("training", "validation", "both")


def _check_class_names(class_names, labels) -> list[str] | None:
    if class_names is None:
        return None
    if labels != "inferred":
        raise ValueError(
            f"class_names is only used with labels='inferred', got labels={labels!r}"
        )
    if isinstance(class_names, str) or not all(
        isinstance(name, str) for name in class_names
    ):
        raise ValueError(
            f"expected class_names a list of folder names (str), got {class_names!r}"
        )
    class_names = list(class_names)
    if not class_names or len(set(class_names)) != len(class_names):
        raise ValueError(
            f"expected class_names a non-empty list of distinct names, got "
            f"{class_names!r}"
        )
    return class_names


def _index_directory(directory, labels, follow_links, class_names=None):
    """Sorted video paths, per-file labels (or None), class names, ignored count.

    With ``labels="inferred"`` every sub-folder is a class, whether or not it
    holds videos (as `keras.utils.image_dataset_from_directory` does), so a
    class keeps its id across folders that share the class sub-folders;
    `class_names`, when given, fixes the classes and their order instead.
    """
    extensions = video_io.VIDEO_EXTENSIONS
    ignored = 0

    def walk(folder):
        nonlocal ignored
        found = []
        for root, dirs, files in os.walk(folder, followlinks=follow_links):
            dirs.sort()
            for name in sorted(files):
                if name.startswith("."):
                    continue
                if os.path.splitext(name)[1].lower() in extensions:
                    found.append(os.path.join(root, name))
                else:
                    ignored += 1
        return found

    if labels == "inferred":
        subdirs = sorted(
            entry.name
            for entry in os.scandir(directory)
            if entry.is_dir(follow_symlinks=follow_links)
            and not entry.name.startswith(".")
        )
        if class_names is not None:
            unknown = [name for name in subdirs if name not in class_names]
            if unknown:
                raise ValueError(
                    f"{directory!r} has class sub-folders {unknown} that are not in "
                    f"class_names={class_names!r}; expected class_names to name "
                    "every sub-folder"
                )
            subdirs = class_names
        paths, file_labels, empty = [], [], []
        for label, name in enumerate(subdirs):
            folder = os.path.join(directory, name)
            found = walk(folder) if os.path.isdir(folder) else []
            if not found:
                empty.append(name)
            file_labels += [label] * len(found)
            paths += found
        if paths:
            if empty:
                logger.warning(
                    "%s: class folders %s hold no video files; they keep their "
                    "class ids (class_names=%s), so ids match other folders with "
                    "the same classes",
                    directory,
                    empty,
                    subdirs,
                )
            return paths, file_labels, list(subdirs), ignored
        if class_names is not None:
            return [], [], list(subdirs), ignored
        # No class folders with videos: the videos sit directly in
        # `directory`, unlabelled.
        ignored = 0
        return sorted(walk(directory)), None, [], ignored
    paths = sorted(walk(directory))
    if labels is None:
        return paths, None, [], ignored
    labels = list(labels)
    if len(labels) != len(paths):
        raise ValueError(
            f"expected one label per video file ({len(paths)} files found in "
            f"{directory!r}, sorted by path), got {len(labels)} labels"
        )
    return paths, [int(x) for x in labels], [], ignored


def _split(paths, file_labels, validation_split, subset, seed):
    """The subsets of a seeded permutation of the sorted file list.

    The split depends on `seed` and the files alone, never on `shuffle`, so
    a ``"training"`` subset read shuffled and a ``"validation"`` subset read
    in order are still disjoint.
    """
    if validation_split is None:
        if subset is not None:
            raise ValueError(
                f"subset={subset!r} needs validation_split, got validation_split=None"
            )
        return [(paths, file_labels)]
    if not 0 < validation_split < 1:
        raise ValueError(
            f"expected validation_split in (0, 1), got {validation_split!r}"
        )
    check_choice("subset", subset, _SUBSETS)
    if seed is None:
        if subset != "both":
            raise ValueError(
                f"validation_split with subset={subset!r} needs a seed: the split is "
                "a seeded permutation of the files, and the 'training' and "
                "'validation' calls must use the same one to be disjoint; got "
                "seed=None"
            )
        # One call makes both subsets: any permutation keeps them disjoint.
        seed = int(np.random.SeedSequence().generate_state(1)[0])
    order = np.random.default_rng(seed).permutation(len(paths))
    num_val = int(validation_split * len(paths))
    parts = {
        "training": order[: len(paths) - num_val],
        "validation": order[len(paths) - num_val :],
    }
    wanted = ["training", "validation"] if subset == "both" else [subset]
    out = []
    for name in wanted:
        index = sorted(parts[name])
        out.append(
            (
                [paths[i] for i in index],
                None if file_labels is None else [file_labels[i] for i in index],
            )
        )
    return out


def video_dataset_from_directory(
    directory: str | os.PathLike,
    frames: int = 16,
    size: int | tuple[int, int] = 64,
    frame_step: int = 1,
    batch_size: int | None = 32,
    labels: str | list[int] | None = "inferred",
    condition: str | None = "auto",
    channels: int = 3,
    shuffle: bool = True,
    seed: int | None = None,
    validation_split: float | None = None,
    subset: str | None = None,
    random_clip: bool = True,
    resize: str = "crop",
    flip: bool = False,
    short_videos: str = "skip",
    on_error: str = "skip",
    cache_dir: str | os.PathLike | None = None,
    repeat: bool = False,
    downscale: int = 4,
    context_frames: int = 2,
    keyframe_interval: int | None = None,
    follow_links: bool = False,
    num_parallel_calls: int = tf.data.AUTOTUNE,
    class_names: list[str] | None = None,
    skip: int = 0,
    mask_size: int | None = None,
):
    """Video clips from a folder of files, one sub-folder per class.

    The video twin of `keras.utils.image_dataset_from_directory`::

        directory/
            walking/ a.mp4 b.avi ...
            running/ c.mkv d.gif ...

    Files with the extensions in `tfvgan.video_io.VIDEO_EXTENSIONS` (any
    case) are used; other files are ignored. Each file is probed up front
    (container metadata, no decoding): unreadable, empty and zero-frame files,
    and with ``short_videos="skip"`` files shorter than a clip, are skipped
    with a warning naming them, and the count is logged and kept in
    ``dataset.stats``. A file that fails later, while decoding, is recorded
    and logged the same way and its slot in the epoch is filled with a clip
    of the next good file: the pipeline goes on and the epoch length (and
    ``dataset.cardinality()``) stays fixed. Clips are decoded in parallel
    (ffmpeg subprocesses under ``map(num_parallel_calls=...)``), each epoch
    from a new random start.

    Args:
        directory: The folder.
        frames: Frames per clip.
        size: Output size, int or ``(height, width)``.
        frame_step: Stride between clip frames.
        batch_size: Batch size (``drop_remainder=True``), or None.
        labels: ``"inferred"`` (class ids from sub-folder names, sorted; every
            sub-folder is a class, also one without videos, which is logged
            as a warning, so ``train/`` and ``test/`` with the same
            sub-folders give the same ids; when no sub-folder holds videos
            the files in `directory` are used unlabelled), None (all files
            under `directory`, unlabelled), or a list of ints, one per file in
            sorted path order.
        condition: ``"auto"`` (``"label"`` when there are labels, else None),
            None, ``"label"`` (int32 ``()``), ``"first_frame"``,
            ``"low_res"``, ``"context_frames"``, ``"keyframes"`` or ``"masked"``; see
            `tfvgan.data.conditions`.
        channels: 3 (RGB) or 1 (grayscale); files are converted as needed.
        shuffle: Shuffle the files every epoch.
        seed: Seed of the shuffle, the split, clip starts and flips.
        validation_split: Fraction of files held out, or None. The split is
            a permutation of the sorted file list drawn from `seed` alone
            (whatever `shuffle` is), so the ``"training"`` and
            ``"validation"`` calls must pass the same seed; a seed is
            required except with ``subset="both"``.
        subset: With `validation_split`: ``"training"``, ``"validation"`` or
            ``"both"`` (returns a ``(training, validation)`` tuple).
        random_clip: Random clip start per epoch, else the first frame.
        resize: ``"crop"`` (keep aspect, centre crop), ``"pad"`` (keep aspect,
            letterbox) or ``"stretch"``.
        flip: Random horizontal flips.
        short_videos: Files shorter than ``(frames - 1) * frame_step + 1``:
            ``"skip"``, ``"loop"`` (wrap around) or ``"pad"`` (repeat the last
            frame).
        on_error: ``"skip"`` (warn and go on) or ``"raise"`` (a bad file is
            fatal: `tfvgan.video_io.VideoDecodeError` at construction, or an
            error from the iterator during decoding).
        cache_dir: Opt-in decode-once cache: each file is decoded whole at
            `size`/`channels` on first use and kept as a ``.npy`` of uint8
            frames there; later epochs slice clips from it. Keyed on path,
            mtime, file size, `size`, `resize` and `channels`.
        repeat: Repeat forever.
        downscale: Factor for ``condition="low_res"``.
        context_frames: Frames given for ``condition="context_frames"``.
        keyframe_interval: Frames from one keyframe to the next for
            ``condition="keyframes"``; None: the first and last frame.
        mask_size: Side of the box hidden in every frame for
            ``condition="masked"``; None: half the frame size.
        follow_links: Follow symbolic links to folders.
        num_parallel_calls: Parallel decodes (default AUTOTUNE).
        class_names: With ``labels="inferred"``: the class sub-folders in
            class-id order, instead of every sub-folder sorted by name. Every
            sub-folder must be listed; a listed folder that is missing or
            holds no videos is an empty class (logged as a warning). Pass
            the training set's ``dataset.class_names`` to read a test folder
            with the same ids.
        skip: Elements to leave out at the start of the stream (batches when
            `batch_size` is set; with ``repeat=True`` counted across
            epochs), chosen by file index and random draw before any file is
            decoded: the result equals ``dataset.skip(skip)`` of the dataset
            built with ``skip=0`` and the same arguments (with a `seed`),
            without decoding the clips skipped. To resume training at step
            ``s``, build with ``repeat=True, skip=s``.

    Returns:
        A `tf.data.Dataset` of float32 videos ``(frames, height, width,
        channels)`` in ``[-1, 1]`` (batched if `batch_size` is set), or of
        ``(video, condition)`` pairs, with attributes ``class_names`` (list of
        str), ``file_paths`` (the files used) and ``stats`` (`DecodeStats`).
        With ``subset="both"``, a ``(training, validation)`` tuple.

    Raises:
        ValueError: If `directory` is missing, has no video files, or none is
            usable; for a sub-folder missing from `class_names`; for a
            `validation_split` without a `seed` (unless ``subset="both"``);
            for bad arguments.
        tfvgan.video_io.VideoDecodeError: With ``on_error="raise"``, for the
            first unreadable file.

    Example:

    >>> ds = video_dataset_from_directory(  # doctest: +SKIP
    ...     "clips/", frames=16, size=64, batch_size=8, seed=1)
    >>> ds.class_names  # doctest: +SKIP
    ['running', 'walking']
    >>> videos, labels = next(iter(ds))  # (8, 16, 64, 64, 3), (8,)  # doctest: +SKIP
    """
    directory = os.fspath(directory)
    extensions = ", ".join(video_io.VIDEO_EXTENSIONS)
    if not os.path.isdir(directory):
        raise ValueError(
            f"video directory {directory!r} does not exist or is not a folder; "
            f"expected a folder of video files ({extensions})"
        )
    _common.check_positive_int("frames", frames)
    _common.check_positive_int("frame_step", frame_step)
    out_size = _common.as_size(size)
    if channels not in (1, 3):
        raise ValueError(f"expected channels 1 or 3, got {channels!r}")
    check_choice("resize", resize, _common.RESIZE_MODES)
    check_choice("short_videos", short_videos, _common.SHORT_VIDEO_POLICIES)
    check_choice("on_error", on_error, _ON_ERROR)
    if not (labels in ("inferred", None) or isinstance(labels, (list, tuple))):
        raise ValueError(
            f"expected labels 'inferred', None or a list of ints, got {labels!r}"
        )
    conditions_lib.check_condition(
        condition, ("auto", None, "label", *conditions_lib._VIDEO_CONDITIONS)
    )
    _common.check_positive_int("batch_size", batch_size, allow_none=True)
    _common.check_skip(skip)
    conditions_lib.check_video_condition(
        condition, frames, size, downscale, context_frames, keyframe_interval,
        mask_size,
    )  # fmt: skip
    class_names = _check_class_names(class_names, labels)

    paths, file_labels, class_names, ignored = _index_directory(
        directory, labels, follow_links, class_names
    )
    if not paths:
        raise ValueError(
            f"no video files in {directory!r}: expected files with extensions "
            f"{extensions} (in class sub-folders when labels='inferred')"
        )
    if condition == "auto":
        condition = "label" if file_labels is not None else None
    if condition == "label" and file_labels is None:
        raise ValueError(
            f"condition='label' needs labels, but {directory!r} has no class "
            "sub-folders with videos (or labels=None was given)"
        )
    if cache_dir is not None:
        cache_dir = os.fspath(cache_dir)
        os.makedirs(cache_dir, exist_ok=True)

    span = (frames - 1) * frame_step + 1
    datasets = []
    subsets = _split(paths, file_labels, validation_split, subset, seed)
    for subset_paths, subset_labels in subsets:
        stats = DecodeStats(
            directory, files_found=len(subset_paths), files_ignored=ignored
        )
        kept = _probe_all(subset_paths, span, short_videos, on_error, stats)
        if stats.num_skipped:
            logger.warning(
                "%d of %d video files skipped (see earlier warnings); %s",
                stats.num_skipped,
                stats.files_found,
                stats.summary(),
            )
        else:
            logger.info("video_dataset_from_directory: %s", stats.summary())
        if not kept:
            raise ValueError(
                f"no usable video files in {directory!r}: all {len(subset_paths)} "
                f"were skipped ({stats.skipped})"
            )
        if batch_size is not None and len(kept) < batch_size and not repeat:
            logger.warning(
                "%s: %d usable files but batch_size=%d: with drop_remainder=True "
                "an epoch has no batch; lower batch_size or pass repeat=True",
                directory,
                len(kept),
                batch_size,
            )
        label_of = dict(zip(subset_paths, subset_labels or [], strict=False))
        kept_paths = [p for p, _ in kept]
        decoder = _Decoder(
            [(p, count, label_of.get(p, -1)) for p, count in kept],
            frames,
            frame_step,
            out_size,
            resize,
            channels,
            random_clip,
            short_videos,
            on_error,
            cache_dir,
            stats,
        )
        dataset = _build(
            decoder,
            condition,
            shuffle,
            seed,
            flip,
            dict(
                downscale=downscale,
                context_frames=context_frames,
                keyframe_interval=keyframe_interval,
                mask_size=mask_size,
            ),
            num_parallel_calls,
            dict(repeat=repeat, skip=skip, batch_size=batch_size),
        )
        dataset = _common.finish(dataset, batch_size)
        dataset.class_names = list(class_names)
        dataset.file_paths = kept_paths
        dataset.stats = stats
        datasets.append(dataset)
    return tuple(datasets) if subset == "both" else datasets[0]


def _build(
    decoder, condition, shuffle, seed, flip, options, num_parallel_calls, position
):
    num_files = len(decoder.files)
    dataset = tf.data.Dataset.range(num_files)
    if shuffle:
        dataset = dataset.shuffle(num_files, seed=seed, reshuffle_each_iteration=True)
    randoms = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True)
    dataset = tf.data.Dataset.zip((dataset, randoms.batch(2)))
    # A clip is a pure function of (file index, random draw): repeating and
    # skipping here, before the decode map, costs no decoding.
    dataset = _common.position(dataset, **position)
    shape = (decoder.frames, *decoder.size, decoder.channels)

    def decode(index, random):
        clip, label = tf.numpy_function(
            decoder, [index, random[0]], [tf.uint8, tf.int32]
        )
        clip.set_shape(shape)
        label.set_shape(())
        return clip, label, random[1]

    dataset = dataset.map(decode, num_parallel_calls=num_parallel_calls)

    def prepare(clip, label, flip_bit):
        video = _common.to_float(clip)
        if flip:
            video = tf.cond(
                tf.equal(tf.math.floormod(flip_bit, 2), 0),
                lambda: tf.reverse(video, axis=[2]),
                lambda: video,
            )
        if condition is None:
            return video
        if condition == "label":
            return video, label
        return video, conditions_lib.video_condition(video, condition, **options)

    return dataset.map(prepare, num_parallel_calls=_common.AUTOTUNE)
