"""Typed, frozen configuration of a training run.

A `TrainConfig` says everything `tfvgan.train.run` needs: which model (and
its preset and keyword arguments), which data source, the adversarial loss,
both optimizers, the schedule (batch size, epochs, steps per epoch), the
distribution strategy, the run directory, the seed, and how often to write
checkpoints and samples. It is validated when it is created, without
importing TensorFlow, so a bad name or value fails in milliseconds.

Run presets (`tfvgan.run_presets.RUN_PRESETS`, also importable from here)
are plain dictionaries of field values, one per name, in one table: change
a number there and every entry point (CLI, library, examples) follows.
`TrainConfig.from_preset` applies a preset, then your overrides.

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
from collections.abc import Mapping
from typing import Any

from tfvgan import precision
from tfvgan.distribute import STRATEGIES

# Re-exported: `tfvgan.config.RUN_PRESETS` and the others keep working.
from tfvgan.run_presets import (  # noqa: F401
    DEFAULT_PRESET,
    HELD_OUT_PAIRS,
    RUN_PRESETS,
)
from tfvgan.validation import (
    check_choice,
    check_ema_decay,
    check_fields,
    config_field,
    frozen_kwargs,
)

__all__ = [
    "AUGMENTATIONS",
    "DATASETS",
    "LOSS_NAMES",
    "LR_DECAYS",
    "MODEL_NAMES",
    "MODEL_PRESETS",
    "NAN_POLICIES",
    "RESUMABLE_CHANGES",
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

    learning_rate: float = config_field(
        2e-4, "{player} Adam learning rate.", minimum=0, flag="{p}_lr"
    )
    beta_1: float = config_field(
        0.5, "Adam beta_1 of both optimizers.", minimum=0, maximum=1
    )
    beta_2: float = config_field(
        0.999, "Adam beta_2 of both optimizers.", minimum=0, maximum=1
    )
    decay: str = config_field(
        "none",
        "Learning-rate schedule of both optimizers: none, or linear to 0 at "
        "the last step.",
        choices=LR_DECAYS,
        flag="lr_decay",
        name="learning-rate decay",
    )

    def __post_init__(self):
        check_fields(self)
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

    model: str = config_field(
        "temporal", "Model variant (default: the preset's).", choices=MODEL_NAMES
    )
    model_preset: str | None = config_field(
        "quickstart",
        "Architecture preset (default: the run preset's).",
        choices=MODEL_PRESETS,
    )
    model_kwargs: Mapping[str, Any] = config_field(
        dict,
        "Extra model arguments: JSON ('{\"width\": 16}') or key=value,key=value.",
    )
    dataset: str = config_field(
        "moving_digits", "Data source (default moving_digits).", choices=DATASETS
    )
    data_kwargs: Mapping[str, Any] = config_field(
        dict,
        "Extra data-source arguments, e.g. num_videos=256 or directory=clips/ "
        "or name=ucf101.",
    )
    preset: str | None = config_field(
        None,
        "Run preset: tiny (seconds, for tests), quickstart (the default; ~3 min "
        "on a 2-core CPU), text (captions to video, 10 digit-direction pairs held "
        "out), paper (the published set-ups). Other flags override it.",
        choices=RUN_PRESETS,
    )
    loss: str = config_field("non_saturating", "Adversarial loss.", choices=LOSS_NAMES)
    gp_weight: float = config_field(
        0.0, "WGAN-GP gradient-penalty weight (0 = off).", minimum=0
    )
    r1_weight: float = config_field(0.0, "R1 penalty weight (0 = off).", minimum=0)
    d_steps: int = config_field(
        1, "Discriminator updates per generator update.", minimum=1
    )
    ema_decay: float | None = config_field(
        0.999,
        "Generator EMA decay in (0, 1); 0 = no EMA.",
        minimum=0,
        maximum=1,
        none_flag=0,
    )
    augment: str = config_field(
        "",
        "Augment the critics' inputs in training (DiffAugment): comma-separated "
        f"names from {', '.join(AUGMENTATIONS)}; empty = off.",
    )
    g_optimizer: OptimizerConfig = dataclasses.field(default_factory=OptimizerConfig)
    d_optimizer: OptimizerConfig = dataclasses.field(default_factory=OptimizerConfig)
    batch_size: int = config_field(16, "Global batch size.", minimum=1)
    epochs: int = config_field(
        10,
        "Epochs in total (a resumed run continues to this; fixed for a run "
        "with a linear learning-rate decay).",
        minimum=1,
    )
    steps_per_epoch: int | None = config_field(
        None, "Steps per epoch (default: one pass over the data).", minimum=1
    )
    strategy: str = config_field(
        "default", "tf.distribute strategy.", choices=STRATEGIES
    )
    run_dir: str | None = config_field(
        None, "Run directory (default runs/<preset>-<model>). Rerun to resume."
    )
    seed: int = config_field(
        0, "Seed of weights, latents, data order and samples.", minimum=0
    )
    deterministic: bool = config_field(
        False, "Enable TF op determinism (bit-identical reruns, slower)."
    )
    jit_compile: bool | None = config_field(
        None,
        "XLA for the train step (auto, the default: on a GPU/TPU with one replica).",
        flag_choices={"auto": None, "true": True, "false": False},
    )
    dtype_policy: str = config_field(
        "auto",
        "Keras dtype policy: mixed_bfloat16 computes in bfloat16 (float32 "
        "weights and outputs); auto (default) picks it on AMX CPUs, "
        "Ampere-or-newer GPUs and TPUs, float32 elsewhere; mixed_float16 "
        "(T4/V100-class GPUs) trains with dynamic loss scaling.",
        choices=DTYPE_POLICIES,
    )
    export: bool = config_field(
        True, "Export the generator SavedModel after training (--noexport to skip)."
    )
    export_keep: int | None = config_field(3, "Exported versions to keep.", minimum=1)
    checkpoint_every_epochs: int = config_field(
        1, "Checkpoint every N epochs (0 = only at the end).", minimum=0
    )
    checkpoint_every_steps: int = config_field(
        0, "Also checkpoint every N steps (0 = off).", minimum=0
    )
    max_checkpoints: int = config_field(3, "Checkpoints kept on disk.", minimum=1)
    sample_every_epochs: int = config_field(
        1, "Write sample videos every N epochs (0 = off).", minimum=0
    )
    num_samples: int = config_field(8, "Clips per sample grid.", minimum=1)
    sample_formats: tuple[str, ...] = config_field(
        ("gif",), "Sample file formats: gif and/or mp4."
    )
    sample_fps: int = config_field(8, "Frames per second of sample files.", minimum=1)
    nan_policy: str = config_field(
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
            self, "model_kwargs", frozen_kwargs(self.model_kwargs, "model_kwargs")
        )
        object.__setattr__(
            self, "data_kwargs", frozen_kwargs(self.data_kwargs, "data_kwargs")
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
        check_fields(self)
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
