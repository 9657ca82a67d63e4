"""`from_tfds`: TensorFlow Datasets video sets, converted to the contract."""

from __future__ import annotations

import dataclasses

import tensorflow as tf

from tfvgan.data import _common
from tfvgan.data import conditions as conditions_lib
from tfvgan.validation import check_choice

__all__ = ["TFDS_VIDEO_DATASETS", "TfdsVideoSpec", "from_tfds"]


@dataclasses.dataclass(frozen=True)
class TfdsVideoSpec:
    """Where the video (and the label, if any) live in a TFDS data set.

    Attributes:
        video_key: Feature holding the uint8 ``(T, H, W, C)`` video.
        label_key: Feature holding an integer class, or None.
        default_split: Split used when `from_tfds` gets ``split=None``.
    """

    video_key: str
    label_key: str | None = None
    default_split: str = "train"


#: TFDS name -> `TfdsVideoSpec`. Add an entry to support another video set, or
#: pass ``video_key=``/``label_key=`` to `from_tfds`.
TFDS_VIDEO_DATASETS = {
    # 10k clips of 20 frames, 64x64x1; TFDS ships only a "test" split.
    "moving_mnist": TfdsVideoSpec("image_sequence", None, "test"),
    # 13k variable-length clips, 101 action classes (config ucf101_1_256:
    # 256x256x3). Large download (6.5 GB).
    "ucf101": TfdsVideoSpec("video", "label", "train"),
    # Robot arm pushing objects, 30 frames of 64x64x3 (main camera).
    "bair_robot_pushing_small": TfdsVideoSpec("image_main", None, "train"),
}


def from_tfds(
    name: str,
    split: str | None = None,
    frames: int = 16,
    size: int | tuple[int, int] | None = 64,
    frame_step: int = 1,
    channels: int | None = None,
    batch_size: int | None = None,
    condition: str | None = None,
    downscale: int = 4,
    context_frames: int = 2,
    keyframe_interval: int | None = None,
    shuffle: bool = True,
    shuffle_buffer: int = 256,
    seed: int | None = None,
    repeat: bool = False,
    random_clip: bool = True,
    short_videos: str = "loop",
    resize: str = "crop",
    flip: bool = False,
    data_dir: str | None = None,
    download: bool = False,
    video_key: str | None = None,
    label_key: str | None = None,
    skip: int = 0,
    mask_size: int | None = None,
) -> tf.data.Dataset:
    """A TFDS video data set as clips in the tensor contract.

    Nothing is downloaded unless ``download=True``: by default the set must
    already be prepared in `data_dir` (or TFDS' default folder), so a
    training run never starts a multi-gigabyte download by surprise.

    Args:
        name: A TFDS name, optionally with config and version
            (``"ucf101/ucf101_1_256"``); the part before ``/`` is looked up in
            `TFDS_VIDEO_DATASETS` unless `video_key` is given.
        split: TFDS split (slicing allowed, ``"train[:90%]"``); None picks the
            set's default (``"test"`` for moving_mnist, the only split).
        frames: Frames per clip.
        size: Output size (int or ``(height, width)``), or None to keep the
            set's size (it must be fixed to batch).
        frame_step: Stride between clip frames.
        channels: 1 or 3 to convert, or None to keep the set's.
        batch_size: Batch size (``drop_remainder=True``) or None.
        condition: None, ``"label"`` (int32 ``()``; only sets with a label),
            ``"first_frame"``, ``"low_res"``, ``"context_frames"``,
            ``"keyframes"`` or ``"masked"`` (see `tfvgan.data.conditions`).
        downscale: Factor for ``condition="low_res"``.
        context_frames: Frames given for ``condition="context_frames"``.
        keyframe_interval: Frames from one keyframe to the next for
            ``condition="keyframes"``; None: the first and last frame.
        mask_size: Side of the box hidden in every frame for
            ``condition="masked"``; None: half the frame size.
        shuffle: Shuffle files and clips.
        shuffle_buffer: Clips in the shuffle buffer.
        seed: Seed of the shuffle, clip starts and flips.
        repeat: Repeat forever.
        random_clip: Random clip start per epoch (else the first frame).
        short_videos: Videos shorter than ``(frames - 1) * frame_step + 1``:
            ``"loop"`` (default; keeps the number of clips, hence a known
            ``cardinality()``), ``"pad"`` (repeat the last frame) or ``"skip"``.
        resize: ``"crop"``, ``"pad"`` or ``"stretch"`` (see
            `tfvgan.video_io.read_video`).
        flip: Random horizontal flips.
        data_dir: TFDS data folder.
        download: Allow TFDS to download and prepare the set.
        video_key: Video feature, for sets not in `TFDS_VIDEO_DATASETS`.
        label_key: Label feature, for sets not in `TFDS_VIDEO_DATASETS`.
        skip: Elements to leave out at the start of the stream (batches when
            `batch_size` is set; with ``repeat=True`` counted across
            epochs): ``dataset.skip(skip)`` of the dataset built with
            ``skip=0``, to resume training at step ``s`` with ``repeat=True,
            skip=s``. Unlike the other sources this still reads the skipped
            examples (TFDS decodes in its reader and the clip shuffle buffer
            comes after it).

    Returns:
        A dataset of float32 videos ``(frames, height, width, channels)`` in
        ``[-1, 1]``, or ``(video, condition)`` pairs; batched if
        `batch_size` is set.

    Raises:
        ValueError: For an unknown set, a label asked of a set without one, or
            bad arguments.
        FileNotFoundError: If the set is not prepared and ``download=False``.

    Example:

    >>> ds = from_tfds("moving_mnist", frames=8, size=32, batch_size=4)  # doctest: +SKIP
    >>> next(iter(ds)).shape  # doctest: +SKIP
    TensorShape([4, 8, 32, 32, 1])
    """
    import tensorflow_datasets as tfds

    base = name.split("/")[0].split(":")[0]
    if video_key is not None:
        spec = TfdsVideoSpec(video_key, label_key, split or "train")
    elif base in TFDS_VIDEO_DATASETS:
        spec = TFDS_VIDEO_DATASETS[base]
        if label_key is not None:
            spec = dataclasses.replace(spec, label_key=label_key)
    else:
        raise ValueError(
            f"unknown TFDS video set {name!r}: expected one of "
            f"{sorted(TFDS_VIDEO_DATASETS)}, or pass video_key= (and label_key=)"
        )
    conditions_lib.check_condition(
        condition, (None, "label", *conditions_lib._VIDEO_CONDITIONS)
    )
    conditions_lib.check_video_condition(
        condition, frames, size, downscale, context_frames, keyframe_interval,
        mask_size,
    )  # fmt: skip
    if condition == "label" and spec.label_key is None:
        with_labels = sorted(k for k, v in TFDS_VIDEO_DATASETS.items() if v.label_key)
        raise ValueError(
            f"condition='label' needs a labelled set; {name!r} has none "
            f"(labelled: {with_labels})"
        )
    _common.check_positive_int("frames", frames)
    _common.check_positive_int("frame_step", frame_step)
    _common.check_skip(skip)
    check_choice("short_videos", short_videos, _common.SHORT_VIDEO_POLICIES)
    check_choice("resize", resize, _common.RESIZE_MODES)
    if channels not in (None, 1, 3):
        raise ValueError(f"expected channels 1, 3 or None, got {channels!r}")
    out_size = None if size is None else _common.as_size(size)
    split = split or spec.default_split

    try:
        dataset = tfds.load(
            name,
            split=split,
            data_dir=data_dir,
            download=download,
            shuffle_files=shuffle,
            read_config=tfds.ReadConfig(shuffle_seed=seed),
        )
    except Exception as err:
        message = str(err).lower()
        if not download and any(
            hint in message for hint in ("download", "not found", "could not find")
        ):
            raise FileNotFoundError(
                f"TFDS set {name!r} (split {split!r}) is not prepared in "
                f"data_dir={data_dir!r}; pass download=True to let TFDS download "
                f"and prepare it ({err.__class__.__name__}: {err})"
            ) from err
        raise
    features = dataset.element_spec
    if spec.video_key not in features:
        raise ValueError(
            f"TFDS set {name!r} has no feature {spec.video_key!r}; features are "
            f"{sorted(features)}"
        )
    span = (frames - 1) * frame_step + 1
    if short_videos == "skip":
        dataset = dataset.filter(lambda ex: tf.shape(ex[spec.video_key])[0] >= span)
    randoms = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True)
    dataset = tf.data.Dataset.zip((dataset, randoms.batch(2)))

    def prepare(example, random):
        video = example[spec.video_key]
        indices = _common.clip_indices(
            tf.shape(video)[0], frames, frame_step, random[0], random_clip, short_videos
        )
        video = tf.cast(tf.gather(video, indices), tf.float32)
        video = _common.convert_channels(video, channels)
        if out_size is not None:
            video = _common.resize_video(video, out_size, resize)
        video = tf.clip_by_value(video, 0.0, 255.0) / 127.5 - 1.0
        if flip:
            video = tf.cond(
                tf.equal(tf.math.floormod(random[1], 2), 0),
                lambda: tf.reverse(video, axis=[2]),
                lambda: video,
            )
        if condition is None:
            return video
        if condition == "label":
            return video, tf.cast(example[spec.label_key], tf.int32)
        return video, conditions_lib.video_condition(
            video, condition, downscale, context_frames, keyframe_interval,
            mask_size,
        )  # fmt: skip

    dataset = dataset.map(prepare, num_parallel_calls=_common.AUTOTUNE)
    if shuffle:
        dataset = dataset.shuffle(shuffle_buffer, seed=seed)
    dataset = _common.finish(dataset, batch_size, repeat)
    return dataset.skip(skip) if skip else dataset
