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


def masks_recorded(K):
    """Masking and Embedding(mask_zero) feeding an LSTM through a Dense: Keras 3 records the mask
    as operation nodes (NotEqual, Any) and a `mask` keyword tensor of the LSTM's node."""
    def body(K, x, tokens):
        m = K.layers.Masking(0.5, name="masking")(x)
        a = K.layers.LSTM(3, name="lstm_masked")(K.layers.Dense(4, name="dense_masked")(m))
        e = K.layers.Embedding(10, 3, mask_zero=True, name="embed")(tokens)
        b = K.layers.GRU(2, name="gru_tokens")(K.layers.Dense(4, name="dense_tokens")(e))
        return [a, b]
    model, xs = functional(K, [(5, 2), (6,)], body, dtypes=["float32", "int32"])
    xs[0][0, 3:] = 0.5
    xs[0][1, 1] = 0.5
    xs[1][0, 4:] = 0
    return model, xs


def recurrent_cells(K):
    """keras.layers.RNN around each cell (GRUCell with the framework's default reset_after),
    a StackedRNNCells of two kinds, ConvLSTM2D."""
    def body(K, x, frames):
        cells = K.layers.StackedRNNCells([K.layers.SimpleRNNCell(3), K.layers.LSTMCell(2)], name="stack")
        return [
            K.layers.RNN(K.layers.LSTMCell(3), name="rnn_lstm")(x),
            K.layers.RNN(K.layers.GRUCell(3), return_sequences=True, name="rnn_gru")(x),
            K.layers.RNN(K.layers.SimpleRNNCell(2), go_backwards=True, name="rnn_simple")(x),
            K.layers.RNN(cells, name="rnn_stacked")(x),
            K.layers.ConvLSTM2D(2, 2, recurrent_activation="sigmoid", name="conv_lstm")(frames),
        ]
    return functional(K, [(5, 3), (3, 4, 4, 2)], body)


def transposed_convolutions(K):
    """Conv1DTranspose and Conv3DTranspose with every padding, a kernel shorter than its stride,
    and output_padding (keras2tfjs computes them itself: tfjs-backend-wasm's conv3dTranspose is
    wrong), and the 1D convolutions tfjs lacks."""
    def body(K, seq, vol):
        out = [
            K.layers.Conv1DTranspose(3, 3, strides=2, name="t1_valid")(seq),
            K.layers.Conv1DTranspose(3, 4, strides=2, padding="same", name="t1_same")(seq),
            K.layers.Conv1DTranspose(2, 1, strides=3, name="t1_short_kernel")(seq),
            K.layers.Conv1DTranspose(2, 3, strides=2, output_padding=1, name="t1_output_padding")(seq),
            K.layers.Conv3DTranspose(2, 2, strides=2, name="t3_valid")(vol),
            K.layers.Conv3DTranspose(2, 3, strides=(1, 2, 2), padding="same", name="t3_same")(vol),
            K.layers.Conv3DTranspose(2, 1, strides=2, name="t3_short_kernel")(vol),
            K.layers.Conv3DTranspose(2, 3, strides=2, padding="same", output_padding=1, name="t3_output_padding")(vol),
        ]
        if K.__name__ == "keras":  # tf.keras has no DepthwiseConv1D / SeparableConv1D with these names
            out.append(K.layers.DepthwiseConv1D(3, depth_multiplier=2, padding="same", name="depthwise_1d")(seq))
        out.append(K.layers.SeparableConv1D(4, 3, strides=2, name="separable_1d")(seq))
        return out
    return functional(K, [(5, 3), (3, 4, 2, 2)], body)


def reshaping(K):
    """The 1D/3D cropping, padding and upsampling layers, adaptive pooling (Keras 3), the
    activation layers tfjs computes differently, and layers that are the identity at inference."""
    def body(K, seq, vol):
        out = [
            K.layers.Cropping1D((1, 2), name="crop_1d")(seq),
            K.layers.ZeroPadding1D((2, 1), name="pad_1d")(seq),
            K.layers.UpSampling1D(3, name="up_1d")(seq),
            K.layers.Cropping3D(((1, 0), (0, 1), (1, 1)), name="crop_3d")(vol),
            K.layers.ZeroPadding3D((1, 2, 0), name="pad_3d")(vol),
            K.layers.UpSampling3D((2, 1, 2), name="up_3d")(vol),
            K.layers.SpatialDropout3D(0.4, name="spatial_dropout_3d")(vol),
            K.layers.ELU(alpha=0.4, name="elu")(seq),
            K.layers.ReLU(max_value=1.5, negative_slope=0.1, threshold=0.3, name="relu")(seq),
            K.layers.Softmax(axis=1, name="softmax_time")(seq),
            K.layers.ActivityRegularization(l1=0.1, name="activity_regularization")(seq),
            K.layers.RandomFlip(name="random_flip")(vol[:, 0]),
            K.layers.RandomRotation(0.2, name="random_rotation")(vol[:, 0]),
        ]
        if K.__name__ == "keras":
            out += [
                K.layers.AdaptiveAveragePooling1D(2, name="adaptive_average_1d")(seq),
                K.layers.AdaptiveMaxPooling3D((2, 3, 2), name="adaptive_max_3d")(vol),
                K.layers.Identity(name="identity")(seq),
                K.layers.SpectralNormalization(K.layers.Dense(3), name="spectral_normalization")(seq),
            ]
        return out
    return functional(K, [(6, 3), (3, 4, 5, 2)], body)


def preprocessing(K):
    """Preprocessing layers at inference: Resizing (crop and pad to aspect ratio), CenterCrop,
    CategoryEncoding, Discretization, IntegerLookup with its vocabulary in the config."""
    def body(K, image, ids, values):
        out = [
            K.layers.Resizing(5, 9, name="resize")(image),
            K.layers.Resizing(4, 4, crop_to_aspect_ratio=True, name="resize_crop")(image),
            K.layers.Resizing(5, 3, interpolation="nearest", name="resize_nearest")(image),
            K.layers.CenterCrop(3, 4, name="center_crop")(image),
            K.layers.CategoryEncoding(num_tokens=6, output_mode="multi_hot", name="multi_hot")(ids),
            K.layers.CategoryEncoding(num_tokens=6, output_mode="count", name="count")(ids),
            K.layers.Discretization(bin_boundaries=[-0.5, 0.0, 0.7], name="discretize")(values),
            K.layers.IntegerLookup(vocabulary=[1, 2, 3], name="lookup")(ids),
        ]
        if K.__name__ == "keras":
            out.append(K.layers.Resizing(5, 5, pad_to_aspect_ratio=True, name="resize_pad")(image))
        return out
    return functional(K, [(6, 8, 3), (3,), (4,)], body, dtypes=["float32", "int32", "float32"], fill=False)


def reversible_embedding(K):
    """Keras 3's ReversibleEmbedding, tied and untied, called forward."""
    def body(K, ids):
        return [K.layers.ReversibleEmbedding(10, 4, name="tied")(ids),
                K.layers.ReversibleEmbedding(10, 3, tie_weights=False, name="untied")(ids)]
    return functional(K, [(6,)], body, dtypes=["int32"])


def convnext_block(K):
    """ConvNeXt's pieces (keras.applications): Conv2D(groups=channels) as its depthwise
    convolution, a Conv2D with 2 groups of several channels (strided, with bias), and its own
    LayerScale layer."""
    if K.__name__ == "keras":
        from keras.src.applications.convnext import LayerScale
    else:
        from tf_keras.src.applications.convnext import LayerScale

    def body(K, x):
        y = K.layers.Conv2D(4, 3, padding="same", groups=4, name="depthwise_conv")(x)
        y = K.layers.Conv2D(6, 3, strides=2, groups=2, activation="relu", name="grouped_conv")(y)
        y = K.layers.Dense(6, name="pointwise")(y)
        return [LayerScale(0.5, 6, name="layer_scale")(y)]
    return functional(K, [(7, 7, 4)], body)


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
    "k3_masks_recorded": ("keras3", masks_recorded),
    "tfk_masks_recorded": ("tf_keras", masks_recorded),
    "k3_recurrent_cells": ("keras3", recurrent_cells),
    "tfk_recurrent_cells": ("tf_keras", recurrent_cells),
    "k3_transposed_convolutions": ("keras3", transposed_convolutions),
    "tfk_transposed_convolutions": ("tf_keras", transposed_convolutions),
    "k3_reshaping": ("keras3", reshaping),
    "tfk_reshaping": ("tf_keras", reshaping),
    "k3_preprocessing": ("keras3", preprocessing),
    "tfk_preprocessing": ("tf_keras", preprocessing),
    "k3_reversible_embedding": ("keras3", reversible_embedding),
    "k3_convnext_block": ("keras3", convnext_block),
    "tfk_convnext_block": ("tf_keras", convnext_block),
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
