"""The package's layout: the run folder's owner (`tfvgan.runs`), the flags
generated from `TrainConfig`'s fields (`tfvgan.cli.train`), and the
layering the import-linter contracts (.importlinter) keep."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import sys

import pytest

from tfvgan import config as config_lib
from tfvgan import runs, validation


# ------------------------------------------------------------------- runs
def test_read_config_names_a_missing_or_broken_config(tmp_path):
    assert not runs.is_run_dir(tmp_path)
    with pytest.raises(FileNotFoundError, match="written by tfvgan-train"):
        runs.read_config(tmp_path)
    (tmp_path / runs.CONFIG_FILE).write_text('{"model": "gan9000"}')
    assert runs.is_run_dir(tmp_path)
    with pytest.raises(runs.RunDirError, match="gan9000"):
        runs.read_config(tmp_path)


def test_config_round_trips_through_the_run_folder(tmp_path):
    config = config_lib.TrainConfig.from_preset("tiny", run_dir=str(tmp_path))
    clip = {"frames": 4, "size": 16, "channels": 1}
    runs.write_config(config, tmp_path, clip=clip, total_steps=4)
    assert runs.read_config(tmp_path) == config
    saved = json.loads((tmp_path / "config.json").read_text())
    assert saved[config_lib.CLIP_KEY] == clip
    assert runs.saved_total_steps(tmp_path) == 4
    # Nothing to resume without a checkpoint; with one, the config comes back.
    assert runs.resumable_config(tmp_path) is None
    os.makedirs(runs.checkpoint_dir(tmp_path))
    (tmp_path / runs.CHECKPOINTS / "checkpoint").write_text("")
    assert runs.resumable_config(tmp_path) == config
    # A resume may change the length, not the model.
    longer = dataclasses.replace(config, epochs=9)
    runs.write_config(longer, tmp_path, saved=config)
    other = dataclasses.replace(config, batch_size=2)
    with pytest.raises(runs.RunDirError, match=r"\['batch_size'\]"):
        runs.write_config(other, tmp_path, saved=longer)
    assert runs.read_config(tmp_path) == longer


def test_checkpoint_prefixes_lead_back_to_their_run(tmp_path):
    ckpt = tmp_path / "run" / runs.CHECKPOINTS
    ckpt.mkdir(parents=True)
    assert runs.run_dir_of_checkpoint(ckpt / "ckpt-4") is None
    (ckpt / "ckpt-4.index").write_text("")
    assert runs.run_dir_of_checkpoint(ckpt / "ckpt-4") == str(tmp_path / "run")
    assert runs.export_dir(tmp_path) == os.path.join(str(tmp_path), "export")


def test_cannot_write_says_why(tmp_path):
    assert runs.cannot_write(tmp_path) is None
    assert runs.cannot_write(tmp_path / "missing")  # no such folder


# ------------------------------------------------------------------ flags
def _flag_values():
    from absl import flags

    from tfvgan.cli import train as cli_train

    fv = flags.FlagValues()
    cli_train.define_flags(fv)
    return fv


def test_every_config_field_is_a_flag_with_the_help_of_its_metadata():
    fv = _flag_values()
    for field in dataclasses.fields(config_lib.TrainConfig):
        if field.name in ("g_optimizer", "d_optimizer"):
            continue
        assert field.name in fv, field.name
        assert fv[field.name].help.endswith(field.metadata["help"])  # enums: "<a|b>: "
        assert fv[field.name].default is None  # a flag not given keeps the preset's
    assert fv["g_lr"].help == "Generator Adam learning rate."
    assert fv["d_lr"].help == "Discriminator Adam learning rate."
    for name in ("beta_1", "beta_2", "lr_decay"):
        assert name in fv
    assert list(fv["loss"].parser.enum_values) == list(config_lib.LOSS_NAMES)
    assert list(fv["jit_compile"].parser.enum_values) == ["auto", "true", "false"]


def test_a_new_config_field_becomes_a_flag(monkeypatch):
    """The flags follow the dataclass: a field added there is a flag."""
    from absl import flags

    from tfvgan.cli import train as cli_train

    base = config_lib.TrainConfig

    @dataclasses.dataclass(frozen=True)
    class Extended(base):
        warmup_steps: int = validation.config_field(0, "Warm-up steps.", minimum=0)

    monkeypatch.setattr(config_lib, "TrainConfig", Extended)
    fv = flags.FlagValues()
    cli_train.define_flags(fv)
    fv(["prog", "--warmup_steps=5", "--preset=tiny"])
    assert fv["warmup_steps"].help == "Warm-up steps."
    assert cli_train.config_from_flags(fv).warmup_steps == 5
    with pytest.raises(flags.IllegalFlagValueError):
        fv["warmup_steps"].parse("-1")


def test_declared_fields_are_checked_and_converted():
    """`check_fields` follows each `config_field` declaration: bounds, choices,
    types, and ints/floats stored as plain Python numbers."""
    import numpy as np

    @dataclasses.dataclass(frozen=True)
    class Settings:
        steps: int = validation.config_field(1, "Steps.", minimum=1)
        rate: float = validation.config_field(0.1, "Rate.", minimum=0.0, maximum=1.0)
        mode: str = validation.config_field("a", "Mode.", choices=("a", "b"))
        tags: dict = validation.config_field(dict, "Tags.")

        def __post_init__(self):
            validation.check_fields(self)

    settings = Settings(steps=np.int64(3), rate=np.float32(0.5))
    assert type(settings.steps) is int and type(settings.rate) is float
    assert Settings().tags == {} and Settings().tags is not Settings().tags
    with pytest.raises(ValueError, match="steps"):
        Settings(steps=0)
    with pytest.raises(ValueError, match="rate"):
        Settings(rate=1.0)  # the maximum is exclusive
    with pytest.raises(ValueError, match="mode"):
        Settings(mode="c")


def test_frozen_kwargs_is_read_only_and_checks_its_keys():
    frozen = validation.frozen_kwargs({"width": 8}, "model_kwargs")
    assert dict(frozen) == {"width": 8}
    with pytest.raises(TypeError):
        frozen["width"] = 16
    assert dict(validation.frozen_kwargs(None, "model_kwargs")) == {}
    with pytest.raises(ValueError, match="model_kwargs keys"):
        validation.frozen_kwargs({"not a name": 1}, "model_kwargs")
    with pytest.raises(ValueError, match="mapping"):
        validation.frozen_kwargs([("width", 8)], "model_kwargs")


def test_cli_export_default_batch_is_the_library_default():
    from tfvgan import export
    from tfvgan.cli import export as cli_export

    assert cli_export.DEFAULT_MAX_BATCH == export.DEFAULT_MAX_BATCH


# --------------------------------------------------------------- layering
def test_library_modules_define_no_flags():
    """Command lines live in tfvgan/cli/ only."""
    root = os.path.join(os.path.dirname(__file__), "..", "tfvgan")
    offenders = []
    for folder, _, files in os.walk(root):
        if os.path.basename(folder) == "cli":
            continue
        for name in files:
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                with open(path) as f:
                    text = f.read()
                if "DEFINE_" in text or "absl import app" in text:
                    offenders.append(os.path.relpath(path, root))
    assert offenders == []


@pytest.mark.skipif(shutil.which("lint-imports") is None, reason="import-linter")
def test_import_contracts_hold():
    root = os.path.join(os.path.dirname(__file__), "..")
    proc = subprocess.run(
        [shutil.which("lint-imports")],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": os.path.abspath(root)},
    )
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert "2 kept, 0 broken" in proc.stdout, proc.stdout[-3000:]


def test_import_of_a_command_line_does_not_import_tensorflow():
    code = (
        "import sys\n"
        "from tfvgan.cli import demo, evaluate, export, sample, train\n"
        "print('tensorflow' in sys.modules)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert proc.stdout.strip() == "False", proc.stderr


def test_config_numbers_are_plain_and_flag_bounds_are_the_configs():
    import numpy as np
    from absl import flags

    config = config_lib.TrainConfig(batch_size=np.int64(4), gp_weight=np.float32(2))
    assert type(config.batch_size) is int and type(config.gp_weight) is float
    json.loads(config.to_json())  # JSON-ready
    fv = _flag_values()
    with pytest.raises(flags.IllegalFlagValueError, match="--beta_1 must be < 1"):
        fv(["prog", "--beta_1=1"])


@pytest.mark.parametrize("module", ["train", "sample", "export", "evaluate", "demo"])
def test_the_library_modules_point_to_the_command_lines(module):
    proc = subprocess.run(
        [sys.executable, "-m", f"tfvgan.{module}"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode != 0
    assert f"python -m tfvgan.cli.{module}" in proc.stderr, proc.stderr


@pytest.mark.parametrize(
    "module, flag",
    [("train", "--preset"), ("sample", "--run_dir"), ("export", "--model_path"),
     ("evaluate", "--num_videos"), ("evaluate", "--preset"), ("demo", "--port"),
     ("demo", "--caption")],
)  # fmt: skip
def test_help_lists_the_commands_flags(module, flag):
    proc = subprocess.run(
        [sys.executable, "-m", f"tfvgan.cli.{module}", "--help"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert f"  {flag}" in proc.stdout, proc.stdout[-2000:]
