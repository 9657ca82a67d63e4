"""Builds the Colab notebooks in examples/ from the keras-io style tutorials.

Each tutorial is a Python file whose top-level triple-quoted strings are
Markdown cells and whose code between them is code cells, after a header
docstring with ``Title:``, ``Description:`` and ``Accelerator:`` lines (the
keras.io tutorial format). The ``.ipynb`` beside it is generated, never
edited by hand:

    python examples/build_notebooks.py           # rewrite every notebook
    python examples/build_notebooks.py --check   # exit 1 if one is stale

The notebook gets a title cell with an "Open in Colab" badge and a first code
cell that installs tfvgan where it is missing (Colab). The test suite checks
that regenerating gives no diff and executes every notebook in short mode.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys

#: GitHub repository the Colab badges and the install cell point at.
REPO = "tfvgan/tfvgan"
EXAMPLES = pathlib.Path(__file__).resolve().parent
_HEADER_KEYS = ("Title", "Description", "Accelerator")
_QUOTES = '"""'


def tutorials(directory: pathlib.Path = EXAMPLES) -> list[pathlib.Path]:
    """The tutorial sources: numbered ``NN_name.py`` files and the article port."""
    found = sorted(directory.glob("[0-9][0-9]_*.py"))
    article = directory / "tf1_cgan_to_tf2.py"
    if article.exists():
        found.append(article)
    return found


def _split(source: str) -> list[tuple[str, str]]:
    """Splits a tutorial into ("markdown" | "code", text) blocks."""
    blocks: list[tuple[str, str]] = []
    lines = source.splitlines()
    code: list[str] = []
    i = 0

    def flush_code():
        text = "\n".join(code).strip("\n")
        if text.strip():
            blocks.append(("code", text))
        code.clear()

    while i < len(lines):
        line = lines[i]
        if line.startswith(_QUOTES):
            flush_code()
            body = line[3:]
            if body.rstrip().endswith(_QUOTES) and len(body.rstrip()) >= 3:
                blocks.append(("markdown", body.rstrip()[:-3].strip()))
                i += 1
                continue
            text = [body] if body.strip() else []
            i += 1
            while i < len(lines) and not lines[i].rstrip().endswith(_QUOTES):
                text.append(lines[i])
                i += 1
            if i == len(lines):
                raise ValueError(
                    "unterminated Markdown cell (a top-level triple quote)"
                )
            last = lines[i].rstrip()[:-3]
            if last.strip():
                text.append(last)
            blocks.append(("markdown", "\n".join(text).strip("\n")))
            i += 1
        else:
            code.append(line)
            i += 1
    flush_code()
    return blocks


def parse_header(text: str, name: str) -> dict[str, str]:
    """Reads ``Title:``/``Description:``/``Accelerator:`` from the header cell."""
    header = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip() in _HEADER_KEYS:
            header[key.strip()] = value.strip()
    missing = [k for k in _HEADER_KEYS if k not in header]
    if missing:
        raise ValueError(f"{name}: header docstring lacks {', '.join(missing)}")
    return header


def _cell(kind: str, text: str, index: int) -> dict:
    cell = {
        "cell_type": kind,
        "id": f"cell-{index}",
        "metadata": {},
        "source": text.splitlines(keepends=True),
    }
    if kind == "code":
        cell["execution_count"] = None
        cell["outputs"] = []
    return cell


def notebook(path: pathlib.Path) -> dict:
    """The notebook (nbformat 4 JSON object) for one tutorial source file."""
    blocks = _split(path.read_text())
    if not blocks or blocks[0][0] != "markdown":
        raise ValueError(f"{path.name}: must start with a header docstring")
    header = parse_header(blocks[0][1], path.name)
    badge = (
        "[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]"
        f"(https://colab.research.google.com/github/{REPO}/blob/main/examples/"
        f"{path.stem}.ipynb)"
    )
    title = (
        f"# {header['Title']}\n\n{badge}\n\n"
        f"**Description:** {header['Description']}\n\n"
        f"**Accelerator:** {header['Accelerator']}\n\n"
        f"Generated from [`examples/{path.name}`]({path.name}); edit that file "
        "and run `python examples/build_notebooks.py`."
    )
    install = (
        "# Installs tfvgan where it is missing (Colab); a no-op where it is there.\n"
        "import importlib.util\n\n"
        'if importlib.util.find_spec("tfvgan") is None:\n'
        f'    %pip install -q "tfvgan @ git+https://github.com/{REPO}"'
    )
    cells = [("markdown", title), ("code", install), *blocks[1:]]
    gpu = "gpu" in header["Accelerator"].lower()
    metadata = {
        "accelerator": "GPU" if gpu else "None",
        "colab": {"name": f"{path.stem}.ipynb", "provenance": []},
        "kernelspec": {
            "display_name": "Python 3",
            "language": "python",
            "name": "python3",
        },
        "language_info": {"name": "python"},
    }
    return {
        "cells": [_cell(kind, text, i) for i, (kind, text) in enumerate(cells)],
        "metadata": metadata,
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def notebook_text(path: pathlib.Path) -> str:
    """The exact ``.ipynb`` file contents generated for ``path``."""
    return (
        json.dumps(notebook(path), indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    )


def stale(directory: pathlib.Path = EXAMPLES) -> list[str]:
    """Names of notebooks that are missing, out of date, or have no source."""
    problems = []
    sources = tutorials(directory)
    for path in sources:
        target = path.with_suffix(".ipynb")
        if not target.exists() or target.read_text() != notebook_text(path):
            problems.append(target.name)
    expected = {p.with_suffix(".ipynb").name for p in sources}
    problems += sorted(
        f"{p.name} (no source)"
        for p in directory.glob("*.ipynb")
        if p.name not in expected
    )
    return problems


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="only report stale notebooks"
    )
    args = parser.parse_args(argv)
    if args.check:
        problems = stale()
        for name in problems:
            print(f"stale: {name}", file=sys.stderr)
        return 1 if problems else 0
    for path in tutorials():
        target = path.with_suffix(".ipynb")
        text = notebook_text(path)
        if not target.exists() or target.read_text() != text:
            target.write_text(text)
            print(f"wrote {target.relative_to(EXAMPLES.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
