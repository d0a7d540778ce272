"""Writes test/convert/data/ models whose VarianceScaling initializer draws from a truncated normal,
and what Keras itself draws from it, for test/convert/initializers.test.ts.

* k3_truncated_normal.keras: Keras 3, Dense kernel_initializer VarianceScaling(scale=2, fan_in,
  distribution='truncated_normal').
* tfk_truncated_normal.h5: the same in tf_keras (Keras 2), legacy HDF5.
* initializers_expected.json: for each, the std and max |x| of a 1000x1000 kernel drawn by that
  model's own initializer in Keras (the converted tfjs initializer must draw the same distribution:
  Keras widens the stddev by 1/0.8796... so that the variance after truncation is scale/fan_in).

Run: /work/venvtry/.venv/bin/python test/convert/make_initializer_models.py
"""
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
import numpy as np  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
DRAW_SHAPE = (1000, 1000)


def stats(initializer):
    w = np.asarray(initializer(DRAW_SHAPE), dtype="float64")
    return {"shape": list(DRAW_SHAPE), "std": float(w.std()), "maxAbs": float(np.abs(w).max())}


def main():
    import keras
    import tf_keras

    expected = {}
    keras.utils.set_random_seed(5)
    inp = keras.Input((6,))
    init = keras.initializers.VarianceScaling(scale=2.0, mode="fan_in", distribution="truncated_normal")
    model = keras.Model(inp, keras.layers.Dense(4, kernel_initializer=init, name="vs")(inp), name="truncated_k3")
    model.save(os.path.join(OUT, "k3_truncated_normal.keras"))
    expected["k3_truncated_normal.keras"] = stats(model.get_layer("vs").kernel_initializer)

    tf_keras.utils.set_random_seed(5)
    init2 = tf_keras.initializers.VarianceScaling(scale=2.0, mode="fan_in", distribution="truncated_normal")
    model2 = tf_keras.Sequential([tf_keras.layers.Dense(4, kernel_initializer=init2, input_shape=(6,), name="vs")], name="truncated_tfk")
    model2.save(os.path.join(OUT, "tfk_truncated_normal.h5"))
    expected["tfk_truncated_normal.h5"] = stats(model2.get_layer("vs").kernel_initializer)

    versions = {"keras": keras.__version__, "tf_keras": tf_keras.__version__, "numpy": np.__version__}
    with open(os.path.join(OUT, "initializers_expected.json"), "w") as f:
        json.dump({"generatedBy": "test/convert/make_initializer_models.py", "versions": versions, "models": expected}, f, sort_keys=True, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
