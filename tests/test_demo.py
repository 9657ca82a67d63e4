"""The interactive demo (`tfvgan.demo`, ``tfvgan-demo``)."""

from __future__ import annotations

import importlib.util
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import imageio.v3 as iio
import numpy as np
import pytest

from tfvgan import demo as demo_lib
from tfvgan.video_io import write_video

#: Debian's Chromium and its ChromeDriver (overridable, e.g. on other systems).
CHROMIUM = os.environ.get("TFVGAN_CHROMIUM", "chromium")
CHROMEDRIVER = os.environ.get("TFVGAN_CHROMEDRIVER", "chromedriver")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo on the shipped presets (each loads on first use)."""
    return demo_lib.Demo(out_dir=tmp_path_factory.mktemp("demo"))


def _frames(path) -> np.ndarray:
    return iio.imread(path, index=None)


def _assert_animation(path, min_frames=2):
    assert path and path.endswith(".gif") and os.path.isfile(path)
    frames = _frames(path)
    assert len(frames) >= min_frames
    assert frames.std() > 5  # not a blank page
    return frames


def test_cli_flags_are_the_tasks():
    from tfvgan.cli import demo as cli

    assert cli.TASK_FLAGS == tuple(demo_lib.TASKS)


def test_every_task_generates_an_animation_from_its_preset(demo):
    result = demo.label(3, seed=1)
    assert result.message == "" and result.input is None
    _assert_animation(result.output)
    result = demo.caption("digit 3 moves left", seed=0)
    assert result.message == ""
    _assert_animation(result.output)
    for task in ("predict", "inbetween", "superres", "inpaint"):
        result = getattr(demo, task)(example=4, seed=2)
        assert result.message == "", (task, result.message)
        shown = _frames(result.input)
        generated = _assert_animation(result.output, demo.model(task).frames)
        # The given clip is shown at the size of the generated one.
        assert shown.shape[1:3] == generated.shape[1:3]


def test_seeds_give_other_clips_and_the_same_seed_the_same(demo):
    a = _frames(demo.label(5, seed=0).output)
    b = _frames(demo.label(5, seed=0).output)
    c = _frames(demo.label(5, seed=9).output)
    np.testing.assert_array_equal(a, b)
    assert np.abs(a.astype(int) - c.astype(int)).mean() > 1


def test_uploads_are_used(demo, tmp_path):
    predict = demo.model("predict")
    clip = demo.example_clip("predict", 7)
    path = write_video(tmp_path / "clip.gif", clip)
    from_upload = demo.predict(str(path), seed=0)
    from_example = demo.predict(None, example=7, seed=0)
    assert from_upload.message == ""
    # The GIF holds the same frames (up to its palette): the same continuation.
    a, b = _frames(from_upload.output), _frames(from_example.output)
    assert a.shape == b.shape and np.abs(a.astype(int) - b.astype(int)).mean() < 4
    first = tmp_path / "first.png"
    last = tmp_path / "last.png"
    iio.imwrite(first, ((clip[0, ..., 0] + 1) * 127.5).astype(np.uint8))
    iio.imwrite(last, ((clip[-1, ..., 0] + 1) * 127.5).astype(np.uint8))
    result = demo.inbetween(str(first), str(last), seed=0)
    assert result.message == ""
    _assert_animation(result.output, predict.frames)
    low = tmp_path / "low.gif"
    write_video(low, np.zeros((8, 8, 8, 1), np.uint8) + 200)
    result = demo.superres(str(low), seed=0)
    assert result.message == ""
    assert _frames(result.output).shape[1:3] == _frames(result.input).shape[1:3]


def test_bad_inputs_give_a_message_not_an_exception(demo, tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("not a video")
    big = tmp_path / "big.png"
    iio.imwrite(big, np.zeros((64, 64, 3), np.uint8))
    short = tmp_path / "short.gif"
    write_video(short, np.zeros((1, 32, 32, 1), np.uint8))
    cases = [
        (demo.caption(""), "type a caption"),
        (demo.caption("   "), "type a caption"),
        (demo.caption(None), "type a caption"),
        (demo.label(12), "from 0 to 9"),
        (demo.label("seven"), "whole number"),
        (demo.label(3, seed=-1), "seed must be"),
        (demo.predict(str(text)), "could not read 'notes.txt' as a video"),
        (demo.predict(str(big)), "expected frames of 32x32 pixels, got 64x64"),
        (demo.predict(str(short)), "at least 2 frames, got 1"),
        (demo.superres(str(big)), "expected frames of 8x8 pixels"),
        (demo.inpaint(str(text)), "as a video"),
        (demo.inbetween(str(big), str(big)), "first frame of 32x32 pixels, got 64x64"),
        (demo.inbetween(str(big)), "give both the first and the last frame"),
        (demo.inbetween(str(text), str(text)), "could not read the first frame"),
        (demo.predict(example=100), "example must be a whole number from 0 to 99"),
    ]
    for result, message in cases:
        assert result.output is None
        assert result.message.startswith("⚠️") and message in result.message, (
            message,
            result.message,
        )


def test_caption_notes_words_the_model_does_not_read(demo):
    result = demo.caption("digit 3 moves sideways, quickly!", seed=0)
    assert result.output is not None
    assert "sideways" in result.message and "quickly" in result.message
    long = "digit 3 moves left " * 5
    result = demo.caption(long, seed=0)
    assert result.output is not None and "only the first 16 words" in result.message


def test_sources_replace_presets_and_are_checked(tmp_path):
    with pytest.raises(ValueError, match="unknown tasks"):
        demo_lib.Demo({"movie": "x"})
    demo = demo_lib.Demo(
        {"label": "moving_digits_predict", "caption": None}, out_dir=tmp_path
    )
    assert demo.tasks == ["label", "predict", "inbetween", "superres", "inpaint"]
    assert "caption" not in demo.tasks
    result = demo.label(3)
    assert result.output is None and "needs label" in result.message
    with pytest.raises(ValueError, match="not a pretrained preset"):
        demo_lib.load_source(str(tmp_path))


# ------------------------------------------------------------- the browser
def _browser_missing() -> str | None:
    for module in ("gradio", "selenium"):
        if importlib.util.find_spec(module) is None:
            return f"{module} is not installed (pip install 'tfvgan[demo]' selenium)"
    for binary in (CHROMIUM, CHROMEDRIVER):
        if not shutil.which(binary):
            return f"{binary} is missing (apt-get install chromium chromium-driver)"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(url: str, server, log, seconds: float = 240) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"tfvgan-demo exited: {log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(1)
    raise AssertionError(f"tfvgan-demo did not answer on {url}")


def _chrome():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which(CHROMIUM)
    for arg in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
        "--window-size=1280,1100",
    ):  # fmt: skip
        options.add_argument(arg)
    return webdriver.Chrome(
        service=Service(shutil.which(CHROMEDRIVER)), options=options
    )


@pytest.mark.slow  # ~1-2 min: starts tfvgan-demo and drives it in Chromium
def test_demo_in_a_real_browser(tmp_path):
    """Every tab generates an animation in headless Chromium; a bad input
    shows a message; a screenshot of the page is not blank."""
    missing = _browser_missing()
    if missing:
        if os.environ.get("TFVGAN_REQUIRE_BROWSER"):
            pytest.fail(f"the browser test must run here: {missing}")
        pytest.skip(missing)
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    port = _free_port()
    url = f"http://127.0.0.1:{port}/"
    log = open(tmp_path / "server.log", "w")  # noqa: SIM115  (closed below)
    server = subprocess.Popen(
        [sys.executable, "-m", "tfvgan.cli.demo", f"--port={port}",
         f"--out_dir={tmp_path / 'gifs'}"],
        stdout=log, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "GRADIO_ANALYTICS_ENABLED": "False"},
    )  # fmt: skip
    driver = None
    try:
        _wait_for(url, server, tmp_path / "server.log")
        driver = _chrome()
        driver.get(url)
        wait = WebDriverWait(driver, 180)
        wait.until(lambda d: d.find_elements(By.ID, "go-label"))

        def visible(selector):
            return [e for e in driver.find_elements(By.CSS_SELECTOR, selector)
                    if e.is_displayed()]  # fmt: skip

        def open_tab(task):
            # Gradio names a tab's button after the tab's elem_id.
            tab = driver.find_element(By.ID, f"tab-{task}-button")
            assert tab.text.strip() == demo_lib.TASKS[task]["title"]
            tab.click()
            wait.until(lambda d: d.find_element(By.ID, f"go-{task}").is_displayed())

        def message():
            texts = [e.text.strip() for e in visible(".tfvgan-message")]
            return next((t for t in texts if t), "")

        for task in demo_lib.TASKS:
            open_tab(task)
            driver.find_element(By.ID, f"go-{task}").click()

            def output_src(d):
                srcs = [e.get_attribute("src") for e in visible(".tfvgan-output img")]
                return next((s for s in srcs if s), False)

            src = wait.until(output_src)
            with urllib.request.urlopen(src, timeout=30) as response:
                gif = response.read()
            frames = iio.imread(gif, index=None, extension=".gif")
            assert len(frames) >= 2 and frames.std() > 5, task
            assert message() == "", (task, message())
            if task == "caption":
                box = driver.find_element(By.CSS_SELECTOR, "#caption-text textarea")
                box.send_keys(Keys.CONTROL, "a")
                box.send_keys(Keys.BACKSPACE)  # typed, so the page sees the edit
                driver.find_element(By.ID, "go-caption").click()
                wait.until(lambda d: "type a caption" in message())
            if task == "predict":
                shot = tmp_path / "page.png"
                driver.save_screenshot(str(shot))
                page = iio.imread(shot)
                assert page.ndim == 3 and page.std() > 10  # not a blank page
                target = os.environ.get("TFVGAN_DEMO_SCREENSHOT")
                if target:
                    shutil.copy(shot, target)
                bad = tmp_path / "notes.txt"
                bad.write_text("not a video")
                upload = driver.find_element(
                    By.CSS_SELECTOR, "#upload-predict input[type=file]"
                )
                upload.send_keys(str(bad))
                time.sleep(1)
                driver.find_element(By.ID, "go-predict").click()
                wait.until(lambda d: "as a video" in message())
    finally:
        if driver is not None:
            driver.quit()
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@pytest.mark.parametrize(
    "args,message",
    [
        (["--label_model=nope"], "--label_model: 'nope' is not a pretrained preset"),
        ([f"--{task}_model=none" for task in demo_lib.TASKS], "every tab is left out"),
    ],
)
def test_cli_refuses_bad_sources(args, message):
    proc = subprocess.run(
        [sys.executable, "-m", "tfvgan.cli.demo", "--port=1", *args],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode != 0
    assert message in proc.stderr, proc.stderr[-2000:]


def test_the_demo_keeps_only_its_newest_gifs(tmp_path, monkeypatch):
    monkeypatch.setattr(demo_lib, "KEEP_FILES", 2)
    only_label = {task: None for task in demo_lib.TASKS if task != "label"}
    demo = demo_lib.Demo(only_label, out_dir=tmp_path)
    paths = [demo.label(1, seed=s).output for s in range(3)]
    assert sorted(os.listdir(tmp_path)) == sorted(
        os.path.basename(p) for p in paths[1:]
    )
