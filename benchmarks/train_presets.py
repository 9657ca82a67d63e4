"""Trains the shipped pretrained presets and packs them into the package.

Each shipped preset (`tfvgan.pretrained.SHIPPED`) is one run preset
of ``tfvgan-train`` at one seed. For each, this script

1. trains the run (``TrainConfig.from_preset(run_preset, seed=seed)``) into
   ``--out/<name>``, or finds it finished there (a rerun resumes);
2. packs its generator (the EMA generator the run samples from) into
   ``tfvgan/pretrained_weights/<name>.weights.npz`` (float16, no pickles)
   with its metadata ``<name>.json``: description, variant and arguments,
   this command and seed, the code version, the SHA-256 of the weights
   file;
3. loads the packed preset back (`tfvgan.models.from_preset`, float32) and
   scores it with `tfvgan.evaluate.evaluate_model` on the run's held-out
   clips: the full protocol (``--num_videos`` clips) for the README, and a
   small one (``SMALL_EVAL`` clips) that the tests re-run to check that a
   fresh install reproduces the recorded figures.

Regenerate rarely: every regeneration adds the weights to the repository's
history again.

    PYTHONPATH=. python benchmarks/train_presets.py                # all of them
    PYTHONPATH=. python benchmarks/train_presets.py --presets moving_digits_label
    PYTHONPATH=. python benchmarks/train_presets.py --stage train  # train only
    PYTHONPATH=. python benchmarks/train_presets.py --stage table  # README table

Rows run one after another in this process (2-core machines: no overlap).
"""

from __future__ import annotations

import argparse
import json
import os
import time


def _config(name: str, out: str):
    from tfvgan import pretrained
    from tfvgan.config import TrainConfig

    spec = pretrained.SHIPPED[name]
    return TrainConfig.from_preset(
        spec["run_preset"],
        seed=spec["seed"],
        run_dir=os.path.join(out, name),
        export=False,
    )


#: What the preset's training recorded in its run folder: the code version
#: when it started (a resumed run keeps the first) and its seconds.
_RUN_FILE = "preset_run.json"


def _read_run_file(run_dir: str) -> dict:
    try:
        with open(os.path.join(run_dir, _RUN_FILE)) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def _write_run_file(run_dir: str, values: dict) -> None:
    with open(os.path.join(run_dir, _RUN_FILE), "w") as f:
        json.dump(values, f)


def _train(name: str, out: str) -> None:
    from tfvgan import train

    config = _config(name, out)
    os.makedirs(config.run_dir, exist_ok=True)
    record = _read_run_file(config.run_dir)
    record.setdefault("code_version", _code_version())
    _write_run_file(config.run_dir, record)
    start = time.perf_counter()
    history = train.run(config)
    if history.epoch:  # no epochs: the run was already complete
        record["seconds"] = round(time.perf_counter() - start, 1)
        _write_run_file(config.run_dir, record)
    print(f"{name}: trained ({record.get('seconds')} s)", flush=True)


#: The most a packed (float16-stored) generator's pixels may differ from
#: its run's, both computing in float32 (measured: 0.001-0.005).
MAX_PACK_DRIFT = 0.02

#: Clips of the small evaluation recorded for the tests to re-measure.
SMALL_EVAL = 64


def _code_version() -> dict:
    import subprocess

    import tfvgan

    version = {"tfvgan": tfvgan.__version__}
    try:
        version["git"] = subprocess.run(
            ["git", "describe", "--always", "--dirty", "--abbrev=12"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        version["git"] = None
    return version


def _machine() -> str:
    import platform

    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return f"{line.split(':', 1)[1].strip()}, {os.cpu_count()} cores"
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _restore_float32(config):
    """The run's model, built in float32 (the policy presets load under),
    restored from its latest checkpoint; and its step."""
    import dataclasses

    from tfvgan import builders, runs
    from tfvgan.checkpoint import TrainingCheckpoint

    config = dataclasses.replace(config, dtype_policy="float32")
    model = builders.build_model(config, total_steps=1)
    step = TrainingCheckpoint(model, runs.checkpoint_dir(config.run_dir)).restore(None)
    return model, step


def _pack(name: str, out: str, num_videos: int) -> dict:
    """Packs the finished run of preset `name`, loads it back and scores it."""
    import datetime

    import keras
    import numpy as np

    from tfvgan import builders, evaluate, models, precision, pretrained, runs, sample

    spec = pretrained.SHIPPED[name]
    config = _config(name, out)
    record = _read_run_file(config.run_dir)
    trained_policy = runs.read_config(config.run_dir).dtype_policy
    model, step = _restore_float32(config)
    if step != runs.saved_total_steps(config.run_dir):
        raise SystemExit(f"{name}: the run in {config.run_dir} is not finished.")
    kwargs = builders.model_kwargs(config)
    held_out = config.data_kwargs.get("exclude")
    meta = {
        "description": spec["description"],
        "variant": config.model,
        "class": type(model).__name__,
        "condition_type": model.condition_type,
        "kwargs": kwargs,
        "clip": builders.clip_shape(config),
        "run_preset": spec["run_preset"],
        "seed": spec["seed"],
        "command": f"PYTHONPATH=. python benchmarks/train_presets.py --presets {name}",
        "train_command": f"tfvgan-train --preset={spec['run_preset']} "
        f"--seed={spec['seed']}",
        "trained": {
            "steps": int(step),
            "dtype_policy": precision.resolve_dtype_policy(trained_policy)[0],
            "seconds": record.get("seconds"),
            "machine": _machine(),
            "date": datetime.date.today().isoformat(),
        },
        "code_version": record.get(
            "code_version",
            {**_code_version(), "note": "read when packed, not when trained"},
        ),
        "evaluation": {
            "protocol": {
                "num_videos": num_videos,
                "data_seed": evaluate.held_out_seed(config),
                "data_kwargs": evaluate.real_data_kwargs(config),
                "held_out": held_out,
            }
        },
    }
    generator = model.sampling_generator(use_ema=True)
    meta = pretrained.save(generator, name, meta)
    # The packed (float16-stored) generator against the run's own, both
    # computing in float32.
    condition = sample.example_conditions(model, 8, evaluate.real_data_kwargs(config))
    reference = model.generate(8, condition=condition, seed=0)
    del model
    keras.backend.clear_session()
    loaded = models.from_preset(name)
    packed = loaded.generate(8, condition=condition, seed=0)
    drift = float(np.abs(packed - reference).max())
    meta["pack_max_abs_diff"] = round(drift, 4)
    if not drift <= MAX_PACK_DRIFT:
        raise SystemExit(
            f"{name}: the packed generator differs from the run's by {drift:.4f} "
            f"(more than {MAX_PACK_DRIFT}): not shipped."
        )
    print(f"{name}: packed {meta['weights']['bytes']} bytes; packed vs run "
          f"max |diff| {drift:.4f}", flush=True)  # fmt: skip
    del loaded
    keras.backend.clear_session()
    pretrained.write_metadata(name, meta)
    full = evaluate.evaluate_preset(name, num_videos)
    small = evaluate.evaluate_preset(name, SMALL_EVAL)
    meta["evaluation"]["figures"] = full
    meta["check"] = {"num_videos": SMALL_EVAL, "figures": small}
    pretrained.write_metadata(name, meta)
    print(json.dumps({"preset": name, "figures": full}, indent=1), flush=True)
    return meta


def _fmt(value, digits=2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


#: How the table names each trivial baseline (`ConditionType.baseline_name`).
_BASELINES = {
    "copy_last_frame": "holding the last frame",
    "cross_fade": "the cross-fade",
    "bicubic": "bicubic",
    "fill": "the better of the nearest-visible and blur fills",
}


def table() -> str:
    """The shipped presets as a Markdown table: what each does and the
    figures its metadata records (the full protocol)."""
    from tfvgan import conditions, pretrained

    shipped = pretrained.names()
    counts = {
        pretrained.metadata(n)["evaluation"]["protocol"]["num_videos"] for n in shipped
    }
    clips = f"{counts.pop():,} " if len(counts) == 1 else ""
    rows = [
        f"| preset | what it does | measured on {clips}held-out clips | weights |",
        "|---|---|---|---|",
    ]
    order = [n for n in pretrained.SHIPPED if n in shipped]
    for name in order + sorted(set(shipped) - set(order)):
        meta = pretrained.metadata(name)
        f = meta.get("evaluation", {}).get("figures", {})
        kind = meta.get("condition_type")
        fvd = f"FVD {_fmt(f.get('fvd'), 1)} (real clips {_fmt(f.get('fvd_floor'), 1)})"
        if kind == "label":
            result = (
                f"asked-for digit in {f.get('conditional_accuracy', 0):.0%} of clips, "
                f"digit IS {_fmt(f.get('inception_score'))} (real "
                f"{_fmt(f.get('inception_score_real'))}), {fvd}"
            )
        elif kind == "text":
            result = (
                "digit / motion / both right: "
                f"{_fmt(f.get('seen_digit'))} / {_fmt(f.get('seen_motion'))} / "
                f"{_fmt(f.get('seen_joint'))} on seen captions, "
                f"{_fmt(f.get('held_out_joint'))} both right on held-out pairs "
                f"(real clips {_fmt(f.get('caption_joint_ceiling'))}), {fvd}"
            )
        else:
            base = conditions.get(kind).baseline_name
            result = (
                f"PSNR / SSIM {_fmt(f.get('psnr'))} / {_fmt(f.get('ssim'), 3)}, FVD "
                f"{_fmt(f.get('fvd'), 1)}; {_BASELINES.get(base, base)}: "
                f"{_fmt(f.get('psnr_' + base))} / {_fmt(f.get('ssim_' + base), 3)}, "
                f"FVD {_fmt(f.get('fvd_' + base), 1)}"
            )
        size = meta["weights"]["bytes"]
        size = f"{size / 1e6:.1f} MB" if size >= 1e5 else f"{size / 1e3:.0f} kB"
        rows.append(f"| `{name}` | {meta['description']} | {result} | {size} |")
    return "\n".join(rows)


def main(argv=None) -> None:
    from tfvgan import pretrained

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--presets", default=",".join(pretrained.SHIPPED), help="comma-separated"
    )
    parser.add_argument("--out", default="runs/presets", help="run folders")
    parser.add_argument(
        "--stage", choices=("all", "train", "pack", "table"), default="all",
        help="train only, pack (and score) finished runs only, both, or print "
        "the Markdown table of the shipped presets",
    )  # fmt: skip
    parser.add_argument("--num_videos", type=int, default=1024)
    args = parser.parse_args(argv)
    if args.stage == "table":
        print(table())
        return
    names = [n for n in args.presets.split(",") if n]
    unknown = sorted(set(names) - set(pretrained.SHIPPED))
    if unknown:
        parser.error(
            f"unknown presets {unknown}; choose from {list(pretrained.SHIPPED)}"
        )
    for name in names:
        if args.stage in ("all", "train"):
            _train(name, args.out)
        if args.stage in ("all", "pack"):
            _pack(name, args.out, args.num_videos)


if __name__ == "__main__":
    main()
