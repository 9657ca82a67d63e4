"""The tutorials in examples/: notebooks in sync with their sources, and each
notebook executed top to bottom in short mode (``TFVGAN_SHORT=1``)."""

import importlib.util
import os
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


def _builder():
    spec = importlib.util.spec_from_file_location(
        "build_notebooks", EXAMPLES / "build_notebooks.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build_notebooks = _builder()
TUTORIALS = [p.stem for p in build_notebooks.tutorials(EXAMPLES)]

#: Files each tutorial must leave in its working directory (short mode).
EXPECTED_FILES = {
    "tf1_cgan_to_tf2": ["tf1_cgan_samples.gif"],
}
#: Text each tutorial must print (short mode).
EXPECTED_OUTPUT = {
    "tf1_cgan_to_tf2": ["generated: (10, 1, 64, 64, 3)"],
}


def test_every_tutorial_is_listed():
    assert "tf1_cgan_to_tf2" in TUTORIALS
    for name in TUTORIALS:
        assert (EXAMPLES / f"{name}.ipynb").exists(), (
            f"run build_notebooks.py for {name}"
        )


def test_notebooks_match_their_sources():
    assert build_notebooks.stale(EXAMPLES) == [], (
        "notebooks are out of date: run `python examples/build_notebooks.py`"
    )


def test_builder_splits_markdown_and_code(tmp_path):
    source = tmp_path / "01_demo.py"
    source.write_text(
        '"""\nTitle: Demo\nDescription: A demo.\nAccelerator: GPU\n"""\n'
        '"""\n## Section\n\nText.\n"""\n\nx = 1\n\n\ndef f():\n'
        '    """Docstring stays code."""\n    return x\n\n'
        '"""One-line markdown."""\nprint(f())\n'
    )
    nb = build_notebooks.notebook(source)
    kinds = [c["cell_type"] for c in nb["cells"]]
    assert kinds == ["markdown", "code", "markdown", "code", "markdown", "code"]
    assert "colab.research.google.com/github/" in "".join(nb["cells"][0]["source"])
    assert "%pip install" in "".join(nb["cells"][1]["source"])
    assert "".join(nb["cells"][2]["source"]) == "## Section\n\nText."
    assert '"""Docstring stays code."""' in "".join(nb["cells"][3]["source"])
    assert "".join(nb["cells"][4]["source"]) == "One-line markdown."
    assert nb["metadata"]["accelerator"] == "GPU"
    assert build_notebooks.stale(tmp_path) == ["01_demo.ipynb"]
    (tmp_path / "01_demo.ipynb").write_text(build_notebooks.notebook_text(source))
    (tmp_path / "99_orphan.ipynb").write_text("{}")
    assert build_notebooks.stale(tmp_path) == ["99_orphan.ipynb (no source)"]


def test_builder_rejects_a_missing_header(tmp_path):
    source = tmp_path / "02_bad.py"
    source.write_text('"""\nTitle: Only a title\n"""\nx = 1\n')
    with pytest.raises(ValueError, match="Description, Accelerator"):
        build_notebooks.notebook(source)


def _outputs_text(nb) -> str:
    parts = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                parts.append(output.get("text", ""))
            elif "data" in output:
                parts.append(output["data"].get("text/plain", ""))
    return "".join(parts)


@pytest.mark.parametrize("name", TUTORIALS)
def test_tutorial_notebook_runs_in_short_mode(name, tmp_path, monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    monkeypatch.setenv("TFVGAN_SHORT", "1")
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "2")
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    )
    nb = nbformat.read(EXAMPLES / f"{name}.ipynb", as_version=4)
    client = nbclient.NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()  # raises CellExecutionError on the first failing cell
    text = _outputs_text(nb)
    for expected in EXPECTED_OUTPUT.get(name, []):
        assert expected in text, text[-3000:]
    for filename in EXPECTED_FILES.get(name, []):
        assert (tmp_path / filename).exists(), sorted(os.listdir(tmp_path))
