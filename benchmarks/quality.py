"""Sample quality per variant after the quick-start training budget.

For each row (a model variant, or a conditional GAN with one condition type)
this trains `TrainConfig.from_preset("quickstart", ...)` on `moving_digits`,
then scores the untrained generator (same seed, before any step) and the
trained one with `tfvgan.evaluate.evaluate_model`: FVD against real clips and
the real-vs-real floor (offline digit extractor), the digit Inception Score,
conditional accuracy (label and text), and PSNR/SSIM next to the trivial
baselines (prediction: repeat the first frame; super-resolution: bicubic).
Text rows also get the caption judge (`tfvgan.metrics.CaptionJudge`): digit,
motion and joint accuracy on seen and held-out (digit, direction) pairs,
beside the judge's real-clip ceiling and chance level; ``recurrent-text``
trains the ``text`` run preset (captions, 10 pairs held out). The
``cgan-predict`` row trains the ``predict`` run preset (continue the first
two frames) and gets a prediction table: PSNR/SSIM on the predicted frames
and FVD against holding the last given frame, the best of 10 samples per
clip and their diversity; ``cgan-inbetween`` trains the ``inbetween``
run preset (fill in between the first and the last frame) against the
cross-fade between them, in the same table; ``cgan-inpaint`` trains the
``inpaint`` run preset (fill in a box hidden in every frame) against the
better of the nearest-visible-frame and blur fills, scored inside the box.
Prints Markdown tables and writes every number to ``--out/quality.json``.

    PYTHONPATH=. python benchmarks/quality.py                    # every row
    PYTHONPATH=. python benchmarks/quality.py --rows temporal,cgan-label \\
        --epochs 2 --num_videos 256                              # a quick look
    PYTHONPATH=. python benchmarks/quality.py --preset tiny --num_videos 32  # smoke

Rows run one after another in this process (2-core machines: no overlap).
"""

from __future__ import annotations

import argparse
import json
import os
import time

# What takes the quick-start preset's conditioning off the recurrent model.
_UNCONDITIONED = {"num_classes": None, "match_weight": 0.0, "match_critic": False}

ROWS = {
    "temporal": {"model": "temporal"},
    "conv3d": {"model": "conv3d"},
    # The quick-start run preset conditions the recurrent model on the digit
    # class (with a label-clip matcher); "recurrent" is the same model
    # unconditioned, so without the matcher too.
    "recurrent": {"model": "recurrent", **_UNCONDITIONED},
    # The article's RNN GAN: the same model unconditioned, each frame made
    # from the previous one (moved, then repainted) instead of moving one
    # canvas.
    "recurrent-ar": {
        "model": "recurrent",
        **_UNCONDITIONED,
        "autoregressive": True,
        "translate": False,
    },
    "recurrent-label": {"model": "recurrent"},
    "cgan-label": {"model": "conditional", "condition_type": "label"},
    # The label model without its default matching-aware critic (GAN-CLS).
    "cgan-label-plain": {
        "model": "conditional",
        "condition_type": "label",
        "matching_aware": False,
    },
    "cgan-text": {"model": "conditional", "condition_type": "text"},
    # The "text" run preset: the recurrent model reading captions, trained
    # without the (digit, direction) pairs of HELD_OUT_PAIRS.
    "recurrent-text": {"preset": "text", "model": "recurrent"},
    "cgan-image": {"model": "conditional", "condition_type": "image"},
    "cgan-video": {"model": "conditional", "condition_type": "video"},
    # The "predict" run preset: the cGAN continues each clip's first two
    # frames (condition_type "frames", a FramePredictor generator).
    # Its model arguments are spelled out so that --preset tiny (a smoke
    # run) trains the same kind of model.
    "cgan-predict": {
        "preset": "predict",
        "model": "conditional",
        "condition_type": "frames",
        "context_frames": 2,
        "recon_weight": 100.0,
    },
    # One context frame: the direction is open. The L1 term of the closer of
    # two samples ("best of many") lets the samples spread over the futures.
    "cgan-predict-1": {
        "preset": "predict",
        "model": "conditional",
        "condition_type": "frames",
        "context_frames": 1,
        "recon_weight": 100.0,
        "best_of": 2,
    },
    # The "superres" run preset: super-resolution with a squared-error term.
    "cgan-superres": {
        "preset": "superres",
        "model": "conditional",
        "condition_type": "video",
        "recon_weight": 1000.0,
        "recon_loss": "l2",
    },
    # The "inbetween" run preset: fill in the frames between the first and
    # the last one, against the cross-fade between them.
    "cgan-inbetween": {
        "preset": "inbetween",
        "model": "conditional",
        "condition_type": "keyframes",
        "recon_weight": 100.0,
    },
    # The "inpaint" run preset: fill in a box hidden in every frame, against
    # the better of the nearest-visible-frame fill and the blur fill.
    "cgan-inpaint": {
        "preset": "inpaint",
        "model": "conditional",
        "condition_type": "masked",
        "recon_weight": 1000.0,
        "recon_loss": "l2",
    },
}


def _config(
    row: str,
    out: str,
    epochs: int | None,
    preset: str = "quickstart",
    seed: int | None = None,
    dtype_policy: str | None = None,
):
    from tfvgan.config import TrainConfig

    spec = dict(ROWS[row])
    if preset == "quickstart":  # a row may name its own run preset
        preset = spec.pop("preset", preset)
    spec.pop("preset", None)
    overrides = {"model": spec.pop("model"), "run_dir": os.path.join(out, row)}
    if spec:
        overrides["model_kwargs"] = spec
    if epochs is not None:
        overrides["epochs"] = epochs
    if seed is not None:
        overrides["seed"] = seed
    if dtype_policy is not None:
        overrides["dtype_policy"] = dtype_policy
    return TrainConfig.from_preset(preset, export=False, **overrides)


def _score(row: str, args) -> dict:
    import keras

    from tfvgan import builders, evaluate, train

    config = _config(
        row, args.out, args.epochs, args.preset, args.seed, args.dtype_policy
    )
    keras.utils.set_random_seed(config.seed)
    untrained = builders.build_model(config)
    # Scored on clips the run does not train on (the run's data seed + 1).
    data_seed = evaluate.held_out_seed(config)
    before = evaluate.evaluate_model(
        untrained,
        num_videos=args.num_videos,
        data_seed=data_seed,
        data_kwargs=evaluate.real_data_kwargs(config),
    )
    del untrained
    keras.backend.clear_session()
    start = time.perf_counter()
    train.run(config)
    seconds = time.perf_counter() - start
    after = evaluate.evaluate_run(
        config.run_dir, num_videos=args.num_videos, data_seed=data_seed
    )
    return {"row": row, "train_seconds": seconds, "untrained": before, "trained": after}


def _fmt(value, digits=1):
    return "" if value is None else f"{value:.{digits}f}"


def table(results: list[dict]) -> str:
    """The Markdown table of `results` (one dict per row from `_score`)."""
    lines = [
        "| row | steps | train s | FVD untrained | FVD trained | FVD floor "
        "| digit IS (real) | cond. acc. | PSNR / SSIM | baseline PSNR / SSIM |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        a, b = r["trained"], r["untrained"]
        acc = a.get("conditional_accuracy")
        frame = base = ""
        for name in FRAME_BASELINES:
            if f"psnr_{name}" in a:
                frame = f"{a['psnr']:.2f} / {a['ssim']:.3f}"
                base = f"{a[f'psnr_{name}']:.2f} / {a[f'ssim_{name}']:.3f} ({name})"
        lines.append(
            f"| {r['row']} | {a['step']} | {r['train_seconds']:.0f} "
            f"| {_fmt(b['fvd'])} | {_fmt(a['fvd'])} | {_fmt(a['fvd_floor'])} "
            f"| {_fmt(a['inception_score'], 2)} ({_fmt(a['inception_score_real'], 2)}) "
            f"| {'' if acc is None else f'{acc:.2f}'} | {frame} | {base} |"
        )
    return "\n".join(lines)


def text_table(results: list[dict]) -> str:
    """The caption judge's figures of the text rows of `results`."""
    lines = [
        "| row | seen digit / motion / joint | held-out digit / motion / joint "
        "| ceiling digit / motion / joint | chance joint |",
        "|---|---|---|---|---|",
    ]

    def three(a, prefix, suffix=""):
        keys = [f"{prefix}_{k}{suffix}" for k in ("digit", "motion", "joint")]
        if not all(k in a for k in keys):
            return ""
        return " / ".join(f"{a[k]:.2f}" for k in keys)

    for r in results:
        a = r["trained"]
        if "caption_joint" not in a:
            continue
        seen = three(a, "seen") or three(a, "caption")
        lines.append(
            f"| {r['row']} | {seen} | {three(a, 'held_out')} "
            f"| {three(a, 'caption', '_ceiling')} "
            f"| {a['caption_joint_chance']:.3f} |"
        )
    return "\n".join(lines) if len(lines) > 2 else ""


#: The trivial baselines of the frame-conditioned rows (`tfvgan.conditions`).
FRAME_BASELINES = (
    "copy_first_frame",
    "bicubic",
    "copy_last_frame",
    "cross_fade",
    "fill",
)


def baseline_table(results: list[dict]) -> str:
    """Prediction, in-betweening and inpainting rows of `results` against
    their trivial baseline (holding the last given frame, the cross-fade,
    the better fill): PSNR / SSIM on the frames (inpainting: the pixels)
    not given, FVD, and for prediction the best of 10 samples and their
    diversity."""
    lines = [
        "| row | PSNR / SSIM | baseline PSNR / SSIM | FVD (baseline) "
        "| best of 10 PSNR / SSIM | diversity |",
        "|---|---|---|---|---|---|",
    ]
    for r in results:
        a = r["trained"]
        name = next(
            (n for n in ("copy_last_frame", "cross_fade", "fill") if f"fvd_{n}" in a),
            None,
        )
        if name is None:
            continue
        best = diversity = ""
        if "psnr_best_of_10" in a:
            best = f"{a['psnr_best_of_10']:.2f} / {a['ssim_best_of_10']:.3f}"
            diversity = f"{a['diversity']:.4f}"
        lines.append(
            f"| {r['row']} | {a['psnr']:.2f} / {a['ssim']:.3f} "
            f"| {a[f'psnr_{name}']:.2f} / {a[f'ssim_{name}']:.3f} ({name}) "
            f"| {a['fvd']:.2f} ({a[f'fvd_{name}']:.2f}) | {best} | {diversity} |"
        )
    return "\n".join(lines) if len(lines) > 2 else ""


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default=",".join(ROWS), help="comma-separated")
    parser.add_argument("--out", default="runs/quality", help="run folders + JSON")
    parser.add_argument(
        "--epochs", type=int, default=None, help="default: the quickstart preset's"
    )
    parser.add_argument("--num_videos", type=int, default=1024)
    parser.add_argument(
        "--seed", type=int, default=None, help="training seed; default: the preset's"
    )
    parser.add_argument(
        "--preset", default="quickstart", help="run preset (tiny: a smoke test)"
    )
    parser.add_argument(
        "--dtype_policy", default=None, help="default: the preset's (auto)"
    )
    args = parser.parse_args(argv)
    rows = [r.strip() for r in args.rows.split(",") if r.strip()]
    unknown = sorted(set(rows) - set(ROWS))
    if unknown:
        parser.error(f"unknown rows {unknown}; choose from {list(ROWS)}")
    results = []
    for row in rows:
        results.append(_score(row, args))
        print(table(results[-1:]).splitlines()[-1], flush=True)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "quality.json"), "w") as f:
        json.dump(results, f, indent=2)
    print(table(results))
    for extra in (text_table(results), baseline_table(results)):
        if extra:
            print()
            print(extra)


if __name__ == "__main__":
    main()
