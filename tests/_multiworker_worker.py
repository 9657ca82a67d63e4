"""One worker of the two-process `MultiWorkerMirroredStrategy` test.

Run by `tests/test_distribute.py` with ``TF_CONFIG`` set; not a test itself.

    python tests/_multiworker_worker.py MODE RUN_DIR WEIGHTS_OUT

MODE ``run`` (``resume``: the same run, to 2 epochs) trains through `tfvgan.train.run` (the library runner, which
checkpoints, samples and exports on the chief only); MODE ``fit`` builds the
model in ``strategy.scope()`` and calls `model.fit` directly, saving weights
on the chief only. Both write this worker's final weights to WEIGHTS_OUT
(``.npz``) for the test to compare.
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _save_weights(model, path: str) -> None:
    import numpy as np

    np.savez(path, *[np.asarray(w) for w in model.get_weights()])


def _run(run_dir: str, weights_out: str, epochs: int = 1) -> None:
    import keras

    from tfvgan.config import TrainConfig
    from tfvgan.train import run

    class DumpWeights(keras.callbacks.Callback):
        def on_train_end(self, logs=None):
            _save_weights(self.model, weights_out)
            norms = [
                layer
                for layer in self.model.generator._flatten_layers()
                if isinstance(layer, keras.layers.BatchNormalization)
            ]
            # The runner synchronizes batch norm on > 1 replica by default.
            assert norms and all(layer.synchronized for layer in norms), norms

    config = TrainConfig.from_preset(
        "tiny",
        model="temporal",
        strategy="multi_worker",
        run_dir=run_dir,
        epochs=epochs,
        steps_per_epoch=2,
        sample_formats=("gif",),
    )
    history = run(config, callbacks=[DumpWeights()])
    print("history", {k: v[-1] for k, v in history.history.items()}, flush=True)


def _fit(run_dir: str, weights_out: str) -> None:
    import numpy as np

    from tfvgan import distribute
    from tfvgan.data import moving_digits
    from tfvgan.models import build_model

    strategy = distribute.get_strategy("multi_worker")
    with strategy.scope():
        model = build_model("temporal", "tiny", seed=0, sync_bn=True)
        model.compile()
    data = moving_digits(
        num_videos=16, frames=4, size=16, batch_size=4, seed=0, repeat=True
    )
    history = model.fit(data, epochs=1, steps_per_epoch=2, verbose=0)
    assert all(np.isfinite(v[-1]) for v in history.history.values()), history.history
    target = distribute.write_dir(os.path.join(run_dir, "checkpoints"), strategy)
    os.makedirs(target, exist_ok=True)
    model.save_weights(os.path.join(target, "final.weights.h5"))
    _save_weights(model, weights_out)
    print("history", {k: v[-1] for k, v in history.history.items()}, flush=True)


if __name__ == "__main__":
    mode, run_dir, weights_out = sys.argv[1:4]
    if mode == "resume":  # the `run` mode again, one epoch longer
        _run(run_dir, weights_out, epochs=2)
    else:
        {"run": _run, "fit": _fit}[mode](run_dir, weights_out)
