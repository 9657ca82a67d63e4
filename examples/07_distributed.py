"""
Title: Distributed training with tf.distribute
Description: MirroredStrategy on several devices, global versus per-replica batch size, the same model.fit, and multi-worker training with TF_CONFIG.
Accelerator: None needed (the tutorial splits the CPU into 2 logical devices); on a multi-GPU machine the same code mirrors over the GPUs. Short mode: 28-43 s measured in the test suite on a shared 2-core CPU
"""

"""
## What this tutorial does

`tf.distribute` runs one training step on several devices at once. With
**data parallelism** (what `MirroredStrategy` does) every device, a
*replica*, holds a full copy of the model and gets a slice of the batch; the
gradients of all replicas are summed and every copy applies the same update,
so the copies stay identical.

tfvgan's `VideoGAN` is written to be correct under a strategy without the
caller doing anything special: build the model inside `strategy.scope()`,
feed batches of the **global** batch size, call `model.fit`. This tutorial
shows that on a CPU-only machine, by splitting the CPU into 2 logical
devices (`tfvgan.distribute.split_cpu(2)`): this checks the set-up, it does
not make training faster (both replicas share the same cores). Then it
explains multi-machine training with `TF_CONFIG`.

Timing: short mode (`TFVGAN_SHORT=1`) took 28 s to 43 s in the test suite
on a 2-core CPU shared with other jobs, the largest part tracing the
training step for two replicas (about 12 s). That is without launching the
two worker processes at the end: that cell took 20 s to 60 s on its own on
the same machine, depending on what else was running. The full settings
(10 epochs, mirrored over the two logical CPUs) took 14 min 38 s on the same
CPU (`TFVGAN_SHORT=0 python examples/07_distributed.py`), 855 s of it the
mirrored `fit`; on GPUs the replicas run in parallel, which was not
measured.
"""

"""
## Setup: two logical CPU devices

`split_cpu` must run before TensorFlow initialises its devices, that is,
before the first TensorFlow op, so it comes first. On a machine with GPUs we
leave them alone and mirror over the GPUs instead.
"""

import json
import os
import socket
import subprocess
import sys
import time

import numpy as np
import tensorflow as tf

import tfvgan

SHORT = os.environ.get("TFVGAN_SHORT", "0") == "1"
# Launching two real worker processes took 20-60 s on a 2-core CPU: skipped
# in short mode unless asked for.
LAUNCH_WORKERS = os.environ.get("TFVGAN_LAUNCH_WORKERS", "0" if SHORT else "1") == "1"

if not tf.config.list_physical_devices("GPU"):
    tfvgan.distribute.split_cpu(2)
print("logical devices:", [d.name for d in tf.config.list_logical_devices()])

"""
## MirroredStrategy

`get_strategy("mirrored")` mirrors over all local GPUs, or, on a machine
without GPUs, over the logical CPUs `split_cpu` made. (For CPU replicas
tfvgan reduces gradients on one device instead of TensorFlow's collective
ops, which misbehave when a process creates a second strategy.)
"""

strategy = tfvgan.distribute.get_strategy("mirrored")
replicas = strategy.num_replicas_in_sync
print("replicas in sync:", replicas)

"""
## Global and per-replica batch size

In tfvgan (as in Keras) `batch_size` is **global**: the number of clips per
step summed over all replicas. Each replica sees
`global_batch // num_replicas` clips. To keep what each device sees constant
when you add devices, scale the global batch with the replica count; the
learning rate of an Adam-trained GAN is best raised by at most `sqrt(N)`,
with a short warm-up (linear scaling often destabilises GANs).
"""

PER_REPLICA = 2 if SHORT else 16
GLOBAL_BATCH = PER_REPLICA * replicas
print("global batch:", GLOBAL_BATCH)
print(
    "per-replica batch:",
    tfvgan.distribute.per_replica_batch_size(GLOBAL_BATCH, strategy),
)
if replicas > 1:
    try:  # an uneven split would weight some clips more than others
        tfvgan.distribute.per_replica_batch_size(GLOBAL_BATCH + 1, strategy)
    except ValueError as err:
        print("rejected:", err)

"""
`strategy.experimental_distribute_dataset` is what `fit` does behind the
scenes: each global batch is cut into one slice per replica.
"""

preset = "tiny" if SHORT else "quickstart"
shape = tfvgan.models.PRESETS["temporal"][preset]  # the preset's clip shape
frames, size, channels = shape["frames"], shape["size"], shape["channels"]
EPOCHS = 1 if SHORT else 10


def make_dataset():
    """The training data (global batches).

    The clips come out of the generator in random order already; short mode
    also keeps that order fixed across epochs (`shuffle=False`) so the check
    below can replay exactly the same batches.
    """
    return tfvgan.data.moving_digits(
        num_videos=2 * GLOBAL_BATCH if SHORT else 4096,
        frames=frames,
        size=size,
        channels=channels,
        batch_size=GLOBAL_BATCH,
        shuffle=not SHORT,
        seed=0,
    )


dataset = make_dataset()
first = next(iter(strategy.experimental_distribute_dataset(dataset)))
print(
    "per-replica slices:",
    [tuple(x.shape) for x in strategy.experimental_local_results(first)],
)

"""
## The same `model.fit`, under the strategy's scope

Everything that creates variables (the model, its EMA copy, the optimizers
made by `compile`) goes under `strategy.scope()`, so the variables become
*mirrored*: one copy per replica, kept in sync. `sync_bn=True` makes
batch-norm layers average their statistics over the global batch rather
than each replica's slice. Inside, `VideoGAN` scales each replica's loss by
`1 / num_replicas` (the replicas' gradients are summed, so this gives the
gradient of the global mean) and draws each replica's latents as its slice
of one global draw.
"""

with strategy.scope():
    gan = tfvgan.models.build_model("temporal", preset=preset, sync_bn=True, seed=0)
    gan.compile(ema_decay=0.9 if SHORT else 0.99)
print(
    "a generator variable:", type(gan.generator.trainable_variables[0].value).__name__
)
initial_weights = gan.get_weights()  # kept for the check below
start = time.perf_counter()
history = gan.fit(dataset, epochs=EPOCHS, verbose=2)
print(
    f"mirrored fit: {len(history.epoch)} epoch(s) in {time.perf_counter() - start:.1f} s"
)
assert all(np.isfinite(v[-1]) for v in history.history.values())

"""
## Check: 2 replicas did what 1 device would have done

The promise behind "use the global batch size": the replicas together do
what one device would do with the whole batch. We check it by replaying the
run on the default (single-device) strategy: the same model, the same
starting weights, the same batches in the same order. The weights must
agree up to floating-point summation order, on average over all weights.
(Adam divides out the scale of the gradients, so this check would not
catch a loss scaled wrongly across replicas; tfvgan's test suite repeats
it with plain SGD, where it would.)
The replay doubles the training time, so only short mode runs it.
"""

if SHORT:
    single = tfvgan.models.build_model("temporal", preset=preset, sync_bn=True, seed=0)
    single.compile(ema_decay=0.9)
    single.set_weights(initial_weights)
    single.fit(make_dataset(), epochs=EPOCHS, verbose=0)
    flat = lambda pairs: np.concatenate([np.abs(a - b).ravel() for a, b in pairs])  # noqa: E731
    moved = flat(zip(initial_weights, single.get_weights()))
    diff = flat(zip(gan.get_weights(), single.get_weights()))
    print(f"training moved the weights by {moved.mean():.1e} on average")
    print(f"{replicas} replicas vs 1 device: {diff.mean():.1e} on average")
    print(f"largest single-weight move {moved.max():.1e}, difference {diff.max():.1e}")
    # Adam moves a weight by about the learning rate whatever its gradient's
    # size, so a weight whose tiny gradient flips sign under another summation
    # order can differ by ~lr after a step: compare averages, not the largest.
    assert diff.mean() < 1e-3 * moved.mean()
else:
    print("replay check skipped (short mode runs it)")

"""
## Several machines: `TF_CONFIG`

Multi-machine training uses TensorFlow's own `MultiWorkerMirroredStrategy`.
Every machine (a *worker*) runs **the same program**; each learns its place
in the cluster from the `TF_CONFIG` environment variable, a JSON object
with the addresses of all workers (`cluster`) and its own role (`task`).
The two workers' `TF_CONFIG`s differ only in `task.index`. Kubernetes /
Kubeflow training operators (`TFJob`) and Vertex AI set it for you.
"""

cluster = {"worker": ["host1:12345", "host2:12345"]}
tf_configs = [
    json.dumps({"cluster": cluster, "task": {"type": "worker", "index": i}})
    for i in range(2)
]
for i, text in enumerate(tf_configs):
    spec = tfvgan.distribute.parse_tf_config(text)
    print(f"host{i + 1}: TF_CONFIG='{text}'")
    print(
        f"    -> task {spec['task']['type']} {spec['task']['index']} of {len(spec['cluster']['worker'])} workers"
    )

"""
`get_strategy("multi_worker")` runs `parse_tf_config` before TensorFlow
sees the spec, so a typo fails at once, with a message naming the problem,
rather than somewhere inside TensorFlow's cluster set-up:
"""

bad = {"cluster": cluster, "task": {"type": "worker", "index": 2}}
try:
    tfvgan.distribute.parse_tf_config(json.dumps(bad))
except ValueError as err:
    print("rejected:", err)

"""
On each machine you then run the same command:

```bash
export TF_CONFIG='...'   # this machine's line from above
tfvgan-train --strategy=multi_worker --batch_size=64 --run_dir=/shared/runs/mw
```

`batch_size` is global over all workers' replicas (2 machines with 4 GPUs
each: 8 replicas, 8 clips each). Worker 0 (or a `chief` task, when the
cluster has one) is the only one that keeps checkpoints, samples, logs and
exports; the others take part in every save (the variables are synchronised
by collectives) but write to temporary folders.

## Two workers on this machine

Both workers can also run on one machine, on two local ports: the cheapest
way to test a multi-worker set-up before renting machines. Each process gets
its own `TF_CONFIG` and its own run folder (as if on separate disks), and
trains the `tiny` preset for 2 steps with the training CLI, on the CPU.
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


if LAUNCH_WORKERS:
    addresses = [f"127.0.0.1:{free_port()}" for _ in range(2)]
    procs, start = [], time.perf_counter()
    for i in range(2):
        config = {
            "cluster": {"worker": addresses},
            "task": {"type": "worker", "index": i},
        }
        env = {
            **os.environ,
            "TF_CONFIG": json.dumps(config),
            "TF_CPP_MIN_LOG_LEVEL": "3",
            # Both workers share this machine: keep them off a GPU, which
            # each TensorFlow process would otherwise try to claim whole.
            "CUDA_VISIBLE_DEVICES": "-1",
        }
        command = [
            sys.executable,
            "-m",
            "tfvgan.cli.train",
            "--preset=tiny",
            "--epochs=1",
        ]
        command += ["--strategy=multi_worker", f"--run_dir=multi_worker/worker{i}"]
        procs.append(
            subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)
        )
    outputs = [p.communicate(timeout=600)[0] for p in procs]
    print(
        f"workers exited with {[p.returncode for p in procs]} after {time.perf_counter() - start:.0f} s"
    )
    for line in outputs[0].splitlines():
        if line.startswith(("epoch", "tfvgan: training")):
            print("worker0:", line)
    for i in range(2):
        print(f"worker{i} wrote:", sorted(os.listdir(f"multi_worker/worker{i}")))
else:
    print("skipped launching two workers (set TFVGAN_LAUNCH_WORKERS=1 to run them)")

"""
## What was and was not tested

On the 2-core machine this was written on (CPU only): the mirrored `fit`
and the 1-vs-2-replica check above, and, in the test suite, two
`MultiWorkerMirroredStrategy` workers on 127.0.0.1 ending with identical
weights. Not tested: real GPUs with NCCL, separate machines, TPUs
(`--strategy=tpu`). Speed-ups need real devices: the two logical CPUs here
share the same cores.
"""
