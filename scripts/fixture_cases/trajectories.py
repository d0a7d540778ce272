"""trajectories: weights of a small seeded-dropout model trained by real Keras 3 (TensorFlow backend).

From fixed initial weights and fixed batches, the same model is trained for 10 steps with
`train_on_batch` under each Keras optimizer configuration below. A seeded `keras.layers.Dropout`
is active in every step, so step n drops the units of the seed pair [SEED, n] (Philox stream).
The TypeScript parity test rebuilds the model, draws the same masks with ManualDropout
(rng 'tensorflow'), trains with keras2tfjs' Keras optimizers and compares the weights.

Written per the fixture protocol (KERAS_BACKEND=tensorflow):
    python scripts/fixture_cases/trajectories.py <out_root>
Self-contained (no fixture_common) so it runs on its own in a few seconds.
"""
import json
import os
import sys
import tempfile

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
os.environ.setdefault("TF_DETERMINISTIC_OPS", "1")

import numpy as np

CASE = "trajectories"
STEPS = 10
BATCH = 16
FEATURES = 20
HIDDEN = 8
SEED = 1337
RATE = 0.5
L2 = 0.01
DATA_SEED = 20261129

# name -> (Keras class name, constructor arguments). Each exercises one piece of update arithmetic.
OPTIMIZERS = {
    "sgd": ("SGD", {"learning_rate": 0.1}),
    "sgd_momentum": ("SGD", {"learning_rate": 0.05, "momentum": 0.9}),
    "sgd_nesterov": ("SGD", {"learning_rate": 0.05, "momentum": 0.9, "nesterov": True}),
    "sgd_clipnorm": ("SGD", {"learning_rate": 0.1, "momentum": 0.9, "clipnorm": 0.05}),
    "rmsprop": ("RMSprop", {"learning_rate": 0.01}),
    "rmsprop_centered": ("RMSprop", {"learning_rate": 0.01, "momentum": 0.5, "centered": True}),
    "rmsprop_clipvalue": ("RMSprop", {"learning_rate": 0.01, "clipvalue": 0.01}),
    "rmsprop_epsilon": ("RMSprop", {"learning_rate": 0.01, "rho": 0.8, "epsilon": 0.01}),
    "adam": ("Adam", {"learning_rate": 0.01}),
    # A large epsilon makes Keras' epsilon placement (added to the uncorrected sqrt(v)) visible:
    # tfjs' own Adam adds it to the bias-corrected sqrt(v_hat) and lands elsewhere.
    "adam_epsilon": ("Adam", {"learning_rate": 0.01, "epsilon": 0.01}),
    "adam_amsgrad": ("Adam", {"learning_rate": 0.01, "amsgrad": True}),
    "adam_global_clipnorm": ("Adam", {"learning_rate": 0.01, "global_clipnorm": 0.1}),
    "adamw": ("AdamW", {"learning_rate": 0.01, "weight_decay": 0.1}),
    "sgd_weight_decay": ("SGD", {"learning_rate": 0.1, "weight_decay": 0.05}),
}

# The same kinds of optimizers compiled by tf.keras 2 (Keras 2 `training_config` in a .h5 file).
KERAS2_OPTIMIZERS = {
    "sgd_nesterov": ("SGD", {"learning_rate": 0.05, "momentum": 0.9, "nesterov": True}),
    "rmsprop_centered": ("RMSprop", {"learning_rate": 0.01, "momentum": 0.5, "centered": True}),
    "adam_amsgrad": ("Adam", {"learning_rate": 0.01, "amsgrad": True}),
    "adamw": ("AdamW", {"learning_rate": 0.01, "weight_decay": 0.1}),
}


def make_data():
    rng = np.random.default_rng(DATA_SEED)
    initial = [
        (rng.standard_normal((FEATURES, HIDDEN)) * 0.3).astype(np.float32),  # hidden/kernel
        (rng.standard_normal(HIDDEN) * 0.1).astype(np.float32),  # hidden/bias
        (rng.standard_normal((HIDDEN, 1)) * 0.5).astype(np.float32),  # output/kernel
        np.array([0.05], dtype=np.float32),  # output/bias
    ]
    x = rng.standard_normal((STEPS, BATCH, FEATURES)).astype(np.float32)
    rule = rng.standard_normal(FEATURES).astype(np.float32)
    y = ((x @ rule + 0.5 * rng.standard_normal((STEPS, BATCH))) > 0).astype(np.float32)[..., None]
    return initial, x, y


def build_model(keras):
    inputs = keras.Input(shape=(FEATURES,), name="features")
    h = keras.layers.Dense(HIDDEN, activation="relu", kernel_regularizer=keras.regularizers.L2(L2), name="hidden")(inputs)
    h = keras.layers.Dropout(RATE, seed=SEED, name="dropout")(h)
    outputs = keras.layers.Dense(1, activation="sigmoid", name="output")(h)
    return keras.Model(inputs, outputs, name="trajectory_model")


def recorded_masks(keras):
    """The keep masks (1 kept, 0 dropped) of steps 0..STEPS-1, from Keras' own stream.

    A fresh SeedGenerator(SEED) replays the layer's draws: draw n uses state [SEED, n]. The
    training runs below assert that their Dropout layer made exactly STEPS draws.
    """
    gen = keras.random.SeedGenerator(SEED)
    ones = np.ones((BATCH, HIDDEN), dtype=np.float32)
    masks = [np.asarray(keras.random.dropout(ones, RATE, seed=gen)) != 0 for _ in range(STEPS)]
    return np.stack(masks).astype(np.float32)


def train(keras, class_name, kwargs, initial, x, y):
    model = build_model(keras)
    model.set_weights(initial)
    optimizer = getattr(keras.optimizers, class_name)(**kwargs)
    model.compile(optimizer=optimizer, loss="binary_crossentropy", metrics=["accuracy"], jit_compile=False)
    trajectory = [[w.copy() for w in initial]]
    losses = []
    for step in range(STEPS):
        logs = model.train_on_batch(x[step], y[step], return_dict=True)
        losses.append(logs["loss"])
        trajectory.append([np.asarray(w) for w in model.get_weights()])
    state = np.asarray(model.get_layer("dropout").seed_generator.state).tolist()
    if state != [SEED, STEPS]:
        raise AssertionError(f"dropout stream state {state}, expected [{SEED}, {STEPS}]")
    if int(optimizer.iterations.numpy()) != STEPS:
        raise AssertionError(f"optimizer iterations {int(optimizer.iterations.numpy())}, expected {STEPS}")
    return model, trajectory, np.array(losses, dtype=np.float32)


def replay_with_masks(keras, class_name, kwargs, initial, x, y, masks):
    """Self-check: the same training with the recorded masks applied by hand gives the same weights.

    Proves the recorded masks are the ones the Dropout layer drew (not just the same stream).
    """
    import tensorflow as tf

    model = build_model(keras)
    model.set_weights(initial)
    optimizer = getattr(keras.optimizers, class_name)(**kwargs)
    hidden, output = model.get_layer("hidden"), model.get_layer("output")
    scale = np.float32(1.0 / (1.0 - RATE))
    bce = keras.losses.BinaryCrossentropy()
    for step in range(STEPS):
        with tf.GradientTape() as tape:
            h = hidden(x[step]) * scale
            h = tf.where(masks[step] != 0, h, 0.0)
            pred = output(h)
            loss = bce(y[step], pred) + tf.add_n(model.losses)
        grads = tape.gradient(loss, model.trainable_weights)
        optimizer.apply_gradients(zip(grads, model.trainable_weights))
    return [np.asarray(w) for w in model.get_weights()]


def loss_values(keras):
    """Keras' per-sample loss values and gradients d(mean loss)/d(y_pred) on plain tensors.

    Plain input tensors carry no `_keras_logits`, so these are Keras' probability formulas
    (clipping at epsilon=1e-7), its from_logits formulas and its label smoothing.
    """
    import tensorflow as tf

    probs = np.array([[0.1, 0.9, 1.0], [0.0, 0.5, 1e-9], [0.999999, 0.3, 0.7], [0.2, 0.2, 0.6]], np.float32)
    labels01 = np.array([[0, 1, 1], [0, 1, 1], [1, 0, 1], [1, 1, 0]], np.float32)
    logits = np.array([[-30.0, 2.5, 0.0], [17.0, -0.3, 1.2], [4.0, -4.0, 0.5], [0.1, -60.0, 30.0]], np.float32)
    one_hot = np.array([[0, 0, 1], [1, 0, 0], [0, 1, 0], [0, 0, 1]], np.float32)
    unnormalized = np.array([[0.2, 0.3, 0.9], [0.0, 1.0, 0.0], [0.5, 0.5, 0.0], [0.1, 0.7, 0.2]], np.float32)
    sparse = np.array([2, 0, 1, 2], np.int32)
    cases = {
        "bce": ("binary_crossentropy", labels01, probs, {}),
        "bce_logits": ("binary_crossentropy", labels01, logits, {"from_logits": True}),
        "bce_smoothing": ("binary_crossentropy", labels01, probs, {"label_smoothing": 0.1}),
        "cce": ("categorical_crossentropy", one_hot, unnormalized, {}),
        "cce_logits": ("categorical_crossentropy", one_hot, logits, {"from_logits": True}),
        "cce_smoothing": ("categorical_crossentropy", one_hot, unnormalized, {"label_smoothing": 0.2}),
        "scce": ("sparse_categorical_crossentropy", sparse, unnormalized, {}),
        "scce_logits": ("sparse_categorical_crossentropy", sparse, logits, {"from_logits": True}),
    }
    out = {}
    for name, (fn, y_true, y_pred, kwargs) in cases.items():
        pred = tf.constant(y_pred)
        with tf.GradientTape() as tape:
            tape.watch(pred)
            per_sample = getattr(keras.losses, fn)(tf.constant(y_true), pred, **kwargs)
            total = tf.reduce_mean(per_sample)
        grad = tape.gradient(total, pred)
        out[name] = {
            "loss": fn,
            "options": kwargs,
            "y_true": y_true.tolist(),
            "y_pred": y_pred.astype(np.float64).tolist(),
            "per_sample": np.asarray(per_sample).astype(np.float64).tolist(),
            "grad": np.asarray(grad).astype(np.float64).tolist(),
        }
    return out


def keras2_training_configs():
    """Real Keras 2 `training_config` JSON (as tf.keras stores it in .h5 attributes)."""
    import h5py
    import tf_keras

    configs = {}
    for name, (class_name, kwargs) in KERAS2_OPTIMIZERS.items():
        inputs = tf_keras.Input(shape=(FEATURES,))
        outputs = tf_keras.layers.Dense(1, activation="sigmoid")(inputs)
        model = tf_keras.Model(inputs, outputs)
        optimizer = getattr(tf_keras.optimizers, class_name)(**kwargs)
        model.compile(optimizer=optimizer, loss="binary_crossentropy", metrics=["accuracy"])
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "model.h5")
            model.save(path)
            with h5py.File(path, "r") as f:
                raw = f.attrs["training_config"]
        configs[name] = json.loads(raw.decode("utf-8") if isinstance(raw, bytes) else raw)
    return configs


def main(out_root):
    import keras

    out = os.path.join(out_root, CASE)
    os.makedirs(out, exist_ok=True)
    keras.utils.set_random_seed(DATA_SEED)
    initial, x, y = make_data()
    masks = recorded_masks(keras)

    files = {
        "x.npy": f"float32 [{STEPS}, {BATCH}, {FEATURES}]: the input batch of each step",
        "y.npy": f"float32 [{STEPS}, {BATCH}, 1]: the 0/1 labels of each step",
        "masks.npy": f"float32 [{STEPS}, {BATCH}, {HIDDEN}]: dropout keep mask (1 kept) of step n, drawn from seed pair [{SEED}, n]",
    }
    np.save(os.path.join(out, "x.npy"), x)
    np.save(os.path.join(out, "y.npy"), y)
    np.save(os.path.join(out, "masks.npy"), masks)
    weight_names = ["hidden_kernel", "hidden_bias", "output_kernel", "output_bias"]
    for name, w in zip(weight_names, initial):
        np.save(os.path.join(out, f"initial_{name}.npy"), w)
        files[f"initial_{name}.npy"] = f"float32 {list(w.shape)}: initial value of {name.replace('_', '/', 1)}"

    runs = {}
    for run, (class_name, kwargs) in OPTIMIZERS.items():
        model, trajectory, losses = train(keras, class_name, kwargs, initial, x, y)
        replayed = replay_with_masks(keras, class_name, kwargs, initial, x, y, masks)
        for got, want in zip(replayed, trajectory[-1]):
            if not np.allclose(got, want, rtol=0, atol=1e-6):
                raise AssertionError(f"{run}: replay with the recorded masks diverged by {np.abs(got - want).max()}")
        os.makedirs(os.path.join(out, run), exist_ok=True)
        for i, name in enumerate(weight_names):
            stacked = np.stack([step_weights[i] for step_weights in trajectory])
            np.save(os.path.join(out, run, f"{name}.npy"), stacked)
            files[f"{run}/{name}.npy"] = f"float32 [{STEPS + 1}, ...]: {name} at step 0 (initial) .. {STEPS}"
        np.save(os.path.join(out, run, "losses.npy"), losses)
        files[f"{run}/losses.npy"] = f"float32 [{STEPS}]: loss reported by train_on_batch at each step (incl. L2 penalty)"
        runs[run] = {
            "optimizer": class_name,
            "arguments": kwargs,
            "compile_config": model.get_compile_config(),
            "optimizer_config": model.optimizer.get_config(),
        }

    with open(os.path.join(out, "loss_values.json"), "w") as f:
        json.dump(loss_values(keras), f, indent=1, sort_keys=True)
    files["loss_values.json"] = "Keras losses on fixed inputs: per-sample values and d(mean)/d(y_pred), float32 values as JSON numbers"

    keras2 = keras2_training_configs()
    with open(os.path.join(out, "keras2_training_configs.json"), "w") as f:
        json.dump(keras2, f, indent=1, sort_keys=True)
    files["keras2_training_configs.json"] = "Keras 2 training_config (tf.keras .h5 attribute) per optimizer"

    import tensorflow as tf

    case = {
        "description": "Weights after 1..10 train_on_batch steps of Dense(8, relu, L2)->Dropout(0.5, seed)->Dense(1, sigmoid) per Keras optimizer",
        "backend": "tensorflow",
        "files": files,
        # Trained weights, losses and loss values: floats TensorFlow computed (fixture_compare.py).
        "cpu_dependent": ["*/hidden_*.npy", "*/output_*.npy", "*/losses.npy", "loss_values.json"],
        "model": {
            "features": FEATURES,
            "hidden": HIDDEN,
            "hidden_activation": "relu",
            "l2": L2,
            "dropout_rate": RATE,
            "dropout_seed": SEED,
            "output_activation": "sigmoid",
            "loss": "binary_crossentropy",
            "weights": weight_names,
        },
        "steps": STEPS,
        "batch_size": BATCH,
        "runs": runs,
        "versions": {"keras": keras.__version__, "tensorflow": tf.__version__, "numpy": np.__version__},
    }
    with open(os.path.join(out, "case.json"), "w") as f:
        json.dump(case, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: trajectories.py <out_root>")
    main(sys.argv[1])
