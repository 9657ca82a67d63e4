"""Learning curves of quick-start variants: digit IS and FVD every few epochs.

Trains `TrainConfig.from_preset(preset, **overrides)` (``--preset``,
default ``quickstart``) with the library
runner and, every ``--every`` epochs, scores the (EMA) generator on 512 clips
with the offline digit classifier: the digit Inception Score (legibility and
variety; printed for real clips first, about 8 at 8x32x32) and FVD against
512 real clips. Real clips and classifier use the run's glyph size and speed.
"travel" is how far the brightness centre of mass moves from the first to
the last frame, in pixels, averaged over clips (real clips: about 5 at the
quick-start shape; a generator whose digits morph in place scores ~1).
"sure" is the share of clips the classifier labels with probability above
0.9 (real clips: about 0.85): the closest of these numbers to "a person can
name the digit in most clips".
Label-conditional models are also scored by conditional accuracy, and
text-conditional ones by the caption judge (`tfvgan.metrics.CaptionJudge`:
digit / motion / joint accuracy) on the captions of 512 real clips of seen
(digit, direction) pairs and on 500 captions of the run's held-out pairs
(``data_kwargs["exclude"]``), beside the judge's real-clip ceiling and
chance. One JSON line per evaluation goes to stdout and to
``<out>/<name>.jsonl``.

    PYTHONPATH=. python benchmarks/quickstart_sweep.py base '{}'
    PYTHONPATH=. python benchmarks/quickstart_sweep.py hinge_sn \\
        '{"loss": "hinge", "model_kwargs": {"spectral_norm": true}}'
    PYTHONPATH=. python benchmarks/quickstart_sweep.py r1 '{"r1_weight": 1.0}'

Quality numbers do not depend on machine load; the wall times printed do.
"""

from __future__ import annotations

import argparse
import json
import os
import time


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name", help="run name: <out>/<name>/ and <name>.jsonl")
    parser.add_argument("overrides", help="JSON object of TrainConfig overrides")
    parser.add_argument("--every", type=int, default=2, help="epochs between scores")
    parser.add_argument("--out", default="runs/sweep")
    parser.add_argument("--preset", default="quickstart", help="run preset")
    args = parser.parse_args(argv)

    import keras
    import numpy as np

    from tfvgan import data, evaluate, metrics
    from tfvgan.config import TrainConfig
    from tfvgan.train import run

    config = TrainConfig.from_preset(
        args.preset,
        run_dir=os.path.join(args.out, args.name),
        export=False,
        **json.loads(args.overrides),
    )
    shape = {"frames": 8, "size": 32, "channels": 1}
    # Real clips and classifier like the run's data (its glyph size, speed).
    looks = evaluate.real_data_kwargs(config)
    extractor = metrics.load_digit_extractor(
        glyph_size=looks.get("glyph_size"), **shape
    )
    exclude = config.data_kwargs.get("exclude")
    real, _, real_captions = data.moving_digits_arrays(
        num_videos=512, seed=1, exclude=exclude, **shape, **looks
    )
    real = real.astype("float32") / 127.5 - 1.0
    judge = metrics.CaptionJudge(extractor)
    held_out = [f"digit {d} moves {p}" for d, p in exclude or []]
    held_out = [held_out[i % len(held_out)] for i in range(500)] if held_out else []

    def travel(videos):
        v = (np.asarray(videos, np.float32)[..., 0] + 1.0) / 2.0  # (N, T, H, W)
        index = np.arange(v.shape[-1])
        mass = v.sum((2, 3)) + 1e-6
        rows = (v.sum(3) * index).sum(-1) / mass
        cols = (v.sum(2) * index).sum(-1) / mass
        moved = np.hypot(rows[:, -1] - rows[:, 0], cols[:, -1] - cols[:, 0])
        return round(float(moved.mean()), 2)

    def sure(videos):
        logits = extractor.logits(videos)  # batched by the extractor
        probs = np.exp(logits - logits.max(-1, keepdims=True))
        confidence = probs.max(-1) / probs.sum(-1)
        return round(float((confidence > 0.9).mean()), 3)

    real_is = metrics.inception_score(extractor.logits, real, num_splits=4)[0]
    print(
        json.dumps(
            {
                "real_digit_is": round(real_is, 3),
                "travel": travel(real),
                "sure": sure(real),
                "judge": judge.reference(real, real_captions),
            }
        ),
        flush=True,
    )
    start = time.time()
    os.makedirs(args.out, exist_ok=True)
    log_path = os.path.join(args.out, f"{args.name}.jsonl")

    class Score(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if (epoch + 1) % args.every:
                return
            labels = None
            if self.model.condition_type == "label":
                labels = (np.arange(512) % 10).astype("int32")
            elif self.model.condition_type == "text":
                labels = real_captions
            fake = self.model.generate(512, condition=labels, seed=1)
            line = {
                "epoch": epoch + 1,
                "step": int(self.model.g_optimizer.iterations.numpy()),
                "digit_is": round(
                    metrics.inception_score(extractor.logits, fake, num_splits=4)[0],
                    3,
                ),
                "fvd": round(
                    metrics.video_distances(real, fake, extractor, kvd_subset_size=256)[
                        "fvd"
                    ],
                    2,
                ),
                "travel": travel(fake),
                "sure": sure(fake),
                "wall_s": round(time.time() - start),
            }
            if self.model.condition_type == "text":
                for key, value in judge.accuracy(fake, real_captions).items():
                    line[f"seen_{key}"] = round(value, 3)
                if held_out:
                    unseen = self.model.generate(
                        len(held_out), condition=held_out, seed=2
                    )
                    for key, value in judge.accuracy(unseen, held_out).items():
                        line[f"held_out_{key}"] = round(value, 3)
            elif labels is not None:
                line["accuracy"] = round(
                    float(metrics.conditional_accuracy(extractor.logits, fake, labels)),
                    3,
                )
            line.update({k: round(float(v), 3) for k, v in (logs or {}).items()})
            print(json.dumps(line), flush=True)
            with open(log_path, "a") as f:
                f.write(json.dumps(line) + "\n")

    run(config, callbacks=[Score()])


if __name__ == "__main__":
    main()
