"""``tfvgan-demo``: the interactive demo in the browser (`tfvgan.demo`).

Serves a local page with one tab per application (label, caption,
prediction, in-betweening, super-resolution, inpainting), each running its
pretrained preset unless its ``--<task>_model`` flag names another source:
a preset, a run folder or a SavedModel folder (``none`` leaves the tab out). Binds to
127.0.0.1 unless ``--host`` says otherwise. Needs ``pip install
"tfvgan[demo]"``.

Example:

```
tfvgan-demo                                   # http://127.0.0.1:7860
tfvgan-demo --port=8080 --predict_model=runs/predict --caption_model=none
```
"""

from __future__ import annotations

from collections.abc import Sequence

from absl import app, flags

from tfvgan.cli import _common

__all__ = ["define_flags", "main"]

#: The tasks of `tfvgan.demo.TASKS`, spelled out to define their
#: ``--<task>_model`` flags without importing the library (a test keeps
#: them equal).
TASK_FLAGS = ("label", "caption", "predict", "inbetween", "superres", "inpaint")

_FLAGS = (
    ("string", "host", "127.0.0.1", "Address to bind; 0.0.0.0 serves other "
     "machines too (the demo has no authentication)."),
    ("integer", "port", 7860, "Port to serve on.", {"lower_bound": 1,
                                                     "upper_bound": 65535}),
    ("string", "out_dir", None, "Folder for the generated GIFs (default a "
     "temporary folder)."),
    *(
        ("string", f"{task}_model", None, f"Model of the {task} tab: a pretrained preset, a "
         "run folder or a SavedModel folder; 'none' leaves the tab out "
         "(default: its shipped preset).")
        for task in TASK_FLAGS
    ),
)  # fmt: skip


def define_flags(flag_values: flags.FlagValues = flags.FLAGS) -> None:
    """Defines the ``tfvgan-demo`` flags on `flag_values` (once)."""
    if "host" not in flag_values:
        _common.define(flag_values, _FLAGS)


def _main(argv: Sequence[str]) -> None:
    _common.start(argv)
    f = flags.FLAGS
    sources = {}
    for task in TASK_FLAGS:
        value = f[f"{task}_model"].value
        if value is not None:
            sources[task] = None if value.lower() == "none" else value
    from tfvgan import demo as demo_lib

    demo = demo_lib.Demo(sources, out_dir=f.out_dir)
    if not demo.tasks:
        raise app.UsageError("every tab is left out: nothing to serve.")
    for task in demo.tasks:  # load now: a bad source fails here, not in the page
        try:
            demo.model(task)
        except (ValueError, FileNotFoundError) as error:
            raise app.UsageError(f"--{task}_model: {error}") from error
    busy = _port_in_use(f.host, f.port)
    if busy:
        raise app.UsageError(f"cannot serve on {f.host}:{f.port}: {busy}.")
    page = demo_lib.build_app(demo)
    print(f"tfvgan-demo: serving on http://{f.host}:{f.port}", flush=True)
    page.launch(
        server_name=f.host,
        server_port=f.port,
        theme=demo_lib.offline_theme(),
        allowed_paths=[demo.out_dir],
        footer_links=[],
        share=False,  # never a public link, whatever GRADIO_SHARE says
    )


def _port_in_use(host: str, port: int) -> str | None:
    """Why `host`:`port` cannot be bound now (e.g. in use), or None."""
    import socket

    try:
        with socket.socket() as probe:
            probe.bind((host, port))
    except OSError as error:
        return error.strerror or str(error)
    return None


def main(argv: Sequence[str] | None = None) -> None:
    """Console entry point ``tfvgan-demo`` (``python -m tfvgan.cli.demo``)."""
    _common.run(define_flags, _main, argv)


if __name__ == "__main__":
    main()
