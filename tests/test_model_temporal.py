"""TemporalGAN (TGAN): the variant checks of `run_variant_test` (tiny preset)."""

import pytest

from tests.helpers import run_variant_test, tiny_model


def test_temporal_variant(tmp_path, capfd):
    """Shapes, a train step, config and `.keras` round trips."""
    run_variant_test(tiny_model("temporal"), tmp_path, capfd=capfd, export=False)


@pytest.mark.slow  # 3-4 s; the default run exports the conv3d variant
def test_temporal_export(tmp_path, capfd):
    run_variant_test(
        tiny_model("temporal"),
        tmp_path,
        fit=False,
        serialization=False,
        saving=False,
        capfd=capfd,
    )
