"""Step time on 1 vs N replicas at the same global batch: scaling efficiency.

On a machine with GPUs the N replicas are the local GPUs; on a CPU-only
machine the CPU is split into N logical devices (`tfvgan.distribute.split_cpu`).
Those share the same physical cores, so the CPU figure measures distribution
overhead, not a speed-up: expect efficiency well under 100 %.

    python benchmarks/scaling.py --model=temporal --preset=tiny --batch=8 --steps=10

Speed-up = t1 / tN (time per step on 1 replica over N replicas, same global
batch); scaling efficiency = speed-up / N (100 % = perfect).
"""

from __future__ import annotations

import argparse
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _step_time(strategy, args) -> float:
    import numpy as np
    import tensorflow as tf

    from tfvgan.models import build_model

    with strategy.scope():
        model = build_model(args.model, args.preset, seed=0, sync_bn=True)
        model.compile()
    rng = np.random.default_rng(0)
    videos = rng.uniform(-1, 1, (args.batch, *model.video_shape)).astype("float32")
    data = tf.data.Dataset.from_tensors(videos)
    if model.conditional:
        labels = np.zeros((args.batch,), "int32")
        data = tf.data.Dataset.from_tensors((videos, labels))
    data = data.repeat()
    # First epoch: tracing and warm-up; the second is timed.
    model.fit(data, epochs=1, steps_per_epoch=args.warmup, verbose=0, shuffle=False)
    start = time.perf_counter()
    model.fit(data, epochs=1, steps_per_epoch=args.steps, verbose=0, shuffle=False)
    return (time.perf_counter() - start) / args.steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="temporal")
    parser.add_argument("--preset", default="tiny")
    parser.add_argument("--batch", type=int, default=8, help="global batch size")
    parser.add_argument("--steps", type=int, default=10, help="timed steps")
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--replicas", type=int, default=2)
    args = parser.parse_args()

    import tensorflow as tf

    from tfvgan import distribute

    gpus = tf.config.list_physical_devices("GPU")
    if gpus:
        devices = [f"/gpu:{i}" for i in range(min(args.replicas, len(gpus)))]
        kind = "GPU"
    else:
        distribute.split_cpu(args.replicas)
        devices = [f"/cpu:{i}" for i in range(args.replicas)]
        kind = f"logical CPU ({os.cpu_count()} cores shared)"
    n = len(devices)
    if args.batch % n:
        raise SystemExit(f"--batch {args.batch} must be a multiple of {n} replicas")

    one = distribute.get_strategy("one_device", devices=devices[:1])
    many = distribute.get_strategy("mirrored", devices=devices)
    t1 = _step_time(one, args)
    tn = _step_time(many, args)
    print(
        f"model={args.model} preset={args.preset} global_batch={args.batch} "
        f"steps={args.steps} devices={kind}"
    )
    print(f"1 replica : {1000 * t1:8.1f} ms/step  {args.batch / t1:8.1f} clips/s")
    print(f"{n} replicas: {1000 * tn:8.1f} ms/step  {args.batch / tn:8.1f} clips/s")
    print(
        f"speed-up {t1 / tn:.2f}x   scaling efficiency {t1 / (n * tn):.0%} (ideal {n}x, 100%)"
    )


if __name__ == "__main__":
    main()
