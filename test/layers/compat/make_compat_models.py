"""Writes test/layers/compat/data/: small models real Keras builds with the layers, activations
and operations keras2tfjs turns into its compat layers (src/layers/compat/), each with a fixed
input and what Keras predicts for it:

  data/<case>/model.keras | model.h5    the model (Keras 3 .keras; tf_keras 2.21 .h5)
  data/<case>/x<k>.npy, y<k>.npy         inputs and Keras' predictions (inference)
  data/cases.json                        the cases: file, inputs, outputs, framework

The operation families and the layer probes are the coverage run's own builders
(coverage/cases_ops.py, coverage/cases_layers.py): `npm test` checks these small ones on every
run, `npm run coverage` all of them in every format. Models are tiny (a few KB each).

Run: /work/main/.venv/bin/python test/layers/compat/make_compat_models.py
"""
import json
import os
import shutil
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "coverage"))

import numpy as np  # noqa: E402

import cases_layers  # noqa: E402
import cases_ops  # noqa: E402
from cases_layers import functional  # noqa: E402

OUT = os.path.join(HERE, "data")


def mobilenet_v3_block(K):
    """A MobileNetV3 squeeze-and-excite block as each framework's application writes it."""
    if K.__name__ == "keras":
        def body(K, x):
            y = K.layers.Conv2D(8, 1, name="expand")(x)
            y = K.layers.Activation("hard_silu", name="hard_silu")(y)
            se = K.layers.GlobalAveragePooling2D(keepdims=True, name="squeeze")(y)
            se = K.layers.Conv2D(8, 1, name="excite")(se)
            se = K.layers.ReLU(6.0)(se + 3.0) * (1.0 / 6.0)  # keras.ops Add / Multiply nodes
            return K.layers.Multiply(name="scale")([y, se])
    else:
        import tensorflow as tf  # noqa: F401 - tf.keras records `x + 3.0` as TFOpLambda

        def body(K, x):
            y = K.layers.Conv2D(8, 1, name="expand")(x)
            hs = K.layers.ReLU(6.0)(y + 3.0) * (1.0 / 6.0)
            y = K.layers.Multiply(name="hard_swish")([y, hs])
            se = K.layers.GlobalAveragePooling2D(keepdims=True, name="squeeze")(y)
            se = K.layers.Conv2D(8, 1, name="excite")(se)
            se = K.layers.ReLU(6.0)(se + 3.0) * (1.0 / 6.0)
            se = K.layers.Multiply(name="scale")([y, se])
            return K.layers.SeparableConv2D(4, 3, padding="same", name="separable")(se)
    return functional(K, [(5, 5, 3)], body)


def activations(K):
    """Every activation the framework names, one Dense each, in one model (but glu, which halves
    its axis: keras2tfjs refuses it as a layer activation and runs it as keras.ops.glu)."""
    names = [n for n in cases_layers.ACTIVATIONS if hasattr(K.activations, n) and n != "glu"]
    return functional(K, [(4, 6)], lambda K, x: [K.layers.Dense(6, activation=n, name=f"act_{n}")(x) for n in names])


def subtract(K):
    return functional(K, [(4, 3), (4, 3)], lambda K, a, b: K.layers.Subtract(name="difference")([a, b]))


CASES = {
    "k3_mobilenet_v3_block": ("keras3", mobilenet_v3_block),
    "tfk_mobilenet_v3_block": ("tf_keras", mobilenet_v3_block),
    "k3_activations": ("keras3", activations),
    "tfk_activations": ("tf_keras", activations),
    "k3_subtract": ("keras3", subtract),
    "tfk_subtract": ("tf_keras", subtract),
}
for name, build in cases_ops.OPERATIONS.items():
    framework = "keras3" if name.startswith("keras.ops") else "tf_keras"
    key = ("k3_ops_" if framework == "keras3" else "tfk_ops_") + name.split(" ")[1]
    CASES[key] = (framework, build)


def main():
    import keras
    import tf_keras

    modules = {"keras3": keras, "tf_keras": tf_keras}
    if os.path.exists(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    listed = []
    for name, (framework, build) in CASES.items():
        K = modules[framework]
        K.utils.set_random_seed(7)
        model, xs = build(K)
        folder = os.path.join(OUT, name)
        os.makedirs(folder)
        file = "model.keras" if framework == "keras3" else "model.h5"
        if framework == "keras3":
            model.save(os.path.join(folder, file))
        else:
            model.save(os.path.join(folder, file), save_format="h5")
        ys = model.predict(xs if len(xs) > 1 else xs[0], verbose=0)
        ys = list(ys) if isinstance(ys, (list, tuple)) else [ys]
        for k, x in enumerate(xs):
            np.save(os.path.join(folder, f"x{k}.npy"), x)
        for k, y in enumerate(ys):
            np.save(os.path.join(folder, f"y{k}.npy"), np.asarray(y, dtype=np.float32))
        listed.append({"name": name, "framework": framework, "file": f"{name}/{file}", "inputs": len(xs), "outputs": len(ys)})
        K.backend.clear_session()
    with open(os.path.join(OUT, "cases.json"), "w") as f:
        json.dump({"generatedBy": "test/layers/compat/make_compat_models.py", "keras": keras.__version__,
                   "tf_keras": tf_keras.__version__, "cases": listed}, f, indent=1)


if __name__ == "__main__":
    main()
