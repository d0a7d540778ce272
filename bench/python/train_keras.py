"""Python Keras (TensorFlow backend) training speed on the seed model, samples per second.

The seed model is the fixture file itself, fixtures/seed_lambda/model.keras (10000 -> Dense 16
-> Dense 16 -> Lambda(dropout) -> Dense 1, compiled with rmsprop + binary cross-entropy), loaded
with its own compile config; its Lambda's function `dropout` comes from the fixture script that
wrote it (scripts/fixture_cases/seed_lambda.py). The TypeScript bench loads the same file with
keras2tfjs. Data: the synthetic IMDB-like training set (fixture_common.imdb_arrays), batch 512,
written as .npy to --data-dir so the TypeScript bench trains on exactly these bytes.

    python train_keras.py --data-dir DIR --epochs N     # prints one JSON line

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
BATCH_SIZE = 512


def write_data(data_dir, x, y):
    """x_train.npy / y_train.npy, written under temporary names and renamed."""
    data_dir.mkdir(parents=True, exist_ok=True)
    for name, array in (("x_train.npy", x), ("y_train.npy", y)):
        tmp = data_dir / (".tmp-" + name)
        np.save(tmp, np.ascontiguousarray(array, dtype="<f4"), allow_pickle=False)
        os.replace(tmp, data_dir / name)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--epochs", type=int, default=6, help="timed epochs (one more runs untimed first)")
    args = parser.parse_args()

    import keras
    import tensorflow as tf

    import seed_lambda  # the fixture case: defines the Lambda's function `dropout`

    x_train, y_train, _, _ = fixture_common.imdb_arrays(INPUT_DIM)
    write_data(args.data_dir, x_train, y_train)

    fixture_common.seed_everything(keras)
    model = keras.saving.load_model(SEED_MODEL, custom_objects={"dropout": seed_lambda.dropout})
    if model.input_shape[-1] != INPUT_DIM:
        raise SystemExit(f"{SEED_MODEL}: expected {INPUT_DIM} inputs, got {model.input_shape}")

    epoch_seconds = []

    class EpochTimer(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            epoch_seconds.append(time.perf_counter() - self.start)

    model.fit(
        x_train,
        y_train,
        batch_size=BATCH_SIZE,
        epochs=args.epochs + 1,
        verbose=0,
        callbacks=[EpochTimer()],
    )
    timed = epoch_seconds[1:]
    median = statistics.median(timed)
    result = {
        "samples_per_s": len(x_train) / median,
        "rows": int(len(x_train)),
        "batch_size": BATCH_SIZE,
        "steps_per_epoch": -(-len(x_train) // BATCH_SIZE),
        "epoch_seconds": [round(s, 4) for s in timed],
        "first_epoch_seconds": round(epoch_seconds[0], 4),
        "model": str(SEED_MODEL.relative_to(REPO)),
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
