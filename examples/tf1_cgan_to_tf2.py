"""
Title: The article's TF1 conditional GAN, modernized for TF2 / Keras 3
Description: The founding article's cGAN snippet rebuilt on tfvgan's VideoGAN, construct by construct.
Accelerator: None (CPU is enough; ~1 minute here in short mode)
"""

"""
## What the article wrote

The article on GANs for video generation shows a conditional GAN in
TensorFlow 1:

```python
z = tf.placeholder(tf.float32, [None, 100])
c = tf.placeholder(tf.float32, [None, 10])
with tf.variable_scope("generator"):
    h = tf.layers.dense(tf.concat([z, c], 1), 256, tf.nn.relu)
    h = tf.layers.dense(h, 512, tf.nn.relu)
    h = tf.layers.dense(h, 1024, tf.nn.relu)
    x = tf.reshape(tf.layers.dense(h, 64 * 64 * 3, tf.nn.tanh), [-1, 64, 64, 3])
with tf.variable_scope("discriminator"):
    h = tf.concat([x, c], 3)   # (N, 64, 64, 3) with (N, 10): fails
    h = tf.layers.conv2d(h, 64, 5, 2, activation=tf.nn.leaky_relu)
    ...
```

Each TF1 construct has a TF2 / Keras 3 replacement:

| TF1 | TF2 / Keras 3 |
|---|---|
| `tf.placeholder` + `sess.run(feed_dict=...)` | `keras.Input` / eager tensors; `tf.data` feeds `model.fit` |
| `tf.variable_scope` + `reuse=True` | a Keras `Model` object owns its variables; call it twice |
| `tf.layers.dense` / `conv2d` | `keras.layers.Dense` / `Conv2D` |
| hand-written `train_op`s + `tf.Session` loop | `VideoGAN.train_step`, run by `model.fit` |
| `tf.train.Saver` | `model.save("x.keras")`, `tf.train.Checkpoint` |

And one bug: the discriminator concatenates a `(N, 10)` condition onto
`(N, 64, 64, 3)` images along the channel axis, which cannot work: ranks and
shapes differ. The condition has to be **tiled** to `(N, 64, 64, 10)` first
(`tfvgan.layers.TileToVideo` does this per frame).
"""

"""
## Setup
"""

import os

import keras
import numpy as np

import tfvgan

SHORT = os.environ.get("TFVGAN_SHORT", "0") == "1"
NUM_CLASSES, LATENT = 10, 100

"""
## The article's generator, as a Keras model

The condition `c[10]` is a one-hot class vector; here the model takes the
integer label and one-hot encodes it inside the graph, so data sets and
serving clients pass plain class ids. A single 64x64x3 frame is a one-frame
video `(1, 64, 64, 3)` in tfvgan's tensor contract.
"""


def article_generator():
    z = keras.Input((LATENT,), name="z")
    label = keras.Input((), dtype="int32", name="label")
    c = keras.layers.CategoryEncoding(NUM_CLASSES, output_mode="one_hot")(label)
    h = keras.layers.Concatenate()([z, c])
    for units in (256, 512, 1024):
        h = keras.layers.Dense(units, activation="relu")(h)
    x = keras.layers.Dense(64 * 64 * 3, activation="tanh")(h)
    return keras.Model([z, label], keras.layers.Reshape((1, 64, 64, 3))(x), name="g")


"""
## The article's discriminator, with the tiling fix

Three 5x5 stride-2 convolutions (64, 128, 256) with leaky ReLU and a dense
logit, on the frame concatenated with the condition tiled over every pixel.
"""


def article_discriminator():
    video = keras.Input((1, 64, 64, 3), name="video")
    label = keras.Input((), dtype="int32", name="label")
    c = keras.layers.CategoryEncoding(NUM_CLASSES, output_mode="one_hot")(label)
    tiled = tfvgan.layers.TileToVideo(frames=None, size=64)(c)  # (N, 64, 64, 10)
    frame = keras.layers.Reshape((64, 64, 3))(video)
    h = keras.layers.Concatenate(axis=-1)([frame, tiled])  # (N, 64, 64, 13)
    for filters in (64, 128, 256):
        h = keras.layers.Conv2D(filters, 5, 2, padding="same")(h)
        h = keras.layers.LeakyReLU(0.2)(h)
    logit = keras.layers.Dense(1)(keras.layers.Flatten()(h))
    return keras.Model([video, label], logit, name="d")


"""
## One shared adversarial loop

`VideoGAN` replaces the TF1 session loop: `compile` takes both optimizers and
the loss (`"minimax"` is the article's `log D(x, y) + log(1 - D(G(z, c), c))`;
its generator side saturates, so tfvgan's default is `"non_saturating"`),
and `fit` alternates a discriminator and a generator update per batch.
"""

keras.utils.set_random_seed(0)
gan = tfvgan.models.VideoGAN(
    generator=article_generator(),
    discriminator=article_discriminator(),
    latent_dim=LATENT,
    frames=1,
    size=64,
    channels=3,
    condition_type="label",
    seed=0,
)
gan.compile(loss="minimax")
print("generator parameters:", gan.generator.count_params())
print("discriminator parameters:", gan.discriminator.count_params())

"""
## Train on the built-in synthetic digits

`moving_digits` works offline: one-frame clips of a digit with its label.
Short mode (used by the test suite) runs a handful of steps; use
`num_videos=4096, epochs=20` to see digits appear.
"""

dataset = tfvgan.data.moving_digits(
    num_videos=32 if SHORT else 2048,
    frames=1,
    size=64,
    channels=3,
    condition="label",
    batch_size=8 if SHORT else 32,
)
history = gan.fit(dataset, epochs=1 if SHORT else 10, verbose=2)
assert all(np.isfinite(v[-1]) for v in history.history.values())

"""
## Generate digits on demand
"""

videos = gan.generate(condition=np.arange(10, dtype="int32"), seed=0)
print("generated:", videos.shape, float(videos.min()), float(videos.max()))
tfvgan.video_io.write_video("tf1_cgan_samples.gif", tfvgan.video_io.video_grid(videos))
print("wrote tf1_cgan_samples.gif")
