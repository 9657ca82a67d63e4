"""Video GAN evaluation: FVD, KVD, Inception Score, PSNR/SSIM, accuracy.

Distances between feature sets (`frechet_distance`, `kernel_distance`) are
NumPy, in float64; the streaming `FrechetVideoDistance` /
`KernelVideoDistance` metrics take any feature extractor (a callable mapping
a video batch `(B, T, H, W, C)` in `[-1, 1]` to `(B, D)` features):

- `I3DFeatures(path)`: Kinetics-400 I3D logits, the standard FVD. The model
  is never downloaded by tfvgan; point it at a local copy.
- `load_digit_extractor()`: a small 3D-conv classifier trained offline on the
  built-in moving-digits data and cached, for FVD-style numbers with no
  download.

Video prediction is scored on the frames after the given ones:
`prediction_scores` gives PSNR and SSIM of a model and of its trivial
baseline, `copy_last_frame` (hold the last given frame); `best_of_n_scores`
the stochastic protocol (best of N samples per clip, and their diversity).
In-betweening is scored on the frames between the keyframes:
`interpolation_scores` beside `cross_fade`. Inpainting is scored on the
hidden pixels (`masked_psnr`, `masked_ssim`): `inpainting_scores` beside
`fill_baseline`.

Submodules load lazily: `frechet_distance` does not import TensorFlow.

Example:

```python
import tfvgan

extractor = tfvgan.metrics.load_digit_extractor(frames=16, size=64)
fvd = tfvgan.metrics.FrechetVideoDistance(extractor)
fvd.update_state(real=real_videos, fake=gan.generate(256))
print(fvd.result())
```
"""

import importlib

# Public name -> submodule that defines it.
_EXPORTS = {
    "frechet_distance": "frechet",
    "frechet_distance_from_moments": "frechet",
    "feature_moments": "frechet",
    "kernel_distance": "kernel",
    "polynomial_kernel": "kernel",
    "FrechetVideoDistance": "streaming",
    "KernelVideoDistance": "streaming",
    "video_distances": "streaming",
    "I3DFeatures": "i3d",
    "preprocess_for_i3d": "i3d",
    "build_digit_classifier": "digit_classifier",
    "train_digit_classifier": "digit_classifier",
    "DigitFeatures": "digit_classifier",
    "load_digit_extractor": "digit_classifier",
    "inception_score": "classifier_metrics",
    "inception_score_from_predictions": "classifier_metrics",
    "conditional_accuracy": "classifier_metrics",
    "psnr": "frame_metrics",
    "baseline_scores": "prediction",
    "copy_last_frame": "prediction",
    "cross_fade": "prediction",
    "interpolation_scores": "prediction",
    "best_of_n_scores": "prediction",
    "blur_fill": "prediction",
    "fill_baseline": "prediction",
    "inpainting_scores": "prediction",
    "nearest_visible_fill": "prediction",
    "masked_psnr": "frame_metrics",
    "masked_ssim": "frame_metrics",
    "prediction_scores": "prediction",
    "CaptionJudge": "captions",
    "clip_motion": "captions",
    "parse_caption": "captions",
    "ssim": "frame_metrics",
}

__all__ = [
    "CaptionJudge",
    "DigitFeatures",
    "FrechetVideoDistance",
    "I3DFeatures",
    "KernelVideoDistance",
    "baseline_scores",
    "best_of_n_scores",
    "blur_fill",
    "build_digit_classifier",
    "clip_motion",
    "conditional_accuracy",
    "copy_last_frame",
    "cross_fade",
    "feature_moments",
    "fill_baseline",
    "frechet_distance",
    "frechet_distance_from_moments",
    "inception_score",
    "inception_score_from_predictions",
    "inpainting_scores",
    "interpolation_scores",
    "kernel_distance",
    "load_digit_extractor",
    "masked_psnr",
    "masked_ssim",
    "nearest_visible_fill",
    "parse_caption",
    "polynomial_kernel",
    "prediction_scores",
    "preprocess_for_i3d",
    "psnr",
    "ssim",
    "train_digit_classifier",
    "video_distances",
]


def __getattr__(name):
    if name in _EXPORTS:
        module = importlib.import_module(f".{_EXPORTS[name]}", __name__)
        return getattr(module, name)
    raise AttributeError(f"module 'tfvgan.metrics' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
