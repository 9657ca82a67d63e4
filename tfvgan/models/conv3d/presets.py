"""Presets of `Conv3DGAN`: named architectures, `Conv3DGAN.from_preset`."""

from __future__ import annotations

from tfvgan.models.presets import PAPER_CLIP, Preset, presets

VGAN = "https://arxiv.org/abs/1609.02612"

PRESETS = presets(
    # Vondrick et al. 2016: 32 frames at 64x64, latent 100.
    paper=Preset(
        dict(PAPER_CLIP, frames=32, latent_dim=100, width=64),
        "VGAN as published: two streams, 32 frames of 64x64 RGB.",
        27_289_672,
        VGAN,
    ),
    quickstart=(
        dict(latent_dim=64, width=32, d_width=32),
        "VGAN at half width: 8 frames of 32x32 grey, minutes on a CPU.",
        4_474_148,
    ),
    tiny=(dict(latent_dim=8, width=8, d_width=8), 194_636),
    link=VGAN,
)
