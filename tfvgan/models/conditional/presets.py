"""Presets of `ConditionalGAN`: named architectures, `ConditionalGAN.from_preset`."""

from __future__ import annotations

from tfvgan.models.presets import PAPER_CLIP, Preset, presets

CGAN = "https://arxiv.org/abs/1411.1784"

#: The cGAN has no single paper; its paper preset uses VGAN's widths.
PRESETS = presets(
    paper=Preset(
        dict(PAPER_CLIP, condition_type="label", frames=16, latent_dim=100),
        "Label-conditioned cGAN at VGAN's widths: 16 frames of 64x64 RGB.",
        26_790_280,
        CGAN,
    ),
    quickstart=(
        dict(condition_type="label", latent_dim=64, width=32, d_width=32),
        "Label-conditioned, 8 frames of 32x32 grey: minutes on a CPU.",
        4_638_308,
    ),
    tiny=(
        dict(condition_type="label", latent_dim=8, width=8, d_width=8, embed_dim=4),
        204_956,
    ),
    link=CGAN,
)
