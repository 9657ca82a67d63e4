"""Where a variant's training step spends its time, from the TF profiler.

Traces a few training steps of one variant at a preset (after warm-up) with
`tf.profiler.experimental`, then reads the host trace (XPlane) and prints the
TensorFlow ops' time, summed by op type and by the top-level network scope
(generator, discriminator, optimizer, ...). Ops running at the same time on
different inter-op threads all count, so op-seconds per step can exceed the
wall time; the first line prints their ratio ("threads busy"). With
`--inter 1` ops run one at a time and op-seconds match the wall time.

    python benchmarks/profile_step.py --model recurrent
    python benchmarks/profile_step.py --model temporal --steps 2 --top 30
    python benchmarks/profile_step.py --model temporal --dtype_policy mixed_bfloat16

Run it on a quiet machine: other load shows up as longer ops. The trace is
kept in --logdir for TensorBoard's profile plugin.
"""

from __future__ import annotations

import argparse
import collections
import glob
import os
import tempfile
import time


def _events(logdir):
    from tensorflow.tsl.profiler.protobuf import xplane_pb2

    paths = glob.glob(os.path.join(logdir, "**", "*.xplane.pb"), recursive=True)
    if not paths:
        raise SystemExit(f"no *.xplane.pb under {logdir}")
    space = xplane_pb2.XSpace()
    with open(max(paths, key=os.path.getmtime), "rb") as f:
        space.ParseFromString(f.read())
    for plane in space.planes:
        if not plane.name.startswith("/host:"):
            continue
        names = {k: v.name for k, v in plane.event_metadata.items()}
        for line in plane.lines:
            # TF executor ops are "scope/.../name:Type" events on the
            # inter/intra-op threads; skip Python and framework bookkeeping.
            for event in line.events:
                name = names.get(event.metadata_id, "")
                if ":" not in name or "::" in name or name.startswith(("$", "tf_")):
                    continue
                op, _, kind = name.rpartition(":")
                if not kind or " " in kind or not op:
                    continue
                yield op, kind, event.duration_ps / 1e12


def _scope(op, depth):
    parts = [p for p in op.split("/") if p]
    # tf.function wrappers add StatefulPartitionedCall-like prefixes.
    parts = [p for p in parts if "PartitionedCall" not in p]
    if parts and parts[0] == "gradient_tape":
        return "grad/" + "/".join(parts[1 : 1 + depth])
    return "/".join(parts[:depth])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="recurrent")
    ap.add_argument("--preset", default="paper")
    ap.add_argument("--frames", type=int, default=16)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument(
        "--inter", type=int, default=0, help="inter-op threads (0: --threads)"
    )
    ap.add_argument(
        "--dtype_policy", default="float32", choices=("float32", "mixed_bfloat16")
    )
    ap.add_argument("--depth", type=int, default=2, help="scope levels to group by")
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--logdir", default=None)
    args = ap.parse_args()

    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import numpy as np
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    tf.config.threading.set_inter_op_parallelism_threads(args.inter or args.threads)
    from tfvgan.models import build_model, dtype_policy

    with dtype_policy(args.dtype_policy):
        gan = build_model(args.model, preset=args.preset, seed=0, frames=args.frames)
    gan.compile(jit_compile=False)
    real = np.random.default_rng(0).uniform(-1, 1, (args.batch, *gan.video_shape))
    iterator = iter(tf.data.Dataset.from_tensors(real.astype("float32")).repeat())
    gan.make_train_function()
    for _ in range(args.warmup):
        float(gan.train_function(iterator)["g_loss"])

    logdir = args.logdir or tempfile.mkdtemp(prefix="tfvgan-profile-")
    tf.profiler.experimental.start(logdir)
    start = time.perf_counter()
    for _ in range(args.steps):
        float(gan.train_function(iterator)["g_loss"])
    wall = (time.perf_counter() - start) / args.steps
    tf.profiler.experimental.stop()

    by_kind = collections.Counter()
    by_scope = collections.Counter()
    by_op = collections.Counter()
    total = 0.0
    for op, kind, seconds in _events(logdir):
        seconds /= args.steps
        by_kind[kind] += seconds
        by_scope[_scope(op, args.depth)] += seconds
        by_op[f"{op}:{kind}"] += seconds
        total += seconds
    print(
        f"{args.model} {args.preset} batch {args.batch} x {gan.frames} frames: "
        f"{wall:.3f} s/step wall, {total:.3f} op-seconds/step "
        f"({total / wall:.2f} threads busy)"
    )
    for title, counter in (
        ("op type", by_kind),
        ("scope", by_scope),
        ("op", by_op),
    ):
        print(f"\n-- by {title} (seconds per step, share of op time)")
        for key, seconds in counter.most_common(args.top):
            print(f"{seconds:8.3f}  {100 * seconds / total:5.1f}%  {key}")
    print(f"\ntrace: {logdir}")


if __name__ == "__main__":
    main()
