"""
Title: Evaluating video GANs with FVD and KVD
Description: Fréchet and Kernel Video Distance with an offline feature extractor: the real-versus-real floor, an untrained and a briefly trained generator, and how to plug in the I3D model the standard FVD uses.
Accelerator: GPU recommended for the full settings (sized for a Colab GPU; not measured). Short mode runs on a CPU: 25-37 s measured in the test suite on a shared 2-core machine
"""

"""
## What this tutorial does

A GAN's losses say little about sample quality: they measure a moving
target, the discriminator. Video GANs are compared instead with
distribution distances computed in the feature space of a pretrained video
classifier:

- **FVD** (Fréchet Video Distance, Unterthiner et al. 2018): fit a Gaussian
  to the features of real clips and one to the features of generated clips
  and take the Fréchet distance between them,
  `||mu_r - mu_g||^2 + Tr(S_r + S_g - 2 (S_r S_g)^(1/2))`. Lower is better;
  0 means identical means and covariances.
- **KVD** (Kernel Video Distance): the unbiased MMD^2 between the two
  feature sets with a cubic polynomial kernel, averaged over random subsets.
  It makes no Gaussian assumption and its estimate is unbiased, so it
  behaves better with few samples; it can come out slightly negative when
  the two sets match.

The standard FVD uses an I3D network trained on Kinetics-400. tfvgan never
downloads it; so that this tutorial runs offline, we use tfvgan's **offline
digit extractor** (a small 3D-conv classifier trained on the built-in
moving digits and cached) and, to show the I3D code path, a stand-in
SavedModel with I3D's interface. Numbers from different extractors are not
comparable with each other, or with published FVDs.

Timing: short mode (`TFVGAN_SHORT=1`) took 25 s to 37 s in the test suite
on a 2-core CPU shared with other jobs (training the small extractor is the
largest part); its sample counts and models are far too small for the numbers
to mean much. The full settings (2,048 clips per side, 10 training epochs)
took 12 min 36 s on the same CPU
(`TFVGAN_SHORT=0 python examples/08_evaluation.py`, 700 s of it training)
and gave FVD 0.27 real vs real, 351 untrained vs real and 148 trained vs
real.
"""

"""
## Setup
"""

import json
import os
import time

import numpy as np
import tensorflow as tf

import tfvgan

SHORT = os.environ.get("TFVGAN_SHORT", "0") == "1"
PRESET = "tiny" if SHORT else "quickstart"
# Clips per side of every comparison. 2048 is tfvgan-eval's default; the
# short mode's 48 only exercises the code.
NUM_VIDEOS = 48 if SHORT else 2048
shape = tfvgan.models.PRESETS["temporal"][PRESET]  # the preset's clip shape
FRAMES, SIZE, CHANNELS = shape["frames"], shape["size"], shape["channels"]
print(f"clips: {FRAMES} frames of {SIZE}x{SIZE}x{CHANNELS}, {NUM_VIDEOS} per side")

"""
## The offline feature extractor

`load_digit_extractor` trains a small 3D-conv digit classifier on
`moving_digits` clips of the given shape once, saves it as a `.keras` file
in a cache folder (`~/.cache/tfvgan/extractors` by default), and loads it
from there next time. Its 128-d penultimate layer gives the features.
Short mode trains a small one into the working directory.

An extractor is only useful if it has learned something: we check its
accuracy on clips it never saw (seed 1; it trained on seed 0).
"""

start = time.perf_counter()
if SHORT:
    extractor = tfvgan.metrics.load_digit_extractor(
        cache_dir="extractors", frames=FRAMES, size=SIZE, channels=CHANNELS,
        num_videos=1024, epochs=12,
    )  # fmt: skip
else:
    extractor = tfvgan.metrics.load_digit_extractor(
        frames=FRAMES, size=SIZE, channels=CHANNELS
    )
print(f"extractor ready in {time.perf_counter() - start:.1f} s")

real, labels, _ = tfvgan.data.moving_digits_arrays(
    num_videos=2 * NUM_VIDEOS, frames=FRAMES, size=SIZE, channels=CHANNELS, seed=1
)
real = real.astype("float32") / 127.5 - 1.0  # the tensor contract: [-1, 1]
real_a, real_b = real[:NUM_VIDEOS], real[NUM_VIDEOS:]
predicted = np.argmax(extractor.logits(real_a), axis=-1)
print(
    f"extractor accuracy on unseen real clips: {np.mean(predicted == labels[:NUM_VIDEOS, 0]):.2f}"
)
print("feature shape:", extractor(real_a[:4]).shape)

"""
## The protocol

1. **Real clips disjoint from training.** We draw `2 * NUM_VIDEOS` real
   clips with seed 1 (the GANs train on seed 0) and split them in halves
   `real_a` and `real_b`.
2. **The same number of clips on both sides, always reported.** FVD is a
   biased estimator: with fewer clips the covariance estimates are noisier
   and the distance comes out larger, even between two samples of the same
   distribution. Numbers are only comparable at equal sample counts and with
   the same extractor. `tfvgan-eval` uses 2048 per side by default.
3. **The real-versus-real floor.** `FVD(real_a, real_b)` is the best any
   generator can score at this sample count: two independent samples of
   the *real* distribution. A generator's FVD is read relative to it.

`video_distances(real, fake, extractor)` streams both sets through the
extractor once and returns FVD, KVD (with its standard deviation over
subsets) and the counts.
"""

# KVD averages over random subsets; half the clips per subset keeps them
# different, so the spread over subsets means something.
kvd_subset = min(1000, NUM_VIDEOS // 2)
results = {}
results["real vs real"] = tfvgan.metrics.video_distances(
    real_a, real_b, extractor, kvd_subset_size=kvd_subset
)
half = NUM_VIDEOS // 2
results["real vs real, half the clips"] = tfvgan.metrics.video_distances(
    real_a[:half], real_b[:half], extractor, kvd_subset_size=min(kvd_subset, half // 2)
)


def report(name):
    r = results[name]
    print(
        f"{name:<32} FVD {r['fvd']:9.2f}   KVD {r['kvd']:8.4f} +- {r['kvd_std']:.4f}"
        f"   ({r['num_real']} real, {r['num_fake']} fake)"
    )


report("real vs real")
report("real vs real, half the clips")

"""
Halving the clips raised the FVD floor: that is the estimator's bias at
work, and why sample counts must match. KVD's estimate is unbiased, so it
has no such systematic drift, only more noise with fewer clips.

## An untrained generator

A freshly initialised generator outputs structured noise: far from the real
clips in feature space, so its FVD should sit well above the floor.
"""

gan = tfvgan.models.build_model("temporal", preset=PRESET, seed=0)
untrained = gan.generate(NUM_VIDEOS, seed=100)
results["untrained vs real"] = tfvgan.metrics.video_distances(
    real_a, untrained, extractor, kvd_subset_size=kvd_subset
)
report("untrained vs real")

"""
## A briefly trained generator

Now we train the same generator on `moving_digits` (seed 0) for a short
while and score it again, this time with the streaming metric classes,
which take real and generated clips batch by batch: the way to evaluate
more clips than fit in memory. Short mode trains a handful of steps, which
is not enough to expect a lower FVD; the full settings train the
`quickstart` preset for 10 epochs.
"""

gan.compile(ema_decay=0.9 if SHORT else 0.99)
train_ds = tfvgan.data.moving_digits(
    num_videos=16 if SHORT else 4096,
    frames=FRAMES,
    size=SIZE,
    channels=CHANNELS,
    batch_size=8 if SHORT else 32,
    seed=0,
)
start = time.perf_counter()
gan.fit(train_ds, epochs=1 if SHORT else 10, verbose=2)
print(f"trained in {time.perf_counter() - start:.1f} s")

fvd = tfvgan.metrics.FrechetVideoDistance(extractor)
batch = 16
for i in range(0, NUM_VIDEOS, batch):
    fake = gan.generate(batch, seed=1000 + i)
    fvd.update_state(real=real_a[i : i + batch], fake=fake)
# The features are extracted once: KVD reuses the ones FVD accumulated.
kvd = tfvgan.metrics.KernelVideoDistance(subset_size=kvd_subset)
kvd.update_state(real_features=fvd.real_features, fake_features=fvd.fake_features)
kvd_mean, kvd_std = kvd.result(return_std=True)
results["trained vs real"] = {
    "fvd": fvd.result(),
    "kvd": kvd_mean,
    "kvd_std": kvd_std,
    "num_real": fvd.num_real,
    "num_fake": fvd.num_fake,
}
report("trained vs real")
tfvgan.video_io.show(fake, path="evaluated_samples.gif")

"""
Each `update_state(real=..., fake=...)` runs the extractor, the expensive
part; a metric built without an extractor takes precomputed features
(`real_features=`, `fake_features=`) instead, which is how the KVD above
reuses the FVD's features.

## Reading the numbers

- Compare a generator to the **floor at the same sample count**, not to 0.
  An FVD close to the floor means the extractor cannot tell the generated
  clips from real ones.
- Differences smaller than the spread between repeated evaluations (change
  the seeds of the real and generated samples) are not differences. KVD
  reports its standard deviation over subsets; for FVD, repeat.
- These digit-extractor numbers rank models trained on moving digits; they
  say nothing about other data and cannot be compared to papers. For that
  you need the I3D network.

`tfvgan-eval --run_dir=runs/quickstart` runs this protocol on a training
run and writes `eval.json` (FVD, KVD and the floor).
"""

summary = {
    name: {k: v if k.startswith("num_") else float(v) for k, v in r.items()}
    for name, r in results.items()
}
with open("evaluation.json", "w") as f:
    json.dump(summary, f, indent=1)
print("wrote evaluation.json")

"""
## Plugging in I3D for the standard FVD

The standard FVD extracts features with the Kinetics-400 I3D network: each
frame resized bilinearly to 224x224, values in `[-1, 1]`, grayscale tiled to
RGB, batches of 16 clips, 400 logits per clip. Download the model yourself
(Kaggle, `deepmind/i3d-kinetics`, formerly TF-Hub
`deepmind/i3d-kinetics-400/1`), unpack it, and point `I3DFeatures` at the
folder holding `saved_model.pb`:

```python
i3d = tfvgan.metrics.I3DFeatures("~/models/i3d-kinetics-400")
scores = tfvgan.metrics.video_distances(real_videos, fake_videos, i3d)
```

or `tfvgan-eval --run_dir=runs/cgan --i3d_path=~/models/i3d-kinetics-400`.
`I3DFeatures` does the preprocessing and calls the model's `default` (or
`serving_default`) signature.

To run the same code path offline, we build a **stand-in** SavedModel with
I3D's interface: a `default` signature taking `[batch, frames, 224, 224, 3]`
and returning 400 features (here a fixed random projection of pooled
pixels; meaningless as a quality measure, but the plumbing is identical).
"""


class StandInI3D(tf.Module):
    def __init__(self):
        super().__init__()
        rng = np.random.default_rng(0)
        self.projection = tf.constant(
            rng.normal(size=(8 * 8 * 3, 400)) / 14, tf.float32
        )

    @tf.function(input_signature=[tf.TensorSpec([None, None, 224, 224, 3], tf.float32)])
    def __call__(self, videos):
        frames = tf.reshape(videos, [-1, 224, 224, 3])
        pooled = tf.nn.avg_pool2d(frames, ksize=28, strides=28, padding="VALID")
        pooled = tf.reshape(pooled, [tf.shape(videos)[0], tf.shape(videos)[1], -1])
        return {"default": tf.tanh(tf.reduce_mean(pooled, axis=1) @ self.projection)}


stand_in = StandInI3D()
tf.saved_model.save(
    stand_in,
    "stand_in_i3d",
    signatures={"default": stand_in.__call__.get_concrete_function()},
)
i3d = tfvgan.metrics.I3DFeatures("stand_in_i3d")
n = 32 if SHORT else 256
start = time.perf_counter()
stand_in_scores = tfvgan.metrics.video_distances(
    real_a[:n], gan.generate(n, seed=7), i3d
)
print(f"stand-in I3D features: {i3d(real_a[:2]).shape}")
print(
    f"stand-in I3D FVD (trained vs real, {n} clips): {stand_in_scores['fvd']:.3f}"
    f"  in {time.perf_counter() - start:.1f} s"
)
