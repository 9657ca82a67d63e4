"""
Title: Export a generator and serve it with TF Serving
Description: Export a trained video GAN as a versioned SavedModel, inspect its signatures, and build the REST and gRPC requests TF Serving expects, checked locally.
Accelerator: None needed for short mode (21-39 s measured in the test suite on a shared 2-core CPU); a GPU speeds up the full settings' 640 training steps (not measured)
"""

"""
## What this tutorial does

A trained GAN is only useful once something outside the training script can
call it. TensorFlow Serving loads a **SavedModel**: a language-neutral graph
plus weights, with named entry points called *signatures*. tfvgan exports the
generator alone (the EMA copy when there is one) with three signatures:

| signature | inputs | output `video` |
|---|---|---|
| `serving_default` | `noise` float32 `[B, latent_dim]` (+ `condition`) | uint8 `[B, T, H, W, C]` |
| `generate_from_seed` | `seed` int64 `[B]` (+ `condition`) | uint8; row i equals `gan.generate(seed=seed_i)` |
| `generate_float` | `noise` (+ `condition`) | float32 in `[-1, 1]` |

We train a small label-conditional model briefly, export it, look at it with
`saved_model_cli`, call it from Python the way a client would, and then build
the exact REST (JSON) and gRPC (protobuf) requests a TF Serving client sends,
and run each of them against the loaded SavedModel. No model server is
needed for any of this: the requests are validated locally, and the server
commands are shown as text (they were not run where this tutorial was
written).

Timing: short mode (`TFVGAN_SHORT=1`) took 21 s to 39 s in the test suite
on a 2-core CPU shared with other jobs; the export itself (with its
verification) took about 5 s of that, and `saved_model_cli` starts a second
TensorFlow process. The full settings (640 training steps) took 3 min 42 s
on the same CPU (`TFVGAN_SHORT=0 python examples/06_export_and_serve.py`).
"""

"""
## Setup
"""

import json
import os
import shutil
import subprocess
import sys
import time

import numpy as np
import tensorflow as tf

import tfvgan

SHORT = os.environ.get("TFVGAN_SHORT", "0") == "1"
EXPORT_BASE = os.path.abspath("serving/tfvgan")  # TF Serving's --model_base_path

"""
## Train a model briefly

Any `tfvgan.models.VideoGAN` can be exported; a label-conditional one shows
the `condition` input too. Short mode trains 2 steps of the `tiny` preset
(4 frames of 16x16); the full settings train the `quickstart` preset.
"""

preset = "tiny" if SHORT else "quickstart"
gan = tfvgan.models.build_model("conditional", preset=preset, seed=0)
gan.compile(ema_decay=0.9 if SHORT else 0.99)
dataset = tfvgan.data.moving_digits(
    num_videos=8 if SHORT else 1024,
    frames=gan.frames,
    size=gan.size,
    channels=gan.channels,
    condition="label",
    batch_size=4 if SHORT else 16,
)
gan.fit(dataset, epochs=1 if SHORT else 10, verbose=2)
print("video shape:", gan.video_shape, "latent_dim:", gan.latent_dim)

"""
## Export

`export_generator(gan, base_dir)` writes `<base_dir>/<version>/`, the layout
TF Serving watches: when a new numbered folder appears, the server loads it
and retires the old one. The export is first written to a hidden temporary
folder, reloaded and compared with the in-memory generator (also through a
TF1 session, the way TF Serving loads models), and only then renamed into
place, so a broken export never becomes a version. `keep=3` deletes all but
the three newest versions.

From a shell, `tfvgan-export` does the same from a saved `.keras` model
(`tfvgan-export --model_path=model.keras --export_dir=serving/tfvgan`), and
`tfvgan-train` exports automatically into `<run_dir>/export/<version>/`.
"""

shutil.rmtree(EXPORT_BASE, ignore_errors=True)
start = time.perf_counter()
path = tfvgan.export.export_generator(gan, EXPORT_BASE, keep=3)
print(f"exported to {os.path.relpath(path)} in {time.perf_counter() - start:.1f} s")
print("versions:", tfvgan.export.list_versions(EXPORT_BASE))
print(sorted(os.listdir(path)))

"""
`assets.extra/tfvgan_export.json` (a folder TF Serving ignores) records what
a client needs to know: latent size, video shape, condition type and the
largest batch a request may ask for.
"""

with open(os.path.join(path, "assets.extra", "tfvgan_export.json")) as f:
    print(json.dumps(json.load(f), indent=1))

"""
## Inspect it with `saved_model_cli`

`saved_model_cli show --all` prints every signature with its input and output
names, dtypes and shapes (`-1` is a free batch dimension). This is what a
client has to match. The tool comes with the `tensorflow` pip package; we run
it as a subprocess with an argument list (no shell), and skip it with a note
where it is not installed.
"""

cli = os.path.join(os.path.dirname(sys.executable), "saved_model_cli")
cli = cli if os.path.exists(cli) else shutil.which("saved_model_cli")
if cli is None:
    print("saved_model_cli not found; skipping (it ships with the tensorflow package)")
else:
    shown = subprocess.run(
        [cli, "show", "--all", "--dir", path],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    text = shown.stdout
    begin = text.find("signature_def['generate_from_seed']")
    print(text[begin : text.find("Method name", begin)] if begin >= 0 else text[-2000:])
    print(
        shown.stdout.count("signature_def['"),
        "signatures listed (incl. __saved_model_init_op)",
    )

"""
## Call the signatures from Python

The export loads with plain `tf.saved_model.load`: the client side needs
TensorFlow only, not tfvgan or Keras. `generate_from_seed` is the easiest to
call (no noise to draw) and is reproducible: seed `s` gives exactly the clip
`gan.generate(seed=s)` gives.
"""

loaded = tf.saved_model.load(path)
print("signatures:", sorted(loaded.signatures.keys()))
seeds = tf.constant([1, 2], tf.int64)
labels = tf.constant([3, 7], tf.int32)
served = loaded.signatures["generate_from_seed"](seed=seeds, condition=labels)["video"]
print("generate_from_seed:", served.shape, served.dtype.name)
expected = tfvgan.export.to_uint8(gan.generate(2, condition=labels.numpy(), seed=1))
np.testing.assert_array_equal(served.numpy(), expected.numpy())
print("generate_from_seed equals gan.generate(seed=1): True")

"""
Bad requests fail at the boundary with an error, never with a silent wrong
answer: here a label outside `[0, num_classes)`.
"""

try:
    loaded.signatures["generate_from_seed"](seed=seeds, condition=tf.constant([3, 99]))
except tf.errors.InvalidArgumentError as err:
    message = err.message[err.message.find("assertion failed") :]
    print("rejected:", message.splitlines()[0][:110])

"""
## Serve it

With Docker, the official image serves the newest version under the base
folder, and switches when a newer one appears (not run here; no model server
could be installed on the machine this was written on):

```bash
docker run -p 8500:8500 -p 8501:8501 \
  --mount type=bind,source=$PWD/serving/tfvgan,target=/models/tfvgan \
  -e MODEL_NAME=tfvgan -t tensorflow/serving
```

Port 8501 is the REST API, 8500 gRPC. Without Docker:
`tensorflow_model_server --port=8500 --rest_api_port=8501
--model_name=tfvgan --model_base_path=$PWD/serving/tfvgan`.
"""

"""
## REST requests

TF Serving's REST `:predict` endpoint takes JSON in one of two layouts:

- **row** (`"instances"`): a list of examples, one dict per clip;
- **columnar** (`"inputs"`): one list per input, holding the whole batch.

`signature_name` picks the signature (default: `serving_default`). We build
both bodies in code, print the `curl` command, and check each body the way
the server reads it: JSON values cast to the signature's dtypes, rows
stacked into batches.
"""

rest_row = {
    "signature_name": "generate_from_seed",
    "instances": [{"seed": 1, "condition": 3}, {"seed": 2, "condition": 7}],
}
rest_columnar = {
    "signature_name": "generate_from_seed",
    "inputs": {"seed": [1, 2], "condition": [3, 7]},
}
print(
    "curl -X POST http://localhost:8501/v1/models/tfvgan:predict -d '"
    + json.dumps(rest_row)
    + "'"
)


def rest_body_to_tensors(body: dict, signature) -> dict:
    """What TF Serving does with a :predict body: stack rows, cast dtypes."""
    _, specs = signature.structured_input_signature
    if "instances" in body:
        columns = {
            key: [row[key] for row in body["instances"]] for key in body["instances"][0]
        }
    else:
        columns = body["inputs"]
    return {
        key: tf.constant(value, dtype=specs[key].dtype)
        for key, value in columns.items()
    }


for name, body in (("row", rest_row), ("columnar", rest_columnar)):
    body = json.loads(json.dumps(body))  # exactly the text a client sends
    fn = loaded.signatures[body["signature_name"]]
    video = fn(**rest_body_to_tensors(body, fn))["video"].numpy()
    np.testing.assert_array_equal(video, served.numpy())
    print(f"REST {name} body OK: video {video.shape} {video.dtype}")

"""
The response is JSON too: `{"predictions": [...]}` for row requests and
`{"outputs": ...}` for columnar ones, with the uint8 video as nested lists
(about 4 characters per pixel: use gRPC for large batches).

`serving_default` takes the noise itself: a client that wants to control
the latent (to interpolate between two clips, say) sends `noise` rows of
`latent_dim` floats.
"""

noise = gan.noise_from_seeds(tf.constant([1, 2], tf.int64)).numpy()
rest_noise = {"instances": [{"noise": z.tolist(), "condition": 3} for z in noise]}
fn = loaded.signatures["serving_default"]
video = fn(**rest_body_to_tensors(rest_noise, fn))["video"].numpy()
print(
    "REST serving_default body OK:",
    video.shape,
    "(noise rows of",
    len(noise[0]),
    "floats)",
)

"""
## gRPC requests

gRPC sends binary tensors (`TensorProto`s) instead of JSON: smaller and
faster for videos. The request classes come from the
`tensorflow-serving-api` pip package. A client would then call
`stub.Predict(request, timeout=30.0)` on a channel to port 8500:

```python
import grpc
from tensorflow_serving.apis import prediction_service_pb2_grpc

channel = grpc.insecure_channel(
    "localhost:8500", options=[("grpc.max_receive_message_length", 64 << 20)]
)
stub = prediction_service_pb2_grpc.PredictionServiceStub(channel)
response = stub.Predict(request, timeout=30.0)
video = tf.make_ndarray(response.outputs["video"])
```

Here we build the real `PredictRequest`, serialise it to bytes (what goes on
the wire), parse it back the way the server does, and run the signature it
names on the tensors it carries.
"""

try:
    from tensorflow_serving.apis import predict_pb2
except ImportError:
    predict_pb2 = None
    print(
        "tensorflow-serving-api is not installed; `pip install tensorflow-serving-api`"
    )

if predict_pb2 is not None:
    request = predict_pb2.PredictRequest()
    request.model_spec.name = "tfvgan"
    request.model_spec.signature_name = "generate_from_seed"
    request.inputs["seed"].CopyFrom(tf.make_tensor_proto(np.array([1, 2], np.int64)))
    request.inputs["condition"].CopyFrom(
        tf.make_tensor_proto(np.array([3, 7], np.int32))
    )
    wire = request.SerializeToString()
    print(f"gRPC PredictRequest: {len(wire)} bytes on the wire")

    received = predict_pb2.PredictRequest.FromString(wire)
    fn = loaded.signatures[received.model_spec.signature_name]
    inputs = {k: tf.constant(tf.make_ndarray(v)) for k, v in received.inputs.items()}
    response = predict_pb2.PredictResponse()
    response.outputs["video"].CopyFrom(tf.make_tensor_proto(fn(**inputs)["video"]))
    video = tf.make_ndarray(response.outputs["video"])
    np.testing.assert_array_equal(video, served.numpy())
    print(
        f"gRPC request OK: video {video.shape} {video.dtype}, response {response.ByteSize()} bytes"
    )

"""
## Show what was served

The uint8 clips are ready to write to disk or send to a browser.
"""

tfvgan.video_io.show(served.numpy(), path="served_samples.gif")
print("wrote served_samples.gif")
