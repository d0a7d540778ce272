"""Writes the multi-gigabyte .keras files of the converter's scale bench (never committed; cached
in bench/.cache/huge), with exactly the structure Keras 3 writes, at sizes Keras itself could
only save with as much memory again.

How: real Keras builds and saves the same model at a small size (a chain of Dense layers,
widths 10 and 5 alternating); this script then scales it: config.json with every width x1000
(10 -> 10000, 5 -> 5000), and model.weights.h5 rewritten by h5py with the small file's groups
and attributes, in the order Keras created them, each dataset at its scaled shape, filled with
seeded random values one block of rows at a time (so the script needs ~100 MB of memory). The
archive is then zipped as Keras' saving_lib zips a large model (metadata.json and config.json
through ZipFile.open, then model.weights.h5 written from a file, stored, Zip64 past 4 GiB).

    python make_huge_model.py --layers 8 OUT.keras    # eight 200 MB kernels: 1.6 GB
    python make_huge_model.py --layers 25 OUT.keras   # twenty-five: 5.0 GB
    python make_huge_model.py --layers 3 --scale 10 --verify OUT.keras
                                                      # small; loaded back by Keras and compared

Every kernel is 10000 x 5000 or 5000 x 10000 float32 (200 MB). The file is written under a
temporary name and renamed, so an interrupted run leaves nothing.
"""

import argparse
import json
import os
import re
import sys
import tempfile
import zipfile
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

SEED = 20261207
SMALL_WIDTHS = (10, 5)
# Rows written per h5py call: ~64 MB of float32 at 5000-10000 columns.
BLOCK_BYTES = 64 * 1024 * 1024


def build_small(keras, layers):
    """The model Keras saves for us: Input(10) then Dense layers alternating 5 and 10 units."""
    keras.utils.set_random_seed(SEED)
    stack = [keras.Input(shape=(SMALL_WIDTHS[0],))]
    for i in range(layers):
        stack.append(keras.layers.Dense(SMALL_WIDTHS[(i + 1) % 2], activation="relu" if i < layers - 1 else None))
    return keras.Sequential(stack, name="huge_model")


def scale_config(node, scale):
    """Every width in the config x `scale` (units, and the input's shapes)."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "units" and isinstance(value, int):
                out[key] = value * scale
            elif key in ("batch_shape", "batch_input_shape", "input_shape", "shape") and isinstance(value, list):
                out[key] = [v * scale if isinstance(v, int) else v for v in value]
            else:
                out[key] = scale_config(value, scale)
        return out
    if isinstance(node, list):
        return [scale_config(v, scale) for v in node]
    return node


def natural_key(name):
    """'dense' < 'dense_1' < 'dense_2' < 'dense_10': the order Keras created the groups in."""
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name)]


def copy_scaled(h5py, np, src, dst, scale, rng):
    """Groups, attributes and datasets of `src` into `dst`, datasets at their scaled shapes."""
    for key, value in src.attrs.items():
        dst.attrs[key] = value
    for name in sorted(src.keys(), key=natural_key):
        item = src[name]
        if isinstance(item, h5py.Group):
            copy_scaled(h5py, np, item, dst.create_group(name), scale, rng)
            continue
        shape = tuple(d * scale for d in item.shape)
        out = dst.create_dataset(name, shape=shape, dtype=item.dtype)
        for key, value in item.attrs.items():
            out.attrs[key] = value
        if not shape:
            out[()] = item[()]
            continue
        row_bytes = int(np.prod(shape[1:], dtype=np.int64)) * item.dtype.itemsize
        rows = max(1, BLOCK_BYTES // max(1, row_bytes))
        for start in range(0, shape[0], rows):
            stop = min(shape[0], start + rows)
            block = rng.standard_normal((stop - start,) + shape[1:], dtype=np.float32) * np.float32(0.01)
            out[start:stop] = block.astype(item.dtype, copy=False)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--layers", type=int, required=True)
    parser.add_argument("--scale", type=int, default=1000)
    parser.add_argument("--verify", action="store_true", help="load the result with Keras and compare its weights")
    parser.add_argument("out", type=Path)
    args = parser.parse_args()

    import h5py
    import keras
    import numpy as np

    args.out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=args.out.parent) as work:
        small_path = Path(work) / "small.keras"
        build_small(keras, args.layers).save(small_path)
        with zipfile.ZipFile(small_path) as z:
            metadata = z.read("metadata.json")
            config = json.loads(z.read("config.json"))
            z.extract("model.weights.h5", work)
        weights = Path(work) / "model.weights.h5"
        scaled = Path(work) / "scaled.weights.h5"
        rng = np.random.default_rng(SEED)
        with h5py.File(weights, "r") as src, h5py.File(scaled, "w") as dst:
            copy_scaled(h5py, np, src, dst, args.scale, rng)
        tmp = args.out.with_name(".tmp-" + args.out.name)
        with zipfile.ZipFile(tmp, "w") as zf:
            with zf.open("metadata.json", "w") as f:
                f.write(metadata)
            with zf.open("config.json", "w") as f:
                f.write(json.dumps(scale_config(config, args.scale)).encode())
            zf.write(scaled, "model.weights.h5")
        os.replace(tmp, args.out)

    result = {"file": str(args.out), "bytes": args.out.stat().st_size, "layers": args.layers, "scale": args.scale, "keras_version": keras.__version__}
    if args.verify:
        model = keras.saving.load_model(args.out)
        with zipfile.ZipFile(args.out) as z, tempfile.TemporaryDirectory() as work:
            z.extract("model.weights.h5", work)
            with h5py.File(Path(work) / "model.weights.h5", "r") as f:
                for i, layer in enumerate(model.layers):
                    group = f["layers"]["dense" if i == 0 else f"dense_{i}"]["vars"]
                    for j, v in enumerate(layer.weights):
                        assert np.array_equal(np.asarray(v), group[str(j)][()]), f"{layer.name} weight {j} differs"
        result["verified_by_keras"] = True
        result["params"] = int(model.count_params())
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
