"""Models built and saved by real Keras 3 for the Python → TypeScript → Python export tests.

They hold the Keras layers that keras2tfjs' converter turns into its compat layers (tfjs computes
them differently or not at all), which exportKeras must write back as the Keras classes:

* Conv1D(padding="causal")          → CausalConv1D
* GRU(reset_after=True)             → ResetAfterGRU (tfjs' RNN around ResetAfterGRUCell), also
                                      inside Bidirectional
* UpSampling2D(interpolation="bilinear") → BilinearUpSampling2D
* Normalization (adapted or fixed)  → Normalization

`write_models(folder)` saves each model as `<name>.keras` with fixed inputs (`<name>.x<k>.npy`),
what Keras predicts for them (`<name>.y<k>.npy`) and, for the compiled models TypeScript
fine-tunes (FINE_TUNED), training targets (`<name>.target.npy`); `models.json` lists them for
scripts/export_from_ts.mjs.
"""

import json
import sys
from pathlib import Path

import keras
import numpy as np
from keras import layers

# The coverage run's model builders (coverage/cases_*.py) are reused for the operation graphs.
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "coverage"))


def pattern(shape, seed, scale=1.0):
    """Deterministic values in [-scale, scale]: the same every run, no RNG state involved."""
    n = int(np.prod(shape))
    i = np.arange(n, dtype=np.float64)
    return (np.sin(seed * 1.618 + i * 0.7311) * np.cos(i * 0.1173 + seed) * scale).astype("float32").reshape(shape)


def compat_functional():
    """Every compat layer in one model, compiled: TypeScript fine-tunes it before exporting."""
    keras.utils.set_random_seed(11)
    seq_in = keras.Input((7, 3), name="sequence")
    norm = layers.Normalization(axis=-1, name="norm_adapted")
    norm.adapt(pattern((20, 7, 3), 1, scale=3.0) + 1.5)
    x = norm(seq_in)
    # Undilated: tfjs cannot train a dilated convolution (no gradient), see dilated_causal().
    x = layers.Conv1D(4, 3, padding="causal", activation="relu", name="causal_conv")(x)
    x = layers.GRU(5, return_sequences=True, name="gru_seq")(x)
    x = layers.GRU(3, go_backwards=True, dropout=0.1, name="gru_last")(x)

    img_in = keras.Input((4, 5, 2), name="image")
    u = layers.UpSampling2D((2, 3), interpolation="bilinear", name="bilinear_up")(img_in)
    u = layers.Conv2D(2, 3, name="conv")(u)
    u = layers.Flatten(name="flat")(u)
    u = layers.Normalization(axis=None, mean=0.25, variance=2.0, name="norm_fixed")(u)
    u = layers.Dense(3, activation="tanh", name="image_dense")(u)

    out = layers.Dense(2, name="head")(layers.Concatenate(name="joined")([x, u]))
    model = keras.Model([seq_in, img_in], out, name="compat_functional")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss="mean_squared_error")
    return model, [pattern((4, 7, 3), 2, scale=2.0), pattern((4, 4, 5, 2), 3)]


def masked_grus():
    """reset_after GRUs behind Masking: the second sequence ends in two all-zero (masked) steps."""
    keras.utils.set_random_seed(12)
    model = keras.Sequential(
        [
            keras.Input((6, 3)),
            layers.Masking(0.0, name="mask"),
            layers.GRU(4, return_sequences=True, use_bias=False, activation="relu", name="gru_no_bias"),
            layers.GRU(3, return_sequences=True, go_backwards=True, name="gru_backwards"),
            layers.GRU(2, name="gru_last"),
        ],
        name="masked_grus",
    )
    # Non-zero biases, so that the input and recurrent bias rows of reset_after both matter.
    for layer in model.layers:
        for k, w in enumerate(layer.weights):
            w.assign(pattern(w.shape, 20 + k, scale=0.6))
    x = pattern((3, 6, 3), 5)
    x[1, 4:] = 0.0
    return model, [x]


def dilated_causal():
    """Dilated causal convolutions (WaveNet-style), converted and exported without training."""
    keras.utils.set_random_seed(14)
    model = keras.Sequential(
        [
            keras.Input((9, 2)),
            layers.Conv1D(3, 3, padding="causal", dilation_rate=2, activation="tanh", name="dilated_2"),
            layers.Conv1D(2, 2, padding="causal", dilation_rate=4, use_bias=False, name="dilated_4"),
            layers.GRU(3, name="gru"),
        ],
        name="dilated_causal",
    )
    return model, [pattern((2, 9, 2), 9)]


def bidirectional_grus():
    """Keras' default Bidirectional(GRU) (reset_after=True), concatenated and summed, compiled."""
    keras.utils.set_random_seed(15)
    model = keras.Sequential(
        [
            keras.Input((6, 3)),
            layers.Bidirectional(layers.GRU(4, return_sequences=True), name="bigru_seq"),
            layers.Bidirectional(layers.GRU(3), merge_mode="sum", name="bigru_sum"),
            layers.Dense(2, name="out"),
        ],
        name="bidirectional_grus",
    )
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss="mean_squared_error")
    return model, [pattern((3, 6, 3), 10)]


def normalizations():
    """Normalization over no axis, over two axes, and inverted with a fixed per-unit mean; compiled."""
    keras.utils.set_random_seed(13)
    data = pattern((30, 5, 4), 6, scale=2.0) + 0.5
    over_all = layers.Normalization(axis=None, name="norm_all")
    over_all.adapt(data)
    over_two = layers.Normalization(axis=(1, 2), name="norm_two_axes")
    over_two.adapt(data)
    model = keras.Sequential(
        [
            keras.Input((5, 4)),
            over_all,
            over_two,
            layers.Flatten(name="flat"),
            layers.Dense(6, activation="tanh", name="hidden"),
            layers.Normalization(axis=-1, invert=True, mean=[0.1, -0.2, 0.3, 0.0, 0.5, -0.5], variance=[1.0, 4.0, 0.25, 2.0, 1.5, 3.0], name="norm_invert"),
            layers.Dense(1, name="out"),
        ],
        name="normalizations",
    )
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0.01), loss="mean_squared_error")
    return model, [pattern((4, 5, 4), 7, scale=2.0)]


def mobilenet_v3_block():
    """MobileNetV3's squeeze-and-excite block: hard_silu, GlobalAveragePooling2D(keepdims=True),
    and `relu6(x + 3) * (1/6)` recorded as keras.ops Add / Multiply nodes."""
    keras.utils.set_random_seed(16)
    x_in = keras.Input((5, 5, 3))
    y = layers.Conv2D(8, 1, name="expand")(x_in)
    y = layers.Activation("hard_silu", name="hard_silu")(y)
    se = layers.GlobalAveragePooling2D(keepdims=True, name="squeeze")(y)
    se = layers.Conv2D(8, 1, name="excite")(se)
    se = layers.ReLU(6.0)(se + 3.0) * (1.0 / 6.0)
    y = layers.Multiply(name="scale")([y, se])
    y = layers.Dense(3, activation="hard_sigmoid", name="head")(layers.GlobalMaxPooling2D(keepdims=True, name="pool")(y))
    diff = layers.Subtract(name="difference")([y, layers.Dense(3, activation="mish", name="other")(y)])
    return keras.Model(x_in, diff, name="mobilenet_v3_block"), [pattern((2, 5, 5, 3), 16, scale=2.0)]


def operations(family):
    """One keras.ops family of the coverage run (coverage/cases_ops.py), as Keras 3 records it."""
    def build():
        import cases_ops

        keras.utils.set_random_seed(17)
        model, xs = getattr(cases_ops, f"k3_{family}")(keras)
        return model, xs
    build.__name__ = f"operations_{family}"
    return build


def compat_builder(name):
    """A Keras 3 case of test/layers/compat/make_compat_models.py."""
    def build():
        sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "test" / "layers" / "compat"))
        import make_compat_models

        keras.utils.set_random_seed(18)
        return getattr(make_compat_models, name)(keras)
    build.__name__ = name
    return build


MODELS = {
    "keras_transformer": compat_builder("transformer"),
    "keras_attention_variants": compat_builder("attention_variants"),
    "keras_dense_attention": compat_builder("dense_attention"),
    "keras_normalizations_3": compat_builder("normalizations"),
    "keras_mobilenet_v3_block": mobilenet_v3_block,
    "keras_ops_arithmetic": operations("arithmetic"),
    "keras_ops_shapes": operations("shapes"),
    "keras_ops_reductions": operations("reductions"),
    "keras_ops_nn": operations("nn"),
    "keras_ops_linalg": operations("linalg"),
    "keras_compat_functional": compat_functional,
    "keras_masked_grus": masked_grus,
    "keras_dilated_causal": dilated_causal,
    "keras_normalizations": normalizations,
    "keras_bidirectional_grus": bidirectional_grus,
    "keras_masks_recorded": compat_builder("masks_recorded"),
    "keras_recurrent_cells": compat_builder("recurrent_cells"),
    "keras_transposed_convolutions": compat_builder("transposed_convolutions"),
    "keras_reshaping": compat_builder("reshaping"),
    "keras_preprocessing": compat_builder("preprocessing"),
    "keras_reversible_embedding": compat_builder("reversible_embedding"),
    "keras_convnext_block": compat_builder("convnext_block"),
}
# Compiled in Python: TypeScript loads them with their compile settings and trains a few steps.
FINE_TUNED = ("keras_compat_functional", "keras_normalizations", "keras_bidirectional_grus")


def write_models(folder):
    """Saves every model with its inputs and Keras' predictions; returns what models.json lists."""
    folder.mkdir(parents=True, exist_ok=True)
    listed = []
    for name, build in MODELS.items():
        model, xs = build()
        model.save(folder / f"{name}.keras")
        ys = model.predict(xs if len(xs) > 1 else xs[0], verbose=0)
        ys = list(ys) if isinstance(ys, (list, tuple)) else [ys]
        for k, x in enumerate(xs):
            np.save(folder / f"{name}.x{k}.npy", x)
        for k, y in enumerate(ys):
            np.save(folder / f"{name}.y{k}.npy", np.asarray(y, np.float32))
        if name in FINE_TUNED:
            np.save(folder / f"{name}.target.npy", pattern(np.shape(ys[0]), len(name)))
        listed.append({"name": name, "file": f"{name}.keras", "inputs": len(xs), "outputs": len(ys), "fine_tune": name in FINE_TUNED})
    (folder / "models.json").write_text(json.dumps(listed, indent=1))
    return listed
