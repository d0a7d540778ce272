"""Writes corpus_expected.json: what real Keras computes for each corpus model we can load safely.

For every entry of the shared corpus (CORPUS.tsv) whose layers are all built-in Keras layers
(no Lambda: loading one would run its bytecode; no custom class), we load the model with the
Keras that wrote it -- Keras 3 for Keras 3 files, tf_keras (Keras 2) for tf.keras 2 files and
SavedModels -- and record a deterministic input and the model's output on it (predict, i.e.
inference mode). Keras 1 files and files neither Keras loads are recorded with the reason.

Inputs: every None dimension becomes SEQ_LEN; float inputs are the pattern
((37 i) mod 101) / 101 - 0.5 over the flat index i; inputs feeding an Embedding are the indices
(7 i + 1) mod m with m = min(input_dim, 50): index 0 (padding for mask_zero models) occurs, but
never first, because tfjs and Keras differ on leading masked steps of an RNN given an initial
state (the converter warns about it). Only the recipe is stored; the test rebuilds them. Outputs are stored whole
up to MAX_VALUES elements, else as an evenly spaced sample plus the mean and sum of squares.

Run: /work/venvtry/.venv/bin/python test/convert/corpus_expected.py [corpus_dir]
"""
import csv
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402

CORPUS = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "corpus")
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus_expected.json")
SEQ_LEN = 8
MAX_VALUES = 4096
SAMPLE = 512


def pattern(shape):
    n = int(np.prod(shape))
    return (((np.arange(n) * 37) % 101) / 101.0 - 0.5).astype("float32").reshape(shape)


def embedding_inputs(model):
    """Names of model inputs whose first consumer is an Embedding, with its input_dim."""
    out = {}
    for layer in model.layers:
        cls = layer.__class__.__name__
        if cls == "Embedding":
            for node in getattr(layer, "_inbound_nodes", []):
                tensors = node.input_tensors if hasattr(node, "input_tensors") else []
                for t in tensors if isinstance(tensors, (list, tuple)) else [tensors]:
                    hist = getattr(t, "_keras_history", None)
                    if hist is not None:
                        out[hist[0].name] = layer.input_dim
    return out


def feature_size_from_weights(model):
    """A Sequential built on [None, None] inputs: the first layer's weights fix the width."""
    first = model.layers[0] if model.layers else None
    if first is None or not first.weights:
        return None
    return int(first.weights[0].shape[-1])


def make_inputs(model):
    """The input arrays and how to rebuild each in TypeScript: a pattern, or indices mod m."""
    emb = embedding_inputs(model)
    # Sequential models: the first layer may be the Embedding itself.
    first = model.layers[0] if model.layers else None
    xs, specs = [], []
    for i, inp in enumerate(model.inputs):
        shape = [1] + [SEQ_LEN if d is None else int(d) for d in inp.shape[1:]]
        if len(model.inputs) == 1 and len(shape) == 2 and inp.shape[-1] is None:
            shape[-1] = feature_size_from_weights(model) or SEQ_LEN
        name = inp.name.split(":")[0]
        producer = getattr(inp, "_keras_history", None)
        pname = producer[0].name if producer is not None else name
        dim = emb.get(pname)
        if dim is None and first is not None and first.__class__.__name__ == "Embedding" and i == 0:
            dim = first.input_dim
        if dim is not None:
            n = int(np.prod(shape))
            modulus = min(dim, 50)
            xs.append(((np.arange(n) * 7 + 1) % modulus).astype("float32").reshape(shape))
            specs.append({"shape": shape, "kind": "indices", "modulus": modulus})
        else:
            xs.append(pattern(shape))
            specs.append({"shape": shape, "kind": "pattern"})
    return xs, specs


def summarize(y):
    y = np.asarray(y, dtype="float32")
    flat = y.reshape(-1)
    entry = {"shape": list(y.shape), "mean": float(flat.mean(dtype="float64")), "sumsq": float((flat.astype("float64") ** 2).sum())}
    if flat.size <= MAX_VALUES:
        entry["values"] = flat.tolist()
    else:
        idx = np.linspace(0, flat.size - 1, SAMPLE).astype(int)
        entry["sampleIndex"] = idx.tolist()
        entry["sample"] = flat[idx].tolist()
    return entry


def load(path, fmt, version):
    if fmt == "savedmodel" or (version.startswith("2.") and fmt != "keras3-zip") or (fmt == "keras3-zip" and version.startswith("2.")):
        import tf_keras
        return tf_keras.models.load_model(path, compile=False), "tf_keras " + tf_keras.__version__
    if version.startswith("3."):
        import keras
        return keras.saving.load_model(path, compile=False, safe_mode=True), "keras " + keras.__version__
    raise RuntimeError(f"no Keras here loads Keras {version} files")


def main():
    rows = list(csv.DictReader(open(os.path.join(CORPUS, "CORPUS.tsv")), delimiter="\t"))
    out = {}
    for r in rows:
        name = r["file"].rstrip("/")
        if r["has_lambda"] == "yes" or r["format"] == "h5-weights" or not r["layer_classes"]:
            continue
        path = os.path.join(CORPUS, name)
        fmt, version = r["format"], r["keras_version"]
        if version.startswith("1."):
            out[name] = {"skipped": "Keras 1 file: no current Keras loads it"}
            continue
        try:
            model, loader = load(path, fmt, version)
        except Exception as e:  # custom classes and the like: nothing to compare against
            out[name] = {"skipped": f"{type(e).__name__}: {str(e).splitlines()[0][:200]}"}
            continue
        xs, specs = make_inputs(model)
        try:
            ys = model.predict(xs if len(xs) > 1 else xs[0], verbose=0)
        except Exception as e:  # e.g. an unknown input dimension the layers pin down
            out[name] = {"skipped": f"predict on a {[list(x.shape) for x in xs]} input failed: {type(e).__name__}"}
            continue
        ys = ys if isinstance(ys, (list, tuple)) else [ys]
        out[name] = {
            "loader": loader,
            "inputs": specs,
            "outputs": [summarize(y) for y in ys],
        }
        print(name, loader, [list(np.shape(y)) for y in ys], flush=True)
    with open(OUT, "w") as f:
        json.dump({"generatedBy": "test/convert/corpus_expected.py", "seqLen": SEQ_LEN, "models": out}, f, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
