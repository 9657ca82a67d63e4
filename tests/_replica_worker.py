"""Replica-equivalence runs for `tests/test_distribute.py`; not a test itself.

    python tests/_replica_worker.py OUT_JSON FAMILY [FAMILY ...]

Splits the CPU into 2 logical devices (before TensorFlow initialises), then
for each model family trains the same model from the same weights, data and
seed twice: on one device, and under `MirroredStrategy` on the 2 logical
CPUs, at the same global batch. Writes, per family, the largest weight
difference of each network and the logs of both runs to OUT_JSON.
"""

from __future__ import annotations

import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from tfvgan import distribute  # noqa: E402

distribute.split_cpu(2)

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from tfvgan.models import build_model  # noqa: E402

GLOBAL_BATCH = 4
STEPS = 2


def _data(model):
    rng = np.random.default_rng(0)
    n = GLOBAL_BATCH * STEPS
    videos = rng.uniform(-1, 1, (n, *model.video_shape)).astype("float32")
    if model.conditional:
        labels = (np.arange(n) % 10).astype("int32")
        return tf.data.Dataset.from_tensor_slices((videos, labels)).batch(GLOBAL_BATCH)
    return tf.data.Dataset.from_tensor_slices(videos).batch(GLOBAL_BATCH)


def _train(family, strategy, weights, sync_bn=True, **compile_kwargs):
    with strategy.scope():
        model = build_model(family, "tiny", seed=0, sync_bn=sync_bn)
        # Plain SGD: unlike Adam, its update is proportional to the gradient,
        # so a wrong loss scale across replicas would show.
        model.compile(
            d_optimizer=keras.optimizers.SGD(0.1),
            g_optimizer=keras.optimizers.SGD(0.1),
            ema_decay=0.9,
            **compile_kwargs,
        )
    if weights is None:
        weights = model.get_weights()
    else:
        model.set_weights(weights)
    history = model.fit(_data(model), epochs=1, verbose=0, shuffle=False)
    logs = {k: float(v[-1]) for k, v in history.history.items()}
    return model, weights, logs


def _max_diff(a, b):
    return max(float(np.max(np.abs(x - y))) for x, y in zip(a, b))


def compare(family, sync_bn=True, **compile_kwargs):
    mirrored = distribute.get_strategy("mirrored")
    assert mirrored.num_replicas_in_sync == 2, mirrored.num_replicas_in_sync
    # Same initial weights in every run: the comparison follows one
    # reproducible trajectory instead of a new random one each time.
    keras.utils.set_random_seed(0)
    single, init, single_logs = _train(
        family, tf.distribute.get_strategy(), None, sync_bn, **compile_kwargs
    )
    multi, _, multi_logs = _train(family, mirrored, init, sync_bn, **compile_kwargs)
    nets = {
        "discriminator": (single.discriminator, multi.discriminator),
        "generator": (single.generator, multi.generator),
        "ema_generator": (single.ema_generator, multi.ema_generator),
    }
    return {
        "diff": {
            name: _max_diff(a.get_weights(), b.get_weights())
            for name, (a, b) in nets.items()
        },
        # How far training moved the weights: the comparison is meaningful.
        "moved": _max_diff(single.get_weights(), init),
        "single_logs": single_logs,
        "multi_logs": multi_logs,
        "replicas": mirrored.num_replicas_in_sync,
    }


def jit_default():
    """The default `jit_compile` as on a GPU machine, with and without 2 replicas.

    `has_accelerator` is faked (XLA itself is never run on one device here:
    ~50x slower on CPU); under `MirroredStrategy` the default must be off,
    and `fit` must then run.
    """
    distribute.has_accelerator = lambda: True
    with tf.distribute.get_strategy().scope():
        single = build_model("temporal", "tiny", seed=0)
        single.compile()
    mirrored = distribute.get_strategy("mirrored")
    with mirrored.scope():
        multi = build_model("temporal", "tiny", seed=0)
        multi.compile()
    history = multi.fit(_data(multi), epochs=1, verbose=0)
    return {
        "single_jit": bool(single.jit_compile),
        "mirrored_jit": bool(multi.jit_compile),
        "mirrored_logs": {k: float(v[-1]) for k, v in history.history.items()},
    }


if __name__ == "__main__":
    out, *families = sys.argv[1:]
    results = {}
    for family in families:
        if family == "jit-default":
            results[family] = jit_default()
        elif family == "temporal-r1-gp":
            # Both penalties in one run (one trace instead of two): a wrong
            # replica scale of either one changes D's update.
            results[family] = compare("temporal", r1_weight=0.1, gp_weight=1.0)
        else:
            results[family] = compare(family)
        print(family, json.dumps(results[family]), flush=True)
    with open(out, "w") as f:
        json.dump(results, f)
