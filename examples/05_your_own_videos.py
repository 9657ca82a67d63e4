"""
Title: Train on your own video files
Description: Turn a folder of mp4 files (one sub-folder per class) into a tf.data pipeline and train a conditional video GAN on it.
Accelerator: GPU recommended for the full settings (sized for a Colab GPU; not measured). Short mode runs on a CPU: 12-23 s measured in the test suite on a shared 2-core machine
"""

"""
## What this tutorial does

Most people who try a video GAN want to train it on *their* clips, not on a
built-in data set. tfvgan reads them with
`tfvgan.data.video_dataset_from_directory`, the video twin of Keras'
`image_dataset_from_directory`:

```
clips/
    digit_0/  a.mp4  b.mp4 ...
    digit_1/  c.mp4 ...
```

Each sub-folder is a class; the class id of a clip is the position of its
folder in the sorted list of folder names. The loader decodes files with
ffmpeg in parallel, cuts a clip of `frames` frames from a random start each
epoch, resizes it, and yields the tfvgan tensor contract: float32 videos
`(batch, frames, height, width, channels)` in `[-1, 1]`, paired with the
integer label.

So that the tutorial runs offline, it first *writes* such a folder itself,
from the built-in synthetic moving-digits clips. Replace `DATA_DIR` by your
own folder to train on your videos.

Timing: in short mode (`TFVGAN_SHORT=1`, what the test suite runs) the whole
notebook took 12 s to 23 s on a 2-core CPU shared with other jobs (the
spread is the other jobs). The full settings (600 files, 30 epochs) took
10 min 5 s on the same CPU
(`TFVGAN_SHORT=0 python examples/05_your_own_videos.py`, 569 s of it
training); they are sized for a Colab GPU, where they were not measured.
"""

"""
## Setup
"""

import os
import time

import numpy as np

import tfvgan

SHORT = os.environ.get("TFVGAN_SHORT", "0") == "1"

DATA_DIR = "my_clips"
NUM_CLASSES = 3 if SHORT else 10
FILES_PER_CLASS = 4 if SHORT else 60
# The files are written larger and longer than the clips the model trains
# on, so the loader's clip sampling and resizing really do something.
FILE_FRAMES, FILE_SIZE = (8, 32) if SHORT else (24, 64)
FRAMES, SIZE = (4, 16) if SHORT else (8, 32)
BATCH_SIZE = 4 if SHORT else 16

"""
## Write a folder of mp4 files

`tfvgan.data.moving_digits_arrays` draws uint8 clips `(N, T, H, W, C)` of
one digit bouncing around a black canvas, with the digit's class. We keep the
clips of the first `NUM_CLASSES` digits and write each one with
`tfvgan.video_io.write_video`, which picks the codec from the extension
(H.264 for `.mp4`; grayscale is stored as RGB) into a sub-folder named after
its digit. Digits are drawn uniformly, so 20 clips per class we want leave
a wide margin.
"""

start = time.perf_counter()
videos, labels, _ = tfvgan.data.moving_digits_arrays(
    num_videos=20 * FILES_PER_CLASS,
    frames=FILE_FRAMES,
    size=FILE_SIZE,
    channels=1,
    seed=0,
)
labels = labels[:, 0]
written = 0
for digit in range(NUM_CLASSES):
    folder = os.path.join(DATA_DIR, f"digit_{digit}")
    os.makedirs(folder, exist_ok=True)
    for i, index in enumerate(np.flatnonzero(labels == digit)[:FILES_PER_CLASS]):
        tfvgan.video_io.write_video(
            os.path.join(folder, f"clip_{i:03d}.mp4"), videos[index]
        )
        written += 1
assert written == NUM_CLASSES * FILES_PER_CLASS, written
print(
    f"wrote {written} mp4 files into {DATA_DIR}/ in {time.perf_counter() - start:.1f} s"
)

"""
Real folders are messy, so we also drop in a file that is not a video at all
(a `.txt` note, which the loader ignores because of its extension) and a
*corrupt* `.mp4` (random bytes). A corrupt file must never stop a long
training run: the loader probes every file when the data set is built,
skips the bad ones with a warning naming them, and keeps count in
`dataset.stats`.
"""

with open(os.path.join(DATA_DIR, "digit_0", "README.txt"), "w") as f:
    f.write("notes about these clips\n")
with open(os.path.join(DATA_DIR, "digit_1", "broken.mp4"), "wb") as f:
    f.write(np.random.default_rng(0).integers(0, 256, 2000, dtype=np.uint8).tobytes())

"""
## Build the data set

The arguments that matter most:

- `frames`, `frame_step`: how many frames a clip has and the stride between
  them; each epoch a clip starts at a random frame (`random_clip=True`).
- `size`, `resize`: output size; `"crop"` keeps the aspect ratio and cuts the
  centre, `"pad"` letterboxes, `"stretch"` distorts.
- `channels=1` converts to grayscale (our digits are gray anyway, and it
  makes the model 3x cheaper in its first and last layers).
- `labels="inferred"` takes labels from the sub-folders; `condition="auto"`
  then pairs each clip with its int32 label, the input a label-conditional
  GAN needs.
- `seed` fixes the file shuffle, clip starts and the validation split.
- `cache_dir=` (not used here) decodes each file once to a `.npy` cache;
  it pays off from the second epoch on when decoding is the bottleneck.
"""

dataset = tfvgan.data.video_dataset_from_directory(
    DATA_DIR,
    frames=FRAMES,
    size=SIZE,
    channels=1,
    batch_size=BATCH_SIZE,
    labels="inferred",
    seed=0,
)
print("class names:", dataset.class_names)
print(dataset.stats.summary())
for path, reason in dataset.stats.skipped.items():
    print("skipped:", os.path.relpath(path, DATA_DIR), "-", reason.split(":")[0])

"""
## Inspect a batch

Always look at a batch before training: shape, dtype, value range and labels
should be what the model expects. `tfvgan.video_io.show` displays a grid of
clips inline in a notebook (and writes it as a GIF).
"""

batch_videos, batch_labels = next(iter(dataset))
print(
    "batch:",
    tuple(batch_videos.shape),
    batch_videos.dtype.name,
    f"range [{float(np.min(batch_videos)):.2f}, {float(np.max(batch_videos)):.2f}]",
)
print("labels:", batch_labels.numpy().tolist())
tfvgan.video_io.show(batch_videos.numpy(), path="real_batch.gif")

"""
`validation_split` with `subset="both"` gives a disjoint training and
validation pair (split by file, so no video leaks across).
"""

train_ds, val_ds = tfvgan.data.video_dataset_from_directory(
    DATA_DIR,
    frames=FRAMES,
    size=SIZE,
    channels=1,
    batch_size=None,
    seed=0,
    validation_split=0.25,
    subset="both",
)
print(
    f"training files: {len(train_ds.file_paths)}, validation files: {len(val_ds.file_paths)}"
)
assert not set(train_ds.file_paths) & set(val_ds.file_paths)

"""
## Train a label-conditional GAN on the folder

`ConditionalGAN` takes `(video, label)` batches as they come out of the
loader; `num_classes` must equal the number of class folders. The `tiny`
preset (short mode) only checks that everything fits together; the full
settings use the `quickstart` preset (the README quick-start's clip shape:
8 frames of 32x32). For colour footage, use `channels=3` in the loader and the model.
"""

preset = "tiny" if SHORT else "quickstart"
gan = tfvgan.models.build_model(
    "conditional",
    preset=preset,
    frames=FRAMES,
    size=SIZE,
    channels=1,
    num_classes=len(dataset.class_names),
    seed=0,
)
gan.compile(loss="non_saturating", ema_decay=0.9 if SHORT else 0.99)
start = time.perf_counter()
history = gan.fit(dataset, epochs=1 if SHORT else 30, verbose=2)
print(f"trained {len(history.epoch)} epoch(s) in {time.perf_counter() - start:.1f} s")
assert all(np.isfinite(v[-1]) for v in history.history.values())

"""
## Generate one clip per class

The label picks the class folder the clip should look like. After the short
run the samples are noise; with the full settings and more epochs the digits
appear.
"""

samples = gan.generate(
    condition=np.arange(len(dataset.class_names), dtype="int32"), seed=0
)
print("generated:", samples.shape)
tfvgan.video_io.show(samples, path="own_videos_samples.gif")

"""
## From here

- The training CLI reads the same folders:
  `tfvgan-train --model=conditional --dataset=directory
  --data_kwargs=directory=my_clips/ --steps_per_epoch=200`.
- Big folders: set `cache_dir=` so later epochs skip the decode, and
  `repeat=True` with `steps_per_epoch` in `fit` so an epoch is not limited by
  the number of files.
- Videos without classes: put them directly in the folder (or pass
  `labels=None`) and train an unconditional model such as `"temporal"`.
"""
