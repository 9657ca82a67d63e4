"""The run presets: named training setups, one table for every entry point.

A run preset is a plain dictionary of `tfvgan.config.TrainConfig` field
values; `TrainConfig.from_preset` applies one, then your overrides. Change a
number here and the CLI, the library and the examples follow. The model's
architecture comes from the model preset of the same name
(`tfvgan.models.PRESETS`); this table holds the training side.

Example:

```python
from tfvgan.config import TrainConfig
from tfvgan.run_presets import RUN_PRESETS

RUN_PRESETS["predict"]["model_kwargs"]  # what the prediction preset trains
config = TrainConfig.from_preset("predict", epochs=2)
```
"""

from __future__ import annotations

from typing import Any

__all__ = ["DEFAULT_PRESET", "HELD_OUT_PAIRS", "RUN_PRESETS"]

#: The (digit, direction) pairs the "text" run preset leaves out of its
#: training clips: every digit once and every direction at least once, so
#: that each held-out caption combines a seen digit with a seen motion.
HELD_OUT_PAIRS = (
    (0, "up"),
    (1, "up and to the right"),
    (2, "right"),
    (3, "down and to the right"),
    (4, "down"),
    (5, "down and to the left"),
    (6, "left"),
    (7, "up and to the left"),
    (8, "down"),
    (9, "right"),
)

#: The preset a run uses when none is named (the README's first command).
DEFAULT_PRESET = "quickstart"

# The training side the quick-start and text presets share: the recurrent
# model's quickstart architecture, batch 16, 64 steps per epoch, learning
# rates decaying linearly to 0, an EMA generator.
_QUICKSTART_TRAINING: dict[str, Any] = {
    "model": "recurrent",
    "model_preset": "quickstart",
    "batch_size": 16,
    "steps_per_epoch": 64,
    "ema_decay": 0.99,
    "g_optimizer": {"decay": "linear"},
    "d_optimizer": {"decay": "linear"},
    "num_samples": 20,
}

#: Run presets: field values applied by `TrainConfig.from_preset`. A preset
#: may hold a ``"by_model"`` table of extra values for one model variant.
#: Model architecture comes from the model preset of the same name
#: (`tfvgan.models.PRESETS`); this table holds the training side.
RUN_PRESETS: dict[str, dict[str, Any]] = {
    # Seconds on a CPU: what the tests run.
    "tiny": {
        "model": "temporal",
        "model_preset": "tiny",
        "data_kwargs": {"num_videos": 16},
        "batch_size": 4,
        "epochs": 2,
        "steps_per_epoch": 2,
        "ema_decay": 0.9,
        "num_samples": 4,
    },
    # The README's first command: well under 10 minutes on a 2-core CPU
    # (MoCoGAN-style recurrent model: the matcher's pretraining and 640
    # steps took 251 s in float32 on the 2-core VM without AMX, then
    # samples and export). It scored best of the
    # variants at this budget (docs/QUICKSTART_TUNING.md); 8,192 clips keep
    # its critics from memorising the data (1,024 gave a lower digit IS);
    # 24-pixel digits (of 32) and a learning rate that decays to 0 at the
    # last step raised the digit IS from 3.3 to 5.0 (real clips: 8.5). Its
    # model preset moves one rendered canvas per clip (translate=True), so
    # digits move and keep their identity. Conditioning it on the digit
    # class (num_classes, with the matching-aware critics) made the digits
    # of most clips legible: the digit classifier is sure of 61% and 78% of
    # them (two seeds) against 39% unconditioned (round 11 of the tuning
    # notes). A caption-clip matcher pretrained on the (clip, label) pairs
    # steers the generator and gives the critics a third head (round 12):
    # the asked-for digit in 92% and 98% of clips (two seeds) against 87%
    # and 71% without, for FVD 10.8 and 9.7 against 6.3 and 8.5. The
    # sample grid shows each class twice (0-4 over 5-9).
    "quickstart": {
        **_QUICKSTART_TRAINING,
        "data_kwargs": {"num_videos": 8192, "glyph_size": 24},
        "epochs": 10,
        "by_model": {
            "recurrent": {
                "model_kwargs": {
                    "num_classes": 10,
                    "match_weight": 1.0,
                    "match_critic": True,
                }
            }
        },
    },
    # Text to video: the quick-start model reading captions instead of
    # labels ("digit 7 moves down"), trained without the (digit, direction)
    # pairs of HELD_OUT_PAIRS so that an evaluation can ask for
    # combinations the model never saw (tfvgan-eval reports both).
    "text": {
        **_QUICKSTART_TRAINING,
        "data_kwargs": {
            "num_videos": 8192,
            "glyph_size": 24,
            "exclude": [list(pair) for pair in HELD_OUT_PAIRS],
        },
        "model_kwargs": {"condition_type": "text"},
        # 1,280 steps: 3 to 8 minutes of training on a 2-core CPU (bfloat16 on
        # AMX, float32 without).
        "epochs": 20,
        # A caption-clip matcher pretrained on the pairs (its clip encoder
        # also reading how the bright pixels move) steers the generator and
        # gives the critics a third head on its features; each clip drifts
        # at a velocity read from its caption, holding an axis still when
        # that speed is low (docs/notes/text_to_video.md).
        "by_model": {
            "recurrent": {
                "model_kwargs": {
                    "text_dim": 32,
                    "match_weight": 1.0,
                    "match_critic": True,
                    "match_motion": True,
                    "drift": True,
                    "drift_threshold": 1.0,
                }
            }
        },
    },
    # Video prediction: the cGAN continues the first two frames of each clip
    # (condition_type "frames"), each frame made from the two before it by
    # a moving kernel; an L1 term against the real continuation dominates
    # the adversarial one, as in SAVP (docs/notes/frame_conditioned.md).
    "predict": {
        **_QUICKSTART_TRAINING,
        "model": "conditional",
        "data_kwargs": {"num_videos": 8192},
        "model_kwargs": {
            "condition_type": "frames",
            "context_frames": 2,
            "recon_weight": 100.0,
        },
        "epochs": 10,
    },
    # In-betweening: the cGAN fills in the frames between the first and the
    # last one (condition_type "keyframes"), moving both along the motion
    # between them; the L1 term leads, as for prediction. 2,560 steps at a
    # generator step size of 1e-3, about 3 minutes: SSIM and FVD gained
    # most over 640 steps at 2e-4 (docs/notes/frame_conditioned.md).
    "inbetween": {
        **_QUICKSTART_TRAINING,
        "model": "conditional",
        "data_kwargs": {"num_videos": 8192},
        "model_kwargs": {
            "condition_type": "keyframes",
            "recon_weight": 100.0,
        },
        "g_optimizer": {"decay": "linear", "learning_rate": 1e-3},
        "epochs": 40,
    },
    # Inpainting: the cGAN fills in a box hidden in every frame of the clip
    # (condition_type "masked"; half the frame a side, placed per clip) with
    # a 3D-conv U-Net over the whole clip plus content carried between
    # frames along the measured motion. As for super-resolution, a
    # squared-error term weighed 1000 : 1 against the adversarial one (at
    # L1 x 100 the critic won and the fills lost to the blur fill on PSNR);
    # 1,280 steps, about 8.5 minutes (docs/notes/frame_conditioned.md).
    "inpaint": {
        **_QUICKSTART_TRAINING,
        "model": "conditional",
        "data_kwargs": {"num_videos": 8192},
        "model_kwargs": {
            "condition_type": "masked",
            "recon_weight": 1000.0,
            "recon_loss": "l2",
        },
        "epochs": 20,
    },
    # Video super-resolution: the cGAN makes the clip from its 4x
    # area-downscaled copy (condition_type "video"): bicubic upsampling
    # plus a learned residual; a squared-error term (what PSNR measures)
    # weighed 1000 : 1 against the adversarial one (at 100 : 1 the critic
    # won and the clips fell below bicubic on PSNR).
    "superres": {
        **_QUICKSTART_TRAINING,
        "model": "conditional",
        "data_kwargs": {"num_videos": 8192},
        "model_kwargs": {
            "condition_type": "video",
            "recon_weight": 1000.0,
            "recon_loss": "l2",
        },
        "epochs": 10,
    },
    # The published set-ups (architecture from the model's "paper" preset).
    "paper": {
        "model": "temporal",
        "model_preset": "paper",
        "data_kwargs": {"num_videos": 10000},
        "batch_size": 64,
        "epochs": 100,
        "ema_decay": 0.999,
        "num_samples": 16,
        "sample_every_epochs": 5,
        "by_model": {
            # TGAN trains a Wasserstein critic; WGAN-GP replaces its
            # singular value clipping, with layer norm in the critic (the
            # WGAN-GP paper's: batch norm would mix the clips whose
            # gradients the penalty takes one by one).
            "temporal": {
                "loss": "wasserstein",
                "gp_weight": 10.0,
                "model_kwargs": {"critic_norm": "layer"},
                "d_steps": 5,
                "g_optimizer": {"learning_rate": 1e-4, "beta_1": 0.0, "beta_2": 0.9},
                "d_optimizer": {"learning_rate": 1e-4, "beta_1": 0.0, "beta_2": 0.9},
            },
            # DVD-GAN: hinge loss, two D steps per G step.
            "conditional": {
                "loss": "hinge",
                "d_steps": 2,
                "g_optimizer": {"learning_rate": 5e-5, "beta_1": 0.0, "beta_2": 0.999},
                "d_optimizer": {"learning_rate": 2e-4, "beta_1": 0.0, "beta_2": 0.999},
            },
            # VGAN and MoCoGAN: the DCGAN recipe, Adam(2e-4, 0.5).
            "conv3d": {"loss": "non_saturating"},
            "recurrent": {"loss": "non_saturating"},
        },
    },
}
