"""`benchmarks/gpu_check.py` in its CPU mode: what a GPU session will run."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.path.join(ROOT, "benchmarks", "gpu_check.py")


def _run(*args):
    env = {**os.environ, "PYTHONPATH": ROOT, "CUDA_VISIBLE_DEVICES": ""}
    return subprocess.run(
        [sys.executable, SCRIPT, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )


@pytest.mark.slow  # ~40 s: six trainings and exports
def test_cpu_mode_trains_exports_and_skips_the_gpu_only_checks():
    proc = _run("--models", "temporal", "--batch", "4", "--steps", "1", "--warmup", "1")
    out = proc.stdout
    assert proc.returncode == 0, out + proc.stderr[-3000:]
    assert "no GPU: CPU checks only, preset tiny" in out
    assert re.search(r"^SKIP  XLA .*needs a GPU", out, re.M)
    for strategy, replicas in (("one_device", 1), ("mirrored", 2)):
        # mixed_float16: the loss-scaling logic under two replicas.
        for policy in ("float32", "auto", "mixed_float16"):
            line = re.search(
                rf"^PASS  temporal +{strategy} +{policy} +-> (\S+), "
                rf"{replicas} replica\(s\), jit=False: [\d.]+ s/step; "
                r"export reloaded, served uint8 in \[\d+, \d+\]",
                out,
                re.M,
            )
            assert line, (strategy, policy, out)
            expected = "mixed_float16" if policy == "mixed_float16" else "float32"
            assert line.group(1) == expected  # auto: pinned by conftest
    assert re.search(r"^speed temporal mirrored: mixed_float16 / float32 = ", out, re.M)
    assert "gpu_check: 6 checks passed, 0 failed, 0 skipped" in out


def test_a_failing_check_is_reported_and_sets_the_exit_status():
    proc = _run(
        "--models", "nosuchmodel", "--strategies", "one_device",
        "--policies", "float32",
    )  # fmt: skip
    assert proc.returncode == 1
    assert re.search(
        r"^FAIL  nosuchmodel +one_device +float32 +\w+Error", proc.stdout, re.M
    )
    assert "0 checks passed, 1 failed, 0 skipped" in proc.stdout
    assert _run("--policies", "float64").returncode == 2  # argparse: a clear error
