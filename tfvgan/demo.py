"""An interactive demo of the applications: one tab per task, in the browser.

`Demo` holds one model per task and turns a user's inputs into clips: a
digit (label to video), a caption (text to video), a clip's first frames
(prediction), a first and a last frame (in-betweening), a low-resolution
clip (super-resolution) and a clip with a box hidden (inpainting). By
default each task runs its pretrained preset (`tfvgan.models.list_presets`),
so the demo works offline on a fresh install; a run folder, a SavedModel or
another preset can take a task's place. Each method returns a `DemoResult`:
the input and the generated clips as animated GIFs, and a message. Bad
inputs (an empty caption, a frame of the wrong size, a file that is not a
video) come back as a message, never as an exception.

`build_app` lays the tasks out as a Gradio page (``pip install
"tfvgan[demo]"``); the command line is ``tfvgan-demo`` (`tfvgan.cli.demo`).

Example:

```python
from tfvgan.demo import Demo

demo = Demo()
result = demo.caption("digit 3 moves left", seed=0)
result.output, result.message   # a GIF path, ""
```
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import string
import tempfile
import threading
import uuid
from collections.abc import Mapping

import numpy as np

from tfvgan import conditions

__all__ = [
    "DISPLAY_SIZE",
    "TASKS",
    "Demo",
    "DemoResult",
    "build_app",
    "load_source",
    "offline_theme",
]

#: The tasks: tab title, the shipped preset it runs by default, and the
#: condition types a model for it takes.
TASKS: dict[str, dict] = {
    "label": dict(title="Label → video", preset="moving_digits_label",
                  condition_types=("label",)),
    "caption": dict(title="Caption → video", preset="moving_digits_text",
                    condition_types=("text",)),
    "predict": dict(title="First frames → continuation",
                    preset="moving_digits_predict", condition_types=("frames",)),
    "inbetween": dict(title="First + last frame → in-between",
                      preset="moving_digits_inbetween",
                      condition_types=("keyframes",)),
    "superres": dict(title="Low-res → high-res", preset="moving_digits_superres",
                     condition_types=("video",)),
    "inpaint": dict(title="Hidden box → filled in", preset="moving_digits_inpaint",
                    condition_types=("masked",)),
}  # fmt: skip

#: Clips are shown this many pixels wide (nearest-neighbour upscaling).
DISPLAY_SIZE = 192
#: Clips per label or caption request (seeds ``seed`` to ``seed + 3``).
GRID_CLIPS = 4
#: Held-out example clips the frame tasks offer (`tfvgan.sample.CLIP_SEED`).
NUM_EXAMPLES = 100
_FPS = 4
#: GIFs a demo keeps in its folder (the oldest go first).
KEEP_FILES = 256
#: The largest seed a request takes (a grid's last clip uses seed + 3).
MAX_SEED = 2**31 - 1 - GRID_CLIPS


@dataclasses.dataclass
class DemoResult:
    """What a request gave.

    Attributes:
        input: an animated GIF of what the model was given (frames, the
            low-resolution or masked clip), or None.
        output: an animated GIF of the generated clip(s), or None when the
            request failed.
        message: empty on success; otherwise what went wrong or what to
            note (e.g. caption words the model does not know).
    """

    input: str | None = None
    output: str | None = None
    message: str = ""


def load_source(source: str):
    """The model a task runs: a pretrained preset name, a run folder written
    by ``tfvgan-train`` or a SavedModel version folder written by
    `tfvgan.export`.

    Raises:
        ValueError: `source` is none of those.
    """
    from tfvgan import pretrained, runs

    if pretrained.is_pretrained(source):
        from tfvgan import models

        return models.from_preset(source)
    if runs.is_run_dir(source):
        from tfvgan.builders import load_run

        return load_run(source)[0]
    if os.path.isfile(os.path.join(os.fspath(source), "saved_model.pb")):
        from tfvgan.serving import SavedModelGenerator

        return SavedModelGenerator(source)
    raise ValueError(
        f"{source!r} is not a pretrained preset ({pretrained.names()}), a run "
        "folder or a SavedModel folder."
    )


class _InputError(ValueError):
    """A request the page answers with a message."""


def _display(video: np.ndarray, size: int = DISPLAY_SIZE) -> np.ndarray:
    """uint8 ``(T, h, w, C)`` scaled up by a whole factor to about `size`."""
    from tfvgan.video_io import to_uint8

    video = to_uint8(video)
    factor = max(1, size // max(video.shape[1:3]))
    return np.repeat(np.repeat(video, factor, axis=1), factor, axis=2)


class Demo:
    """The demo's models and requests, one method per task.

    Args:
        sources: per task (a key of `TASKS`), a preset name, run folder or
            SavedModel folder replacing its default preset; a task mapped to
            None is left out.
        out_dir: where the GIFs go; default a new temporary folder.

    Models load on a task's first request (`model`).
    """

    def __init__(
        self,
        sources: Mapping[str, str | None] | None = None,
        out_dir: str | os.PathLike | None = None,
    ):
        sources = dict(sources or {})
        unknown = sorted(set(sources) - set(TASKS))
        if unknown:
            raise ValueError(
                f"unknown tasks {unknown}; expected some of {list(TASKS)}."
            )
        self.sources = {
            task: sources.get(task, spec["preset"]) for task, spec in TASKS.items()
        }
        self.sources = {t: s for t, s in self.sources.items() if s is not None}
        self.out_dir = os.fspath(out_dir or tempfile.mkdtemp(prefix="tfvgan-demo-"))
        os.makedirs(self.out_dir, exist_ok=True)
        self._models = {}
        self._looks = {}
        self._written = []
        self._lock = threading.Lock()

    @property
    def tasks(self) -> list[str]:
        """The tasks this demo serves."""
        return list(self.sources)

    def model(self, task: str):
        """The model of `task`, loaded on first use and checked to take the
        task's conditions.

        Raises:
            ValueError: an unknown or left-out task, or a model of another
                condition type.
        """
        if task not in self.sources:
            raise ValueError(
                f"this demo does not serve {task!r}; it serves {self.tasks}."
            )
        with self._lock:
            if task not in self._models:
                model = load_source(self.sources[task])
                wanted = TASKS[task]["condition_types"]
                if getattr(model, "condition_type", None) not in wanted:
                    raise ValueError(
                        f"{self.sources[task]!r} takes {model.condition_type!r} "
                        f"conditions; the {task!r} task needs {' or '.join(wanted)}."
                    )
                self._models[task] = model
                self._looks[task] = _look(self.sources[task], model)
        return self._models[task]

    # ------------------------------------------------------------- helpers
    def _gif(self, video, tag: str) -> str:
        from tfvgan.video_io import write_video

        path = os.path.join(self.out_dir, f"{tag}-{uuid.uuid4().hex[:10]}.gif")
        written = write_video(path, _display(video), fps=_FPS)
        self._written.append(written)
        while len(self._written) > KEEP_FILES:  # a long-running page stays small
            old = self._written.pop(0)
            with contextlib.suppress(OSError):
                os.remove(old)
        return written

    def example_clip(self, task: str, example: int) -> np.ndarray:
        """Example clip `example` at the task model's clip shape, in [-1, 1]:
        `moving_digits` seed `tfvgan.sample.CLIP_SEED` (clips the seed-0
        runs and the presets never trained on), looking like the model's
        training clips where its source says how (digit size, speed)."""
        from tfvgan.sample import example_clips

        example = _whole(example, "example", 0, NUM_EXAMPLES - 1)
        clips = example_clips(self.model(task), example + 1, self._looks[task])[0]
        return clips[example]

    def _read_clip(self, path, size: int, frames: int, channels: int) -> np.ndarray:
        """An uploaded clip as float ``(frames, size, size, channels)``."""
        from tfvgan.video_io import read_video

        try:
            video = read_video(path, frames=frames, channels=channels)
        except Exception as error:  # noqa: BLE001  (any decoder failure)
            raise _InputError(
                f"could not read {os.path.basename(str(path))!r} as a video "
                f"(GIF, MP4, WebM, ...): {_first_line(error)}"
            ) from error
        if video.ndim != 4 or len(video) == 0:
            raise _InputError("the file has no frames.")
        if video.shape[1:3] != (size, size):
            raise _InputError(
                f"expected frames of {size}x{size} pixels, got "
                f"{video.shape[2]}x{video.shape[1]}."
            )
        if len(video) < frames:
            raise _InputError(f"expected at least {frames} frames, got {len(video)}.")
        return video.astype(np.float32) / 127.5 - 1.0

    def _read_image(self, path, size: int, channels: int, what: str) -> np.ndarray:
        """An uploaded image as float ``(size, size, channels)`` (any mode
        Pillow reads: grey, grey + alpha, RGB, 16-bit, palette)."""
        from PIL import Image, UnidentifiedImageError

        try:
            with Image.open(path) as image:
                image = image.convert("L" if channels == 1 else "RGB")
                pixels = np.asarray(image, np.float32)
        except (OSError, ValueError, UnidentifiedImageError) as error:
            raise _InputError(
                f"could not read the {what} as an image: {_first_line(error)}"
            ) from error
        if pixels.shape[:2] != (size, size):
            raise _InputError(
                f"expected a {what} of {size}x{size} pixels, got "
                f"{pixels.shape[1]}x{pixels.shape[0]}."
            )
        pixels = pixels.reshape(size, size, channels)
        return pixels / 127.5 - 1.0

    def _generate(self, task: str, condition, num: int, seed) -> np.ndarray:
        seed = _whole(seed, "seed", 0, MAX_SEED)
        return np.asarray(
            self.model(task).generate(num, condition=condition, seed=seed)
        )

    @staticmethod
    def _guard(run):
        try:
            return run()
        except _InputError as error:
            return DemoResult(message=f"⚠️ {error}")
        except Exception as error:  # noqa: BLE001  (the page shows a message)
            return DemoResult(message=f"⚠️ could not generate: {_first_line(error)}")

    # --------------------------------------------------------------- tasks
    def label(self, digit, seed=0) -> DemoResult:
        """`GRID_CLIPS` clips of class `digit` (seeds ``seed, seed + 1, ...``)."""

        def run():
            model = self.model("label")
            limit = int(getattr(model, "num_classes", 10) or 10)
            value = _whole(digit, "the digit", 0, limit - 1)
            condition = np.full(GRID_CLIPS, value, np.int32)
            clips = self._generate("label", condition, GRID_CLIPS, seed)
            return DemoResult(output=self._gif(_grid(clips), "label"))

        return self._guard(run)

    def caption(self, caption, seed=0) -> DemoResult:
        """`GRID_CLIPS` clips of `caption`. Words the model does not know
        are named in the message (it reads them as unknown)."""

        def run():
            text = (caption or "").strip() if isinstance(caption, str) else ""
            if not text:
                raise _InputError('type a caption, e.g. "digit 7 moves down".')
            model = self.model("caption")
            notes = _caption_notes(model, text)
            condition = np.array([text] * GRID_CLIPS)
            clips = self._generate("caption", condition, GRID_CLIPS, seed)
            return DemoResult(output=self._gif(_grid(clips), "caption"), message=notes)

        return self._guard(run)

    def predict(self, clip=None, example=0, seed=0) -> DemoResult:
        """Continues the first frames of an uploaded clip (a path; at the
        model's size) or of held-out clip `example`."""

        def run():
            model = self.model("predict")
            kind = conditions.get(model.condition_type)
            k = int(model.condition_spec.shape[1])
            if clip:  # its first k frames
                frames = self._read_clip(clip, model.size, k, model.channels)
                condition = frames[None, :k]
            else:
                full = self.example_clip("predict", example)
                condition = kind.from_clips(full[None], **kind.model_options(model))
            video = self._generate("predict", condition, 1, seed)
            return DemoResult(
                self._gif(condition[0], "given"), self._gif(video[0], "predicted")
            )

        return self._guard(run)

    def inbetween(self, first=None, last=None, example=0, seed=0) -> DemoResult:
        """Fills in between an uploaded first and last frame (image paths;
        both or neither) or those of held-out clip `example`."""

        def run():
            model = self.model("inbetween")
            kind = conditions.get(model.condition_type)
            options = kind.model_options(model)
            if bool(first) != bool(last):
                raise _InputError(
                    "give both the first and the last frame (or neither)."
                )
            if first:
                if model.condition_spec.shape[1] != 2:
                    raise _InputError(
                        f"this model takes {model.condition_spec.shape[1]} keyframes; "
                        "use the examples."
                    )
                condition = np.stack(
                    [
                        self._read_image(
                            first, model.size, model.channels, "first frame"
                        ),
                        self._read_image(
                            last, model.size, model.channels, "last frame"
                        ),
                    ]
                )[None]
            else:
                full = self.example_clip("inbetween", example)
                condition = kind.from_clips(full[None], **options)
            video = self._generate("inbetween", condition, 1, seed)
            return DemoResult(
                self._gif(condition[0], "keyframes"), self._gif(video[0], "inbetween")
            )

        return self._guard(run)

    def superres(self, clip=None, example=0, seed=0) -> DemoResult:
        """4x super-resolution of an uploaded low-resolution clip (a path)
        or of held-out clip `example`, downscaled."""

        def run():
            model = self.model("superres")
            kind = conditions.get(model.condition_type)
            options = kind.model_options(model)
            if clip:
                low = self._read_clip(
                    clip,
                    model.size // options["downscale"],
                    model.frames,
                    model.channels,
                )[: model.frames][None]
            else:
                full = self.example_clip("superres", example)
                low = kind.from_clips(full[None], **options)
            video = self._generate("superres", low, 1, seed)
            # The low-resolution clip shown at the same size as the output.
            shown = np.repeat(
                np.repeat(low[0], options["downscale"], 1), options["downscale"], 2
            )
            return DemoResult(
                self._gif(shown, "low-res"), self._gif(video[0], "high-res")
            )

        return self._guard(run)

    def inpaint(self, clip=None, example=0, seed=0) -> DemoResult:
        """Fills in a box hidden in every frame of an uploaded clip (a path;
        at the model's size) or of held-out clip `example`."""

        def run():
            from tfvgan import masking

            model = self.model("inpaint")
            kind = conditions.get(model.condition_type)
            if clip:
                full = self._read_clip(clip, model.size, model.frames, model.channels)
                full = full[: model.frames]
            else:
                full = self.example_clip("inpaint", example)
            condition = kind.from_clips(full[None], **kind.model_options(model))
            video = self._generate("inpaint", condition, 1, seed)
            seen, _ = masking.split_condition(condition[0])  # hidden pixels at 0: grey
            return DemoResult(self._gif(seen, "masked"), self._gif(video[0], "filled"))

        return self._guard(run)


def _look(source: str, model) -> dict:
    """How a source's training clips looked (`moving_digits` ``glyph_size``,
    ``speed``): a preset's evaluation protocol, a run's config; {} for a
    SavedModel."""
    meta = getattr(model, "preset_metadata", None)
    if meta:
        return meta.get("evaluation", {}).get("protocol", {}).get("data_kwargs") or {}
    from tfvgan import runs

    if runs.is_run_dir(source):
        from tfvgan.evaluate import real_data_kwargs

        return real_data_kwargs(runs.read_config(source))
    return {}


def _whole(value, name: str, low: int, high: int) -> int:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise _InputError(f"{name} must be a whole number, got {value!r}.") from None
    if not number.is_integer() or not low <= number <= high:
        raise _InputError(
            f"{name} must be a whole number from {low} to {high}, got {value!r}."
        )
    return int(number)


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


def _grid(clips: np.ndarray) -> np.ndarray:
    """The clips side by side, each scaled up to about ``DISPLAY_SIZE * 2/3``."""
    from tfvgan.video_io import video_grid

    shown = np.stack([_display(c, DISPLAY_SIZE * 2 // 3) for c in clips])
    return video_grid(shown, cols=len(clips), border=4)


def _caption_notes(model, text: str) -> str:
    """What the model will not read of `text`: unknown words, words past
    its sequence length (as its `TextVectorization` standardizes)."""
    vocabulary = getattr(model, "vocabulary", None)
    if not vocabulary:
        return ""
    words = text.lower().translate(str.maketrans("", "", string.punctuation)).split()
    notes = []
    unknown = sorted({w for w in words if w not in set(vocabulary)})
    if unknown:
        notes.append(
            f"words the model does not know (read as unknown): {', '.join(unknown)}"
        )
    length = getattr(model, "sequence_length", None)
    if length and len(words) > length:
        notes.append(f"only the first {length} words are read")
    return ("ℹ️ " + "; ".join(notes) + ".") if notes else ""


# ------------------------------------------------------------------- page
def offline_theme():
    """Gradio's default theme with system fonts: the page loads nothing
    from the internet (the stock theme fetches Google fonts)."""
    import gradio as gr

    return gr.themes.Default(
        font=["ui-sans-serif", "system-ui", "sans-serif"],
        font_mono=["ui-monospace", "monospace"],
    )


def build_app(demo: Demo | None = None):
    """The Gradio page of `demo`: one tab per task, each with a Generate
    button, the input and generated clips side by side and a message line.

    Needs ``pip install "tfvgan[demo]"`` (Gradio).

    Returns:
        A ``gradio.Blocks``; ``.launch(server_name="127.0.0.1",
        theme=offline_theme())`` serves it without fetching web fonts.
    """
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    try:
        import gradio as gr
    except ImportError as error:
        raise ImportError(
            'the demo needs Gradio: pip install "tfvgan[demo]"'
        ) from error

    demo = demo or Demo()

    def outputs(with_input: bool):
        with gr.Row():
            shown = []
            if with_input:
                shown.append(gr.Image(label="given", type="filepath", format="gif",
                                      elem_classes=["tfvgan-input"], height=DISPLAY_SIZE + 40))  # fmt: skip
            shown.append(gr.Image(label="generated", type="filepath", format="gif",
                                  elem_classes=["tfvgan-output"], height=DISPLAY_SIZE + 40))  # fmt: skip
        message = gr.Markdown(elem_classes=["tfvgan-message"])
        return [*shown, message]

    def unpack(result: DemoResult, with_input: bool):
        values = [result.input] if with_input else []
        return (*values, result.output, result.message)

    seed_args = dict(label="seed", value=0, precision=0, minimum=0, maximum=MAX_SEED)
    example_args = dict(label="example clip (not in the presets' training data)", minimum=0,
                        maximum=NUM_EXAMPLES - 1, step=1, value=0)  # fmt: skip

    def generate_button(task):
        return gr.Button("Generate", variant="primary", elem_id=f"go-{task}")

    uploads = {
        "predict": "a clip whose first frames to continue (optional)",
        "superres": "a low-resolution clip (optional)",
        "inpaint": "a clip to mask and fill in (optional)",
    }

    def tab(task):
        """The inputs, button and outputs of one task's tab."""
        if task in ("label", "caption"):
            with gr.Row():
                if task == "label":
                    given = gr.Dropdown(
                        [str(i) for i in range(10)], value="7", label="digit"
                    )
                else:
                    given = gr.Textbox(
                        value="digit 7 moves down", label="caption",
                        elem_id="caption-text", scale=3,
                    )  # fmt: skip
                seed = gr.Number(**seed_args)
            button = generate_button(task)
            method = getattr(demo, task)
            button.click(
                lambda g, s, m=method: unpack(m(g, s), False),
                [given, seed], outputs(False),
            )  # fmt: skip
            return
        if task == "inbetween":
            with gr.Row():
                given = [
                    gr.Image(label=f"{which} frame (optional)", type="filepath",
                             format="png", image_mode=None)
                    for which in ("first", "last")
                ]  # fmt: skip
        else:
            given = [
                gr.File(label=uploads[task], type="filepath", elem_id=f"upload-{task}")
            ]
        with gr.Row():
            example = gr.Slider(**example_args)
            seed = gr.Number(**seed_args)
        button = generate_button(task)
        method = getattr(demo, task)
        button.click(
            lambda *args, m=method: unpack(m(*args), True),
            [*given, example, seed], outputs(True),
        )  # fmt: skip

    with gr.Blocks(title="tfvgan demo", analytics_enabled=False) as app:
        gr.Markdown(
            "# tfvgan\nVideo GANs for TensorFlow 2 / Keras 3. Each tab runs a "
            "small model trained on moving digits; pick a seed for other samples. "
            "The frame tabs take an upload or an example clip."
        )
        with gr.Tabs(overflow_behavior="wrap"):
            for task in demo.tasks:
                with gr.Tab(TASKS[task]["title"], elem_id=f"tab-{task}"):
                    tab(task)
    return app


if __name__ == "__main__":  # the command line lives in tfvgan.cli
    raise SystemExit(
        "tfvgan: the command line is `tfvgan-demo` (python -m tfvgan.cli.demo)."
    )
