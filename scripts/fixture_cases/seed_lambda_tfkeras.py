"""seed_lambda_tfkeras: the seed model in tf.keras 2 (the tf_keras package), saved as legacy
.h5 and as a SavedModel directory (with keras_metadata.pb).

The Lambda's function is a named module-level `dropout(x, training=None)`: Bernoulli(0.5)
mask from K.random_binomial, kept units scaled by 1/0.5, through K.in_train_phase with the
`training` flag passed explicitly. tf.keras 2 writes any Python function into the config as
marshalled bytecode (function_type 'lambda'), so this is what converters meet in the wild.
1,000 inputs (the 1,000 most frequent words; rarer ones become 2, like
keras.datasets.imdb.load_data(num_words=1000)) keep the fixture small.

Usage (fixture protocol): python scripts/fixture_cases/seed_lambda_tfkeras.py <out_root>
"""

import inspect
import shutil

import numpy as np
import tensorflow as tf
import tf_keras as keras
from tf_keras import backend as K

import fixture_common as fc

CASE = "seed_lambda_tfkeras"
INPUT_DIM = 1000
EPOCHS = 4
BATCH_SIZE = 512
FIXTURE_ROWS = 32
# The path the bytecode names as its file: the script's path inside the repository, the
# same on every clone (Python would otherwise record this machine's absolute path).
CODE_FILENAME = "scripts/fixture_cases/seed_lambda_tfkeras.py"


def dropout(x, training=None):
    # Bernoulli(0.5) mask, kept units scaled by 1/0.5, only when training.
    mask = K.random_binomial(K.shape(x), p=0.5)
    return K.in_train_phase(x * mask / 0.5, x, training=training)


dropout.__code__ = dropout.__code__.replace(co_filename=CODE_FILENAME)


class MaskRecorder:
    """Records what K.random_binomial returns while active (the masks `dropout` draws)."""

    def __init__(self):
        self.masks = []
        self._original = K.random_binomial

    def __enter__(self):
        def recording(*args, **kwargs):
            mask = self._original(*args, **kwargs)
            self.masks.append(np.asarray(mask))
            return mask

        K.random_binomial = recording
        return self

    def __exit__(self, *exc):
        K.random_binomial = self._original


def learning_phase_inside_a_training_call():
    """What K.learning_phase() returns inside model(x, training=True) (measured, for the README)."""
    seen = []

    def probe(x):
        seen.append(K.learning_phase())
        return x

    probe_model = keras.Sequential([keras.Input((2,)), keras.layers.Lambda(probe)])
    seen.clear()
    probe_model(np.ones((1, 2), np.float32), training=True)
    return [int(v) for v in seen]


def main():
    fc.deterministic_tensorflow()
    fc.seed_everything(keras)
    out = fc.case_dir(CASE)

    x_train, y_train, x_val, y_val = fc.imdb_arrays(INPUT_DIM)
    model = fc.build_seed_model(keras, INPUT_DIM, keras.layers.Lambda(dropout, name="lambda"))
    history = model.fit(
        x_train, y_train, epochs=EPOCHS, batch_size=BATCH_SIZE,
        validation_data=(x_val, y_val), verbose=0,
    )

    model.save(out / "model.h5")
    saved_model = out / "saved_model"
    if saved_model.exists():
        shutil.rmtree(saved_model)
    model.save(saved_model, save_format="tf")
    fingerprint = saved_model / "fingerprint.pb"
    if fingerprint.exists():
        # TF's fingerprint of the export (hashes plus a random UUID): not needed to load,
        # and never the same twice, so it is left out.
        fingerprint.unlink()

    x = x_val[:FIXTURE_ROWS]
    y_infer = model(x, training=False).numpy()
    with MaskRecorder() as recorder:
        y_train_phase = model(x, training=True).numpy()
    if len(recorder.masks) != 1:
        raise SystemExit(f"expected one mask from the training call, got {len(recorder.masks)}")
    mask = recorder.masks[0]
    _check_mask_explains_output(model, x, mask, y_train_phase)
    _check_reloads(out, x, y_infer)

    files = {
        "model.h5": "tf_keras legacy HDF5 (model.save('model.h5')); the Lambda holds marshalled bytecode",
        "saved_model": "tf_keras SavedModel directory (saved_model.pb, keras_metadata.pb, variables/); "
        "fingerprint.pb removed (random UUID, not needed to load)",
        "x.npy": f"inputs: first {FIXTURE_ROWS} validation reviews, multi-hot over 1,000 words, "
        "stored as uint8 (the model takes float32 of the same 0/1 values)",
        "y_infer.npy": "model(x, training=False), float32",
        "mask.npy": "the Bernoulli(0.5) mask dropout drew in the training-phase call, float32 0/1, "
        "shape [rows, 16]",
        "y_train.npy": "model(x, training=True) with that mask, float32",
    }
    fc.save_npy(out, "x.npy", x, dtype=np.uint8)
    fc.save_npy(out, "y_infer.npy", y_infer, dtype=np.float32)
    fc.save_npy(out, "mask.npy", mask, dtype=np.float32)
    fc.save_npy(out, "y_train.npy", y_train_phase, dtype=np.float32)
    fc.write_case_json(
        out,
        "The seed model with a Lambda(dropout) in tf.keras 2 (tf_keras), 1,000 inputs, trained on "
        "the synthetic IMDB set; legacy .h5 + SavedModel with keras_metadata.pb",
        "tensorflow",
        files,
        cpu_dependent=["model.h5", "saved_model/variables/variables.*", "y_infer.npy", "y_train.npy", "case.json"],
        versions={**fc.keras_versions(), "tf_keras": keras.__version__, "tensorflow": tf.__version__},
        lambda_function={
            "name": "dropout",
            "source": inspect.getsource(dropout),
            "code_filename": CODE_FILENAME,
        },
        training_reaches_dropout=(
            "tf_keras Lambda passes the layer call's `training` flag because the function has a "
            "`training` parameter; K.in_train_phase(train, alt, training=training) picks the branch"
        ),
        learning_phase_in_training_call=learning_phase_inside_a_training_call(),
        learning_phase_note=(
            "In TF 2, K.learning_phase() stays 0 inside training calls (fit, model(x, training=True)): "
            "code that branches on it never drops. K.in_train_phase without `training` still "
            "follows the layer call's flag in tf_keras 2.21; this function passes it explicitly."
        ),
        mask_source="K.random_binomial(shape, p=0.5), unseeded (TF global seed set by "
        "keras.utils.set_random_seed); captured, not replayable by seed",
        training=fc.imdb_training_facts(INPUT_DIM, EPOCHS, BATCH_SIZE, history, vocabulary_cut=INPUT_DIM),
        inference_layers="Dense(16, relu), Dense(16, relu), Lambda = identity, Dense(1, sigmoid)",
        training_phase_formula="y_train = dense_2(dense_1(dense(x)) * mask / 0.5), each Dense with its own activation",
    )


def _check_mask_explains_output(model, x, mask, y_train_phase):
    hidden = x
    for layer in model.layers[:2]:
        hidden = layer(hidden)
    recomputed = model.layers[3](hidden * mask / 0.5).numpy()
    if not np.array_equal(recomputed, y_train_phase):
        raise SystemExit("seed_lambda_tfkeras: the captured mask does not reproduce the training output")


def _check_reloads(out, x, y_infer):
    for name in ("model.h5", "saved_model"):
        loaded = keras.models.load_model(out / name, custom_objects={"dropout": dropout})
        if not np.array_equal(loaded(x, training=False).numpy(), y_infer):
            raise SystemExit(f"seed_lambda_tfkeras: {name} does not reload to the same predictions")


if __name__ == "__main__":
    main()
