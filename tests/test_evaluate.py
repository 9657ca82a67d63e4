"""tfvgan-eval: FVD of a (barely trained) run against real data and the floor."""

import json
import subprocess
import sys

import pytest

from tfvgan.config import TrainConfig


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    from tfvgan.train import run

    run_dir = tmp_path_factory.mktemp("run")
    run(TrainConfig.from_preset("tiny", run_dir=str(run_dir), export=False))
    return run_dir


@pytest.mark.slow  # 10-16 s; CI runs it with the slow tests
def test_untrained_generator_scores_worse_than_the_real_floor(
    tiny_run, cache, monkeypatch
):
    monkeypatch.setenv("TFVGAN_CACHE_DIR", str(cache))
    from tfvgan.evaluate import evaluate_run

    result = evaluate_run(str(tiny_run), num_videos=64)
    assert result["step"] == 4
    assert result["fvd"] > 0 and result["fvd_floor"] >= 0
    # 4 training steps: far from the data, far above the real-vs-real floor
    assert result["fvd"] > 3 * result["fvd_floor"], result
    assert result["kvd"] > result["kvd_floor"]
    # Real digits are legible to the classifier; 4 steps of training are not.
    assert 1.0 <= result["inception_score"] < result["inception_score_real"] <= 10.0
    # Unconditional: how much two clips differ, beside two real clips.
    assert result["diversity"] > 0.01 and result["diversity_real"] > 0.1
    assert result["inception_score_real"] > 4.0, result
    assert (cache / "extractors").is_dir()


@pytest.mark.parametrize(
    "condition_type",
    # 5-15 s each: video in the default run
    [
        *(
            pytest.param(c, marks=pytest.mark.slow)
            for c in ("text", "image", "frames", "keyframes", "masked")
        ),
        "video",
    ],
)
def test_conditional_runs_get_their_application_metrics(
    condition_type, cache, tmp_path, monkeypatch
):
    monkeypatch.setenv("TFVGAN_CACHE_DIR", str(cache))
    from tfvgan.evaluate import evaluate_run
    from tfvgan.train import run

    config = TrainConfig.from_preset(
        "tiny",
        model="conditional",
        model_kwargs={"condition_type": condition_type},
        run_dir=str(tmp_path / "run"),
        export=False,
        sample_every_epochs=0,
    )
    run(config)
    from tfvgan import metrics

    calls = []
    scores = metrics.baseline_scores

    def spy(*args):
        calls.append(args)
        return scores(*args)

    monkeypatch.setattr(metrics, "baseline_scores", spy, raising=False)
    result = evaluate_run(str(tmp_path / "run"), num_videos=32)
    if condition_type not in ("frames", "keyframes", "masked"):
        # (A predictor or an interpolator moves real content at once; an
        # inpainter keeps three quarters of each real frame.)
        assert result["fvd"] > result["fvd_floor"]
    if condition_type == "text":
        # The caption's digit, judged by the classifier: a fraction.
        assert 0.0 <= result["conditional_accuracy"] <= 1.0
        assert "psnr" not in result
        # The caption judge, beside its real-clip ceiling and chance level.
        assert result["caption_digit"] == result["conditional_accuracy"]
        assert result["caption_motion_ceiling"] >= 0.9
        assert result["caption_motion_chance"] < 0.5
        for key in ("digit", "motion", "joint"):
            assert 0.0 <= result[f"caption_{key}"] <= 1.0
        assert not any(k.startswith("held_out") for k in result)
    elif condition_type == "frames":
        # Scored on the predicted frames only: neither side is exact.
        for key in ("psnr", "psnr_copy_last_frame"):
            assert 0 < result[key] < 100
        assert -1 <= result["ssim_copy_last_frame"] < 1
        assert result["fvd_copy_last_frame"] > 0
        # The best of 10 samples includes the one scored above.
        assert result["psnr_best_of_10"] >= result["psnr"]
        assert result["ssim_best_of_10"] >= result["ssim"]
        assert result["diversity"] >= 0
    elif condition_type == "keyframes":
        # Scored on the frames between the keyframes only.
        for key in ("psnr", "psnr_cross_fade"):
            assert 0 < result[key] < 100
        # 4 steps: the moves along the straight line already beat fading.
        assert result["psnr"] > result["psnr_cross_fade"]
        assert result["fvd_cross_fade"] > 0
        assert "psnr_best_of_10" not in result
    elif condition_type == "masked":
        # Scored inside the boxes only (the mask, a quarter of each frame),
        # against the better fill.
        (_, fake, _, name, scored, mask) = calls[-1]
        assert name == "fill" and list(scored) == list(range(fake.shape[1]))
        assert mask.shape == (*fake.shape[:-1], 1) and mask.mean() == 0.25
        for key in ("psnr", "psnr_fill"):
            assert 0 < result[key] < 100
        assert -1 <= result["ssim_fill"] < 1
        assert result["fvd_fill"] > 0
    else:
        if condition_type == "image":
            # 4 training steps cannot beat the trivial baseline yet.
            assert result["psnr_copy_first_frame"] > result["psnr"] > 0
            assert result["ssim_copy_first_frame"] > result["ssim"]
            assert result["fvd_copy_first_frame"] > 0
        else:
            # The super-resolver starts as bicubic upscaling (its residual
            # at zero): 4 steps leave it next to its baseline.
            assert result["psnr"] == pytest.approx(result["psnr_bicubic"], abs=0.5)
            assert result["ssim"] == pytest.approx(result["ssim_bicubic"], abs=0.05)
            assert result["fvd_bicubic"] > 0
        assert "conditional_accuracy" not in result


@pytest.mark.slow  # 10-16 s; CI runs it with the slow tests
def test_a_run_is_scored_on_clips_like_its_own_data(cache, tmp_path, monkeypatch):
    monkeypatch.setenv("TFVGAN_CACHE_DIR", str(cache))
    from tfvgan.evaluate import evaluate_run
    from tfvgan.train import run

    config = TrainConfig.from_preset(
        "tiny",
        data_kwargs={"num_videos": 16, "glyph_size": 12},
        run_dir=str(tmp_path / "run"),
        export=False,
        sample_every_epochs=0,
    )
    run(config)
    result = evaluate_run(str(tmp_path / "run"), num_videos=32)
    assert result["data_seed"] == 1  # the seed-0 run's data seed + 1
    # Real clips and the digit classifier use the run's 12-pixel digits.
    extractors = sorted(p.name for p in (cache / "extractors").iterdir())
    assert any(name.endswith("_g12.keras") for name in extractors), extractors
    assert result["inception_score_real"] > 4.0, result
    # Explicit data arguments win: the default glyph size (8 at 16x16).
    default = evaluate_run(str(tmp_path / "run"), num_videos=32, data_kwargs={})
    assert default["inception_score_real"] != result["inception_score_real"]
    assert default["fvd_floor"] != result["fvd_floor"]


def test_a_run_is_scored_on_clips_it_did_not_train_on():
    from tfvgan.data import moving_digits_arrays
    from tfvgan.evaluate import held_out_seed

    for seed, data_kwargs in ((0, {}), (1, {}), (1, {"seed": 5})):
        config = TrainConfig.from_preset("tiny", seed=seed, data_kwargs=data_kwargs)
        train_seed = data_kwargs.get("seed", seed)
        assert held_out_seed(config) == train_seed + 1
        train = moving_digits_arrays(8, frames=4, size=16, seed=train_seed)[0]
        real = moving_digits_arrays(8, frames=4, size=16, seed=held_out_seed(config))
        assert not any((clip == real[0]).all((1, 2, 3, 4)).any() for clip in train)


@pytest.mark.slow  # 10 s
def test_a_saved_model_scores_like_its_run(tiny_run, cache, tmp_path, monkeypatch):
    monkeypatch.setenv("TFVGAN_CACHE_DIR", str(cache))
    import numpy as np

    from tfvgan import export
    from tfvgan.builders import load_run
    from tfvgan.evaluate import evaluate_model, evaluate_run
    from tfvgan.serving import SavedModelGenerator

    model, _, _ = load_run(str(tiny_run))
    path = export.export_generator(model, tmp_path / "serving")
    served = SavedModelGenerator(path)
    assert (served.frames, served.size, served.channels) == (
        model.frames,
        model.size,
        model.channels,
    )
    # Clip i uses seed + i, as model.generate: the same clips.
    np.testing.assert_allclose(
        served.generate(5, seed=3, batch_size=2), model.generate(5, seed=3), atol=1e-5
    )
    from_run = evaluate_run(str(tiny_run), num_videos=32)
    from_export = evaluate_model(served, num_videos=32)
    assert abs(from_export["fvd"] - from_run["fvd"]) < 1e-3 * from_run["fvd"]
    with pytest.raises(FileNotFoundError, match="tfvgan.export"):
        SavedModelGenerator(tmp_path)


def test_real_clips_from_a_folder_of_videos(tiny_run, cache, tmp_path, monkeypatch):
    """--dataset=directory: real clips read from files, a small set split in two."""
    monkeypatch.setenv("TFVGAN_CACHE_DIR", str(cache))
    from tfvgan import data, video_io
    from tfvgan.evaluate import evaluate_run

    # 16 files: 8 compared, 8 for the floor. (With 3 and 3, the two FVDs
    # were too noisy to order: which came out larger depended on the
    # classifier's training order.)
    videos, _, _ = data.moving_digits_arrays(16, frames=8, size=16, seed=4)
    for i, video in enumerate(videos):
        video_io.write_video(tmp_path / f"clip{i}.mp4", video)
    result = evaluate_run(
        str(tiny_run),
        num_videos=16,
        dataset="directory",
        data_kwargs={"directory": str(tmp_path), "labels": None, "frame_step": 2},
    )
    assert result["num_videos"] == 8
    assert result["fvd"] > result["fvd_floor"] >= 0
    few = tmp_path / "few"
    few.mkdir()
    for i in range(3):
        video_io.write_video(few / f"clip{i}.mp4", videos[i])
    with pytest.raises(ValueError, match="at least 4"):
        evaluate_run(
            str(tiny_run),
            num_videos=16,
            dataset="directory",
            data_kwargs={"directory": str(few), "labels": None},
        )


def test_cli_rejects_a_missing_run_dir(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "tfvgan.cli.evaluate", f"--run_dir={tmp_path / 'nope'}"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode != 0
    assert "is not a directory" in proc.stderr


def test_cli_writes_json(tiny_run, cache, tmp_path):
    out = tmp_path / "eval.json"
    env_cache = {"TFVGAN_CACHE_DIR": str(cache)}
    import os

    proc = subprocess.run(
        [
            sys.executable, "-m", "tfvgan.cli.evaluate", f"--run_dir={tiny_run}",
            "--num_videos=16", f"--output={out}",
        ],
        capture_output=True, text=True, timeout=600, env={**os.environ, **env_cache},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    keys = {"fvd", "kvd", "fvd_floor", "inception_score", "inception_score_real"}
    assert keys <= set(json.loads(out.read_text()))


@pytest.mark.slow  # trains a classifier in a fresh process (~14 s)
def test_cli_trains_the_extractor_for_a_glyph_size(tmp_path):
    import os

    proc = subprocess.run(
        [
            sys.executable, "-m", "tfvgan.cli.evaluate", "--train_extractor",
            "--frames=4", "--size=16", "--glyph_size=12",
        ],
        capture_output=True, text=True, timeout=600,
        env={**os.environ, "TFVGAN_CACHE_DIR": str(tmp_path)},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    names = [p.name for p in (tmp_path / "extractors").iterdir()]
    assert len(names) == 1 and names[0].endswith(
        "_t4_s16_c1_k10_n2000_e15_seed0_g12.keras"
    )


def test_sample_from_a_saved_model_splits_requests_over_max_batch(tmp_path):
    """tfvgan-sample --saved_model with more clips than the export's max_batch."""
    import imageio.v3 as iio
    import numpy as np

    from tfvgan import export, models, sample
    from tfvgan.serving import SavedModelGenerator

    gan = models.build_model(
        "conditional", preset="tiny", condition_type="label", seed=0
    )
    gan.compile()
    path = export.export_generator(gan, tmp_path / "serving", max_batch=4)
    labels = [1, 2, 3]
    paths = sample.sample(
        saved_model=path, out_dir=tmp_path / "out", num_videos=9, seed=2, labels=labels
    )
    assert len(paths) == 9  # three requests: 4 + 4 + 1
    # Clip i is seed 2 + i with label labels[i % 3], whichever slice it was in.
    condition = np.resize(np.asarray(labels, np.int32), 9)
    want = gan.generate(9, condition=condition, seed=2)
    for i in (0, 5, 8):
        clip = iio.imread(tmp_path / "out" / f"sample_{i:03d}.gif", index=None)
        expected = np.round((np.clip(want[i], -1, 1) + 1) * 127.5)
        # GIF palettes cost a few levels; another clip is far off.
        assert np.abs(clip[..., :1].astype(float) - expected).mean() < 3, i
    # The same slicing serves the float signature (tfvgan-eval).
    served = SavedModelGenerator(path)
    np.testing.assert_allclose(
        served.generate(6, condition=condition[:6], seed=2, batch_size=32),
        want[:6],
        atol=1e-5,
    )
    uint8 = served.generate_uint8(6, condition=condition[:6], seed=2)
    assert uint8.dtype == np.uint8 and uint8.shape == want[:6].shape


def test_sample_from_a_saved_model_takes_frame_conditions_from_clips(tmp_path):
    """tfvgan-sample --saved_model on a model whose condition comes from a
    clip (here inpainting): held-out moving_digits clips, masked as an
    evaluation masks them; --labels is refused with a clear message."""
    import numpy as np
    import pytest

    from tfvgan import conditions, data, export, models, sample
    from tfvgan.serving import SavedModelGenerator

    gan = models.build_model(
        "conditional", preset="tiny", condition_type="masked", mask_size=4, seed=0
    )
    gan.compile()
    path = export.export_generator(gan, tmp_path / "serving", max_batch=4)
    paths = sample.sample(saved_model=path, out_dir=tmp_path / "out", num_videos=3)
    assert len(paths) == 3
    clips = data.moving_digits_arrays(
        num_videos=3, frames=gan.frames, size=gan.size, seed=sample.CLIP_SEED
    )[0]
    clips = clips.astype(np.float32) / 127.5 - 1.0
    # The export's own box (4 pixels a side), as the model was trained on.
    condition = conditions.get("masked").from_clips(clips, mask_size=4)
    served = SavedModelGenerator(path)
    assert served.mask_size == 4
    got = sample._clip_conditions(served, conditions.get("masked"), 3)
    np.testing.assert_array_equal(got, condition)
    assert got[..., -1].sum(axis=(2, 3)).tolist() == [[16.0] * gan.frames] * 3
    with pytest.raises(ValueError, match="--labels needs a label-conditional"):
        sample.sample(saved_model=path, out_dir=tmp_path / "o2", labels=[1])


def test_directory_real_clips_are_a_seeded_uniform_sample(tmp_path):
    """--dataset=directory: target and floor drawn across all classes."""
    import numpy as np

    from tfvgan import video_io
    from tfvgan.evaluate import _real_clips

    # 8 classes x 4 files; file k is the constant gray level 4 + 8 k.
    for k in range(32):
        folder = tmp_path / f"class{k // 4}"
        folder.mkdir(exist_ok=True)
        video_io.write_video(
            folder / f"{k}.mp4", np.full((2, 8, 8, 1), 4 + 8 * k, np.uint8)
        )

    def sample(seed):
        real, labels, _ = _real_clips(
            "directory",
            {"directory": str(tmp_path)},
            dict(frames=2, size=8, channels=1),
            count=8,
            seed=seed,
            batch_size=4,
            labels=True,
        )
        files = np.round(((real.mean(axis=(1, 2, 3, 4)) + 1) * 127.5 - 4) / 8)
        return files.astype(int).tolist(), labels.tolist()

    files, labels = sample(seed=1)
    assert len(set(files)) == 8  # target (first 4) and floor: different videos
    assert labels == [k // 4 for k in files]
    # Not the first two classes read in order (target 0, floor 1).
    assert len(set(labels[:4])) > 1 and len(set(labels)) >= 4, labels
    assert sample(seed=1) == (files, labels)  # seeded
    assert sample(seed=2)[0] != files


@pytest.mark.slow  # ~15 s; CI runs it with the slow tests
def test_a_text_run_is_asked_for_its_held_out_pairs(cache, tmp_path, monkeypatch):
    monkeypatch.setenv("TFVGAN_CACHE_DIR", str(cache))
    from tfvgan.evaluate import evaluate_run
    from tfvgan.train import run

    exclude = [[3, "up"], [7, "left"]]
    config = TrainConfig.from_preset(
        "tiny",
        model="recurrent",
        model_kwargs={"condition_type": "text"},
        data_kwargs={"num_videos": 16, "exclude": exclude},
        run_dir=str(tmp_path / "run"),
        export=False,
        sample_every_epochs=0,
    )
    run(config)
    result = evaluate_run(str(tmp_path / "run"), num_videos=40)
    for split in ("seen", "held_out"):
        for key in ("digit", "motion", "joint"):
            assert 0.0 <= result[f"{split}_{key}"] <= 1.0, result
    assert result["caption_joint_ceiling"] > result["caption_joint_chance"]
