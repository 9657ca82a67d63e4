"""The pretrained presets shipped in the package (`tfvgan.pretrained`)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

import tfvgan
from tfvgan import evaluate, pretrained, sample

NAMES = sorted(pretrained.SHIPPED)

#: How close a re-measured figure must be to the recorded one. Pixel scores
#: depend only on the shipped weights, the seeded data and float rounding;
#: feature scores also on the digit classifier, which a fresh machine trains
#: again (seeded, but its float rounding may differ).
PIXEL_TOLERANCE = {"psnr": 0.05, "ssim": 0.005, "diversity": 0.001}
#: Feature scores, by key prefix: (relative, absolute), the larger applies.
#: Accuracies on 64 clips move in steps of 1/64: two clips' worth.
FEATURE_TOLERANCE = {
    "fvd": (0.10, 0.1),
    "kvd": (0.20, 0.01),
    "inception_score": (0.05, 0.0),
    "conditional_accuracy": (0.0, 2 / 64),
    "caption_": (0.0, 2 / 64),
    "seen_": (0.0, 2 / 64),
    "held_out_": (0.0, 2 / 64),
}


def _cli(module, *args, env=None):
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, **(env or {})},
    )


def _protocol(meta):
    return meta["evaluation"]["protocol"]


def test_every_shipped_preset_is_packaged_with_its_facts():
    assert pretrained.names() == NAMES
    total = 0
    for name in NAMES:
        meta = pretrained.verify(name)  # the checksum matches
        assert meta["name"] == name
        assert meta["description"] == pretrained.SHIPPED[name]["description"]
        assert meta["seed"] == pretrained.SHIPPED[name]["seed"]
        assert meta["run_preset"] == pretrained.SHIPPED[name]["run_preset"]
        assert f"--presets {name}" in meta["command"]
        assert meta["code_version"]["tfvgan"] and meta["code_version"]["git"]
        assert meta["weights"]["dtype"] == "float16"
        assert meta["evaluation"]["figures"]["fvd"] > 0
        assert meta["check"]["figures"]["num_videos"] == meta["check"]["num_videos"]
        total += os.path.getsize(pretrained.weights_path(name))
    assert total <= 25 * 2**20
    rows = tfvgan.models.list_presets()
    assert [r["name"] for r in rows] == NAMES
    assert all(r["description"] and "fvd" in r["figures"] for r in rows)


@pytest.fixture
def offline(monkeypatch):
    """Connections beyond this machine fail, as on a machine without a network."""
    import socket

    connect = socket.socket.connect

    def local_only(sock, address):
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and host not in ("127.0.0.1", "::1", "localhost"):
            raise OSError(f"test: no network (connect to {address!r})")
        return connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", local_only)


@pytest.mark.parametrize("name", NAMES)
def test_preset_loads_offline_and_generates_its_clips(name, offline):
    meta = pretrained.metadata(name)
    gan = tfvgan.models.from_preset(name)
    assert type(gan).__name__ == meta["class"]
    assert gan.preset_metadata["weights"]["sha256"] == meta["weights"]["sha256"]
    condition = sample.example_conditions(
        gan, 2, _protocol(meta)["data_kwargs"] or None
    )
    clips = gan.generate(2, condition=condition, seed=3)
    clip = meta["clip"]
    assert clips.shape == (
        2,
        clip["frames"],
        clip["size"],
        clip["size"],
        clip["channels"],
    )
    assert np.isfinite(clips).all() and clips.min() >= -1 and clips.max() <= 1
    # The same seed gives the same clips; the trained weights were loaded
    # (the untrained model of the same arguments makes other clips).
    np.testing.assert_allclose(gan.generate(2, condition=condition, seed=3), clips)
    untrained = type(gan)(**meta["kwargs"])
    assert (
        np.abs(untrained.generate(2, condition=condition, seed=3) - clips).mean() > 0.01
    )


def _check_figures(name) -> dict:
    try:
        return pretrained.metadata(name).get("check", {}).get("figures", {})
    except ValueError:  # reported by the tests above, not at collection
        return {}


@pytest.mark.parametrize("name", [n for n in NAMES if "psnr" in _check_figures(n)])
def test_preset_reproduces_its_recorded_pixel_scores(name, tmp_path):
    """PSNR/SSIM against the real clips and against the baseline, on the
    recorded small sample: they depend on the shipped weights only. The
    super-resolution preset goes through ``tfvgan-eval --preset
    --nofeatures``, the others through the function it calls."""
    check = pretrained.metadata(name)["check"]
    if name == "moving_digits_superres":
        out = tmp_path / "eval.json"
        proc = _cli(
            "tfvgan.cli.evaluate", f"--preset={name}", "--nofeatures",
            f"--num_videos={check['num_videos']}", f"--output={out}",
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr[-2000:]
        got = json.loads(out.read_text())
    else:
        got = evaluate.evaluate_preset(name, check["num_videos"], features=False)
    checked = 0
    for key, recorded in check["figures"].items():
        kind = next((k for k in PIXEL_TOLERANCE if key.startswith(k)), None)
        if kind is None or not isinstance(recorded, float):
            continue
        assert got[key] == pytest.approx(recorded, abs=PIXEL_TOLERANCE[kind]), key
        checked += 1
    assert checked >= 4  # the model's and the baseline's PSNR and SSIM at least
    assert "fvd" not in got  # no extractor without features


def test_variant_from_preset_checks_the_variant_and_names_the_presets():
    from tfvgan.models import ConditionalGAN, RecurrentGAN, VideoGAN

    assert isinstance(RecurrentGAN.from_preset("moving_digits_label"), RecurrentGAN)
    with pytest.raises(ValueError, match="is a ConditionalGAN, not a RecurrentGAN"):
        RecurrentGAN.from_preset("moving_digits_predict")
    with pytest.raises(ValueError, match="needs a variant"):
        VideoGAN.from_preset("moving_digits_label")
    with pytest.raises(ValueError, match="moving_digits_label"):
        tfvgan.models.from_preset("moving_digits_labels")
    # An unknown name lists the architecture and the pretrained presets.
    with pytest.raises(ValueError, match=r"\['paper'.*moving_digits_inbetween"):
        ConditionalGAN.from_preset("huge")


@pytest.fixture
def preset_copy(tmp_path, monkeypatch):
    """The shipped presets copied to a folder the test may damage."""
    folder = tmp_path / "presets"
    shutil.copytree(pretrained.PRESET_DIR, folder)
    monkeypatch.setattr(pretrained, "PRESET_DIR", str(folder))
    return folder


def test_a_damaged_weights_file_is_refused(preset_copy):
    name = "moving_digits_label"
    path = preset_copy / f"{name}.weights.npz"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(pretrained.PresetError, match="SHA-256.*damaged"):
        tfvgan.models.from_preset(name)
    path.unlink()
    with pytest.raises(pretrained.PresetError, match="missing"):
        tfvgan.models.from_preset(name)


def test_weights_that_do_not_fit_the_model_are_refused(preset_copy):
    from tfvgan.models import RecurrentGAN

    meta = pretrained.metadata("moving_digits_label")
    with pytest.raises(pretrained.PresetError, match="do not match the preset"):
        pretrained.assign_weights(
            RecurrentGAN(**{**meta["kwargs"], "width": 16}).generator,
            "moving_digits_label",
        )
    # A re-saved file with a bad checksum in its metadata is refused too.
    meta["weights"]["sha256"] = "0" * 64
    pretrained.write_metadata("moving_digits_label", meta)
    with pytest.raises(pretrained.PresetError, match="SHA-256"):
        pretrained.verify("moving_digits_label")


def test_save_then_load_round_trips_in_float16(tmp_path):
    from tfvgan.models import RecurrentGAN

    kwargs = dict(frames=4, size=16, channels=1, content_dim=6, motion_dim=2, width=8,
                  d_width=8, seed=1)  # fmt: skip
    gan = RecurrentGAN(**kwargs)
    meta = {"variant": "recurrent", "class": "RecurrentGAN", "kwargs": kwargs}
    written = pretrained.save(gan.generator, "tiny", meta, directory=tmp_path)
    assert pretrained.names(tmp_path) == ["tiny"]
    assert written["weights"]["sha256"] == pretrained.sha256(
        pretrained.weights_path("tiny", tmp_path)
    )
    with np.load(pretrained.weights_path("tiny", tmp_path), allow_pickle=False) as f:
        assert {f[k].dtype for k in f.files} <= {np.dtype("float16")}
    other = RecurrentGAN(**{**kwargs, "seed": 2})
    pretrained.assign_weights(other.generator, "tiny", tmp_path)
    for a, b in zip(gan.generator.weights, other.generator.weights):
        np.testing.assert_allclose(b.numpy(), a.numpy(), rtol=1e-3, atol=1e-4)


def test_sample_cli_writes_clips_of_a_preset(tmp_path):
    out = tmp_path / "clips"
    proc = _cli(
        "tfvgan.cli.sample",
        "--preset=moving_digits_label",
        "--labels=3,7",
        f"--out_dir={out}",
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert sorted(os.listdir(out)) == ["sample_000.gif", "sample_001.gif"]
    # A frame-conditioned preset samples from held-out clips by default.
    paths = sample.sample(
        preset="moving_digits_inbetween", out_dir=tmp_path / "b", num_videos=2
    )
    assert len(paths) == 2
    with pytest.raises(ValueError, match="exactly one of"):
        sample.sample(preset="moving_digits_label", run_dir=str(tmp_path))


@pytest.mark.parametrize(
    "module,args,message",
    [
        ("tfvgan.cli.sample", ["--preset=nope"], "is not shipped; the presets are"),
        ("tfvgan.cli.evaluate", ["--preset=nope"], "is not shipped"),
        (
            "tfvgan.cli.evaluate",
            ["--preset=moving_digits_label", "--data_seed=3"],
            "recorded protocol; drop --data_seed",
        ),
        ("tfvgan.cli.export", ["--preset=moving_digits_label"], "needs --export_dir"),
        ("tfvgan.cli.evaluate", ["--run_dir=.", "--nofeatures"], "--preset only"),
        (
            "tfvgan.cli.evaluate",
            ["--preset=moving_digits_label", "--nofeatures"],
            "has no pixel scores",
        ),
        ("tfvgan.cli.evaluate", ["--train_extractor", "--nofeatures"], "drop"),
    ],
)
def test_preset_flags_refuse_bad_requests(module, args, message):
    proc = _cli(module, *args)
    assert proc.returncode != 0
    assert message in proc.stderr


@pytest.mark.slow  # ~20 s: writes and verifies a SavedModel
def test_export_cli_exports_a_preset(tmp_path):
    from tfvgan.serving import SavedModelGenerator

    proc = _cli(
        "tfvgan.cli.export",
        "--preset=moving_digits_label",
        f"--export_dir={tmp_path}",
        "--max_batch=4",
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    served = SavedModelGenerator(proc.stdout.strip().splitlines()[-1])
    gan = tfvgan.models.from_preset("moving_digits_label")
    expected = gan.generate(2, condition=[3, 7], seed=4)
    got = served.generate(2, condition=np.array([3, 7], np.int32), seed=4)
    assert np.abs(np.asarray(got) - expected).max() < 1e-3


def _close(key, got, recorded) -> bool:
    kind = next((k for k in PIXEL_TOLERANCE if key.startswith(k)), None)
    if kind is not None:
        return abs(got - recorded) <= PIXEL_TOLERANCE[kind]
    prefix = next(k for k in FEATURE_TOLERANCE if key.startswith(k))
    relative, absolute = FEATURE_TOLERANCE[prefix]
    return abs(got - recorded) <= max(absolute, relative * abs(recorded))


def test_every_recorded_figure_has_a_tolerance():
    for name in NAMES:
        for key, value in _check_figures(name).items():
            if isinstance(value, float):
                assert any(
                    key.startswith(k) for k in (*PIXEL_TOLERANCE, *FEATURE_TOLERANCE)
                ), key


@pytest.mark.slow  # ~1.5 min: trains the two digit classifiers, scores 6 presets
def test_eval_cli_reproduces_every_recorded_figure(tmp_path):
    """``tfvgan-eval --preset`` on the recorded small sample, each in a
    fresh process, with digit classifiers trained afresh (as on a new
    machine): every figure within `PIXEL_TOLERANCE` / `FEATURE_TOLERANCE`.
    (In the test process itself the classifiers train differently: other
    tests leave their global state behind.)"""
    env = {"TFVGAN_CACHE_DIR": str(tmp_path / "cache")}
    misses = []
    for name in NAMES:
        check = pretrained.metadata(name)["check"]
        out = tmp_path / f"{name}.json"
        proc = _cli(
            "tfvgan.cli.evaluate",
            f"--preset={name}",
            f"--num_videos={check['num_videos']}",
            f"--output={out}",
            env=env,
        )
        assert proc.returncode == 0, proc.stderr[-2000:]
        got = json.loads(out.read_text())
        for key, recorded in check["figures"].items():
            if not isinstance(recorded, float):
                assert got[key] == recorded, (name, key)
                continue
            if not _close(key, got[key], recorded):
                misses.append((name, key, recorded, got[key]))
    assert not misses, misses


def test_the_docs_show_the_shipped_figures():
    """README and the presets page hold the table `train_presets.py --stage
    table` prints from the shipped metadata."""
    import importlib.util
    import pathlib

    root = pathlib.Path(__file__).resolve().parents[1]
    spec = importlib.util.spec_from_file_location(
        "train_presets", root / "benchmarks" / "train_presets.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    table = module.table()
    assert table.count("\n") == len(NAMES) + 1
    for page in ("README.md", "docs/presets.md"):
        assert table in (root / page).read_text(), page
