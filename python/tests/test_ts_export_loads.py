"""TypeScript → Python: `.keras` files written by keras2tfjs' `exportKeras` load in Keras 3.

scripts/export_from_ts.mjs builds tfjs models with the built package (dist/), exports each with
exportKeras and writes the tfjs predictions for a fixed input. Here real Keras loads every file
with `keras.saving.load_model` (safe_mode on, the default) and must

* predict what TypeScript predicted (and, for models first trained in Python and converted,
  what the original Keras model predicted),
* hold the same layers (class and name) with bit-identical weights, and the optimizer state
  TypeScript trained,
* re-serialize the loaded model to exactly the config.json we wrote (Keras' own schema), and
* re-save a model.weights.h5 with exactly our groups, attributes, shapes, dtypes and values.

Models real Keras saves here (keras_compat_models.py) hold the layers the converter maps to
keras2tfjs' compat layers; they go Python → TypeScript (fine-tuned there when compiled) → Python
and must come back as the Keras classes with the configs Keras saved.

`npm test` builds dist/ first; without it this test fails (it is never skipped).
"""

import io
import json
import re
import subprocess
import warnings
import zipfile
from pathlib import Path

import h5py
import keras
import numpy as np
import pytest

import keras2tfjs  # registers keras2tfjs>ManualDropout with Keras serialization
import keras_compat_models

ROOT = Path(__file__).resolve().parents[2]
DIST_INDEX = ROOT / "dist" / "index.js"
EXPORT_SCRIPT = ROOT / "scripts" / "export_from_ts.mjs"

CASES = [
    "python_seed_lambda",
    "python_manual_dropout",
    "seed_model",
    "two_branches",
    "small_cnn",
    "lstm_text",
    "zoo_sequential",
    "zoo_conv",
    "zoo_graph",
    "zoo_wrappers",
    *keras_compat_models.MODELS,
]
# Models first trained in Python (fixtures/), converted by keras2tfjs, exported back.
ROUND_TRIP_CASES = ["python_seed_lambda", "python_manual_dropout"]

# The Keras class each keras2tfjs compat layer is exported as.
KERAS_CLASS_OF_COMPAT = {
    "CausalConv1D": "Conv1D",
    "GroupedConv2D": "Conv2D",
    "ResetAfterGRU": "GRU",
    "BilinearUpSampling2D": "UpSampling2D",
    "KeepDimsGlobalAveragePooling2D": "GlobalAveragePooling2D",
    "KeepDimsGlobalMaxPooling2D": "GlobalMaxPooling2D",
    **{f"Masked{name}": name for name in ("Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum")},
    **{f"Keras{name}": name for name in ("ELU", "ReLU", "Softmax", "Resizing", "CenterCrop", "CategoryEncoding", "Conv3DTranspose")},
}

# Predictions: tfjs (cpu backend) and TensorFlow compute the same float32 graph but sum dot
# products and convolutions in different orders, so results differ by a few units in the last
# place (measured at most 1.2e-7 on outputs of size ~1). 1e-6 is ~16 ulps at 1.0: far above that
# rounding noise and far below any real difference (a wrong weight, activation or layer order
# moves outputs by 1e-2 or more).
PREDICTION_ATOL = 1e-6

# Config numbers: Keras stores some floats through float32 (regularizer factors, the optimizer's
# learning rate), so 0.01 comes back as 0.009999999776482582. A relative 1e-6 is above float32's
# 6e-8 relative precision and below any real change of a setting.
CONFIG_RTOL = 1e-6

# Keras' serialization bookkeeping: ids of objects shared within one save (the dtype policy).
KERAS_SAVE_NOISE = {"shared_object_id"}


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    if not DIST_INDEX.exists():
        pytest.fail(f"{DIST_INDEX} is missing: run `npm run build` (npm test does it) before the Python tests")
    out = tmp_path_factory.mktemp("ts_export")
    keras_compat_models.write_models(out / "keras_made")
    done = subprocess.run(
        ["node", str(EXPORT_SCRIPT), str(out), "--keras-models", str(out / "keras_made")],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, f"export_from_ts.mjs failed:\n{done.stdout}\n{done.stderr}"
    return out


def load(exported, name):
    return keras.saving.load_model(exported / f"{name}.keras")


@pytest.fixture(scope="module")
def loaded(exported):
    """Each file loaded once for the read-only checks (predict, weights, re-serialize, re-save)."""
    cache = {}

    def get(name):
        if name not in cache:
            cache[name] = load(exported, name)
        return cache[name]

    return get


def read_cases(exported):
    return {c["name"]: c for c in json.loads((exported / "cases.json").read_text())}


def test_every_case_was_exported(exported):
    assert sorted(read_cases(exported)) == sorted(CASES)


# --- the archive --------------------------------------------------------------------


@pytest.mark.parametrize("name", CASES)
def test_archive_members_are_what_saving_lib_writes(exported, name):
    with zipfile.ZipFile(exported / f"{name}.keras") as z:
        infos = z.infolist()
        assert [i.filename for i in infos] == ["metadata.json", "config.json", "model.weights.h5"]
        assert all(i.compress_type == zipfile.ZIP_STORED for i in infos)
        metadata = json.loads(z.read("metadata.json"))
    assert sorted(metadata) == ["date_saved", "keras_version"]
    assert metadata["keras_version"] == "3.15.1"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d@\d\d:\d\d:\d\d", metadata["date_saved"])


# --- predictions --------------------------------------------------------------------


@pytest.mark.parametrize("name", CASES)
def test_keras_predicts_what_typescript_predicted(exported, loaded, name):
    case = read_cases(exported)[name]
    model = loaded(name)
    xs = [np.load(exported / f"{name}.input{k}.npy") for k in range(case["inputs"])]
    ys = model.predict(xs if len(xs) > 1 else xs[0], verbose=0)
    ys = list(ys) if isinstance(ys, (list, tuple)) else [ys]
    assert len(ys) == case["outputs"]
    for k, y in enumerate(ys):
        expected = np.load(exported / f"{name}.output{k}.npy")
        y = np.asarray(y)
        assert y.shape == expected.shape
        # Float outputs, or the integer indices of Discretization / IntegerLookup (Keras int32/int64).
        assert y.dtype == expected.dtype == np.float32 or (y.dtype.kind == expected.dtype.kind == "i"), (y.dtype, expected.dtype)
        diff = float(np.max(np.abs(y - expected)))
        print(f"{name} output {k}: max |keras - tfjs| = {diff:.3g}")
        np.testing.assert_allclose(y, expected, rtol=0, atol=PREDICTION_ATOL)


@pytest.mark.parametrize("name", ROUND_TRIP_CASES)
def test_python_model_comes_back_from_typescript_predicting_as_before(exported, loaded, name):
    """Python → TypeScript → Python: the exported file predicts what the original Keras model did."""
    case = read_cases(exported)[name]
    reference = np.load(ROOT / case["python_reference"])
    model = loaded(name)
    y = np.asarray(model.predict(np.load(exported / f"{name}.input0.npy"), verbose=0))
    assert y.shape == reference.shape
    print(f"{name}: max |keras(exported) - keras(original)| = {float(np.max(np.abs(y - reference))):.3g}")
    np.testing.assert_allclose(y, reference, rtol=0, atol=PREDICTION_ATOL)
    # The hand-written dropout (a Lambda in the seed_lambda original) is the ManualDropout twin now.
    assert any(isinstance(layer, keras2tfjs.ManualDropout) for layer in model.layers)


# --- Keras models with layers the converter maps to compat layers -------------------

KERAS_MADE = list(keras_compat_models.MODELS)
KERAS_MADE_UNTOUCHED = [n for n in KERAS_MADE if n not in keras_compat_models.FINE_TUNED]


def load_original(exported, name):
    # Uncompiled: the originals were compiled but never trained, so they hold no optimizer state.
    return keras.saving.load_model(exported / "keras_made" / f"{name}.keras", compile=False)


def as_json(config):
    return json.loads(json.dumps(config))


@pytest.mark.parametrize("name", KERAS_MADE)
def test_compat_layers_come_back_as_the_layers_keras_saved(exported, loaded, name):
    """Same Keras classes, each with the config Keras saved (fine-tuning changes weights only)."""
    original, back = load_original(exported, name), loaded(name)
    assert [type(layer).__name__ for layer in back.layers] == [type(layer).__name__ for layer in original.layers]
    for before, after in zip(original.layers, back.layers):
        assert_same_json(as_json(after.get_config()), as_json(before.get_config()), f"{name}/{before.name}")


@pytest.mark.parametrize("name", KERAS_MADE)
def test_compat_weights_are_keras_own_but_for_what_typescript_trained(exported, loaded, name):
    original, back = load_original(exported, name), loaded(name)
    fine_tuned = name in keras_compat_models.FINE_TUNED
    # A variable created without a name (ConvNeXt's LayerScale gamma) is 'variable_<n>', n counted
    # per Python session, not stored in the file: compared without the count.
    def described(weights):
        return [(re.sub(r"/variable_\d+$", "/variable", w.path), w.dtype, tuple(w.shape)) for w in weights]

    assert described(back.weights) == described(original.weights)
    for before, after in zip(original.weights, back.weights):
        a, b = keras.ops.convert_to_numpy(before), keras.ops.convert_to_numpy(after)
        if fine_tuned and before.trainable:
            assert np.any(a != b), f"{after.path} was not trained in TypeScript"
        else:
            # Normalization's mean, variance and int64 count are statistics, never trained.
            np.testing.assert_array_equal(b, a, err_msg=after.path)


@pytest.mark.parametrize("name", KERAS_MADE_UNTOUCHED)
def test_compat_model_predicts_as_the_keras_original(exported, loaded, name):
    """Python → TypeScript → Python without training: the export predicts what Keras first did."""
    folder = exported / "keras_made"
    case = read_cases(exported)[name]
    xs = [np.load(folder / f"{name}.x{k}.npy") for k in range(case["inputs"])]
    ys = loaded(name).predict(xs if len(xs) > 1 else xs[0], verbose=0)
    ys = list(ys) if isinstance(ys, (list, tuple)) else [ys]
    for k, y in enumerate(ys):
        reference = np.load(folder / f"{name}.y{k}.npy")
        print(f"{name} output {k}: max |keras(exported) - keras(original)| = {float(np.max(np.abs(y - reference))):.3g}")
        np.testing.assert_allclose(y, reference, rtol=0, atol=PREDICTION_ATOL)


# --- layers and weights -------------------------------------------------------------


def keras_leaf_layers(model):
    """Layers by name, nested models opened (the models themselves left out)."""
    found = {}
    for layer in model.layers:
        if hasattr(layer, "layers"):
            found.update(keras_leaf_layers(layer))
        else:
            found[layer.name] = layer
    return found


@pytest.mark.parametrize("name", CASES)
def test_layers_and_weights_are_the_typescript_ones(exported, loaded, name):
    model = loaded(name)
    by_name = keras_leaf_layers(model)
    ts_layers = json.loads((exported / f"{name}.layers.json").read_text())
    assert sorted(by_name) == sorted(t["name"] for t in ts_layers)
    for ts in ts_layers:
        layer = by_name[ts["name"]]
        assert type(layer).__name__ == KERAS_CLASS_OF_COMPAT.get(ts["class_name"], ts["class_name"])
        assert len(layer.weights) == len(ts["weights"]), ts["name"]
        # Same order but where tfjs lists trainable weights first (a wrapper's own non-trainable
        # vector_u before its layer's bias in Keras): compared by variable name, stably.
        last = lambda name: name.split("/")[-1].split(":")[0]  # noqa: E731
        keras_weights = sorted(layer.weights, key=lambda v: last(v.path))
        ts_weights = sorted(ts["weights"], key=lambda w: last(w["name"]))
        for kv, tw in zip(keras_weights, ts_weights):
            value = keras.ops.convert_to_numpy(kv)
            assert list(value.shape) == tw["shape"], tw["name"]
            np.testing.assert_array_equal(value, np.asarray(tw["values"], np.float32).reshape(tw["shape"]))


def test_manual_dropout_comes_back_as_the_python_twin(exported):
    model = load(exported, "seed_model")
    dropout = model.get_layer("manual_dropout")
    assert isinstance(dropout, keras2tfjs.ManualDropout)
    assert (dropout.rate, dropout.seed, dropout.scaling, dropout.always_on, dropout.rng) == (
        0.5, 1337, "train", False, "tensorflow"
    )
    x = np.load(exported / "seed_model.input0.npy")
    # Dropped at training time, stepped aside at inference: the two passes differ, inference matches TS.
    hidden = keras.Model(model.inputs[0], dropout.output)
    trained = keras.ops.convert_to_numpy(hidden(x, training=True))
    inferred = keras.ops.convert_to_numpy(hidden(x, training=False))
    assert np.count_nonzero(trained == 0) > np.count_nonzero(inferred == 0)


@pytest.mark.parametrize(
    "name, optimizer_class, loss",
    [
        ("seed_model", "RMSprop", "binary_crossentropy"),
        ("two_branches", "Adam", "categorical_crossentropy"),
        # Compiled in Python, converted with compile: true and fine-tuned in TypeScript.
        ("keras_compat_functional", "Adam", "mean_squared_error"),
        ("keras_normalizations", "RMSprop", "mean_squared_error"),
    ],
)
def test_compile_settings_and_optimizer_state_come_back(exported, name, optimizer_class, loss):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = load(exported, name)
    # Keras warns "Skipping variable loading for optimizer" when the saved state does not fit.
    assert not [w for w in caught if "Skipping variable loading" in str(w.message)]
    assert model.compiled
    assert type(model.optimizer).__name__ == optimizer_class
    assert model.loss == loss
    iterations = int(keras.ops.convert_to_numpy(model.optimizer.iterations))
    assert iterations == read_cases(exported)[name]["iterations"] > 0
    # Every slot was trained in TypeScript: none is still at Keras' zero start.
    slots = model.optimizer.variables[2:]
    assert len(slots) > 0
    assert all(np.any(keras.ops.convert_to_numpy(v) != 0) for v in slots)


# --- config.json is Keras' own serialization ----------------------------------------


def strip_noise(obj):
    if isinstance(obj, dict):
        return {k: strip_noise(v) for k, v in obj.items() if k not in KERAS_SAVE_NOISE}
    if isinstance(obj, (list, tuple)):
        return [strip_noise(v) for v in obj]
    return obj


def assert_same_json(ours, keras_own, path="config"):
    if isinstance(ours, dict) and isinstance(keras_own, dict):
        assert sorted(ours) == sorted(keras_own), f"{path}: keys differ"
        for key in ours:
            assert_same_json(ours[key], keras_own[key], f"{path}/{key}")
    elif isinstance(ours, list) and isinstance(keras_own, list):
        assert len(ours) == len(keras_own), f"{path}: lengths differ"
        for i, (a, b) in enumerate(zip(ours, keras_own)):
            assert_same_json(a, b, f"{path}[{i}]")
    elif isinstance(ours, bool) or isinstance(keras_own, bool) or not isinstance(ours, (int, float)):
        assert ours == keras_own, f"{path}: {ours!r} != {keras_own!r}"
    else:
        assert keras_own == pytest.approx(ours, rel=CONFIG_RTOL), path


@pytest.mark.parametrize("name", CASES)
def test_config_json_is_what_keras_serializes_for_the_loaded_model(exported, loaded, name):
    with zipfile.ZipFile(exported / f"{name}.keras") as z:
        ours = json.loads(z.read("config.json"))
    model = loaded(name)
    keras_own = strip_noise(json.loads(json.dumps(keras.saving.serialize_keras_object(model))))
    assert_same_json(ours, keras_own)


# --- model.weights.h5 is what Keras writes ------------------------------------------


# Keras names the softmax and dropout sublayers of an attention layer when it creates them
# ('softmax', 'softmax_6', ... by a per-session counter) and never reads those names back; the
# name attribute of their (empty) groups is the only part of the file that depends on the session.
AUTO_NAMED_GROUPS = re.compile(r"/(_softmax|_dropout_layer)/vars$")


def h5_tree(data):
    tree = {}
    with h5py.File(io.BytesIO(data), "r") as f:
        def visit(path, obj):
            attrs = {k: (v.decode() if isinstance(v, bytes) else str(v)) for k, v in obj.attrs.items()}
            if AUTO_NAMED_GROUPS.search(path):
                attrs.pop("name", None)
            if isinstance(obj, h5py.Dataset):
                tree[path] = ("dataset", attrs, obj.shape, obj.dtype.str, obj[()].tobytes())
            else:
                tree[path] = ("group", attrs)
        f.visititems(visit)
    return tree


@pytest.mark.parametrize("name", CASES)
def test_weights_file_is_laid_out_as_keras_lays_it_out(exported, loaded, name, tmp_path):
    with zipfile.ZipFile(exported / f"{name}.keras") as z:
        ours = h5_tree(z.read("model.weights.h5"))
    model = loaded(name)
    model.save(tmp_path / "resaved.keras")
    with zipfile.ZipFile(tmp_path / "resaved.keras") as z:
        keras_own = h5_tree(z.read("model.weights.h5"))
    # Compiled cases included: Keras re-saves the optimizer state it loaded from our file.
    assert ours == keras_own
