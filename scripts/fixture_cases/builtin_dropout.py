"""builtin_dropout: keras.layers.Dropout(seed=...) in a functional model, Keras 3 on TensorFlow.

Two branches over a (5 steps, 8 features) input, joined by Concatenate:
  branch a: Dense(8, relu) -> Dropout(0.5, noise_shape=(None, 1, 8), seed=11)  (one mask for all steps)
  branch b: Dense(8, relu) -> Dropout(0.25, seed=22)
  -> Concatenate -> Flatten -> Dense(1, sigmoid)
Trained briefly (adam) on a small deterministic numpy problem; saved as .keras and legacy .h5.
Training-phase fixtures: one model(x, training=True) call after fit, with each Dropout's mask
(replayed from its recorded seed state and checked to reproduce the output).

Usage (fixture protocol): python scripts/fixture_cases/builtin_dropout.py <out_root>
"""

import keras
import numpy as np

import fixture_common as fc

CASE = "builtin_dropout"
STEPS, FEATURES = 5, 8
SAMPLES, EPOCHS, BATCH_SIZE = 256, 3, 32
FIXTURE_ROWS = 16
DROPOUTS = {
    "branch_a_dropout": {"rate": 0.5, "noise_shape": (None, 1, FEATURES), "seed": 11},
    "branch_b_dropout": {"rate": 0.25, "noise_shape": None, "seed": 22},
}


def build_model():
    inputs = keras.Input((STEPS, FEATURES), name="sequence")
    branches = []
    for branch in ("a", "b"):
        hidden = keras.layers.Dense(FEATURES, activation="relu", name=f"branch_{branch}_dense")(inputs)
        name = f"branch_{branch}_dropout"
        branches.append(keras.layers.Dropout(name=name, **DROPOUTS[name])(hidden))
    joined = keras.layers.Concatenate(name="concat")(branches)
    flat = keras.layers.Flatten(name="flatten")(joined)
    outputs = keras.layers.Dense(1, activation="sigmoid", name="output")(flat)
    model = keras.Model(inputs, outputs, name="two_branch_dropout")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss="binary_crossentropy", metrics=["accuracy"])
    return model


def training_data():
    rng = np.random.default_rng(fc.DEFAULT_SEED)
    x = rng.normal(size=(SAMPLES, STEPS, FEATURES)).astype(np.float32)
    y = (x[:, :, :3].sum(axis=(1, 2)) > 0).astype(np.float32)
    return x, y


def to_numpy(tensor):
    return np.asarray(keras.ops.convert_to_numpy(tensor))


def seed_state(layer):
    return [int(v) for v in to_numpy(layer.seed_generator.state)]


def dropout_at(name, state):
    """A fresh Dropout like `name` whose next training call draws with `state`."""
    dropout = keras.layers.Dropout(**DROPOUTS[name])
    generator_state = dropout.seed_generator.state
    generator_state.assign(keras.ops.convert_to_tensor(state, dtype=generator_state.dtype))
    return dropout


def main():
    fc.deterministic_tensorflow()
    fc.seed_everything(keras)
    out = fc.case_dir(CASE)

    x_train, y_train = training_data()
    model = build_model()
    history = model.fit(x_train, y_train, epochs=EPOCHS, batch_size=BATCH_SIZE, verbose=0)
    model.save(out / "model.keras")  # before .h5, which drops the optimizer from the compile config
    fc.pin_keras_archive(out / "model.keras")
    model.save(out / "model.h5")

    x = x_train[:FIXTURE_ROWS]
    y_infer = to_numpy(model(x, training=False))
    states = {name: seed_state(model.get_layer(name)) for name in DROPOUTS}
    y_train_phase = to_numpy(model(x, training=True))
    masks = {}
    for name, state in states.items():
        noise_shape = DROPOUTS[name]["noise_shape"] or (None, STEPS, FEATURES)
        shape = tuple(FIXTURE_ROWS if d is None else d for d in noise_shape)
        masks[name] = to_numpy(dropout_at(name, state)(np.ones(shape, np.float32), training=True)) != 0
    check_masks_explain_output(model, x, states, y_train_phase)
    for name in ("model.keras", "model.h5"):
        if not np.array_equal(to_numpy(keras.saving.load_model(out / name)(x)), y_infer):
            raise SystemExit(f"builtin_dropout: {name} does not reload to the same predictions")

    files = {
        "model.keras": "Keras 3 archive (zip times and date_saved pinned)",
        "model.h5": "the same model, legacy HDF5",
        "x.npy": f"inputs: first {FIXTURE_ROWS} training rows, float32 [rows, 5, 8]",
        "y_infer.npy": "model(x, training=False), float32",
        "y_train.npy": "model(x, training=True), the first training call after fit",
    }
    fc.save_npy(out, "x.npy", x, dtype=np.float32)
    fc.save_npy(out, "y_infer.npy", y_infer, dtype=np.float32)
    fc.save_npy(out, "y_train.npy", y_train_phase, dtype=np.float32)
    for name, mask in masks.items():
        fc.save_npy(out, f"mask_{name}.npy", mask, dtype=np.uint8)
        files[f"mask_{name}.npy"] = (
            f"keep mask (1 = kept) {name} drew in that call, over its noise shape {list(mask.shape)}, "
            f"state {states[name]}"
        )
    fc.write_case_json(
        out,
        "keras.layers.Dropout(seed) in a two-branch functional model with Concatenate and a noise_shape "
        "Dropout, Keras 3 on TensorFlow; .keras + legacy .h5",
        "tensorflow",
        files,
        cpu_dependent=["model.keras", "model.h5", "y_infer.npy", "y_train.npy", "case.json"],
        versions=fc.keras_versions(),
        dropouts={
            name: {**{k: (list(v) if isinstance(v, tuple) else v) for k, v in args.items()},
                   "state_before_training_call": states[name],
                   "state_after_training_call": seed_state(model.get_layer(name))}
            for name, args in DROPOUTS.items()
        },
        fit_steps=EPOCHS * SAMPLES // BATCH_SIZE,
        training={
            "data": "numpy normal(size=(256, 5, 8)) from default_rng(20261129); "
            "label = sum of the first 3 features over all steps > 0",
            "epochs": EPOCHS,
            "batch_size": BATCH_SIZE,
            "optimizer": "Adam(learning_rate=0.01)",
            "seed": fc.DEFAULT_SEED,
            "history": fc.history_facts(history),
        },
    )


def check_masks_explain_output(model, x, states, y_train_phase):
    """Fresh Dropouts at the recorded states, in the model's places, give the same output."""
    branches = []
    for branch in ("a", "b"):
        name = f"branch_{branch}_dropout"
        hidden = model.get_layer(f"branch_{branch}_dense")(x)
        branches.append(dropout_at(name, states[name])(hidden, training=True))
    joined = model.get_layer("concat")(branches)
    recomputed = to_numpy(model.get_layer("output")(model.get_layer("flatten")(joined)))
    if not np.array_equal(recomputed, y_train_phase):
        raise SystemExit("builtin_dropout: replayed masks do not reproduce the training output")


if __name__ == "__main__":
    main()
