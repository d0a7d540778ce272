"""Python Keras (TensorFlow backend) training speed, samples per second, on one of two models.

--model seed (default): the seed model is the fixture file itself, fixtures/seed_lambda/model.keras (10000 -> Dense 16
-> Dense 16 -> Lambda(dropout) -> Dense 1, compiled with rmsprop + binary cross-entropy), loaded
with its own compile config; its Lambda's function `dropout` comes from the fixture script that
wrote it (scripts/fixture_cases/seed_lambda.py). The TypeScript bench loads the same file with
keras2tfjs. Data: the synthetic IMDB-like training set (fixture_common.imdb_arrays), batch 512,
written as .npy to --data-dir so the TypeScript bench trains on exactly these bytes.

--model conv: a small image classifier (28x28x1 -> Conv2D 16 3x3 relu -> MaxPool 2 -> Conv2D 32
3x3 relu -> MaxPool 2 -> Flatten -> Dense 10 softmax; rmsprop, categorical cross-entropy on
one-hot labels, batch 128), built here with a fixed seed and saved as --data-dir/model.keras with
its compile config, trained on 2048 synthetic images (class-dependent mean pattern plus Gaussian
noise: dense values, no zeros for kernels to skip), written beside it as .npy. (Not the sparse
loss on integer labels: tfjs-layers' fit accepts [N, 1] targets only for its own sparse loss
function, not for Keras-exact ones.)

    python train_keras.py --data-dir DIR --epochs N [--model seed|conv]   # prints one JSON line

Timing: Keras' first epoch traces and compiles the train step; it is run but not timed. Each
later epoch is timed with a callback; samples/s = training rows / median epoch time.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "scripts"))
sys.path.insert(0, str(REPO / "scripts" / "fixture_cases"))
SEED_MODEL = REPO / "fixtures" / "seed_lambda" / "model.keras"

import numpy as np  # noqa: E402

import fixture_common  # noqa: E402

INPUT_DIM = 10000
BATCH_SIZE = {"seed": 512, "conv": 128}
CONV_ROWS = 2048
CONV_CLASSES = 10


def write_data(data_dir, x, y):
    """x_train.npy / y_train.npy, written under temporary names and renamed."""
    data_dir.mkdir(parents=True, exist_ok=True)
    for name, array in (("x_train.npy", x), ("y_train.npy", y)):
        tmp = data_dir / (".tmp-" + name)
        np.save(tmp, np.ascontiguousarray(array, dtype="<f4"), allow_pickle=False)
        os.replace(tmp, data_dir / name)


def seed_model(keras, data_dir):
    """The seed fixture model and the synthetic IMDB training arrays."""
    import seed_lambda  # the fixture case: defines the Lambda's function `dropout`

    x_train, y_train, _, _ = fixture_common.imdb_arrays(INPUT_DIM)
    write_data(data_dir, x_train, y_train)
    fixture_common.seed_everything(keras)
    model = keras.saving.load_model(SEED_MODEL, custom_objects={"dropout": seed_lambda.dropout})
    if model.input_shape[-1] != INPUT_DIM:
        raise SystemExit(f"{SEED_MODEL}: expected {INPUT_DIM} inputs, got {model.input_shape}")
    return model, x_train, str(SEED_MODEL.relative_to(REPO))


def conv_model(keras, data_dir):
    """The small conv model (saved to data_dir/model.keras for the TypeScript side) and its images."""
    fixture_common.seed_everything(keras)
    rng = np.random.default_rng(7)
    patterns = rng.normal(0.0, 1.0, size=(CONV_CLASSES, 28, 28, 1)).astype(np.float32)
    y_train = rng.integers(0, CONV_CLASSES, size=CONV_ROWS)
    x_train = (patterns[y_train] + rng.normal(0.0, 1.0, size=(CONV_ROWS, 28, 28, 1))).astype(np.float32)
    write_data(data_dir, x_train, np.eye(CONV_CLASSES, dtype=np.float32)[y_train])
    layers = keras.layers
    model = keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            layers.Conv2D(16, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Conv2D(32, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Flatten(),
            layers.Dense(CONV_CLASSES, activation="softmax"),
        ]
    )
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
    path = data_dir / "model.keras"
    tmp = data_dir / ".tmp-model.keras"
    model.save(tmp)
    os.replace(tmp, path)
    return model, x_train, str(path)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--epochs", type=int, default=6, help="timed epochs (one more runs untimed first)")
    parser.add_argument("--model", choices=("seed", "conv"), default="seed")
    args = parser.parse_args()

    import keras
    import tensorflow as tf

    args.data_dir.mkdir(parents=True, exist_ok=True)
    build = seed_model if args.model == "seed" else conv_model
    model, x_train, model_path = build(keras, args.data_dir)
    batch_size = BATCH_SIZE[args.model]

    epoch_seconds = []
    epoch_cpu_seconds = []  # CPU time of the whole process (all threads): what outside load does not change

    class EpochTimer(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter()
            self.cpu_start = time.process_time()

        def on_epoch_end(self, epoch, logs=None):
            epoch_seconds.append(time.perf_counter() - self.start)
            epoch_cpu_seconds.append(time.process_time() - self.cpu_start)

    model.fit(
        x_train,
        np.load(args.data_dir / "y_train.npy"),
        batch_size=batch_size,
        epochs=args.epochs + 1,
        verbose=0,
        callbacks=[EpochTimer()],
    )
    timed = epoch_seconds[1:]
    median = statistics.median(timed)
    result = {
        "samples_per_s": len(x_train) / median,
        "rows": int(len(x_train)),
        "batch_size": batch_size,
        "steps_per_epoch": -(-len(x_train) // batch_size),
        "epoch_seconds": [round(s, 4) for s in timed],
        "epoch_cpu_seconds": [round(s, 4) for s in epoch_cpu_seconds[1:]],
        "first_epoch_seconds": round(epoch_seconds[0], 4),
        "model": model_path,
        "optimizer": type(model.optimizer).__name__,
        "keras": keras.__version__,
        "tensorflow": tf.__version__,
        "python": sys.version.split()[0],
        "threads": {
            "intra_op": tf.config.threading.get_intra_op_parallelism_threads(),
            "inter_op": tf.config.threading.get_inter_op_parallelism_threads(),
        },
    }
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
