"""Writes the ~100 MB model the converter bench reads (never committed; cached in bench/.cache).

The seed model's shape, widened: Input(10000) -> Dense(2500, relu) -> Dense(16, relu)
-> Dropout(0.5) -> Dense(1, sigmoid): 25.04 M float32 parameters = 100.2 MB of weights.

    python make_large_model.py --flavor keras3 OUT_DIR   # OUT_DIR/large_keras3.keras + large_keras3.h5
    python make_large_model.py --flavor tfkeras OUT_DIR  # OUT_DIR/large_tfkeras.h5 (Keras 2 via tf_keras)
    python make_large_model.py --flavor keras3 --wide-units 12500 --keras-only OUT_DIR
        # OUT_DIR/large_keras3_12500.keras: 125 M parameters, ~500 MB (the page bench's model)

Run each flavor in its own process: the Keras package is fixed when TensorFlow is imported
(TF_USE_LEGACY_KERAS=1 selects tf_keras, which this script sets itself for 'tfkeras').
Files are written under a temporary name and renamed, so an interrupted run leaves nothing.
"""

import argparse
import json
import os
import sys
from pathlib import Path

INPUT_DIM = 10000
WIDE_UNITS = 2500
SEED = 20261129


def build(keras, wide_units=WIDE_UNITS):
    keras.utils.set_random_seed(SEED)
    model = keras.Sequential(
        [
            keras.Input(shape=(INPUT_DIM,)),
            keras.layers.Dense(wide_units, activation="relu"),
            keras.layers.Dense(16, activation="relu"),
            keras.layers.Dropout(0.5),
            keras.layers.Dense(1, activation="sigmoid"),
        ],
        name="large_model",
    )
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
    return model


def save_atomically(model, path):
    # Keras picks the format from the suffix, so the temporary name keeps it.
    tmp = path.with_name(".tmp-" + path.name)
    model.save(tmp)
    os.replace(tmp, path)
    return path


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--flavor", choices=["keras3", "tfkeras"], required=True)
    parser.add_argument("--wide-units", type=int, default=WIDE_UNITS, help="units of the wide Dense layer (2500: ~100 MB)")
    parser.add_argument("--keras-only", action="store_true", help="keras3: write only the .keras file")
    parser.add_argument("out_dir", type=Path)
    args = parser.parse_args()
    args.out_dir.mkdir(parents=True, exist_ok=True)

    if args.flavor == "tfkeras":
        os.environ["TF_USE_LEGACY_KERAS"] = "1"
        import tf_keras as keras
    else:
        os.environ.setdefault("KERAS_BACKEND", "tensorflow")
        import keras

    model = build(keras, args.wide_units)
    suffix = "" if args.wide_units == WIDE_UNITS else f"_{args.wide_units}"
    written = []
    if args.flavor == "keras3":
        written.append(save_atomically(model, args.out_dir / f"large_keras3{suffix}.keras"))
        if not args.keras_only:
            written.append(save_atomically(model, args.out_dir / f"large_keras3{suffix}.h5"))
    else:
        written.append(save_atomically(model, args.out_dir / f"large_tfkeras{suffix}.h5"))
    result = {
        "flavor": args.flavor,
        "keras_version": keras.__version__,
        "params": int(model.count_params()),
        "files": {p.name: p.stat().st_size for p in written},
    }
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
