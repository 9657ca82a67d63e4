"""Reliability and safety campaign: faults, bad input, long runs.

Each test here is one row of docs/RELIABILITY.md. The heavy ones (the
>= 20-kill harness, the >= 1,000-case loader fuzz and the 2,000-step soak)
are marked slow and print their figures as one ``RELIABILITY-FIGURES`` JSON
line (run with ``--run-slow -s`` to see it); the default run has a fast
subset of each.

Faults are injected by tests/_reliability_worker.py, which is the
``tfvgan-train`` command line plus hooks chosen by environment variables.
"""

from __future__ import annotations

import ast
import collections
import faulthandler
import hashlib
import json
import os
import pathlib
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

import numpy as np
import pytest

from tfvgan import builders, runs
from tfvgan import config as config_lib

REPO = pathlib.Path(__file__).resolve().parents[1]
WORKER = str(REPO / "tests" / "_reliability_worker.py")

# The kill-harness run: 24 steps, a checkpoint every 4 steps (and at the
# end), two kept; deterministic, so a resumed run can be compared bit for bit.
INTERVAL = 4
TOTAL = 24
KILL_ARGS = [
    "--preset=tiny",
    "--sample_every_epochs=0",
    "--noexport",
    "--epochs=4",
    "--steps_per_epoch=6",
    "--checkpoint_every_epochs=0",
    f"--checkpoint_every_steps={INTERVAL}",
    "--max_checkpoints=2",
    "--deterministic",
]
# Kill points inside a checkpoint save (see the worker's docstring).
SAVE_PHASES = (
    "save_start",
    "shards_written",
    "state_update",
    "state_rename",
    "sweep",
    "timer",
)


def _env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TFVGAN_TEST_")}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")])
    env["TF_CPP_MIN_LOG_LEVEL"] = "3"
    env["CUDA_VISIBLE_DEVICES"] = ""
    env.pop("TF_CONFIG", None)
    env.update({k: str(v) for k, v in extra.items()})
    return env


def _figures(name: str, figures: dict) -> None:
    """Prints a slow test's figures (the numbers in docs/RELIABILITY.md)."""
    print(f"\nRELIABILITY-FIGURES {name} {json.dumps(figures, sort_keys=True)}")


# ------------------------------------------------------------ kill harness
class Launch:
    """One run of the worker: its output lines, the step it resumed from,
    the furthest step it began, and how it ended."""

    def __init__(self, run_dir, env, kill_after=None, kill_from_start=None):
        self.lines: list[str] = []
        self.began = threading.Event()
        start = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, WORKER, *KILL_ARGS, f"--run_dir={run_dir}"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        reader = threading.Thread(target=self._read, args=(proc.stdout,))
        reader.start()
        errors: list[str] = []
        err_reader = threading.Thread(
            target=lambda: errors.extend(proc.stderr.readlines())
        )
        err_reader.start()
        self.parent_kill = False
        if kill_from_start is not None:
            self._kill_at(proc, start + kill_from_start)
        elif kill_after is not None:
            # Kill at a random moment after training began.
            if self.began.wait(timeout=240):
                self._kill_at(proc, time.perf_counter() + kill_after)
        self.returncode = proc.wait(timeout=600)
        reader.join()
        err_reader.join()
        self.stderr = "".join(errors)
        self.seconds = time.perf_counter() - start
        out = "\n".join(self.lines)
        match = re.search(r"resuming .* from step (\d+)", out)
        self.resumed_from = int(match.group(1)) if match else 0
        self.started = bool(re.search(r"^tfvgan: (resuming|training)", out, re.M))
        begun = [int(m) for m in re.findall(r"^reliability: begin (\d+)$", out, re.M)]
        self.reached = max([self.resumed_from, *begun])
        hooked = re.search(r"^reliability: kill (\w+) at step (\d+)$", out, re.M)
        self.kill_phase = hooked.group(1) if hooked else None
        self.killed = self.returncode == -signal.SIGKILL
        self.finished = f"training complete at step {TOTAL} of {TOTAL}" in out

    def _read(self, stream):
        for line in stream:
            self.lines.append(line.rstrip("\n"))
            if line.startswith("reliability: begin"):
                self.began.set()

    def _kill_at(self, proc, when):
        while proc.poll() is None and time.perf_counter() < when:
            time.sleep(0.005)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            self.parent_kill = True


def _latest_complete(run_dir) -> int:
    """Step of the checkpoint the ``checkpoint`` state file names (0: none)."""
    ckpt_dir = os.path.join(run_dir, "checkpoints")
    state = os.path.join(ckpt_dir, "checkpoint")
    if not os.path.exists(state):
        return 0
    with open(state) as f:
        match = re.search(r'^model_checkpoint_path: "ckpt-(\d+)"', f.read(), re.M)
    assert match, f"unreadable checkpoint state file in {ckpt_dir}"
    step = int(match.group(1))
    for suffix in (".index", ".data-00000-of-00001"):
        assert os.path.exists(os.path.join(ckpt_dir, f"ckpt-{step}{suffix}")), (
            f"the state file names ckpt-{step} but its {suffix} file is missing"
        )
    return step


def _kill_chain(run_dir, plan, seed):
    """Kills the worker at each point of `plan`, rerunning the same command
    after each kill, then reruns it once more to finish.

    `plan` items: ``(phase, step)`` for a worker hook, ``("wallclock", s)``
    for a parent SIGKILL `s` seconds after training began, or
    ``("startup", s)`` for one `s` seconds after the process started.

    Returns one record per kill that happened, and the finishing launch.
    """
    rng = random.Random(seed)
    records, pending = [], []
    for phase, value in plan:
        latest_before = _latest_complete(run_dir)
        if phase == "wallclock":
            launch = Launch(run_dir, _env(), kill_after=value)
        elif phase == "startup":
            launch = Launch(run_dir, _env(), kill_from_start=value)
        else:
            env = _env(TFVGAN_TEST_KILL=f"{phase}@{value}")
            if phase == "timer":
                env["TFVGAN_TEST_KILL_DELAY"] = f"{rng.uniform(0.0, 0.06):.4f}"
            launch = Launch(run_dir, env)
        if launch.started:
            # Kills during start-up (before this line) are checked here too.
            for killed in pending:
                _check_resume(killed, launch)
            pending = []
        if not launch.killed:
            # The planned kill point was never reached: the run finished.
            assert launch.returncode == 0, launch.stderr[-3000:]
            assert launch.finished, "\n".join(launch.lines[-20:])
            return records, launch
        killed = dict(
            phase=launch.kill_phase or phase,
            planned=[phase, value],
            # Killed before it said where it resumed: it trained nothing.
            reached=launch.reached if launch.started else latest_before,
            latest_complete=_latest_complete(run_dir),
            started=launch.started,
        )
        records.append(killed)
        pending.append(killed)
    final = Launch(run_dir, _env())
    for killed in pending:
        _check_resume(killed, final)
    assert final.returncode == 0, final.stderr[-3000:]
    assert final.finished, "\n".join(final.lines[-20:])
    return records, final


def _check_resume(killed: dict, launch: Launch) -> None:
    """The rerun resumed from the latest complete checkpoint, losing at most
    one checkpoint interval of steps."""
    assert launch.resumed_from == killed["latest_complete"], (killed, launch.lines)
    lost = killed["reached"] - launch.resumed_from
    assert 0 <= lost <= INTERVAL, (killed, launch.resumed_from)
    killed["resumed_from"] = launch.resumed_from
    killed["steps_lost"] = lost


def _assert_no_leftovers(run_dir) -> None:
    names = os.listdir(os.path.join(run_dir, "checkpoints"))
    assert not [n for n in names if "_temp" in n or n.startswith("checkpoint.tmp")]
    assert _latest_complete(run_dir) == TOTAL


@pytest.mark.slow  # four launches (~40 s); tests/test_train.py kills once by default
def test_kill_at_a_step_and_inside_checkpoint_writes_resumes_and_finishes(tmp_path):
    """Fast subset: three SIGKILLs (after a step, with shards written but not
    merged, with the new state file written but not renamed), each followed
    by the same command, which resumes from the latest complete checkpoint."""
    run_dir = str(tmp_path / "run")
    plan = [("step", 5), ("shards_written", 9), ("state_rename", 14)]
    records, final = _kill_chain(run_dir, plan, seed=0)
    assert [r["phase"] for r in records] == ["step", "shards_written", "state_rename"]
    # Each kill's checkpoint interval: killed at step 5 (latest ckpt-4), in
    # the save of step 12 (latest ckpt-8), in the save of step 16 (ckpt-12).
    assert [r["resumed_from"] for r in records] == [4, 8, 12]
    assert [r["steps_lost"] for r in records] == [1, 4, 4]
    assert final.resumed_from == 12
    _assert_no_leftovers(run_dir)


def _checkpoint_values(prefix):
    import tensorflow as tf

    reader = tf.train.load_checkpoint(prefix)
    names = [n for n in reader.get_variable_to_shape_map() if "OBJECT_GRAPH" not in n]
    return {n: reader.get_tensor(n) for n in names}


@pytest.mark.slow
def test_kill_anywhere_harness_resumes_every_time(tmp_path):
    """>= 20 SIGKILLs at seeded random points (steps, every phase of a
    checkpoint save, random wall-clock moments in training and start-up);
    every rerun resumes from the latest complete checkpoint, loses at most
    one checkpoint interval, and the finished runs equal an uninterrupted one."""
    rng = random.Random(20240601)
    phases = ["step", *SAVE_PHASES, "wallclock", "startup"]
    target, chains, records = 20, 0, []
    started = time.perf_counter()
    finals = []
    while len(records) < target:
        plan, step = [], 0
        for _ in range(4):
            phase = rng.choice(phases)
            step = min(step + rng.randint(1, 7), TOTAL - 1)
            if phase == "wallclock":
                plan.append((phase, round(rng.uniform(0.0, 0.8), 3)))
            elif phase == "startup":
                plan.append((phase, round(rng.uniform(0.5, 6.0), 3)))
            else:
                plan.append((phase, step))
        run_dir = str(tmp_path / f"chain{chains}")
        chain_records, final = _kill_chain(run_dir, plan, seed=chains)
        _assert_no_leftovers(run_dir)
        records += chain_records
        finals.append(run_dir)
        chains += 1

    reference = str(tmp_path / "uninterrupted")
    straight = Launch(reference, _env())
    assert straight.returncode == 0 and straight.finished, straight.stderr[-3000:]
    # save_counter counts saves made, and a redone save counts again: it is
    # bookkeeping, not training state.
    expected = _checkpoint_values(
        os.path.join(reference, "checkpoints", f"ckpt-{TOTAL}")
    )
    expected.pop("save_counter/.ATTRIBUTES/VARIABLE_VALUE")
    differing = {}
    for run_dir in finals:
        got = _checkpoint_values(os.path.join(run_dir, "checkpoints", f"ckpt-{TOTAL}"))
        got.pop("save_counter/.ATTRIBUTES/VARIABLE_VALUE")
        assert got.keys() == expected.keys()
        bad = [n for n in expected if not np.array_equal(got[n], expected[n])]
        if bad:
            differing[run_dir] = bad

    lost = [r["steps_lost"] for r in records]
    _figures(
        "kill_anywhere",
        {
            "kills": len(records),
            "resumes_ok": sum("resumed_from" in r for r in records),
            "chains": chains,
            "kills_by_phase": dict(collections.Counter(r["phase"] for r in records)),
            "steps_lost_max": max(lost),
            "steps_lost_mean": round(sum(lost) / len(lost), 2),
            "steps_lost": lost,
            "checkpoint_interval": INTERVAL,
            "finished_runs_equal_uninterrupted": len(finals) - len(differing),
            "finished_runs": len(finals),
            "wall_s": round(time.perf_counter() - started, 1),
        },
    )
    assert differing == {}
    assert len(records) >= target
    assert {r["phase"] for r in records} >= {"step", "shards_written", "state_rename"}


# --------------------------------------------------------------- divergence
def _tiny_config(run_dir, **overrides):
    values = dict(run_dir=str(run_dir), export=False, sample_every_epochs=0)
    values.update(overrides)
    return config_lib.TrainConfig.from_preset("tiny", **values)


def _hashes(folder) -> dict[str, str]:
    out = {}
    for name in sorted(os.listdir(folder)):
        path = os.path.join(folder, name)
        if os.path.isfile(path):
            with open(path, "rb") as f:
                out[name] = hashlib.sha256(f.read()).hexdigest()
    return out


@pytest.mark.parametrize(
    "poison, policy",
    [
        (float("nan"), "raise"),
        pytest.param(float("inf"), "stop", marks=pytest.mark.slow),
    ],
)
def test_poisoned_batch_stops_with_a_clear_message_and_keeps_checkpoints(
    tmp_path, monkeypatch, capsys, poison, policy
):
    """A batch holding NaN/Inf (the third of every pass over the data) makes
    the losses and gradients non-finite at step 3: the run stops (raise or
    stop, as configured) naming the metric and step, and every checkpoint
    file on disk before that step is byte-for-byte unchanged."""
    import keras
    import tensorflow as tf

    from tfvgan import train

    real_build = builders.build_dataset

    def poisoned(config, model, **kwargs):
        dataset = real_build(config, model, **kwargs)

        def poison_third(index, video):
            bad = tf.fill(tf.shape(video), tf.constant(poison, video.dtype))
            return tf.where(tf.equal(index, 2), bad, video)

        return dataset.enumerate().map(poison_third)

    monkeypatch.setattr(builders, "build_dataset", poisoned)
    ckpt_dir = tmp_path / "checkpoints"
    snapshot = {}

    class Snapshot(keras.callbacks.Callback):
        def on_train_batch_begin(self, batch, logs=None):
            if int(self.model.optimizer.iterations.numpy()) == 2:
                snapshot.update(_hashes(ckpt_dir))

    config = _tiny_config(
        tmp_path, epochs=3, checkpoint_every_steps=1, nan_policy=policy
    )
    if policy == "raise":
        with pytest.raises(train.NonFiniteLossError) as info:
            train.run(config, callbacks=[Snapshot()])
        message = str(info.value)
    else:
        train.run(config, callbacks=[Snapshot()])
        message = capsys.readouterr().out
    assert re.search(r"non-finite \w+=(nan|inf|-inf) at step 3", message), message
    assert "ckpt-2" in message and "without checkpointing this state" in message
    assert snapshot and "ckpt-2.index" in snapshot
    assert _hashes(ckpt_dir) == snapshot  # nothing rewritten, nothing added
    values = _checkpoint_values(str(ckpt_dir / "ckpt-2"))
    assert all(np.all(np.isfinite(v)) for v in values.values() if v.dtype.kind == "f")


# -------------------------------------------------------------- disk errors
def _unwritable_run(run_dir: str, at_step: int):
    """Runs the worker with the run directory made unwritable after
    `at_step`; checks the one-line error and the untouched checkpoint files.

    Returns the error line.
    """
    proc = subprocess.run(
        [sys.executable, WORKER, *KILL_ARGS, f"--run_dir={run_dir}"],
        capture_output=True,
        text=True,
        env=_env(TFVGAN_TEST_UNWRITABLE_AT=at_step),
        timeout=600,
    )
    try:
        assert proc.returncode == 1, proc.stdout[-2000:] + proc.stderr[-3000:]
        errors = [
            ln for ln in proc.stderr.splitlines() if ln.startswith("tfvgan-train:")
        ]
        assert len(errors) == 1, proc.stderr[-3000:]
        assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
        assert f"cannot write to the run directory {run_dir!r}" in errors[0]
        assert f"latest complete: {run_dir}/checkpoints/ckpt-4" in errors[0]
        before = dict(re.findall(r"^reliability: file (\S+) (\w+)$", proc.stdout, re.M))
        assert "ckpt-4.index" in before
        after = _hashes(os.path.join(run_dir, "checkpoints"))
        assert {k: after.get(k) for k in before} == before
    finally:
        for root, dirs, _ in os.walk(run_dir):
            for name in dirs:
                os.chmod(os.path.join(root, name), 0o755)
        os.chmod(run_dir, 0o755)
    return errors[0]


@pytest.mark.slow  # 10 s
def test_unwritable_run_dir_mid_run_gives_a_clear_error_and_keeps_checkpoints(
    tmp_path,
):
    """After step 7 the run directory stops taking writes (read-only
    folders; for root a zero file-size limit): the checkpoint save at step 8
    fails, the CLI exits 1 with one line naming the directory and the intact
    latest checkpoint, and the earlier checkpoint files are byte-for-byte
    unchanged and load."""
    run_dir = str(tmp_path / "run")
    error = _unwritable_run(run_dir, at_step=7)
    assert "Training stopped at step 8" in error
    values = _checkpoint_values(os.path.join(run_dir, "checkpoints", "ckpt-4"))
    assert values["g_optimizer/_iterations/.ATTRIBUTES/VARIABLE_VALUE"] == 4


@pytest.mark.slow
def test_unwritable_run_dir_during_summaries_then_writable_again_resumes(tmp_path):
    """After step 6 the run directory stops taking writes: the end-of-epoch
    TensorBoard flush fails with the same clear error; once the directory is
    writable again, the same command resumes from ckpt-4 and finishes."""
    run_dir = str(tmp_path / "run")
    error = _unwritable_run(run_dir, at_step=6)
    assert "Training stopped at step 6" in error and "logs" in error
    resumed = Launch(run_dir, _env())
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert resumed.resumed_from == 4 and resumed.finished


def test_unwritable_run_dir_at_start_is_a_clear_error(tmp_path, monkeypatch):
    """A run directory that cannot be created or written fails before any
    TensorFlow work with `RunDirWriteError` naming it."""
    from tfvgan import train

    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(train.RunDirWriteError, match="cannot write to the run dir"):
        train.run(_tiny_config(blocker / "run"))


def test_write_video_into_a_missing_folder_raises(tmp_path):
    """Sample writers report a file they could not write (mp4 used to fail
    silently) instead of returning its path."""
    from tfvgan import video_io

    clip = np.zeros((4, 16, 16, 3), np.uint8)
    for ext in (".mp4", ".gif", ".webm"):
        with pytest.raises(OSError, match="could not write"):
            video_io.write_video(tmp_path / "missing" / f"x{ext}", clip)


# ------------------------------------------------------------- loader fuzz
SEED_FORMATS = (".mp4", ".avi", ".mkv", ".webm", ".gif", ".mov")
MUTATIONS = (
    "bit_flips",
    "truncate",
    "wrong_extension",
    "zero_bytes",
    "huge_size",
    "splice",
)
CASE_LIMIT_S = 60


@pytest.fixture(scope="module")
def seed_videos(tmp_path_factory):
    """Real, small video files in every container the loader reads."""
    from tfvgan import video_io

    folder = tmp_path_factory.mktemp("seeds")
    t = np.arange(10, dtype=np.float32)[:, None, None, None]
    y = np.arange(24, dtype=np.float32)[None, :, None, None]
    x = np.arange(32, dtype=np.float32)[None, None, :, None]
    c = np.arange(3, dtype=np.float32)[None, None, None, :]
    video = ((t * 20 + y * 4 + x * 3 + c * 50) % 256).astype(np.uint8)
    out = {}
    for ext in SEED_FORMATS:
        path = video_io.write_video(folder / f"seed{ext}", video)
        out[ext] = pathlib.Path(path).read_bytes()
    return out


def _size_fields(data: bytes, ext: str) -> list[tuple[int, int, str]]:
    """(offset, width, byte order) of length/size fields in a container header."""
    fields = []
    if ext in (".mp4", ".mov"):
        containers = {b"moov", b"trak", b"mdia", b"minf", b"stbl", b"udta", b"edts"}

        def walk(start, end):
            offset = start
            while offset + 8 <= end:
                size = int.from_bytes(data[offset : offset + 4], "big")
                fields.append((offset, 4, "big"))
                kind = data[offset + 4 : offset + 8]
                if kind in containers:
                    walk(offset + 8, min(offset + size, end))
                if size < 8:
                    break
                offset += size

        walk(0, len(data))
    elif ext == ".gif":
        fields += [(6, 2, "little"), (8, 2, "little")]
    elif ext == ".avi":
        for tag in (b"RIFF", b"LIST", b"avih", b"strh", b"strf", b"movi", b"00dc"):
            start = data.find(tag)
            if start >= 0:
                fields.append((start + 4, 4, "little"))
    else:  # Matroska / WebM: EBML element sizes near the start.
        fields += [(offset, 8, "big") for offset in range(4, min(len(data), 64), 7)]
    fields = [f for f in fields if f[0] + f[1] <= len(data)]
    return fields or [(offset, 4, "big") for offset in range(0, 64, 4)]


def _mutate(data: bytes, ext: str, kind: str, draw) -> tuple[bytes, str]:
    """Applies mutation `kind` (parameters from hypothesis' `draw`)."""
    from hypothesis import strategies as st

    from tfvgan import video_io

    if kind == "bit_flips":
        buffer = bytearray(data)
        for bit in draw(
            st.lists(st.integers(0, len(data) * 8 - 1), min_size=1, max_size=64)
        ):
            buffer[bit // 8] ^= 1 << (bit % 8)
        return bytes(buffer), ext
    if kind == "truncate":
        return data[: draw(st.integers(0, len(data) - 1))], ext
    if kind == "wrong_extension":
        content = draw(
            st.sampled_from(["other_container", "text", "random", "png_header"])
        )
        new_ext = draw(
            st.sampled_from([e for e in video_io.VIDEO_EXTENSIONS if e != ext])
        )
        if content == "text":
            return b"this is not a video\n" * draw(st.integers(1, 100)), new_ext
        if content == "random":
            return draw(st.binary(min_size=1, max_size=4096)), new_ext
        if content == "png_header":
            return b"\x89PNG\r\n\x1a\n" + b"\0" * 64, new_ext
        return data, new_ext
    if kind == "zero_bytes":
        return b"\0" * draw(st.sampled_from([0, 1, 16, 4096, len(data)])), ext
    if kind == "huge_size":
        fields = _size_fields(data, ext)
        offset, width, order = draw(st.sampled_from(fields))
        value = draw(
            st.sampled_from(
                [2 ** (8 * width) - 1, 2 ** (8 * width - 1) - 1, 2 ** (8 * width - 1)]
            )
        )
        buffer = bytearray(data)
        buffer[offset : offset + width] = value.to_bytes(width, order)
        return bytes(buffer), ext
    # splice: a random block overwritten, inserted or deleted.
    start = draw(st.integers(0, len(data) - 1))
    block = draw(st.binary(min_size=1, max_size=256))
    how = draw(st.sampled_from(["overwrite", "insert", "delete"]))
    if how == "overwrite":
        return data[:start] + block + data[start + len(block) :], ext
    if how == "insert":
        return data[:start] + block + data[start:], ext
    return data[:start] + data[start + len(block) :], ext


def _fuzz_case(seed_bytes: dict, ext: str, kind: str, on_error: str, draw) -> str:
    """Feeds one mutated file (beside an intact one) through
    `video_dataset_from_directory`; returns the outcome, or fails."""
    import tensorflow as tf

    from tfvgan import video_io
    from tfvgan.data import video_dataset_from_directory

    content, new_ext = _mutate(seed_bytes[ext], ext, kind, draw)
    with tempfile.TemporaryDirectory() as folder:
        good = os.path.join(folder, "a_good.mp4")
        bad = os.path.join(folder, f"b_mutant{new_ext}")
        pathlib.Path(good).write_bytes(seed_bytes[".mp4"])
        pathlib.Path(bad).write_bytes(content)
        faulthandler.dump_traceback_later(CASE_LIMIT_S * 2, exit=True)
        started = time.perf_counter()
        try:
            try:
                dataset = video_dataset_from_directory(
                    folder,
                    frames=4,
                    size=16,
                    batch_size=None,
                    labels=None,
                    shuffle=False,
                    seed=0,
                    on_error=on_error,
                    num_parallel_calls=1,
                )
                clips = list(dataset.as_numpy_iterator())
            except video_io.VideoDecodeError as error:
                assert on_error == "raise", error
                assert repr(bad) in str(error) and "cannot read" in str(error)
                return "raised at probe"
            except tf.errors.OpError as error:
                assert on_error == "raise", error
                assert f"cannot decode {bad!r}" in str(error), str(error)[-2000:]
                return "raised at decode"
        finally:
            faulthandler.cancel_dump_traceback_later()
        elapsed = time.perf_counter() - started
        assert elapsed < CASE_LIMIT_S, f"{kind} case took {elapsed:.1f} s"
        assert len(clips) == len(dataset.file_paths)
        for clip in clips:
            assert clip.shape == (4, 16, 16, 3) and clip.dtype == np.float32
            assert np.all(np.isfinite(clip)) and np.abs(clip).max() <= 1.0
        stats = dataset.stats
        assert good in dataset.file_paths and good not in stats.skipped
        reason = stats.skipped.get(bad)
        if reason is None:
            assert bad in dataset.file_paths
            return "decoded"
        if "fewer than" in reason:  # short_videos="skip", whatever on_error
            return "skipped (too short)"
        assert on_error == "skip", reason
        if reason.startswith("unreadable"):
            return "skipped at probe"
        assert reason.startswith("decode failed"), reason
        return "skipped at decode"


def _run_fuzz(seed_videos, examples: int) -> dict:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    outcomes: collections.Counter = collections.Counter()
    by_kind: dict = collections.defaultdict(collections.Counter)
    slowest = [0.0]

    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        ext=st.sampled_from(SEED_FORMATS),
        kind=st.sampled_from(MUTATIONS),
        on_error=st.sampled_from(["skip", "skip", "raise"]),
        data=st.data(),
    )
    def case(ext, kind, on_error, data):
        started = time.perf_counter()
        outcome = _fuzz_case(seed_videos, ext, kind, on_error, data.draw)
        slowest[0] = max(slowest[0], time.perf_counter() - started)
        outcomes[outcome] += 1
        by_kind[kind][outcome] += 1

    started = time.perf_counter()
    case()
    return {
        "cases": sum(outcomes.values()),
        "outcomes": dict(outcomes),
        "by_mutation": {k: dict(v) for k, v in sorted(by_kind.items())},
        "slowest_case_s": round(slowest[0], 2),
        "wall_s": round(time.perf_counter() - started, 1),
    }


def test_loader_fuzz_fast_subset(seed_videos):
    """50 mutated files: each is decoded, skipped with a reason, or raised
    naming the file; the intact file beside it is always used."""
    figures = _run_fuzz(seed_videos, 50)
    assert figures["cases"] >= 50
    assert figures["outcomes"].get("decoded", 0) < figures["cases"]


@pytest.mark.slow
def test_loader_fuzz_1000_cases(seed_videos):
    """1,000 hypothesis-generated mutations (bit flips, truncation, wrong
    extensions, zero bytes, huge declared sizes, splices) of real mp4, avi,
    mkv, webm, gif and mov files: no crash, no hang, a clear outcome each."""
    figures = _run_fuzz(seed_videos, 1000)
    _figures("loader_fuzz", figures)
    assert figures["cases"] >= 1000


# --------------------------------------------- malformed configs and flags
@pytest.mark.parametrize(
    "overrides, match",
    [
        ({"seed": -1}, r"seed must be an integer >= 0, got -1"),
        ({"seed": "0"}, r"seed must be an integer >= 0, got '0'"),
        ({"batch_size": True}, r"batch_size must be an integer >= 1, got True"),
        ({"steps_per_epoch": 0}, r"steps_per_epoch must be an integer >= 1"),
        ({"max_checkpoints": 0}, r"max_checkpoints must be an integer >= 1"),
        ({"checkpoint_every_steps": -1}, r"checkpoint_every_steps must be"),
        ({"gp_weight": float("nan")}, r"gp_weight must be a number in"),
        ({"r1_weight": "1"}, r"r1_weight must be a number in .*got '1'"),
        ({"ema_decay": -0.5}, r"ema_decay must be"),
        ({"d_optimizer": {"beta_1": 1.0}}, r"beta_1 must be a number in \[0, 1\)"),
        ({"g_optimizer": {"lr": 1e-3}}, r"unknown Adam setting\(s\) \['lr'\]"),
        ({"g_optimizer": "adam"}, r"g_optimizer must be an OptimizerConfig"),
        ({"model_kwargs": [1, 2]}, r"model_kwargs must be a mapping"),
        ({"data_kwargs": {"bad key": 1}}, r"data_kwargs keys must be argument names"),
        ({"run_dir": ""}, r"run_dir must be a non-empty path string"),
        ({"run_dir": 3}, r"run_dir must be a non-empty path string, got 3"),
        ({"deterministic": "yes"}, r"deterministic must be True or False"),
        ({"jit_compile": "auto"}, r"jit_compile must be one of None, True, False"),
        ({"sample_formats": "gif,avi"}, r"unknown sample format 'avi'"),
        ({"sample_fps": 0}, r"sample_fps must be an integer >= 1"),
        ({"model_preset": "huge"}, r"unknown model_preset 'huge'"),
    ],
)
def test_malformed_config_values_are_rejected_with_the_value(overrides, match):
    with pytest.raises(ValueError, match=match):
        config_lib.TrainConfig.from_preset("tiny", **overrides)


def _parse_flags(*argv):
    from absl import flags

    from tfvgan.cli import train as cli_train

    fv = flags.FlagValues()
    cli_train.define_flags(fv)
    fv(["tfvgan-train", *argv])
    return cli_train.config_from_flags(fv)


@pytest.mark.parametrize(
    "argv, error, match",
    [
        (['--model_kwargs={"width": 4'], ValueError, r"--model_kwargs: invalid JSON"),
        (["--model_kwargs=[1]"], ValueError, r"--model_kwargs: expected key=value"),
        (['--data_kwargs={"a": 1}x'], ValueError, r"--data_kwargs: invalid JSON"),
        (["--data_kwargs==3"], ValueError, r"expected key=value pairs, got '=3'"),
        (["--sample_formats=avi"], ValueError, r"unknown sample format 'avi'"),
        (["--g_lr=-1"], Exception, r"g_lr"),
        (["--seed=-3"], Exception, r"seed"),
        (["--nan_policy=skip"], Exception, r"raise\|stop"),
        (["--checkpoint_every_steps=x"], Exception, r"checkpoint_every_steps"),
    ],
)
def test_malformed_flags_name_the_flag(argv, error, match):
    with pytest.raises(error, match=match):
        _parse_flags("--preset=tiny", *argv)


@pytest.mark.parametrize(
    "text, match",
    [
        ("{not json", r"cannot read .*config.json"),
        ("null", r"cannot read .*config.json"),
        ('{"epoch": 3}', r"unknown TrainConfig field\(s\) \['epoch'\]"),
        ('{"batch_size": "four"}', r"batch_size must be an integer"),
    ],
)
def test_corrupt_saved_config_of_a_run_is_a_clear_error(tmp_path, text, match):
    """A damaged config.json beside checkpoints is refused naming the file
    (before any TensorFlow work), never silently replaced."""
    from tfvgan import train

    (tmp_path / "checkpoints").mkdir()
    (tmp_path / "checkpoints" / "checkpoint").write_text('model_checkpoint_path: "x"')
    (tmp_path / "config.json").write_text(text)
    with pytest.raises(train.RunDirError, match=match):
        train.run(_tiny_config(tmp_path))
    assert (tmp_path / "config.json").read_text() == text


def test_bad_model_or_data_argument_fails_clearly_and_leaves_run_dir_reusable(
    tmp_path,
):
    """A misspelt model or data argument names itself; the run directory it
    failed in (config.json, no checkpoint) accepts the corrected config."""
    from tfvgan import train

    with pytest.raises(ValueError, match=r"widht"):
        train.run(_tiny_config(tmp_path, model_kwargs={"widht": 4}))
    with pytest.raises(TypeError, match=r"num_vidoes"):
        train.run(_tiny_config(tmp_path, data_kwargs={"num_vidoes": 4}))
    fixed = _tiny_config(tmp_path, epochs=1)
    saved = runs.resumable_config(str(tmp_path))
    assert saved is None  # no checkpoint: nothing to resume
    runs.write_config(fixed, str(tmp_path), saved)  # replaces the old config
    saved = config_lib.TrainConfig.from_json((tmp_path / "config.json").read_text())
    assert saved == fixed


@pytest.mark.parametrize(
    "value, match",
    [
        ("null", r"must be a JSON object"),
        ('{"cluster": [], "task": {}}', r"non-empty 'cluster' object"),
        ('{"cluster": {"worker": ["h:1"]}, "task": []}', r"'task' object"),
        (
            '{"cluster": {"worker": ["h:1"]}, "task": {"type": "worker", "index": -1}}',
            r"index -1 is out of range",
        ),
        (
            '{"cluster": {"worker": ["h:1"]}, "task": {"type": "worker", "index": true}}',
            r"must be an integer, got True",
        ),
        (
            '{"cluster": {"worker": ["h:abc"]}, "task": {"type": "worker", "index": 0}}',
            r"'h:abc' is not 'host:port'",
        ),
        (
            '{"cluster": {"worker": [5]}, "task": {"type": "worker", "index": 0}}',
            r"5 is not 'host:port'",
        ),
        (
            '{"cluster": {"chief": ["a:1", "b:1"]}, "task": {"type": "chief", "index": 0}}',
            r"at most one 'chief'",
        ),
    ],
)
def test_malformed_tf_config_is_rejected_naming_the_problem(value, match):
    from tfvgan import distribute

    with pytest.raises(ValueError, match=match):
        distribute.parse_tf_config(value)


# ------------------------------------------------------------- conditions
@pytest.fixture
def label_gan():
    from tfvgan import models

    gan = models.build_model(
        "conditional", "tiny", condition_type="label", num_classes=4
    )
    gan.compile()
    return gan


@pytest.mark.parametrize(
    "labels, match",
    [([0, 4], r"label id >= 4; ids must lie in \[0, 4\)"), ([2, -1], r"label id < 0")],
)
def test_out_of_range_label_during_training_names_the_range(label_gan, labels, match):
    """Graph-mode training checks label ids too (eager generate() is tested
    in test_model_conditional and test_conditions); the error says which bound and the valid range."""
    import tensorflow as tf

    gan = label_gan
    videos = np.zeros((2, *gan.video_shape), np.float32)
    data = tf.data.Dataset.from_tensor_slices((videos, np.array(labels, np.int32)))
    with pytest.raises(tf.errors.InvalidArgumentError, match=match):
        gan.fit(data.batch(2), epochs=1, verbose=0)


def test_label_of_wrong_type_is_rejected(label_gan):
    with pytest.raises(ValueError, match=r"expected integer label ids, got dtype"):
        label_gan.generate(2, condition=np.array(["a", "b"]))


@pytest.mark.slow  # 10 s
def test_empty_and_out_of_vocabulary_captions_fall_back_and_train():
    """Documented fallback: an empty caption is all padding (0) and an
    unknown word is [UNK] (1); a text model trains on them with finite
    losses."""
    import tensorflow as tf

    from tfvgan import models

    vocabulary = ["", "[UNK]", "digit", "moves", "up", "3"]
    gan = models.build_model(
        "conditional", "tiny", condition_type="text", vocabulary=vocabulary
    )
    gan.compile()
    ids = gan.tokenize(["", "zebra banana", "digit 3 moves up", ""]).numpy()
    assert ids[0].sum() == 0 and list(ids[1][:3]) == [1, 1, 0]
    assert list(ids[2][:4]) == [2, 5, 3, 4]
    videos = np.zeros((4, *gan.video_shape), np.float32)
    data = tf.data.Dataset.from_tensor_slices((videos, ids)).batch(2)
    history = gan.fit(data, epochs=1, verbose=0).history
    assert all(np.isfinite(v[-1]) for v in history.values())
    too_big = np.full_like(ids, len(vocabulary))
    data = tf.data.Dataset.from_tensor_slices((videos, too_big)).batch(2)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"text id >= 6"):
        gan.fit(data, epochs=1, verbose=0)


# ------------------------------------------------------------------ safety
_FORBIDDEN_MODULES = {"pickle", "cPickle", "dill", "cloudpickle", "shelve", "marshal"}
_SHELL_CALLS = {
    "os.system",
    "os.popen",
    "subprocess.getoutput",
    "subprocess.getstatusoutput",
}
_SUBPROCESS = {"subprocess.run", "subprocess.Popen", "subprocess.call",
               "subprocess.check_call", "subprocess.check_output"}  # fmt: skip
_LOADERS = {"keras.saving.load_model", "keras.models.load_model", "load_model"}


def _dotted(node) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


def _unsafe_uses(source: str, filename: str) -> list[str]:
    """Unsafe constructs in Python `source`: pickle-family imports,
    eval/exec, shell commands, np.load without allow_pickle=False, .keras
    loading without an explicit safe_mode, unsafe deserialization switches."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        where = f"{filename}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in _FORBIDDEN_MODULES:
                    found.append(f"{where} imports {alias.name}")
        elif isinstance(node, ast.ImportFrom):
            if (node.module or "").split(".")[0] in _FORBIDDEN_MODULES:
                found.append(f"{where} imports from {node.module}")
        elif isinstance(node, ast.Call):
            name = _dotted(node.func)
            keywords = {k.arg: k.value for k in node.keywords}
            if name in ("eval", "exec", "compile", "__import__"):
                found.append(f"{where} calls {name}()")
            elif name in _SHELL_CALLS:
                found.append(f"{where} runs a shell command via {name}()")
            elif name in _SUBPROCESS:
                shell = keywords.get("shell")
                if shell is not None and not (
                    isinstance(shell, ast.Constant) and shell.value is False
                ):
                    found.append(f"{where} calls {name}(shell=...)")
                if node.args and isinstance(
                    node.args[0], (ast.Constant, ast.JoinedStr)
                ):
                    found.append(f"{where} calls {name}() with a command string")
            elif name in ("np.load", "numpy.load"):
                allow = keywords.get("allow_pickle")
                if not (isinstance(allow, ast.Constant) and allow.value is False):
                    found.append(f"{where} calls {name}() without allow_pickle=False")
            elif name in _LOADERS or name.endswith(".load_model"):
                safe = keywords.get("safe_mode")
                if safe is None or (isinstance(safe, ast.Constant) and not safe.value):
                    found.append(f"{where} calls {name}() without safe_mode")
            elif name.endswith("enable_unsafe_deserialization"):
                found.append(f"{where} calls {name}()")
            elif name in ("yaml.load", "yaml.unsafe_load"):
                found.append(f"{where} calls {name}()")
    return found


def test_unsafe_construct_scanner_finds_each_construct():
    """The scanner below is not vacuous: each construct it forbids is found."""
    snippet = """
import pickle
from dill import loads
import os, subprocess, numpy as np, keras
eval("1")
exec("x = 1")
os.system("ls " + path)
subprocess.run(cmd, shell=True)
subprocess.check_output(f"ffmpeg -i {path}")
np.load(path)
np.load(path, allow_pickle=True)
keras.saving.load_model(path)
keras.models.load_model(path, safe_mode=False)
keras.config.enable_unsafe_deserialization()
"""
    found = _unsafe_uses(snippet, "snippet.py")
    assert len(found) == 12, found
    clean = """
import subprocess, numpy as np, keras
subprocess.run([exe, "-i", path], check=False)
np.load(path, mmap_mode="r", allow_pickle=False)
keras.saving.load_model(path, safe_mode=safe_mode)
"""
    assert _unsafe_uses(clean, "clean.py") == []


def test_tfvgan_source_has_no_pickle_eval_shell_or_unsafe_loading():
    """AST scan of every module in tfvgan/ (see the scanner's docstring)."""
    files = sorted((REPO / "tfvgan").rglob("*.py"))
    assert len(files) > 20
    found = []
    for path in files:
        found += _unsafe_uses(path.read_text(), str(path.relative_to(REPO)))
    assert found == []


def _lambda_model(path: str) -> None:
    """A .keras file whose Lambda layer, once deserialized and called,
    creates the file named by $TFVGAN_TEST_MARKER."""
    import keras

    inputs = keras.Input((3,))
    outputs = keras.layers.Lambda(
        lambda x: (
            __import__("os").environ.get("TFVGAN_TEST_MARKER")
            and open(__import__("os").environ["TFVGAN_TEST_MARKER"], "w").close(),
            x,
        )[1]
    )(inputs)
    keras.Model(inputs, outputs).save(path)


def test_keras_file_with_lambda_layer_is_refused_by_default(tmp_path, monkeypatch):
    """`builders.load_model` (the tfvgan-export source) refuses a crafted
    .keras file: its code never runs. Opting out (safe_mode=False) loads it
    and runs it, which shows the file really carries code."""

    path = str(tmp_path / "crafted.keras")
    _lambda_model(path)
    marker = tmp_path / "code-ran"
    monkeypatch.setenv("TFVGAN_TEST_MARKER", str(marker))
    with pytest.raises(ValueError, match=r"Lambda.*safe_mode"):
        builders.load_model(path)
    assert not marker.exists()
    builders.load_model(path, safe_mode=False)
    assert marker.exists()


def test_crafted_digit_classifier_cache_is_refused(tmp_path, monkeypatch):
    """The metrics' cached classifier is loaded in safe mode too: a Lambda
    file planted under the cache's name is refused, its code not run."""
    from tfvgan.metrics import digit_classifier

    name = (
        f"digit_classifier_v{digit_classifier._CACHE_VERSION}_t4_s16_c1_k10_n20"
        "_e1_seed0.keras"
    )
    _lambda_model(str(tmp_path / name))
    marker = tmp_path / "code-ran"
    monkeypatch.setenv("TFVGAN_TEST_MARKER", str(marker))
    with pytest.raises(ValueError, match=r"Lambda"):
        digit_classifier.load_digit_extractor(
            cache_dir=tmp_path, frames=4, size=16, num_videos=20, epochs=1
        )
    assert not marker.exists()


def test_protocol_like_data_paths_are_read_as_plain_files(tmp_path, monkeypatch):
    """ffmpeg and PyAV treat ``concat:``, ``subfile:``... in a name as a
    protocol; a data folder named ``concat:clips`` used to make the loader
    read ``clips/`` instead. Every path now names exactly its own file."""
    from tfvgan import video_io
    from tfvgan.data import video_dataset_from_directory

    monkeypatch.chdir(tmp_path)
    os.makedirs("clips")
    os.makedirs("concat:clips")
    video_io.write_video("clips/x.mp4", np.zeros((6, 16, 16, 3), np.uint8))
    video_io.write_video("light.mp4", np.full((6, 16, 16, 3), 250, np.uint8))
    shutil.move("light.mp4", "concat:clips/x.mp4")
    for backend in ("ffmpeg", "pyav"):
        clip = video_io.read_video("concat:clips/x.mp4", backend=backend)
        assert clip.mean() > 200, backend
    assert video_io.probe_video("concat:clips/x.mp4").frames == 6
    dataset = video_dataset_from_directory(
        "concat:clips", frames=4, size=16, batch_size=None, labels=None, seed=0
    )
    (video,) = list(dataset.as_numpy_iterator())
    assert video.mean() > 0.8  # the light clip, in [-1, 1]


@pytest.mark.parametrize(
    "name",
    ["$(touch pwned).mp4", "; touch pwned #.mp4", "-y.mp4", "`touch pwned`.gif"],
)
def test_shell_metacharacters_in_file_names_are_never_executed(
    tmp_path, monkeypatch, name
):
    """Video files whose names are shell commands or ffmpeg options are
    written, probed and decoded as plain files; nothing runs."""
    from tfvgan import video_io
    from tfvgan.data import video_dataset_from_directory

    folder = tmp_path / "data"
    folder.mkdir()
    monkeypatch.chdir(folder)
    video_io.write_video(name, np.full((6, 16, 16, 3), 200, np.uint8))
    assert os.path.isfile(name)
    assert video_io.read_video(name).shape == (6, 16, 16, 3)
    dataset = video_dataset_from_directory(
        folder, frames=4, size=16, batch_size=None, labels=None, seed=0
    )
    assert dataset.stats.num_skipped == 0
    assert len(list(dataset.as_numpy_iterator())) == 1
    assert sorted(os.listdir(folder)) == [name]  # no "pwned" file anywhere
    assert not (REPO / "pwned").exists()


# ---------------------------------------------------------------- soak test
@pytest.mark.slow
def test_soak_2000_steps_memory_and_file_descriptors_stay_flat(tmp_path):
    """2,000 training steps of the tiny preset (checkpoints every epoch,
    TensorBoard, GIF samples every 5 epochs): after warm-up (the first 400
    steps) resident memory and open file descriptors grow by < 5%."""
    run_dir = str(tmp_path / "soak")
    args = [
        "--preset=tiny",
        "--noexport",
        "--epochs=20",
        "--steps_per_epoch=100",
        "--sample_every_epochs=5",
        f"--run_dir={run_dir}",
    ]
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, WORKER, *args],
        capture_output=True,
        text=True,
        env=_env(TFVGAN_TEST_SAMPLE_EVERY=100),
        timeout=1800,
    )
    wall = time.perf_counter() - started
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "training complete at step 2000 of 2000" in proc.stdout
    samples = [
        tuple(int(v) for v in m)
        for m in re.findall(
            r"^reliability: sample step=(\d+) rss_kb=(\d+) fds=(\d+)$",
            proc.stdout,
            re.M,
        )
    ]
    assert [s[0] for s in samples] == list(range(100, 2001, 100))
    after_warmup = [s for s in samples if s[0] >= 400]
    rss0, rss1 = after_warmup[0][1], after_warmup[-1][1]
    fds0, fds1 = after_warmup[0][2], after_warmup[-1][2]
    rss_growth = (max(s[1] for s in after_warmup) - rss0) / rss0
    fds_growth = (max(s[2] for s in after_warmup) - fds0) / fds0
    _figures(
        "soak",
        {
            "steps": samples[-1][0],
            "rss_kb_first": samples[0][1],
            "rss_kb_at_warmup": rss0,
            "rss_kb_end": rss1,
            "rss_kb_max_after_warmup": max(s[1] for s in after_warmup),
            "rss_growth_pct": round(100 * rss_growth, 2),
            "fds_at_warmup": fds0,
            "fds_end": fds1,
            "fds_max_after_warmup": max(s[2] for s in after_warmup),
            "fds_growth_pct": round(100 * fds_growth, 2),
            "samples": samples,
            "wall_s": round(wall, 1),
        },
    )
    assert rss_growth < 0.05, samples
    assert fds_growth < 0.05, samples
