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


def transformer(K):
    """A small Transformer block over masked tokens: Embedding(mask_zero) → causal self-attention
    (the query's padding mask reaches the attention) → residual, LayerNormalization, feed-forward
    with EinsumDense; Keras 3 adds a grouped-query attention."""
    def body(K, tokens):
        x = K.layers.Embedding(12, 8, mask_zero=True, name="embed")(tokens)
        a = K.layers.MultiHeadAttention(num_heads=2, key_dim=4, name="self_attention")(x, x, use_causal_mask=True)
        x = K.layers.LayerNormalization(name="norm_1")(K.layers.Add(name="residual_1")([x, a]))
        f = K.layers.EinsumDense("abc,cd->abd", output_shape=(None, 16), bias_axes="d", activation="gelu", name="ffn_in")(x)
        f = K.layers.EinsumDense("...b,bc->...c", output_shape=8, name="ffn_out")(f)
        x = K.layers.LayerNormalization(name="norm_2")(K.layers.Add(name="residual_2")([x, f]))
        if K.__name__ == "keras":
            x = K.layers.GroupQueryAttention(head_dim=2, num_query_heads=4, num_key_value_heads=2, name="gqa")(x, x)
        return x
    model, xs = functional(K, [(7,)], body, dtypes=["int32"])
    xs[0] = np.array([[3, 5, 1, 7, 2, 0, 0], [4, 4, 9, 0, 0, 0, 0]], dtype="int32")
    return model, xs


def attention_variants(K):
    """MultiHeadAttention called every way Keras records: a separate key and an attention_mask
    input, the attention scores returned, attention over two axes, dropout (Keras 3's explicit
    path), a gate and an output_shape (Keras 3)."""
    def body(K, q, v, k, m, img):
        out, scores = K.layers.MultiHeadAttention(num_heads=2, key_dim=3, name="cross")(
            q, v, key=k, attention_mask=m, return_attention_scores=True)
        extra = {"use_gate": True} if K.__name__ == "keras" else {}
        dropped = K.layers.MultiHeadAttention(num_heads=3, key_dim=2, value_dim=4, dropout=0.3, output_shape=5, name="dropped", **extra)(q, v)
        grid = K.layers.MultiHeadAttention(num_heads=2, key_dim=2, attention_axes=(1, 2), name="grid")(img, img)
        return [out, scores, dropped, grid]
    model, xs = functional(K, [(4, 6), (5, 6), (5, 3), (4, 5), (3, 4, 6)], body)
    xs[3] = (np.arange(2 * 4 * 5).reshape(2, 4, 5) % 3 != 0).astype("float32")
    return model, xs


def dense_attention(K):
    """Attention (dot, scaled, concat) and AdditiveAttention with explicit masks and causal masking."""
    def body(K, q, v, qm, vm):
        dot = K.layers.Attention(use_scale=True, name="dot")([q, v], mask=[qm, vm])
        concat = K.layers.Attention(score_mode="concat", use_scale=True, name="concat")([q, q], use_causal_mask=True)
        additive = K.layers.AdditiveAttention(name="additive")([q, v, v], mask=[qm, vm])
        return [dot, concat, additive]
    model, xs = functional(K, [(4, 3), (5, 3), (4,), (5,)], body, dtypes=["float32", "float32", "bool", "bool"])
    xs[2] = np.array([[True, True, False, True], [True, False, True, True]])
    xs[3] = np.array([[True, True, True, False, False], [True, False, True, True, True]])
    return model, xs


def normalizations(K):
    """The normalization layers tfjs lacks."""
    def body(K, x):
        out = [K.layers.GroupNormalization(groups=2, name="group")(x), K.layers.UnitNormalization(name="unit")(x)]
        if K.__name__ == "keras":
            out.append(K.layers.RMSNormalization(name="rms")(x))
        return out
    return functional(K, [(3, 4)], body)


CASES = {
    "k3_transformer": ("keras3", transformer),
    "tfk_transformer": ("tf_keras", transformer),
    "k3_attention_variants": ("keras3", attention_variants),
    "tfk_attention_variants": ("tf_keras", attention_variants),
    "k3_dense_attention": ("keras3", dense_attention),
    "tfk_dense_attention": ("tf_keras", dense_attention),
    "k3_normalizations": ("keras3", normalizations),
    "tfk_normalizations": ("tf_keras", normalizations),
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
