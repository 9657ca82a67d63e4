"""Griffe extension for the API reference: reads tfvgan as Python runs it.

Loaded by mkdocstrings (``extensions:`` in ``mkdocs.yml``); the source is
analysed statically, nothing of tfvgan is imported. Two adjustments:

- Lazy packages. ``tfvgan.metrics`` defines its public names in a module
  ``__getattr__`` driven by an ``_EXPORTS = {name: submodule}`` table, which
  static analysis cannot follow; each entry becomes an alias to
  ``<package>.<submodule>.<name>``, so ``::: tfvgan.metrics`` renders its
  ``__all__`` like any other package.
- Doctests. tfvgan's docstrings write ``>>>`` examples as plain paragraphs
  (below an ``Example:`` line, not indented under it), which Markdown would
  render as nested block quotes; each run of ``>>>`` lines and their output
  becomes a ``pycon`` code block, ``# doctest:`` flags removed.
"""

from __future__ import annotations

import ast
import re
from typing import Any

import griffe

_FENCE = re.compile(r"^\s*(```|~~~)")
_DOCTEST_FLAG = re.compile(r"\s*#\s*doctest:.*$")


def fence_doctests(text: str) -> str:
    """Wraps each unfenced run of ``>>>`` lines (up to a blank line) in a
    ``pycon`` code block, at the run's indentation."""
    lines = text.split("\n")
    out: list[str] = []
    fence = None
    i = 0
    while i < len(lines):
        line = lines[i]
        opening = _FENCE.match(line)
        if opening and (fence is None or opening.group(1) == fence):
            fence = opening.group(1) if fence is None else None
        elif fence is None and line.lstrip().startswith(">>>"):
            indent = line[: len(line) - len(line.lstrip())]
            if out and out[-1].strip():
                out.append("")
            out.append(f"{indent}```pycon")
            while i < len(lines) and lines[i].strip():
                out.append(_DOCTEST_FLAG.sub("", lines[i]))
                i += 1
            out.extend([f"{indent}```", ""])
            continue
        out.append(line)
        i += 1
    return "\n".join(out)


def _literal_table(module: griffe.Module, name: str) -> dict[str, str] | None:
    """The module-level ``name = {...}`` literal of `module`'s source."""
    if module.filepath is None or isinstance(module.filepath, list):
        return None
    tree = ast.parse(module.filepath.read_text())
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and node.targets[0].id == name
        ):
            try:
                value = ast.literal_eval(node.value)
            except ValueError:
                return None
            return value if isinstance(value, dict) else None
    return None


class TfvganDocs(griffe.Extension):
    """Aliases for lazily exported names; doctests as code blocks."""

    # Event names valid across griffe 1.x and 2.x (griffe 2 renamed
    # on_package_loaded to on_package); both steps are idempotent.
    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None and ">>>" in obj.docstring.value:
            obj.docstring.value = fence_doctests(obj.docstring.value)

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        self._add_lazy_exports(pkg)

    on_package_loaded = on_package

    def _add_lazy_exports(self, module: griffe.Module) -> None:
        table = _literal_table(module, "_EXPORTS") if module.is_init_module else None
        for name, submodule in (table or {}).items():
            if name not in module.members:
                target = f"{module.path}.{submodule}.{name}"
                module.set_member(name, griffe.Alias(name, target, parent=module))
        for child in list(module.modules.values()):
            if not child.is_alias and child.is_init_module:
                self._add_lazy_exports(child)
