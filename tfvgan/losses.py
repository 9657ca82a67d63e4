"""Adversarial losses and penalties as pure functions.

Every loss takes discriminator *logits* (raw, pre-sigmoid outputs) of any rank
and reduces them with a mean over all elements, so per-clip critics
``(B, 1)``, per-frame critics ``(B, T)`` and patch critics ``(B, t, h, w, 1)``
all work. The penalties (`gradient_penalty`, `r1_penalty`) differentiate
the same per-clip score the losses average (`clip_scores`), so published
weights carry over to patch and multi-head critics. Names come in pairs, as
in TF-GAN:
``<family>_generator_loss(fake_logits)`` and
``<family>_discriminator_loss(real_logits, fake_logits)``. Both players
*minimise* their loss.

Example:

```python
g_loss_fn, d_loss_fn = tfvgan.losses.get("hinge")
d_loss = d_loss_fn(discriminator(real), discriminator(fake))
```
"""

from __future__ import annotations

from collections.abc import Callable

import tensorflow as tf

__all__ = [
    "minimax_generator_loss",
    "minimax_discriminator_loss",
    "non_saturating_generator_loss",
    "non_saturating_discriminator_loss",
    "hinge_generator_loss",
    "hinge_discriminator_loss",
    "wasserstein_generator_loss",
    "wasserstein_discriminator_loss",
    "least_squares_generator_loss",
    "least_squares_discriminator_loss",
    "clip_scores",
    "gradient_penalty",
    "r1_penalty",
    "get",
    "LOSSES",
    "PROBABILITY_LOSSES",
]


def _logits(x) -> tf.Tensor:
    return tf.convert_to_tensor(x, dtype_hint=tf.float32)


# ------------------------------------------------------------------ minimax
def minimax_discriminator_loss(real_logits, fake_logits) -> tf.Tensor:
    """``-E[log D(x)] - E[log(1 - D(G(z)))]``: the article's objective for D.

    Computed stably from logits: ``log D = -softplus(-l)`` and
    ``log(1 - D) = -softplus(l)``.
    """
    real_logits, fake_logits = _logits(real_logits), _logits(fake_logits)
    return tf.reduce_mean(tf.nn.softplus(-real_logits)) + tf.reduce_mean(
        tf.nn.softplus(fake_logits)
    )


def minimax_generator_loss(fake_logits) -> tf.Tensor:
    """``E[log(1 - D(G(z)))]``: the generator's side of the original minimax game.

    Saturates (vanishing gradient) when D confidently rejects fakes; prefer
    :func:`non_saturating_generator_loss` in practice.

    Reference:
        Goodfellow et al. 2014, https://arxiv.org/abs/1406.2661
    """
    return -tf.reduce_mean(tf.nn.softplus(_logits(fake_logits)))


# ----------------------------------------------------------- non-saturating
def non_saturating_discriminator_loss(real_logits, fake_logits) -> tf.Tensor:
    """Same as :func:`minimax_discriminator_loss` (binary cross-entropy)."""
    return minimax_discriminator_loss(real_logits, fake_logits)


def non_saturating_generator_loss(fake_logits) -> tf.Tensor:
    """``-E[log D(G(z))]``: the default, non-saturating generator loss."""
    return tf.reduce_mean(tf.nn.softplus(-_logits(fake_logits)))


# -------------------------------------------------------------------- hinge
def hinge_discriminator_loss(real_logits, fake_logits) -> tf.Tensor:
    """``E[relu(1 - D(x))] + E[relu(1 + D(G(z)))]`` (as in DVD-GAN).

    Reference:
        Lim & Ye 2017, https://arxiv.org/abs/1705.02894
    """
    real_logits, fake_logits = _logits(real_logits), _logits(fake_logits)
    return tf.reduce_mean(tf.nn.relu(1.0 - real_logits)) + tf.reduce_mean(
        tf.nn.relu(1.0 + fake_logits)
    )


def hinge_generator_loss(fake_logits) -> tf.Tensor:
    """``-E[D(G(z))]``."""
    return -tf.reduce_mean(_logits(fake_logits))


# -------------------------------------------------------------- wasserstein
def wasserstein_discriminator_loss(real_logits, fake_logits) -> tf.Tensor:
    """``E[D(G(z))] - E[D(x)]``; pair with a gradient penalty or clipping.

    Reference:
        Arjovsky et al. 2017, https://arxiv.org/abs/1701.07875
    """
    return tf.reduce_mean(_logits(fake_logits)) - tf.reduce_mean(_logits(real_logits))


def wasserstein_generator_loss(fake_logits) -> tf.Tensor:
    """``-E[D(G(z))]``."""
    return -tf.reduce_mean(_logits(fake_logits))


# ------------------------------------------------------------ least squares
def least_squares_discriminator_loss(real_logits, fake_logits) -> tf.Tensor:
    """``0.5 E[(D(x) - 1)^2] + 0.5 E[D(G(z))^2]`` (LSGAN, a=0, b=c=1).

    Reference:
        Mao et al. 2017, https://arxiv.org/abs/1611.04076
    """
    real_logits, fake_logits = _logits(real_logits), _logits(fake_logits)
    return 0.5 * tf.reduce_mean(tf.square(real_logits - 1.0)) + 0.5 * tf.reduce_mean(
        tf.square(fake_logits)
    )


def least_squares_generator_loss(fake_logits) -> tf.Tensor:
    """``0.5 E[(D(G(z)) - 1)^2]``."""
    return 0.5 * tf.reduce_mean(tf.square(_logits(fake_logits) - 1.0))


LOSSES: dict[str, tuple[Callable, Callable]] = {
    "minimax": (minimax_generator_loss, minimax_discriminator_loss),
    "non_saturating": (
        non_saturating_generator_loss,
        non_saturating_discriminator_loss,
    ),
    "hinge": (hinge_generator_loss, hinge_discriminator_loss),
    "wasserstein": (wasserstein_generator_loss, wasserstein_discriminator_loss),
    "least_squares": (least_squares_generator_loss, least_squares_discriminator_loss),
}

# Losses whose logits are read as probabilities through a sigmoid: the
# `d_real` / `d_fake` trackers report sigmoid(logit) for these, the raw critic
# value otherwise.
PROBABILITY_LOSSES = frozenset({"minimax", "non_saturating"})


def get(loss) -> tuple[Callable, Callable]:
    """Resolves a loss name or a `(generator_loss, discriminator_loss)` pair.

    Args:
        loss: one of `LOSSES` (``"minimax"``, ``"non_saturating"``,
            ``"hinge"``, ``"wasserstein"``, ``"least_squares"``) or a pair of
            callables ``(g_loss(fake_logits), d_loss(real_logits, fake_logits))``.

    Returns:
        The pair ``(generator_loss, discriminator_loss)``.
    """
    if isinstance(loss, str):
        if loss not in LOSSES:
            raise ValueError(
                f"Unknown loss {loss!r}; expected one of {sorted(LOSSES)} "
                "or a pair of callables (generator_loss, discriminator_loss)."
            )
        return LOSSES[loss]
    if (
        isinstance(loss, (tuple, list))
        and len(loss) == 2
        and all(callable(fn) for fn in loss)
    ):
        return tuple(loss)
    raise ValueError(
        f"Expected a loss name from {sorted(LOSSES)} or a pair of callables "
        f"(generator_loss, discriminator_loss), got {loss!r}."
    )


# ---------------------------------------------------------------- penalties
def clip_scores(logits, batch_size) -> tf.Tensor:
    """Each clip's critic score as the losses weigh it, shape ``(batch_size,)``.

    The losses average every logit of a head (a clip's 16 patch logits
    count 1/16 each) and add the heads. A clip's score is therefore the
    mean of its logits in each head, summed over the heads. A head's logits
    are read clip by clip in order: ``(B, ...)``, or ``(B * k, ...)`` for a
    head that scores `k` frames of each clip (MoCoGAN's image critic).

    The penalties differentiate this score, so their weights mean what they
    mean for one-logit critics: R1's gamma does not grow with the number of
    patches or frames a critic scores.

    Args:
        logits: a tensor, or a list of tensors (one per critic head).
        batch_size: clips in the batch (a tensor or an int).

    Returns:
        ``(batch_size,)`` float32 scores.
    """
    heads = logits if isinstance(logits, (list, tuple)) else [logits]
    per_head = [
        tf.reduce_mean(tf.reshape(_logits(x), tf.stack([batch_size, -1])), axis=1)
        for x in heads
    ]
    return tf.add_n(per_head)


def _safe_norm(x: tf.Tensor, axis, epsilon: float = 1e-12) -> tf.Tensor:
    # sqrt has an infinite derivative at 0; the epsilon keeps the penalty's
    # gradient finite when the critic's input gradient vanishes.
    return tf.sqrt(tf.reduce_sum(tf.square(x), axis=axis) + epsilon)


def gradient_penalty(
    critic: Callable,
    real: tf.Tensor,
    fake: tf.Tensor,
    seed=None,
    target: float = 1.0,
    alpha=None,
    grad_scale=1.0,
) -> tf.Tensor:
    """WGAN-GP penalty ``E[(||grad_x D(x_hat)||_2 - target)^2]``.

    ``x_hat = real + alpha * (fake - real)`` with ``alpha ~ U(0, 1)`` drawn once
    per clip (shape ``(B, 1, 1, 1, 1)`` for videos) and the norm taken over all
    non-batch axes, with an epsilon so that the gradient stays finite where
    the critic's gradient is zero.

    Args:
        critic: callable mapping a batch like `real` to logits (a tensor or a
            list of tensors, e.g. several critic heads): the penalty acts on
            each clip's score, `clip_scores` (the mean of its logits per
            head, summed over heads: what the losses see). The critic must
            score clips independently (no batch norm in training mode): the
            penalty is per clip.
        real: real batch, `(B, ...)`.
        fake: generated batch of the same shape.
        seed: a stateless seed, shape `(2,)` int tensor; random if `None`.
        target: the norm the penalty pulls towards (1 for WGAN-GP).
        alpha: explicit interpolation weights, shape `(B, 1, ..., 1)` in
            [0, 1] (e.g. a replica's slice of a global draw); overrides `seed`.
        grad_scale: the critic's score is multiplied by it before the input
            gradient is taken and the gradient divided by it after: the
            same penalty, with the backward pass through a float16 critic
            kept clear of underflow (pass the loss scale).

    Returns:
        Scalar penalty (unweighted).

    Reference:
        Gulrajani et al. 2017, https://arxiv.org/abs/1704.00028
    """
    real = tf.convert_to_tensor(real)
    fake = tf.cast(fake, real.dtype)
    rank = real.shape.rank
    alpha_shape = tf.concat([tf.shape(real)[:1], tf.ones([rank - 1], tf.int32)], 0)
    if alpha is not None:
        alpha = tf.cast(alpha, real.dtype)
    elif seed is None:
        alpha = tf.random.uniform(alpha_shape, dtype=real.dtype)
    else:
        alpha = tf.random.stateless_uniform(alpha_shape, seed=seed, dtype=real.dtype)
    interpolated = real + alpha * (fake - real)
    with tf.GradientTape() as tape:
        tape.watch(interpolated)
        scores = clip_scores(critic(interpolated), tf.shape(interpolated)[0])
        score = tf.reduce_sum(scores) * grad_scale
    grads = tape.gradient(score, interpolated) / grad_scale
    norms = _safe_norm(grads, axis=list(range(1, rank)))
    return tf.reduce_mean(tf.square(norms - target))


def r1_penalty(critic: Callable, real: tf.Tensor, grad_scale=1.0) -> tf.Tensor:
    """R1 penalty ``0.5 * E[||grad_x D(x)||^2]`` on real data.

    Multiply by ``gamma`` (the `r1_weight` of `VideoGAN.compile`).

    Args:
        critic: callable mapping `real` to logits (tensor or list of
            tensors); the penalty acts on `clip_scores`, as
            `gradient_penalty`'s.
        real: real batch `(B, ...)`.
        grad_scale: as for `gradient_penalty` (a float16 loss scale).

    Returns:
        Scalar penalty (unweighted).

    Reference:
        Mescheder et al. 2018, https://arxiv.org/abs/1801.04406
    """
    real = tf.convert_to_tensor(real)
    with tf.GradientTape() as tape:
        tape.watch(real)
        score = tf.reduce_sum(clip_scores(critic(real), tf.shape(real)[0])) * grad_scale
    grads = tape.gradient(score, real) / grad_scale
    axes = list(range(1, real.shape.rank))
    return 0.5 * tf.reduce_mean(tf.reduce_sum(tf.square(grads), axis=axes))
