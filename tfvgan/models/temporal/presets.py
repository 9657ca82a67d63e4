"""Presets of `TemporalGAN`: named architectures, `TemporalGAN.from_preset`."""

from __future__ import annotations

from tfvgan.models.presets import PAPER_CLIP, Preset, presets

TGAN = "https://arxiv.org/abs/1611.06624"

PRESETS = presets(
    # Saito et al. 2017: 16 frames at 64x64, latent 100.
    paper=Preset(
        dict(PAPER_CLIP, frames=16, latent_dim=100, width=64),
        "TGAN as published: 16 frames of 64x64 RGB, latent 100.",
        15_501_704,
        TGAN,
    ),
    quickstart=(
        dict(latent_dim=64, width=32, d_width=32),
        "TGAN at half width: 8 frames of 32x32 grey, minutes on a CPU.",
        1_826_562,
    ),
    tiny=(dict(latent_dim=8, width=8, d_width=8), 72_738),
    link=TGAN,
)
