"""MkDocs hook: the site's view of the rest of the repository.

- The tutorial notebooks stay in ``examples/`` (their sources, tests and
  Colab badges live there); each ``examples/<name>.ipynb`` is added to the
  build as the page ``tutorials/<name>.ipynb``, which mkdocs-jupyter renders
  without executing it.
- Pages in ``docs/`` link to files outside it with relative links, which
  work when the Markdown is read on GitHub; in the site, a link to
  ``examples/<name>.ipynb`` goes to that tutorial's page and any other one
  to the file on GitHub (``repo_url``).
"""

from __future__ import annotations

import pathlib
import posixpath
import re

from mkdocs.plugins import event_priority
from mkdocs.structure.files import File

ROOT = pathlib.Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
#: Where the notebooks appear in the site (and in ``nav:``).
PAGE_DIR = "tutorials"
#: A Markdown link or image target that leaves docs/: ``](../...)``.
_OUTSIDE = re.compile(r"\]\((?P<path>\.\./[^)#\s]*)(?P<anchor>#[^)\s]*)?\)")


def notebooks() -> list[pathlib.Path]:
    """The tutorial notebooks, in file-name order."""
    return sorted(EXAMPLES.glob("*.ipynb"))


class NotebookPage(File):
    """A notebook outside ``docs/`` that builds as a page (``<name>/index.html``)."""

    def is_documentation_page(self) -> bool:
        return True


# After mkdocs-jupyter's own on_files, which would wrap these files in a way
# that loses their path outside docs/; it still renders them (on_pre_page),
# since they match its ``include: ["*.ipynb"]``.
@event_priority(-100)
def on_files(files, config):
    for path in notebooks():
        src_uri = f"{PAGE_DIR}/{path.name}"
        files.append(NotebookPage.generated(config, src_uri, abs_src_path=str(path)))
    return files


def on_page_markdown(markdown, page, config, files):
    here = posixpath.dirname(page.file.src_uri)

    def relink(match: re.Match) -> str:
        target = posixpath.normpath(posixpath.join(here, match.group("path")))
        if not target.startswith("../"):
            return match.group(0)  # still inside docs/
        in_repo = target[len("../") :]
        anchor = match.group("anchor") or ""
        folder, name = posixpath.split(in_repo)
        if (
            folder == "examples"
            and name.endswith(".ipynb")
            and (EXAMPLES / name).exists()
        ):
            page_uri = f"{PAGE_DIR}/{name}"
            return f"]({posixpath.relpath(page_uri, here or '.')}{anchor})"
        kind = "tree" if (ROOT / in_repo).is_dir() else "blob"
        return f"]({config.repo_url.rstrip('/')}/{kind}/main/{in_repo}{anchor})"

    return _OUTSIDE.sub(relink, markdown)


def on_page_content(html, page, config, files):
    if not page.file.src_uri.startswith(f"{PAGE_DIR}/"):
        return html
    # A notebook's header links its source, ``<name>.py``, beside it.
    source = f"{pathlib.PurePosixPath(page.file.src_uri).stem}.py"
    url = f"{config.repo_url.rstrip('/')}/blob/main/examples/{source}"
    return re.sub(rf'href="(\./)?{re.escape(source)}"', f'href="{url}"', html)
