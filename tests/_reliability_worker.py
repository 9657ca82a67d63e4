"""`tfvgan-train` with fault-injection hooks, for tests/test_reliability.py.

Run as ``python tests/_reliability_worker.py <tfvgan-train flags>``: the same
command line as ``python -m tfvgan.cli.train``, plus hooks chosen by environment
variables. Without them it is exactly the CLI, so "rerun the same command"
means rerunning this script with the same flags and no hook.

Hooks:

- ``TFVGAN_TEST_KILL=<phase>@<step>``: the process sends itself SIGKILL at
  the first occasion of `phase` at or after global step `step`. Phases, in
  the order a checkpoint save goes through them:

  ``step``            end of a training step (after tfvgan's own callbacks)
  ``save_start``      entering `TrainingCheckpoint.save`, nothing written
  ``shards_written``  data shards in ``ckpt-N_temp/``, not yet merged
  ``state_update``    ``ckpt-N`` complete, the ``checkpoint`` file still old
  ``state_rename``    ``checkpoint.tmp<hex>`` written, not renamed over it
  ``sweep``           ``checkpoint`` names ckpt-N, first old file deleted
  ``timer``           a timer started with the save fires after
                      ``TFVGAN_TEST_KILL_DELAY`` seconds (inside the save,
                      or in the steps just after it)

- ``TFVGAN_TEST_UNWRITABLE_AT=<step>``: after that step the process can no
  longer write files: the run directory's folders are made read-only, and
  for root (whom permission bits do not stop) the file-size limit is set
  to 0, so every write fails with EFBIG, as on a full disk.

- ``TFVGAN_TEST_NAN_AT=<step>``: after that step one discriminator weight
  is set to NaN (divergence).

- ``TFVGAN_TEST_SAMPLE_EVERY=<n>``: every n steps, print the process's
  resident memory and open file descriptors (for the soak test):
  ``reliability: sample step=<step> rss_kb=<kB> fds=<count>``.

Progress goes to stdout (a pipe, unaffected by the file-size limit):
``reliability: begin <step>`` before each step and ``reliability: kill
<phase> at step <step>`` just before a hook kills the process; when the run
directory is made unwritable, ``reliability: file <name> <sha256>`` for each
checkpoint file there at that moment.
"""

from __future__ import annotations

import hashlib
import os
import signal
import sys
import threading

_PHASES = (
    "step",
    "save_start",
    "shards_written",
    "state_update",
    "state_rename",
    "sweep",
    "timer",
)


def _say(message: str) -> None:
    print(f"reliability: {message}", flush=True)


class _Hooks:
    """The armed hook and the step of the save in progress."""

    def __init__(self):
        spec = os.environ.get("TFVGAN_TEST_KILL", "")
        self.phase, self.at = None, None
        if spec:
            phase, _, step = spec.partition("@")
            if phase not in _PHASES:
                raise SystemExit(f"unknown kill phase {phase!r}; one of {_PHASES}")
            self.phase, self.at = phase, int(step)
        self.delay = float(os.environ.get("TFVGAN_TEST_KILL_DELAY", "0.02"))
        self.saving_step: int | None = None  # set while a save is in progress

    def due(self, phase: str, step: int | None) -> bool:
        return self.phase == phase and step is not None and step >= self.at

    def kill(self, phase: str, step: int | None) -> None:
        _say(f"kill {phase} at step {step}")
        os.kill(os.getpid(), signal.SIGKILL)


HOOKS = _Hooks()


def _patch_checkpoint_writes() -> None:
    """Wraps the points of a checkpoint save where a kill is injected."""
    from tensorflow.python.checkpoint import checkpoint_management, functional_saver
    from tensorflow.python.lib.io import file_io

    from tfvgan import checkpoint as checkpoint_lib

    save = checkpoint_lib.TrainingCheckpoint.save

    def hooked_save(self):
        step = self.step
        if HOOKS.due("save_start", step):
            HOOKS.kill("save_start", step)
        if HOOKS.due("timer", step):
            timer = threading.Timer(HOOKS.delay, HOOKS.kill, ("timer", step))
            timer.daemon = True
            timer.start()
            HOOKS.phase = None  # one timer only
        HOOKS.saving_step = step
        try:
            return save(self)
        finally:
            HOOKS.saving_step = None

    checkpoint_lib.TrainingCheckpoint.save = hooked_save

    gen_io_ops = functional_saver.gen_io_ops
    merge = gen_io_ops.merge_v2_checkpoints

    def hooked_merge(*args, **kwargs):
        if HOOKS.due("shards_written", HOOKS.saving_step):
            HOOKS.kill("shards_written", HOOKS.saving_step)
        return merge(*args, **kwargs)

    gen_io_ops.merge_v2_checkpoints = hooked_merge

    update = checkpoint_management.update_checkpoint_state_internal

    def hooked_update(*args, **kwargs):
        if HOOKS.due("state_update", HOOKS.saving_step):
            HOOKS.kill("state_update", HOOKS.saving_step)
        return update(*args, **kwargs)

    checkpoint_management.update_checkpoint_state_internal = hooked_update

    rename = file_io.rename

    def hooked_rename(oldname, newname, overwrite=False):
        if os.path.basename(os.fspath(newname)) == "checkpoint" and HOOKS.due(
            "state_rename", HOOKS.saving_step
        ):
            HOOKS.kill("state_rename", HOOKS.saving_step)
        return rename(oldname, newname, overwrite)

    file_io.rename = hooked_rename

    delete = checkpoint_management._delete_file_if_exists

    def hooked_delete(filespec):
        delete(filespec)
        if HOOKS.due("sweep", HOOKS.saving_step):
            HOOKS.kill("sweep", HOOKS.saving_step)

    checkpoint_management._delete_file_if_exists = hooked_delete


def _make_unwritable(run_dir: str) -> None:
    """Takes write access to `run_dir` away from this process."""
    import resource

    ckpt_dir = os.path.join(run_dir, "checkpoints")
    for name in sorted(os.listdir(ckpt_dir)):
        with open(os.path.join(ckpt_dir, name), "rb") as f:
            _say(f"file {name} {hashlib.sha256(f.read()).hexdigest()}")
    for root, dirs, _ in os.walk(run_dir):
        for name in dirs:
            os.chmod(os.path.join(root, name), 0o555)
    os.chmod(run_dir, 0o555)
    if os.geteuid() == 0:
        # Root ignores permission bits; a zero file-size limit makes every
        # write fail instead (EFBIG, with SIGXFSZ ignored).
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (0, resource.RLIM_INFINITY))
    _say("run directory made unwritable")


def _resources() -> tuple[int, int]:
    """(resident memory in kB, open file descriptors) of this process (Linux)."""
    with open("/proc/self/status") as f:
        rss = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
    return rss, len(os.listdir("/proc/self/fd"))


def _progress_callback():
    import keras
    import numpy as np
    import tensorflow as tf

    unwritable_at = os.environ.get("TFVGAN_TEST_UNWRITABLE_AT")
    nan_at = os.environ.get("TFVGAN_TEST_NAN_AT")
    sample_every = int(os.environ.get("TFVGAN_TEST_SAMPLE_EVERY", "0"))

    class Progress(keras.callbacks.Callback):
        """Reports each step and fires the step hooks."""

        def __init__(self, run_dir: str):
            super().__init__()
            self.run_dir = run_dir

        def _step(self) -> int:
            return int(self.model.optimizer.iterations.numpy())

        def on_train_batch_begin(self, batch, logs=None):
            _say(f"begin {self._step() + 1}")

        def on_train_batch_end(self, batch, logs=None):
            step = self._step()
            if HOOKS.due("step", step):
                HOOKS.kill("step", step)
            if unwritable_at and step == int(unwritable_at):
                _make_unwritable(self.run_dir)
            if sample_every and step % sample_every == 0:
                rss, fds = _resources()
                _say(f"sample step={step} rss_kb={rss} fds={fds}")
            if nan_at and step == int(nan_at):
                weight = self.model.discriminator.trainable_variables[0]
                weight.assign(tf.fill(weight.shape, np.nan))
                _say(f"poisoned a discriminator weight after step {step}")

    return Progress


def main() -> None:
    from tfvgan import train

    _patch_checkpoint_writes()
    progress = _progress_callback()
    run = train.run

    def hooked_run(config, callbacks=()):
        run_dir = os.path.abspath(config.resolved().run_dir)
        return run(config, callbacks=[*callbacks, progress(run_dir)])

    train.run = hooked_run
    from tfvgan.cli import train as cli_train

    cli_train.main(["tfvgan-train", *sys.argv[1:]])


if __name__ == "__main__":
    main()
