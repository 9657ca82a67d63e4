"""Condition types: one object per kind of condition a model takes.

A conditional model's ``condition_type`` names one of these objects, and
everything that handles a condition asks it rather than branching on the
name: the model (`VideoGAN.condition_spec`, ``prepare_condition``), the
data builders (`tfvgan.builders`: which condition the data source yields),
the exported signatures (`tfvgan.export`: the served input and its checks),
evaluation (`tfvgan.evaluate`: the condition taken from real clips and the
trivial baseline a model must beat) and sampling from the command line
(``--labels``, ``--caption``).

| type      | data condition  | model input (per clip)                    | application |
|-----------|-----------------|-------------------------------------------|-------------|
| `"label"` | ``"label"``     | int32 ``()`` class id                     | class-conditional video |
| `"text"`  | ``"caption"``   | int32 ``(L,)`` token ids (strings served) | text-to-video |
| `"image"` | ``"first_frame"`` | float32 ``(H, W, C)`` in ``[-1, 1]``    | video prediction from a frame |
| `"video"` | ``"low_res"``   | float32 ``(T, H/s, W/s, C)`` in ``[-1, 1]`` | video super-resolution |
| `"frames"` | ``"context_frames"`` | float32 ``(k, H, W, C)`` in ``[-1, 1]`` | video prediction from the first k frames |
| `"keyframes"` | ``"keyframes"`` | float32 ``(m, H, W, C)`` in ``[-1, 1]`` | in-betweening: the frames between keyframes |
| `"masked"` | ``"masked"`` | float32 ``(T, H, W, C + 1)``: the clip, hidden pixels 0, and the mask (1 = hidden) | inpainting: the hidden region (`tfvgan.masking`) |

A new condition type is a subclass of `ConditionType` registered in
`CONDITION_TYPES`.

Example:

```python
from tfvgan import conditions

label = conditions.get("label")
label.spec(label.shape(frames=8, size=32, channels=1))
# TensorSpec(shape=(None,), dtype=tf.int32, name='condition')
```
"""

from __future__ import annotations

from tfvgan.conditions._baselines import copy_last_frame, cross_fade, downscale_clips
from tfvgan.conditions._checks import (
    FLOAT_TOLERANCE,
    check_context_frames,
    check_ids,
    check_keyframe_interval,
    keyframe_indices,
)
from tfvgan.conditions._types import CONDITION_TYPES, ConditionType, get

__all__ = [
    "CONDITION_TYPES",
    "FLOAT_TOLERANCE",
    "ConditionType",
    "check_context_frames",
    "check_ids",
    "check_keyframe_interval",
    "copy_last_frame",
    "cross_fade",
    "downscale_clips",
    "get",
    "keyframe_indices",
]
