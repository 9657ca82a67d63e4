"""Presets of `RecurrentGAN`: named architectures, `RecurrentGAN.from_preset`."""

from __future__ import annotations

from tfvgan.models.presets import PAPER_CLIP, Preset, presets

MOCOGAN = "https://arxiv.org/abs/1707.04993"

PRESETS = presets(
    # Tulyakov et al. 2018: 16 frames at 64x64, content 50 + motion 10.
    paper=Preset(
        dict(PAPER_CLIP, frames=16, content_dim=50, motion_dim=10),
        "MoCoGAN as published: 16 frames of 64x64 RGB, content 50 + motion 10.",
        14_974_489,
        MOCOGAN,
    ),
    # The README's first command: one canvas per clip, moved by up to
    # 4 pixels either way (the room a 24-pixel digit has in 32 pixels),
    # so digits move and keep their identity (docs/QUICKSTART_TUNING.md).
    quickstart=(
        dict(
            content_dim=32,
            motion_dim=8,
            width=32,
            d_width=32,
            translate=True,
            max_shift=0.125,
        ),
        "MoCoGAN that moves one rendered canvas per clip: 8 frames of 32x32 "
        "grey (the quick-start run).",
        1_190_661,
    ),
    tiny=(dict(content_dim=6, motion_dim=2, width=8, d_width=8), 47_095),
    link=MOCOGAN,
)
