"""The run folder: where a training run keeps its config, state and outputs.

A run folder, written by `tfvgan.train.run` (``tfvgan-train``), holds::

    <run_dir>/config.json           the resolved config (and the clip shape)
    <run_dir>/checkpoints/          full training state, ckpt-<step>
    <run_dir>/samples/              samples_epoch<NNNN>.gif (and .mp4)
    <run_dir>/logs/                 TensorBoard: losses (train/), sample videos (samples/)
    <run_dir>/export/<step>/        the generator as a SavedModel for TF Serving

This module is the one place that knows that layout: it creates the folder,
reads and writes ``config.json``, and finds the checkpoints and exports.
Everything that opens a run (the runner, sampling, evaluation, export, the
command lines) goes through it. It imports no TensorFlow.

Example:

```python
from tfvgan import runs

if runs.is_run_dir("runs/quickstart"):
    config = runs.read_config("runs/quickstart")
```
"""

from __future__ import annotations

import contextlib
import json
import os
import socket

from tfvgan import config as config_lib

__all__ = [
    "CHECKPOINTS",
    "CONFIG_FILE",
    "EXPORT",
    "LOGS",
    "SAMPLES",
    "RunDirError",
    "RunDirWriteError",
    "cannot_write",
    "checkpoint_dir",
    "config_path",
    "export_dir",
    "is_run_dir",
    "read_config",
    "resumable_config",
    "run_dir_of_checkpoint",
    "saved_total_steps",
    "write_config",
]

#: The run's resolved config (`tfvgan.config.TrainConfig.to_json`).
CONFIG_FILE = "config.json"
#: Sub-folders of a run folder.
CHECKPOINTS = "checkpoints"
SAMPLES = "samples"
LOGS = "logs"
EXPORT = "export"


class RunDirError(ValueError):
    """The run directory holds a run that this config cannot resume."""


class RunDirWriteError(OSError):
    """The run directory stopped taking writes (permissions, full disk).

    Checkpoints written before the failure are left as they were; rerunning
    the same command once the directory is writable resumes from the latest.
    """


def config_path(run_dir: str | os.PathLike) -> str:
    """Path of the run's ``config.json``."""
    return os.path.join(os.fspath(run_dir), CONFIG_FILE)


def checkpoint_dir(run_dir: str | os.PathLike) -> str:
    """The folder of the run's checkpoints (``ckpt-<step>``)."""
    return os.path.join(os.fspath(run_dir), CHECKPOINTS)


def export_dir(run_dir: str | os.PathLike) -> str:
    """The base folder of the run's SavedModel versions (TF Serving's
    ``model_base_path``)."""
    return os.path.join(os.fspath(run_dir), EXPORT)


def is_run_dir(path: str | os.PathLike) -> bool:
    """Whether `path` is a folder with a ``config.json`` (a run folder)."""
    return os.path.isdir(path) and os.path.isfile(config_path(path))


def run_dir_of_checkpoint(prefix: str | os.PathLike) -> str | None:
    """The run folder of a checkpoint prefix (``<run>/checkpoints/ckpt-N``),
    or None when `prefix` is not a checkpoint (no ``<prefix>.index``)."""
    prefix = os.fspath(prefix)
    if not os.path.isfile(prefix + ".index"):
        return None
    return os.path.dirname(os.path.dirname(os.path.abspath(prefix)))


def read_config(run_dir: str | os.PathLike) -> config_lib.TrainConfig:
    """The `TrainConfig` a run folder's ``config.json`` holds.

    Raises:
        FileNotFoundError: `run_dir` has no ``config.json``.
        RunDirError: the file is not a valid config.
    """
    path = config_path(run_dir)
    if not os.path.isfile(path):
        raise FileNotFoundError(
            f"{path} not found: expected a run directory written by tfvgan-train."
        )
    with open(path) as f:
        try:
            return config_lib.TrainConfig.from_json(f.read())
        except (ValueError, TypeError) as error:
            raise RunDirError(f"cannot read {path}: {error}") from error


def resumable_config(run_dir: str | os.PathLike) -> config_lib.TrainConfig | None:
    """The config of the run `run_dir` can resume, or None if there is none.

    Without a checkpoint there is nothing to resume: a new config may replace
    the old one (e.g. after a run that failed on a bad argument).

    Raises:
        RunDirError: the run has a checkpoint but its config is unreadable.
    """
    resumable = os.path.exists(os.path.join(checkpoint_dir(run_dir), "checkpoint"))
    if not (resumable and os.path.exists(config_path(run_dir))):
        return None
    return read_config(run_dir)


def saved_total_steps(run_dir: str | os.PathLike) -> int | None:
    """The run length (generator steps) recorded in the run's config.json."""
    try:
        with open(config_path(run_dir)) as f:
            value = json.load(f).get(config_lib.TOTAL_STEPS_KEY)
    except (OSError, ValueError, AttributeError):
        return None
    return value if isinstance(value, int) else None


def write_config(
    config: config_lib.TrainConfig,
    run_dir: str | os.PathLike,
    saved: config_lib.TrainConfig | None = None,
    clip: dict[str, int] | None = None,
    total_steps: int | None = None,
) -> None:
    """Writes `config` as the run's config.json.

    Args:
        config: the run's resolved config.
        run_dir: the run folder (exists).
        saved: the config of the run being resumed, if any: `config` must
            only differ from it in `tfvgan.config.RESUMABLE_CHANGES`.
        clip: the clip shape the run's model makes, recorded under
            `tfvgan.config.CLIP_KEY`.
        total_steps: the run's length, recorded under
            `tfvgan.config.TOTAL_STEPS_KEY`.

    Raises:
        RunDirError: `config` cannot resume the `saved` run.
        OSError: the file cannot be written.
    """
    path = config_path(run_dir)
    if saved is not None:
        _check_resumable(config, saved, os.fspath(run_dir))
    values = config.to_dict()
    if clip is not None:
        values[config_lib.CLIP_KEY] = dict(clip)
    if total_steps is not None:
        values[config_lib.TOTAL_STEPS_KEY] = int(total_steps)
    text = json.dumps(values, indent=2, sort_keys=True) + "\n"
    # A temporary name of this process's own: every worker of a cluster
    # writes the config, maybe into one shared folder.
    tmp = f"{path}.{socket.gethostname()}-{os.getpid()}.tmp"
    try:
        with open(tmp, "w") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(tmp)
        raise


def _check_resumable(config, saved, run_dir: str) -> None:
    changed = config.incompatible_fields(saved)
    if not changed:
        return
    raise RunDirError(
        f"run directory {run_dir!r} holds a run with a different config "
        f"(fields {changed} differ from {config_path(run_dir)}); a resumed run may "
        f"only change {sorted(config_lib.RESUMABLE_CHANGES)}"
        + (
            " (dtype_policy not to or from mixed_float16, whose optimizers "
            "keep loss-scale state)"
            if "dtype_policy" in changed
            else ""
        )
        + (
            f"; epochs is fixed here ({saved.epochs}) because the run's "
            "learning rate decays linearly to 0 at its last step: a "
            "different length would make the rate jump at the resume "
            "step (train longer in a new run directory)"
            if "epochs" in changed
            else ""
        )
        + ". Use a new --run_dir."
    )


def cannot_write(run_dir: str | os.PathLike) -> str | None:
    """Why a small file cannot be written into `run_dir` now; None if it can."""
    probe = os.path.join(os.fspath(run_dir), f".write-probe-{os.getpid()}")
    try:
        with open(probe, "wb") as f:
            f.write(b"x")
    except OSError as error:
        return error.strerror or str(error)
    finally:
        with contextlib.suppress(OSError):
            os.remove(probe)
    return None
