"""Seconds per GAN training step of each tfvgan variant, next to the references.

For each variant at its `paper` preset (batch 8, 64x64 RGB) this prints the
median seconds per full training step (D step on real + fake, then G step),
videos/s, parameter counts, an analytic FLOP count per step and the achieved
GFLOP/s. With `--peer DIR` (default: ../shared/peer-bench when present) it also
runs the plain-Keras reference of the same architecture (`tf_ref.py`) and, if
PyTorch is installed, the PyTorch one (`torch_ref.py`), alternating with
tfvgan in every round, and prints time ratios measured in the same run.

    python benchmarks/train_step.py                      # all three, 2 rounds
    python benchmarks/train_step.py --models temporal --rounds 1 --steps 3
    python benchmarks/train_step.py --dtype_policy mixed_bfloat16
    python benchmarks/train_step.py --baseline ../main-before   # before/after

With ``--baseline DIR`` every round also times tfvgan from another checkout
(e.g. ``git worktree add ../main-before HEAD~3``) under the same dtype policy,
and the table adds the ratio this tree / baseline.

With ``--dtype_policy mixed_bfloat16`` tfvgan computes in bfloat16 (float32
weights); every round then also times tfvgan in float32 and the PyTorch
reference under bfloat16 autocast (`torch_autocast_ref.py`), and the table
adds the bfloat16/float32 ratio and the ratio to that PyTorch run. The plain
Keras and PyTorch columns stay the float32 references.

Each measurement runs in a fresh subprocess (like the references), with
TF_ENABLE_ONEDNN_OPTS=1 and jit_compile=False, the CPU defaults tfvgan picks.

FLOP convention (the peer-bench one): one multiply-add = 2 FLOPs; only
convolutions, transposed convolutions, dense layers and GRU matmuls count;
a training step costs 4 F_G + 8 F_D where F is one forward pass of a batch.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
PEER_ARCH = {"conv3d": "vgan", "temporal": "tgan", "recurrent": "mocogan"}


# --------------------------------------------------------------- one run
def _count_forward_flops(model, batch):
    """Forward FLOPs of G and D for one batch, from the layers' shapes."""
    import keras
    import numpy as np

    counts = {"g": 0, "d": 0}
    current = ["g"]
    originals = {}

    def wrap(cls, rule):
        original = cls.call
        originals[cls] = original

        def call(self, inputs, *args, **kwargs):
            out = original(self, inputs, *args, **kwargs)
            counts[current[0]] += rule(self, inputs, out)
            return out

        cls.call = call

    def conv(layer, x, y):
        k = np.prod(layer.kernel.shape)  # prod(kernel) * C_in * C_out
        return 2 * int(np.prod(y.shape[1:-1])) * int(k) * int(y.shape[0])

    def conv_t(layer, x, y):
        k = np.prod(layer.kernel.shape)
        return 2 * int(np.prod(x.shape[1:-1])) * int(k) * int(x.shape[0])

    def dense(layer, x, y):
        return 2 * int(np.prod(x.shape[:-1])) * int(np.prod(layer.kernel.shape))

    def gru(layer, x, y):
        units = layer.units
        steps, feat = x.shape[1], x.shape[2]
        return 2 * int(x.shape[0]) * steps * 3 * units * (feat + units)

    for cls in (keras.layers.Conv2D, keras.layers.Conv3D):
        wrap(cls, conv)
    from tfvgan.layers import conv_transpose

    def keras_conv_t(layer, x, y):
        # tfvgan's PatchGrad layers are counted once, by their own call.
        patch_grad = isinstance(layer, conv_transpose._PatchGradMixin)
        return 0 if patch_grad else conv_t(layer, x, y)

    for cls in (
        keras.layers.Conv1DTranspose,
        keras.layers.Conv2DTranspose,
        keras.layers.Conv3DTranspose,
    ):
        wrap(cls, keras_conv_t)
    wrap(conv_transpose._PatchGradMixin, conv_t)
    wrap(keras.layers.Dense, dense)
    wrap(keras.layers.GRU, gru)

    # VGAN's foreground and mask heads run as one convolution that bypasses
    # the two layers' `call`: count both heads from the fused call.
    from tfvgan.models import networks

    fused = networks.VideoGenerator3D._foreground_and_mask

    def heads(self, h):
        out = fused(self, h)
        counts[current[0]] += conv_t(self.fg, h, None) + conv_t(self.mask, h, None)
        return out

    networks.VideoGenerator3D._foreground_and_mask = heads
    try:
        noise, video, condition = model._dummy_inputs(batch)
        fake = model.call_generator(noise, condition)
        current[0] = "d"
        model.discriminate(fake, condition)
    finally:
        for cls, original in originals.items():
            cls.call = original
        networks.VideoGenerator3D._foreground_and_mask = fused
    return counts["g"], counts["d"]


def run_tfvgan(args) -> dict:
    os.environ["TF_ENABLE_ONEDNN_OPTS"] = "1"
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    tf.config.threading.set_inter_op_parallelism_threads(args.threads)
    import numpy as np

    from tfvgan.models import build_model, dtype_policy

    kwargs = {"frames": args.frames} if args.frames else {}
    with dtype_policy(args.dtype_policy):
        gan = build_model(args.model, preset=args.preset, seed=0, **kwargs)
    gan.compile(jit_compile=False, ema_decay=args.ema)
    f_g, f_d = _count_forward_flops(gan, args.batch)
    real = np.random.default_rng(0).uniform(-1, 1, (args.batch, *gan.video_shape))
    data = tf.data.Dataset.from_tensors(real.astype("float32")).repeat()
    if gan.conditional:
        raise SystemExit("benchmark the unconditional variants")
    iterator = iter(data)
    gan.make_train_function()
    train = gan.train_function
    times = []
    for i in range(args.warmup + args.steps):
        start = time.perf_counter()
        logs = train(iterator)
        float(logs["g_loss"])  # wait for the step to finish
        if i >= args.warmup:
            times.append(time.perf_counter() - start)
    flops = 4 * f_g + 8 * f_d
    median = statistics.median(times)
    return {
        "impl": "tfvgan",
        "model": args.model,
        "dtype_policy": args.dtype_policy,
        "frames": gan.frames,
        "sec_per_step": median,
        "min": min(times),
        "max": max(times),
        "videos_per_s": args.batch / median,
        "g_params": gan.generator.count_params(),
        "d_params": gan.discriminator.count_params(),
        "gflop_per_step": flops / 1e9,
        "gflops": flops / 1e9 / median,
    }


# ----------------------------------------------------------- orchestrate
def _seconds(result: dict) -> float:
    """Median seconds per step of a tfvgan or a reference result."""
    return result.get("sec_per_step", result.get("sec_per_step_median"))


def _subprocess_json(cmd, cwd, env=None) -> dict | None:
    proc = subprocess.run(
        cmd, cwd=cwd, capture_output=True, text=True, timeout=1800, env=env
    )
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    print(f"  ! {' '.join(cmd[:3])} failed:\n{proc.stderr[-1500:]}", file=sys.stderr)
    return None


def _has_torch() -> bool:
    return (
        subprocess.run(
            [sys.executable, "-c", "import torch"], capture_output=True
        ).returncode
        == 0
    )


def _peak_gflops(args) -> float | None:
    """This machine's FP32 matmul GFLOP/s (TF, n=4096, median), from peer-bench."""
    cmd = [
        sys.executable,
        "peak_flops.py",
        "--lib",
        "tf",
        "--threads",
        str(args.threads),
    ]
    proc = subprocess.run(
        [*cmd, "--sizes", "4096"], cwd=args.peer, capture_output=True, text=True
    )
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith("{"):
            return float(json.loads(line)["gflops_median"])
    print(f"  ! peak_flops.py failed:\n{proc.stderr[-1500:]}", file=sys.stderr)
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default="conv3d,temporal,recurrent")
    ap.add_argument("--preset", default="paper")
    ap.add_argument("--frames", type=int, default=16, help="0 = the preset's")
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--ema", type=float, default=None, help="EMA decay (off: None)")
    ap.add_argument(
        "--dtype_policy", default="float32", choices=("float32", "mixed_bfloat16")
    )
    default_peer = ROOT.parent / "shared" / "peer-bench"
    ap.add_argument(
        "--peer", default=str(default_peer) if default_peer.exists() else ""
    )
    ap.add_argument(
        "--baseline",
        default="",
        help="another tfvgan checkout to time in every round (same policy)",
    )
    ap.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--model", help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.one:
        print(json.dumps(run_tfvgan(args)))
        return

    torch = bool(args.peer) and _has_torch()
    bf16 = args.dtype_policy == "mixed_bfloat16"
    peak = _peak_gflops(args) if args.peer else None
    rows = []
    for model in args.models.split(","):
        per_round = []
        for _ in range(args.rounds):
            cmd = [sys.executable, __file__, "--one", "--model", model]
            for flag in ("preset", "frames", "batch", "steps", "warmup", "threads"):
                cmd += [f"--{flag}", str(getattr(args, flag))]
            if args.ema:
                cmd += ["--ema", str(args.ema)]
            result = {
                "tfvgan": _subprocess_json(
                    cmd + ["--dtype_policy", args.dtype_policy], ROOT
                )
            }
            if bf16:
                result["tfvgan_f32"] = _subprocess_json(cmd, ROOT)
            if args.baseline:
                # The same measurement from another checkout (e.g. a git
                # worktree of main): a before/after comparison in one run.
                other = pathlib.Path(args.baseline).resolve()
                env = {**os.environ, "PYTHONPATH": str(other)}
                result["baseline"] = _subprocess_json(
                    [sys.executable, str(other / "benchmarks" / "train_step.py"),
                     *cmd[2:], "--dtype_policy", args.dtype_policy],
                    other, env,
                )  # fmt: skip
            if args.peer and model in PEER_ARCH:
                ref = [
                    "--arch", PEER_ARCH[model], "--batch", str(args.batch),
                    "--frames", str(args.frames or 16), "--steps", str(args.steps),
                    "--warmup", str(args.warmup), "--threads", str(args.threads),
                ]  # fmt: skip
                result["keras_ref"] = _subprocess_json(
                    [sys.executable, "tf_ref.py", *ref], args.peer
                )
                if torch:
                    result["torch_ref"] = _subprocess_json(
                        [sys.executable, "torch_ref.py", *ref], args.peer
                    )
                if torch and bf16:
                    autocast = str(ROOT / "benchmarks" / "torch_autocast_ref.py")
                    result["torch_bf16"] = _subprocess_json(
                        [sys.executable, autocast, *ref], args.peer
                    )
            per_round.append(result)
        rows.append((model, per_round))

    print(
        f"\nbatch {args.batch}, {args.frames or 'preset'} frames, preset {args.preset},"
        f" {args.threads} threads, {args.steps} timed steps x {args.rounds} rounds,"
        f" tfvgan dtype policy {args.dtype_policy}"
    )
    extra = (
        " bfloat16 / float32 (tfvgan) | tfvgan float32 / PyTorch |"
        " tfvgan / PyTorch bf16 autocast |"
    )
    if args.baseline:
        extra_base = " this tree / baseline |"
    else:
        extra_base = ""
    print(
        "| model | frames | sec/step (median) | videos/s | G / D params | GFLOP/step |"
        " GFLOP/s | % of FP32 peak | tfvgan / plain Keras | tfvgan / PyTorch |"
        " ref GFLOP/step |" + (extra if bf16 else "") + extra_base
    )
    print(
        "|---|---|---|---|---|---|---|---|---|---|---|"
        + ("---|---|---|" if bf16 else "")
        + ("---|" if args.baseline else "")
    )
    for model, per_round in rows:
        ours = [r["tfvgan"] for r in per_round if r.get("tfvgan")]
        if not ours:
            continue
        sec = statistics.median(o["sec_per_step"] for o in ours)

        def ratio(key, ours="tfvgan", per_round=per_round):
            vals = [
                _seconds(r[ours]) / _seconds(r[key])
                for r in per_round
                if r.get(ours) and r.get(key)
            ]
            return ", ".join(f"{v:.2f}" for v in vals) or "-"

        o = ours[0]
        share = f"{100 * o['gflop_per_step'] / sec / peak:.0f}%" if peak else "-"
        refs = [r["keras_ref"] for r in per_round if r.get("keras_ref")]
        ref_flops = f"{refs[0]['flops_per_step_est'] / 1e9:.1f}" if refs else "-"
        print(
            f"| {model} | {o['frames']} | {sec:.3f} | {args.batch / sec:.2f} |"
            f" {o['g_params']:,} / {o['d_params']:,} | {o['gflop_per_step']:.1f} |"
            f" {o['gflop_per_step'] / sec:.1f} |"
            f" {share} |"
            f" {ratio('keras_ref')} |"
            f" {ratio('torch_ref')} | {ref_flops} |"
            + (
                f" {ratio('tfvgan_f32')} | {ratio('torch_ref', 'tfvgan_f32')} |"
                f" {ratio('torch_bf16')} |"
                if bf16
                else ""
            )
            + (f" {ratio('baseline')} |" if args.baseline else "")
        )
    print(
        "\nratios are per round (same round = same machine state); < 1 = tfvgan faster"
    )
    if peak:
        print(f"measured FP32 matmul peak (TF, n=4096, median): {peak:.1f} GFLOP/s")


if __name__ == "__main__":
    main()
