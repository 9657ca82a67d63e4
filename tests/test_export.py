"""Tests of `tfvgan.export`: SavedModel signatures for TF Serving.

Every export here is tiny (4 frames, 16x16, 1 channel). The checks go through
the same doors a deployment does: `saved_model_cli`, a fresh Python process
that imports only TensorFlow, `tensorflow-serving-api` request protos (as a
gRPC client builds them) and the REST JSON bodies documented in docs/serving.md.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import keras
import numpy as np
import pytest
import tensorflow as tf

from tests.helpers import example_condition
from tfvgan import builders, conditions, export
from tfvgan.models import VideoGAN

LATENT = 8
FRAMES, SIZE, CHANNELS = 4, 16, 1
NUM_CLASSES = 3
TEXT_LEN = 5
VOCAB = ["a", "red", "ball", "moves", "left", "right", "digit"]
LOW_RES = (FRAMES, 8, 8, CHANNELS)
MAX_BATCH = 4
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Subprocesses: quiet, and no tfvgan on the path unless a test asks for it.
_ENV = {
    **{k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
    "TF_CPP_MIN_LOG_LEVEL": "2",
}


# ------------------------------------------------------------ tiny models
def _condition_input(condition_type):
    if condition_type == "label":
        return keras.Input((), dtype="int32", name="condition")
    if condition_type == "text":
        return keras.Input((TEXT_LEN,), dtype="int32", name="condition")
    if condition_type == "image":
        return keras.Input((SIZE, SIZE, CHANNELS), name="condition")
    return keras.Input(LOW_RES, name="condition")


def _encode(condition_type, c):
    if condition_type == "label":
        return keras.layers.Embedding(NUM_CLASSES, 4)(c)
    if condition_type == "text":
        e = keras.layers.Embedding(len(VOCAB) + 2, 2)(c)
        return keras.layers.Flatten()(e)
    return keras.layers.Dense(4)(keras.layers.Flatten()(c))


def _generator(condition_type):
    noise = keras.Input((LATENT,), name="noise")
    inputs, h = noise, noise
    if condition_type is not None:
        c = _condition_input(condition_type)
        inputs = [noise, c]
        h = keras.layers.Concatenate()([noise, _encode(condition_type, c)])
    h = keras.layers.Dense(FRAMES * 4 * 4 * 8)(h)
    h = keras.layers.Reshape((FRAMES, 4, 4, 8))(h)
    h = keras.layers.Conv3DTranspose(
        CHANNELS, 3, strides=(1, 4, 4), padding="same", activation="tanh"
    )(h)
    return keras.Model(inputs, h)


def _discriminator(condition_type):
    video = keras.Input((FRAMES, SIZE, SIZE, CHANNELS))
    logits = keras.layers.Dense(1)(keras.layers.Flatten()(video))
    if condition_type is None:
        return keras.Model(video, logits)
    return keras.Model([video, _condition_input(condition_type)], logits)


def _compile_with_distinct_ema(gan):
    """Compiles with an EMA generator and moves its weights off the raw ones."""
    gan.compile(ema_decay=0.9)
    for ema, raw in zip(gan.ema_generator.weights, gan.generator.weights):
        if raw.trainable:
            ema.assign(ema + 0.05)


def _tiny_gan(condition_type, vectorizer=True):
    """A VideoGAN with an EMA generator whose weights differ from the raw one."""
    gan = VideoGAN(
        generator=_generator(condition_type),
        discriminator=_discriminator(condition_type),
        latent_dim=LATENT,
        frames=FRAMES,
        size=SIZE,
        channels=CHANNELS,
        condition_type=condition_type,
        condition_shape={"text": (TEXT_LEN,), "video": LOW_RES}.get(condition_type),
        seed=1,
    )
    _compile_with_distinct_ema(gan)
    if condition_type == "label":
        gan.num_classes = NUM_CLASSES
    if condition_type == "text" and vectorizer:
        gan.text_vectorizer = keras.layers.TextVectorization(
            output_sequence_length=TEXT_LEN, vocabulary=VOCAB
        )
    return gan


def _conditions(gan, n, spec):
    """Valid conditions in the export's input format (numpy)."""
    if spec is None:
        return None
    if spec.dtype == tf.string:
        captions = ["a red ball moves left", "digit moves right", "unknown words"]
        return np.array([captions[i % 3] for i in range(n)])
    if gan.condition_type == "label":
        return (np.arange(n) % NUM_CLASSES).astype(np.int32)
    shape = (n, *spec.shape[1:])
    if spec.dtype.is_integer:
        return (np.arange(np.prod(shape)).reshape(shape) % len(VOCAB)).astype(np.int32)
    if gan.condition_type == "masked":
        return example_condition(gan, n, seed=3)
    return np.random.default_rng(3).uniform(-1, 1, shape).astype(np.float32)


def _generator_condition(gan, condition):
    """What the Keras generator takes for a condition in export format."""
    if condition is not None and condition.dtype.kind == "U":
        return keras.ops.convert_to_numpy(gan.text_vectorizer(condition)).astype(
            "int32"
        )
    return condition


class Case:
    """One exported model and fixed inputs for it."""

    def __init__(self, name, gan, base_dir):
        self.name = name
        self.gan = gan
        self.base_dir = str(base_dir)
        self.path = export.export_generator(gan, base_dir, max_batch=MAX_BATCH)
        self.spec = export.condition_spec(gan)
        self.seeds = np.array([5, 6, 7], np.int64)
        self.noise = keras.ops.convert_to_numpy(gan.noise_from_seeds(self.seeds))
        self.condition = _conditions(gan, len(self.seeds), self.spec)
        self._loaded = None

    @property
    def loaded(self):
        if self._loaded is None:
            self._loaded = tf.saved_model.load(self.path)
        return self._loaded

    def cond_kwargs(self):
        if self.condition is None:
            return {}
        return {"condition": tf.constant(self.condition)}

    def expected_float(self, use_ema=True):
        return self.gan.generate(
            noise=self.noise,
            condition=_generator_condition(self.gan, self.condition),
            use_ema=use_ema,
        )

    def expected_from_seed(self):
        # generate(seed=s) uses seeds s, s+1, ...: the same rows as self.seeds.
        return self.gan.generate(
            len(self.seeds),
            seed=int(self.seeds[0]),
            condition=_generator_condition(self.gan, self.condition),
        )


BASE_CASES = {
    "unconditional": lambda: _tiny_gan(None),
    "label": lambda: _tiny_gan("label"),
    "text_caption": lambda: _tiny_gan("text"),
    "text_tokens": lambda: _tiny_gan("text", vectorizer=False),
    "image": lambda: _tiny_gan("image"),
    "video": lambda: _tiny_gan("video"),
}


def _variant_builders():
    """Tiny models of the four variant families, one per condition type."""
    from tfvgan import models

    build = getattr(models, "build_model", None)
    if build is None:
        return {}

    def tiny(family, **kwargs):
        gan = build(family, preset="tiny", seed=1, **kwargs)
        _compile_with_distinct_ema(gan)
        return gan

    builders = {}
    for family in ("temporal", "conv3d", "recurrent"):
        builders[f"{family}_tiny"] = lambda f=family: tiny(f)
    for condition_type in conditions.CONDITION_TYPES:
        kwargs = {"condition_type": condition_type}
        if condition_type == "text":
            kwargs.update(vocabulary=["", "[UNK]", *VOCAB], sequence_length=TEXT_LEN)
        builders[f"conditional_{condition_type}_tiny"] = lambda kw=kwargs: tiny(
            "conditional", **kw
        )
    # One context frame: the first move is drawn (argmax of a fixed noise
    # projection plus the prior's logits) inside the graph.
    builders["conditional_frames1_tiny"] = lambda: tiny(
        "conditional", condition_type="frames", context_frames=1
    )
    return builders


VARIANT_CASES = _variant_builders()
ALL_CASES = [*BASE_CASES, *VARIANT_CASES]
# The variant cases the condition cases above already cover build in the
# slow set only (3-5 s each); the fresh-process test still runs them all.
_SLOW_CASES = {
    "conv3d_tiny",
    "conditional_image_tiny",
    "conditional_video_tiny",
    "conditional_frames_tiny",
    "conditional_frames1_tiny",
    "conditional_keyframes_tiny",
    "conditional_masked_tiny",
}
SOME_CASES = [
    pytest.param(n, marks=pytest.mark.slow) if n in _SLOW_CASES else n
    for n in ALL_CASES
]


@pytest.fixture(scope="module")
def cases(tmp_path_factory):
    built = {}

    def get(name):
        if name not in built:
            if name in BASE_CASES:
                gan = BASE_CASES[name]()
            else:
                gan = VARIANT_CASES[name]()
            built[name] = Case(name, gan, tmp_path_factory.mktemp(name))
        return built[name]

    return get


def _structured_specs(fn):
    return fn.structured_input_signature[1]


# ------------------------------------------------------- layout, signatures
@pytest.mark.parametrize("name", SOME_CASES)
def test_signatures_and_in_process_reload(cases, name):
    case = cases(name)
    assert case.path == os.path.join(case.base_dir, "1")
    assert export.list_versions(case.base_dir) == [1]
    assert sorted(os.listdir(case.base_dir)) == ["1"]  # no temp folder left
    sigs = case.loaded.signatures
    assert set(export.SIGNATURES) <= set(sigs.keys())
    gan = case.gan
    video_shape = (None, *gan.video_shape)
    for name_ in export.SIGNATURES:
        specs = _structured_specs(sigs[name_])
        first = "seed" if name_ == "generate_from_seed" else "noise"
        expected_inputs = {first} | ({"condition"} if gan.conditional else set())
        assert set(specs) == expected_inputs
        out = sigs[name_].structured_outputs["video"]
        assert tuple(out.shape) == video_shape
        assert out.dtype == (tf.float32 if name_ == "generate_float" else tf.uint8)
    assert tuple(_structured_specs(sigs["serving_default"])["noise"].shape) == (
        None,
        gan.latent_dim,
    )
    if gan.condition_type == "text" and hasattr(gan, "text_vectorizer"):
        assert _structured_specs(sigs["serving_default"])["condition"].dtype == (
            tf.string
        )

    floats = sigs["generate_float"](noise=tf.constant(case.noise), **case.cond_kwargs())
    np.testing.assert_allclose(
        floats["video"].numpy(), case.expected_float(), rtol=0, atol=1e-5
    )
    meta_path = os.path.join(case.path, "assets.extra", "tfvgan_export.json")
    with open(meta_path) as f:
        meta = json.load(f)
    assert meta["latent_dim"] == gan.latent_dim
    assert meta["max_batch"] == MAX_BATCH


def test_export_uses_the_ema_generator(cases, tmp_path):
    case = cases("label")
    ema, raw = case.expected_float(use_ema=True), case.expected_float(use_ema=False)
    assert np.max(np.abs(ema - raw)) > 1e-3  # the test can tell them apart
    out = case.loaded.signatures["generate_float"](
        noise=tf.constant(case.noise), **case.cond_kwargs()
    )["video"].numpy()
    np.testing.assert_allclose(out, ema, atol=1e-5)

    path = export.export_generator(case.gan, tmp_path, use_ema=False)
    out = (
        tf.saved_model.load(path)
        .signatures["generate_float"](
            noise=tf.constant(case.noise), **case.cond_kwargs()
        )["video"]
        .numpy()
    )
    np.testing.assert_allclose(out, raw, atol=1e-5)


# --------------------------------------------------- fresh process, tf only
_CHILD = """
import json, sys
import numpy as np
import tensorflow as tf

for job in json.load(open(sys.argv[1])):
    served = tf.saved_model.load(job["path"])
    data = dict(np.load(job["inputs"]))
    cond = {"condition": tf.constant(data["condition"])} if "condition" in data else {}
    sig = served.signatures
    out = {
        "uint8": sig["serving_default"](noise=tf.constant(data["noise"]), **cond),
        "float": sig["generate_float"](noise=tf.constant(data["noise"]), **cond),
        "seed": sig["generate_from_seed"](seed=tf.constant(data["seed"]), **cond),
    }
    out = {k: v["video"].numpy() for k, v in out.items()}
    # The TF1 loader, as TF Serving's C++ server loads a SavedModel.
    with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
        meta = tf.compat.v1.saved_model.loader.load(sess, ["serve"], job["path"])
        for name, first in (("serving_default", "noise"), ("generate_from_seed", "seed")):
            sig = meta.signature_def[name]
            feeds = {sig.inputs[first].name: data[first]}
            if "condition" in data:
                feeds[sig.inputs["condition"].name] = data["condition"]
            out["session_" + name] = sess.run(sig.outputs["video"].name, feeds)
    np.savez(job["outputs"], **out)
print(json.dumps({"tfvgan_imported": "tfvgan" in sys.modules}))
"""


@pytest.mark.slow  # 10-16 s; CI runs it with the slow tests
def test_fresh_tensorflow_only_process_matches_in_memory(cases, tmp_path):
    jobs = []
    for name in ALL_CASES:
        case = cases(name)
        inputs = {"noise": case.noise, "seed": case.seeds}
        if case.condition is not None:
            inputs["condition"] = case.condition
        np.savez(tmp_path / f"{name}_in.npz", **inputs)
        jobs.append(
            {
                "name": name,
                "path": case.path,
                "inputs": str(tmp_path / f"{name}_in.npz"),
                "outputs": str(tmp_path / f"{name}_out.npz"),
            }
        )
    manifest = tmp_path / "jobs.json"
    manifest.write_text(json.dumps(jobs))
    # cwd outside the repository: `import tfvgan` could not even succeed.
    result = subprocess.run(
        [sys.executable, "-c", _CHILD, str(manifest)],
        cwd=tmp_path,
        env=_ENV,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {
        "tfvgan_imported": False
    }
    for job in jobs:
        case = cases(job["name"])
        got = np.load(job["outputs"])
        expected = case.expected_float()
        assert got["uint8"].dtype == np.uint8
        np.testing.assert_array_equal(got["uint8"], export.to_uint8(expected).numpy())
        assert got["float"].dtype == np.float32
        np.testing.assert_allclose(got["float"], expected, rtol=0, atol=1e-5)
        np.testing.assert_array_equal(
            got["seed"], export.to_uint8(case.expected_from_seed()).numpy()
        )
        np.testing.assert_array_equal(got["session_serving_default"], got["uint8"])
        np.testing.assert_array_equal(got["session_generate_from_seed"], got["seed"])


# ----------------------------------------------------------- saved_model_cli
def _saved_model_cli():
    return os.path.join(os.path.dirname(sys.executable), "saved_model_cli")


@pytest.mark.slow  # 10 s
def test_saved_model_cli_show_and_run(cases, tmp_path):
    case = cases("label")
    show = subprocess.run(
        [_saved_model_cli(), "show", "--all", "--dir", case.path],
        env=_ENV,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert show.returncode == 0, show.stderr[-3000:]
    for name in export.SIGNATURES:
        assert f"signature_def['{name}']" in show.stdout
    assert "dtype: DT_UINT8" in show.stdout
    assert "shape: (-1, 4, 16, 16, 1)" in show.stdout
    assert "inputs['condition'] tensor_info:\n        dtype: DT_INT32" in show.stdout

    # TF 2.21's saved_model_cli evaluates --input_exprs as Python literals
    # only (`np.array(...)` is refused), so the arrays are written as lists.

    run = subprocess.run(
        [
            _saved_model_cli(),
            "run",
            "--dir",
            case.path,
            "--tag_set",
            "serve",
            "--signature_def",
            "generate_from_seed",
            "--input_exprs",
            "seed=[1,2];condition=[2,0]",
            "--outdir",
            str(tmp_path),
        ],
        env=_ENV,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    video = np.load(tmp_path / "video.npy")
    assert video.shape == (2, FRAMES, SIZE, SIZE, CHANNELS)
    assert video.dtype == np.uint8
    expected = case.gan.generate(2, seed=1, condition=np.array([2, 0], np.int32))
    expected = export.to_uint8(expected).numpy()
    np.testing.assert_array_equal(video, expected)


# ------------------------------------------- TF Serving request compatibility
def _request_inputs(case, signature, n=2):
    """Numpy inputs for a signature, as a client would send them."""
    first = (
        {"seed": case.seeds[:n]}
        if signature == "generate_from_seed"
        else {"noise": case.noise[:n]}
    )
    if case.condition is not None:
        first["condition"] = case.condition[:n]
    return first


@pytest.mark.parametrize("name", SOME_CASES)
def test_grpc_predict_request_round_trip(cases, name):
    from tensorflow_serving.apis import predict_pb2

    case = cases(name)
    for signature in export.SIGNATURES:
        # Exactly what a gRPC client sends (see the client example in docs/serving.md).
        request = predict_pb2.PredictRequest()
        request.model_spec.name = "tfvgan"
        request.model_spec.signature_name = signature
        for key, value in _request_inputs(case, signature).items():
            request.inputs[key].CopyFrom(tf.make_tensor_proto(value))
        wire = request.SerializeToString()

        received = predict_pb2.PredictRequest.FromString(wire)
        fn = case.loaded.signatures[received.model_spec.signature_name]
        tensors = {k: tf.make_ndarray(v) for k, v in received.inputs.items()}
        outputs = fn(**{k: tf.constant(v) for k, v in tensors.items()})
        response = predict_pb2.PredictResponse()
        response.outputs["video"].CopyFrom(tf.make_tensor_proto(outputs["video"]))
        video = tf.make_ndarray(
            predict_pb2.PredictResponse.FromString(
                response.SerializeToString()
            ).outputs["video"]
        )
        assert video.shape == (2, *case.gan.video_shape)
        assert video.dtype == (
            np.float32 if signature == "generate_float" else np.uint8
        )
        if signature == "generate_from_seed":
            expected = case.expected_from_seed()[:2]
        else:
            expected = case.expected_float()[:2]
        if video.dtype == np.uint8:
            np.testing.assert_array_equal(video, export.to_uint8(expected).numpy())


def rest_to_tensors(body: dict, signature) -> dict:
    """Request tensors from a TF Serving REST ``:predict`` JSON body.

    Row format ``{"instances": [{"seed": 1, ...}, ...]}`` is a list of
    per-example dicts: each input is stacked over the rows. Columnar format
    ``{"inputs": {"seed": [1, 2], ...}}`` holds whole batches per input. JSON
    values are cast to the signature's dtypes, as the model server does.
    """
    specs = _structured_specs(signature)
    if "instances" in body:
        rows = body["instances"]
        columns = {key: [row[key] for row in rows] for key in rows[0]}
    else:
        columns = body["inputs"]
    return {
        key: tf.constant(np.asarray(value), dtype=specs[key].dtype)
        for key, value in columns.items()
    }


def _rest_bodies(case, signature):
    inputs = {k: v.tolist() for k, v in _request_inputs(case, signature).items()}
    n = len(next(iter(inputs.values())))
    rows = [{k: v[i] for k, v in inputs.items()} for i in range(n)]
    # Round-trip through text, exactly as a curl body.
    return {
        "row": json.loads(json.dumps({"signature_name": signature, "instances": rows})),
        "columnar": json.loads(
            json.dumps({"signature_name": signature, "inputs": inputs})
        ),
    }


@pytest.mark.parametrize("name", ["unconditional", "label", "text_caption", "image"])
def test_rest_json_bodies(cases, name):
    case = cases(name)
    for signature in export.SIGNATURES:
        for fmt, body in _rest_bodies(case, signature).items():
            fn = case.loaded.signatures[body["signature_name"]]
            video = fn(**rest_to_tensors(body, fn))["video"].numpy()
            assert video.shape == (2, *case.gan.video_shape), (signature, fmt)
            if signature == "generate_float":
                np.testing.assert_allclose(video, case.expected_float()[:2], atol=1e-5)
            elif signature == "serving_default":
                np.testing.assert_array_equal(
                    video, export.to_uint8(case.expected_float()[:2]).numpy()
                )


def test_documented_rest_example_for_label_model(cases):
    # The curl body of docs/serving.md, verbatim.
    body = json.loads(
        '{"signature_name": "generate_from_seed",'
        ' "instances": [{"seed": 1, "condition": 2}, {"seed": 2, "condition": 0}]}'
    )
    case = cases("label")
    fn = case.loaded.signatures["generate_from_seed"]
    video = fn(**rest_to_tensors(body, fn))["video"].numpy()
    assert video.shape == (2, FRAMES, SIZE, SIZE, CHANNELS)
    expected = case.gan.generate(
        noise=case.gan.noise_from_seeds([1, 2]), condition=np.array([2, 0], np.int32)
    )
    np.testing.assert_array_equal(video, export.to_uint8(expected).numpy())


# -------------------------------------------------------------- bad requests
_BAD = (TypeError, ValueError, tf.errors.InvalidArgumentError)


def test_wrong_dtype_and_shape_are_rejected(cases):
    case = cases("image")
    sig = case.loaded.signatures
    cond = tf.constant(case.condition[:2])
    noise = case.noise[:2]
    with pytest.raises(_BAD):
        sig["serving_default"](noise=tf.constant(noise, tf.float64), condition=cond)
    with pytest.raises(_BAD):
        sig["serving_default"](noise=tf.zeros((2, LATENT + 1)), condition=cond)
    with pytest.raises(_BAD):
        sig["serving_default"](noise=tf.zeros((2, 1, LATENT)), condition=cond)
    with pytest.raises(_BAD):
        sig["serving_default"](noise=tf.constant(noise), condition=cond[:, :8])
    with pytest.raises(_BAD):
        sig["generate_from_seed"](seed=tf.constant([1.0, 2.0]), condition=cond)
    with pytest.raises(_BAD):
        sig["serving_default"](noise=tf.constant(noise))  # condition missing
    # Through the gRPC path: a client sending float64 noise.
    from tensorflow_serving.apis import predict_pb2

    request = predict_pb2.PredictRequest()
    request.inputs["noise"].CopyFrom(tf.make_tensor_proto(noise.astype(np.float64)))
    request.inputs["condition"].CopyFrom(tf.make_tensor_proto(case.condition[:2]))
    with pytest.raises(_BAD):
        sig["serving_default"](
            **{k: tf.constant(tf.make_ndarray(v)) for k, v in request.inputs.items()}
        )


def test_batch_over_the_limit_is_rejected(cases):
    case = cases("unconditional")
    sig = case.loaded.signatures
    ok = sig["serving_default"](noise=tf.zeros((MAX_BATCH, LATENT)))["video"]
    assert ok.shape[0] == MAX_BATCH
    with pytest.raises(tf.errors.InvalidArgumentError, match="max_batch=4"):
        sig["serving_default"](noise=tf.zeros((MAX_BATCH + 1, LATENT)))
    with pytest.raises(tf.errors.InvalidArgumentError, match="max_batch=4"):
        sig["generate_float"](noise=tf.zeros((MAX_BATCH + 1, LATENT)))
    with pytest.raises(tf.errors.InvalidArgumentError, match="max_batch=4"):
        sig["generate_from_seed"](seed=tf.range(MAX_BATCH + 1, dtype=tf.int64))


def test_label_out_of_range_and_bad_values_are_rejected(cases):
    case = cases("label")
    sig = case.loaded.signatures
    noise = tf.constant(case.noise[:2])
    # One check, the model's (`tfvgan.conditions`), with its message.
    out_of_range = (
        rf"label id (>= {NUM_CLASSES}|< 0); ids must lie in \[0, {NUM_CLASSES}\)"
    )
    for labels in ([0, NUM_CLASSES], [-1, 0]):
        with pytest.raises(tf.errors.InvalidArgumentError, match=out_of_range):
            sig["serving_default"](noise=noise, condition=tf.constant(labels))
        with pytest.raises(tf.errors.InvalidArgumentError, match=out_of_range):
            sig["generate_from_seed"](
                seed=tf.constant([1, 2], tf.int64), condition=tf.constant(labels)
            )
    with pytest.raises(tf.errors.InvalidArgumentError, match="batch size"):
        sig["serving_default"](noise=noise, condition=tf.constant([0, 1, 2]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="finite"):
        sig["serving_default"](
            noise=tf.constant([[np.nan] * LATENT] * 2), condition=tf.constant([0, 1])
        )

    image = cases("image")
    pixels = tf.fill((2, SIZE, SIZE, CHANNELS), 200.0)  # uint8 scale, not [-1, 1]
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[-1, 1\]"):
        image.loaded.signatures["serving_default"](
            noise=tf.constant(image.noise[:2]), condition=pixels
        )


def test_label_model_without_num_classes_needs_it(tmp_path):
    gan = _tiny_gan("label")
    del gan.num_classes
    with pytest.raises(ValueError, match="num_classes"):
        export.export_generator(gan, tmp_path)
    assert export.list_versions(tmp_path) == []
    path = export.export_generator(gan, tmp_path, num_classes=NUM_CLASSES)
    assert path.endswith(os.sep + "1")


def test_num_classes_must_not_widen_the_models_label_range(tmp_path):
    gan = _tiny_gan("label")  # NUM_CLASSES classes
    with pytest.raises(
        ValueError, match=f"num_classes=7 differs from the model's {NUM_CLASSES}"
    ):
        export.export_generator(gan, tmp_path, num_classes=7)
    assert export.list_versions(tmp_path) == []


def test_a_subclass_prepare_condition_runs_in_the_export(tmp_path):
    """A model's own condition conversion is served too (after tfvgan's checks)."""

    class Flipped(VideoGAN):
        def prepare_condition(self, condition):
            condition = super().prepare_condition(condition)
            return None if condition is None else -condition

    gan = _tiny_gan("image")
    flipped = Flipped(
        generator=gan.generator,
        discriminator=gan.discriminator,
        latent_dim=LATENT,
        frames=FRAMES,
        size=SIZE,
        channels=CHANNELS,
        condition_type="image",
        seed=1,
    )
    assert export._signatures._custom_prepare(
        flipped
    ) and not export._signatures._custom_prepare(gan)
    path = export.export_generator(flipped, tmp_path, use_ema=False)  # verified
    frames = np.random.default_rng(0).uniform(-1, 1, (2, SIZE, SIZE, CHANNELS))
    frames = frames.astype(np.float32)
    noise = np.zeros((2, LATENT), np.float32)
    served = tf.saved_model.load(path).signatures["generate_float"]
    got = served(noise=tf.constant(noise), condition=tf.constant(frames))["video"]
    expected = gan.generate(noise=noise, condition=-frames, use_ema=False)
    np.testing.assert_allclose(got.numpy(), expected, atol=1e-5)


# ---------------------------------------------------------------- versions
def test_versioning_next_integer_and_keep(tmp_path):
    gan = _tiny_gan(None)
    base = tmp_path / "tfvgan"
    assert export.export_generator(gan, base).endswith(os.sep + "1")
    assert export.export_generator(gan, base).endswith(os.sep + "2")
    assert export.export_generator(gan, base, version=7).endswith(os.sep + "7")
    assert export.list_versions(base) == [1, 2, 7]
    with pytest.raises(FileExistsError, match="version 7 already exists"):
        export.export_generator(gan, base, version=7)
    path = export.export_generator(gan, base, keep=2)
    assert path.endswith(os.sep + "8")
    assert export.list_versions(base) == [7, 8]
    assert sorted(os.listdir(base)) == ["7", "8"]
    with pytest.raises(ValueError, match="keep"):
        export.export_generator(gan, base, keep=0)
    with pytest.raises(ValueError, match="version"):
        export.export_generator(gan, base, version=0)
    with pytest.raises(ValueError, match="max_batch"):
        export.export_generator(gan, base, max_batch=0)
    assert export.list_versions(base) == [7, 8]


def test_failed_verification_leaves_no_version(tmp_path, monkeypatch):
    gan = _tiny_gan(None)
    real_reference = export._verify._reference

    def wrong_reference(*args):
        return real_reference(*args) * 0.5

    monkeypatch.setattr(export._verify, "_reference", wrong_reference)
    with pytest.raises(export.ExportError, match="generate_float"):
        export.export_generator(gan, tmp_path)
    assert os.listdir(tmp_path) == []  # neither a version nor a temp folder


# ---------------------------------------------------------------------- CLI
@pytest.mark.slow  # 8 s
def test_cli_exports_a_keras_file(tmp_path):
    gan = _tiny_gan(None)
    model_path = tmp_path / "model.keras"
    gan.save(model_path)
    base = tmp_path / "serving"
    export.export_generator(gan, base)  # version 1, pruned by --keep=1 below
    args = [
        sys.executable,
        "-m",
        "tfvgan.cli.export",
        f"--model_path={model_path}",
        f"--export_dir={base}",
        "--keep=1",
        "--max_batch=8",
    ]
    result = subprocess.run(
        args,
        cwd=REPO,
        env={**_ENV, "PYTHONPATH": REPO},
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().splitlines()[-1] == str(base / "2")
    assert export.list_versions(base) == [2]
    served = tf.saved_model.load(str(base / "2"))
    noise = gan.noise_from_seeds([3, 4])
    got = served.signatures["generate_float"](noise=noise)["video"].numpy()
    np.testing.assert_allclose(got, gan.generate(noise=noise), atol=1e-5)


def test_load_model_rejects_unsupported_sources(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing.keras"):
        builders.load_model(tmp_path / "missing.keras")
    with pytest.raises(ValueError, match="folder without config.json"):
        builders.load_model(tmp_path)
    other = tmp_path / "weights.h5"
    other.write_bytes(b"")
    with pytest.raises(ValueError, match=r"\.keras"):
        builders.load_model(other)
