"""manual_dropout_tf: the seed model with the Python ManualDropout(0.5, seed=1337) in place of
the Lambda, Keras 3 on the TensorFlow backend; saved as .keras and legacy .h5.
(manual_dropout_jax.py runs the same on the JAX backend.)

The layer's SeedGenerator state is not saved in the model files; case.json records it after
training, and the training-phase fixtures are two consecutive training calls from that state
with the masks they drew (replayed from the state with keras.layers.Dropout on ones, and
checked to reproduce the model's output).

Usage (fixture protocol): python scripts/fixture_cases/manual_dropout_tf.py <out_root>
"""

import keras
import numpy as np

import fixture_common as fc
from keras2tfjs import ManualDropout

INPUT_DIM = 1000
EPOCHS = 4
BATCH_SIZE = 512
FIXTURE_ROWS = 32
RATE = 0.5
SEED = 1337
TRAINING_CALLS = 2


def main(case, backend):
    if keras.backend.backend() != backend:
        raise SystemExit(f"{case} needs KERAS_BACKEND={backend}, got {keras.backend.backend()}")
    if backend == "tensorflow":
        fc.deterministic_tensorflow()
    fc.seed_everything(keras)
    out = fc.case_dir(case)

    x_train, y_train, x_val, y_val = fc.imdb_arrays(INPUT_DIM)
    layer = ManualDropout(RATE, seed=SEED, name="manual_dropout")
    model = fc.build_seed_model(keras, INPUT_DIM, layer)
    history = model.fit(
        x_train, y_train, epochs=EPOCHS, batch_size=BATCH_SIZE,
        validation_data=(x_val, y_val), verbose=0,
    )
    state_after_fit = seed_state(layer)

    # .keras first: the legacy .h5 save drops the optimizer from the compile config.
    model.save(out / "model.keras")
    fc.pin_keras_archive(out / "model.keras")
    files = {"model.keras": "Keras 3 archive (zip times and date_saved pinned)"}
    if backend == "tensorflow":
        model.save(out / "model.h5")
        files["model.h5"] = "the same model, legacy HDF5"

    x = x_val[:FIXTURE_ROWS]
    y_infer = to_numpy(model(x, training=False))
    calls = []
    for call in range(TRAINING_CALLS):
        state = seed_state(layer)
        y_train_phase = to_numpy(model(x, training=True))
        mask = replay_mask(state, (FIXTURE_ROWS, 16))
        check_mask_explains_output(model, x, state, y_train_phase)
        suffix = "" if call == 0 else f"_{call}"
        fc.save_npy(out, f"mask{suffix}.npy", mask, dtype=np.uint8)
        fc.save_npy(out, f"y_train{suffix}.npy", y_train_phase, dtype=np.float32)
        files[f"mask{suffix}.npy"] = f"keep mask (1 = kept) of training call {call} after fit, state {state}"
        files[f"y_train{suffix}.npy"] = f"model(x, training=True), training call {call} after fit"
        calls.append({"state": state, "mask": f"mask{suffix}.npy", "y_train": f"y_train{suffix}.npy"})
    check_reloads(out, files, x, y_infer)

    fc.save_npy(out, "x.npy", x, dtype=np.uint8)
    fc.save_npy(out, "y_infer.npy", y_infer, dtype=np.float32)
    files["x.npy"] = (
        f"inputs: first {FIXTURE_ROWS} validation reviews, multi-hot over 1,000 words, stored as "
        "uint8 (the model takes float32 of the same 0/1 values)"
    )
    files["y_infer.npy"] = "model(x, training=False), float32"
    fc.write_case_json(
        out,
        f"The seed model with ManualDropout({RATE}, seed={SEED}) on the {backend} backend, 1,000 inputs, "
        "trained on the synthetic IMDB set",
        backend,
        files,
        cpu_dependent=["model.keras", *(["model.h5"] if "model.h5" in files else []), "y_infer.npy", "y_train*.npy", "case.json"],
        versions={**fc.keras_versions(), **backend_versions(backend)},
        layer_config=layer.get_config(),
        seed_state_after_fit=state_after_fit,
        fit_steps=EPOCHS * -(-len(x_train) // BATCH_SIZE),
        training_calls=calls,
        seed_state_after_training_calls=seed_state(layer),
        training=fc.imdb_training_facts(INPUT_DIM, EPOCHS, BATCH_SIZE, history, vocabulary_cut=INPUT_DIM),
        training_phase_formula="y_train = dense_2(manual_dropout(dense_1(dense(x)))) with the mask "
        "drawn from state [1337, n]",
    )


def to_numpy(tensor):
    return np.asarray(keras.ops.convert_to_numpy(tensor))


def seed_state(layer):
    return [int(v) for v in to_numpy(layer.seed_generator.state)]


def dropout_at(state, rate=RATE):
    """A keras.layers.Dropout whose next training call draws with `state`."""
    dropout = keras.layers.Dropout(rate, seed=state[0])
    generator_state = dropout.seed_generator.state
    generator_state.assign(keras.ops.convert_to_tensor(state, dtype=generator_state.dtype))
    return dropout


def replay_mask(state, shape):
    ones = np.ones(shape, np.float32)
    return to_numpy(dropout_at(state)(ones, training=True)) != 0


def check_mask_explains_output(model, x, state, y_train_phase):
    """Keras' own Dropout at the same state, in the ManualDropout's place, gives the same output."""
    hidden = x
    for layer in model.layers[:2]:
        hidden = layer(hidden)
    recomputed = to_numpy(model.layers[3](dropout_at(state)(hidden, training=True)))
    if not np.array_equal(recomputed, y_train_phase):
        raise SystemExit(f"the replayed mask at state {state} does not reproduce the training output")


def check_reloads(out, files, x, y_infer):
    for name in files:
        if name.startswith("model."):
            loaded = keras.saving.load_model(out / name)
            if not np.array_equal(to_numpy(loaded(x, training=False)), y_infer):
                raise SystemExit(f"{name} does not reload to the same predictions")


def backend_versions(backend):
    if backend == "jax":
        import jax

        return {"jax": jax.__version__, "jax_threefry_partitionable": bool(jax.config.jax_threefry_partitionable)}
    import tensorflow as tf

    return {"tensorflow": tf.__version__}


if __name__ == "__main__":
    main("manual_dropout_tf", "tensorflow")
