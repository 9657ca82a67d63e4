"""One call that checks the accelerator path: train, time, export, reload.

For every variant (`--models`) under every strategy (`--strategies`) and
dtype policy (`--policies`) this builds the model at a preset inside the
strategy's scope, compiles it with the device defaults (XLA on a GPU/TPU
with one replica, off on a CPU and under several replicas), trains `--warmup` + `--steps` steps on random clips, times
the steps after the warm-up, checks that every loss stayed finite, exports
the generator as a SavedModel (`tfvgan.export.export_generator`, which
reloads and compares it) and calls the reloaded ``generate_from_seed``
signature. Each check prints one line: ``PASS``, ``FAIL`` (with the error)
or ``SKIP`` (with the reason); then the float16 and bfloat16 speed-ups over
float32 where both ran, and a closing count. The exit status is 1 if any
check failed.

    python benchmarks/gpu_check.py                     # on a GPU machine: paper presets
    python benchmarks/gpu_check.py --preset tiny       # a quick look anywhere

On a machine without a GPU the same script runs at the ``tiny`` preset by
default, splits the CPU into two logical devices so that ``mirrored`` runs
two replicas, and prints a ``SKIP`` line for XLA (far slower on CPU); the
test suite runs it that way. ``mixed_float16`` runs there too, for its
loss-scaling logic under two replicas (a CPU emulates float16: its times
say nothing about a GPU's). ``auto`` is the policy `tfvgan.precision` picks
for the machine (printed in the line).
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import tempfile
import time
import traceback

POLICIES = ("float32", "auto", "mixed_bfloat16", "mixed_float16")


def _clips(gan, batch: int, seed: int = 0):
    """A repeating data set of random clips (and conditions) for `gan`."""
    import numpy as np
    import tensorflow as tf

    rng = np.random.default_rng(seed)
    video = rng.uniform(-1, 1, (batch, *gan.video_shape)).astype("float32")
    spec = gan.condition_spec
    if spec is None:
        return tf.data.Dataset.from_tensors(video).repeat()
    shape = (batch, *spec.shape[1:])
    if gan.condition_type == "label":
        condition = np.arange(batch) % int(getattr(gan, "num_classes", 10))
    elif spec.dtype.is_integer:  # token ids: avoid the padding id 0
        condition = np.ones(shape)
    else:
        condition = rng.uniform(-1, 1, shape)
    condition = condition.astype(spec.dtype.as_numpy_dtype)
    return tf.data.Dataset.from_tensors((video, condition)).repeat()


def _step_timer():
    """A Keras callback recording the wall seconds of each training batch."""
    import keras

    class StepTimer(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.seconds = []

        def on_train_batch_begin(self, batch, logs=None):
            self._start = time.perf_counter()

        def on_train_batch_end(self, batch, logs=None):
            float((logs or {}).get("g_loss", 0.0))  # wait for the step
            self.seconds.append(time.perf_counter() - self._start)

    return StepTimer()


def run_check(model: str, strategy_name: str, policy: str, args) -> dict:
    """Trains, times and exports one variant; returns what it measured."""
    import keras
    import tensorflow as tf

    from tfvgan import distribute, export, models

    keras.backend.clear_session()
    strategy = distribute.get_strategy(strategy_name)
    with strategy.scope():
        with models.dtype_policy(policy):
            gan = models.build_model(model, preset=args.preset, seed=0)
        gan.compile(ema_decay=0.999)
    timer = _step_timer()
    history = gan.fit(
        _clips(gan, args.batch),
        epochs=1,
        steps_per_epoch=args.warmup + args.steps,
        callbacks=[timer],
        verbose=0,
    ).history
    bad = {k: v[-1] for k, v in history.items() if not math.isfinite(v[-1])}
    if bad:
        raise FloatingPointError(f"non-finite logs {bad}")
    seconds = statistics.median(timer.seconds[args.warmup :])
    with tempfile.TemporaryDirectory() as base:
        path = export.export_generator(gan, base)  # reloads and compares
        served = tf.saved_model.load(path)
        seeds = tf.constant([1, 2], tf.int64)
        if gan.conditional:
            _, condition = next(iter(_clips(gan, 2)))
            out = served.signatures["generate_from_seed"](
                seed=seeds, condition=condition
            )
        else:
            out = served.signatures["generate_from_seed"](seed=seeds)
        video = out["video"].numpy()
    if video.shape != (2, *gan.video_shape):
        raise ValueError(f"served video shape {video.shape}")
    return {
        "seconds": seconds,
        "jit": bool(gan.jit_compile),
        "policy": gan.generator.dtype_policy.name,
        "replicas": strategy.num_replicas_in_sync,
        "served": f"{video.dtype.name} in [{video.min()}, {video.max()}]",
    }


def _skip_reason(policy: str, gpus) -> str | None:
    if policy == "mixed_bfloat16" and gpus:
        from tfvgan import precision

        found, _ = precision.accelerators()
        old = [f"{n} ({c})" for n, c in found if not c or c < precision.BF16_GPU]
        if old:
            return f"no fast bfloat16 before compute capability 8.0: {old}"
    return None


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default="conditional,conv3d,recurrent,temporal")
    ap.add_argument("--strategies", default="one_device,mirrored")
    ap.add_argument("--policies", default="float32,auto,mixed_float16")
    ap.add_argument("--preset", default=None, help="default: paper (GPU), tiny (CPU)")
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument(
        "--cpu_replicas", type=int, default=2, help="logical CPUs without a GPU"
    )
    args = ap.parse_args(argv)
    for policy in args.policies.split(","):
        if policy not in POLICIES:
            ap.error(f"unknown policy {policy!r}; choose from {POLICIES}")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf

    from tfvgan import distribute

    gpus = tf.config.list_physical_devices("GPU")
    if not gpus and args.cpu_replicas > 1:
        distribute.split_cpu(args.cpu_replicas)
    args.preset = args.preset or ("paper" if gpus else "tiny")
    where = f"{len(gpus)} GPU(s)" if gpus else "no GPU: CPU checks only"
    print(f"gpu_check: TF {tf.__version__}, {where}, preset {args.preset}")
    if not gpus:
        print("SKIP  XLA (jit_compile=True): needs a GPU (~50x slower on CPU)")

    counts = {"PASS": 0, "FAIL": 0, "SKIP": 0}
    seconds = {}
    for model in args.models.split(","):
        for strategy in args.strategies.split(","):
            for policy in args.policies.split(","):
                name = f"{model:12s} {strategy:10s} {policy:15s}"
                reason = _skip_reason(policy, gpus)
                if reason:
                    counts["SKIP"] += 1
                    print(f"SKIP  {name} {reason}", flush=True)
                    continue
                try:
                    result = run_check(model, strategy, policy, args)
                except Exception as error:  # report and go on with the rest
                    counts["FAIL"] += 1
                    detail = str(error).strip().splitlines() or [repr(error)]
                    print(f"FAIL  {name} {type(error).__name__}: {detail[0][:300]}")
                    traceback.print_exc(limit=3, file=sys.stderr)
                    continue
                counts["PASS"] += 1
                seconds[(model, strategy, policy)] = result["seconds"]
                print(
                    f"PASS  {name} -> {result['policy']}, {result['replicas']} "
                    f"replica(s), jit={result['jit']}: "
                    f"{result['seconds']:.3f} s/step; export reloaded, "
                    f"served {result['served']}",
                    flush=True,
                )
    for (model, strategy, policy), sec in sorted(seconds.items()):
        base = seconds.get((model, strategy, "float32"))
        if policy != "float32" and base:
            print(f"speed {model} {strategy}: {policy} / float32 = {sec / base:.2f}")
    if not gpus:
        print("(no GPU: step times are the CPU's; float16 is emulated there)")
    print(
        f"gpu_check: {counts['PASS']} checks passed, {counts['FAIL']} failed, "
        f"{counts['SKIP']} skipped"
    )
    return 1 if counts["FAIL"] else 0


if __name__ == "__main__":
    sys.exit(main())
