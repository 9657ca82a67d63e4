"""Kernel (MMD) distance between feature sets: KID for images, KVD for videos."""

from __future__ import annotations

from typing import Any

import numpy as np

from tfvgan.metrics._checks import as_features, check_positive_int, check_same_dim


def polynomial_kernel(
    x: np.ndarray,
    y: np.ndarray,
    degree: int = 3,
    gamma: float | None = None,
    coef0: float = 1.0,
) -> np.ndarray:
    """Polynomial kernel matrix `(gamma * x @ y.T + coef0) ** degree`.

    Args:
        x: array `(n, dim)`.
        y: array `(m, dim)`.
        degree: polynomial degree.
        gamma: scale of the dot product; `None` means `1 / dim`.
        coef0: additive constant.

    Returns:
        float64 array `(n, m)`.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if gamma is None:
        gamma = 1.0 / x.shape[1]
    return (gamma * (x @ y.T) + coef0) ** degree


def _unbiased_mmd2(k_xx: np.ndarray, k_yy: np.ndarray, k_xy: np.ndarray) -> float:
    m = k_xx.shape[0]
    n = k_yy.shape[0]
    term_xx = (k_xx.sum() - np.trace(k_xx)) / (m * (m - 1))
    term_yy = (k_yy.sum() - np.trace(k_yy)) / (n * (n - 1))
    term_xy = k_xy.sum() / (m * n)
    return float(term_xx + term_yy - 2.0 * term_xy)


def kernel_distance(
    features_a: Any,
    features_b: Any,
    num_subsets: int = 100,
    subset_size: int = 1000,
    degree: int = 3,
    gamma: float | None = None,
    coef0: float = 1.0,
    seed: int = 0,
    return_std: bool = False,
) -> float | tuple[float, float]:
    """Kernel distance: unbiased polynomial-kernel MMD^2 averaged over subsets.

    With I3D features of clips this is the Kernel Video Distance (KVD); with
    Inception features of images it is the Kernel Inception Distance (KID).
    Each of `num_subsets` rounds draws `m = min(subset_size, num_a, num_b)`
    samples without replacement from each set and computes the unbiased
    MMD^2 estimate with `k(x, y) = (gamma <x, y> + coef0) ** degree`. Unlike
    FVD the estimate is unbiased, so it can be slightly negative when the two
    sets come from the same distribution.

    Args:
        features_a: array `(num_a, dim)`, e.g. features of real videos.
        features_b: array `(num_b, dim)`, e.g. features of generated videos.
        num_subsets: number of random subsets to average over.
        subset_size: samples per subset (capped by the smaller set).
        degree: polynomial kernel degree.
        gamma: kernel scale; `None` means `1 / dim`.
        coef0: kernel constant.
        seed: seed of the NumPy generator that draws the subsets.
        return_std: also return the standard deviation over subsets.

    Returns:
        The mean MMD^2 over subsets as a float, or `(mean, std)` when
        `return_std` is true.

    Example:

    >>> real = np.random.normal(size=(200, 16))
    >>> fake = np.random.normal(0.5, 1.0, size=(200, 16))
    >>> kvd, kvd_std = kernel_distance(real, fake, num_subsets=10,
    ...                                subset_size=100, return_std=True)

    Reference:
        Binkowski et al. 2018, "Demystifying MMD GANs",
        https://arxiv.org/abs/1801.01401 (KID);
        Unterthiner et al. 2018, https://arxiv.org/abs/1812.01717 (KVD).
    """
    features_a = as_features(features_a, "features_a")
    features_b = as_features(features_b, "features_b")
    check_same_dim(features_a, features_b, "features_a", "features_b")
    num_subsets = check_positive_int(num_subsets, "num_subsets")
    subset_size = check_positive_int(subset_size, "subset_size")
    degree = check_positive_int(degree, "degree")
    if subset_size < 2:
        raise ValueError(f"expected subset_size >= 2, got {subset_size}")
    if gamma is None:
        gamma = 1.0 / features_a.shape[1]
    m = min(subset_size, features_a.shape[0], features_b.shape[0])
    rng = np.random.default_rng(seed)
    estimates = np.empty(num_subsets, dtype=np.float64)
    for i in range(num_subsets):
        x = features_a[rng.choice(features_a.shape[0], m, replace=False)]
        y = features_b[rng.choice(features_b.shape[0], m, replace=False)]
        estimates[i] = _unbiased_mmd2(
            polynomial_kernel(x, x, degree, gamma, coef0),
            polynomial_kernel(y, y, degree, gamma, coef0),
            polynomial_kernel(x, y, degree, gamma, coef0),
        )
    mean = float(estimates.mean())
    if return_std:
        return mean, float(estimates.std())
    return mean
