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

import math
import numbers

__all__ = [
    "check_bool",
    "check_choice",
    "check_ema_decay",
    "check_float",
    "check_int",
    "check_num_classes",
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
