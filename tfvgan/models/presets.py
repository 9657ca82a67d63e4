"""Named constructor arguments for every variant, in one table.

`paper` presets follow the published architectures at 64x64; `quickstart`
is sized to train on a 2-core CPU in minutes; `tiny` is for tests.
"""

from __future__ import annotations

PRESETS: dict[str, dict[str, dict]] = {
    "conditional": {
        # The cGAN has no single paper; its paper preset uses VGAN's widths.
        "paper": dict(
            condition_type="label", frames=16, size=64, channels=3, latent_dim=100
        ),
        "quickstart": dict(
            condition_type="label",
            frames=8,
            size=32,
            channels=1,
            latent_dim=64,
            width=32,
            d_width=32,
        ),
        "tiny": dict(
            condition_type="label",
            frames=4,
            size=16,
            channels=1,
            latent_dim=8,
            width=8,
            d_width=8,
            embed_dim=4,
        ),
    },
    "temporal": {
        # Saito et al. 2017: 16 frames at 64x64, latent 100.
        "paper": dict(frames=16, size=64, channels=3, latent_dim=100, width=64),
        "quickstart": dict(
            frames=8, size=32, channels=1, latent_dim=64, width=32, d_width=32
        ),
        "tiny": dict(frames=4, size=16, channels=1, latent_dim=8, width=8, d_width=8),
    },
    "conv3d": {
        # Vondrick et al. 2016: 32 frames at 64x64, latent 100.
        "paper": dict(frames=32, size=64, channels=3, latent_dim=100, width=64),
        "quickstart": dict(
            frames=8, size=32, channels=1, latent_dim=64, width=32, d_width=32
        ),
        "tiny": dict(frames=4, size=16, channels=1, latent_dim=8, width=8, d_width=8),
    },
    "recurrent": {
        # Tulyakov et al. 2018: 16 frames at 64x64, content 50 + motion 10.
        "paper": dict(frames=16, size=64, channels=3, content_dim=50, motion_dim=10),
        # The README's first command: one canvas per clip, moved by up to
        # 4 pixels either way (the room a 24-pixel digit has in 32 pixels),
        # so digits move and keep their identity (docs/QUICKSTART_TUNING.md).
        "quickstart": dict(
            frames=8,
            size=32,
            channels=1,
            content_dim=32,
            motion_dim=8,
            width=32,
            d_width=32,
            translate=True,
            max_shift=0.125,
        ),
        "tiny": dict(
            frames=4,
            size=16,
            channels=1,
            content_dim=6,
            motion_dim=2,
            width=8,
            d_width=8,
        ),
    },
}


def preset_names() -> list[str]:
    return sorted({name for table in PRESETS.values() for name in table})
