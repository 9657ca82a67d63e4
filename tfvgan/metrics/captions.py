"""The caption judge: does a clip show the digit and the motion its caption names?

For text-to-video on `tfvgan.data.moving_digits`. The digit is read by a
digit classifier (`load_digit_extractor`, trained offline on real clips);
the motion is read from the clip itself: the brightness centre of mass is
tracked from frame to frame, and each axis is named by the sign the digit
moved in for most frame steps: the captions' rule, read from the pixels
(the captions use the digit's exact positions and break a tie by its
initial direction; here a step counts from half a pixel and a tie goes to
the first move; an axis with no move stays unnamed). Only the judge
parses captions: the models never do.

Every accuracy is reported beside two references from real clips
(`CaptionJudge.reference`): the **ceiling**, real clips with their own
captions (how often the judge itself is right), and **chance**, real clips
with the captions shuffled.

Example:

```python
judge = tfvgan.metrics.CaptionJudge(
    tfvgan.metrics.load_digit_extractor(frames=8, size=32, glyph_size=24)
)
captions = ["digit 7 moves down"] * 64
print(judge.accuracy(gan.generate(condition=captions), captions))
# {"digit": ..., "motion": ..., "joint": ...}
```
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np

from tfvgan.metrics._checks import batched_apply

__all__ = ["CaptionJudge", "clip_motion", "parse_caption"]

_CAPTION = re.compile(r"^\s*digit\s+(\d)\s+moves\s+(.+?)\s*$", re.IGNORECASE)


def _phrases() -> dict[str, tuple[int, int]]:
    from tfvgan.data.moving_digits import DIRECTION_PHRASES

    return DIRECTION_PHRASES


def parse_caption(caption: str) -> tuple[int, int, int]:
    """``"digit 7 moves up and to the left"`` -> ``(7, -1, -1)``.

    Returns ``(digit, dy, dx)``: the digit and the per-axis signs of the
    named motion (image y grows downwards). Only one-digit moving-digits
    captions are understood.

    Raises:
        ValueError: for any other caption.
    """
    if isinstance(caption, bytes):
        caption = caption.decode()
    match = _CAPTION.match(str(caption))
    phrases = _phrases()
    if match is None or " ".join(match.group(2).lower().split()) not in phrases:
        raise ValueError(
            "the caption judge reads one-digit moving-digits captions, "
            f"'digit <0-9> moves <{' | '.join(phrases)}>'; got {caption!r}."
        )
    dy, dx = phrases[" ".join(match.group(2).lower().split())]
    return int(match.group(1)), dy, dx


def clip_motion(videos: Any, min_step: float = 0.5) -> np.ndarray:
    """The dominant direction of each clip's motion: int ``(N, 2)`` signs.

    The brightness centre of mass (pixels in ``[-1, 1]``, the background at
    -1; brightness below 10% is ignored) is found in every frame; a step
    between two frames counts along an axis when the centre moved by at
    least `min_step` pixels along it (a blank frame has no centre: steps
    to or from it do not count). Per axis, the result is the sign of
    the summed signs of the counted steps, the first counted step's sign on
    a tie, and 0 when no step counted. ``(dy, dx)``, y downwards: ``(-1,
    0)`` is "up".

    Args:
        videos: ``(N, T, H, W, C)`` in ``[-1, 1]`` (or uint8).
        min_step: the smallest move, in pixels, that counts.

    Returns:
        int ``(N, 2)`` array of signs in {-1, 0, 1}.
    """
    videos = np.asarray(videos)
    if videos.ndim != 5 or videos.shape[1] < 2:
        raise ValueError(
            "expected videos (batch, frames >= 2, height, width, channels), got "
            f"shape {videos.shape}"
        )
    if videos.dtype == np.uint8:
        bright = videos.astype(np.float32) / 255.0
    else:
        bright = (videos.astype(np.float32) + 1.0) / 2.0
    bright = np.maximum(bright.mean(-1) - 0.1, 0.0)  # (N, T, H, W)
    mass = bright.sum((2, 3))
    seen = mass > 1e-3  # (N, T): frames with something bright
    mass = np.maximum(mass, 1e-3)
    rows = (bright.sum(3) * np.arange(bright.shape[2])).sum(-1) / mass
    cols = (bright.sum(2) * np.arange(bright.shape[3])).sum(-1) / mass
    steps = np.diff(np.stack([rows, cols], -1), axis=1)  # (N, T-1, 2)
    steps = np.where((seen[:, 1:] & seen[:, :-1])[..., None], steps, 0.0)
    signs = np.where(np.abs(steps) >= min_step, np.sign(steps), 0).astype(int)
    total = np.sign(signs.sum(1))
    moved = signs != 0
    first = np.take_along_axis(signs, np.argmax(moved, axis=1)[:, None], 1)[:, 0]
    return np.where(total != 0, total, first).astype(int)


class CaptionJudge:
    """Judges clips against one-digit moving-digits captions.

    Args:
        classifier: a callable from a video batch to digit-class scores
            ``(B, 10)`` (logits or probabilities), e.g. the ``.logits`` of
            `load_digit_extractor(...)`; a `DigitFeatures` is accepted as is.
        batch_size: clips per classifier call.
        min_step: see `clip_motion`.
    """

    def __init__(
        self,
        classifier: Callable[[Any], Any],
        batch_size: int = 64,
        min_step: float = 0.5,
    ):
        self.classifier = getattr(classifier, "logits", classifier)
        self.batch_size = batch_size
        self.min_step = min_step

    def __call__(self, videos: Any, captions) -> dict[str, np.ndarray]:
        """Per clip, is the digit right, the motion right, both?

        Returns:
            ``{"digit", "motion", "joint"}``: bool arrays ``(N,)``.
        """
        videos = np.asarray(videos)
        captions = [
            str(c) if not isinstance(c, bytes) else c.decode()
            for c in np.asarray(captions).reshape(-1)
        ]
        if len(captions) != len(videos):
            raise ValueError(
                f"expected one caption per clip: {len(videos)} clips, "
                f"{len(captions)} captions"
            )
        wanted = np.array([parse_caption(c) for c in captions]).reshape(-1, 3)
        scores = batched_apply(self.classifier, videos, self.batch_size)
        digit = np.argmax(np.asarray(scores), axis=-1) == wanted[:, 0]
        motion = np.all(clip_motion(videos, self.min_step) == wanted[:, 1:], axis=-1)
        return {"digit": digit, "motion": motion, "joint": digit & motion}

    def accuracy(self, videos: Any, captions) -> dict[str, float]:
        """``{"digit", "motion", "joint"}`` accuracies in ``[0, 1]``."""
        return {k: float(np.mean(v)) for k, v in self(videos, captions).items()}

    def reference(self, videos: Any, captions, seed: int = 0) -> dict[str, dict]:
        """The judge's ceiling and chance level on real clips.

        Args:
            videos: real clips.
            captions: their own captions.
            seed: seed of the shuffle.

        Returns:
            ``{"ceiling": accuracy(videos, captions), "chance":
            accuracy(videos, shuffled captions)}``.
        """
        captions = np.asarray(captions).reshape(-1)
        shuffled = np.random.default_rng(seed).permutation(captions)
        return {
            "ceiling": self.accuracy(videos, captions),
            "chance": self.accuracy(videos, shuffled),
        }
