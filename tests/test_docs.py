"""Docstrings of the registered layers and models: complete, and their
examples run and print what they say; every module's doctests pass.

Every class registered with `keras.saving.register_keras_serializable` in
`tfvgan/` documents its arguments (``Args:``), shows a short ``Example:``
and cites what it implements (``Reference:``). Each example is executed in
its module's namespace (plus ``tfvgan``); a shape written after it, as
``expr  # (2, 16)`` or as a comment line ``# expr == value``, is checked.

The documentation site (``mkdocs.yml``, ``docs/``): every public module has
an API reference page, every name in an ``__all__`` is rendered on one, and
every page of the nav exists (see the section at the end).
"""

from __future__ import annotations

import ast
import doctest
import importlib
import pathlib
import pkgutil
import re
import textwrap

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
    from tfvgan.video_io import _common, _reading, _writing

    finder = doctest.DocTestFinder(exclude_empty=True)
    tests = [t for m in (_common, _reading, _writing) for t in finder.find(m)]
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


# The documentation site (mkdocs.yml, docs/): every public module and name
# has a place in the API reference, and every page of the nav exists. Read
# statically (ast, no import of tfvgan's modules), so these take well under
# a second; `mkdocs build --strict` (CI) checks that the pages render.

DOCS = ROOT / "docs"
API = DOCS / "api"
#: Public packages left out of the API reference, with where they are
#: documented instead.
NOT_IN_API = {"tfvgan.cli": "the command lines: docs/training, serving, evaluation"}
_DIRECTIVE = re.compile(r"^:::\s*(?P<target>[\w.]+)\s*$")
_LINK = re.compile(r"\[`(?P<name>tfvgan(?:\.\w+)+)`\]\[[\w.]+\]")


def _source(module: str) -> pathlib.Path:
    path = ROOT / module.replace(".", "/")
    return path / "__init__.py" if path.is_dir() else path.with_suffix(".py")


def _public_modules(path=ROOT / "tfvgan", prefix="tfvgan.") -> list[str]:
    """tfvgan's public submodules, found as `pkgutil.walk_packages` would find
    them but without importing (walk_packages imports every package, and so
    TensorFlow): names with a part starting with ``_`` and the `NOT_IN_API`
    packages are left out."""
    found = []
    for info in pkgutil.iter_modules([str(path)], prefix):
        if info.name.rsplit(".", 1)[-1].startswith("_") or info.name in NOT_IN_API:
            continue
        found.append(info.name)
        if info.ispkg:
            found += _public_modules(
                path / info.name.rsplit(".", 1)[-1], f"{info.name}."
            )
    return found


def _exports(module: str) -> list[str] | None:
    """``module.__all__``, evaluated from the source: a list/tuple of strings,
    possibly with ``*NAME`` items naming module-level literals (a dict gives
    its keys). Anything else (``__all__ +=``, computed) imports the module."""
    tree = ast.parse(_source(module).read_text())
    literals, value, edits = {}, None, 0
    for node in ast.walk(tree):
        if isinstance(node, ast.AugAssign | ast.AnnAssign) and "__all__" in ast.unparse(
            node.target
        ):
            edits += 1
        elif isinstance(node, ast.Attribute) and ast.unparse(node.value) == "__all__":
            edits += 1
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name) and target.id == "__all__":
                value = node.value
            elif isinstance(target, ast.Name):
                try:
                    literals[target.id] = ast.literal_eval(node.value)
                except ValueError:
                    pass
    if value is None and not edits:
        return None
    names = []
    try:
        assert not edits and isinstance(value, ast.List | ast.Tuple)
        for item in value.elts:
            if isinstance(item, ast.Starred):
                names += list(literals[item.value.id])
            else:
                names.append(ast.literal_eval(item))
    except (AssertionError, AttributeError, KeyError, ValueError):
        return list(importlib.import_module(module).__all__)
    return names


def _page(module: str) -> pathlib.Path:
    """The API page that documents `module`: ``docs/api/<top-level>.md``."""
    parts = module.split(".")
    return API / (f"{parts[1]}.md" if len(parts) > 1 else "index.md")


def _directives(page: pathlib.Path) -> list[tuple[str, list[str] | None]]:
    """``(target, members)`` of each ``::: target`` of `page`; `members` is
    the explicit ``options: members:`` list, None when the directive renders
    the target's ``__all__`` (mkdocstrings' default), [] for ``false``."""
    yaml = pytest.importorskip("yaml")  # with jupytext ([test]) and mkdocs ([docs])
    lines = page.read_text().splitlines() if page.exists() else []
    found = []
    for i, line in enumerate(lines):
        match = _DIRECTIVE.match(line)
        if not match:
            continue
        block = []
        for below in lines[i + 1 :]:
            if below.strip() and not below.startswith(" "):
                break
            block.append(below)
        options = (yaml.safe_load(textwrap.dedent("\n".join(block))) or {}).get(
            "options"
        ) or {}
        members = options.get("members")
        if members is False:
            members = []
        elif members is True:
            members = None
        found.append((match.group("target"), members))
    return found


def _covered(module: str, name: str) -> bool:
    """Whether `module.name` (public in `module.__all__`) is rendered."""
    page = _page(module)
    for target, members in _directives(page):
        if target == module and (members is None or name in members):
            return True
        if target == f"{module}.{name}" or (
            target.startswith(f"{module}.") and target.endswith(f".{name}")
        ):
            return True  # documented alone (also: a submodule shadows it)
    if module == "tfvgan":
        if f"tfvgan.{name}" in PUBLIC_MODULES:  # a submodule: its own page
            page = _page(f"tfvgan.{name}")
            return any(t == f"tfvgan.{name}" for t, _ in _directives(page))
        text = page.read_text() if page.exists() else ""
        return f"tfvgan.{name}" in {m.group("name") for m in _LINK.finditer(text)}
    parent = module.rsplit(".", 1)[0]
    # Re-exported by its package (tfvgan.data.arrays.from_arrays is
    # tfvgan.data.from_arrays): documented where the package is.
    return (
        parent != "tfvgan"
        and name in (_exports(parent) or [])
        and _covered(parent, name)
    )


PUBLIC_MODULES = _public_modules()
EXPORTING = [m for m in ["tfvgan", *PUBLIC_MODULES] if _exports(m) is not None]


def test_the_docs_scan_finds_the_public_modules():
    for expected in ("tfvgan.models", "tfvgan.data.arrays", "tfvgan.video_io"):
        assert expected in PUBLIC_MODULES, PUBLIC_MODULES
    assert not [m for m in PUBLIC_MODULES if m.startswith("tfvgan.cli")]
    import tfvgan  # cheap: submodules load lazily

    assert _exports("tfvgan") == list(tfvgan.__all__)


@pytest.mark.parametrize("module", [m for m in PUBLIC_MODULES if m.count(".") == 1])
def test_every_public_module_has_an_api_page(module):
    page = _page(module)
    targets = [t for t, _ in _directives(page)]
    assert module in targets, (
        f"{module} is a public module without an API page: create "
        f"{page.relative_to(ROOT)} with the line `::: {module}` and add it to "
        f"the nav of mkdocs.yml (API reference) and to the table of docs/api/index.md"
    )


@pytest.mark.parametrize("module", EXPORTING)
def test_every_public_name_is_in_the_api_reference(module):
    missing = [
        name
        for name in _exports(module)
        if f"{module}.{name}" not in NOT_IN_API and not _covered(module, name)
    ]
    where = {}  # page to edit -> names
    for name in missing:
        submodule = module == "tfvgan" and f"tfvgan.{name}" in PUBLIC_MODULES
        page = _page(f"tfvgan.{name}" if submodule else module).relative_to(ROOT)
        where.setdefault(str(page), []).append(name)
    assert not missing, (
        f"{module}.__all__ names {missing}, which the API reference does not "
        f"render; edit {where}: a `::: {module}` directive renders all of "
        f"`__all__` (a submodule of tfvgan: `::: tfvgan.<name>` on its own page), "
        f"or add `::: {module}.<name>` for each name"
        + (
            "; top-level shortcuts are listed on docs/api/index.md as "
            "[`tfvgan.<name>`][<the object's documented path>]"
            if module == "tfvgan"
            else ""
        )
    )


def _resolves(target: str) -> bool:
    """Whether `target` names a module of tfvgan/ or a name defined in one."""
    parts = target.split(".")
    for cut in range(len(parts), 0, -1):
        module, rest = ".".join(parts[:cut]), parts[cut:]
        if not _source(module).exists():
            continue
        if not rest:
            return True
        tree = ast.parse(_source(module).read_text())
        defined = set(_exports(module) or [])
        for node in tree.body:
            if isinstance(node, ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef):
                defined.add(node.name)
            elif isinstance(node, ast.Assign | ast.AnnAssign):
                for target_node in getattr(
                    node, "targets", [getattr(node, "target", None)]
                ):
                    defined |= {
                        n.id for n in ast.walk(target_node) if isinstance(n, ast.Name)
                    }
        return rest[0] in defined
    return False


def test_api_pages_document_existing_objects():
    stale = [
        f"{page.relative_to(ROOT)}: ::: {target}"
        for page in sorted(API.glob("*.md"))
        for target, _ in _directives(page)
        if not _resolves(target)
    ]
    assert not stale, f"these API directives name nothing in tfvgan/: {stale}"


def _nav_pages() -> list[str]:
    yaml = pytest.importorskip("yaml")

    class Loader(yaml.SafeLoader):
        """Tolerates the ``!!python/...`` tags some mkdocs.yml files use."""

    Loader.add_multi_constructor("", lambda loader, suffix, node: None)
    config = yaml.load((ROOT / "mkdocs.yml").read_text(), Loader=Loader)

    def flatten(items):
        for item in items:
            if isinstance(item, str):
                yield item
            elif isinstance(item, dict):
                for value in item.values():
                    yield from flatten(value) if isinstance(value, list) else [value]

    assert config["docs_dir"] == "docs"
    return [p for p in flatten(config["nav"]) if "://" not in p]


def _nav_source(page: str) -> pathlib.Path:
    """The file behind a nav entry; tutorials/<name>.ipynb is examples/<name>.ipynb
    (added by docs/_hooks/repository.py)."""
    if page.startswith("tutorials/") and page.endswith(".ipynb"):
        return ROOT / "examples" / page.split("/", 1)[1]
    return DOCS / page


def test_every_nav_page_exists():
    missing = [p for p in _nav_pages() if not _nav_source(p).exists()]
    assert not missing, f"mkdocs.yml's nav names missing pages: {missing}"


def test_every_page_and_tutorial_is_in_the_nav():
    nav = set(_nav_pages())
    pages = {
        str(p.relative_to(DOCS))
        for p in DOCS.rglob("*.md")
        if not p.relative_to(DOCS).parts[0].startswith("_")
    }
    pages |= {f"tutorials/{p.name}" for p in (ROOT / "examples").glob("*.ipynb")}
    assert not pages - nav, (
        f"add these pages to mkdocs.yml's nav: {sorted(pages - nav)}"
    )
