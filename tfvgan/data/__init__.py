"""Video data sources, all yielding the tensor contract.

Every source returns a `tf.data.Dataset` whose elements are float32 videos
``(frames, height, width, channels)`` in ``[-1, 1]`` (with a leading batch
axis when ``batch_size`` is set; batches use ``drop_remainder=True`` and the
pipeline ends in ``prefetch(AUTOTUNE)``), or ``(video, condition)`` pairs when
a ``condition`` is asked for (see `tfvgan.data.conditions` for each
condition's dtype and shape).

Every source also takes ``repeat=`` and ``skip=``: ``skip=n`` starts the
stream at element ``n`` (batch ``n`` when batched, counted across epochs with
``repeat=True``) and gives exactly what ``.skip(n)`` would, but the in-memory
and folder sources drop file indices before decoding, so resuming a run at
step ``s`` (``repeat=True, skip=s``) decodes no clip already trained on.

Sources:

- `moving_digits`: offline synthetic Moving-MNIST-style clips with labels and
  captions (`moving_digits_arrays` for raw NumPy).
- `video_dataset_from_directory`: a folder of video files, one sub-folder
  per class.
- `from_tfds`: TFDS video sets (`TFDS_VIDEO_DATASETS`).
- `from_arrays`: NumPy videos in memory.

Example:

```python
import tfvgan

ds = tfvgan.data.moving_digits(
    num_videos=256, frames=8, size=32, batch_size=16, condition="caption"
)
videos, token_ids = next(iter(ds))  # (16, 8, 32, 32, 1) float32, (16, 16) int64
```
"""

from tfvgan.data.arrays import from_arrays
from tfvgan.data.conditions import (
    CONDITIONS,
    caption_vectorizer,
    video_condition,
)
from tfvgan.data.directory import DecodeStats, video_dataset_from_directory
from tfvgan.data.moving_digits import (
    DIRECTION_PHRASES,
    MOVING_DIGITS_VOCABULARY,
    moving_digits,
    moving_digits_arrays,
)
from tfvgan.data.tfds import TFDS_VIDEO_DATASETS, TfdsVideoSpec, from_tfds

__all__ = [
    "CONDITIONS",
    "DecodeStats",
    "DIRECTION_PHRASES",
    "MOVING_DIGITS_VOCABULARY",
    "TFDS_VIDEO_DATASETS",
    "TfdsVideoSpec",
    "caption_vectorizer",
    "from_arrays",
    "from_tfds",
    "moving_digits",
    "moving_digits_arrays",
    "video_condition",
    "video_dataset_from_directory",
]
