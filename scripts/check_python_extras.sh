#!/usr/bin/env bash
# `pip install "keras2tfjs[tensorflow]"` and `"keras2tfjs[jax]"` in clean venvs, as a user would
# (from this checkout's python/ folder): each imports, builds a ManualDropout model on its backend,
# draws the mask keras.layers.Dropout draws, and exports a parity fixture of a model holding it.
# Uses pip's cache when the main venv filled it.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for extra in tensorflow jax; do
  python3 -m venv "$work/$extra"
  "$work/$extra/bin/pip" install --quiet --disable-pip-version-check "./python[$extra]"
  (cd "$work/$extra" && TF_CPP_MIN_LOG_LEVEL=3 KERAS_BACKEND=$extra "$work/$extra/bin/python" - "$extra") <<'PY'
import sys
import numpy as np
import keras
import keras2tfjs

backend = sys.argv[1]
assert keras.backend.backend() == backend, keras.backend.backend()
x = np.ones((4, 8), "float32")
ours = keras2tfjs.ManualDropout(0.5, seed=1337)
theirs = keras.layers.Dropout(0.5, seed=1337)
same = np.array_equal(keras.ops.convert_to_numpy(ours(x, training=True)), keras.ops.convert_to_numpy(theirs(x, training=True)))
assert same, "ManualDropout drew another mask than keras.layers.Dropout"
assert ours.get_config()["rng"] == backend
inputs = keras.Input((8,))
model = keras.Model(inputs, keras.layers.Dense(1)(keras2tfjs.ManualDropout(0.5, seed=7)(inputs)))
model.compile(optimizer="adam", loss="mse")
parity = keras2tfjs.export_parity_fixture(model, "parity_fixture", x, np.zeros((4, 1), "float32"), train_steps=2)
assert parity["backend"] == backend and parity["training"] and parity["resume"], parity["not_recorded"]
print(f'pip install "keras2tfjs[{backend}]": keras {keras.__version__} on {backend}, ManualDropout draws Keras\' mask, export_parity_fixture works')
PY
done
