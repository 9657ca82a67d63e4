"""Tests of the training runner, its config, the CLIs, checkpoints and resume."""

import dataclasses
import json
import os
import pathlib
import re
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from tfvgan import builders, run_presets, runs
from tfvgan import config as config_lib

REPO = pathlib.Path(__file__).resolve().parents[1]
# Tiny, fast runs: no samples or export unless a test wants them.
TINY = ["--preset=tiny", "--sample_every_epochs=0", "--noexport"]


def _env():
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")])
    env["TF_CPP_MIN_LOG_LEVEL"] = "3"
    env["CUDA_VISIBLE_DEVICES"] = ""
    return env


def _cli(module, *args, timeout=300, **kwargs):
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=timeout,
        **kwargs,
    )


def _checkpoint_values(prefix):
    import tensorflow as tf

    reader = tf.train.load_checkpoint(prefix)
    names = [n for n in reader.get_variable_to_shape_map() if "OBJECT_GRAPH" not in n]
    return {n: reader.get_tensor(n) for n in names}


def _latest(run_dir):
    import tensorflow as tf

    return tf.train.latest_checkpoint(os.path.join(run_dir, "checkpoints"))


# ------------------------------------------------------------------ config
def test_static_names_match_the_registries():
    from tfvgan import augment, data, losses, models

    assert config_lib.MODEL_NAMES == tuple(models.MODELS)
    for name in models.MODELS:
        assert set(config_lib.MODEL_PRESETS) <= set(models.PRESETS[name])
    assert set(config_lib.LOSS_NAMES) == set(losses.LOSSES)
    assert config_lib.AUGMENTATIONS == augment.AUGMENTATIONS
    for function in config_lib.DATASETS.values():
        assert callable(getattr(data, function))
    for preset in run_presets.RUN_PRESETS:
        for model in config_lib.MODEL_NAMES:
            config_lib.TrainConfig.from_preset(preset, model=model)  # valid


@pytest.mark.parametrize(
    "overrides, match",
    [
        ({"model": "gan9000"}, r"unknown model 'gan9000'.*'temporal'"),
        ({"dataset": "mnist"}, r"unknown dataset 'mnist'.*'moving_digits'"),
        ({"loss": "l2"}, r"unknown loss 'l2'.*'hinge'"),
        ({"strategy": "gpu"}, r"unknown strategy 'gpu'.*'mirrored'"),
        ({"epochs": 0}, r"epochs must be an integer >= 1, got 0"),
        ({"batch_size": 2.5}, r"batch_size must be an integer >= 1, got 2.5"),
        ({"ema_decay": 1.0}, r"ema_decay must be .*got 1.0"),
        ({"g_optimizer": {"learning_rate": -1}}, r"learning_rate must be"),
        ({"d_optimizer": {"decay": "cosine"}}, r"decay 'cosine'.*'none', 'linear'"),
        ({"sample_formats": ("gif", "avi")}, r"unknown sample format 'avi'"),
        ({"nan_policy": "ignore"}, r"unknown nan_policy 'ignore'.*'raise'"),
        (
            {"dtype_policy": "float16"},
            r"unknown dtype_policy 'float16'.*'mixed_float16'",
        ),
        ({"dataset": "directory"}, r"needs data_kwargs directory="),
        ({"epoch": 3}, r"unknown TrainConfig field\(s\) \['epoch'\]"),
    ],
)
def test_config_rejects_bad_values(overrides, match):
    with pytest.raises(ValueError, match=match):
        config_lib.TrainConfig.from_preset("tiny", **overrides)


def test_config_presets_merge_and_round_trip():
    with pytest.raises(ValueError, match=r"unknown preset 'huge'.*'quickstart'"):
        config_lib.TrainConfig.from_preset("huge")
    config = config_lib.TrainConfig.from_preset(
        "paper",
        model="temporal",
        data_kwargs={"num_digits": 2},
        d_optimizer={"beta_2": 0.5},
    )
    assert config.loss == "wasserstein" and config.gp_weight == 10.0  # by_model
    assert dict(config.data_kwargs) == {"num_videos": 10000, "num_digits": 2}
    assert config.d_optimizer == config_lib.OptimizerConfig(1e-4, 0.0, 0.5)
    assert config_lib.TrainConfig.from_preset().preset == run_presets.DEFAULT_PRESET
    again = config_lib.TrainConfig.from_json(config.to_json())
    assert again.to_dict() == config.to_dict()
    assert again.incompatible_fields(config) == []
    longer = config_lib.TrainConfig.from_dict({**config.to_dict(), "epochs": 500})
    assert longer.incompatible_fields(config) == []
    other = config_lib.TrainConfig.from_dict({**config.to_dict(), "batch_size": 8})
    assert other.incompatible_fields(config) == ["batch_size"]
    with pytest.raises(TypeError):  # frozen
        config.data_kwargs["num_videos"] = 1
    assert config.resolved().run_dir == "runs/paper-temporal"


# --------------------------------------------------------------------- flags
def _parse(*argv):
    from absl import flags

    from tfvgan.cli import train as cli_train

    fv = flags.FlagValues()
    cli_train.define_flags(fv)
    fv(["tfvgan-train", *argv])
    return cli_train.config_from_flags(fv)


def test_no_flags_is_the_quickstart_run():
    config = _parse()
    expected = config_lib.TrainConfig.from_preset("quickstart")
    assert config == expected
    assert config.preset == run_presets.DEFAULT_PRESET == "quickstart"


def test_quickstart_run_conditions_the_recurrent_model_on_the_digit():
    config = config_lib.TrainConfig.from_preset("quickstart")
    assert config.model == "recurrent"
    matcher = {"match_weight": 1.0, "match_critic": True}
    assert config.model_kwargs == {"num_classes": 10, **matcher}
    # Only the recurrent model gets it; a user's own model_kwargs merge in.
    assert not config_lib.TrainConfig.from_preset(
        "quickstart", model="temporal"
    ).model_kwargs
    # Unconditioned: the matcher needs a condition, so it goes too.
    config = _parse(
        "--model_kwargs=num_classes=None,match_weight=0,match_critic=False,width=16"
    )
    assert config.model_kwargs == {
        "num_classes": None,
        "match_weight": 0,
        "match_critic": False,
        "width": 16,
    }
    assert _parse("--model_kwargs=label_dim=4").model_kwargs == {
        "num_classes": 10,
        **matcher,
        "label_dim": 4,
    }


def test_flags_map_onto_the_config():
    config = _parse(
        "--preset=tiny",
        "--model=conv3d",
        "--epochs=3",
        "--g_lr=1e-3",
        "--beta_1=0.0",
        "--lr_decay=linear",
        "--data_kwargs=num_videos=32,num_digits=2",
        '--model_kwargs={"width": 4}',
        "--ema_decay=0",
        "--noexport",
        "--sample_formats=gif,mp4",
        "--jit_compile=false",
        "--dtype_policy=mixed_bfloat16",
        "--augment=translation,cutout",
        "--run_dir=/tmp/x",
    )
    assert (config.model, config.epochs, config.run_dir) == ("conv3d", 3, "/tmp/x")
    assert config.g_optimizer == config_lib.OptimizerConfig(1e-3, 0.0, 0.999, "linear")
    assert config.d_optimizer == config_lib.OptimizerConfig(2e-4, 0.0, 0.999, "linear")
    assert dict(config.data_kwargs) == {"num_videos": 32, "num_digits": 2}
    assert dict(config.model_kwargs) == {"width": 4}
    assert config.ema_decay is None and config.export is False
    assert config.sample_formats == ("gif", "mp4") and config.jit_compile is False
    assert config.dtype_policy == "mixed_bfloat16"
    assert config.augment == "translation,cutout"
    assert _parse().dtype_policy == "auto" and _parse().augment == ""
    assert config.batch_size == run_presets.RUN_PRESETS["tiny"]["batch_size"]
    config = _parse("--model_kwargs=sync_bn=False,width=8,name=x,vocabulary=None")
    assert dict(config.model_kwargs) == {
        # the quickstart preset's, merged with the flag's
        "num_classes": 10,
        "match_weight": 1.0,
        "match_critic": True,
        "sync_bn": False,
        "width": 8,
        "name": "x",
        "vocabulary": None,
    }


_FAIL_FAST = """
import atexit, sys
atexit.register(lambda: print("TF_IMPORTED=%s" % ("tensorflow" in sys.modules)))
from tfvgan.cli import {module}
{module}.main(["prog", *sys.argv[1:]])
"""


@pytest.mark.parametrize(
    "module, args, message",
    [
        ("train", ["--model=gan9000"], r"conditional\|temporal\|conv3d\|recurrent"),
        (
            "train",
            ["--preset=huge"],
            r"tiny\|quickstart\|text\|predict\|inbetween\|inpaint\|superres\|paper",
        ),
        ("train", ["--dataset=ucf"], r"moving_digits\|directory\|tfds"),
        ("train", ["--epochs=0"], r"--epochs=0: 0 is not a positive integer"),
        ("train", ["--batch_size=two"], r"batch_size.*(int|two)"),
        ("train", ["--data_kwargs=oops"], r"--data_kwargs: expected key=value pairs"),
        ("train", ["--dataset=tfds"], r"needs data_kwargs name="),
        ("train", ["--ema_decay=1.5"], r"ema_decay"),
        ("train", ["--augment=flip"], r"unknown augment 'flip'.*'cutout'"),
        ("train", ["extra"], r"unexpected arguments \['extra'\]"),
        ("sample", [], r"exactly one of --run_dir, --saved_model and --preset"),
        ("sample", ["--run_dir=/nonexistent"], r"'/nonexistent' is not a directory"),
    ],
)
def test_bad_flags_fail_fast_without_tensorflow(module, args, message):
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", _FAIL_FAST.format(module=module), *args],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=120,
    )
    elapsed = time.perf_counter() - start
    assert proc.returncode != 0, proc.stdout + proc.stderr
    assert re.search(message, proc.stderr), proc.stderr
    assert "TF_IMPORTED=False" in proc.stdout, proc.stdout
    assert elapsed < 30, elapsed


def test_help_is_readable():
    proc = _cli("tfvgan.cli.train", "--help", timeout=120)
    assert proc.returncode in (0, 1)  # absl exits 1 after --help
    for text in ("--preset", "quickstart", "--run_dir", "--model", "--epochs"):
        assert text in proc.stdout


# --------------------------------------------------------------- end to end
@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    """One tiny CLI run with samples (gif + mp4) and export."""
    run_dir = str(tmp_path_factory.mktemp("tiny") / "run")
    proc = _cli(
        "tfvgan.cli.train",
        "--preset=tiny",
        f"--run_dir={run_dir}",
        "--sample_formats=gif,mp4",
        "--seed=3",
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr[-3000:]
    return run_dir, proc


def test_cli_end_to_end_writes_the_run_directory(tiny_run):
    import imageio.v3 as iio
    import tensorflow as tf

    from tfvgan import models
    from tfvgan.video_io import video_grid

    run_dir, proc = tiny_run
    preset = run_presets.RUN_PRESETS["tiny"]
    steps = preset["epochs"] * preset["steps_per_epoch"]
    # Non-interactive output: one line per epoch.
    assert re.search(r"^epoch 2/2 d_.*g_loss=-?\d.*\(\d+\.\d s\)$", proc.stdout, re.M)
    # The export's TF-Serving-style check uses the TF1 loader on purpose; its
    # deprecation notice is not the user's business.
    assert "is deprecated" not in proc.stderr, proc.stderr[-2000:]

    saved = json.loads(pathlib.Path(run_dir, "config.json").read_text())
    assert (
        saved["preset"] == "tiny" and saved["seed"] == 3 and saved["run_dir"] == run_dir
    )
    assert _latest(run_dir).endswith(f"ckpt-{steps}")

    shape = models.preset_kwargs("temporal", "tiny")
    frames, size = shape["frames"], shape["size"]
    # The run folder says what clips it holds (they come from the preset).
    assert saved["clip"] == {"frames": frames, "size": size, "channels": 1}
    assert not [n for n in os.listdir(run_dir) if n.startswith(".config.json")]
    grid = video_grid(
        np.zeros((preset["num_samples"], frames, size, size, 1), np.float32)
    )
    for epoch in (1, 2):
        gif = iio.imread(
            os.path.join(run_dir, "samples", f"samples_epoch{epoch:04d}.gif"),
            index=None,
        )
        assert gif.shape[:3] == grid.shape[:3], gif.shape
        assert (
            os.path.getsize(
                os.path.join(run_dir, "samples", f"samples_epoch{epoch:04d}.mp4")
            )
            > 0
        )

    events = [
        str(p) for p in pathlib.Path(run_dir, "logs").rglob("events.out.tfevents*")
    ]
    tags = {}
    for path in events:
        for event in tf.compat.v1.train.summary_iterator(path):
            for value in event.summary.value:
                tags[value.tag] = value
    assert "epoch_d_loss" in tags and "epoch_g_loss" in tags
    image = tags["samples"]
    assert image.metadata.plugin_data.plugin_name == "images"
    assert image.tensor.string_val[2].startswith(b"GIF89a")

    export_dir = os.path.join(run_dir, "export", str(steps))
    served = tf.saved_model.load(export_dir)
    video = served.signatures["generate_from_seed"](seed=tf.constant([0, 1], tf.int64))
    assert video["video"].shape == (2, frames, size, size, 1)
    assert video["video"].dtype == tf.uint8


@pytest.mark.slow  # 10-16 s; CI runs it with the slow tests
def test_rerun_of_a_finished_run_does_nothing_and_mismatch_is_refused(tiny_run):
    run_dir, _ = tiny_run
    before = _latest(run_dir)
    proc = _cli("tfvgan.cli.train", "--preset=tiny", f"--run_dir={run_dir}", "--seed=3")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "resuming" in proc.stdout and "already exists" in proc.stdout
    assert _latest(run_dir) == before
    proc = _cli("tfvgan.cli.train", "--preset=tiny", f"--run_dir={run_dir}", "--seed=4")
    assert proc.returncode == 1
    assert "fields ['seed'] differ" in proc.stderr


def test_sample_from_run_dir_and_saved_model(tiny_run, tmp_path):
    import imageio.v3 as iio

    from tfvgan import sample

    run_dir, _ = tiny_run
    paths = sample.sample(
        run_dir=run_dir, out_dir=tmp_path / "a", num_videos=3, seed=5, grid=True
    )
    assert sorted(os.path.basename(p) for p in paths) == [
        "grid.gif",
        "sample_000.gif",
        "sample_001.gif",
        "sample_002.gif",
    ]
    from_ckpt = iio.imread(tmp_path / "a" / "sample_001.gif", index=None)
    export = os.path.join(
        run_dir, "export", os.listdir(os.path.join(run_dir, "export"))[0]
    )
    proc = _cli(
        "tfvgan.cli.sample",
        f"--saved_model={export}",
        f"--out_dir={tmp_path / 'b'}",
        "--num_videos=2",
        "--seed=5",
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    from_export = iio.imread(tmp_path / "b" / "sample_001.gif", index=None)
    # Same seed, same (EMA) generator: the same clip, up to uint8 rounding.
    assert from_export.shape == from_ckpt.shape
    assert np.abs(from_export.astype(int) - from_ckpt.astype(int)).max() <= 2
    with pytest.raises(ValueError, match="unconditional"):
        sample.sample(run_dir=run_dir, out_dir=tmp_path / "c", labels=[1, 2])


@pytest.mark.slow  # 10-16 s; CI runs it with the slow tests
def test_export_cli_from_a_run_dir_and_from_a_checkpoint(tiny_run, tmp_path):
    import tensorflow as tf

    run_dir, _ = tiny_run
    base = tmp_path / "serving"
    proc = _cli(
        "tfvgan.cli.export",
        f"--run_dir={run_dir}",
        f"--export_dir={base}",
        "--max_batch=4",
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip().splitlines()[-1] == str(base / "1")
    latest, _, step = builders.load_run(run_dir)
    served = tf.saved_model.load(str(base / "1"))
    noise = latest.noise_from_seeds([1, 2])
    got = served.signatures["generate_float"](noise=noise)["video"].numpy()
    np.testing.assert_allclose(got, latest.generate(noise=noise), atol=1e-5)

    # A checkpoint prefix restores that checkpoint, not the latest.
    state = tf.train.get_checkpoint_state(os.path.join(run_dir, "checkpoints"))
    first = state.all_model_checkpoint_paths[0]
    assert first != state.model_checkpoint_path
    older = builders.load_model(first)
    assert older.g_optimizer.iterations.numpy() < step
    same = builders.load_run(run_dir, checkpoint=first)[0]
    for a, b in zip(older.generator.weights, same.generator.weights):
        np.testing.assert_array_equal(a.numpy(), b.numpy())

    with pytest.raises(ValueError, match="without config.json"):
        builders.load_model(tmp_path)
    with pytest.raises(ValueError, match="either"):
        builders.load_model(first, checkpoint=first)
    proc = _cli("tfvgan.cli.export", f"--run_dir={run_dir}", f"--model_path={run_dir}")
    assert proc.returncode == 1 and "exactly one of" in proc.stderr


# ------------------------------------------------------------- checkpoints
def _tiny_model(seed):
    import keras

    from tfvgan import models

    keras.utils.set_random_seed(seed)
    model = models.build_model("recurrent", preset="tiny", seed=seed)
    model.compile(ema_decay=0.9)
    return model


def _all_state(model):
    variables = (
        model.variables + model.d_optimizer.variables + model.g_optimizer.variables
    )
    return [np.array(v.numpy()) for v in variables]


def test_checkpoint_restores_the_full_training_state(tmp_path):
    from tfvgan import data
    from tfvgan.checkpoint import CheckpointMismatchError, TrainingCheckpoint

    model = _tiny_model(0)
    ds = data.moving_digits(8, frames=4, size=16, batch_size=4)
    model.fit(ds, epochs=1, verbose=0)
    state = TrainingCheckpoint(model, tmp_path / "ck", steps_per_epoch=1)
    path = state.save()
    assert path.endswith("ckpt-2")
    saved = _all_state(model)

    other = _tiny_model(1)
    before = _all_state(other)
    restored = TrainingCheckpoint(other, tmp_path / "ck", steps_per_epoch=1)
    assert restored.restore() == 2
    after = _all_state(other)
    assert len(saved) == len(after)
    # Everything changed from the fresh model's values, and equals the saved.
    assert not all(np.array_equal(a, b) for a, b in zip(before, after))
    for a, b in zip(saved, after):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(
        other.seed_generator.state.numpy(), model.seed_generator.state.numpy()
    )
    assert int(restored.epoch.numpy()) == 2
    # Optimizer slots are in there (Adam m/v), not only the weights.
    assert len(other.g_optimizer.variables) > 2 * len(
        other.generator.trainable_variables
    )

    # Another architecture does not load silently.
    from tfvgan import models

    wrong = models.build_model("temporal", preset="tiny")
    wrong.compile()
    with pytest.raises(CheckpointMismatchError, match="does not match"):
        TrainingCheckpoint(wrong, tmp_path / "ck").restore()


def test_half_written_save_leaves_the_latest_loadable(tmp_path):
    from tfvgan.checkpoint import TrainingCheckpoint

    model = _tiny_model(0)
    state = TrainingCheckpoint(model, tmp_path / "ck")
    good = state.save()
    # What a kill during the next save can leave: data without an index
    # entry, a temporary folder, and the `checkpoint` file not yet updated.
    (tmp_path / "ck" / "ckpt-7.data-00000-of-00001").write_bytes(b"\0" * 10)
    (tmp_path / "ck" / "ckpt-7_temp").mkdir()
    (tmp_path / "ck" / "ckpt-7_temp" / "part-00000-of-00001.index").write_bytes(b"x")
    restored = TrainingCheckpoint(_tiny_model(1), tmp_path / "ck")
    assert restored.latest == good
    assert restored.restore() == 0  # step 0: nothing trained yet, but loaded
    assert not (tmp_path / "ck" / "ckpt-7_temp").exists()


@pytest.mark.slow  # ~25 s: a SIGKILLed subprocess run and its resume
def test_kill_and_resume_continues_to_the_same_weights(tmp_path):
    preset = run_presets.RUN_PRESETS["tiny"]
    epochs, spe = 12, preset["steps_per_epoch"]
    total = epochs * spe
    args = [
        *TINY,
        f"--epochs={epochs}",
        "--checkpoint_every_steps=1",
        "--deterministic",
    ]
    run_dir = str(tmp_path / "killed")
    proc = subprocess.Popen(
        [sys.executable, "-m", "tfvgan.cli.train", *args, f"--run_dir={run_dir}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=_env(),
    )
    index = os.path.join(run_dir, "checkpoints", "checkpoint")
    deadline = time.time() + 240
    while not os.path.exists(index) and proc.poll() is None and time.time() < deadline:
        time.sleep(0.02)
    still_running = proc.poll() is None
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert still_running, "training finished before it could be killed"
    killed_at = int(_latest(run_dir).rsplit("-", 1)[1])
    assert 0 < killed_at < total

    resumed = _cli("tfvgan.cli.train", *args, f"--run_dir={run_dir}")
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    match = re.search(r"resuming .* from step (\d+)", resumed.stdout)
    assert match, resumed.stdout
    assert int(match.group(1)) >= killed_at > 0
    assert f"training complete at step {total} of {total}" in resumed.stdout
    assert _latest(run_dir).endswith(f"ckpt-{total}")

    straight_dir = str(tmp_path / "straight")
    straight = _cli("tfvgan.cli.train", *args, f"--run_dir={straight_dir}")
    assert straight.returncode == 0, straight.stderr[-3000:]
    assert _latest(straight_dir).endswith(f"ckpt-{total}")
    a = _checkpoint_values(_latest(run_dir))
    b = _checkpoint_values(_latest(straight_dir))
    assert a.keys() == b.keys()
    assert a["g_optimizer/_iterations/.ATTRIBUTES/VARIABLE_VALUE"] == total
    # Weights, slots, EMA and RNG state: a resumed run is the same run.
    for name in a:
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)


# ---------------------------------------------------------- NaN, determinism
def _tiny_config(run_dir, **overrides):
    # In-process runs leave op determinism off: it is process-global and
    # cannot be switched off again. The subprocess runs of the kill/resume
    # test cover --deterministic.
    values = dict(run_dir=str(run_dir), export=False, sample_every_epochs=0)
    values.update(overrides)
    return config_lib.TrainConfig.from_preset("tiny", **values)


def test_config_json_records_the_clip_shape_of_defaults_and_overrides(
    tmp_path, monkeypatch
):
    config = _tiny_config(
        tmp_path,
        model="recurrent",
        model_preset=None,
        model_kwargs={"size": 32, "frames": 6},
    )
    assert builders.clip_shape(config) == {"frames": 6, "size": 32, "channels": 3}
    os.makedirs(tmp_path, exist_ok=True)
    replaced = []
    real_replace = os.replace

    def spy(src, dst):
        replaced.append(src)
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    runs.write_config(config, str(tmp_path), None, builders.clip_shape(config))
    # Each process writes its own temporary file (workers may share the
    # folder), with the mode of any file it creates (not mkstemp's 0600).
    assert str(os.getpid()) in replaced[0] and replaced[0].endswith(".tmp")
    (tmp_path / "plain").write_text("")
    mode = os.stat(tmp_path / "config.json").st_mode & 0o777
    assert mode == os.stat(tmp_path / "plain").st_mode & 0o777
    text = (tmp_path / "config.json").read_text()
    assert json.loads(text)["clip"] == {"frames": 6, "size": 32, "channels": 3}
    assert config_lib.TrainConfig.from_json(text) == config  # "clip" is derived


def test_linear_decay_reaches_zero_at_the_last_step(tmp_path):
    from tfvgan import train
    from tfvgan.checkpoint import TrainingCheckpoint

    decay = {"learning_rate": 1e-3, "decay": "linear"}
    config = _tiny_config(
        tmp_path, d_steps=2, g_optimizer=decay, d_optimizer=decay, epochs=3
    )
    total = config.epochs * config.steps_per_epoch  # 6 generator steps
    model = train.run(config).model
    for optimizer, updates in ((model.g_optimizer, total), (model.d_optimizer, 12)):
        assert int(optimizer.iterations.numpy()) == updates
        schedule = optimizer.get_config()["learning_rate"]["config"]
        assert schedule["initial_learning_rate"] == pytest.approx(1e-3)
        assert (schedule["decay_steps"], schedule["power"]) == (updates, 1.0)
        assert float(optimizer.learning_rate) == 0.0  # at the end of the run
    # A restored run continues the schedule from its step counter.
    restored = builders.build_model(config)
    assert TrainingCheckpoint(restored, tmp_path / "checkpoints").restore() == total
    assert float(restored.g_optimizer.learning_rate) == 0.0
    # The default keeps the rate; a decay needs the run's length.
    constant = builders.build_model(_tiny_config(tmp_path / "c"))
    assert float(constant.g_optimizer.learning_rate) == pytest.approx(2e-4)
    unknown = _tiny_config(tmp_path / "u", steps_per_epoch=None, g_optimizer=decay)
    with pytest.raises(ValueError, match="decay needs the run's length"):
        builders.build_model(unknown)
    assert builders.build_model(unknown, total_steps=10).g_optimizer.iterations == 0
    # Extending the finished run would restart the decay at half the rate
    # (0 -> 5e-4 at step 6): refused, naming the field and why.
    with pytest.raises(train.RunDirError, match=r"epochs is fixed here.*linearly"):
        train.run(dataclasses.replace(config, epochs=6))
    # The run's length is recorded; a data set that changed size (the same
    # epochs, another steps_per_epoch from its cardinality) is refused too.
    saved = json.loads((tmp_path / "config.json").read_text())
    assert saved["total_steps"] == total
    with pytest.raises(train.RunDirError, match="gives 8 steps"):
        train._check_run_length(config, str(tmp_path), total, 8)
    train._check_run_length(config, str(tmp_path), total, total)
    train._check_run_length(_tiny_config(tmp_path), str(tmp_path), total, 8)


@pytest.mark.slow  # 6 s
def test_resume_with_more_epochs_skips_the_data_before_decoding(tmp_path, monkeypatch):
    from tfvgan import train

    # Without a decay, epochs may change on resume; the resumed stream
    # starts at its batch by skipping before decoding (the source's `skip`),
    # not with `.skip()` on decoded batches.
    plain = _tiny_config(tmp_path / "plain", epochs=1)
    train.run(plain)
    from tfvgan import data

    calls = []
    original = data.moving_digits

    def spy(**kwargs):
        calls.append({k: kwargs.get(k) for k in ("repeat", "skip")})
        return original(**kwargs)

    monkeypatch.setattr(data, "moving_digits", spy)
    longer = train.run(dataclasses.replace(plain, epochs=2))
    assert longer.model.g_optimizer.iterations == 4
    assert {"repeat": True, "skip": 2} in calls, calls


@pytest.mark.slow  # 9 s
def test_nan_stops_the_run_and_keeps_the_last_good_checkpoint(tmp_path, capsys):
    import keras
    import tensorflow as tf

    from tfvgan import train
    from tfvgan.checkpoint import TrainingCheckpoint

    class PoisonAfterStep(keras.callbacks.Callback):
        """Test hook: sets a discriminator weight to NaN after step 3."""

        def on_train_batch_end(self, batch, logs=None):
            if int(self.model.optimizer.iterations.numpy()) == 3:
                weight = self.model.discriminator.trainable_variables[0]
                weight.assign(tf.fill(weight.shape, np.nan))

    config = _tiny_config(tmp_path, epochs=3, checkpoint_every_steps=1)
    with pytest.raises(train.NonFiniteLossError) as info:
        train.run(config, callbacks=[PoisonAfterStep()])
    message = str(info.value)
    assert re.search(r"non-finite (d_loss|d_real|d_fake|g_loss)=nan at step 4", message)
    assert "ckpt-3" in message
    latest = _latest(tmp_path)
    assert latest.endswith("ckpt-3")
    model = builders.build_model(config)
    assert TrainingCheckpoint(model, tmp_path / "checkpoints").restore() == 3
    for variable in model.variables:
        assert np.all(np.isfinite(variable.numpy())), variable.path

    # nan_policy="stop": same guard, no exception.
    config = _tiny_config(tmp_path / "stop", epochs=3, nan_policy="stop")
    history = train.run(config, callbacks=[PoisonAfterStep()])
    assert len(history.epoch) == 2  # epoch 2 was cut short at step 4
    assert "non-finite" in capsys.readouterr().out
    assert _latest(tmp_path / "stop").endswith("ckpt-2")  # end of epoch 1


@pytest.mark.slow  # 11 s
def test_same_seed_same_weights_and_another_seed_differs(tmp_path):
    from tfvgan import train

    for name, seed in (("a", 0), ("b", 0), ("c", 1)):
        train.run(_tiny_config(tmp_path / name, seed=seed, model="conv3d"))
    a, b, c = (_checkpoint_values(_latest(tmp_path / n)) for n in "abc")
    for name in a:
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)
    weights = [n for n in a if a[n].dtype == np.float32 and a[n].size > 1]
    assert weights and any(not np.array_equal(a[n], c[n]) for n in weights)
