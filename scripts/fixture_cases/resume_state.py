"""resume_state: optimizer state saved by real Keras, and Keras' own 10 steps continued from it.

A small model (Dense(8, relu) -> BatchNormalization -> [Dropout(0.3, seed)] -> Dense(1, sigmoid))
is fitted one epoch (4 steps), saved, loaded back by the same Keras, and trained 10 more
train_on_batch steps on fixed batches. The TypeScript test loads each saved file with
`loadKerasModel(file, {compile: true})`, which must restore the iteration count and every
optimizer slot, continues the same 10 steps, and compares the weights after each step.

- Keras 3 (`keras`), per optimizer: `model.keras` and the legacy `model.h5`. Keras 3.15 cannot
  continue from its own .h5 (its loader builds the optimizer over no variables, so the next step
  fails with "Unknown variable"); the state the .h5 holds is the .keras file's (checked here), so
  both files are compared with the continuation from model.keras.
- tf.keras 2 (`tf_keras`, no dropout: its stream is not reproducible), with the current
  optimizers and with the legacy ones (`tf_keras.optimizers.legacy`, what TF <= 2.10 saved):
  `model.h5` and/or the SavedModel directory `saved_model/`, continued by tf_keras itself.
- `untrained/model.keras` and `no_state/model.h5`: compiled, never trained (step 0; no state at all).

Usage (fixture protocol): python scripts/fixture_cases/resume_state.py <out_root>
"""

import shutil

import h5py
import keras
import numpy as np
import tf_keras

import fixture_common as fc

CASE = "resume_state"
FEATURES, HIDDEN, ROWS, BATCH = 6, 8, 32, 8
FIT_EPOCHS = 1  # 4 steps of state before saving
STEPS = 10
DROPOUT = {"rate": 0.3, "seed": 11}

# run name -> (Keras 3 optimizer class, arguments)
KERAS3_RUNS = {
    "sgd_momentum": ("SGD", {"learning_rate": 0.05, "momentum": 0.9}),
    "sgd_nesterov": ("SGD", {"learning_rate": 0.05, "momentum": 0.9, "nesterov": True}),
    "rmsprop": ("RMSprop", {"learning_rate": 0.01}),
    "rmsprop_centered": ("RMSprop", {"learning_rate": 0.01, "momentum": 0.5, "centered": True}),
    "adam": ("Adam", {"learning_rate": 0.01}),
    "adam_amsgrad": ("Adam", {"learning_rate": 0.01, "amsgrad": True}),
    "adamw": ("AdamW", {"learning_rate": 0.01, "weight_decay": 0.1}),
}
# run name -> (tf_keras optimizer module path, class, arguments, formats saved)
TF_KERAS_RUNS = {
    "tfk_adam_amsgrad": ("optimizers", "Adam", {"learning_rate": 0.01, "amsgrad": True}, ("h5", "saved_model")),
    "tfk_rmsprop_centered": ("optimizers", "RMSprop", {"learning_rate": 0.01, "momentum": 0.5, "centered": True}, ("h5",)),
    "tfk_sgd_nesterov": ("optimizers", "SGD", {"learning_rate": 0.05, "momentum": 0.9, "nesterov": True}, ("h5",)),
    "tfk_adamw": ("optimizers", "AdamW", {"learning_rate": 0.01, "weight_decay": 0.1}, ("h5",)),
    "tfk_legacy_adam_amsgrad": ("optimizers.legacy", "Adam", {"learning_rate": 0.01, "amsgrad": True}, ("h5",)),
    "tfk_legacy_rmsprop_centered": (
        "optimizers.legacy", "RMSprop", {"learning_rate": 0.01, "momentum": 0.5, "centered": True}, ("h5", "saved_model"),
    ),
    "tfk_legacy_sgd_momentum": ("optimizers.legacy", "SGD", {"learning_rate": 0.05, "momentum": 0.9}, ("h5",)),
}


def data():
    rng = np.random.default_rng(fc.DEFAULT_SEED)
    x = rng.normal(size=(ROWS, FEATURES)).astype(np.float32)
    y = (x[:, :3].sum(axis=1, keepdims=True) + 0.3 * rng.normal(size=(ROWS, 1)) > 0).astype(np.float32)
    return x, y


def batch(step):
    """Rows of continued step `step` (0-based): the fit's batches again, in order."""
    start = (step * BATCH) % ROWS
    return slice(start, start + BATCH)


def build(K, dropout):
    inputs = K.Input((FEATURES,), name="features")
    h = K.layers.Dense(HIDDEN, activation="relu", name="hidden")(inputs)
    h = K.layers.BatchNormalization(name="norm")(h)
    if dropout:
        h = K.layers.Dropout(name="dropout", **DROPOUT)(h)
    outputs = K.layers.Dense(1, activation="sigmoid", name="output")(h)
    return K.Model(inputs, outputs, name="resume_model")


def continue_training(model, x, y):
    """STEPS train_on_batch steps: weights after each ([STEPS, ...] per weight) and losses."""
    history = [[] for _ in model.weights]
    losses = []
    for step in range(STEPS):
        rows = batch(step)
        losses.append(float(np.asarray(model.train_on_batch(x[rows], y[rows]))))
        for i, w in enumerate(model.weights):
            history[i].append(np.asarray(w))
    return [np.stack(h) for h in history], np.asarray(losses, np.float32)


def save_continuation(out, run, weights, losses, model, files):
    for i, (w, stacked) in enumerate(zip(model.weights, weights)):
        name = fc.save_npy(out / run, f"step_weights_{i}.npy", stacked, dtype=np.float32)
        files[f"{run}/{name}"] = f"float32 [{STEPS}, ...]: {w.path if hasattr(w, 'path') else w.name} after continued steps 1..{STEPS}"
    fc.save_npy(out / run, "losses.npy", losses)
    files[f"{run}/losses.npy"] = f"float32 [{STEPS}]: the loss train_on_batch reported at each continued step"


def weight_names(model):
    return [w.path if hasattr(w, "path") else w.name.removesuffix(":0") for w in model.weights]


def keras3_run(out, run, class_name, kwargs, x, y, files):
    fc.seed_everything(keras)
    model = build(keras, dropout=True)
    model.compile(optimizer=getattr(keras.optimizers, class_name)(**kwargs), loss="binary_crossentropy", jit_compile=False)
    model.fit(x, y, epochs=FIT_EPOCHS, batch_size=BATCH, shuffle=False, verbose=0)
    (out / run).mkdir()
    model.save(out / run / "model.keras")  # before .h5, which drops the optimizer from the compile config
    fc.pin_keras_archive(out / run / "model.keras")
    model.save(out / run / "model.h5")
    files[f"{run}/model.keras"] = f"Keras 3 {class_name}{kwargs} after {FIT_EPOCHS} epoch (optimizer/vars in model.weights.h5)"
    files[f"{run}/model.h5"] = "the same model as Keras 3 legacy HDF5 (optimizer_weights group)"
    check_h5_holds_keras_state(out / run)
    loaded = keras.saving.load_model(out / run / "model.keras")
    weights, losses = continue_training(loaded, x, y)
    save_continuation(out, run, weights, losses, loaded, files)
    return {
        "keras": "keras", "optimizer": class_name, "arguments": kwargs, "files": ["model.keras", "model.h5"],
        "iterations_saved": int(np.asarray(loaded.optimizer.iterations)) - STEPS,
        "weights": weight_names(loaded),
    }


def check_h5_holds_keras_state(folder):
    """The .h5's optimizer_weights are the .keras file's optimizer/vars, value for value."""
    import io
    import zipfile

    with zipfile.ZipFile(folder / "model.keras") as archive:
        with h5py.File(io.BytesIO(archive.read("model.weights.h5"))) as weights:
            group = weights["optimizer/vars"]
            from_keras = [group[str(i)][()] for i in range(len(group))]
    with h5py.File(folder / "model.h5") as legacy:
        group = legacy["optimizer_weights"]
        from_h5 = [group[n][()] for n in [n.decode() if isinstance(n, bytes) else n for n in group.attrs["weight_names"]]]
    if len(from_h5) != len(from_keras) or any(not np.array_equal(a, b) for a, b in zip(from_keras, from_h5)):
        raise SystemExit(f"{folder.name}: model.h5 does not hold the optimizer state of model.keras")


def tf_keras_run(out, run, module, class_name, kwargs, formats, x, y, files):
    import tensorflow as tf

    fc.seed_everything(tf_keras)
    model = build(tf_keras, dropout=False)
    optimizer_module = tf_keras.optimizers.legacy if module.endswith("legacy") else tf_keras.optimizers
    model.compile(optimizer=getattr(optimizer_module, class_name)(**kwargs), loss="binary_crossentropy")
    model.fit(x, y, epochs=FIT_EPOCHS, batch_size=BATCH, shuffle=False, verbose=0)
    (out / run).mkdir()
    saved = []
    if "h5" in formats:
        model.save(out / run / "model.h5")
        files[f"{run}/model.h5"] = f"tf_keras {module}.{class_name}{kwargs} after {FIT_EPOCHS} epoch, legacy HDF5 (optimizer_weights)"
        saved.append("model.h5")
    if "saved_model" in formats:
        save_saved_model(model, out / run / "saved_model")
        files[f"{run}/saved_model"] = "the same model as a tf_keras SavedModel (optimizer state in the variables checkpoint); fingerprint.pb removed"
        saved.append("saved_model")
    # Continue from what was saved, as a user would (the first format; both hold the same state).
    loaded = tf_keras.models.load_model(out / run / saved[0])
    iterations = int(tf.keras.backend.get_value(loaded.optimizer.iterations))
    weights, losses = continue_training(loaded, x, y)
    save_continuation(out, run, weights, losses, loaded, files)
    return {
        "keras": "tf_keras", "optimizer": f"{module}.{class_name}", "arguments": kwargs, "files": saved,
        "iterations_saved": iterations, "weights": weight_names(loaded),
    }


def save_saved_model(model, path):
    if path.exists():
        shutil.rmtree(path)
    model.save(path, save_format="tf")
    fingerprint = path / "fingerprint.pb"
    if fingerprint.exists():
        fingerprint.unlink()  # hashes plus a random UUID: not needed to load


def stateless_files(out, files):
    """Compiled models never trained: Keras 3 saves the optimizer at step 0 without slots; a
    tf_keras legacy optimizer saves nothing at all (its variables are made on the first step)."""
    fc.seed_everything(keras)
    untrained = build(keras, dropout=False)
    untrained.compile(optimizer="adam", loss="binary_crossentropy")
    (out / "untrained").mkdir()
    untrained.save(out / "untrained" / "model.keras")
    fc.pin_keras_archive(out / "untrained" / "model.keras")
    files["untrained/model.keras"] = "Keras 3, compiled with adam, never trained: optimizer/vars holds step 0 and the learning rate, no slots"
    fc.seed_everything(tf_keras)
    legacy = build(tf_keras, dropout=False)
    legacy.compile(optimizer=tf_keras.optimizers.legacy.Adam(), loss="binary_crossentropy")
    (out / "no_state").mkdir()
    legacy.save(out / "no_state" / "model.h5")
    files["no_state/model.h5"] = "tf_keras, compiled with the legacy Adam, never trained: training_config but no optimizer_weights"


def main():
    fc.deterministic_tensorflow()
    out = fc.case_dir(CASE)
    x, y = data()
    fc.save_npy(out, "x.npy", x)
    fc.save_npy(out, "y.npy", y)
    files = {
        "x.npy": f"float32 [{ROWS}, {FEATURES}]: the rows; fit and continued step k use rows [8k mod 32, +8)",
        "y.npy": f"float32 [{ROWS}, 1]: 0/1 labels",
    }
    runs = {}
    for run, (class_name, kwargs) in KERAS3_RUNS.items():
        runs[run] = keras3_run(out, run, class_name, kwargs, x, y, files)
    for run, (module, class_name, kwargs, formats) in TF_KERAS_RUNS.items():
        runs[run] = tf_keras_run(out, run, module, class_name, kwargs, formats, x, y, files)
    stateless_files(out, files)
    fc.write_case_json(
        out,
        "Optimizer state saved by Keras 3 (.keras, .h5) and tf_keras (.h5, SavedModel; current and legacy optimizers), "
        "and the 10 train_on_batch steps Keras continued from it",
        "tensorflow",
        files,
        cpu_dependent=["*/model.keras", "*/model.h5", "*/saved_model/variables/variables.*", "*/step_weights_*.npy", "*/losses.npy"],
        versions={**fc.keras_versions(), "tf_keras": tf_keras.__version__},
        model={
            "features": FEATURES, "hidden": HIDDEN, "rows": ROWS, "batch": BATCH, "fit_epochs": FIT_EPOCHS,
            "steps": STEPS, "dropout": DROPOUT, "loss": "binary_crossentropy",
        },
        runs=runs,
    )


if __name__ == "__main__":
    main()
