"""Streaming FVD / KVD: accumulate features batch by batch, compute at the end."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from tfvgan.metrics._checks import (
    as_features,
    batched_apply,
    check_same_dim,
    check_video_shape,
)
from tfvgan.metrics.frechet import frechet_distance
from tfvgan.metrics.kernel import kernel_distance

FeatureExtractor = Callable[[Any], Any]


class _FeatureDistanceMetric:
    """Shared state of the feature-distance metrics (Keras `Metric` API).

    Features live in host-side Python lists: these metrics run at evaluation
    time, need every sample at the end (a covariance or a kernel matrix), and
    typically come from an extractor that is not part of the model graph.
    """

    def __init__(
        self,
        extractor: FeatureExtractor | None = None,
        batch_size: int | None = None,
        name: str = "feature_distance",
    ):
        self.extractor = extractor
        self.batch_size = batch_size
        self.name = name
        self._real: list[np.ndarray] = []
        self._fake: list[np.ndarray] = []

    def _features_of(self, videos: Any, name: str) -> np.ndarray:
        if self.extractor is None:
            raise ValueError(
                f"{type(self).__name__} was built without an extractor, so it "
                f"only accepts precomputed features; pass {name}_features=... "
                f"or build it with extractor=<callable video batch -> (B, D)>"
            )
        check_video_shape(getattr(videos, "shape", np.shape(videos)), name)
        features = batched_apply(self.extractor, videos, self.batch_size)
        return as_features(features, f"{name} features", min_samples=1)

    def _append(self, store: list[np.ndarray], features: np.ndarray, name: str):
        seen = self._real + self._fake
        if seen:
            check_same_dim(seen[0], features, "features seen so far", name)
        store.append(features)

    def update_state(
        self,
        real: Any = None,
        fake: Any = None,
        *,
        real_features: Any = None,
        fake_features: Any = None,
    ) -> None:
        """Adds a batch of real and/or generated clips (or their features).

        Args:
            real: real videos `(batch, frames, height, width, channels)`,
                float32 in `[-1, 1]`, run through the extractor.
            fake: generated videos, same layout.
            real_features: precomputed features `(batch, dim)` of real clips.
            fake_features: precomputed features `(batch, dim)` of generated
                clips.
        """
        if real is not None and real_features is not None:
            raise ValueError("pass either real or real_features, not both")
        if fake is not None and fake_features is not None:
            raise ValueError("pass either fake or fake_features, not both")
        if all(v is None for v in (real, fake, real_features, fake_features)):
            raise ValueError(
                "update_state got nothing: pass real=, fake=, real_features= "
                "or fake_features="
            )
        if real is not None:
            real_features = self._features_of(real, "real")
        if fake is not None:
            fake_features = self._features_of(fake, "fake")
        if real_features is not None:
            real_features = as_features(real_features, "real_features", 1)
            self._append(self._real, real_features, "real_features")
        if fake_features is not None:
            fake_features = as_features(fake_features, "fake_features", 1)
            self._append(self._fake, fake_features, "fake_features")

    def reset_state(self) -> None:
        """Forgets all accumulated features."""
        self._real = []
        self._fake = []

    @property
    def num_real(self) -> int:
        """Number of real samples accumulated so far."""
        return sum(f.shape[0] for f in self._real)

    @property
    def num_fake(self) -> int:
        """Number of generated samples accumulated so far."""
        return sum(f.shape[0] for f in self._fake)

    @property
    def real_features(self) -> np.ndarray:
        """All real features so far, `(num_real, dim)` float64."""
        return self._stacked(self._real, "real")

    @property
    def fake_features(self) -> np.ndarray:
        """All generated features so far, `(num_fake, dim)` float64."""
        return self._stacked(self._fake, "fake")

    def _stacked(self, store: list[np.ndarray], name: str) -> np.ndarray:
        count = sum(f.shape[0] for f in store)
        if count < 2:
            raise ValueError(
                f"{self.name}: expected at least 2 {name} samples before "
                f"result(), got {count}; call update_state({name}=...) first"
            )
        return np.concatenate(store, axis=0)


class FrechetVideoDistance(_FeatureDistanceMetric):
    """Streaming Fréchet Video Distance over any feature extractor.

    With `I3DFeatures` this is the standard FVD; with `DigitFeatures` (the
    offline classifier for the built-in moving-digits data) it gives FVD-style
    numbers without any download. Numbers from different extractors are not
    comparable.

    Args:
        extractor: callable mapping a video batch `(B, T, H, W, C)` in
            `[-1, 1]` to features `(B, D)`; `None` to feed only precomputed
            features.
        batch_size: if set, videos passed to `update_state` are fed to the
            extractor in slices of this size.
        name: metric name.

    Example:

    ```python
    fvd = tfvgan.metrics.FrechetVideoDistance(tfvgan.metrics.load_digit_extractor())
    for real in dataset.take(8):
        fvd.update_state(real=real, fake=gan.generate(real.shape[0]))
    print(fvd.result())
    ```

    Reference:
        Unterthiner et al. 2018, "Towards Accurate Generative Models of Video:
        A New Metric & Challenges", https://arxiv.org/abs/1812.01717
    """

    def __init__(
        self,
        extractor: FeatureExtractor | None = None,
        batch_size: int | None = None,
        name: str = "fvd",
    ):
        super().__init__(extractor=extractor, batch_size=batch_size, name=name)

    def result(self) -> float:
        """Returns the Fréchet distance between all real and generated features."""
        return frechet_distance(self.real_features, self.fake_features)


class KernelVideoDistance(_FeatureDistanceMetric):
    """Streaming Kernel Video Distance (polynomial-kernel MMD^2 over subsets).

    Args:
        extractor: callable mapping a video batch to features `(B, D)`;
            `None` to feed only precomputed features.
        batch_size: if set, videos are fed to the extractor in slices of
            this size.
        num_subsets: subsets averaged over, see `kernel_distance`.
        subset_size: samples per subset, see `kernel_distance`.
        degree: polynomial kernel degree.
        gamma: kernel scale; `None` means `1 / dim`.
        coef0: kernel constant.
        seed: seed for drawing the subsets.
        name: metric name.

    Example:

    ```python
    kvd = tfvgan.metrics.KernelVideoDistance(extractor, subset_size=100)
    kvd.update_state(real=real_videos, fake=fake_videos)
    mean, std = kvd.result(return_std=True)
    ```

    Reference:
        Binkowski et al. 2018, "Demystifying MMD GANs",
        https://arxiv.org/abs/1801.01401 ; Unterthiner et al. 2018,
        https://arxiv.org/abs/1812.01717
    """

    def __init__(
        self,
        extractor: FeatureExtractor | None = None,
        batch_size: int | None = None,
        num_subsets: int = 100,
        subset_size: int = 1000,
        degree: int = 3,
        gamma: float | None = None,
        coef0: float = 1.0,
        seed: int = 0,
        name: str = "kvd",
    ):
        super().__init__(extractor=extractor, batch_size=batch_size, name=name)
        self.num_subsets = num_subsets
        self.subset_size = subset_size
        self.degree = degree
        self.gamma = gamma
        self.coef0 = coef0
        self.seed = seed

    def result(self, return_std: bool = False) -> float | tuple[float, float]:
        """Returns the mean kernel distance, or `(mean, std)` over subsets."""
        return kernel_distance(
            self.real_features,
            self.fake_features,
            num_subsets=self.num_subsets,
            subset_size=self.subset_size,
            degree=self.degree,
            gamma=self.gamma,
            coef0=self.coef0,
            seed=self.seed,
            return_std=return_std,
        )


def _video_batches(source: Any) -> Iterable[Any]:
    """Yields video batches from an array/tensor or an iterable of batches."""
    if hasattr(source, "shape") and len(source.shape) == 5:
        yield source
        return
    for element in source:
        # Dataset elements may be `(video, condition)` pairs.
        yield element[0] if isinstance(element, tuple | list) else element


def video_distances(
    real: Any,
    fake: Any,
    extractor: FeatureExtractor,
    batch_size: int | None = 16,
    max_videos: int | None = None,
    kvd_subsets: int = 100,
    kvd_subset_size: int = 1000,
    seed: int = 0,
) -> dict[str, float | int]:
    """FVD and KVD between two video collections in one pass over each.

    This is the function an evaluation CLI calls: it streams both sources
    through the extractor once and reports both distances.

    Args:
        real: real videos: an array `(N, T, H, W, C)` in `[-1, 1]`, or an
            iterable of such batches (e.g. a `tf.data.Dataset` of `video` or
            `(video, condition)` elements).
        fake: generated videos, same forms as `real`.
        extractor: callable video batch -> features `(B, D)`, e.g.
            `I3DFeatures(path)` or `load_digit_extractor()`.
        batch_size: extractor batch size.
        max_videos: stop reading each source after this many clips.
        kvd_subsets: number of KVD subsets.
        kvd_subset_size: KVD subset size (capped by the number of clips).
        seed: seed for the KVD subsets.

    Returns:
        Dict with keys `"fvd"`, `"kvd"`, `"kvd_std"`, `"num_real"`,
        `"num_fake"`.

    Example:

    ```python
    scores = video_distances(real_videos, gan.generate(256),
                             load_digit_extractor(frames=16, size=64))
    ```
    """
    metric = FrechetVideoDistance(extractor=extractor, batch_size=batch_size)
    for key, source in (("real", real), ("fake", fake)):
        seen = 0
        for batch in _video_batches(source):
            if max_videos is not None:
                if seen >= max_videos:
                    break
                batch = batch[: max_videos - seen]
            metric.update_state(**{key: batch})
            seen += int(batch.shape[0])
    real_features, fake_features = metric.real_features, metric.fake_features
    kvd, kvd_std = kernel_distance(
        real_features,
        fake_features,
        num_subsets=kvd_subsets,
        subset_size=kvd_subset_size,
        seed=seed,
        return_std=True,
    )
    return {
        "fvd": frechet_distance(real_features, fake_features),
        "kvd": kvd,
        "kvd_std": kvd_std,
        "num_real": int(real_features.shape[0]),
        "num_fake": int(fake_features.shape[0]),
    }
