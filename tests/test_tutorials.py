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
    "01_quickstart": [
        "quickstart_data.gif",
        "runs/quickstart/config.json",
        "runs/quickstart/samples/samples_epoch0003.gif",
        "runs/quickstart/export/6/saved_model.pb",
        "quickstart_losses.png",
        "quickstart_generated.gif",
    ],
    "02_four_variants": ["four_variants.gif"],
    "03_text_to_video": [
        "text_to_video_data.gif",
        "runs/text_to_video/config.json",
        "text_to_video_seen_and_unseen.gif",
        "text_to_video_oov.gif",
    ],
    "04_prediction_and_super_resolution": ["prediction_and_sr.gif"],
    "05_your_own_videos": [
        "my_clips/digit_0/clip_000.mp4",
        "real_batch.gif",
        "own_videos_samples.gif",
    ],
    "06_export_and_serve": [
        "serving/tfvgan/1/saved_model.pb",
        "serving/tfvgan/1/assets.extra/tfvgan_export.json",
        "served_samples.gif",
    ],
    "08_evaluation": [
        "evaluation.json",
        "evaluated_samples.gif",
        "stand_in_i3d/saved_model.pb",
    ],
}
#: Text each tutorial must print (short mode).
EXPECTED_OUTPUT = {
    "tf1_cgan_to_tf2": ["generated: (10, 1, 64, 64, 3)"],
    "01_quickstart": [
        "trained 6 steps in",
        "wrote quickstart_losses.png",
        "reloaded serving_default output: (4, 8, 32, 32, 1) uint8",
        "generate_from_seed output: (8, 8, 32, 32, 1) uint8",
        "same seeds give the same clips: True",
    ],
    "02_four_variants": [
        "recurrent: trained 4 steps",
        "rows: conditional, temporal, conv3d, recurrent | grid of (16, 4, 16, 16, 1)",
        "wrote four_variants.gif",
    ],
    "03_text_to_video": [
        "held-out captions among 512 training clips: 0",
        "trained steps: 8 |",
        "top: held-out captions; bottom: seen ones",
        "real clips (ceiling)",
        "generated, held-out captions",
        "-> ['digit', '7', 'moves', '[UNK]']",
        f"ids={[0] * 16} -> []",
    ],
    "04_prediction_and_super_resolution": [
        "predicted: (16, 4, 16, 16, 1)",
        "continued: (16, 2, 16, 16, 1) -> (16, 4, 16, 16, 1)",
        "2 frames ->   cGAN (frames)",
        "in-betweened: (16, 2, 16, 16, 1) -> (16, 4, 16, 16, 1)",
        "in-between    cGAN (keyframes)",
        "super-resolved: (16, 4, 4, 4, 1) -> (16, 4, 16, 16, 1)",
        "prediction    copy first frame",
        "super-res x4  bicubic",
    ],
    "05_your_own_videos": [
        "wrote 12 mp4 files into my_clips/",
        "class names: ['digit_0', 'digit_1', 'digit_2']",
        "13 video files found, 12 used, 1 skipped, 1 non-video files ignored",
        "skipped: digit_1/broken.mp4 - unreadable",
        "batch: (4, 4, 16, 16, 1) float32 range [-1.00, 1.00]",
        "generated: (3, 4, 16, 16, 1)",
    ],
    "06_export_and_serve": [
        "exported to serving/tfvgan/1",
        "signature_def['generate_from_seed']",
        "generate_from_seed equals gan.generate(seed=1): True",
        "rejected: assertion failed",
        "REST row body OK: video (2, 4, 16, 16, 1) uint8",
        "REST columnar body OK: video (2, 4, 16, 16, 1) uint8",
        "gRPC request OK: video (2, 4, 16, 16, 1) uint8",
    ],
    "07_distributed": [
        "replicas in sync: 2",
        "per-replica batch: 2",
        "per-replica slices: [(2, 4, 16, 16, 1), (2, 4, 16, 16, 1)]",
        "a generator variable: MirroredVariable",
        "2 replicas vs 1 device:",
        "-> task worker 1 of 2 workers",
        "rejected: TF_CONFIG task index 2 is out of range",
    ],
    "08_evaluation": [
        "real vs real ",
        "untrained vs real ",
        "trained vs real ",
        "stand-in I3D features: (2, 400)",
        "wrote evaluation.json",
    ],
}


def test_every_tutorial_is_listed():
    assert "tf1_cgan_to_tf2" in TUTORIALS
    for name in TUTORIALS:
        assert (EXAMPLES / f"{name}.ipynb").exists(), (
            f"run build_notebooks.py for {name}"
        )


def test_readme_links_every_tutorial_with_its_colab_badge():
    readme = (ROOT / "README.md").read_text()
    for name in TUTORIALS:
        assert f"(examples/{name}.py)" in readme, name
        badge = (
            f"colab.research.google.com/github/{build_notebooks.REPO}/blob/main/"
            f"examples/{name}.ipynb"
        )
        assert badge in readme, name


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


#: Executed in the default run; the other notebooks (10-20 s each) are slow
#: tests, which CI runs after the default suite (`.ci/run`).
# Every tutorial runs in the slow set (01_quickstart took 22 s of the
# default run); test_notebooks_match_their_sources stays fast.
DEFAULT_RUN: set[str] = set()


@pytest.mark.parametrize(
    "name",
    [
        name if name in DEFAULT_RUN else pytest.param(name, marks=pytest.mark.slow)
        for name in TUTORIALS
    ],
)
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
