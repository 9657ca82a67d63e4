"""The dtype policy a run trains under, chosen from the hardware for ``"auto"``.

`TrainConfig.dtype_policy` (and ``tfvgan-train --dtype_policy``) defaults to
``"auto"``: the runner resolves it once, when a run starts, logs the reason
and writes the resolved policy into the run's ``config.json`` (a resumed run
keeps it, on any machine). The rule (docs/notes/speed.md#bfloat16; docs/MIXED_PRECISION.md):

- a TPU, or GPUs that are all Ampere or newer (compute capability >= 8.0):
  ``mixed_bfloat16``, their native fast path (not measured by this project);
- a CPU with AMX (``amx_bf16`` in ``/proc/cpuinfo``): ``mixed_bfloat16``,
  measured at 0.40-0.48x the float32 step time on the paper presets;
- anything else: ``float32``. Older GPUs (T4, V100) have no fast bfloat16
  (their fast path is ``mixed_float16``, asked for explicitly); CPUs with
  AVX512-BF16 but no AMX were measured 1.3-1.7x faster on one machine and
  1.45-1.74x slower on another; CPUs without either emulate bfloat16.

The environment variable ``TFVGAN_AUTO_DTYPE_POLICY`` (a policy name)
replaces the probe: the test suite sets it to ``float32`` so that its
numbers do not depend on the machine it runs on.
"""

from __future__ import annotations

import os

AUTO = "auto"
#: Environment variable that, when set, is what ``"auto"`` resolves to.
ENV_OVERRIDE = "TFVGAN_AUTO_DTYPE_POLICY"
#: Policies ``"auto"`` may resolve to (and the override may name).
CHOICES = ("float32", "mixed_bfloat16", "mixed_float16")
#: The first GPU compute capability with fast bfloat16 (Ampere).
BF16_GPU = (8, 0)


def cpu_flags(path: str = "/proc/cpuinfo") -> frozenset[str]:
    """The CPU's feature flags (Linux ``/proc/cpuinfo``); empty if unknown."""
    try:
        with open(path) as f:
            for line in f:
                if line.startswith("flags"):
                    return frozenset(line.partition(":")[2].split())
    except OSError:
        pass
    return frozenset()


def accelerators() -> tuple[list[tuple[str, tuple[int, int] | None]], bool]:
    """``([(gpu name, compute capability or None), ...], has_tpu)``.

    Reads physical devices only, so TensorFlow's runtime is not initialized
    (a strategy created afterwards may still configure devices); a remote
    TPU, visible only once connected, is not seen: the runner passes
    ``tpu=True`` for ``strategy="tpu"``.
    """
    import tensorflow as tf

    gpus = []
    for device in tf.config.list_physical_devices("GPU"):
        details = tf.config.experimental.get_device_details(device)
        capability = details.get("compute_capability")
        gpus.append((details.get("device_name", device.name), capability))
    return gpus, bool(tf.config.list_physical_devices("TPU"))


def choose_dtype_policy(
    flags: frozenset[str] | None = None,
    gpus: list[tuple[str, tuple[int, int] | None]] | None = None,
    tpu: bool | None = None,
) -> tuple[str, str]:
    """The policy ``"auto"`` stands for on this machine, and why.

    Args:
        flags: CPU feature flags; default `cpu_flags()`.
        gpus: ``(name, compute capability)`` per GPU; default the visible ones.
        tpu: whether a TPU is initialized; default: probed.

    Returns:
        ``(policy name, reason)``.
    """
    override = os.environ.get(ENV_OVERRIDE)
    if override:
        if override not in CHOICES:
            raise ValueError(f"{ENV_OVERRIDE}={override!r}: expected one of {CHOICES}.")
        return override, f"set by the environment variable {ENV_OVERRIDE}"
    if gpus is None or tpu is None:
        probed_gpus, probed_tpu = accelerators()
        gpus = probed_gpus if gpus is None else gpus
        tpu = probed_tpu if tpu is None else tpu
    if tpu:
        return "mixed_bfloat16", "TPU: bfloat16 is its native fast path"
    if gpus:
        names = ", ".join(f"{n} (compute capability {c})" for n, c in gpus)
        if all(c is not None and tuple(c) >= BF16_GPU for _, c in gpus):
            return "mixed_bfloat16", f"GPU {names}: Ampere or newer, fast bfloat16"
        return "float32", (
            f"GPU {names}: no fast bfloat16 before Ampere (compute capability "
            "8.0); pass dtype_policy='mixed_float16' for its float16 path"
        )
    flags = cpu_flags() if flags is None else flags
    if "amx_bf16" in flags:
        return "mixed_bfloat16", (
            "CPU with AMX (amx_bf16): bfloat16 measured 0.40-0.48x the float32 "
            "training step"
        )
    if "avx512_bf16" in flags:
        return "float32", (
            "CPU with AVX512-BF16 but no AMX: bfloat16 measured faster on one "
            "such CPU and slower on another"
        )
    return "float32", "CPU without bfloat16 units"


def resolve_dtype_policy(name: str | None, **probe) -> tuple[str | None, str]:
    """``(policy, reason)``: `name` itself, or the machine's choice for ``"auto"``.

    `probe` is passed to `choose_dtype_policy` (e.g. ``tpu=True``).
    """
    if name == AUTO:
        return choose_dtype_policy(**probe)
    return name, "asked for"


__all__ = [
    "AUTO",
    "BF16_GPU",
    "CHOICES",
    "ENV_OVERRIDE",
    "accelerators",
    "choose_dtype_policy",
    "cpu_flags",
    "resolve_dtype_policy",
]
