"""Serving speed: the exported SavedModel vs. the Keras generator in-process.

For each variant it builds the model at a preset, exports it with
`tfvgan.export.export_generator` to a temporary folder, reloads it with plain
`tf.saved_model.load`, and times one request (noise in, video out, as NumPy)
at each batch size:

- ``keras eager``: ``model.call_generator(noise, condition)`` on the sampling
  generator, eagerly (what `model.generate` runs);
- ``keras tf.function``: the same call wrapped in `tf.function` (graph mode,
  the fair graph-vs-graph baseline);
- ``saved float``: the export's ``generate_float`` signature;
- ``saved uint8``: the export's ``serving_default`` signature (uint8 video).

Latencies are medians over ``--repeats`` requests after ``--warmup`` ones,
the four columns timed round-robin;
videos/s is batch / median latency. ``ratio`` is saved float latency over
Keras latency (target <= 1.05: the export adds no overhead).

Usage:

```
python benchmarks/serving.py --preset=tiny                      # seconds
python benchmarks/serving.py --preset=paper --models=temporal   # minutes on CPU
```
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from absl import app, flags  # noqa: E402

_MODELS = flags.DEFINE_list(
    "models",
    ["conditional", "temporal", "conv3d", "recurrent"],
    "Variants to time (names of tfvgan.models.build_model).",
)
_PRESET = flags.DEFINE_string(
    "preset", "paper", "Model preset: paper, quickstart, tiny."
)
_BATCHES = flags.DEFINE_list("batches", ["1", "16"], "Batch sizes per request.")
_REPEATS = flags.DEFINE_integer("repeats", 10, "Timed requests per cell.")
_WARMUP = flags.DEFINE_integer("warmup", 2, "Untimed requests per cell first.")


def _median_seconds(fns: dict, repeats: int, warmup: int) -> dict:
    """Median seconds per call of each function, timed round-robin.

    Interleaving spreads load from other processes evenly over the columns.
    """
    for fn in fns.values():
        for _ in range(warmup):
            fn()
    times = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(t) for name, t in times.items()}


def _condition(model, batch: int):
    import tensorflow as tf

    spec = model.condition_spec if model.conditional else None
    if spec is None:
        return None
    if model.condition_type == "label":
        return tf.range(batch, dtype=tf.int32) % model.num_classes
    shape = (batch, *spec.shape[1:])
    if spec.dtype.is_integer:
        return tf.ones(shape, spec.dtype)
    return tf.random.stateless_uniform(shape, seed=[1, 2], minval=-1.0, maxval=1.0)


def bench_model(name: str, preset: str, batches, repeats: int, warmup: int):
    """Rows of timings for one variant (see the module docstring)."""
    import tensorflow as tf

    from tfvgan import export, models

    model = models.build_model(name, preset=preset, seed=0)
    generator = model.sampling_generator()
    max_batch = max(batches)

    def keras_call(noise, condition):
        return model.call_generator(
            noise, condition, training=False, generator=generator
        )

    keras_fn = tf.function(keras_call)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        path = export.export_generator(model, tmp, max_batch=max_batch)
        served = tf.saved_model.load(path).signatures
        for batch in batches:
            noise = tf.random.stateless_normal(
                (batch, model.latent_dim), seed=[0, batch]
            )
            condition = _condition(model, batch)
            extra = {} if condition is None else {"condition": condition}
            timings = {
                "keras eager": lambda n=noise, c=condition: keras_call(n, c).numpy(),
                "keras tf.function": lambda n=noise, c=condition: keras_fn(
                    n, c
                ).numpy(),
                "saved float": lambda n=noise, e=extra: served["generate_float"](
                    noise=n, **e
                )["video"].numpy(),
                "saved uint8": lambda n=noise, e=extra: served["serving_default"](
                    noise=n, **e
                )["video"].numpy(),
            }
            seconds = _median_seconds(timings, repeats, warmup)
            rows.append((name, batch, seconds))
    return rows


def _print_table(rows, preset: str) -> None:
    cols = ("keras eager", "keras tf.function", "saved float", "saved uint8")
    print(f"\npreset={preset}; latency = median ms per request; videos/s in ()")
    header = f"{'model':<12} {'batch':>5} " + " ".join(f"{c:>20}" for c in cols)
    header += f" {'ratio/eager':>12} {'ratio/tf.fn':>12}"
    print(header)
    print("-" * len(header))
    for name, batch, s in rows:
        cells = " ".join(
            f"{1e3 * s[c]:>9.2f} ({batch / s[c]:>7.1f})".rjust(20) for c in cols
        )
        r_eager = s["saved float"] / s["keras eager"]
        r_fn = s["saved float"] / s["keras tf.function"]
        print(f"{name:<12} {batch:>5} {cells} {r_eager:>12.3f} {r_fn:>12.3f}")


def main(argv) -> None:
    del argv
    batches = [int(b) for b in _BATCHES.value]
    if not batches or min(batches) < 1:
        raise ValueError(f"--batches must be positive integers, got {_BATCHES.value}.")
    rows = []
    for name in _MODELS.value:
        rows += bench_model(name, _PRESET.value, batches, _REPEATS.value, _WARMUP.value)
    _print_table(rows, _PRESET.value)


if __name__ == "__main__":
    app.run(main)
