"""Shared pytest set-up: quiet TensorFlow, small thread pools, the slow marker."""

import os

# Before TensorFlow is imported anywhere in the test session.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# `dtype_policy="auto"` resolves to float32 whatever the machine (AMX CPUs
# would pick bfloat16), so that test figures do not depend on the hardware;
# tests/test_mixed_precision.py checks the probe and the bfloat16 path.
os.environ.setdefault("TFVGAN_AUTO_DTYPE_POLICY", "float32")

import pytest  # noqa: E402


def pytest_addoption(parser):
    parser.addoption(
        "--run-slow",
        action="store_true",
        default=False,
        help="also run tests marked @pytest.mark.slow",
    )


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_auto_num_workers(config):
    """Workers for ``-n auto``: one per usable core, at most four.

    Each worker imports TensorFlow and builds its own models (about 1 GB),
    and TensorFlow already spreads one worker's ops over the cores, so more
    workers than cores, or many on a large machine, only add memory.
    ``PYTEST_XDIST_AUTO_NUM_WORKERS`` overrides it. (An optional hook: without
    pytest-xdist installed, pytest runs the tests in one process.)
    """
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return int(os.environ["PYTEST_XDIST_AUTO_NUM_WORKERS"])
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(4, cores))


def pytest_collection_modifyitems(config, items):
    if config.getoption("--run-slow"):
        return
    skip_slow = pytest.mark.skip(reason="slow test: run with --run-slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip_slow)


@pytest.fixture(autouse=True)
def _clear_keras_session():
    yield
    import sys

    if "keras" in sys.modules:
        sys.modules["keras"].backend.clear_session()
