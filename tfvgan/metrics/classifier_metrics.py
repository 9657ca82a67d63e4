"""Classifier-based scores: Inception Score and conditional accuracy."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from tfvgan.metrics._checks import batched_apply, check_positive_int


def _log_softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def _check_predictions(predictions: Any, from_logits: bool) -> np.ndarray:
    """Returns log-probabilities `(N, K)` in float64, or raises."""
    predictions = np.asarray(predictions, dtype=np.float64)
    if predictions.ndim != 2 or predictions.shape[1] < 1:
        raise ValueError(
            "expected classifier outputs of shape (num_videos, num_classes), got "
            f"{predictions.shape}"
        )
    if not np.all(np.isfinite(predictions)):
        raise ValueError("classifier outputs contain NaN or inf values")
    if from_logits:
        return _log_softmax(predictions)
    sums = predictions.sum(axis=1)
    if predictions.min() < 0 or not np.allclose(sums, 1.0, atol=1e-3):
        raise ValueError(
            "with from_logits=False expected probabilities (non-negative rows "
            f"summing to 1), got values in [{predictions.min():.4g}, "
            f"{predictions.max():.4g}] and row sums in [{sums.min():.4g}, "
            f"{sums.max():.4g}]; pass from_logits=True for logits"
        )
    with np.errstate(divide="ignore"):
        return np.log(predictions / sums[:, None])


def inception_score_from_predictions(
    predictions: Any, num_splits: int = 10, from_logits: bool = False
) -> tuple[float, float]:
    """Inception Score of precomputed class predictions.

    `IS = exp(E_x[KL(p(y|x) || p(y))])`, computed on each of `num_splits`
    equal, consecutive splits (`p(y)` is the mean prediction of the split);
    returns the mean and standard deviation over splits. Ranges from 1
    (uniform or identical predictions) to the number of classes (confident,
    evenly spread predictions).

    Args:
        predictions: `(num_videos, num_classes)` probabilities, or logits
            with `from_logits=True`.
        num_splits: number of splits (`<= num_videos`); a remainder that does
            not fill a split is dropped.
        from_logits: whether `predictions` are logits.

    Returns:
        `(mean, std)` over splits, Python floats.

    Example:

    >>> inception_score_from_predictions(np.eye(4), num_splits=1)
    (4.0, 0.0)

    Reference:
        Salimans et al. 2016, "Improved Techniques for Training GANs",
        https://arxiv.org/abs/1606.03498
    """
    log_p = _check_predictions(predictions, from_logits)
    num_splits = check_positive_int(num_splits, "num_splits")
    num = log_p.shape[0]
    if num_splits > num:
        raise ValueError(
            f"expected num_splits <= number of videos ({num}), got {num_splits}"
        )
    split_size = num // num_splits
    scores = []
    for i in range(num_splits):
        part = log_p[i * split_size : (i + 1) * split_size]
        p = np.exp(part)
        log_marginal = np.log(p.mean(axis=0))
        # p log p -> 0 where p == 0 (the masked branch is -inf * 0 = nan);
        # the marginal is > 0 wherever p is.
        with np.errstate(invalid="ignore"):
            terms = np.where(p > 0, p * (part - log_marginal), 0.0)
        scores.append(np.exp(terms.sum(axis=1).mean()))
    scores = np.asarray(scores)
    return float(scores.mean()), float(scores.std())


def inception_score(
    classifier: Callable[[Any], Any],
    videos: Any,
    num_splits: int = 10,
    batch_size: int = 32,
    from_logits: bool = True,
) -> tuple[float, float]:
    """Inception Score of generated videos under a video classifier.

    The video version of IS (as used by TGAN on UCF101 with a C3D
    classifier): the classifier should be trained on the real data's classes;
    with tfvgan's offline data use `load_digit_extractor().logits` or the
    model from `train_digit_classifier`.

    Args:
        classifier: callable mapping a video batch `(B, T, H, W, C)` to
            `(B, num_classes)` logits (default) or probabilities (with
            `from_logits=False`).
        videos: generated videos `(N, T, H, W, C)` in `[-1, 1]`.
        num_splits: splits to average over (10 in Salimans et al.).
        batch_size: clips per classifier call.
        from_logits: whether the classifier returns logits.

    Returns:
        `(mean, std)` of the score over splits.

    Example:

    ```python
    model = tfvgan.metrics.load_digit_extractor().model
    is_mean, is_std = tfvgan.metrics.inception_score(model, gan.generate(500))
    ```

    Reference:
        Salimans et al. 2016, https://arxiv.org/abs/1606.03498 ; Saito et al.
        2017 (TGAN), https://arxiv.org/abs/1611.06624
    """
    predictions = batched_apply(classifier, videos, batch_size)
    return inception_score_from_predictions(
        predictions, num_splits=num_splits, from_logits=from_logits
    )


def conditional_accuracy(
    classifier: Callable[[Any], Any],
    videos: Any,
    labels: Any,
    batch_size: int = 32,
) -> float:
    """Fraction of generated clips classified as the class they were asked for.

    For class-conditional generators: generate clips for known class ids,
    then check with an independent classifier (e.g. the offline digit
    classifier) that the requested class is the classifier's top prediction.

    Args:
        classifier: callable mapping a video batch to `(B, num_classes)`
            scores (logits or probabilities: only the argmax is used).
        videos: generated videos `(N, T, H, W, C)` in `[-1, 1]`.
        labels: requested class ids `(N,)`.
        batch_size: clips per classifier call.

    Returns:
        Accuracy in `[0, 1]` as a Python float.

    Example:

    ```python
    labels = np.arange(100) % 10
    videos = gan.generate(100, condition=labels)
    acc = tfvgan.metrics.conditional_accuracy(classifier, videos, labels)
    ```
    """
    labels = np.asarray(labels)
    num = int(videos.shape[0])
    if labels.shape != (num,):
        raise ValueError(
            f"expected labels of shape ({num},) to match {num} videos, got "
            f"{labels.shape}"
        )
    if num == 0:
        raise ValueError("expected at least one video, got 0")
    scores = batched_apply(classifier, videos, batch_size)
    if scores.shape[:1] != (num,) or scores.ndim != 2:
        raise ValueError(
            f"expected classifier outputs of shape ({num}, num_classes), got "
            f"{scores.shape}"
        )
    return float(np.mean(np.argmax(scores, axis=1) == labels))
