"""parity_kit_tf: what a user of the parity kit makes, on the TensorFlow backend.

`keras2tfjs.export_parity_fixture` (the Python package, as a user calls it) on a functional model
with two inputs and two outputs, BatchNormalization, a seeded Dropout, a seeded SpatialDropout1D
and a seeded ManualDropout, compiled with Adam and trained one epoch before saving:

  sequence (6, 4) -> SpatialDropout1D(0.25, seed 5) -> Dense(8, relu) -> Flatten ----------------+
  features (5,)   -> Dense(8, no bias) -> BatchNormalization -> ReLU -> Dropout(0.5, seed 7) -> Concatenate
      -> Dense(8, relu) -> ManualDropout(0.3, seed 9) -> label: Dense(1, sigmoid), value: Dense(2)

`fixture/` is the parity fixture (16 rows, batches of 8, 10 resumed steps). `other_model.keras` is
the same architecture trained on other data: the fixture must fail it. Two small fixtures show what
the kit says it cannot do: `bias_before_bn/` (a Dense bias right before BatchNormalization: its
resumed values are noise, marked not comparable) and `unseeded_dropout/` (training not recorded);
and `spatial_dropouts/` covers SpatialDropout2D (both data formats) and SpatialDropout3D.

Usage (fixture protocol): python scripts/fixture_cases/parity_kit_tf.py <out_root>
"""

import keras
import numpy as np

import fixture_common as fc
import keras2tfjs

ROWS, FIXTURE_ROWS, FIT_BATCH, STEP_BATCH = 64, 16, 16, 8


def build_model():
    sequence = keras.Input((6, 4), name="sequence")
    features = keras.Input((5,), name="features")
    s = keras.layers.SpatialDropout1D(0.25, seed=5, name="spatial_dropout")(sequence)
    s = keras.layers.Dense(8, activation="relu", name="step_dense")(s)
    s = keras.layers.Flatten(name="flatten")(s)
    f = keras.layers.Dense(8, use_bias=False, name="dense")(features)
    f = keras.layers.BatchNormalization(name="batch_norm")(f)
    f = keras.layers.ReLU(name="relu")(f)
    f = keras.layers.Dropout(0.5, seed=7, name="dropout")(f)
    h = keras.layers.Concatenate(name="concat")([s, f])
    h = keras.layers.Dense(8, activation="relu", name="hidden")(h)
    h = keras2tfjs.ManualDropout(0.3, seed=9, name="manual_dropout")(h)
    label = keras.layers.Dense(1, activation="sigmoid", name="label")(h)
    value = keras.layers.Dense(2, name="value")(h)
    model = keras.Model([sequence, features], [label, value], name="parity_kit_model")
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss=["binary_crossentropy", "mse"])
    return model


def data(seed):
    rng = np.random.default_rng(seed)
    sequence = rng.normal(size=(ROWS, 6, 4)).astype(np.float32)
    features = rng.normal(size=(ROWS, 5)).astype(np.float32)
    label = (features[:, :2].sum(axis=1, keepdims=True) + sequence[:, 0, :1] > 0).astype(np.float32)
    value = np.stack([sequence[:, :, 0].mean(axis=1), features[:, 2]], axis=1).astype(np.float32)
    return [sequence, features], [label, value]


def small_model(name, dropout_seed, bias_before_bn):
    inputs = keras.Input((5,), name="features")
    h = keras.layers.Dense(6, use_bias=bias_before_bn, name="dense")(inputs)
    h = keras.layers.BatchNormalization(name="batch_norm")(h)
    h = keras.layers.ReLU(name="relu")(h)
    h = keras.layers.Dropout(0.5, seed=dropout_seed, name="dropout")(h)
    outputs = keras.layers.Dense(1, activation="sigmoid", name="label")(h)
    model = keras.Model(inputs, outputs, name=name)
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="binary_crossentropy")
    return model


def spatial_model():
    """SpatialDropout2D (channels_last and channels_first) and SpatialDropout3D, one branch each."""
    branches, inputs = [], []
    for name, shape, layer in (
        ("image", (4, 4, 3), keras.layers.SpatialDropout2D(0.5, seed=21, name="spatial_2d")),
        ("image_cf", (3, 4, 4), keras.layers.SpatialDropout2D(0.5, seed=22, data_format="channels_first", name="spatial_2d_cf")),
        ("volume", (2, 2, 2, 3), keras.layers.SpatialDropout3D(0.5, seed=23, name="spatial_3d")),
    ):
        inputs.append(keras.Input(shape, name=name))
        branches.append(keras.layers.Flatten(name=f"{name}_flat")(layer(inputs[-1])))
    h = keras.layers.Concatenate(name="concat")(branches)
    outputs = keras.layers.Dense(1, activation="sigmoid", name="label")(h)
    model = keras.Model(inputs, outputs, name="spatial_dropouts")
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="binary_crossentropy")
    return model


def main(case, backend):
    if backend == "tensorflow":
        fc.deterministic_tensorflow()
    out = fc.case_dir(case)
    fc.seed_everything(keras)
    x, y = data(fc.DEFAULT_SEED)
    model = build_model()
    history = model.fit(x, y, epochs=1, batch_size=FIT_BATCH, shuffle=False, verbose=0)
    keras2tfjs.export_parity_fixture(
        model, out / "fixture", [a[:FIXTURE_ROWS] for a in x], [a[:FIXTURE_ROWS] for a in y], batch_size=STEP_BATCH
    )
    fc.pin_keras_archive(out / "fixture" / "model.keras")

    fc.seed_everything(keras, fc.DEFAULT_SEED + 1)
    other = build_model()
    other_x, other_y = data(fc.DEFAULT_SEED + 1)
    other.fit(other_x, other_y, epochs=1, batch_size=FIT_BATCH, shuffle=False, verbose=0)
    other.save(out / "other_model.keras")
    fc.pin_keras_archive(out / "other_model.keras")
    files = {
        "fixture": "export_parity_fixture(model, 'fixture', x[:16], y[:16], batch_size=8): see fixture/parity.json",
        "other_model.keras": "the same architecture trained one epoch on other data (seed + 1): the fixture must fail it",
    }
    cpu_dependent = ["fixture/model.keras", "fixture/parity.json", "fixture/inference/*", "fixture/training/*/[0-9]_*.npy",
                     "fixture/resume/weights/*", "fixture/resume/losses.npy", "other_model.keras", "case.json"]

    if backend == "tensorflow":
        for name, seed, bias in (("bias_before_bn", 3, True), ("unseeded_dropout", None, False)):
            fc.seed_everything(keras)
            small = small_model(name, seed, bias)
            # Not trained before saving when it has the bias: Adam would turn the bias' float-noise
            # gradient into steps that differ between CPUs, and every value after them with it.
            # The fixture starts from the initial weights; its resume steps show the noise, and
            # parity.json marks those weights not comparable (fixture_compare.py honours that).
            if not bias:
                small.fit(x[1], y[0], epochs=1, batch_size=FIT_BATCH, shuffle=False, verbose=0)
            keras2tfjs.export_parity_fixture(small, out / name, x[1][:FIXTURE_ROWS], y[0][:FIXTURE_ROWS], batch_size=STEP_BATCH)
            fc.pin_keras_archive(out / name / "model.keras")
            cpu_dependent += [f"{name}/model.keras", f"{name}/parity.json", f"{name}/inference/*"]
            if seed is not None:  # unseeded: training and resumed training are not recorded
                cpu_dependent += [f"{name}/training/*/[0-9]_*.npy", f"{name}/resume/weights/*", f"{name}/resume/losses.npy"]
        fc.seed_everything(keras)
        rng = np.random.default_rng(fc.DEFAULT_SEED)
        images = [rng.normal(size=(ROWS, *shape)).astype(np.float32) for shape in ((4, 4, 3), (3, 4, 4), (2, 2, 2, 3))]
        spatial = spatial_model()
        spatial.fit(images, y[0], epochs=1, batch_size=FIT_BATCH, shuffle=False, verbose=0)
        keras2tfjs.export_parity_fixture(spatial, out / "spatial_dropouts", [a[:FIXTURE_ROWS] for a in images], y[0][:FIXTURE_ROWS], batch_size=STEP_BATCH)
        fc.pin_keras_archive(out / "spatial_dropouts" / "model.keras")
        cpu_dependent += ["spatial_dropouts/model.keras", "spatial_dropouts/parity.json", "spatial_dropouts/inference/*",
                          "spatial_dropouts/training/*/[0-9]_*.npy", "spatial_dropouts/resume/weights/*", "spatial_dropouts/resume/losses.npy"]
        files["spatial_dropouts"] = "SpatialDropout2D (channels_last, channels_first) and SpatialDropout3D, seeded, one input each, Adam"
        files["bias_before_bn"] = "Dense(6, with bias) -> BatchNormalization -> ReLU -> Dropout(seed 3) -> Dense(1), Adam: the bias is marked not comparable"
        files["unseeded_dropout"] = "the same without the bias and with Dropout(seed=None): training and resumed training not recorded"

    fc.write_case_json(
        out,
        f"keras2tfjs.export_parity_fixture on a two-input, two-output functional model (BatchNormalization, seeded Dropout, "
        f"SpatialDropout1D and ManualDropout, Adam, one epoch), {backend} backend; and a different model to fail",
        backend,
        files,
        cpu_dependent=[p for p in cpu_dependent if p != "case.json"] + ["case.json"],
        versions=fc.keras_versions(),
        training={"epochs": 1, "batch_size": FIT_BATCH, "rows": ROWS, "seed": fc.DEFAULT_SEED, "history": fc.history_facts(history)},
    )


if __name__ == "__main__":
    main("parity_kit_tf", "tensorflow")
