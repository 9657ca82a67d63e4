"""Argument checks shared by the library: one helper per kind of value.

Each raises `ValueError` with a message that names the argument, what it
expected and what it got. They import nothing heavy, so configs and
constructors check their values before TensorFlow is touched.

Example:

```python
from tfvgan.validation import check_choice, check_int

check_int("batch_size", 16)
check_choice("loss", "hinge", ("hinge", "wasserstein"))
```
"""

from __future__ import annotations

import dataclasses
import math
import numbers
import types
import typing
from collections.abc import Mapping
from typing import Any

__all__ = [
    "check_bool",
    "check_choice",
    "check_ema_decay",
    "check_fields",
    "check_float",
    "check_int",
    "check_num_classes",
    "config_field",
    "frozen_kwargs",
]


def check_choice(name: str, value, choices) -> None:
    """Raises ValueError unless `value` is one of `choices`, listing them."""
    if value not in choices:
        valid = ", ".join(repr(c) for c in choices)
        raise ValueError(f"unknown {name} {value!r}; expected one of: {valid}.")


def check_bool(name: str, value) -> None:
    """Raises ValueError unless `value` is a bool (a "false" string is truthy)."""
    if not isinstance(value, bool):
        raise ValueError(f"{name} must be True or False, got {value!r}.")


def check_int(name: str, value, minimum: int = 1, allow_none: bool = False) -> None:
    """Raises ValueError unless `value` is an integer >= `minimum`.

    Python and NumPy integers pass; bools and floats do not.

    Args:
        name: the argument's name, for the message.
        value: the value to check.
        minimum: the smallest value allowed.
        allow_none: whether None is allowed too.
    """
    if value is None and allow_none:
        return
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Integral)
        or value < minimum
    ):
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}.")


def check_float(
    name: str, value, low: float, high: float, closed_high: bool = False
) -> None:
    """Raises ValueError unless `value` is a finite number in ``[low, high)``.

    Args:
        name: the argument's name, for the message.
        value: the value to check (an int or float, not a bool).
        low: the smallest value allowed.
        high: the bound above; allowed itself only with `closed_high`.
        closed_high: make the interval ``[low, high]``.
    """
    ok = (
        isinstance(value, numbers.Real)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and low <= value
        and (value <= high if closed_high else value < high)
    )
    if not ok:
        bracket = "]" if closed_high else ")"
        raise ValueError(
            f"{name} must be a number in [{low}, {high}{bracket}, got {value!r}."
        )


def check_ema_decay(value) -> None:
    """Raises ValueError unless `value` (an EMA decay) is in (0, 1) or None."""
    if value is None:
        return
    check_float("ema_decay", value, 0.0, 1.0)
    if value <= 0:
        raise ValueError(f"ema_decay must be in (0, 1) or None, got {value!r}.")


def check_num_classes(value, allow_none: bool = False) -> None:
    """Raises ValueError unless `value` is an integer >= 2 (None if allowed)."""
    if value is None and allow_none:
        return
    try:
        check_int("num_classes", value, minimum=2)
    except ValueError:
        if not allow_none:
            raise
        raise ValueError(
            f"num_classes must be None (unconditional) or an integer >= 2, "
            f"got {value!r}."
        ) from None


def config_field(default, help: str, **flag) -> dataclasses.Field:
    """A config field with its command-line flag described in its metadata.

    Args:
        default: the field's default (a callable such as ``dict`` is a
            default factory).
        help: the flag's help text.
        **flag: the value's declaration, which both the config's checks
            (`check_fields`) and the command line (`tfvgan.cli.train`)
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


def check_fields(config) -> None:
    """Checks every field of a config dataclass against its `config_field`
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


def frozen_kwargs(mapping, name: str) -> Mapping[str, Any]:
    """A read-only copy of `mapping`, checked to be keyword arguments.

    Args:
        mapping: None (empty) or a mapping whose keys are identifiers.
        name: what messages call it.

    Raises:
        ValueError: anything else.
    """
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
