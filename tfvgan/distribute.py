"""Distribution strategies by name, and the helpers that go with them.

`get_strategy` turns a name into a `tf.distribute.Strategy`:

| name | strategy | replicas |
|---|---|---|
| ``"default"`` | the current (default) strategy | 1 |
| ``"one_device"`` | `OneDeviceStrategy` on the first GPU, else the CPU | 1 |
| ``"mirrored"`` | `MirroredStrategy` on all local GPUs (or given devices) | GPUs |
| ``"multi_worker"`` | `MultiWorkerMirroredStrategy` from ``TF_CONFIG`` | all workers' |
| ``"tpu"`` | `TPUStrategy` from a `TPUClusterResolver` | TPU cores |

Multi-machine training uses TensorFlow's own `MultiWorkerMirroredStrategy`,
which reads the standard ``TF_CONFIG`` cluster spec (as set by Kubernetes /
Kubeflow training operators); there is no home-made cluster code. Every
worker runs the same program; ``TF_CONFIG`` differs only in ``task.index``.

Batch semantics: the ``batch_size`` of a data set (and of
`tfvgan.config.TrainConfig`) is the *global* batch, summed over all replicas
of all workers. `tf.distribute` splits each global batch evenly; each replica
sees ``batch_size // num_replicas_in_sync`` clips (see
`per_replica_batch_size`), and `VideoGAN` scales its losses so that one step
on N replicas equals one step on one device at the same global batch.

Example:

```python
strategy = tfvgan.distribute.get_strategy("mirrored")
with strategy.scope():
    gan = tfvgan.models.build_model("temporal", preset="tiny", sync_bn=True)
    gan.compile()
gan.fit(dataset)  # dataset batched at the global batch size
```
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Sequence
from typing import Any

__all__ = [
    "STRATEGIES",
    "get_strategy",
    "has_accelerator",
    "is_chief",
    "parse_tf_config",
    "per_replica_batch_size",
    "replica_values",
    "split_cpu",
    "write_dir",
]

#: Names `get_strategy` accepts.
STRATEGIES = ("default", "one_device", "mirrored", "multi_worker", "tpu")

#: Job names `MultiWorkerMirroredStrategy` understands in ``TF_CONFIG``.
_MULTI_WORKER_JOBS = ("chief", "worker", "evaluator")

_log = logging.getLogger(__name__)


def has_accelerator() -> bool:
    """Whether TensorFlow sees a GPU or an initialized TPU.

    tfvgan picks CPU-specific defaults where there is none: XLA off
    (`VideoGAN.compile`) and `tfvgan.layers.VideoConv3D`'s CPU kernels.
    """
    import tensorflow as tf

    return bool(tf.config.list_physical_devices("GPU")) or bool(
        tf.config.list_logical_devices("TPU")
    )


def split_cpu(n: int) -> list:
    """Splits the (first) physical CPU into `n` logical CPU devices.

    Lets `MirroredStrategy` run `n` replicas on a machine without GPUs: for
    tests, or to check a distributed set-up on a laptop. It does not make
    training faster (the replicas share the same cores).

    Must run before TensorFlow initialises its devices (before the first op,
    `tf.config.list_logical_devices`, or strategy). Calling it again with the
    same `n` is a no-op.

    Args:
        n: number of logical CPU devices, >= 1.

    Returns:
        The logical CPU devices.

    Raises:
        ValueError: if `n` is not a positive integer.
        RuntimeError: if TensorFlow already initialised its devices with a
            different number of logical CPUs.
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"split_cpu needs a positive integer n, got {n!r}.")
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    current = tf.config.get_logical_device_configuration(cpu)
    if current is not None and len(current) == n:
        return tf.config.list_logical_devices("CPU")
    try:
        tf.config.set_logical_device_configuration(
            cpu, [tf.config.LogicalDeviceConfiguration() for _ in range(n)]
        )
    except RuntimeError as err:
        have = len(tf.config.list_logical_devices("CPU"))
        raise RuntimeError(
            f"split_cpu({n}) must run before TensorFlow initialises its "
            f"devices; it already has {have} logical CPU(s). Call it at the "
            "start of the program, before any TensorFlow op or strategy."
        ) from err
    return tf.config.list_logical_devices("CPU")


def parse_tf_config(value: str | None = None) -> dict | None:
    """Parses and checks a ``TF_CONFIG`` cluster spec.

    Args:
        value: the JSON text; default: the ``TF_CONFIG`` environment variable.

    Returns:
        The parsed dictionary, or `None` when ``TF_CONFIG`` is unset or empty.

    Raises:
        ValueError: naming the problem, for text that is not JSON or a spec
            that `MultiWorkerMirroredStrategy` cannot use.

    Example:

    ```python
    os.environ["TF_CONFIG"] = json.dumps({
        "cluster": {"worker": ["host1:12345", "host2:12345"]},
        "task": {"type": "worker", "index": 0},
    })
    ```
    """
    if value is None:
        value = os.environ.get("TF_CONFIG", "")
    if not value.strip():
        return None
    example = (
        '{"cluster": {"worker": ["host1:port", "host2:port"]}, '
        '"task": {"type": "worker", "index": 0}}'
    )
    try:
        spec = json.loads(value)
    except json.JSONDecodeError as err:
        raise ValueError(
            f"TF_CONFIG is not valid JSON ({err.msg} at position {err.pos}): "
            f"{value!r}; expected e.g. {example}."
        ) from None
    if not isinstance(spec, dict):
        raise ValueError(
            f"TF_CONFIG must be a JSON object like {example}, got {value!r}."
        )
    cluster, task = spec.get("cluster"), spec.get("task")
    if not isinstance(cluster, dict) or not cluster:
        raise ValueError(
            f"TF_CONFIG needs a non-empty 'cluster' object mapping job names to "
            f"lists of 'host:port' addresses, got {cluster!r}; expected e.g. {example}."
        )
    for job, addresses in cluster.items():
        if job not in _MULTI_WORKER_JOBS:
            raise ValueError(
                f"TF_CONFIG cluster job {job!r} is not supported by "
                f"MultiWorkerMirroredStrategy; expected jobs among {_MULTI_WORKER_JOBS}."
            )
        if not isinstance(addresses, list) or not addresses:
            raise ValueError(
                f"TF_CONFIG cluster[{job!r}] must be a non-empty list of "
                f"'host:port' strings, got {addresses!r}."
            )
        for address in addresses:
            host, _, port = (
                str(address).rpartition(":")
                if isinstance(address, str)
                else ("", "", "")
            )
            if not host or not port.isdigit():
                raise ValueError(
                    f"TF_CONFIG cluster[{job!r}] address {address!r} is not "
                    "'host:port' (e.g. 'worker-0.example:12345')."
                )
    if len(cluster.get("chief", [])) > 1 or len(cluster.get("evaluator", [])) > 1:
        raise ValueError(
            f"TF_CONFIG may list at most one 'chief' and one 'evaluator', got {cluster!r}."
        )
    if not isinstance(task, dict) or "type" not in task or "index" not in task:
        raise ValueError(
            f"TF_CONFIG needs a 'task' object with 'type' and 'index' (this "
            f"process's role), got {task!r}; expected e.g. {example}."
        )
    task_type, index = task["type"], task["index"]
    if task_type not in cluster:
        raise ValueError(
            f"TF_CONFIG task type {task_type!r} is not a job of the cluster "
            f"{sorted(cluster)}."
        )
    if isinstance(index, bool) or not isinstance(index, int):
        raise ValueError(f"TF_CONFIG task index must be an integer, got {index!r}.")
    if not 0 <= index < len(cluster[task_type]):
        raise ValueError(
            f"TF_CONFIG task index {index} is out of range for job {task_type!r} "
            f"with {len(cluster[task_type])} address(es)."
        )
    return spec


def _mirrored_devices(devices: Sequence[str] | None) -> list[str] | None:
    import tensorflow as tf

    if devices:
        return list(devices)
    if tf.config.list_physical_devices("GPU"):
        return None  # MirroredStrategy's default: all local GPUs
    cpus = [d.name for d in tf.config.list_logical_devices("CPU")]
    if len(cpus) > 1:
        return cpus
    _log.warning(
        "mirrored: no GPU and a single CPU device; training on one replica. "
        "For several replicas on the CPU (tests, not speed) call "
        "tfvgan.distribute.split_cpu(n) at program start."
    )
    return cpus


def get_strategy(
    name: str = "default",
    devices: Sequence[str] | None = None,
    tpu: Any = None,
    communication: str = "auto",
):
    """Returns the `tf.distribute.Strategy` called `name`.

    Args:
        name: ``"default"`` (no distribution: the current default strategy),
            ``"one_device"`` (the first GPU, else the CPU, or ``devices[0]``),
            ``"mirrored"`` (all local GPUs, or `devices`; on a machine without
            GPUs, all logical CPUs when `split_cpu` made more than one, else
            one replica on the CPU with a warning), ``"multi_worker"`` (all
            workers of the ``TF_CONFIG`` cluster, checked by
            `parse_tf_config`; without ``TF_CONFIG`` a one-worker cluster) or
            ``"tpu"`` (the TPU found by `TPUClusterResolver`).
        devices: device names for ``"mirrored"`` / ``"one_device"``, e.g.
            ``["/gpu:0", "/gpu:1"]``.
        tpu: for ``"tpu"``: a `tf.distribute.cluster_resolver.TPUClusterResolver`,
            or the TPU name/address it is built from (default: ``""``, the
            local TPU or the one named by the environment).
        communication: for ``"multi_worker"``: ``"auto"``, ``"ring"`` or
            ``"nccl"`` collective implementation.

    Returns:
        The strategy. Build models and optimizers in its ``scope()``.

    Raises:
        ValueError: for an unknown name, a malformed ``TF_CONFIG``, or an
            argument the strategy does not take.
        RuntimeError: when no TPU can be reached for ``"tpu"``.
    """
    if name not in STRATEGIES:
        raise ValueError(
            f"unknown strategy {name!r}; expected one of: "
            + ", ".join(repr(s) for s in STRATEGIES)
            + "."
        )
    if devices is not None and name not in ("mirrored", "one_device"):
        raise ValueError(
            f"devices= applies to 'mirrored' and 'one_device', not {name!r}."
        )
    import tensorflow as tf

    if name == "default":
        return tf.distribute.get_strategy()
    if name == "one_device":
        if devices:
            device = devices[0]
        else:
            device = "/gpu:0" if tf.config.list_physical_devices("GPU") else "/cpu:0"
        return tf.distribute.OneDeviceStrategy(device)
    if name == "mirrored":
        devices = _mirrored_devices(devices)
        cross_device_ops = None  # TensorFlow's choice: NCCL on GPUs
        if devices and all("CPU" in d.upper() for d in devices):
            # TensorFlow picks collective ops for CPU replicas; their keys
            # collide when a process creates a second MirroredStrategy
            # ("Shape mismatch in the collective instance"). Reducing on one
            # device has no such state and is as fast for CPU replicas.
            cross_device_ops = tf.distribute.ReductionToOneDevice()
        return tf.distribute.MirroredStrategy(
            devices, cross_device_ops=cross_device_ops
        )
    if name == "multi_worker":
        implementations = {
            "auto": tf.distribute.experimental.CommunicationImplementation.AUTO,
            "ring": tf.distribute.experimental.CommunicationImplementation.RING,
            "nccl": tf.distribute.experimental.CommunicationImplementation.NCCL,
        }
        if communication not in implementations:
            raise ValueError(
                f"unknown communication {communication!r}; expected one of "
                f"{sorted(implementations)}."
            )
        if parse_tf_config() is None:
            _log.warning(
                "multi_worker: TF_CONFIG is not set; running as a one-worker cluster."
            )
        return tf.distribute.MultiWorkerMirroredStrategy(
            communication_options=tf.distribute.experimental.CommunicationOptions(
                implementation=implementations[communication]
            )
        )
    # TPU
    resolver = tpu
    if resolver is None or isinstance(resolver, str):
        try:
            resolver = tf.distribute.cluster_resolver.TPUClusterResolver(
                tpu=resolver or ""
            )
        except (ValueError, RuntimeError) as err:
            raise RuntimeError(
                f"no TPU found (tpu={tpu!r}): {str(err).rstrip('.')}. Use strategy 'mirrored' or "
                "'default' on machines without a TPU."
            ) from err
    tf.config.experimental_connect_to_cluster(resolver)
    tf.tpu.experimental.initialize_tpu_system(resolver)
    return tf.distribute.TPUStrategy(resolver)


def per_replica_batch_size(global_batch_size: int, strategy=None) -> int:
    """The per-replica share of a global batch; checks that it divides evenly.

    Args:
        global_batch_size: the batch size summed over all replicas.
        strategy: default: the current strategy.

    Returns:
        ``global_batch_size // strategy.num_replicas_in_sync``.

    Raises:
        ValueError: if the global batch does not split evenly (uneven
            replica batches would weight clips unequally).
    """
    if strategy is None:
        import tensorflow as tf

        strategy = tf.distribute.get_strategy()
    replicas = strategy.num_replicas_in_sync
    if (
        isinstance(global_batch_size, bool)
        or not isinstance(global_batch_size, int)
        or global_batch_size < 1
        or global_batch_size % replicas
    ):
        raise ValueError(
            f"global batch_size {global_batch_size!r} must be a positive multiple "
            f"of the {replicas} replica(s) in sync."
        )
    return global_batch_size // replicas


def is_chief(strategy=None) -> bool:
    """Whether this process is the chief: the one that writes files.

    True without a cluster; under ``TF_CONFIG`` the ``chief`` task, or worker 0
    when the cluster has no chief.
    """
    resolver = getattr(strategy, "cluster_resolver", None)
    if resolver is None or not resolver.cluster_spec().as_dict():
        return True
    task_type, task_id = resolver.task_type, resolver.task_id
    if task_type == "chief":
        return True
    jobs = resolver.cluster_spec().as_dict()
    return task_type == "worker" and task_id == 0 and "chief" not in jobs


def write_dir(path: str, strategy=None) -> str:
    """Where this process writes `path` (checkpoints, exports).

    Every worker of a multi-worker cluster must take part in a save (the
    variables are synchronised by collectives), but only the chief's copy is
    kept: the chief writes to `path`, the others to a throw-away temporary
    folder that they delete afterwards.

    Args:
        path: the real destination.
        strategy: default: the current strategy.

    Returns:
        `path` on the chief; a fresh temporary folder on other workers.
    """
    if strategy is None:
        import tensorflow as tf

        strategy = tf.distribute.get_strategy()
    if is_chief(strategy):
        return path
    resolver = strategy.cluster_resolver
    return tempfile.mkdtemp(prefix=f"tfvgan-{resolver.task_type}-{resolver.task_id}-")


def replica_values(value: int, strategy=None) -> list[int]:
    """`value` as every replica of `strategy` (every worker's) holds it.

    One all-gather across the cluster: each process passes its own integer
    and all get the same list back (one entry per replica, workers in task
    order). Without several workers, every entry is `value`.

    Args:
        value: this process's integer (e.g. the step it restored).
        strategy: default: the current strategy.

    Returns:
        A list of `num_replicas_in_sync` integers.
    """
    import tensorflow as tf

    strategy = strategy or tf.distribute.get_strategy()
    if strategy.num_replicas_in_sync == 1:
        return [int(value)]
    local = tf.constant([int(value)], tf.int64)
    gathered = strategy.gather(strategy.run(lambda: tf.identity(local)), axis=0)
    return [int(v) for v in gathered.numpy()]
