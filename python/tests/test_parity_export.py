"""keras2tfjs.export_parity_fixture on the active Keras backend (test_other_backend.py runs this
file on the other one): what it records is what Keras does with the saved model, file by file;
what it cannot record it says, with the fix; bad arguments are refused before anything is written.
"""

import json

import keras
import numpy as np
import pytest

import keras2tfjs
from keras2tfjs.parity.export import RELOAD_RTOL
from keras2tfjs.parity.tolerances import TOLERANCES

BACKEND = keras.backend.backend()
ROWS = 12


def as_numpy(t):
    return np.asarray(keras.ops.convert_to_numpy(t))


def two_in_two_out(bias_before_bn=False, optimizer="adam"):
    """Two inputs, two outputs, BatchNormalization and the three replayable dropout kinds."""
    sequence = keras.Input((5, 3), name="sequence")
    features = keras.Input((4,), name="features")
    s = keras.layers.SpatialDropout1D(0.3, seed=1, name="spatial")(sequence)
    s = keras.layers.Flatten(name="flatten")(s)
    f = keras.layers.Dense(6, use_bias=bias_before_bn, name="dense")(features)
    f = keras.layers.BatchNormalization(name="bn")(f)
    f = keras.layers.Dropout(0.5, seed=2, name="drop")(f)
    h = keras.layers.Concatenate(name="concat")([s, f])
    h = keras2tfjs.ManualDropout(0.2, seed=3, name="manual")(h)
    a = keras.layers.Dense(1, activation="sigmoid", name="a")(h)
    b = keras.layers.Dense(2, name="b")(h)
    model = keras.Model([sequence, features], [a, b])
    model.compile(optimizer=optimizer, loss=["binary_crossentropy", "mse"])
    return model


def data(rows=ROWS, seed=0):
    rng = np.random.default_rng(seed)
    x = [rng.normal(size=(rows, 5, 3)).astype("float32"), rng.normal(size=(rows, 4)).astype("float32")]
    y = [(x[1][:, :1] > 0).astype("float32"), rng.normal(size=(rows, 2)).astype("float32")]
    return x, y


def trained(model, x, y):
    model.fit(x, y, epochs=1, batch_size=4, verbose=0)
    return model


def assert_as_keras_computes_it(recorded, computed):
    """Floats Keras computed again from the same file: on TensorFlow bit for bit; XLA (JAX) may
    compile two loads' functions differently by an ulp, so within the exporter's own reload bound."""
    np.testing.assert_allclose(recorded, computed, rtol=0, atol=RELOAD_RTOL * max(1.0, float(np.max(np.abs(computed)))))


def load_parity(folder):
    return json.loads((folder / "parity.json").read_text())


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    keras.utils.set_random_seed(7)
    x, y = data()
    model = trained(two_in_two_out(), x, y)
    folder = tmp_path_factory.mktemp("kit") / "fixture"
    returned = keras2tfjs.export_parity_fixture(model, folder, x, y, batch_size=4, train_steps=3)
    return model, x, y, folder, returned


def test_parity_json_states_backend_versions_cpu_tolerances_and_every_file(exported):
    _, _, _, folder, returned = exported
    parity = load_parity(folder)
    assert parity == returned
    assert parity["format"] == "keras2tfjs-parity" and parity["format_version"] == 1
    assert parity["backend"] == BACKEND
    assert parity["versions"]["keras"] == keras.__version__
    assert parity["versions"]["keras2tfjs"] == keras2tfjs.__version__
    assert ("tensorflow" if BACKEND == "tensorflow" else "jax") in parity["versions"]
    assert parity["made_on"]["cpu"] and parity["made_on"]["machine"]
    assert parity["tolerances"] == TOLERANCES
    assert all(t["why"] for t in parity["tolerances"].values())
    on_disk = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() and p.name != "parity.json")
    assert sorted(parity["files"]) == on_disk
    assert all(isinstance(why, str) and why for why in parity["files"].values())
    assert parity["not_recorded"] == []


def test_inference_is_what_the_saved_model_predicts(exported):
    model, x, _, folder, _ = exported
    parity = load_parity(folder)
    assert [i["name"] for i in parity["model"]["inputs"]] == ["sequence", "features"]
    for entry, array in zip(parity["model"]["inputs"], x):
        np.testing.assert_array_equal(np.load(folder / entry["file"]), array)
    reloaded = keras.saving.load_model(folder / "model.keras")
    predicted = reloaded.predict(x, verbose=0)
    assert [o["name"] for o in parity["inference"]["outputs"]] == ["a", "b"]
    for entry, want in zip(parity["inference"]["outputs"], predicted):
        assert_as_keras_computes_it(np.load(folder / entry["file"]), want)


def test_training_calls_record_each_stream_from_its_start_and_masks_that_explain_the_layer(exported):
    _, x, _, folder, _ = exported
    parity = load_parity(folder)
    training = parity["training"]
    assert training["rows"] == 4
    assert [len(c["outputs"]) for c in training["calls"]] == [2, 2]
    for call, entry in enumerate(training["calls"]):
        assert [(m["layer"], m["class_name"], m["state"]) for m in entry["masks"]] == [
            ("spatial", "SpatialDropout1D", [1, call]),
            ("drop", "Dropout", [2, call]),
            ("manual", "ManualDropout", [3, call]),
        ]
    # The spatial mask is one value per sample and channel; replaying it over the input gives
    # what a fresh layer at that state outputs on the first batch.
    spatial = training["calls"][1]["masks"][0]
    mask = np.load(folder / spatial["file"])
    assert spatial["shape"] == [4, 1, 3] and mask.dtype == np.uint8
    layer = keras.layers.SpatialDropout1D(0.3, seed=1)
    layer.seed_generator.state.assign(keras.ops.convert_to_tensor([1, 1], dtype=layer.seed_generator.state.dtype))
    out = as_numpy(layer(x[0][:4], training=True))
    np.testing.assert_array_equal(out != 0, np.broadcast_to(mask != 0, out.shape) & (x[0][:4] != 0))
    # The calls themselves: a fresh load, called twice in training mode.
    reloaded = keras.saving.load_model(folder / "model.keras")
    for entry in training["calls"]:
        got = reloaded([a[:4] for a in x], training=True)
        for output, want in zip(entry["outputs"], got):
            assert_as_keras_computes_it(np.load(folder / output["file"]), as_numpy(want))


def test_resumed_steps_are_keras_own_train_on_batch_from_the_saved_state(exported):
    model, x, y, folder, _ = exported
    resume = load_parity(folder)["resume"]
    assert resume["steps"] == 3 and resume["batch_size"] == 4 and resume["batches"] == [[0, 4], [4, 8], [8, 12]]
    assert resume["optimizer"]["class_name"] == "Adam"
    assert resume["optimizer"]["iterations"] == 3  # one epoch of 12 rows in batches of 4
    reloaded = keras.saving.load_model(folder / "model.keras")
    losses = []
    for start, stop in resume["batches"]:
        losses.append(reloaded.train_on_batch([a[start:stop] for a in x], [t[start:stop] for t in y], return_dict=True)["loss"])
    assert_as_keras_computes_it(np.load(folder / resume["losses"]), np.asarray(losses, np.float32))
    paths = [w["path"] for w in resume["weights"]]
    assert paths == [v.path for v in reloaded.weights]
    for entry, variable in zip(resume["weights"], reloaded.weights):
        stacked = np.load(folder / entry["file"])
        assert stacked.shape == (3, *variable.shape)
        assert_as_keras_computes_it(stacked[-1], as_numpy(variable))
        assert entry["not_comparable"] is None
    assert {(w["layer"], w["name"]) for w in resume["weights"]} >= {("bn", "moving_mean"), ("dense", "kernel"), ("a", "bias")}


def test_dicts_by_name_are_taken_like_lists(exported, tmp_path):
    model, x, y, _, _ = exported
    parity = keras2tfjs.export_parity_fixture(
        model, tmp_path / "by_name", {"features": x[1], "sequence": x[0]}, {"b": y[1], "a": y[0]}, train_steps=1
    )
    np.testing.assert_array_equal(np.load(tmp_path / "by_name" / parity["model"]["inputs"][0]["file"]), x[0])
    np.testing.assert_array_equal(np.load(tmp_path / "by_name" / parity["resume"]["targets"][1]["file"]), y[1])


def test_a_bias_right_before_batch_normalization_is_marked_not_comparable_under_adam_only(tmp_path):
    x, y = data()
    adam = keras2tfjs.export_parity_fixture(trained(two_in_two_out(bias_before_bn=True), x, y), tmp_path / "adam", x, y, train_steps=1)
    marked = {w["path"]: w["not_comparable"] for w in adam["resume"]["weights"] if w["not_comparable"]}
    assert sorted(marked) == ["bn/moving_mean", "dense/bias"]
    assert marked["dense/bias"].startswith("'dense' adds a bias right before BatchNormalization 'bn'")
    assert marked["dense/bias"].endswith("fix: Dense(..., use_bias=False) before BatchNormalization, as Keras' own applications do")
    # SGD steps by lr * gradient: the noise stays noise-sized, and comparable.
    sgd = keras2tfjs.export_parity_fixture(trained(two_in_two_out(True, "sgd"), x, y), tmp_path / "sgd", x, y, train_steps=1)
    assert all(w["not_comparable"] is None for w in sgd["resume"]["weights"])


@pytest.mark.parametrize(
    "layer, why",
    [
        (lambda: keras.layers.Dropout(0.5, name="noisy"), "Dropout has no seed, so Keras draws a random one each time the model is loaded"),
        (lambda: keras.layers.GaussianNoise(0.1, seed=3, name="noisy"), "GaussianNoise draws random numbers in training from a stream tfjs draws differently"),
        (lambda: keras.layers.GaussianDropout(0.1, seed=3, name="noisy"), "GaussianDropout draws random numbers in training from a stream tfjs draws differently"),
    ],
)
def test_what_typescript_cannot_replay_is_not_recorded_and_said(tmp_path, layer, why):
    inputs = keras.Input((4,), name="features")
    outputs = keras.layers.Dense(1)(layer()(keras.layers.Dense(3)(inputs)))
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="adam", loss="mse")
    x, y = np.ones((4, 4), "float32"), np.zeros((4, 1), "float32")
    parity = keras2tfjs.export_parity_fixture(model, tmp_path / "f", x, y)
    assert parity["training"] is None and parity["resume"] is None
    assert parity["not_recorded"][0]["what"] == "training"
    assert parity["not_recorded"][0]["layer"] == "noisy"
    assert parity["not_recorded"][0]["why"] == why
    assert parity["not_recorded"][0]["fix"]
    assert parity["not_recorded"][1]["what"] == "resume"
    assert not (tmp_path / "f" / "training").exists()


def random_lambda(x, training=None):
    # Keras 3's Lambda passes `training` to a function that takes it; unseeded: Keras' global generator.
    return keras.random.dropout(x, 0.5) if training else x


def test_randomness_hidden_in_a_lambda_is_found_by_two_loads_and_not_recorded(tmp_path):
    inputs = keras.Input((4,), name="features")
    model = keras.Model(inputs, keras.layers.Dense(1)(keras.layers.Lambda(random_lambda, name="hidden_random")(inputs)))
    model.compile(optimizer="adam", loss="mse")
    x, y = np.ones((4, 4), "float32"), np.zeros((4, 1), "float32")
    parity = keras2tfjs.export_parity_fixture(model, tmp_path / "f", x, y, seed=5)
    # A Lambda holds Python code: Keras loads it back only with safe_mode off, which parity.json says.
    assert parity["loaded_with_safe_mode"] is False
    assert parity["training"] is None and parity["resume"] is None
    assert parity["not_recorded"][0]["what"] == "training"
    assert parity["not_recorded"][0]["why"].startswith("two loads of the model give different training-phase outputs")
    # A Lambda that draws nothing is deterministic: training is recorded.
    plain = keras.Model(inputs, keras.layers.Dense(1)(keras.layers.Lambda(lambda t: t * 2.0)(inputs)))
    assert keras2tfjs.export_parity_fixture(plain, tmp_path / "g", x)["training"] is not None


def always_random(x):
    return keras.random.dropout(x, 0.5)  # at inference too


def test_a_model_that_predicts_randomly_is_refused(tmp_path):
    inputs = keras.Input((4,), name="features")
    always = keras.layers.Lambda(always_random, output_shape=(4,), name="always_random")(inputs)
    model = keras.Model(inputs, keras.layers.Dense(1, name="out")(always))
    # On JAX, Keras itself refuses unseeded random ops in a traced (predict) function.
    refused = (
        r"predicts differently from the live model \(output 'out'\): a layer draws random numbers at inference"
        if BACKEND == "tensorflow"
        else r"\[JAX RNG\] When tracing a JAX function, you should only use seeded random ops"
    )
    with pytest.raises(Exception, match=refused):
        keras2tfjs.export_parity_fixture(model, tmp_path / "f", np.ones((4, 4), "float32"))
    assert list(tmp_path.iterdir()) == []


def test_without_y_or_compile_resumed_training_is_not_recorded(tmp_path):
    inputs = keras.Input((4,), name="features")
    model = keras.Model(inputs, keras.layers.Dense(1)(keras.layers.Dropout(0.5, seed=1)(inputs)))
    x = np.ones((4, 4), "float32")
    uncompiled = keras2tfjs.export_parity_fixture(model, tmp_path / "uncompiled", x, np.zeros((4, 1), "float32"))
    assert uncompiled["resume"] is None and uncompiled["training"] is not None
    assert uncompiled["not_recorded"] == [{
        "what": "resume", "layer": None,
        "why": "the model is not compiled, so it has no optimizer or loss to continue with",
        "fix": "compile it as you train it, then export",
    }]
    model.compile(optimizer="sgd", loss="mse")
    no_y = keras2tfjs.export_parity_fixture(model, tmp_path / "no_y", x)
    assert no_y["not_recorded"][0]["why"] == "no targets: y was not given"


@pytest.mark.parametrize(
    "x, message",
    [
        ([np.ones((4, 5, 3), "float32")], r"`x` holds 1 array\(s\), the model has 2 input\(s\); pass one array per input \(sequence, features\)"),
        ({"sequence": np.ones((4, 5, 3), "float32")}, r"`x` is a dict with keys \['sequence'\], the model's inputs are \['sequence', 'features'\]"),
        ([np.ones((4, 5, 3), "float32"), np.ones((3, 4), "float32")], r"the arrays of `x` have different numbers of rows \[3, 4\]"),
    ],
)
def test_bad_inputs_are_refused_before_anything_is_written(exported, tmp_path, x, message):
    model = exported[0]
    with pytest.raises(ValueError, match=r"^export_parity_fixture: " + message):
        keras2tfjs.export_parity_fixture(model, tmp_path / "never", x)
    assert list(tmp_path.iterdir()) == []


def test_a_folder_that_is_not_a_fixture_is_not_replaced_a_fixture_is(exported, tmp_path):
    model, x, y, _, _ = exported
    occupied = tmp_path / "occupied"
    occupied.mkdir()
    (occupied / "notes.txt").write_text("mine")
    with pytest.raises(ValueError, match="exists and is not a parity fixture; choose a new or empty directory"):
        keras2tfjs.export_parity_fixture(model, occupied, x, y)
    assert [p.name for p in occupied.iterdir()] == ["notes.txt"]
    target = tmp_path / "again"
    keras2tfjs.export_parity_fixture(model, target, x, y, train_steps=1)
    (target / "stale.npy").write_text("from an older export")
    keras2tfjs.export_parity_fixture(model, target, x, y, train_steps=2)
    assert not (target / "stale.npy").exists()
    assert load_parity(target)["resume"]["steps"] == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["again", "occupied"]  # no staging left behind


@pytest.mark.parametrize("kwargs, message", [
    ({"train_steps": -1}, "`train_steps` must be an integer >= 0, got -1"),
    ({"batch_size": 0}, "`batch_size` must be an integer >= 1, got 0"),
    ({"seed": "1"}, "`seed` must be an integer or None, got '1'"),
])
def test_bad_options_are_refused(exported, tmp_path, kwargs, message):
    model, x, y, _, _ = exported
    with pytest.raises(ValueError, match=r"^export_parity_fixture: " + message.replace("(", r"\(").replace(")", r"\)")):
        keras2tfjs.export_parity_fixture(model, tmp_path / "f", x, y, **kwargs)
