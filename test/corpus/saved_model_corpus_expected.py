"""Writes saved_model_corpus.expected.json: what real TensorFlow reads from each corpus SavedModel.

For every SavedModel directory in the shared corpus:
* "layers": tf_keras.models.load_model restores the model with TensorFlow's own checkpoint code;
  we record, per layer (nested models as 'outer/inner') and in `layer.weights` order, the
  variable name, shape, dtype and the sha256 of its values as the little-endian float32
  (or int32) bytes TensorFlow.js would hold;
* "checkpoint": every tensor of variables/ as tf.train.load_checkpoint(...).get_tensor(key)
  returns it (optimizer slots and the object graph string included), hashed the same way.
The TypeScript tests compare readSavedModel's and TensorBundle's output to this, value for value.

Run: .venv/bin/python test/corpus/saved_model_corpus_expected.py [corpus_dir]
"""
import glob
import hashlib
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import tf_keras  # noqa: E402

CORPUS = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "corpus")
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "saved_model_corpus.expected.json")


def tfjs_bytes(value):
    """The bytes TensorFlow.js weights hold: float types as float32, integer types as int32."""
    if np.issubdtype(value.dtype, np.floating):
        return value.astype("<f4").tobytes()
    return value.astype("<i4").tobytes()


def layer_entries(model, prefix=""):
    out = {}
    for layer in model.layers:
        if isinstance(layer, tf_keras.Model):
            out.update(layer_entries(layer, prefix + layer.name + "/"))
            continue
        weights = []
        for w in layer.weights:
            value = w.numpy()
            weights.append({
                "name": w.name,
                "shape": list(value.shape),
                "dtype": value.dtype.name,
                "sha256": hashlib.sha256(tfjs_bytes(value)).hexdigest(),
                "allFinite": bool(np.all(np.isfinite(value))),
            })
        if weights:
            out[prefix + layer.name] = weights
    return out


def checkpoint_entries(path):
    reader = tf.train.load_checkpoint(os.path.join(path, "variables", "variables"))
    dtypes = reader.get_variable_to_dtype_map()
    out = {}
    for key in sorted(reader.get_variable_to_shape_map()):
        value = reader.get_tensor(key)
        if dtypes[key] == tf.string:
            out[key] = {"dtype": "string", "shape": [], "sha256": hashlib.sha256(value).hexdigest()}
        else:
            out[key] = {
                "dtype": dtypes[key].name,
                "shape": list(value.shape),
                "sha256": hashlib.sha256(tfjs_bytes(value)).hexdigest(),
            }
    return out


def main():
    result = {
        "generator": "test/convert/saved_model_corpus_expected.py",
        "versions": {"tensorflow": tf.__version__, "tf_keras": tf_keras.__version__, "numpy": np.__version__},
        "models": {},
    }
    for path in sorted(glob.glob(os.path.join(CORPUS, "*.savedmodel"))):
        model = tf_keras.models.load_model(path, compile=False)
        result["models"][os.path.basename(path)] = {
            "modelClass": type(model).__name__,
            "layers": layer_entries(model),
            "checkpoint": checkpoint_entries(path),
        }
    with open(OUT, "w") as f:
        json.dump(result, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
