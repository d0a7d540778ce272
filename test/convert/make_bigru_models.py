"""Writes test/convert/data/ models with Keras' default Bidirectional(GRU) (reset_after=True) and
what Keras predicts with them, for test/convert/bidirectional_gru.test.ts.

* k3_bigru.keras: Keras 3. Input((5, 3)) → Bidirectional(GRU(4, return_sequences=True)) [concat]
  → output "seq" (2, 5, 8); and → Bidirectional(GRU(3), merge_mode='sum') → Dense(2) → output "head".
* tfk_bigru.h5: the same model in tf_keras (Keras 2), legacy HDF5.
* bigru_expected.json: the input batch and each model's predict() outputs, in output order.

Every weight (biases included, both bias rows of the reset_after GRU) is set from a seeded normal
draw: Keras' zero bias initializer would hide a bias row or gate order read wrongly.

Run: /work/main/.venv/bin/python test/convert/make_bigru_models.py
"""
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
import numpy as np  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
BATCH, STEPS, FEATURES = 2, 5, 3


def build(k):
    inp = k.Input((STEPS, FEATURES), name="x")
    seq = k.layers.Bidirectional(k.layers.GRU(4, return_sequences=True), name="seq")(inp)
    last = k.layers.Bidirectional(k.layers.GRU(3), merge_mode="sum", name="bi_last")(seq)
    head = k.layers.Dense(2, name="head")(last)
    return k.Model(inp, [seq, head], name="bigru")


def randomize(model, seed):
    rng = np.random.default_rng(seed)
    model.set_weights([rng.normal(0.0, 0.5, w.shape).astype("float32") for w in model.get_weights()])


def inputs():
    i = np.arange(BATCH * STEPS * FEATURES, dtype="float64").reshape(BATCH, STEPS, FEATURES)
    return np.sin(0.7 * i + 0.3).astype("float32")


def record(model, x):
    outs = model.predict(x, verbose=0)
    return [{"shape": list(o.shape), "values": [float(v) for v in np.asarray(o).ravel()]} for o in outs]


def main():
    import keras
    import tf_keras

    x = inputs()
    expected = {}

    k3 = build(keras)
    assert all(l.forward_layer.reset_after for l in k3.layers if isinstance(l, keras.layers.Bidirectional))
    randomize(k3, 1)
    k3.save(os.path.join(OUT, "k3_bigru.keras"))
    expected["k3_bigru.keras"] = record(k3, x)

    tfk = build(tf_keras)
    assert all(l.forward_layer.reset_after for l in tfk.layers if isinstance(l, tf_keras.layers.Bidirectional))
    randomize(tfk, 2)
    tfk.save(os.path.join(OUT, "tfk_bigru.h5"))
    expected["tfk_bigru.h5"] = record(tfk, x)

    versions = {"keras": keras.__version__, "tf_keras": tf_keras.__version__, "numpy": np.__version__}
    doc = {
        "generatedBy": "test/convert/make_bigru_models.py",
        "versions": versions,
        "input": {"shape": list(x.shape), "values": [float(v) for v in x.ravel()]},
        "models": expected,
    }
    with open(os.path.join(OUT, "bigru_expected.json"), "w") as f:
        json.dump(doc, f, sort_keys=True, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
