"""Fréchet distance between Gaussians fitted to feature sets (FVD, FID)."""

from __future__ import annotations

from typing import Any

import numpy as np

from tfvgan.metrics._checks import as_features


def _sqrt_psd(matrix: np.ndarray) -> np.ndarray:
    """Symmetric square root of a symmetric PSD matrix (negative eigvals -> 0)."""
    eigvals, eigvecs = np.linalg.eigh(matrix)
    eigvals = np.clip(eigvals, 0.0, None)
    return (eigvecs * np.sqrt(eigvals)) @ eigvecs.T


def _as_moments(mu: Any, sigma: Any, name: str) -> tuple[np.ndarray, np.ndarray]:
    mu = np.asarray(mu, dtype=np.float64)
    sigma = np.asarray(sigma, dtype=np.float64)
    if mu.ndim != 1:
        raise ValueError(f"expected mu_{name} of rank 1 (dim,), got shape {mu.shape}")
    dim = mu.shape[0]
    if sigma.shape != (dim, dim):
        raise ValueError(
            f"expected sigma_{name} of shape ({dim}, {dim}) to match mu_{name} "
            f"of shape {mu.shape}, got {sigma.shape}"
        )
    if not (np.all(np.isfinite(mu)) and np.all(np.isfinite(sigma))):
        raise ValueError(f"mu_{name} / sigma_{name} contain NaN or inf values")
    return mu, sigma


def feature_moments(features: Any) -> tuple[np.ndarray, np.ndarray]:
    """Mean and (unbiased, ``ddof=1``) covariance of a feature set.

    Args:
        features: array `(num_samples, dim)`, `num_samples >= 2`.

    Returns:
        `(mu, sigma)`: float64 arrays of shapes `(dim,)` and `(dim, dim)`.

    Example:

    >>> mu, sigma = feature_moments(np.random.rand(64, 8))
    """
    features = as_features(features, "features")
    return features.mean(axis=0), np.cov(features, rowvar=False, ddof=1).reshape(
        features.shape[1], features.shape[1]
    )


def frechet_distance_from_moments(
    mu_a: Any, sigma_a: Any, mu_b: Any, sigma_b: Any
) -> float:
    """Fréchet (2-Wasserstein) distance between two Gaussians.

    `d^2 = ||mu_a - mu_b||^2 + Tr(S_a + S_b - 2 (S_a S_b)^(1/2))`, computed in
    float64 without a general matrix square root: the eigenvalues of
    `S_a S_b` are those of the symmetric PSD matrix `S_a^(1/2) S_b S_a^(1/2)`,
    so the trace term is the sum of the square roots of its (clipped,
    non-negative) eigenvalues. Singular covariances (fewer samples than
    feature dimensions) are handled without an epsilon offset.

    Args:
        mu_a: mean of the first Gaussian, shape `(dim,)`.
        sigma_a: covariance of the first Gaussian, shape `(dim, dim)`.
        mu_b: mean of the second Gaussian, shape `(dim,)`.
        sigma_b: covariance of the second Gaussian, shape `(dim, dim)`.

    Returns:
        The squared Fréchet distance as a Python float, `>= 0`.

    Example:

    >>> frechet_distance_from_moments([0.0], [[1.0]], [1.0], [[4.0]])
    2.0

    Reference:
        Heusel et al. 2017, https://arxiv.org/abs/1706.08500 (FID);
        Unterthiner et al. 2018, https://arxiv.org/abs/1812.01717 (FVD).
    """
    mu_a, sigma_a = _as_moments(mu_a, sigma_a, "a")
    mu_b, sigma_b = _as_moments(mu_b, sigma_b, "b")
    if mu_a.shape != mu_b.shape:
        raise ValueError(
            f"feature dimensions differ: mu_a has shape {mu_a.shape}, mu_b has "
            f"shape {mu_b.shape}"
        )
    # Symmetrise first: covariances built in float32 elsewhere are often
    # asymmetric at round-off level, which eigh would silently ignore.
    sigma_a = 0.5 * (sigma_a + sigma_a.T)
    sigma_b = 0.5 * (sigma_b + sigma_b.T)
    sqrt_a = _sqrt_psd(sigma_a)
    middle = sqrt_a @ sigma_b @ sqrt_a
    eigvals = np.linalg.eigvalsh(0.5 * (middle + middle.T))
    trace_sqrt = np.sum(np.sqrt(np.clip(eigvals, 0.0, None)))
    diff = mu_a - mu_b
    distance = diff @ diff + np.trace(sigma_a) + np.trace(sigma_b) - 2.0 * trace_sqrt
    # Round-off can push an exact zero slightly negative.
    return float(max(distance, 0.0))


def frechet_distance(features_a: Any, features_b: Any) -> float:
    """Fréchet distance between Gaussians fitted to two feature sets.

    With I3D logits of real and generated clips this is the Fréchet Video
    Distance (FVD); with Inception pool features of frames it is FID. Lower is
    better; identical sets give 0.

    Args:
        features_a: array `(num_a, dim)`, e.g. features of real videos.
        features_b: array `(num_b, dim)`, e.g. features of generated videos.
            Both sets need at least 2 samples; a few hundred or more are
            needed for stable numbers (the estimate is biased for small sets).

    Returns:
        The squared Fréchet distance as a Python float.

    Example:

    >>> real = np.random.normal(size=(256, 16))
    >>> fake = np.random.normal(0.5, 1.0, size=(256, 16))
    >>> fvd = frechet_distance(real, fake)

    Reference:
        Unterthiner et al. 2018, "Towards Accurate Generative Models of Video:
        A New Metric & Challenges", https://arxiv.org/abs/1812.01717
    """
    features_a = as_features(features_a, "features_a")
    features_b = as_features(features_b, "features_b")
    if features_a.shape[1] != features_b.shape[1]:
        raise ValueError(
            f"feature dimensions differ: features_a has shape {features_a.shape}, "
            f"features_b has shape {features_b.shape}"
        )
    return frechet_distance_from_moments(
        *feature_moments(features_a), *feature_moments(features_b)
    )
