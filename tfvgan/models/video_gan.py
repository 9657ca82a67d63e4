"""`VideoGAN`: the one adversarial training loop every tfvgan variant shares."""

from __future__ import annotations

import contextlib
import copy
import math
import warnings
from collections.abc import Callable, Sequence

import keras
import numpy as np
import tensorflow as tf

from tfvgan import augment as augment_lib
from tfvgan import conditions, distribute, precision, validation
from tfvgan import losses as losses_lib
from tfvgan.models import networks
from tfvgan.models import presets as presets_lib

#: ``condition_type`` values: None (unconditional) or a `tfvgan.conditions` name.
CONDITION_TYPES = (None, *conditions.CONDITION_TYPES)


def default_jit_compile(strategy=None) -> bool:
    """XLA on accelerators only, and only without several replicas.

    Measured on the 2-core CPU machines this project is developed on: XLA made
    3D-conv GAN training steps ~50x slower on CPU, so it is off there. Under
    a strategy with more than one replica it is off too, as Keras'
    ``jit_compile="auto"`` does: an XLA-compiled step of replica 1 fails to
    read the model's seed-generator state on replica 1's device (measured
    with `MirroredStrategy` on two logical CPUs).

    Args:
        strategy: the `tf.distribute.Strategy` the model trains under;
            default: the current one.
    """
    strategy = strategy or tf.distribute.get_strategy()
    if _several_replicas(strategy):
        return False
    return distribute.has_accelerator()


def _several_replicas(strategy) -> bool:
    """More than one replica, outside TPUs (which compile every step anyway)."""
    return strategy.num_replicas_in_sync > 1 and not isinstance(
        strategy, tf.distribute.TPUStrategy
    )


def _replica_info() -> tuple[int | tf.Tensor, int]:
    """(replica id, number of replicas) of the current replica context."""
    ctx = tf.distribute.get_replica_context()
    if ctx is None:  # cross-replica context: act as one device
        return 0, 1
    return ctx.replica_id_in_sync_group, ctx.num_replicas_in_sync


@contextlib.contextmanager
def dtype_policy(name: str | None):
    """Sets Keras' global dtype policy to `name` inside the block only.

    Layers take the global policy when they are constructed, so a model
    built inside the block computes in it. `None` leaves the policy alone;
    ``"auto"`` is the policy `tfvgan.precision.choose_dtype_policy` picks
    for this machine.

    Example:

    ```python
    with tfvgan.models.dtype_policy("mixed_bfloat16"):
        gan = tfvgan.models.RecurrentGAN.from_preset("quickstart")
    gan.compile()  # trains in bfloat16 with float32 weights and outputs
    ```
    """
    if name is None:
        yield
        return
    name, _ = precision.resolve_dtype_policy(name)
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(name)
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)


def _own_replica_losses(layer) -> list:
    """`layer.losses` registered by the current replica only.

    Keras keeps `add_loss` tensors in one Python list per layer, which the
    replica threads of `MirroredStrategy` share: every replica would read (and
    report) the losses of all replicas. Each replica traces under its own
    device scope, so its tensors carry its device.
    """
    losses = layer.losses
    _, num_replicas = _replica_info()
    if num_replicas == 1 or not losses or tf.executing_eagerly():
        return losses
    device = tf.constant(0.0).device
    if not device:
        return losses
    return [x for x in losses if getattr(x, "device", device) == device]


def _step_logs(metrics) -> dict:
    """The logs a train/test step returns: `{name: result}`.

    Under a multi-worker `MultiWorkerMirroredStrategy`, Keras reduces step
    logs with `strategy.reduce("MEAN", value, axis=0)`, which fails on
    scalars (keras-team/keras#20585); there each log gets a length-1 axis,
    which that reduction removes again.
    """
    logs = {m.name: m.result() for m in metrics}
    strategy = tf.distribute.get_strategy()
    multi_worker = (
        isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy)
        and getattr(strategy.extended, "_in_multi_worker_mode", lambda: False)()
    )
    if multi_worker:
        logs = {name: tf.reshape(value, [1]) for name, value in logs.items()}
    return logs


def _cross_replica(fn, *args):
    """`fn(strategy, *args)` once, in cross-replica context (`strategy` is
    None without a `tf.distribute` strategy)."""
    ctx = tf.distribute.get_replica_context()
    if ctx is None or not tf.distribute.has_strategy():
        return fn(None, *args)
    return ctx.merge_call(fn, args=args)


def _update(strategy, target, fn, value) -> None:
    """``fn(target, value)`` on every copy of `target` (cross-replica context)."""
    # `.value` is the tf.Variable (a DistributedVariable under a strategy)
    # behind a Keras variable.
    if isinstance(target, keras.Variable):
        target = target.value
    if isinstance(value, keras.Variable):
        value = value.value
    if strategy is None:
        fn(target, value)
    else:
        strategy.extended.update(target, fn, args=(value,))


def _local(strategy, value):
    """One replica's copy of a value that is the same on every replica."""
    if strategy is None or value is None:
        return value
    return strategy.experimental_local_results(value)[0]


def _cond(pred, fn) -> None:
    """`fn()` if `pred` (a boolean tensor; None means always)."""
    if pred is None:
        fn()
        return
    tf.cond(pred, lambda: (fn(), tf.constant(True))[1], lambda: tf.constant(False))


def _all_finite(grads) -> tf.Tensor:
    """Whether every gradient of every replica is finite (same on all replicas)."""
    bad = tf.constant(0.0)
    for g in grads:
        if g is not None:
            bad += tf.reduce_sum(
                tf.cast(tf.logical_not(tf.math.is_finite(g)), tf.float32)
            )
    ctx = tf.distribute.get_replica_context()
    if ctx is not None and ctx.num_replicas_in_sync > 1:
        bad = ctx.all_reduce("sum", bad)
    return tf.equal(bad, 0.0)


def _loss_scaled(optimizer):
    """`optimizer` wrapped in Keras' dynamic `LossScaleOptimizer` (once)."""
    if isinstance(optimizer, keras.optimizers.LossScaleOptimizer):
        return optimizer
    return keras.optimizers.LossScaleOptimizer(optimizer)


def _update_loss_scale(optimizer, finite) -> None:
    """Keras' dynamic loss-scale rule, for one step of `optimizer`'s network."""

    def grown():
        counter = optimizer.step_counter
        grow = tf.equal(counter, optimizer.dynamic_growth_steps - 1)
        new_scale = tf.where(grow, 2.0, 1.0) * optimizer.dynamic_scale
        optimizer.dynamic_scale.assign(new_scale)
        optimizer.step_counter.assign(
            tf.where(grow, tf.zeros_like(counter), counter + 1)
        )
        return tf.constant(True)

    def shrunk():
        optimizer.dynamic_scale.assign(0.5 * optimizer.dynamic_scale)
        optimizer.step_counter.assign(0)
        return tf.constant(False)

    tf.cond(finite, grown, shrunk)


def _has_batch_norm(network) -> bool:
    return any(
        isinstance(layer, keras.layers.BatchNormalization)
        for layer in network._flatten_layers()
    )


def _as_list(x) -> list:
    return list(x) if isinstance(x, (list, tuple)) else [x]


def other_labels(model: VideoGAN, labels: tf.Tensor, num_classes: int) -> tf.Tensor:
    """Another class for every label: ``(id + 1 + U{0..K-2}) mod K``, drawn
    from `model`'s seeded stream (the GAN-CLS critic's mismatched pairs)."""
    offset = model.random_uniform(
        tf.shape(labels)[0], (), maxval=num_classes - 1, dtype=tf.int32
    )
    return (labels + 1 + offset) % num_classes


def noise_from_seeds(seeds, latent_dim: int) -> tf.Tensor:
    """Deterministic latents, one row per integer seed: `(B,)` -> `(B, latent_dim)`.

    Row ``i`` is ``stateless_normal((latent_dim,), seed=[seeds[i], 0])``: the
    rule `VideoGAN.generate(seed=...)`, the exported ``generate_from_seed``
    signature and `tfvgan.serving.SavedModelGenerator` share.
    """
    seeds = tf.cast(tf.reshape(seeds, [-1]), tf.int64)
    return tf.map_fn(
        lambda s: tf.random.stateless_normal(
            (latent_dim,), seed=tf.stack([s, tf.zeros_like(s)])
        ),
        seeds,
        fn_output_signature=tf.float32,
    )


def _static_shape(tensors, index: int):
    """Static shape of `tensors[index]` (a Keras tensor list), or None."""
    try:
        tensors = list(tensors or [])
        return tuple(tensors[index].shape) if len(tensors) > index else None
    except (AttributeError, TypeError, ValueError):
        return None


def _shapes_from_generator(generator, latent_dim, frames, size, channels):
    """`(latent_dim, frames, size, channels)`, the missing ones read from a
    functional generator's input and output shapes."""
    try:
        inputs, outputs = generator.inputs, generator.outputs
    except (AttributeError, ValueError):  # subclassed: no symbolic graph
        inputs = outputs = None
    noise_shape = _static_shape(inputs, 0)
    video_shape = _static_shape(outputs, 0)
    if noise_shape is not None and len(noise_shape) == 2:
        if latent_dim is None:
            latent_dim = noise_shape[-1]
        elif noise_shape[-1] is not None and noise_shape[-1] != latent_dim:
            raise ValueError(
                f"latent_dim={latent_dim}, but the generator takes noise of "
                f"shape {noise_shape}."
            )
    if video_shape is not None and len(video_shape) == 5:
        _, t, h, w, c = video_shape
        if h is not None and w is not None and h != w:
            raise ValueError(
                f"the generator makes {h}x{w} frames; VideoGAN needs square "
                "frames (size x size)."
            )
        frames = t if frames is None else frames
        size = h if size is None else size
        channels = c if channels is None else channels
    missing = [
        name
        for name, value in (
            ("latent_dim", latent_dim),
            ("frames", frames),
            ("size", size),
        )
        if value is None
    ]
    if missing:
        raise ValueError(
            f"pass {', '.join(m + '=' for m in missing)} to VideoGAN: the "
            "generator has no static input/output shape to read them from "
            "(a functional or Sequential generator with a known output "
            "shape (batch, frames, size, size, channels) has)."
        )
    return latent_dim, frames, size, 3 if channels is None else channels


@keras.saving.register_keras_serializable(package="tfvgan")
class VideoGAN(keras.Model):
    """A GAN for video, trained with `fit` through one shared `train_step`.

    `VideoGAN` owns the adversarial loop: `d_steps` discriminator updates then
    one generator update per batch, loss scaling for `tf.distribute`, the
    gradient penalty and R1 regularisers, an EMA copy of the generator, and
    the metric trackers (`d_loss`, `g_loss`, `d_real`, `d_fake`, plus `gp`,
    `r1` and any variant regulariser). The four variants in `tfvgan.models`
    subclass it and override small hooks (`sample_noise`, `call_generator`,
    `discriminate`, `prepare_condition`); none forks the loop. It can also be
    used directly with any generator and discriminator.

    Contract: the generator maps ``noise (B, latent_dim)`` (or
    ``[noise, condition]`` for conditional models) to a video
    ``(B, frames, size, size, channels)`` in ``[-1, 1]``; the discriminator
    maps a video (or ``[video, condition]``) to logits of any rank, or a list
    of logits for several critics. Training data is ``video`` or
    ``(video, condition)``; a condition given to an unconditional model is
    ignored, so labelled data sets can feed every model.

    The four variants share these constructor arguments: ``spectral_norm``
    (spectral normalization on the critics' convolutions), ``critic_norm``
    (the critics' normalization, one of `tfvgan.models.critics.CRITIC_NORMS`),
    ``sync_bn`` (batch norm synchronized across the replicas of a
    `tf.distribute` strategy), ``seed`` (as below) and ``**kwargs`` (passed
    to `VideoGAN`, then `keras.Model`).

    Args:
        generator: a built Keras model/layer, as above.
        discriminator: a built Keras model/layer, as above.
        latent_dim: size of the noise vector; default: read from a
            functional generator's (first) input.
        frames: frames per clip; default: read from a functional
            generator's output shape, as `size` and `channels` are.
        size: frame height and width (square frames).
        channels: 1 (grayscale) or 3 (RGB); default: the generator's, else 3.
            Given values are checked against the clips the generator makes.
        condition_type: `None` (unconditional) or a name in
            `tfvgan.conditions.CONDITION_TYPES`: `"label"`, `"text"`,
            `"image"`, `"video"`, `"frames"`.
        condition_shape: per-example condition shape; derived for `"label"`
            (`()`) and `"image"` (`(size, size, channels)`), required for
            `"text"` (`(sequence_length,)`), `"video"` and `"frames"`
            (`(k, size, size, channels)`).
        seed: integer seed of the model's `keras.random.SeedGenerator`, the
            source of all its latents and random choices.
        **kwargs: passed to `keras.Model`.

    Example:

    ```python
    g = keras.Sequential([
        keras.Input((64,)),
        keras.layers.Dense(8 * 32 * 32, activation="tanh"),
        keras.layers.Reshape((8, 32, 32, 1)),
    ])
    d = keras.Sequential([
        keras.Input((8, 32, 32, 1)),
        keras.layers.Conv3D(16, 4, strides=2),
        keras.layers.Flatten(),
        keras.layers.Dense(1),
    ])
    # latent_dim, frames, size and channels are read from g's shapes.
    gan = tfvgan.models.VideoGAN(generator=g, discriminator=d)
    gan.compile(loss="hinge", ema_decay=0.999)
    data = tfvgan.data.moving_digits(num_videos=32, frames=8, size=32,
                                     batch_size=16)
    gan.fit(data, epochs=1, verbose=0)
    gan.generate(4).shape  # (4, 8, 32, 32, 1)
    ```

    Reference:
        Goodfellow et al. 2014, https://arxiv.org/abs/1406.2661
    """

    def __init__(
        self,
        generator: keras.layers.Layer,
        discriminator: keras.layers.Layer,
        latent_dim: int | None = None,
        frames: int | None = None,
        size: int | None = None,
        channels: int | None = None,
        condition_type: str | None = None,
        condition_shape: tuple | None = None,
        seed: int | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if condition_type not in CONDITION_TYPES:
            raise ValueError(
                f"Unknown condition_type {condition_type!r}; expected one of "
                f"{CONDITION_TYPES}."
            )
        latent_dim, frames, size, channels = _shapes_from_generator(
            generator, latent_dim, frames, size, channels
        )
        for arg, value in (
            ("latent_dim", latent_dim),
            ("frames", frames),
            ("size", size),
        ):
            if not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"{arg} must be a positive integer, got {value!r}.")
        if channels not in (1, 3):
            raise ValueError(f"channels must be 1 or 3, got {channels!r}.")
        self.generator = generator
        self.discriminator = discriminator
        self.latent_dim = int(latent_dim)
        self.frames = int(frames)
        self.size = int(size)
        self.channels = int(channels)
        self.condition_type = condition_type
        self.condition_shape = (
            None if condition_shape is None else tuple(condition_shape)
        )
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed, name="latent_seed")
        self.ema_generator = None
        self.augment: tuple[str, ...] = ()
        self._variant_config = None
        self._gan_compiled = False
        self._build_networks()
        # The networks are built by their constructors; marking the model
        # built keeps `fit` (also under a strategy) from tracing it
        # symbolically with per-replica values.
        self.built = True

    def _dummy_inputs(self, batch_size: int = 1):
        noise = tf.zeros((batch_size, self.latent_dim))
        video = tf.zeros((batch_size, *self.video_shape))
        spec = self.condition_spec
        condition = None
        if spec is not None:
            condition = tf.zeros((batch_size, *spec.shape[1:]), spec.dtype)
        return noise, video, condition

    def _build_networks(self) -> None:
        """Creates the networks' variables by calling them once on zeros."""
        noise, video, condition = self._dummy_inputs()
        out = self.call_generator(noise, condition)
        if tuple(out.shape[1:]) != self.video_shape:
            raise ValueError(
                f"the generator makes clips of shape {tuple(out.shape[1:])} "
                "(frames, height, width, channels), but the model was given "
                f"frames={self.frames}, size={self.size}, channels={self.channels}."
            )
        self.discriminate(video, condition)

    def _clone_generator(self) -> keras.layers.Layer:
        generator = self.generator
        # Works for functional and subclassed networks alike.
        with dtype_policy(generator.dtype_policy.name):
            clone = generator.__class__.from_config(generator.get_config())
        noise, _, condition = self._dummy_inputs()
        self.call_generator(noise, condition, generator=clone)
        clone.set_weights(generator.get_weights())
        clone.trainable = False
        return clone

    def _drop_ema_generator(self) -> None:
        # Keras tracks sub-layers by assignment and never untracks them:
        # without this the dropped copy's weights stay in `model.weights`
        # (and in saved files); `del` also drops TF's checkpoint dependency.
        self._tracker.untrack(self.ema_generator)
        del self.ema_generator
        self.ema_generator = None

    @classmethod
    def from_preset(
        cls, preset: str, dtype_policy_name: str | None = None, **kwargs
    ) -> VideoGAN:
        """Builds the variant from a named preset, `kwargs` overriding.

        Two kinds of preset:

        - an architecture (``cls.presets``, a table of
          `tfvgan.models.presets.Preset`: ``"paper"``, ``"quickstart"``,
          ``"tiny"``): the untrained model;
        - a pretrained preset shipped with the package
          (`tfvgan.models.list_presets`, e.g. ``"moving_digits_label"``):
          the model of its metadata with its trained generator loaded
          (checksum verified), ready to `generate`, export or evaluate.
          Its critics are untrained.

        Args:
            preset: the preset's name.
            dtype_policy_name: the dtype policy the model is built under
                (`dtype_policy`). None: the global policy for an
                architecture, float32 for a pretrained preset (the policy
                its figures were measured under, whatever the global one).
            **kwargs: constructor arguments overriding the preset's (for a
                pretrained preset, only ones that leave the generator's
                weights the same shapes, such as ``seed``).

        Raises:
            ValueError: an unknown name (the message lists both kinds), or a
                pretrained preset of another variant.
            tfvgan.pretrained.PresetError: a damaged or mismatched
                weights file.
        """
        from tfvgan import pretrained

        if pretrained.is_pretrained(preset):
            meta = pretrained.metadata(preset)
            if cls is not VideoGAN and meta["class"] != cls.__name__:
                raise ValueError(
                    f"pretrained preset {preset!r} is a {meta['class']}, not a "
                    f"{cls.__name__}: load it with tfvgan.models.from_preset"
                    f"({preset!r}) or {meta['class']}.from_preset."
                )
            if cls is VideoGAN:
                raise ValueError(
                    "VideoGAN.from_preset needs a variant: use "
                    f"tfvgan.models.from_preset({preset!r})."
                )
            with dtype_policy(dtype_policy_name or "float32"):
                model = cls(**{**meta["kwargs"], **kwargs})
            pretrained.assign_weights(model.generator, preset)
            model.preset_metadata = meta
            return model
        table = getattr(cls, "presets", None)
        if not table:
            raise ValueError(
                f"{cls.__name__} has no architecture presets and {preset!r} is not "
                f"a pretrained one (shipped: {pretrained.names()})."
            )
        if preset not in table:
            raise ValueError(
                f"Unknown preset {preset!r} for model {cls.__name__!r}; expected an "
                f"architecture preset {sorted(table)} or a pretrained preset "
                f"{pretrained.names()}."
            )
        chosen = presets_lib.select(table, preset, cls.__name__)
        with dtype_policy(dtype_policy_name):
            return cls(**{**chosen.kwargs, **kwargs})

    # ------------------------------------------------------------ properties
    @property
    def conditional(self) -> bool:
        return self.condition_type is not None

    @property
    def video_shape(self) -> tuple[int, int, int, int]:
        """``(frames, height, width, channels)`` of one clip."""
        return (self.frames, self.size, self.size, self.channels)

    # ------------------------------------------------------------------- fit
    def fit(self, x=None, *args, **kwargs):
        """`keras.Model.fit`, with `shuffle` off by default for a `tf.data.Dataset`.

        Keras ignores `shuffle` for data sets (they shuffle themselves, as
        `tfvgan.data`'s do) but warns on every call that leaves it at its
        default `True`. Arrays are still shuffled by default. A model that
        `needs_pretraining` is first pretrained on `x` (repeated), which must
        then be a data set.
        """
        if self.needs_pretraining():
            if not isinstance(x, tf.data.Dataset):
                raise ValueError(
                    f"{type(self).__name__} pretrains on its data before the first "
                    "GAN step and needs a tf.data.Dataset for it: pass one to "
                    "fit(), or call pretrain(dataset) first."
                )
            self.pretrain(x.repeat())
        # `shuffle` is fit's 9th parameter: 8th after `x`.
        if isinstance(x, tf.data.Dataset) and len(args) < 8 and "shuffle" not in kwargs:
            kwargs["shuffle"] = False
        return super().fit(x, *args, **kwargs)

    #: Batch size of the data the training runner gives `pretrain` (None:
    #: the run's own).
    pretrain_batch_size: int | None = None

    def needs_pretraining(self) -> bool:
        """Whether `pretrain` must run before the first GAN step (default: no)."""
        return False

    def pretrain(self, dataset, steps: int | None = None, verbose=0):
        """Work before the first GAN step, on the training data (default:
        none). `fit` calls it while `needs_pretraining` says so; the training
        runner calls it on a data set of its own before the first epoch.
        E.g. the text `RecurrentGAN` pretrains its caption matcher here."""
        return None

    # --------------------------------------------------------------- compile
    def compile(
        self,
        d_optimizer: keras.optimizers.Optimizer | None = None,
        g_optimizer: keras.optimizers.Optimizer | None = None,
        loss: str | tuple[Callable, Callable] = "non_saturating",
        gp_weight: float = 0.0,
        r1_weight: float = 0.0,
        d_steps: int = 1,
        ema_decay: float | None = None,
        augment: str | Sequence[str] | None = None,
        jit_compile: bool | None = None,
        **kwargs,
    ):
        """Configures the adversarial game.

        Under the ``mixed_float16`` dtype policy both optimizers are wrapped
        in `keras.optimizers.LossScaleOptimizer` (dynamic loss scaling; pass
        your own wrapped optimizers to set its options). A training step
        whose gradients are not finite is skipped as a whole: neither
        network, nor their optimizer state, nor the EMA copy changes, the
        loss scale of the network that overflowed halves, and the step
        counters (`iterations`, which drive learning-rate schedules and
        checkpoint numbers) still advance, so a run counts the same steps
        and batches either way. The share of skipped steps is logged as
        ``skipped``.

        Args:
            d_optimizer: discriminator optimizer; default Adam(2e-4, beta_1=0.5).
            g_optimizer: generator optimizer; default Adam(2e-4, beta_1=0.5).
            loss: a name from `tfvgan.losses.LOSSES` or a pair of callables
                `(generator_loss, discriminator_loss)` on logits.
            gp_weight: weight of the WGAN-GP gradient penalty (0 = off).
            r1_weight: weight (gamma) of the R1 penalty on real data (0 = off).
                Both penalties act on each clip's score as the loss sees it
                (`tfvgan.losses.clip_scores`) and run the critic in
                inference mode (augmentation still on): batch norm uses its
                moving statistics there, so a clip's penalty gradient does
                not depend on the other clips and the extra passes update no
                statistics. A batch-norm critic is then penalised as a
                different function from the one the loss trains, so
                penalised critics should use ``critic_norm="layer"`` (as
                the WGAN-GP paper) or ``"none"``; compile warns otherwise.
            d_steps: discriminator updates per generator update. Each draws
                fresh fakes (and fresh gradient-penalty interpolations) and
                uses the step's one real batch: a step takes one batch of the
                data set, as every Keras `train_step` does, so
                `steps_per_epoch` and the data position count generator
                steps (as in the keras-io WGAN-GP example; the WGAN-GP paper
                draws a new real batch per critic step instead).
            ema_decay: if set (e.g. 0.999), keep an exponential moving average
                of the generator's weights, used by `generate` and export.
                None: no EMA; compiling again with None drops an EMA copy
                the model had (and compiling with a decay after that starts
                a new copy from the generator's weights).
            augment: differentiable augmentation of every clip the critics
                score in training (`tfvgan.augment`): names from
                ``"color"``, ``"translation"``, ``"cutout"``, as a sequence
                or a comma-separated string; None = off.
            jit_compile: XLA-compile the train step. Default (None): on when
                a GPU or TPU is present and the model trains on one replica;
                off on CPU (measured ~50x slower there) and under a strategy
                with several replicas (`default_jit_compile`). A saved model
                keeps the argument, not the machine's choice: None is
                resolved again where it is loaded.

            **kwargs: passed to `keras.Model.compile` (e.g.
                `steps_per_execution`).
        """
        # The same checks as a `TrainConfig`'s (`tfvgan.validation`).
        validation.check_int("d_steps", d_steps)
        validation.check_float("gp_weight", gp_weight, 0.0, math.inf)
        validation.check_float("r1_weight", r1_weight, 0.0, math.inf)
        validation.check_ema_decay(ema_decay)
        self.g_loss_fn, self.d_loss_fn = losses_lib.get(loss)
        self.loss_name = loss if isinstance(loss, str) else None
        self.d_optimizer = d_optimizer or keras.optimizers.Adam(2e-4, beta_1=0.5)
        self.g_optimizer = g_optimizer or keras.optimizers.Adam(2e-4, beta_1=0.5)
        if self.d_optimizer is self.g_optimizer:
            raise ValueError("d_optimizer and g_optimizer must be distinct objects.")
        # float16 gradients underflow without loss scaling: both networks
        # get Keras' dynamic loss scale (see `_skip_or_keep_step`).
        self.loss_scaling = any(
            network.dtype_policy.compute_dtype == "float16"
            for network in (self.generator, self.discriminator)
        ) or any(
            isinstance(opt, keras.optimizers.LossScaleOptimizer)
            for opt in (self.d_optimizer, self.g_optimizer)
        )
        if self.loss_scaling:
            self.d_optimizer = _loss_scaled(self.d_optimizer)
            self.g_optimizer = _loss_scaled(self.g_optimizer)
        self.gp_weight = float(gp_weight)
        self.r1_weight = float(r1_weight)
        if (self.gp_weight or self.r1_weight) and _has_batch_norm(self.discriminator):
            warnings.warn(
                "gradient penalty / R1 with a batch-norm critic: the penalty is "
                "per clip, but batch norm in training mode mixes the clips of a "
                "batch, so tfvgan penalises the critic in inference mode (moving "
                "statistics) instead. Build the model with critic_norm='layer' "
                "(as WGAN-GP) or 'none' to penalise the critic the loss trains.",
                stacklevel=2,
            )
        self.d_steps = int(d_steps)
        self.ema_decay = None if ema_decay is None else float(ema_decay)
        self.augment = augment_lib.check_policy(augment)
        if self.ema_decay is not None and self.ema_generator is None:
            self.ema_generator = self._clone_generator()
        elif self.ema_decay is None and self.ema_generator is not None:
            # No EMA asked for: `generate` and export use the generator,
            # not a copy that would stay frozen from now on.
            self._drop_ema_generator()
        self.d_optimizer.build(self.discriminator.trainable_variables)
        self.g_optimizer.build(self.generator.trainable_variables)
        self._step_backup = None
        if self.loss_scaling:
            # Scratch copies of what a D step changes, to undo a step whose
            # generator gradients overflow after the critic was updated.
            # Not part of the training state (not checkpointed).
            self._step_backup = [
                tf.Variable(tf.zeros(v.shape, v.dtype), trainable=False)
                for v in self._step_state()
            ]

        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.d_real_tracker = keras.metrics.Mean(name="d_real")
        self.d_fake_tracker = keras.metrics.Mean(name="d_fake")
        self._extra_trackers = {}
        names = ["skipped"] if self.loss_scaling else []
        if self.gp_weight:
            names.append("gp")
        if self.r1_weight:
            names.append("r1")
        names += list(self.regularizer_names())
        for name in names:
            self._extra_trackers[name] = keras.metrics.Mean(name=name)

        self._jit_compile_arg = jit_compile
        if jit_compile is None:
            jit_compile = default_jit_compile(self.distribute_strategy)
        elif jit_compile and _several_replicas(self.distribute_strategy):
            warnings.warn(
                "jit_compile=True under a strategy with "
                f"{self.distribute_strategy.num_replicas_in_sync} replicas: an "
                "XLA-compiled step failed to read the seed-generator state of "
                "replica 1 in tfvgan's tests (MirroredStrategy on two logical "
                "CPUs). Leave jit_compile=None (off under several replicas) if "
                "fit fails at step 1.",
                stacklevel=2,
            )
        # `optimizer` is the generator's: its `iterations` counts training
        # steps, and a built optimizer keeps Keras from building another.
        super().compile(optimizer=self.g_optimizer, jit_compile=jit_compile, **kwargs)
        self._gan_compiled = True
        self._compile_args = {
            "loss": self.loss_name,
            "gp_weight": self.gp_weight,
            "r1_weight": self.r1_weight,
            "d_steps": self.d_steps,
            "ema_decay": self.ema_decay,
            "augment": list(self.augment),
            "jit_compile": self._jit_compile_arg,
        }

    def get_compile_config(self):
        if not self._gan_compiled or self.loss_name is None:
            return None
        return {
            **self._compile_args,
            "d_optimizer": keras.saving.serialize_keras_object(self.d_optimizer),
            "g_optimizer": keras.saving.serialize_keras_object(self.g_optimizer),
        }

    def compile_from_config(self, config):
        config = dict(config)
        config["d_optimizer"] = keras.saving.deserialize_keras_object(
            config["d_optimizer"]
        )
        config["g_optimizer"] = keras.saving.deserialize_keras_object(
            config["g_optimizer"]
        )
        self.compile(**config)

    @property
    def metrics(self):
        if not self._gan_compiled:
            return []
        return [
            self.d_loss_tracker,
            self.g_loss_tracker,
            self.d_real_tracker,
            self.d_fake_tracker,
            *self._extra_trackers.values(),
        ]

    # ----------------------------------------------------------------- hooks
    def regularizer_names(self) -> tuple[str, ...]:
        """Names of the generator regularisers `generator_regularizers` returns."""
        return ()

    def generator_regularizers(self, real, fake, condition) -> dict[str, tf.Tensor]:
        """Extra weighted generator loss terms, by name (default: none).

        The default also collects losses the generator's layers registered with
        `add_loss` during the call (e.g. the VGAN mask sparsity term).
        """
        return {}

    def mismatched_condition(self, condition) -> tf.Tensor | None:
        """Conditions that do not describe the real clips, or None (default).

        When a conditional variant returns a batch here, the D step scores
        the real clips with it as a third, "fake" pair and averages the two
        critic losses (a matching-aware critic, GAN-CLS: Reed et al. 2016,
        https://arxiv.org/abs/1605.05396), so the critic must check that clip
        and condition agree, not only that the clip looks real.
        """
        return None

    def sample_noise(self, batch_size) -> tf.Tensor:
        """Noise `(batch_size, latent_dim)` for one replica's share of a batch."""
        return self.random_normal(batch_size, (self.latent_dim,))

    def call_generator(self, noise, condition=None, training=False, generator=None):
        """Runs the generator (or `generator`, e.g. the EMA copy) on noise."""
        generator = generator or self.generator
        if self.conditional:
            video = generator([noise, condition], training=training)
        else:
            video = generator(noise, training=training)
        # float32 whatever the compute dtype (mixed precision): the contract.
        return tf.cast(video, tf.float32)

    def discriminate(self, videos, condition=None, training=False) -> list:
        """Scores videos; returns a list of logits, one per critic head."""
        if self.conditional:
            return _as_list(self.discriminator([videos, condition], training=training))
        return _as_list(self.discriminator(videos, training=training))

    def _scores(self, videos, condition=None, training=False, augment=None) -> list:
        """`discriminate` as a list of float32 logits (mixed precision too).

        With `augment` (default: `training`), clips are augmented first when
        `compile(augment=...)` set a policy (each call draws fresh
        parameters per clip).
        """
        augment = training if augment is None else augment
        if augment and self.augment:
            batch = tf.shape(videos)[0]
            videos = augment_lib.augment_videos(
                videos, self.augment, lambda shape: self.random_uniform(batch, shape)
            )
        return [
            tf.cast(x, tf.float32)
            for x in _as_list(self.discriminate(videos, condition, training=training))
        ]

    def prepare_condition(self, condition):
        """Checks (and converts) a condition batch for the generator.

        Raises `ValueError` with a clear message for a missing condition or one
        of the wrong shape or type. Variants extend it (e.g. tokenizing caption
        strings); the default checks presence and the static shape against
        `condition_spec`.
        """
        if not self.conditional:
            return None
        if condition is None:
            raise ValueError(
                f"{type(self).__name__} is conditional (condition_type="
                f"{self.condition_type!r}): data must be (video, condition) pairs "
                "and generate() needs condition=."
            )
        condition = tf.convert_to_tensor(condition)
        spec = self.condition_spec
        if spec is not None and not spec.shape.is_compatible_with(condition.shape):
            raise ValueError(
                f"expected a {self.condition_type!r} condition of shape "
                f"{tuple(spec.shape)} (batch first), got shape "
                f"{tuple(condition.shape)}."
            )
        return condition

    @property
    def condition_spec(self) -> tf.TensorSpec | None:
        """`tf.TensorSpec` of a condition batch, or `None` if unconditional."""
        if self.condition_type is None:
            return None
        kind = conditions.get(self.condition_type)
        if self.condition_shape is not None:
            shape = tuple(self.condition_shape)
        elif self.condition_type in ("label", "image"):
            shape = kind.shape(self.frames, self.size, self.channels)
        else:
            raise ValueError(
                f"condition_type {self.condition_type!r} needs condition_shape=."
            )
        return kind.spec(shape)

    # ------------------------------------------------------------ randomness
    def _draw_seed(self) -> tf.Tensor:
        return tf.cast(self.seed_generator.next(), tf.int64)

    def _per_replica_draw(self, draw, batch_size, shape) -> tf.Tensor:
        # Every replica draws the *global* batch from the same seed and keeps
        # its own slice: replicas get different values, and a step under N
        # replicas sees exactly the latents of the same step on one device.
        replica_id, num_replicas = _replica_info()
        shape = [int(s) for s in shape]
        full_shape = tf.concat(
            [
                tf.reshape(tf.cast(batch_size, tf.int32) * num_replicas, [1]),
                tf.constant(shape, tf.int32, shape=[len(shape)]),
            ],
            axis=0,
        )
        full = draw(full_shape, self._draw_seed())
        start = tf.cast(replica_id, tf.int32) * tf.cast(batch_size, tf.int32)
        out = full[start : start + batch_size]
        static_batch = batch_size if isinstance(batch_size, int) else None
        return tf.ensure_shape(out, [static_batch, *shape])

    def random_normal(self, batch_size, shape=()) -> tf.Tensor:
        """Standard normal `(batch_size, *shape)` from the model's seed generator."""
        return self._per_replica_draw(
            lambda s, seed: tf.random.stateless_normal(s, seed=seed),
            batch_size,
            shape,
        )

    def random_uniform(self, batch_size, shape=(), maxval=None, dtype=tf.float32):
        """Uniform `(batch_size, *shape)`: [0, 1) floats, or ints in [0, maxval)."""
        return self._per_replica_draw(
            lambda s, seed: tf.random.stateless_uniform(
                s, seed=seed, minval=0, maxval=maxval, dtype=dtype
            ),
            batch_size,
            shape,
        )

    def noise_from_seeds(self, seeds) -> tf.Tensor:
        """Deterministic noise, one row per integer seed `(B,)` -> `(B, latent_dim)`."""
        return noise_from_seeds(seeds, self.latent_dim)

    # ------------------------------------------------------------ validation
    def validate_video(self, video) -> None:
        """Checks the static shape of a video batch against the model's."""
        shape = tuple(video.shape)
        expected = (None, *self.video_shape)
        ok = len(shape) == 5 and all(
            s is None or e is None or s == e for s, e in zip(shape, expected)
        )
        if not ok:
            raise ValueError(
                "expected video rank 5 (batch, frames, height, width, channels) = "
                f"(batch, {self.frames}, {self.size}, {self.size}, {self.channels}), "
                f"got shape {shape}."
            )

    def _unpack(self, data):
        if isinstance(data, dict):  # {"video": ..., "condition": ...}
            video, condition = data.get("video"), data.get("condition")
        elif isinstance(data, (tuple, list)):
            video = data[0]
            condition = data[1] if len(data) > 1 else None
        else:
            video, condition = data, None
        video = tf.convert_to_tensor(video)
        self.validate_video(video)
        if video.dtype != tf.float32:
            raise ValueError(
                f"expected float32 videos in [-1, 1], got dtype {video.dtype.name}; "
                "tfvgan.data sources convert uint8 for you."
            )
        condition = self.prepare_condition(condition)
        return video, condition

    # ------------------------------------------------------------ train step
    def _d_stats(self, logits_list) -> tf.Tensor:
        use_sigmoid = self.loss_name in losses_lib.PROBABILITY_LOSSES
        values = [
            tf.reduce_mean(tf.sigmoid(x) if use_sigmoid else x) for x in logits_list
        ]
        return tf.add_n(values) / len(values)

    def _d_loss(self, real, fake, condition, training):
        real_logits = self._scores(real, condition, training=training)
        fake_logits = self._scores(fake, condition, training=training)
        if len(real_logits) != len(fake_logits):
            raise ValueError("discriminate() returned a different number of heads.")

        def against_real(negative_logits):
            return tf.add_n(
                [self.d_loss_fn(r, n) for r, n in zip(real_logits, negative_logits)]
            )

        d_loss = against_real(fake_logits)
        wrong = self.mismatched_condition(condition) if training else None
        if wrong is not None:
            # GAN-CLS: (L(real, fake) + L(real, mismatched real)) / 2; for
            # the built-in losses, the real term plus the two negatives' mean.
            wrong_logits = self._scores(real, wrong, training=training)
            d_loss = 0.5 * (d_loss + against_real(wrong_logits))
        return d_loss, real_logits, fake_logits

    def _g_loss(self, real, condition, batch_size, training):
        noise = self.sample_noise(batch_size)
        fake = self.call_generator(noise, condition, training=training)
        fake_logits = self._scores(fake, condition, training=training)
        g_loss = tf.add_n([self.g_loss_fn(f) for f in fake_logits])
        extras = dict(self.generator_regularizers(real, fake, condition))
        layer_losses = _own_replica_losses(self.generator)
        if layer_losses:
            extras.setdefault("g_reg", 0.0)
            extras["g_reg"] += tf.add_n([tf.cast(x, tf.float32) for x in layer_losses])
        return g_loss, extras

    def train_step(self, data):
        real, condition = self._unpack(data)
        batch_size = tf.shape(real)[0]
        # Losses are per-replica means and gradients are summed across
        # replicas, so scale by 1/N to get the global-batch mean's gradient.
        scale = 1.0 / tf.distribute.get_strategy().num_replicas_in_sync
        d_vars = self.discriminator.trainable_variables
        g_vars = self.generator.trainable_variables

        regs = {}
        scaling = self.loss_scaling
        if scaling:
            self._backup_step_state()
            d_finite = tf.constant(True)
        for _ in range(self.d_steps):
            fake = self.call_generator(
                self.sample_noise(batch_size), condition, training=True
            )
            with tf.GradientTape() as tape:
                d_loss, real_logits, fake_logits = self._d_loss(
                    real, fake, condition, training=True
                )
                total = d_loss

                def critic(v):
                    # Penalty passes score clips in inference mode (clips
                    # augmented as in training): batch norm then uses its
                    # moving statistics, so each clip's gradient is its own,
                    # and the extra passes update no statistics.
                    return self._scores(v, condition, training=False, augment=True)

                # Under float16 the penalties' input gradients run through
                # the critic loss-scaled too.
                grad_scale = self.d_optimizer.dynamic_scale if scaling else 1.0
                if self.gp_weight:
                    # alpha: this replica's slice of one global draw, so the
                    # penalty matches a single-device step exactly.
                    alpha = self.random_uniform(
                        batch_size, (1,) * (len(self.video_shape))
                    )
                    regs["gp"] = losses_lib.gradient_penalty(
                        critic, real, fake, alpha=alpha, grad_scale=grad_scale
                    )
                    total += self.gp_weight * regs["gp"]
                if self.r1_weight:
                    regs["r1"] = losses_lib.r1_penalty(
                        critic, real, grad_scale=grad_scale
                    )
                    total += self.r1_weight * regs["r1"]
                scaled = total * scale
                if scaling:
                    scaled = self.d_optimizer.scale_loss(scaled)
            grads = tape.gradient(scaled, d_vars)
            if scaling:
                d_finite = tf.logical_and(d_finite, _all_finite(grads))
                self._apply_if(d_finite, self.d_optimizer, grads, d_vars)
            else:
                self.d_optimizer.apply_gradients(zip(grads, d_vars))

        with tf.GradientTape() as tape:
            g_loss, extras = self._g_loss(real, condition, batch_size, training=True)
            total = g_loss
            for value in extras.values():
                total += value
            scaled = total * scale
            if scaling:
                scaled = self.g_optimizer.scale_loss(scaled)
        grads = tape.gradient(scaled, g_vars)
        if scaling:
            g_finite = _all_finite(grads)
            keep = tf.logical_and(d_finite, g_finite)
            self._apply_if(keep, self.g_optimizer, grads, g_vars)
            if self.ema_generator is not None:
                self._update_ema(keep)
            self._skip_or_keep_step(keep, d_finite, g_finite)
            return self._track(
                d_loss,
                g_loss,
                real_logits,
                fake_logits,
                {**regs, **extras},
                keep=keep,
            )
        self.g_optimizer.apply_gradients(zip(grads, g_vars))
        if self.ema_generator is not None:
            self._update_ema()
        return self._track(d_loss, g_loss, real_logits, fake_logits, {**regs, **extras})

    def test_step(self, data):
        real, condition = self._unpack(data)
        batch_size = tf.shape(real)[0]
        fake = self.call_generator(
            self.sample_noise(batch_size), condition, training=False
        )
        d_loss, real_logits, fake_logits = self._d_loss(
            real, fake, condition, training=False
        )
        g_loss, extras = self._g_loss(real, condition, batch_size, training=False)
        return self._track(d_loss, g_loss, real_logits, fake_logits, extras)

    def _track(
        self, d_loss, g_loss, real_logits, fake_logits, extras, keep=None
    ) -> dict:
        """Updates the metric trackers (unscaled losses) and returns the logs.

        With `keep` (loss scaling), a skipped step counts in ``skipped``
        only: its losses may be inf (a float16 overflow in the forward
        pass), which must not reach the epoch means that the non-finite
        guard reads.
        """
        values = {
            self.d_loss_tracker: d_loss,
            self.g_loss_tracker: g_loss,
            self.d_real_tracker: self._d_stats(real_logits),
            self.d_fake_tracker: self._d_stats(fake_logits),
        }
        for name, value in extras.items():
            if name in self._extra_trackers:
                values[self._extra_trackers[name]] = value
        for tracker, value in values.items():
            if keep is None:
                tracker.update_state(value)
            else:
                weight = tf.cast(keep, tf.float32)
                value = tf.where(keep, tf.cast(value, tf.float32), 0.0)
                tracker.update_state(value, sample_weight=weight)
        if keep is not None:
            self._extra_trackers["skipped"].update_state(
                1.0 - tf.cast(keep, tf.float32)
            )
        return _step_logs(self.metrics)

    # ------------------------------------------------------------------- EMA
    def _ema_pairs(self):
        return list(zip(self.ema_generator.weights, self.generator.weights))

    def _update_ema(self, keep=None):
        """Moves the EMA generator towards the generator (if `keep`, when given)."""
        decay = self.ema_decay

        def blend(ema_var, var, trainable):
            if trainable:
                return ema_var.assign(decay * ema_var + (1.0 - decay) * var)
            return ema_var.assign(var)  # e.g. batch-norm moving statistics: copy

        def update_all(strategy, keep):
            def update():
                for ema_var, var in self._ema_pairs():
                    trainable = var.trainable
                    _update(
                        strategy,
                        ema_var,
                        lambda e, v, t=trainable: blend(e, v, t),
                        var,
                    )

            _cond(_local(strategy, keep), update)

        # EMA variables are mirrored under a strategy; update them once, in
        # cross-replica context, from the (already synchronised) weights.
        _cross_replica(update_all, keep)

    # -------------------------------------------------- dynamic loss scaling
    def _step_state(self) -> list:
        """Everything a training step changes besides G's weights, the EMA
        copy, G's optimizer and the step counters: D's weights (batch-norm
        statistics too), D's optimizer state and G's batch-norm statistics."""
        d_inner = self.d_optimizer.inner_optimizer
        return [
            *self.discriminator.weights,
            *d_inner.variables,
            *self.generator.non_trainable_weights,
        ]

    def _backup_step_state(self) -> None:
        def copy(strategy):
            for backup, var in zip(self._step_backup, self._step_state()):
                _update(strategy, backup, lambda b, v: b.assign(v), var)

        _cross_replica(copy)

    def _apply_if(self, keep, optimizer, grads, variables) -> None:
        """Unscales loss-scaled `grads` and applies them with `optimizer`'s
        inner optimizer if `keep` (the same on every replica)."""
        scale = optimizer.dynamic_scale
        grads = [None if g is None else g / scale for g in grads]
        inner = optimizer.inner_optimizer

        def apply(strategy, keep, grads):
            if strategy is None:
                _cond(keep, lambda: inner.apply(grads, variables))
            else:
                # As Keras' LossScaleOptimizer: a cond with an optimizer
                # update (which merges across replicas) in its branch must
                # run in cross-replica context.
                _cond(
                    _local(strategy, keep),
                    lambda: strategy.extended.call_for_each_replica(
                        inner.apply, args=(grads, variables)
                    ),
                )

        _cross_replica(apply, keep, grads)

    def _skip_or_keep_step(self, keep, d_finite, g_finite) -> None:
        """Ends a loss-scaled step: undoes a skipped one and updates the scales.

        A skipped step (`keep` false) restores the state saved at its start
        (the critic may have been updated before the generator's gradients
        overflowed) and advances both optimizers' `iterations` as a kept step
        would, so the step count, learning-rate schedules and checkpoint
        numbers match the batches consumed. Each loss scale halves when its
        network's gradients overflowed and doubles after
        `dynamic_growth_steps` finite steps in a row, as in Keras'
        `LossScaleOptimizer`.
        """

        def finish(strategy, keep, d_finite, g_finite):
            def undo():
                for backup, var in zip(self._step_backup, self._step_state()):
                    _update(strategy, var, lambda v, b: v.assign(b), backup)
                self.d_optimizer.iterations.assign_add(self.d_steps)
                self.g_optimizer.iterations.assign_add(1)

            _cond(tf.logical_not(_local(strategy, keep)), undo)
            for optimizer, finite in (
                (self.d_optimizer, d_finite),
                (self.g_optimizer, g_finite),
            ):
                _update_loss_scale(optimizer, _local(strategy, finite))

        _cross_replica(finish, keep, d_finite, g_finite)

    # ------------------------------------------------------------ generation
    def call(self, inputs, training=False):
        """`model(noise)` or `model([noise, condition])` -> video in [-1, 1]."""
        if self.conditional:
            noise, condition = inputs
        else:
            noise, condition = inputs, None
        return self.call_generator(noise, condition, training=training)

    def sampling_generator(self, use_ema: bool = True):
        """The generator used for samples and export: the EMA copy when present."""
        if use_ema and self.ema_generator is not None:
            return self.ema_generator
        return self.generator

    def generate(
        self,
        num_videos: int | None = None,
        condition=None,
        seed: int | None = None,
        noise=None,
        use_ema: bool = True,
        batch_size: int = 32,
    ) -> np.ndarray:
        """Generates videos, float32 in [-1, 1], shape `(B, T, H, W, C)`.

        Args:
            num_videos: how many; inferred from `noise` or `condition` if omitted.
            condition: a condition batch for conditional models.
            seed: integer seed for reproducible samples (video `i` uses seed
                `seed + i`, as the exported `generate_from_seed` signature);
                `None` draws from the model's seed generator.
            noise: explicit noise `(B, latent_dim)`; overrides `seed`.
            use_ema: use the EMA generator when there is one.
            batch_size: generation batch size.

        Returns:
            NumPy array of videos.
        """
        if noise is not None:
            noise = tf.convert_to_tensor(noise, tf.float32)
            if noise.shape.rank != 2 or noise.shape[-1] != self.latent_dim:
                raise ValueError(
                    f"expected noise of shape (batch, {self.latent_dim}), "
                    f"got {tuple(noise.shape)}."
                )
            num_videos = noise.shape[0]
        condition = self.prepare_condition(condition)
        if condition is not None:
            num_videos = num_videos or condition.shape[0]
            if condition.shape[0] != num_videos:
                raise ValueError(
                    f"condition batch {condition.shape[0]} != num_videos {num_videos}."
                )
        if not num_videos:
            raise ValueError("generate() needs num_videos, noise or condition.")
        if noise is None:
            if seed is not None:
                noise = self.noise_from_seeds(
                    tf.range(num_videos, dtype=tf.int64) + seed
                )
            else:
                noise = tf.random.stateless_normal(
                    (num_videos, self.latent_dim), seed=self._draw_seed()
                )
        generator = self.sampling_generator(use_ema)
        out = []
        for start in range(0, num_videos, batch_size):
            cond = None if condition is None else condition[start : start + batch_size]
            out.append(
                self.call_generator(
                    noise[start : start + batch_size], cond, generator=generator
                )
            )
        return keras.ops.convert_to_numpy(tf.concat(out, axis=0))

    # --------------------------------------------------------------- config
    def _init_variant(
        self, init, values: dict, generator, discriminator, **derived
    ) -> None:
        """`VideoGAN.__init__` for a variant, then `_keep_config` of its arguments.

        The noise size, clip shape, condition type and seed are read from the
        variant's constructor arguments (names from `init`, values from
        `values`, its ``locals()``) and its ``**kwargs`` go to `keras.Model`;
        `derived` gives what the variant computes instead (RecurrentGAN's
        ``latent_dim``, a condition's ``condition_shape``).
        """
        args = networks.constructor_arguments(init, values)
        names = ("latent_dim", "frames", "size", "channels", "condition_type", "seed")
        shared = {name: args[name] for name in names if name in args}
        VideoGAN.__init__(
            self,
            generator=generator,
            discriminator=discriminator,
            **{**shared, **derived},
            **values.get("kwargs", {}),
        )
        self._keep_config(**args)

    def _keep_config(self, **args) -> None:
        """Records a variant's constructor arguments, as attributes and config.

        A variant rebuilds its networks from these, so its config holds them
        instead of the serialized networks a plain `VideoGAN` carries.
        """
        self._variant_config = dict(args)
        for key, value in args.items():
            setattr(self, key, value)

    def get_config(self):
        config = {"name": self.name, "trainable": self.trainable}
        if self.ema_generator is not None:
            # Saved whatever the compile config: a `.keras` file of a model
            # compiled with custom losses (no compile config) keeps its EMA
            # copy, which `generate` uses.
            config["ema_generator"] = True
        policy = self.generator.dtype_policy.name
        if policy != "float32":  # rebuilt under it by `from_config`
            config["dtype_policy"] = policy
        if self._variant_config is not None:
            return {**config, **self._variant_config}
        return {
            **config,
            "latent_dim": self.latent_dim,
            "frames": self.frames,
            "size": self.size,
            "channels": self.channels,
            "condition_type": self.condition_type,
            "condition_shape": self.condition_shape,
            "seed": self.seed,
            "generator": keras.saving.serialize_keras_object(self.generator),
            "discriminator": keras.saving.serialize_keras_object(self.discriminator),
        }

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        ema = config.pop("ema_generator", False)
        with dtype_policy(config.pop("dtype_policy", None)):
            for key in ("generator", "discriminator"):
                if key in config and isinstance(config[key], dict):
                    # Deserialization consumes nested dicts: work on a copy.
                    config[key] = keras.saving.deserialize_keras_object(
                        copy.deepcopy(config[key])
                    )
            model = cls(**config)
        if ema:
            # Its weights are loaded with the model's.
            model.ema_generator = model._clone_generator()
        return model
