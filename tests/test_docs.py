"""Docstrings of the registered layers and models: complete, and their
examples run and print what they say; every module's doctests pass.

Every class registered with `keras.saving.register_keras_serializable` in
`tfvgan/` documents its arguments (``Args:``), shows a short ``Example:``
and cites what it implements (``Reference:``). Each example is executed in
its module's namespace (plus ``tfvgan``); a shape written after it, as
``expr  # (2, 16)`` or as a comment line ``# expr == value``, is checked.
"""

from __future__ import annotations

import ast
import doctest
import importlib
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
SECTIONS = ("Args:", "Example:", "Reference:")


def _module_name(path: pathlib.Path) -> str:
    """``tfvgan/a/b.py`` -> ``tfvgan.a.b`` (a package's ``__init__.py`` -> the package)."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _registered_classes() -> list[tuple[str, str]]:
    """(module, class name) of every registered class, found without importing."""
    found = []
    for path in sorted((ROOT / "tfvgan").rglob("*.py")):
        tree = ast.parse(path.read_text())
        module = _module_name(path)
        for node in tree.body:
            if isinstance(node, ast.ClassDef) and any(
                "register_keras_serializable" in ast.unparse(d)
                for d in node.decorator_list
            ):
                found.append((module, node.name))
    return found


CLASSES = _registered_classes()
IDS = [name for _, name in CLASSES]


def test_the_scan_finds_the_public_classes():
    names = set(IDS)
    for expected in ("ConditionalGAN", "RecurrentGAN", "VideoConv3D", "LabelEncoder"):
        assert expected in names, sorted(names)
    assert len(CLASSES) >= 20, CLASSES


@pytest.mark.parametrize("module, name", CLASSES, ids=IDS)
def test_docstring_has_args_example_and_reference(module, name):
    path = ROOT / (module.replace(".", "/") + ".py")
    node = next(
        n
        for n in ast.parse(path.read_text()).body
        if isinstance(n, ast.ClassDef) and n.name == name
    )
    doc = ast.get_docstring(node) or ""
    missing = [s for s in SECTIONS if s not in doc]
    assert not missing, f"{module}.{name} docstring lacks {missing}"
    reference = doc.split("Reference:", 1)[1]
    assert "https://" in reference, f"{module}.{name}: Reference without a link"


_SHAPE = re.compile(r"^(?P<expr>.+?)\s+#\s*(?P<shape>\(\d+(?:,\s*\d+)*,?\))\s*$")
_CLAIM = re.compile(r"^#\s*(?P<claim>.+==.+)$")


def _python_block(doc: str) -> str | None:
    match = re.search(r"Example:.*?```python\n(.*?)```", doc, re.S)
    if not match:
        return None
    lines = match.group(1).splitlines()
    indent = min(len(s) - len(s.lstrip()) for s in lines if s.strip())
    return "\n".join(s[indent:] for s in lines)


def _run_block(code: str, namespace: dict) -> int:
    """Executes `code` statement by statement; returns how many claims it checked."""
    checked = 0
    statements = ast.parse(code).body
    lines = code.splitlines()
    for i, statement in enumerate(statements):
        source = "\n".join(lines[statement.lineno - 1 : statement.end_lineno])
        last = lines[statement.end_lineno - 1]
        shape = _SHAPE.match(last)
        if isinstance(statement, ast.Expr) and shape:
            value = eval(
                compile(ast.Expression(statement.value), "<example>", "eval"), namespace
            )
            expected = ast.literal_eval(shape.group("shape"))
            got = tuple(value.shape) if hasattr(value, "shape") else tuple(value)
            assert got == expected, (
                f"{source!r} gave {got}, the comment says {expected}"
            )
            checked += 1
        else:
            exec(compile(ast.Module([statement], []), "<example>", "exec"), namespace)
        # Comment lines between this statement and the next: `# a == b` claims.
        stop = statements[i + 1].lineno - 1 if i + 1 < len(statements) else len(lines)
        for comment in lines[statement.end_lineno : stop]:
            claim = _CLAIM.match(comment.strip())
            if claim:
                assert eval(claim.group("claim"), namespace), comment
                checked += 1
    return checked


@pytest.mark.parametrize("module, name", CLASSES, ids=IDS)
def test_docstring_example_runs(module, name):
    import keras

    import tfvgan

    mod = importlib.import_module(module)
    cls = getattr(mod, name)
    code = _python_block(cls.__doc__)
    keras.utils.set_random_seed(0)
    if code is None:
        # doctest style (>>> lines with the expected output below them).
        finder = doctest.DocTestFinder(recurse=False)
        tests = finder.find(cls, name, globs={**vars(mod), "tfvgan": tfvgan})
        assert tests and tests[0].examples, f"{module}.{name}: no runnable example"
        runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
        for test in tests:
            runner.run(test)
        assert runner.failures == 0, f"{module}.{name}: doctest failed"
        return
    _run_block(code, {**vars(mod), "tfvgan": tfvgan})


def test_every_submodule_is_reachable_from_the_package():
    """`tfvgan.<name>` works for every module and package under tfvgan/."""
    import tfvgan

    names = {
        p.stem if p.is_file() else p.name
        for p in (ROOT / "tfvgan").iterdir()
        if not p.name.startswith("_")
        and (p.suffix == ".py" or (p / "__init__.py").exists())
    }
    assert names <= set(tfvgan._SUBMODULES), sorted(names - set(tfvgan._SUBMODULES))


MODULES = [_module_name(p) for p in sorted((ROOT / "tfvgan").rglob("*.py"))]


@pytest.mark.parametrize("module", MODULES)
def test_module_doctests_pass(module):
    """The ``>>>`` examples of every function and class print what they show.

    Examples that need files or a download are marked ``+SKIP`` in place.
    """
    import tfvgan

    mod = importlib.import_module(module)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(
        optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS
    )
    for test in finder.find(mod, module, globs={**vars(mod), "tfvgan": tfvgan}):
        runner.run(test)
    assert runner.failures == 0, f"{module}: {runner.failures} doctest failure(s)"


def test_module_doctests_are_found():
    """The scan above reaches the doctests (it would pass vacuously if not)."""
    import tfvgan.video_io

    tests = doctest.DocTestFinder(exclude_empty=True).find(tfvgan.video_io)
    assert sum(len(t.examples) for t in tests) >= 5


def _function_blocks() -> list[tuple[str, str, str]]:
    found = []
    for path in sorted((ROOT / "tfvgan").rglob("*.py")):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.FunctionDef):
                code = _python_block(ast.get_docstring(node) or "")
                if code is not None:
                    found.append((str(path.relative_to(ROOT)), node.name, code))
    return found


FUNCTION_BLOCKS = _function_blocks()


@pytest.mark.parametrize(
    "path, name, code", FUNCTION_BLOCKS, ids=[n for _, n, _ in FUNCTION_BLOCKS]
)
def test_function_example_blocks_are_valid_python(path, name, code):
    """Function examples written as code blocks (they use a trained `gan` or
    files, so they are not run) at least parse."""
    compile(code, f"{path}:{name}", "exec")
