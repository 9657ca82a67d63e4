"""
Title: Four ways to generate video: conditional, temporal, 3D-conv and recurrent GANs
Description: The article's four families of video GAN trained side by side on the same moving digits: what each models, its size, its measured step time and its samples.
Accelerator: GPU recommended for the full run; short mode (TFVGAN_SHORT=1) runs on a 2-core CPU in ~20 s
"""

"""
## The four families

The article behind tfvgan sorts video GANs into four families. tfvgan has one
model per family, all subclasses of the same `VideoGAN` (one `train_step`,
one `compile`, one `generate`); they differ only in how the generator turns
noise into a clip and in which critics judge it:

| name | class | generator | critic |
|---|---|---|---|
| `conditional` | `ConditionalGAN` | `G(z, c)`: noise plus a condition (here a digit label) through a two-stream 3D-conv generator | `D(x, c)`: the clip with the condition tiled onto it |
| `temporal` | `TemporalGAN` (TGAN) | one latent -> 1D transposed convs in time -> one latent per frame -> a 2D image generator renders each frame | a 3D-conv video critic |
| `conv3d` | `Conv3DGAN` (VGAN) | 3D transposed convs produce a moving foreground and a mask, 2D ones a static background: `m * fg + (1 - m) * bg` | a 3D-conv video critic |
| `recurrent` | `RecurrentGAN` (MoCoGAN) | a GRU turns per-frame innovations into motion codes; one content code per clip; a 2D generator renders each frame | two critics: one on a random single frame, one on the clip |

This tutorial trains all four on the **same** data with the **same** loss
and optimizers, and compares their parameter counts, the measured time of a
training step, and their samples.

**Run time.** With `TFVGAN_SHORT=1` (what the test suite sets) every model is
the `tiny` preset (4 frames of 16x16) trained for 4 steps; the whole
notebook took 19 s on the shared 2-core CPU test machine (up to 40 s
while other jobs loaded it heavily), and the samples are noise. Without it, every model is the `quickstart` preset (8 frames of
32x32x1) trained for 5 epochs of 64 steps: the notebook took 5 min 34 s
on the 2-core CPU (`TFVGAN_SHORT=0 python examples/02_four_variants.py`;
165-224 ms per step); its time on a Colab GPU was not measured. 320 steps
are a short comparison, not a converged result. The step times printed below are
measured on whatever machine runs the notebook.
"""

"""
## Setup
"""

import os
import time

import keras
import numpy as np

import tfvgan

SHORT = os.environ.get("TFVGAN_SHORT", "0") == "1"
PRESET = "tiny" if SHORT else "quickstart"
EPOCHS, STEPS = (1, 4) if SHORT else (5, 64)
BATCH = 8 if SHORT else 16

"""
## One data set for all four

Moving digits with their label. The `conditional` model uses the label; the
three unconditional models ignore it (a condition given to an unconditional
model is dropped), so one pipeline feeds every model. The clip shape follows
the preset: we read it from the model table `tfvgan.models.PRESETS`.
"""

shape = tfvgan.models.PRESETS["temporal"][PRESET]
dataset = tfvgan.data.moving_digits(
    num_videos=64 if SHORT else 2048,
    frames=shape["frames"],
    size=shape["size"],
    channels=shape["channels"],
    condition="label",
    batch_size=BATCH,
    repeat=True,
)
videos, labels = next(iter(dataset))
print("batch:", videos.shape, "labels:", labels.numpy()[:8])

"""
## Timing steps with a callback

Side effects belong in callbacks, not in `train_step`. `StepTimer` records
the wall-clock time at the end of every batch. The first step includes
tracing the `tf.function` (and, on a GPU, XLA compilation), so the step time
we report is the median of the later steps. Reading one loss value with
`float(...)` makes sure the step has really finished before the clock is
read (GPU work runs asynchronously).
"""


class StepTimer(keras.callbacks.Callback):
    def on_train_begin(self, logs=None):
        self.ends = [time.perf_counter()]

    def on_train_batch_end(self, batch, logs=None):
        float(logs["d_loss"])
        self.ends.append(time.perf_counter())

    def first_step(self):
        return self.ends[1] - self.ends[0]

    def median_step(self):
        return float(np.median(np.diff(self.ends[1:])))


def trainable(network):
    return sum(int(np.prod(w.shape)) for w in network.trainable_weights)


"""
## Build, train and time each variant

`build_model(name, preset)` builds a variant from the preset table. Every
model gets the same `compile`: non-saturating loss, Adam(2e-4, beta_1=0.5)
for both players (the defaults), and an EMA copy of the generator for
sampling. `fit` runs the shared adversarial loop.
"""

results = {}
for name in tfvgan.models.MODELS:
    keras.utils.set_random_seed(0)
    gan = tfvgan.models.build_model(name, preset=PRESET, seed=0)
    gan.compile(ema_decay=0.9 if SHORT else 0.99)
    heads = len(gan.discriminate(videos, labels if gan.conditional else None))
    timer = StepTimer()
    history = gan.fit(
        dataset,
        epochs=EPOCHS,
        steps_per_epoch=STEPS,
        callbacks=[timer],
        verbose=0,
    )
    condition = np.arange(4, dtype="int32") if gan.conditional else None
    results[name] = dict(
        cls=type(gan).__name__,
        latent=gan.latent_dim,
        g=trainable(gan.generator),
        d=trainable(gan.discriminator),
        heads=heads,
        first=timer.first_step(),
        step=timer.median_step(),
        d_loss=history.history["d_loss"][-1],
        g_loss=history.history["g_loss"][-1],
        samples=gan.generate(4, condition=condition, seed=0),
    )
    print(f"{name}: trained {EPOCHS * STEPS} steps")

"""
## Side by side

- **latent**: the size of the noise vector the generator takes. MoCoGAN's is
  `content_dim + motion_dim * (frames + 1)`: a content code, the GRU's initial
  state and one motion innovation per frame, flattened into one vector so
  that every variant exports the same `noise` signature.
- **G / D params**: trainable weights (`count_params()` would add batch-norm
  moving statistics).
- **heads**: how many critics score each clip.
- **first step**: includes tracing; **step**: the median of the other steps,
  at the batch size set above (8 in short mode, 16 otherwise), on the
  machine running this notebook.
"""

header = (
    f"{'name':<12}{'class':<16}{'latent':>7}{'G params':>11}{'D params':>11}"
    f"{'heads':>6}{'first step':>12}{'step':>10}{'d_loss':>8}{'g_loss':>8}"
)
print(header)
print("-" * len(header))
for name, r in results.items():
    print(
        f"{name:<12}{r['cls']:<16}{r['latent']:>7}{r['g']:>11,}{r['d']:>11,}"
        f"{r['heads']:>6}{r['first']:>10.2f} s{r['step'] * 1000:>7.0f} ms"
        f"{r['d_loss']:>8.3f}{r['g_loss']:>8.3f}"
    )

"""
What to read into these numbers:

- Step times depend on the machine, the preset and the load. At the
  `quickstart` preset (8 frames of 32x32x1, batch 16) on the shared 2-core
  CPU machine this was written on, one measurement (median of 5 steps) gave
  0.22 s for `temporal`, 0.31 s for `conv3d`, 0.41 s for `conditional` and
  0.42 s for `recurrent`; a second run under heavier load from other jobs
  gave a different order, so treat CPU numbers as rough. At the `tiny` preset
  of short mode every step takes a few tens of milliseconds and the ranking
  is noise. Compare variants on your own accelerator with this notebook.
- Where the work goes: TGAN and MoCoGAN render each frame with 2D
  convolutions; VGAN's generator convolves in 3D (a kernel also spans time),
  which gives it about 3x TGAN's generator weights at the `quickstart`
  preset (3.8M vs 1.2M); the cGAN uses the VGAN generator plus a condition
  encoder, and its critic sees the condition too; MoCoGAN also
  runs a GRU and a second (frame) critic, one more forward and backward pass
  per step.
- Loss values after a few hundred steps say little about sample quality;
  look at the samples, and use a metric such as FVD
  (`tfvgan.metrics.FrechetVideoDistance`) for a number.
"""

"""
## Samples

Four clips per model, one row per model, in the order of the table (the
conditional row shows the digits 0, 1, 2, 3). The same seeds are used for
every model.
"""

rows = np.concatenate([r["samples"] for r in results.values()], axis=0)
print("rows:", ", ".join(results), "| grid of", rows.shape)
tfvgan.video_io.show(rows, path="four_variants.gif", cols=4)
print("wrote four_variants.gif")

"""
## Choosing a variant

- Need control over *what* is generated (a class, a caption, a first frame,
  a low-resolution clip)? `ConditionalGAN` (tutorials 3 and 4).
- Smooth motion from one latent and cheap per-frame rendering: `TemporalGAN`.
- A static camera with a moving foreground: `Conv3DGAN`.
- Separate control of *what* moves (content) and *how* (motion), e.g. the
  same digit with different trajectories: `RecurrentGAN`;
  `autoregressive=True` gives the article's frame-from-previous-frame RNN GAN.
"""
