"""Typed, frozen configuration of a training run, and the run presets.

A `TrainConfig` says everything `tfvgan.train.run` needs: which model (and
its preset and keyword arguments), which data source, the adversarial loss,
both optimizers, the schedule (batch size, epochs, steps per epoch), the
distribution strategy, the run directory, the seed, and how often to write
checkpoints and samples. It is validated when it is created, without
importing TensorFlow, so a bad name or value fails in milliseconds.

Run presets (`RUN_PRESETS`) are plain dictionaries of field values, one per
name, in one table: change a number there and every entry point (CLI,
library, examples) follows. `TrainConfig.from_preset` applies a preset, then
your overrides.

Example:

```python
from tfvgan.config import TrainConfig

config = TrainConfig.from_preset("tiny", model="conv3d", run_dir="/tmp/run")
config.to_json()  # the resolved config written into the run directory
```
"""

from __future__ import annotations

import dataclasses
import json
import math
import types
import typing
from collections.abc import Mapping
from typing import Any

from tfvgan import precision
from tfvgan.distribute import STRATEGIES
from tfvgan.validation import (
    check_bool,
    check_choice,
    check_ema_decay,
    check_float,
    check_int,
)

__all__ = [
    "AUGMENTATIONS",
    "DATASETS",
    "DEFAULT_PRESET",
    "LOSS_NAMES",
    "LR_DECAYS",
    "MODEL_NAMES",
    "HELD_OUT_PAIRS",
    "MODEL_PRESETS",
    "NAN_POLICIES",
    "RESUMABLE_CHANGES",
    "RUN_PRESETS",
    "SAMPLE_FORMATS",
    "STRATEGIES",
    "OptimizerConfig",
    "TrainConfig",
]

# Static copies of the registries in the (TensorFlow-importing) modules, so
# names are checked before anything heavy is imported. tests/test_train.py
# checks that they stay equal to `tfvgan.models.MODELS`, `tfvgan.losses.LOSSES`...
#: Model variants `tfvgan.models.build_model` knows.
MODEL_NAMES = ("conditional", "temporal", "conv3d", "recurrent")
#: Model presets every variant defines.
MODEL_PRESETS = ("tiny", "quickstart", "paper")
#: Adversarial losses in `tfvgan.losses.LOSSES`.
LOSS_NAMES = ("minimax", "non_saturating", "hinge", "wasserstein", "least_squares")
#: Critic-input augmentations in `tfvgan.augment.AUGMENTATIONS`.
AUGMENTATIONS = ("color", "translation", "cutout")
#: Data sources: name -> function in `tfvgan.data`.
DATASETS = {
    "moving_digits": "moving_digits",
    "directory": "video_dataset_from_directory",
    "tfds": "from_tfds",
}
#: What to do when a loss or weight becomes NaN/inf: raise (the CLI exits
#: non-zero) or stop quietly and return. Neither ever checkpoints the bad state.
NAN_POLICIES = ("raise", "stop")
#: Learning-rate schedules of `OptimizerConfig.decay`.
LR_DECAYS = ("none", "linear")
#: Keras dtype policies a run may train under (`TrainConfig.dtype_policy`).
#: ``mixed_bfloat16`` computes in bfloat16 with float32 weights; it needs no
#: loss scaling. ``mixed_float16`` (the fast path of T4/V100-class GPUs)
#: trains with dynamic loss scaling (`VideoGAN.compile`). ``auto`` is
#: resolved from the hardware when a run starts (`tfvgan.precision`).
DTYPE_POLICIES = (precision.AUTO, *precision.CHOICES)
#: File formats of the sample videos written during training.
SAMPLE_FORMATS = ("gif", "mp4")

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

#: The key of a run's config.json that records the clip shape the run's
#: model makes (``{"frames", "size", "channels"}``): derived, not a field.
CLIP_KEY = "clip"

#: The key of a run's config.json that records its length in generator
#: steps (``epochs * steps_per_epoch`` once the data set is known): derived.
TOTAL_STEPS_KEY = "total_steps"

#: Fields a rerun in an existing run directory may change (everything else
#: must match the saved config.json, or the checkpoint would not fit).
#: ``dtype_policy`` may not switch to or from ``mixed_float16``, whose
#: optimizers carry loss-scale state in the checkpoint.
RESUMABLE_CHANGES = frozenset(
    {
        "epochs",
        "run_dir",
        "strategy",
        "export",
        "export_keep",
        "checkpoint_every_epochs",
        "checkpoint_every_steps",
        "max_checkpoints",
        "sample_every_epochs",
        "sample_formats",
        "sample_fps",
        "nan_policy",
        "jit_compile",
        "dtype_policy",
        "deterministic",
    }
)


def _option(default, help: str, **flag) -> dataclasses.Field:
    """A config field with its command-line flag described in its metadata.

    Args:
        default: the field's default (a callable such as ``dict`` is a
            default factory).
        help: the flag's help text.
        **flag: the value's declaration, which both the config's checks
            (`_check_declared`) and the command line (`tfvgan.cli.train`)
            follow: ``choices`` (an enum), ``minimum`` (inclusive) and
            ``maximum`` (exclusive) bounds of a number, ``none_flag`` (the
            flag value that means None), ``flag_choices`` (flag names mapped
            onto the values allowed), ``flag`` (another flag name; ``{p}``
            is the player, g or d), ``name`` (what messages call it).
    """
    metadata = {"help": help, **flag}
    if callable(default):
        return dataclasses.field(default_factory=default, metadata=metadata)
    return dataclasses.field(default=default, metadata=metadata)


def _check_declared(config) -> None:
    """Checks every field of a config dataclass against its `_option`
    declaration: its choices, its bounds, its type (bool, int, float)."""
    hints = typing.get_type_hints(type(config))
    for field in dataclasses.fields(config):
        meta, name = field.metadata, field.name
        value = getattr(config, name)
        hint = hints[name]
        optional = type(None) in typing.get_args(hint)
        base = next((a for a in typing.get_args(hint) if a is not type(None)), hint)
        if "help" not in meta or (value is None and optional):
            continue
        if "flag_choices" in meta:
            allowed = tuple(meta["flag_choices"].values())
            if not any(value is v for v in allowed):  # 1 is not True
                names = ", ".join(repr(v) for v in allowed)
                raise ValueError(f"{name} must be one of {names}, got {value!r}.")
        elif "choices" in meta:
            check_choice(meta.get("name", name), value, tuple(meta["choices"]))
        elif base is bool:
            check_bool(name, value)
        elif base is int:
            check_int(name, value, minimum=meta.get("minimum", 1))
            # NumPy integers pass the check; the config keeps plain ints
            # (config.json is JSON).
            object.__setattr__(config, name, int(value))
        elif base is float and "none_flag" not in meta:
            check_float(name, value, meta["minimum"], meta.get("maximum", math.inf))
            object.__setattr__(config, name, float(value))


def _freeze(mapping, name: str) -> Mapping[str, Any]:
    if mapping is None:
        mapping = {}
    if not isinstance(mapping, Mapping):
        raise ValueError(
            f"{name} must be a mapping of keyword arguments, got {mapping!r}."
        )
    for key in mapping:
        if not isinstance(key, str) or not key.isidentifier():
            raise ValueError(f"{name} keys must be argument names, got {key!r}.")
    return types.MappingProxyType(dict(mapping))


@dataclasses.dataclass(frozen=True)
class OptimizerConfig:
    """Adam settings of one player.

    Attributes:
        learning_rate: Adam step size, > 0 (the initial one under a decay).
        beta_1: first-moment decay in [0, 1) (GANs commonly use 0.5 or 0).
        beta_2: second-moment decay in [0, 1).
        decay: learning-rate schedule, one of `LR_DECAYS`: ``"none"`` keeps
            `learning_rate`; ``"linear"`` lowers it linearly to 0 at the
            run's last step (``epochs * steps_per_epoch`` training steps;
            the discriminator's schedule counts its ``d_steps`` updates per
            step). The schedule follows the optimizer's step counter, so a
            resumed run continues it. Its length is fixed when the run
            starts: the runner refuses to resume such a run with other
            `epochs` (the rate would jump, e.g. from 0 at the end of a
            finished run back to half the initial rate).
    """

    learning_rate: float = _option(
        2e-4, "{player} Adam learning rate.", minimum=0, flag="{p}_lr"
    )
    beta_1: float = _option(
        0.5, "Adam beta_1 of both optimizers.", minimum=0, maximum=1
    )
    beta_2: float = _option(
        0.999, "Adam beta_2 of both optimizers.", minimum=0, maximum=1
    )
    decay: str = _option(
        "none",
        "Learning-rate schedule of both optimizers: none, or linear to 0 at "
        "the last step.",
        choices=LR_DECAYS,
        flag="lr_decay",
        name="learning-rate decay",
    )

    def __post_init__(self):
        _check_declared(self)
        if self.learning_rate <= 0:
            raise ValueError(f"learning_rate must be > 0, got {self.learning_rate!r}.")


@dataclasses.dataclass(frozen=True)
class TrainConfig:
    """Everything one training run needs, validated on creation.

    Attributes:
        model: model variant, one of `MODEL_NAMES`.
        model_preset: architecture preset of the variant (`MODEL_PRESETS`),
            or None for the variant's constructor defaults.
        model_kwargs: extra keyword arguments for `tfvgan.models.build_model`
            (override the model preset).
        dataset: data source, one of `DATASETS`.
        data_kwargs: extra keyword arguments for the data source (e.g.
            ``num_videos`` for moving_digits, ``directory`` for directory,
            ``name`` for tfds). Frames, size and channels follow the model
            and the condition follows its ``condition_type`` unless set here.
        preset: the run preset these values came from (recorded only).
        loss: adversarial loss, one of `LOSS_NAMES`.
        gp_weight: WGAN-GP gradient-penalty weight (0 = off).
        r1_weight: R1 penalty weight (0 = off).
        d_steps: discriminator updates per generator update.
        ema_decay: EMA decay of the generator copy used for samples and
            export, or None for no EMA.
        augment: differentiable augmentation of the critics' inputs in
            training, comma-separated names from `AUGMENTATIONS` (e.g.
            ``"translation,cutout"``); "" = off. See `tfvgan.augment`.
        g_optimizer: generator Adam settings.
        d_optimizer: discriminator Adam settings.
        batch_size: global batch size (split across replicas).
        epochs: epochs to train in total (a resumed run stops at the same
            epoch as an uninterrupted one).
        steps_per_epoch: steps per epoch; None = one pass over the data set.
        strategy: distribution strategy, one of `STRATEGIES`.
        run_dir: output directory; None = ``runs/<preset>-<model>``.
        seed: seed of weights, latents, data order and sample noise.
        deterministic: also enable TensorFlow op determinism (same seed and
            config give bit-identical weights on the same machine; slower).
        jit_compile: XLA for the train step; None = on for a GPU/TPU with
            one replica (`tfvgan.models.video_gan.default_jit_compile`).
        dtype_policy: Keras dtype policy of the networks, one of
            `DTYPE_POLICIES`: ``"mixed_bfloat16"`` computes in bfloat16
            (float32 weights, losses and outputs); ``"mixed_float16"``
            computes in float16 with dynamic loss scaling (skipped steps
            still count; see `VideoGAN.compile`); ``"auto"`` (default)
            picks bfloat16 on AMX CPUs (measured: 0.40-0.48x the float32
            step) and on Ampere-or-newer GPUs and TPUs (their native fast
            path), float32 elsewhere (`tfvgan.precision.choose_dtype_policy`). The runner resolves
            ``"auto"`` once, when a run starts, and writes the policy it
            chose into ``config.json``; a resumed run keeps it.
        export: export the generator as a SavedModel after training.
        export_keep: how many exported versions to keep (None = all).
        checkpoint_every_epochs: checkpoint every N epochs (0 = only at the end).
        checkpoint_every_steps: also checkpoint every N steps (0 = off).
        max_checkpoints: checkpoints kept on disk.
        sample_every_epochs: write sample videos every N epochs (0 = off).
        num_samples: videos in each sample grid.
        sample_formats: sample file formats, from `SAMPLE_FORMATS`.
        sample_fps: frames per second of sample files.
        nan_policy: on a non-finite loss or weight, one of `NAN_POLICIES`.
    """

    model: str = _option(
        "temporal", "Model variant (default: the preset's).", choices=MODEL_NAMES
    )
    model_preset: str | None = _option(
        "quickstart",
        "Architecture preset (default: the run preset's).",
        choices=MODEL_PRESETS,
    )
    model_kwargs: Mapping[str, Any] = _option(
        dict,
        "Extra model arguments: JSON ('{\"width\": 16}') or key=value,key=value.",
    )
    dataset: str = _option(
        "moving_digits", "Data source (default moving_digits).", choices=DATASETS
    )
    data_kwargs: Mapping[str, Any] = _option(
        dict,
        "Extra data-source arguments, e.g. num_videos=256 or directory=clips/ "
        "or name=ucf101.",
    )
    preset: str | None = _option(
        None,
        "Run preset: tiny (seconds, for tests), quickstart (the default; ~3 min "
        "on a 2-core CPU), text (captions to video, 10 digit-direction pairs held "
        "out), paper (the published set-ups). Other flags override it.",
        choices=RUN_PRESETS,
    )
    loss: str = _option("non_saturating", "Adversarial loss.", choices=LOSS_NAMES)
    gp_weight: float = _option(
        0.0, "WGAN-GP gradient-penalty weight (0 = off).", minimum=0
    )
    r1_weight: float = _option(0.0, "R1 penalty weight (0 = off).", minimum=0)
    d_steps: int = _option(1, "Discriminator updates per generator update.", minimum=1)
    ema_decay: float | None = _option(
        0.999,
        "Generator EMA decay in (0, 1); 0 = no EMA.",
        minimum=0,
        maximum=1,
        none_flag=0,
    )
    augment: str = _option(
        "",
        "Augment the critics' inputs in training (DiffAugment): comma-separated "
        f"names from {', '.join(AUGMENTATIONS)}; empty = off.",
    )
    g_optimizer: OptimizerConfig = dataclasses.field(default_factory=OptimizerConfig)
    d_optimizer: OptimizerConfig = dataclasses.field(default_factory=OptimizerConfig)
    batch_size: int = _option(16, "Global batch size.", minimum=1)
    epochs: int = _option(
        10,
        "Epochs in total (a resumed run continues to this; fixed for a run "
        "with a linear learning-rate decay).",
        minimum=1,
    )
    steps_per_epoch: int | None = _option(
        None, "Steps per epoch (default: one pass over the data).", minimum=1
    )
    strategy: str = _option("default", "tf.distribute strategy.", choices=STRATEGIES)
    run_dir: str | None = _option(
        None, "Run directory (default runs/<preset>-<model>). Rerun to resume."
    )
    seed: int = _option(
        0, "Seed of weights, latents, data order and samples.", minimum=0
    )
    deterministic: bool = _option(
        False, "Enable TF op determinism (bit-identical reruns, slower)."
    )
    jit_compile: bool | None = _option(
        None,
        "XLA for the train step (auto, the default: on a GPU/TPU with one replica).",
        flag_choices={"auto": None, "true": True, "false": False},
    )
    dtype_policy: str = _option(
        "auto",
        "Keras dtype policy: mixed_bfloat16 computes in bfloat16 (float32 "
        "weights and outputs); auto (default) picks it on AMX CPUs, "
        "Ampere-or-newer GPUs and TPUs, float32 elsewhere; mixed_float16 "
        "(T4/V100-class GPUs) trains with dynamic loss scaling.",
        choices=DTYPE_POLICIES,
    )
    export: bool = _option(
        True, "Export the generator SavedModel after training (--noexport to skip)."
    )
    export_keep: int | None = _option(3, "Exported versions to keep.", minimum=1)
    checkpoint_every_epochs: int = _option(
        1, "Checkpoint every N epochs (0 = only at the end).", minimum=0
    )
    checkpoint_every_steps: int = _option(
        0, "Also checkpoint every N steps (0 = off).", minimum=0
    )
    max_checkpoints: int = _option(3, "Checkpoints kept on disk.", minimum=1)
    sample_every_epochs: int = _option(
        1, "Write sample videos every N epochs (0 = off).", minimum=0
    )
    num_samples: int = _option(8, "Clips per sample grid.", minimum=1)
    sample_formats: tuple[str, ...] = _option(
        ("gif",), "Sample file formats: gif and/or mp4."
    )
    sample_fps: int = _option(8, "Frames per second of sample files.", minimum=1)
    nan_policy: str = _option(
        "raise", "On NaN/inf: raise (exit 1) or stop.", choices=NAN_POLICIES
    )

    def __post_init__(self):
        if not isinstance(self.augment, str):
            raise ValueError(
                "augment must be a string of comma-separated names from "
                f"{', '.join(AUGMENTATIONS)}, got {self.augment!r}."
            )
        for name in filter(None, (n.strip() for n in self.augment.split(","))):
            check_choice("augment", name, AUGMENTATIONS)
        object.__setattr__(
            self, "model_kwargs", _freeze(self.model_kwargs, "model_kwargs")
        )
        object.__setattr__(
            self, "data_kwargs", _freeze(self.data_kwargs, "data_kwargs")
        )
        for name in ("g_optimizer", "d_optimizer"):
            value = getattr(self, name)
            if isinstance(value, Mapping):
                fields = {f.name for f in dataclasses.fields(OptimizerConfig)}
                unknown = sorted(set(value) - fields)
                if unknown:
                    raise ValueError(
                        f"{name}: unknown Adam setting(s) {unknown}; expected "
                        f"some of {sorted(fields)}."
                    )
                object.__setattr__(self, name, OptimizerConfig(**value))
            elif not isinstance(value, OptimizerConfig):
                raise ValueError(f"{name} must be an OptimizerConfig, got {value!r}.")
        formats = self.sample_formats
        if isinstance(formats, str):
            formats = tuple(f for f in formats.split(",") if f)
        formats = tuple(formats)
        for fmt in formats:
            check_choice("sample format", fmt, SAMPLE_FORMATS)
        object.__setattr__(self, "sample_formats", formats)
        _check_declared(self)
        check_ema_decay(self.ema_decay)
        if self.run_dir is not None and (
            not isinstance(self.run_dir, str) or not self.run_dir
        ):
            raise ValueError(
                f"run_dir must be a non-empty path string, got {self.run_dir!r}."
            )
        if self.dataset == "directory" and "directory" not in self.data_kwargs:
            raise ValueError(
                "dataset 'directory' needs data_kwargs directory=<folder of videos>."
            )
        if self.dataset == "tfds" and "name" not in self.data_kwargs:
            raise ValueError(
                "dataset 'tfds' needs data_kwargs name=<TFDS data set name>."
            )

    # ----------------------------------------------------------- resolution
    @classmethod
    def from_preset(cls, preset: str | None = None, **overrides) -> TrainConfig:
        """Builds a config from a run preset, then `overrides`.

        Args:
            preset: a name in `RUN_PRESETS`; None = `DEFAULT_PRESET`.
            **overrides: field values. ``model_kwargs`` and ``data_kwargs``
                are merged into the preset's; optimizer settings may be given
                as dicts and are merged too.

        Returns:
            The validated config, with ``preset`` recorded.

        Raises:
            ValueError: for an unknown preset or field, or a bad value.
        """
        preset = DEFAULT_PRESET if preset is None else preset
        check_choice("preset", preset, tuple(RUN_PRESETS))
        fields = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(overrides) - fields)
        if unknown:
            raise ValueError(
                f"unknown TrainConfig field(s) {unknown}; expected some of {sorted(fields)}."
            )
        values = {k: v for k, v in RUN_PRESETS[preset].items() if k != "by_model"}
        model = overrides.get("model", values.get("model", cls.model))
        check_choice("model", model, MODEL_NAMES)
        values = _merge(values, RUN_PRESETS[preset].get("by_model", {}).get(model, {}))
        values = _merge(values, overrides)
        values["preset"] = preset
        return cls(**values)

    def resolved(self) -> TrainConfig:
        """This config with defaults that depend on other fields filled in."""
        if self.run_dir is not None:
            return self
        name = f"{self.preset}-{self.model}" if self.preset else self.model
        return dataclasses.replace(self, run_dir=f"runs/{name}")

    # ---------------------------------------------------------- (de)serialise
    def to_dict(self) -> dict[str, Any]:
        """Plain, JSON-ready dict of every field."""
        out = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, OptimizerConfig):
                value = dataclasses.asdict(value)
            elif isinstance(value, Mapping):
                value = dict(value)
            elif isinstance(value, tuple):
                value = list(value)
            out[f.name] = value
        return out

    def to_json(self) -> str:
        """The config as indented JSON (what the run directory's config.json holds)."""
        return json.dumps(self.to_dict(), indent=2, sort_keys=True)

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> TrainConfig:
        """Inverse of `to_dict`; unknown keys raise ValueError.

        The ``"clip"`` and ``"total_steps"`` entries a run's ``config.json``
        also holds (`CLIP_KEY`, `TOTAL_STEPS_KEY`: the clip shape and run
        length the runner derived) are not fields and are skipped.
        """
        if not isinstance(values, Mapping):
            raise ValueError(f"expected a mapping of config fields, got {values!r}.")
        values = {
            k: v for k, v in values.items() if k not in (CLIP_KEY, TOTAL_STEPS_KEY)
        }
        fields = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - fields)
        if unknown:
            raise ValueError(f"unknown TrainConfig field(s) {unknown} in saved config.")
        values = dict(values)
        if "sample_formats" in values:
            values["sample_formats"] = tuple(values["sample_formats"])
        return cls(**values)

    @classmethod
    def from_json(cls, text: str) -> TrainConfig:
        """Inverse of `to_json`."""
        return cls.from_dict(json.loads(text))

    @property
    def decays_learning_rate(self) -> bool:
        """Whether either optimizer's learning rate follows a decay schedule,
        whose length is the run's (``epochs * steps_per_epoch``)."""
        return {self.g_optimizer.decay, self.d_optimizer.decay} != {"none"}

    def incompatible_fields(self, other: TrainConfig) -> list[str]:
        """Fields that differ from `other` and that a resume may not change."""
        # A JSON round trip makes tuples and lists compare equal.
        mine = json.loads(json.dumps(self.to_dict()))
        theirs = json.loads(json.dumps(other.to_dict()))
        changed = [
            k for k in mine if k not in RESUMABLE_CHANGES and mine[k] != theirs.get(k)
        ]
        if mine["epochs"] != theirs.get("epochs") and self.decays_learning_rate:
            # The schedule's length is the run's: changing it would make
            # the learning rate jump at the resume step.
            changed.append("epochs")
        policies = {mine["dtype_policy"], theirs.get("dtype_policy")}
        if len(policies) > 1 and "mixed_float16" in policies:
            changed.append("dtype_policy")
        return sorted(changed)


def _merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    """`base` updated by `extra`, merging the dict-valued fields one level deep."""
    out = dict(base)
    for key, value in extra.items():
        if key in ("model_kwargs", "data_kwargs", "g_optimizer", "d_optimizer"):
            prior = out.get(key) or {}
            if isinstance(prior, OptimizerConfig):
                prior = dataclasses.asdict(prior)
            if isinstance(value, OptimizerConfig):
                value = dataclasses.asdict(value)
            if value is None or isinstance(value, Mapping):
                out[key] = {**prior, **(value or {})}
            else:
                out[key] = value  # not a mapping: __post_init__ names it
        else:
            out[key] = value
    return out
