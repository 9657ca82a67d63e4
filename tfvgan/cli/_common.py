"""What the command lines share: keyword-argument flags, usage checks."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from typing import Any

from absl import app, flags, logging

# key=value also takes Python's spelling of these constants.
_PYTHON_CONSTANTS = {"True": True, "False": False, "None": None}


def parse_kwargs(name: str, text: str) -> dict[str, Any]:
    """Parses a keyword-arguments flag.

    Args:
        name: the flag's name, for messages.
        text: ``'{"a": 1}'`` (JSON) or ``a=1,b=two,c=False`` (values parsed
            as JSON when they can be; ``True``/``False``/``None`` as in
            Python).

    Returns:
        The arguments as a dict.

    Raises:
        ValueError: `text` is neither (the message names the flag).
    """
    text = text.strip()
    if not text:
        return {}
    if text.startswith("{"):
        try:
            value = json.loads(text)
        except json.JSONDecodeError as error:
            raise ValueError(f"--{name}: invalid JSON {text!r} ({error}).") from error
        if not isinstance(value, dict):
            raise ValueError(f"--{name}: expected a JSON object, got {text!r}.")
        return value
    out = {}
    for item in text.split(","):
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise ValueError(
                f"--{name}: expected key=value pairs, got {item!r} in {text!r}."
            )
        if raw.strip() in _PYTHON_CONSTANTS:
            out[key.strip()] = _PYTHON_CONSTANTS[raw.strip()]
            continue
        try:
            out[key.strip()] = json.loads(raw)
        except json.JSONDecodeError:
            out[key.strip()] = raw
    return out


def check_preset(name: str) -> None:
    """Raises `app.UsageError` unless `name` is a shipped pretrained preset
    (`--preset` of `tfvgan-sample`, `tfvgan-eval` and `tfvgan-export`)."""
    from tfvgan import pretrained

    if not pretrained.is_pretrained(name):
        raise app.UsageError(
            f"--preset={name!r} is not shipped; the presets are {pretrained.names()}."
        )


def start(argv: Sequence[str], flag_values: flags.FlagValues = flags.FLAGS) -> None:
    """Common start of a command: quiet TensorFlow's INFO chatter unless
    ``--verbosity`` is given, and refuse positional arguments."""
    if "verbosity" in flag_values and not flag_values["verbosity"].present:
        logging.set_verbosity(logging.WARNING)
    if len(argv) > 1:
        raise app.UsageError(
            f"unexpected arguments {list(argv[1:])}; all options are --flags."
        )


def run(
    define_flags: Callable[[], None],
    command: Callable[[Sequence[str]], None],
    argv: Sequence[str] | None = None,
) -> None:
    """Defines a command's flags, parses `argv` (program name first; default
    `sys.argv`) and runs `command` under absl."""
    before = set(flags.FLAGS)
    define_flags()
    # `--help` lists the main module's key flags; the command's flags are
    # defined in tfvgan.cli, so they are declared key flags of the program
    # that runs (a console script or `python -m tfvgan.cli.<command>`).
    for name in sorted(set(flags.FLAGS) - before):
        flags.FLAGS.register_key_flag_for_module(sys.argv[0], flags.FLAGS[name])
    app.run(command, argv=list(argv) if argv is not None else None)


def define(flag_values: flags.FlagValues, table) -> None:
    """Defines the flags of `table` on `flag_values`.

    Args:
        flag_values: where to define them.
        table: rows ``(kind, name, default, help)`` or ``(kind, name,
            default, help, extra)``: kind is an absl ``DEFINE_<kind>``
            (``"string"``, ``"integer"``, ``"bool"``, ``"list"``, ``"enum"``),
            extra a dict of its other arguments (``lower_bound``,
            ``enum_values``).
    """
    for kind, name, default, help_text, *extra in table:
        kwargs = dict(extra[0]) if extra else {}
        if kind == "enum":
            enum_values = kwargs.pop("enum_values")
            flags.DEFINE_enum(
                name, default, enum_values, help_text, flag_values=flag_values
            )
            continue
        define_flag = getattr(flags, f"DEFINE_{kind}")
        define_flag(name, default, help_text, flag_values=flag_values, **kwargs)
