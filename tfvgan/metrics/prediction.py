"""Scores for video prediction and in-betweening: the trivial baselines and
the frames scored.

A model that continues the first ``k`` frames of a clip must beat simply
holding the last of them (`copy_last_frame`); `prediction_scores` compares
both with the real continuation on the frames after the context only, since
the context itself is given. A model that fills in the frames between
keyframes must beat the cross-fade between them (`cross_fade`);
`interpolation_scores` compares both on the frames between the keyframes.
A model that fills in a masked region (inpainting) must beat the better of
two fills (`fill_baseline`: `nearest_visible_fill`, `blur_fill`);
`inpainting_scores` compares both on the hidden pixels only.

Example:

```python
import tfvgan

context = real[:, :2]
fake = gan.generate(condition=context)
tfvgan.metrics.prediction_scores(real, fake, context_frames=2)
# {'psnr': ..., 'ssim': ..., 'psnr_copy_last_frame': ..., ...}
```
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tfvgan import conditions, masking
from tfvgan.conditions import check_context_frames, copy_last_frame, cross_fade
from tfvgan.masking import blur_fill, fill_baseline, nearest_visible_fill
from tfvgan.metrics import frame_metrics

__all__ = [
    "baseline_scores",
    "best_of_n_scores",
    "blur_fill",
    "copy_last_frame",
    "cross_fade",
    "fill_baseline",
    "inpainting_scores",
    "interpolation_scores",
    "nearest_visible_fill",
    "prediction_scores",
]


def baseline_scores(
    real: Any, fake: Any, baseline: Any, name: str, scored: Any, mask: Any = None
) -> dict[str, float]:
    """PSNR and SSIM of a model's clips and of a trivial baseline's against
    the real ones, on the frames `scored` (those the model was not given)
    and, with a `mask`, on its pixels only (`masked_psnr`, `masked_ssim`).

    Args:
        real, fake, baseline: clips ``(B, T, H, W, C)`` in ``[-1, 1]``.
        name: the baseline's name, a suffix of its keys.
        scored: the frame indices scored (`ConditionType.scored_frames`).
        mask: None, or ``(B, T, H, W, 1)``: 1 on the pixels scored
            (`ConditionType.scored_mask`: inpainting's hidden pixels).

    Returns:
        ``psnr``, ``ssim`` (the model) and ``psnr_<name>``, ``ssim_<name>``
        (the baseline), each the mean over clips and scored frames; PSNR
        capped at 100 dB per frame.

    Raises:
        ValueError: the three clip arrays are not of one 5-D shape.
    """
    real, fake, baseline = (np.asarray(c, np.float32) for c in (real, fake, baseline))
    if not real.shape == fake.shape == baseline.shape or real.ndim != 5:
        raise ValueError(
            f"expected real, fake and baseline clips of one (B, T, H, W, C) "
            f"shape, got {real.shape}, {fake.shape} and {baseline.shape}"
        )
    scored = np.asarray(scored)
    if len(scored) and (np.diff(scored) == 1).all():  # a view, not a copy
        scored = slice(int(scored[0]), int(scored[-1]) + 1)
    real = real[:, scored]
    if mask is not None:
        mask = np.asarray(mask, np.float32)
        if mask.ndim == 4:
            mask = mask[..., None]
        if mask.shape != (*fake.shape[:-1], 1):
            raise ValueError(
                f"expected a mask of shape {fake.shape[:-1]} (or with a last "
                f"axis of 1) for clips of shape {fake.shape}, got {mask.shape}"
            )
        mask = mask[:, scored]
    scores = {}
    for suffix, clips in (("", fake), (f"_{name}", baseline)):
        clips = clips[:, scored]
        if mask is None:
            psnr = frame_metrics.psnr(clips, real, max_db=100.0)
            ssim = frame_metrics.ssim(clips, real)
        else:
            psnr = frame_metrics.masked_psnr(clips, real, mask, max_db=100.0)
            ssim = frame_metrics.masked_ssim(clips, real, mask)
        scores[f"psnr{suffix}"] = float(psnr)
        scores[f"ssim{suffix}"] = float(ssim)
    return scores


def _scores_of(kind: str, real: Any, fake: Any, **options) -> dict[str, float]:
    """`baseline_scores` of condition type `kind`, its condition taken from
    the real clips with `options`."""
    kind = conditions.get(kind)
    real, fake = np.asarray(real, np.float32), np.asarray(fake, np.float32)
    if real.shape != fake.shape or real.ndim != 5:
        raise ValueError(
            f"expected real and fake of one (B, T, H, W, C) shape, got "
            f"{real.shape} and {fake.shape}"
        )
    condition = kind.from_clips(real, **options)
    return baseline_scores(
        real,
        fake,
        kind.baseline(real, condition),
        kind.baseline_name,
        kind.scored_frames(condition, real.shape[1]),
        kind.scored_mask(condition),
    )


def prediction_scores(real: Any, fake: Any, context_frames: int) -> dict[str, float]:
    """PSNR and SSIM of predicted clips and of `copy_last_frame`, on the
    frames after the context.

    Args:
        real: the real clips ``(B, T, H, W, C)`` in ``[-1, 1]``.
        fake: the model's clips of the same shape (its first
            `context_frames` frames are not scored).
        context_frames: ``k``, the frames the model was given.

    Returns:
        ``psnr``, ``ssim`` (the model) and ``psnr_copy_last_frame``,
        ``ssim_copy_last_frame`` (the baseline), each the mean over clips
        and predicted frames; PSNR capped at 100 dB per frame.

    Raises:
        ValueError: shapes differ, or `context_frames` is not in ``[1, T)``.
    """
    return _scores_of("frames", real, fake, context_frames=context_frames)


def interpolation_scores(
    real: Any, fake: Any, keyframe_interval: int | None = None
) -> dict[str, float]:
    """PSNR and SSIM of in-betweened clips and of `cross_fade`, on the
    frames between the keyframes.

    Args:
        real: the real clips ``(B, T, H, W, C)`` in ``[-1, 1]``.
        fake: the model's clips of the same shape (its keyframes are not
            scored).
        keyframe_interval: frames from one keyframe to the next (dividing
            ``T - 1``); None: the first and the last frame.

    Returns:
        ``psnr``, ``ssim`` (the model) and ``psnr_cross_fade``,
        ``ssim_cross_fade`` (the baseline), each the mean over clips and
        in-between frames; PSNR capped at 100 dB per frame.

    Raises:
        ValueError: shapes differ, or a bad `keyframe_interval`.
    """
    return _scores_of("keyframes", real, fake, keyframe_interval=keyframe_interval)


def inpainting_scores(real: Any, fake: Any, mask: Any) -> dict[str, float]:
    """PSNR and SSIM, inside the mask, of inpainted clips and of
    `fill_baseline` (per clip the better of `nearest_visible_fill` and
    `blur_fill`).

    Args:
        real: the real clips ``(B, T, H, W, C)`` in ``[-1, 1]``.
        fake: the model's clips of the same shape, made from
            ``masked_condition(real, mask)``.
        mask: ``(B, T, H, W)`` or ``(B, T, H, W, 1)``: 1 where the model was
            given nothing (the pixels scored), 0 elsewhere.

    Returns:
        ``psnr``, ``ssim`` (the model) and ``psnr_fill``, ``ssim_fill`` (the
        baseline): `masked_psnr` (capped at 100 dB per frame) and
        `masked_ssim`, means over the frames and clips.

    Raises:
        ValueError: shapes differ, or the mask has another shape, values
            other than 0 and 1, or no pixel to score.
    """
    real = np.asarray(real, np.float32)
    condition = masking.masked_condition(real, mask)
    baseline = masking.fill_baseline(real, condition)
    _, mask = masking.split_condition(condition)
    return baseline_scores(real, fake, baseline, "fill", np.arange(real.shape[1]), mask)


def best_of_n_scores(real: Any, samples: Any, context_frames: int) -> dict[str, float]:
    """The stochastic-prediction protocol (SVG, SAVP): for each clip, the
    best of `N` sampled continuations, and how different the samples are.

    Args:
        real: the real clips ``(B, T, H, W, C)`` in ``[-1, 1]``.
        samples: ``N >= 2`` continuations of each: a sequence of ``N``
            arrays of the real clips' shape, or one ``(N, B, T, H, W, C)``
            array (their first `context_frames` frames are not scored).
        context_frames: ``k``, the frames the model was given.

    Returns:
        ``psnr_best_of_n`` and ``ssim_best_of_n``: per clip, the highest PSNR
        (SSIM) of its samples over the predicted frames, averaged over clips
        (each metric takes its own best sample, as the papers do);
        ``diversity``: the mean absolute difference between two samples of
        one clip over the predicted frames (pixels in ``[-1, 1]``), averaged
        over every pair and clip: 0 when the model ignores its noise.

    Raises:
        ValueError: shapes that do not match, fewer than 2 samples, or
            `context_frames` not in ``[1, T)``.

    Reference:
        Denton & Fergus 2018, "Stochastic Video Generation with a Learned
        Prior", https://arxiv.org/abs/1802.07687; Lee et al. 2018, SAVP,
        https://arxiv.org/abs/1804.01523
    """
    real = np.asarray(real, np.float32)
    samples = [np.asarray(sample, np.float32) for sample in samples]
    if len(samples) < 2:
        raise ValueError(f"expected at least 2 samples per clip, got {len(samples)}")
    for sample in samples:
        if sample.shape != real.shape:
            raise ValueError(
                f"expected every sample of the real clips' shape {real.shape}, got "
                f"{sample.shape}"
            )
    k = check_context_frames(context_frames, real.shape[1])
    target = real[:, k:]
    # Running maxima and a running pairwise sum: N samples, not N^2 arrays.
    best_psnr = best_ssim = None
    distance, pairs = 0.0, 0
    for i, sample in enumerate(samples):
        psnr = np.asarray(
            frame_metrics.psnr(sample[:, k:], target, "none", max_db=100.0)
        )
        ssim = np.asarray(frame_metrics.ssim(sample[:, k:], target, "none"))
        best_psnr = psnr if best_psnr is None else np.maximum(best_psnr, psnr)
        best_ssim = ssim if best_ssim is None else np.maximum(best_ssim, ssim)
        for other in samples[:i]:
            distance += float(np.abs(sample[:, k:] - other[:, k:]).mean())
            pairs += 1
    return {
        "psnr_best_of_n": float(best_psnr.mean()),
        "ssim_best_of_n": float(best_ssim.mean()),
        "diversity": distance / pairs,
    }
