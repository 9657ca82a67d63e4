"""Golden-value tests for tfvgan.losses (numbers worked out by hand below)."""

import math

import numpy as np
import pytest
import tensorflow as tf

from tfvgan import losses

REAL = tf.constant([2.0, -1.0])
FAKE = tf.constant([0.5, -2.0])


def softplus(x):
    return math.log1p(math.exp(x))


# softplus(-2) = 0.126928, softplus(1) = 1.313262,
# softplus(0.5) = 0.974077, softplus(-2) = 0.126928.
GOLDEN = {
    # D: mean(softplus(-real)) + mean(softplus(fake))
    #    = (0.126928 + 1.313262) / 2 + (0.974077 + 0.126928) / 2 = 1.270598
    ("minimax", "d"): 1.270598,
    # G: -mean(softplus(fake)) = -(0.974077 + 0.126928) / 2 = -0.550502
    ("minimax", "g"): -0.550502,
    ("non_saturating", "d"): 1.270598,
    # G: mean(softplus(-fake)) = (softplus(-0.5) + softplus(2)) / 2
    #    = (0.474077 + 2.126928) / 2 = 1.300503
    ("non_saturating", "g"): 1.300503,
    # D: mean(relu(1 - real)) + mean(relu(1 + fake)) = (0 + 2)/2 + (1.5 + 0)/2
    ("hinge", "d"): 1.75,
    # G: -mean(fake) = 0.75
    ("hinge", "g"): 0.75,
    # D: mean(fake) - mean(real) = -0.75 - 0.5
    ("wasserstein", "d"): -1.25,
    ("wasserstein", "g"): 0.75,
    # D: 0.5 mean((real-1)^2) + 0.5 mean(fake^2) = 0.5 * (1 + 4)/2 + 0.5 * (0.25 + 4)/2
    ("least_squares", "d"): 2.3125,
    # G: 0.5 mean((fake-1)^2) = 0.5 * (0.25 + 9) / 2
    ("least_squares", "g"): 2.3125,
}


@pytest.mark.parametrize("family", sorted(losses.LOSSES))
def test_golden_values(family):
    g_fn, d_fn = losses.get(family)
    assert float(d_fn(REAL, FAKE)) == pytest.approx(GOLDEN[(family, "d")], abs=1e-5)
    assert float(g_fn(FAKE)) == pytest.approx(GOLDEN[(family, "g")], abs=1e-5)


def test_softplus_helper_matches_golden_inputs():
    assert softplus(-2.0) == pytest.approx(0.126928, abs=1e-6)
    assert softplus(1.0) == pytest.approx(1.313262, abs=1e-6)


@pytest.mark.parametrize("family", sorted(losses.LOSSES))
def test_any_rank_reduces_like_flat(family):
    g_fn, d_fn = losses.get(family)
    rng = np.random.default_rng(0)
    real = rng.normal(size=(2, 3, 4, 4, 1)).astype("float32")
    fake = rng.normal(size=(2, 3, 4, 4, 1)).astype("float32")
    flat = float(d_fn(real.reshape(-1), fake.reshape(-1)))
    assert float(d_fn(real, fake)) == pytest.approx(flat, rel=1e-5)
    assert float(g_fn(fake)) == pytest.approx(float(g_fn(fake.reshape(-1))), rel=1e-5)


def test_get_rejects_unknown_names_with_the_valid_ones():
    with pytest.raises(ValueError, match="least_squares"):
        losses.get("nonsense")
    with pytest.raises(ValueError, match="pair of callables"):
        losses.get((losses.hinge_generator_loss,))


def test_get_accepts_a_pair_of_callables():
    pair = (losses.hinge_generator_loss, losses.hinge_discriminator_loss)
    assert losses.get(pair) == pair


def _linear_critic(scale):
    # D(x) = scale * sum(x) per clip: its input gradient is `scale` everywhere.
    return lambda x: scale * tf.reduce_sum(x, axis=[1, 2, 3, 4])


def test_gradient_penalty_golden_value():
    real = tf.zeros((2, 2, 1, 1, 1))
    fake = tf.ones((2, 2, 1, 1, 1))
    # grad = 3 on each of 2 elements: norm = sqrt(18); penalty = (sqrt(18) - 1)^2
    gp = losses.gradient_penalty(_linear_critic(3.0), real, fake, seed=[1, 2])
    assert float(gp) == pytest.approx((math.sqrt(18.0) - 1.0) ** 2, rel=1e-5)


def test_gradient_penalty_interpolates_with_one_uniform_alpha_per_clip():
    rng = np.random.default_rng(1)
    real = tf.constant(rng.normal(size=(6, 3, 2, 2, 1)), tf.float32)
    fake = tf.constant(rng.normal(size=(6, 3, 2, 2, 1)), tf.float32)
    seen = []

    def critic(x):
        seen.append(x)
        return tf.reduce_sum(x, axis=[1, 2, 3, 4])

    losses.gradient_penalty(critic, real, fake, seed=[3, 4])
    ratio = ((seen[0] - real) / (fake - real)).numpy().reshape(6, -1)
    np.testing.assert_allclose(ratio, ratio[:, :1].repeat(ratio.shape[1], 1), atol=1e-4)
    alphas = ratio[:, 0]
    assert np.all((alphas >= 0) & (alphas <= 1))
    assert len(np.unique(alphas.round(5))) == 6  # drawn per clip, not shared


def test_gradient_penalty_has_finite_gradient_where_critic_gradient_is_zero():
    w = tf.Variable(0.0)
    real = tf.zeros((2, 2, 2, 2, 1))
    fake = tf.ones((2, 2, 2, 2, 1))
    with tf.GradientTape() as tape:
        gp = losses.gradient_penalty(
            lambda x: w * tf.reduce_sum(x, axis=[1, 2, 3, 4]), real, fake, seed=[0, 1]
        )
    grad = tape.gradient(gp, w)
    assert np.isfinite(float(gp)) and np.isfinite(float(grad))


def test_r1_penalty_golden_value():
    real = tf.ones((2, 2, 2, 2, 1))
    # grad = 3 on each of 8 elements per clip: 0.5 * 8 * 9 = 36
    assert float(losses.r1_penalty(_linear_critic(3.0), real)) == pytest.approx(36.0)


def test_penalties_sum_several_critic_heads():
    real = tf.ones((2, 1, 1, 1, 1))

    def heads(x):
        return [_linear_critic(1.0)(x), _linear_critic(2.0)(x)]

    # total gradient 3 per element, one element: 0.5 * 9
    assert float(losses.r1_penalty(heads, real)) == pytest.approx(4.5)


def test_penalties_act_on_the_per_clip_score_the_losses_average():
    # 16 patch logits that all equal a clip's one logit: the losses see the
    # same critic either way, so the penalties must too (the sum of the
    # patches would scale R1 by 16^2 and change with the patch count).
    rng = np.random.default_rng(2)
    real = tf.constant(rng.normal(size=(3, 2, 2, 2, 1)), tf.float32)
    fake = tf.constant(rng.normal(size=(3, 2, 2, 2, 1)), tf.float32)
    one = _linear_critic(3.0)

    def patches(x):
        return tf.tile(one(x)[:, None], [1, 16])

    def frames(x):  # a head scoring k=2 frames per clip, rows (B * k, 4)
        return tf.reshape(tf.tile(one(x)[:, None], [1, 8]), (-1, 4))

    assert float(losses.r1_penalty(patches, real)) == pytest.approx(
        float(losses.r1_penalty(one, real)), rel=1e-6
    )
    assert float(losses.r1_penalty(frames, real)) == pytest.approx(
        float(losses.r1_penalty(one, real)), rel=1e-6
    )
    gp = losses.gradient_penalty(patches, real, fake, seed=[1, 2])
    assert float(gp) == pytest.approx(
        float(losses.gradient_penalty(one, real, fake, seed=[1, 2])), rel=1e-6
    )
    # The scores themselves: per clip, mean over a head, sum over heads.
    logits = [tf.constant([[1.0, 3.0], [2.0, 6.0]]), tf.constant([[1.0], [0.0]])]
    np.testing.assert_allclose(losses.clip_scores(logits, 2), [3.0, 4.0])
