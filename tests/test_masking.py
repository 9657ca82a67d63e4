"""Inpainting: the masked condition, box masks, the two fill baselines and
the scores inside the mask (`tfvgan.masking`, `tfvgan.metrics`)."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from tfvgan import conditions, data, masking, metrics


def _clips(batch=3, frames=4, size=16, seed=0):
    rng = np.random.default_rng(seed)
    return rng.uniform(-1, 1, (batch, frames, size, size, 1)).astype(np.float32)


def test_box_masks_place_one_box_per_clip_the_same_wherever_it_is_made():
    clips = _clips(batch=8)
    mask = masking.box_masks(clips, 6).numpy()
    assert mask.shape == (8, 4, 16, 16, 1)
    for clip in mask:
        # One 6x6 box, at the same place in every frame.
        assert (clip == clip[:1]).all()
        rows, cols = np.nonzero(clip[0, :, :, 0])
        assert rows.max() - rows.min() == 5 and cols.max() - cols.min() == 5
        assert clip[0].sum() == 36
    # Different clips, different places (8 clips: not all in one spot).
    corners = {tuple(np.argwhere(clip[0, :, :, 0])[0]) for clip in mask}
    assert len(corners) > 4
    # Clip by clip, or in another batch: the same box for the same clip.
    np.testing.assert_array_equal(masking.box_masks(clips[3], 6).numpy(), mask[3])
    np.testing.assert_array_equal(masking.box_masks(clips[2:5], 6).numpy(), mask[2:5])
    # Another seed moves them.
    assert not np.array_equal(masking.box_masks(clips, 6, seed=1).numpy(), mask)


def test_masked_condition_hides_the_pixels_and_carries_the_mask():
    clips = _clips()
    mask = masking.box_masks(clips, 8).numpy()
    condition = masking.masked_condition(clips, mask)
    assert condition.shape == (3, 4, 16, 16, 2)
    seen, got = masking.split_condition(condition)
    np.testing.assert_array_equal(got, mask)
    np.testing.assert_array_equal(seen[mask[..., 0] == 0], clips[mask[..., 0] == 0])
    assert (seen[mask[..., 0] == 1] == 0).all()
    # A mask without the channel axis is the same mask.
    np.testing.assert_array_equal(
        masking.masked_condition(clips, mask[..., 0]), condition
    )


def test_mask_errors():
    clips = _clips()
    with pytest.raises(ValueError, match=r"mask of shape \(3, 4, 16, 16\)"):
        masking.masked_condition(clips, np.ones((3, 4, 16, 15)))
    with pytest.raises(ValueError, match="0s and 1s"):
        masking.masked_condition(clips, np.full((3, 4, 16, 16), 0.5))
    with pytest.raises(ValueError, match=r"\(T, H, W, C\) or \(B, T, H, W, C\)"):
        masking.masked_condition(clips[0, 0], np.ones((16, 16)))
    with pytest.raises(ValueError, match="mask on its last channel"):
        masking.split_condition(clips)
    for side in (0, 16, 17, 2.5, True, None):
        with pytest.raises(ValueError, match="mask_size"):
            masking.box_masks(clips, side)
    with pytest.raises(ValueError, match="mask_size"):
        data.moving_digits(4, frames=4, size=16, condition="masked", mask_size=16)


def test_blur_fill_relaxes_the_hole_to_its_border():
    # A ramp across the frame, hidden in the middle columns: the relaxed
    # (harmonic) fill of a linear ramp is the ramp itself.
    ramp = np.linspace(-1, 1, 16, dtype=np.float32)
    clips = np.broadcast_to(ramp[None, None, None, :, None], (1, 2, 16, 16, 1)).copy()
    mask = np.zeros((1, 2, 16, 16), np.float32)
    mask[:, :, :, 5:11] = 1.0
    filled = masking.blur_fill(masking.masked_condition(clips, mask))
    np.testing.assert_allclose(filled, clips, atol=1e-3)
    # Fewer sweeps leave more of the start (the frame's mean) in the hole.
    rough = masking.blur_fill(masking.masked_condition(clips, mask), iterations=2)
    assert np.abs(rough - clips).max() > 0.05
    # A constant frame around a hole: the hole takes the constant at once.
    flat = np.full((1, 1, 16, 16, 1), -1.0, np.float32)
    hole = masking.box_masks(flat, 8).numpy()
    filled = masking.blur_fill(masking.masked_condition(flat, hole), iterations=1)
    np.testing.assert_array_equal(filled, flat)


def test_nearest_visible_fill_takes_each_pixel_from_the_nearest_frame_seeing_it():
    frames = np.arange(5, dtype=np.float32).reshape(1, 5, 1, 1, 1) / 5
    clips = np.broadcast_to(frames, (1, 5, 16, 16, 1)).copy()
    mask = np.zeros((1, 5, 16, 16), np.float32)
    mask[:, 1:4, :4, :4] = 1.0  # hidden in frames 1-3: seen in 0 and 4
    mask[:, :, 8:, 8:] = 1.0  # hidden in every frame
    filled = masking.nearest_visible_fill(masking.masked_condition(clips, mask))
    # Frame 1 from frame 0, frame 2 from frame 1's neighbour 1 step away is
    # hidden too, so from frame 0 (the earlier of 0 and 4 at distance 2),
    # frame 3 from frame 4.
    np.testing.assert_allclose(filled[0, :, 0, 0, 0], [0, 0, 0, 0.8, 0.8])
    # Hidden everywhere: the blur fill of each frame (a constant frame).
    np.testing.assert_allclose(filled[0, :, 12, 12, 0], frames.ravel(), atol=1e-6)


def test_fill_baseline_takes_the_better_fill_per_clip():
    # Clip 0: still content, a moving mask: the nearest seen frame is exact.
    # Clip 1: flat frames that brighten, a moving mask: the other frames are
    # wrong, the frame's own border (the blur fill) is exact.
    clips = np.zeros((2, 3, 16, 16, 1), np.float32)
    clips[0, :, :, :8] = 0.5
    clips[1] = np.array([-0.5, 0.0, 0.5]).reshape(3, 1, 1, 1)
    mask = np.zeros((2, 3, 16, 16), np.float32)
    mask[0, 0, :, :8] = 1.0
    mask[0, 1, :, 8:] = 1.0
    mask[0, 2, :, :8] = 1.0
    for t in range(3):
        mask[1, t, 4 * t : 4 * t + 4, 4 * t : 4 * t + 4] = 1.0
    condition = masking.masked_condition(clips, mask)
    best = masking.fill_baseline(clips, condition)
    nearest = masking.nearest_visible_fill(condition)
    blur = masking.blur_fill(condition)
    np.testing.assert_array_equal(nearest[0], clips[0])
    assert np.abs(blur[0] - clips[0]).max() > 0.1
    np.testing.assert_allclose(blur[1], clips[1], atol=1e-6)
    assert np.abs(nearest[1] - clips[1]).max() > 0.1
    np.testing.assert_array_equal(best[0], nearest[0])
    np.testing.assert_array_equal(best[1], blur[1])
    # The metrics module serves the same functions.
    assert metrics.fill_baseline is masking.fill_baseline


def test_masked_scores_equal_the_frame_scores_on_a_full_mask():
    a, b = _clips(seed=0), _clips(seed=1)
    ones = np.ones(a.shape[:-1], np.float32)
    assert float(metrics.masked_psnr(a, b, ones)) == pytest.approx(
        float(metrics.psnr(a, b)), abs=1e-4
    )
    assert float(metrics.masked_ssim(a, b, ones)) == pytest.approx(
        float(metrics.ssim(a, b)), abs=1e-5
    )
    np.testing.assert_allclose(
        metrics.masked_ssim(a, b, ones, reduction="none"),
        metrics.ssim(a, b, reduction="none"),
        atol=1e-5,
    )
    with pytest.raises(ValueError, match="mask of shape"):
        metrics.masked_psnr(a, b, ones[:, :2])
    with pytest.raises(ValueError, match="odd filter_size"):
        metrics.masked_ssim(a, b, ones, filter_size=10)
    with pytest.raises(ValueError, match="some pixels to score"):
        metrics.masked_psnr(a, b, np.zeros_like(ones))


def test_masked_ssim_is_the_ssim_of_the_windows_centred_on_the_mask():
    a, b = (
        _clips(batch=1, frames=1, size=24, seed=0),
        _clips(batch=1, frames=1, size=24, seed=1),
    )
    mask = np.zeros((1, 1, 24, 24), np.float32)
    mask[0, 0, 9, 14] = 1.0  # one pixel: one window, rows 4-14, columns 9-19
    window = (slice(None), slice(None), slice(4, 15), slice(9, 20))
    expected = float(metrics.ssim(a[window], b[window]))
    assert float(metrics.masked_ssim(a, b, mask)) == pytest.approx(expected, abs=1e-5)


def test_inpainting_scores_count_only_the_hidden_pixels():
    clips = np.full((2, 4, 32, 32, 1), -1.0, np.float32)
    clips[:, :, 10:20, 10:20] = 0.6  # a square, partly under the box
    mask = np.zeros((2, 4, 32, 32), np.float32)
    mask[:, :, 8:16, 8:16] = 1.0
    fake = clips.copy()
    fake[:, :, 24:, 24:] = 0.9  # outside the mask (and its windows): not scored
    scores = metrics.inpainting_scores(clips, fake, mask)
    assert scores["psnr"] == 100.0 and scores["ssim"] == pytest.approx(1.0)
    # The fills cannot know the square's corner under the box.
    assert scores["psnr_fill"] < 30 and scores["ssim_fill"] < 0.95
    # An error inside the mask is scored over the mask's 64 pixels only:
    # 16 pixels off by 0.4 -> MSE 0.04.
    wrong = clips.copy()
    wrong[:, :, 8:12, 8:12] += 0.4
    psnr = metrics.inpainting_scores(clips, wrong, mask)["psnr"]
    assert psnr == pytest.approx(10 * np.log10(4 / 0.04), abs=0.01)


def test_masked_condition_type_and_its_served_check():
    kind = conditions.get("masked")
    assert kind.shape(8, 32, 1) == (8, 32, 32, 2)
    assert kind.baseline_name == "fill"
    clips = _clips(size=32)
    condition = kind.from_clips(clips, mask_size=10)
    np.testing.assert_array_equal(
        condition,
        masking.masked_condition(clips, masking.box_masks(clips, 10).numpy()),
    )
    assert float(condition[..., -1].mean()) == pytest.approx(100 / 1024)
    np.testing.assert_array_equal(kind.scored_mask(condition), condition[..., -1:])
    np.testing.assert_array_equal(
        kind.baseline(clips, condition), masking.fill_baseline(clips, condition)
    )

    @tf.function
    def served(condition):
        return kind.check_served(condition)

    served(tf.constant(condition))
    half = condition.copy()
    half[..., -1] *= 0.5
    with pytest.raises(tf.errors.InvalidArgumentError, match="0/1 mask"):
        served(tf.constant(half))
    with pytest.raises(ValueError, match="0s and 1s"):
        kind.check(tf.constant(half))


def test_moving_digits_masks_a_box_per_clip():
    kwargs = dict(frames=4, size=32, condition="masked", shuffle=False, seed=3)
    videos, condition = next(iter(data.moving_digits(8, batch_size=8, **kwargs)))
    assert condition.shape == (8, 4, 32, 32, 2)
    seen, mask = masking.split_condition(condition.numpy())
    np.testing.assert_allclose(mask.mean(axis=(1, 2, 3, 4)), 0.25)  # 16x16 of 32x32
    hidden = mask[..., 0] > 0
    np.testing.assert_array_equal(seen[~hidden], videos.numpy()[~hidden])
    # The evaluation's condition of the same clips is the same.
    again = conditions.get("masked").from_clips(videos.numpy(), mask_size=16)
    np.testing.assert_array_equal(again, condition.numpy())
    # Unbatched elements get the same boxes; a smaller box on request.
    first = next(iter(data.moving_digits(8, **kwargs)))[1]
    np.testing.assert_array_equal(first.numpy(), condition[0].numpy())
    small = next(iter(data.moving_digits(8, mask_size=4, **kwargs)))[1]
    assert float(tf.reduce_sum(small[..., -1])) == 4 * 16
