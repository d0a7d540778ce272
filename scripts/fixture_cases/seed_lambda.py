"""seed_lambda: the seed model exactly, in Keras 3 (TensorFlow backend).

Dense(16, L2 0.001, relu) -> Dense(16, L2 0.001, relu) -> Lambda(dropout) -> Dense(1, sigmoid),
rmsprop + binary_crossentropy + accuracy, 10,000 inputs (the book's multi-hot IMDB encoding),
trained a few epochs on the bundled synthetic IMDB set, saved as .keras and legacy .h5.

`dropout` is a named module-level function, written as a reader of the book writes it in
Keras 3: K.learning_phase() is gone, so the function takes `training`. Keras 3's Lambda looks
at the function's signature and passes the layer call's `training` flag when the function has
a `training` parameter (True inside fit/train_on_batch, False in predict/evaluate, None when a
model is called without it, which the function treats as inference).

The mask comes from an unseeded random op (Keras' global seed generator), so the training-phase
fixture saves the mask actually drawn, captured while the model ran with training=True.

Usage (fixture protocol): python scripts/fixture_cases/seed_lambda.py <out_root>
"""

import inspect

import keras
import numpy as np

import fixture_common as fc

CASE = "seed_lambda"
INPUT_DIM = 10000
EPOCHS = 4
BATCH_SIZE = 512
FIXTURE_ROWS = 32


def dropout(x, training=None):
    # Bernoulli(0.5) mask, kept units scaled by 1/0.5, only when training.
    if not training:
        return x
    mask = keras.random.binomial(keras.ops.shape(x), counts=1, probabilities=0.5)
    return x * mask / 0.5


class MaskRecorder:
    """Records what keras.random.binomial returns while active (the masks `dropout` draws)."""

    def __init__(self):
        self.masks = []
        self._original = keras.random.binomial

    def __enter__(self):
        def recording(*args, **kwargs):
            mask = self._original(*args, **kwargs)
            self.masks.append(np.asarray(mask))
            return mask

        keras.random.binomial = recording
        return self

    def __exit__(self, *exc):
        keras.random.binomial = self._original


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

    # Save .keras before .h5: in Keras 3.15 the legacy .h5 save removes the optimizer
    # from the model's compile config, so a .keras saved after it would lack it.
    model.save(out / "model.keras")
    fc.pin_keras_archive(out / "model.keras")
    model.save(out / "model.h5")

    x = x_val[:FIXTURE_ROWS]
    y_infer = np.asarray(model(x, training=False))
    with MaskRecorder() as recorder:
        y_train_phase = np.asarray(model(x, training=True))
    if len(recorder.masks) != 1:
        raise SystemExit(f"expected one mask from the training call, got {len(recorder.masks)}")
    mask = recorder.masks[0]
    _check_mask_explains_output(model, x, mask, y_train_phase)
    _check_reloads(out, x, y_infer)

    files = {
        "model.keras": "Keras 3 archive of the trained model (zip times and date_saved pinned)",
        "model.h5": "the same model, legacy HDF5 (model.save('model.h5'))",
        "x.npy": f"inputs: first {FIXTURE_ROWS} validation reviews, multi-hot, stored as uint8 "
        "(the model takes float32 of the same 0/1 values)",
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
        "The seed model with a Lambda(dropout) named function, Keras 3 on TensorFlow, 10,000 inputs, "
        "trained on the synthetic IMDB set; .keras + legacy .h5",
        "tensorflow",
        files,
        cpu_dependent=["model.keras", "model.h5", "y_infer.npy", "y_train.npy", "case.json"],
        versions=fc.keras_versions(),
        lambda_function={"name": "dropout", "source": inspect.getsource(dropout)},
        training_reaches_dropout=(
            "Keras 3 Lambda passes the layer call's `training` flag to the function because its "
            "signature has a `training` parameter (Lambda._fn_expects_training_arg); fit passes "
            "True, predict/evaluate False, a bare model(x) None (treated as inference)"
        ),
        mask_source="keras.random.binomial(shape, counts=1, probabilities=0.5), unseeded: Keras' "
        "global SeedGenerator after keras.utils.set_random_seed; captured, not replayable by seed",
        training=fc.imdb_training_facts(INPUT_DIM, EPOCHS, BATCH_SIZE, history),
        inference_layers="Dense(16, relu), Dense(16, relu), Lambda = identity, Dense(1, sigmoid)",
        training_phase_formula="y_train = dense_2(dense_1(dense(x)) * mask / 0.5), each Dense with its own activation",
    )


def _check_mask_explains_output(model, x, mask, y_train_phase):
    """The saved mask must be the one that made y_train (recomputed with the same layers)."""
    hidden = x
    for layer in model.layers[:2]:
        hidden = layer(hidden)
    recomputed = np.asarray(model.layers[3](hidden * mask / 0.5))
    if not np.array_equal(recomputed, y_train_phase):
        raise SystemExit("seed_lambda: the captured mask does not reproduce the training output")


def _check_reloads(out, x, y_infer):
    for name in ("model.keras", "model.h5"):
        loaded = keras.saving.load_model(out / name, custom_objects={"dropout": dropout})
        if not np.array_equal(np.asarray(loaded(x, training=False)), y_infer):
            raise SystemExit(f"seed_lambda: {name} does not reload to the same predictions")


if __name__ == "__main__":
    main()
