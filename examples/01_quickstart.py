"""
Title: Quick start: train a video GAN, watch it learn, export it for serving
Description: Trains tfvgan's quick-start recurrent (MoCoGAN-style) GAN on built-in moving digits with the library's runner, plots its losses, then reloads the exported SavedModel and generates from it.
Accelerator: GPU recommended for the full run; short mode (TFVGAN_SHORT=1) runs on a 2-core CPU in ~25 s
"""

"""
## What this tutorial does

`tfvgan-train` with no flags runs the **quick-start** job: a small recurrent
GAN (MoCoGAN, Tulyakov et al. 2018: a GRU for motion over a fixed content
code; here the content is rendered once per clip and the GRU's codes move
it) learns 8-frame, 32x32 grayscale clips of handwritten digits moving
across a black canvas, conditioned on the digit: you ask for a 3 and get a
moving 3. This notebook runs the same
job from Python, step by step:

1. look at the training data (`tfvgan.data.moving_digits`, generated offline);
2. describe the run with a frozen `TrainConfig` and train it with
   `tfvgan.train.run`, the function behind `tfvgan-train`;
3. watch the sample GIFs the run writes after every epoch;
4. plot the loss curves from the returned Keras `History`;
5. reload the exported SavedModel with plain `tf.saved_model.load` (no
   tfvgan, no Keras needed) and generate clips through its signatures, as
   TF Serving would.

**Run time.** With `TFVGAN_SHORT=1` (what the test suite sets) the run is cut
to 3 epochs of 2 steps on 64 clips; the notebook took 22-23 s of wall
time, kernel start included, on the 2-core CPU machine this project is tested
on (up to 50 s while other jobs loaded it heavily).
The samples are then noise: that mode only shows the mechanics. Without it
the notebook trains the quick-start preset unchanged (10 epochs of 64 steps
of 16 clips = 640 steps). The README reports that job's training at 251 s
on a 2-core CPU VM without AMX, where the generator draws the digit asked
for legibly in most clips (the digit classifier is sure of 82% of them and
names the asked-for digit in 92%; real clips: 83% sure). Before the
label-clip matcher joined the preset, this whole notebook at those settings
(`TFVGAN_SHORT=0 python examples/01_quickstart.py`) took 2 min 36 s on an
AMX machine, 151 s of it in `run`. Its time on a Colab GPU was not measured. Longer runs
of the unconditional model did not give more legible digits in
`docs/QUICKSTART_TUNING.md`; raise `epochs` below to try this one.
"""

"""
## Setup
"""

import glob
import os
import shutil
import time

import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

import tfvgan
from tfvgan.config import TrainConfig
from tfvgan.train import run

SHORT = os.environ.get("TFVGAN_SHORT", "0") == "1"

"""
## The data: moving digits, generated on the fly

`moving_digits` draws scikit-learn's bundled 8x8 digit scans, upscaled, moving
at constant speed and bouncing off the walls (a Moving-MNIST look-alike that
needs no download). `moving_digits_arrays` returns the raw NumPy arrays:
uint8 clips `(batch, frames, height, width, channels)`, the digit labels and
an English caption per clip. The training pipeline (`moving_digits`) yields
the same clips as float32 in `[-1, 1]`, the tensor contract of the library.
"""

videos, labels, captions = tfvgan.data.moving_digits_arrays(8, frames=8, size=32)
print("clips:", videos.shape, videos.dtype)
for caption in captions[:4]:
    print(" ", caption)
tfvgan.video_io.show(videos, path="quickstart_data.gif")

"""
## Describe the run

`TrainConfig.from_preset("quickstart")` fills in everything `tfvgan-train`
uses by default: the model (`recurrent`, at the `quickstart` architecture
preset: 8 frames of 32x32x1, content code 32, motion code 8, conditioned on
the 10 digit classes: `model_kwargs={"num_classes": 10, ...}`, with a
label-clip matcher pretrained on the training pairs that steers the
generator and adds a critic head), the data (8,192
moving-digit clips with 24-pixel digits, paired with their labels because
the model is label-conditional), the loss (non-saturating), the Adam
settings (both learning rates decay linearly to 0 at the last step), the
schedule and an EMA
copy of the generator (decay 0.99) that samples and the export use. Keyword
arguments override single fields; the config is frozen and validated on
creation, so a typo fails before TensorFlow does any work.

The run directory receives everything: `config.json`, checkpoints (the whole
training state, so rerunning `run` in the same folder *resumes*), sample
GIFs, TensorBoard logs and the exported SavedModel. We delete it first so
that every execution of this notebook trains from scratch.
"""

run_dir = "runs/quickstart"
shutil.rmtree(run_dir, ignore_errors=True)
overrides = {}
if SHORT:
    overrides = dict(
        epochs=3,
        steps_per_epoch=2,
        data_kwargs={"num_videos": 64},
        model_kwargs={"match_steps": 10},  # the matcher's pretraining, cut too
    )
config = TrainConfig.from_preset("quickstart", run_dir=run_dir, **overrides)
print(
    f"model={config.model} ({config.model_preset}), loss={config.loss}, "
    f"batch={config.batch_size}, epochs={config.epochs}, "
    f"steps/epoch={config.steps_per_epoch}, ema={config.ema_decay}"
)

"""
## Train

`run` builds the distribution strategy, the model and its optimizers, the
`tf.data` pipeline, and calls `model.fit` with tfvgan's callbacks: a NaN guard,
checkpointing, a one-line-per-epoch logger, TensorBoard and a sample writer.
Every training step updates the discriminator on a real and a generated
batch, then the generator to fool it (`VideoGAN.train_step`). At the end it
exports the generator. It returns the Keras `History` of the epochs it ran.
"""

start = time.perf_counter()
history = run(config)
train_seconds = time.perf_counter() - start
steps = config.epochs * config.steps_per_epoch
print(f"trained {steps} steps in {train_seconds:.1f} s (export included)")

"""
## Watch the samples

After every epoch the sample writer renders the *same* fixed noise and
labels (0-9, twice) through the EMA generator, so the files show one set of
clips evolving. Here are the
first and the last epoch. (In a notebook `tfvgan.video_io.show` displays the
GIF inline; in a script it does nothing.)
"""

samples = sorted(glob.glob(os.path.join(run_dir, "samples", "*.gif")))
print("sample files:", [os.path.basename(p) for p in samples])
tfvgan.video_io.show(samples[0])
tfvgan.video_io.show(samples[-1])

"""
## Plot the losses

`history.history` holds one value per epoch for each metric the model
tracks: `d_loss` and `g_loss` (the two players' losses) and `d_real` /
`d_fake`, the discriminator's mean probability that real and generated clips
are real (raw critic scores for the `hinge` and `wasserstein` losses). A healthy GAN does not drive either loss to zero: if `d_fake` sits
at 0 and `g_loss` keeps rising, the discriminator has won and the generator
gets no useful gradient. The same curves are in TensorBoard
(`tensorboard --logdir runs/`).
"""

logs = history.history
epochs = np.arange(1, len(logs["d_loss"]) + 1)
fig, (ax_loss, ax_prob) = plt.subplots(1, 2, figsize=(10, 3.5))
ax_loss.plot(epochs, logs["d_loss"], "o-", label="discriminator")
ax_loss.plot(epochs, logs["g_loss"], "o-", label="generator")
ax_loss.set(xlabel="epoch", ylabel="loss", title="Adversarial losses")
ax_loss.legend()
ax_prob.plot(epochs, logs["d_real"], "o-", label="D(real)")
ax_prob.plot(epochs, logs["d_fake"], "o-", label="D(fake)")
ax_prob.set(xlabel="epoch", ylabel="mean probability", ylim=(0, 1))
ax_prob.set_title("Discriminator outputs")
ax_prob.legend()
fig.tight_layout()
fig.savefig("quickstart_losses.png", dpi=100)
print("wrote quickstart_losses.png")
plt.show()

"""
## Reload the exported SavedModel

The run exported the (EMA) generator to `<run_dir>/export/<step>/`, the
versioned layout TF Serving watches. The export is verified against the
in-memory generator before it is moved into place. A model you train
yourself with `fit` is exported the same way with
`tfvgan.export.export_generator(gan, "models/digits")`.

The SavedModel loads with plain TensorFlow. It carries three signatures,
each also taking the digit to draw as an int32 `condition` (one class id in
`[0, 10)` per clip; an id out of range is refused in-graph):

- `serving_default`: `noise` (float32 `[batch, latent_dim]`; 32 + 8 x 9 =
  104 for this model: content code, GRU state, one motion innovation per
  frame) and `condition` -> uint8 `video`;
- `generate_from_seed`: int64 `seed` per clip and `condition` -> uint8
  `video`, so a client needs no noise of its own and a seed always gives the
  same clip;
- `generate_float`: `noise` and `condition` -> float32 `video` in `[-1, 1]`.
"""

versions = tfvgan.export.list_versions(os.path.join(run_dir, "export"))
export_path = os.path.join(run_dir, "export", str(versions[-1]))
print("exported versions:", versions)
served = tf.saved_model.load(export_path)
print("signatures:", sorted(served.signatures.keys()))
print(served.signatures["serving_default"].structured_input_signature[1])

"""
## Generate through the serving signatures

We call `serving_default` with our own noise and `generate_from_seed` with
seeds, asking for the digits 0-7. Both return uint8 clips `(batch, frames,
height, width, channels)`, ready to write to a file or send over the
network.
"""

latent_dim = (
    served.signatures["serving_default"]
    .structured_input_signature[1]["noise"]
    .shape[-1]
)
noise = tf.random.normal((4, latent_dim), seed=1)
digits = tf.constant([0, 1, 2, 3], tf.int32)
video = served.signatures["serving_default"](noise=noise, condition=digits)["video"]
print("reloaded serving_default output:", tuple(video.shape), video.dtype.name)

seeds = tf.constant([0, 1, 2, 3, 4, 5, 6, 7], tf.int64)
digits = tf.range(8, dtype=tf.int32)
from_seed = served.signatures["generate_from_seed"]
clips = from_seed(seed=seeds, condition=digits)["video"].numpy()
again = from_seed(seed=seeds, condition=digits)["video"].numpy()
print("generate_from_seed output:", clips.shape, clips.dtype)
print("same seeds give the same clips:", bool(np.array_equal(clips, again)))
tfvgan.video_io.show(clips, path="quickstart_generated.gif")
print("wrote quickstart_generated.gif")

"""
## Where to go next

- Train longer: `tfvgan-train --preset=quickstart --epochs=40
  --run_dir=runs/quickstart40` (a new run directory). This preset's learning
  rate decays linearly to 0 at the run's last step, so a finished run cannot
  be stretched in place: rerunning in the same directory with other epochs
  is refused rather than jumping the rate back up. Without a decay
  (`lr_decay="none"`), a rerun with more epochs in the same directory
  resumes from the last checkpoint (only the settings in
  `tfvgan.config.RESUMABLE_CHANGES`, such as the epochs, intervals, export
  and strategy, may change on resume).
- Try another variant: `model="temporal"` or `"conv3d"` (see the next
  tutorial, which compares all four).
- Serve the export: point TF Serving's `--model_base_path` at
  `runs/quickstart/export`.
"""
