"""Writes test/convert/data/: small models saved by real Keras for the converter tests.

* zoo_k3.keras / zoo_k3_dir/ (zipped=False) / zoo_k3.h5: a Keras 3 functional model with every
  weight layout the converter maps (Bidirectional LSTM, TimeDistributed Dense, reset_after GRU,
  BatchNormalization without center, LayerNormalization, causal Conv1D, SeparableConv... as far as
  tfjs has them, a nested Sequential, Embedding), in the three formats Keras 3 writes.
* zoo_tfk.h5: the same kind of model in tf_keras (Keras 2), legacy HDF5.
* k3_weights.weights.h5 + k3_config.json: a Keras 3 weights-only file and model.to_json().
* tfk_weights.h5 + tfk_model.json: a tf_keras weights-only file (save_weights) and to_json().
* k3_values.keras: Keras 3 spellings tfjs reads differently (silu, LecunNormal, L1/'l2',
  untruncated_normal, LeakyReLU negative_slope, ReLU max_value, gelu, mish).
* k3_bilinear.keras: UpSampling2D(interpolation='bilinear'), which tfjs resizes differently.
* k3_hard_sigmoid.keras (Keras 3 hard_sigmoid = relu6(x+3)/6, keras2tfjs' own activation), k3_int8.keras
  (model.quantize('int8'), refused), tfk_hard_sigmoid.h5 (Keras 2 hard_sigmoid, as tfjs's).
* ext_dataset.h5, virtual_dataset.h5: zoo-style legacy files whose first Dense kernel was replaced
  by an external-storage dataset / a virtual dataset (HDF5 features Keras refuses to load).
* expected.json: for each model, the input (fixed pattern) and Keras' predict output.

Run: /work/venvtry/.venv/bin/python test/convert/make_test_models.py
Re-running rewrites the files; their bytes depend on the Keras/h5py versions (recorded).
"""
import json
import os
import shutil

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
import h5py  # noqa: E402
import numpy as np  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")


def pattern(shape, scale=1.0):
    n = int(np.prod(shape))
    return ((((np.arange(n) * 37) % 101) / 101.0 - 0.5) * scale).astype("float32").reshape(shape)


def zoo_keras3():
    import keras
    from keras import layers

    keras.utils.set_random_seed(7)
    seq_in = keras.Input((6, 4), name="seq")
    x = layers.Bidirectional(layers.LSTM(3, return_sequences=True), name="bidi")(seq_in)
    x = layers.TimeDistributed(layers.Dense(2, activation="tanh"), name="td")(x)
    x = layers.Conv1D(3, 2, padding="causal", dilation_rate=2, name="causal")(x)
    x = layers.LayerNormalization(name="ln")(x)
    x = layers.GRU(4, name="gru")(x)  # reset_after=True, Keras 3's default
    x = layers.BatchNormalization(center=False, name="bn")(x)
    tok_in = keras.Input((5,), name="tokens")
    e = layers.Embedding(11, 3, name="emb")(tok_in)
    e = layers.Flatten(name="flat")(e)
    inner = keras.Sequential([keras.Input((15,)), layers.Dense(4, activation="relu", name="inner_dense"), layers.Dropout(0.2, name="inner_drop")], name="inner")
    e = inner(e)
    merged = layers.Concatenate(name="cat")([x, e])
    out = layers.Dense(2, activation="softmax", name="out", kernel_regularizer=keras.regularizers.L2(1e-3))(merged)
    model = keras.Model([seq_in, tok_in], out, name="zoo")
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    # A few steps so that BatchNormalization's moving statistics are not the initial ones.
    xs = [pattern((16, 6, 4), 2.0), (np.arange(80).reshape(16, 5) % 11).astype("float32")]
    ys = np.eye(2, dtype="float32")[np.arange(16) % 2]
    model.fit(xs, ys, epochs=3, batch_size=8, verbose=0)
    return keras, model, [pattern((2, 6, 4), 2.0), (np.arange(10).reshape(2, 5) % 11).astype("float32")]


def zoo_tfkeras():
    import tf_keras as keras
    from tf_keras import layers

    keras.utils.set_random_seed(7)
    inp = keras.Input((6, 4))
    x = layers.Bidirectional(layers.GRU(3, return_sequences=True, reset_after=False), name="bidi")(inp)
    x = layers.Conv1D(3, 2, padding="same", name="conv")(x)
    x = layers.BatchNormalization(name="bn")(x)
    x = layers.SimpleRNN(4, name="rnn")(x)
    inner = keras.Sequential([layers.Dense(5, activation="elu", input_shape=(4,), name="inner_dense")], name="inner")
    x = inner(x)
    out = layers.Dense(1, activation="sigmoid", name="out")(x)
    model = keras.Model(inp, out, name="zoo_tfk")
    model.compile(optimizer="rmsprop", loss="binary_crossentropy")
    model.fit(pattern((16, 6, 4), 2.0), (np.arange(16) % 2).astype("float32"), epochs=2, batch_size=8, verbose=0)
    return keras, model, [pattern((2, 6, 4), 2.0)]


def values_keras3():
    """Keras 3 spellings tfjs reads differently: silu, Lecun*, L1, untruncated_normal, negative_slope."""
    import keras
    from keras import layers

    keras.utils.set_random_seed(11)
    inp = keras.Input((5,))
    x = layers.Dense(6, activation="silu", kernel_initializer="lecun_normal", kernel_regularizer=keras.regularizers.L1(0.01), name="silu_dense")(inp)
    x = layers.Dense(6, kernel_initializer=keras.initializers.VarianceScaling(distribution="untruncated_normal"), name="vs_dense")(x)
    x = layers.LeakyReLU(negative_slope=0.1, name="leaky")(x)
    x = layers.ReLU(max_value=0.5, name="relu6ish")(x)
    x = layers.Dense(3, activation="gelu", kernel_regularizer="l2", name="gelu_dense")(x)
    x = layers.Dense(2, activation="mish", name="out")(x)
    model = keras.Model(inp, x, name="values")
    model.compile(optimizer="sgd", loss="mse")
    model.fit(pattern((32, 5), 3.0), pattern((32, 2)), epochs=2, verbose=0)
    hard = keras.Sequential([keras.Input((4,)), layers.Dense(2, activation="hard_sigmoid", name="hard")], name="hard_k3")
    bilinear = keras.Sequential(
        [keras.Input((3, 5, 2)), layers.UpSampling2D((2, 3), interpolation="bilinear", name="up"), layers.Conv2D(2, 3, name="conv")], name="bilinear"
    )
    quant = keras.Sequential([keras.Input((4,)), layers.Dense(8, name="q_dense")], name="quantized")
    quant.quantize("int8")
    return model, [pattern((2, 5), 3.0)], hard, quant, bilinear


def hard_sigmoid_tfkeras():
    import tf_keras as keras

    keras.utils.set_random_seed(3)
    model = keras.Sequential([keras.layers.Dense(3, activation="hard_sigmoid", input_shape=(4,), name="hard")], name="hard_tfk")
    return model, [pattern((2, 4), 8.0)]


def predict(model, xs):
    y = model.predict(xs if len(xs) > 1 else xs[0], verbose=0)
    return np.asarray(y, dtype="float32")


def record(expected, name, xs, y):
    expected[name] = {
        "inputs": [{"shape": list(x.shape), "values": x.reshape(-1).tolist()} for x in xs],
        "output": {"shape": list(y.shape), "values": y.reshape(-1).tolist()},
    }


def replace_kernel(src, dst, how):
    """Copies src to dst with the first Dense kernel replaced by an external or virtual dataset."""
    shutil.copy(src, dst)
    with h5py.File(dst, "a") as f:
        path = "model_weights/dense/dense/kernel:0"
        value = f[path][()]
        del f[path]
        if how == "external":
            with open(dst + ".kernel.bin", "wb") as raw:
                raw.write(value.astype("<f4").tobytes())
            f.create_dataset(path, shape=value.shape, dtype="<f4", external=[(os.path.basename(dst) + ".kernel.bin", 0, value.nbytes)])
        else:
            f["model_weights/dense/source_kernel"] = value
            layout = h5py.VirtualLayout(shape=value.shape, dtype="<f4")
            layout[...] = h5py.VirtualSource(".", "model_weights/dense/source_kernel", shape=value.shape)
            f.create_virtual_dataset(path, layout)


def main():
    os.makedirs(OUT, exist_ok=True)
    expected = {}

    keras, model, xs = zoo_keras3()
    y = predict(model, xs)
    model.save(os.path.join(OUT, "zoo_k3.keras"))
    shutil.rmtree(os.path.join(OUT, "zoo_k3_dir"), ignore_errors=True)
    keras.saving.save_model(model, os.path.join(OUT, "zoo_k3_dir"), zipped=False)
    model.save(os.path.join(OUT, "zoo_k3.h5"))
    for name in ("zoo_k3.keras", "zoo_k3_dir", "zoo_k3.h5"):
        record(expected, name, xs, y)
    model.save_weights(os.path.join(OUT, "k3_weights.weights.h5"))
    with open(os.path.join(OUT, "k3_config.json"), "w") as f:
        f.write(model.to_json())
    record(expected, "k3_weights.weights.h5", xs, y)

    tfk, model2, xs2 = zoo_tfkeras()
    y2 = predict(model2, xs2)
    model2.save(os.path.join(OUT, "zoo_tfk.h5"))
    record(expected, "zoo_tfk.h5", xs2, y2)
    model2.save_weights(os.path.join(OUT, "tfk_weights.h5"))
    with open(os.path.join(OUT, "tfk_model.json"), "w") as f:
        f.write(model2.to_json())
    record(expected, "tfk_weights.h5", xs2, y2)

    values, xs3, hard, quant, bilinear = values_keras3()
    bilinear.save(os.path.join(OUT, "k3_bilinear.keras"))
    xs5 = [pattern((2, 3, 5, 2), 4.0)]
    record(expected, "k3_bilinear.keras", xs5, predict(bilinear, xs5))
    values.save(os.path.join(OUT, "k3_values.keras"))
    record(expected, "k3_values.keras", xs3, predict(values, xs3))
    hard.save(os.path.join(OUT, "k3_hard_sigmoid.keras"))
    quant.save(os.path.join(OUT, "k3_int8.keras"))
    hard2, xs4 = hard_sigmoid_tfkeras()
    hard2.save(os.path.join(OUT, "tfk_hard_sigmoid.h5"))
    record(expected, "tfk_hard_sigmoid.h5", xs4, predict(hard2, xs4))

    # Bad HDF5 inputs, from a real tf_keras file with a Dense layer named 'dense'.
    inp = tfk.Input((3,))
    small = tfk.Model(inp, tfk.layers.Dense(2, name="dense")(inp))
    small_path = os.path.join(OUT, "small_tfk.h5")
    small.save(small_path)
    replace_kernel(small_path, os.path.join(OUT, "ext_dataset.h5"), "external")
    replace_kernel(small_path, os.path.join(OUT, "virtual_dataset.h5"), "virtual")
    os.remove(small_path)

    versions = {"keras": keras.__version__, "tf_keras": tfk.__version__, "h5py": h5py.__version__, "numpy": np.__version__}
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump({"generatedBy": "test/convert/make_test_models.py", "versions": versions, "models": expected}, f, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
