"""``tfvgan-train``: flags -> `tfvgan.config.TrainConfig` -> `tfvgan.train.run`.

Every field of `TrainConfig` is a flag of the same name, generated from the
field (its type, its choices and bounds, and the help text in its
metadata); the optimizers' fields are ``--g_lr``/``--d_lr`` (per player)
and ``--beta_1``, ``--beta_2``, ``--lr_decay`` (both players). ``--preset``
picks the run preset; the flags given override it. With no flags it runs
the quick-start preset.

Example:

```
tfvgan-train --preset=tiny --model=conv3d --epochs=3 --run_dir=/tmp/run
python -m tfvgan.cli.train --help
```
"""

from __future__ import annotations

import dataclasses
import sys
import typing
from collections.abc import Mapping, Sequence
from typing import Any

from absl import app, flags

from tfvgan import config as config_lib
from tfvgan.cli import _common

__all__ = ["config_from_flags", "define_flags", "main"]

#: The fields that are not flags of their own: each player's optimizer,
#: set through the flags of `OptimizerConfig`'s fields.
_OPTIMIZERS = {"g_optimizer": ("g", "Generator"), "d_optimizer": ("d", "Discriminator")}


def _flag_kind(hint) -> str:
    """The kind of flag that carries a field of type `hint`."""
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    base = args[0] if typing.get_origin(hint) in (typing.Union, _UnionType) else hint
    if typing.get_origin(base) is tuple:
        return "list"
    if typing.get_origin(base) in (Mapping, dict) or base is Mapping:
        return "kwargs"
    return {bool: "boolean", int: "integer", float: "float", str: "string"}[base]


_UnionType = type(int | None)


def _define(name: str, kind: str, meta: Mapping[str, Any], fv, help_text=None):
    text = help_text or meta["help"]
    if "flag_choices" in meta:
        flags.DEFINE_enum(name, None, list(meta["flag_choices"]), text, flag_values=fv)
    elif "choices" in meta:
        flags.DEFINE_enum(name, None, list(meta["choices"]), text, flag_values=fv)
    elif kind in ("integer", "float"):
        define = flags.DEFINE_integer if kind == "integer" else flags.DEFINE_float
        define(name, None, text, lower_bound=meta.get("minimum"), flag_values=fv)
        if "maximum" in meta:  # exclusive, as the config checks it
            bound = meta["maximum"]
            flags.register_validator(
                name,
                lambda value, bound=bound: value is None or value < bound,
                message=f"--{name} must be < {bound}",
                flag_values=fv,
            )
    elif kind == "boolean":
        flags.DEFINE_boolean(name, None, text, flag_values=fv)
    elif kind == "list":
        flags.DEFINE_list(name, None, text, flag_values=fv)
    else:  # string, kwargs
        flags.DEFINE_string(name, None, text, flag_values=fv)


def _fields(cls):
    hints = typing.get_type_hints(cls)
    return [(f, hints[f.name]) for f in dataclasses.fields(cls)]


def _optimizer_flags():
    """``(flag name, field name, players)`` of the optimizers' flags."""
    out = []
    for field, _ in _fields(config_lib.OptimizerConfig):
        name = field.metadata.get("flag", field.name)
        if "{p}" in name:
            out.extend(
                (name.format(p=p), field.name, (player,))
                for player, (p, _) in _OPTIMIZERS.items()
            )
        else:
            out.append((name, field.name, tuple(_OPTIMIZERS)))
    return out


def define_flags(flag_values: flags.FlagValues = flags.FLAGS) -> None:
    """Defines the ``tfvgan-train`` flags on `flag_values` (once).

    One flag per `TrainConfig` field, named after it, with no default: a
    flag that is not given leaves the preset's value.
    """
    if "preset" in flag_values:
        return
    for field, hint in _fields(config_lib.TrainConfig):
        if field.name not in _OPTIMIZERS:
            _define(field.name, _flag_kind(hint), field.metadata, flag_values)
    fields = _fields(config_lib.OptimizerConfig)
    hints = {field.name: hint for field, hint in fields}
    meta = {field.name: field.metadata for field, _ in fields}
    for name, field_name, players in _optimizer_flags():
        help_text = meta[field_name]["help"]
        if len(players) == 1:
            help_text = help_text.format(player=_OPTIMIZERS[players[0]][1])
        kind = _flag_kind(hints[field_name])
        _define(name, kind, meta[field_name], flag_values, help_text)


def config_from_flags(
    flag_values: flags.FlagValues = flags.FLAGS,
) -> config_lib.TrainConfig:
    """Maps parsed flags onto a `TrainConfig`: the preset, then the flags given.

    Raises:
        ValueError: for a bad value (the message names it).
    """
    fv = flag_values
    given = {name for name in fv if fv[name].present}
    overrides: dict[str, Any] = {}
    for field, hint in _fields(config_lib.TrainConfig):
        name = field.name
        if name in _OPTIMIZERS or name == "preset" or name not in given:
            continue
        value = fv[name].value
        meta = field.metadata
        kind = _flag_kind(hint)
        if "flag_choices" in meta:
            value = meta["flag_choices"][value]
        elif "none_flag" in meta and value == meta["none_flag"]:
            value = None
        elif kind == "kwargs":
            value = _common.parse_kwargs(name, value)
        elif kind == "list":
            value = tuple(value)
        overrides[name] = value
    for flag, field_name, players in _optimizer_flags():
        if flag in given:
            for player in players:
                overrides.setdefault(player, {})[field_name] = fv[flag].value
    return config_lib.TrainConfig.from_preset(fv.preset, **overrides)


def _main(argv: Sequence[str]) -> None:
    _common.start(argv)
    try:
        config = config_from_flags(flags.FLAGS)
    except ValueError as error:
        raise app.UsageError(str(error)) from error
    from tfvgan import train
    from tfvgan.checkpoint import CheckpointMismatchError
    from tfvgan.runs import RunDirError, RunDirWriteError

    try:
        train.run(config)
    except (
        train.NonFiniteLossError,
        RunDirError,
        RunDirWriteError,
        CheckpointMismatchError,
    ) as error:
        sys.exit(f"tfvgan-train: {error}")


def main(argv: Sequence[str] | None = None) -> None:
    """Console entry point ``tfvgan-train`` (``python -m tfvgan.cli.train``)."""
    _common.run(define_flags, _main, argv)


if __name__ == "__main__":
    main()
