"""Writes quantization_expected.json: what the official tensorflowjs converter (4.22.0) makes of
every weight array of data/zoo_tfk.h5 under --quantize_float16 / _uint8 / _uint16.

For each float32 dataset of the file (keyed by the sha256 of its little-endian float32 bytes,
so the TypeScript test can find it whatever its name), tensorflowjs.quantization.quantize_weights
gives the quantized bytes and, for uint8/uint16, the `min` and `scale` tfjs stores in the
weight manifest.

Run with the tensorflowjs package (bench/python/.venv-tfjs):
  bench/python/.venv-tfjs/bin/python test/convert/quantization_expected.py
"""
import hashlib
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import h5py  # noqa: E402
import numpy as np  # noqa: E402
import tensorflowjs  # noqa: E402
from tensorflowjs import quantization  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.join(HERE, "data", "zoo_tfk.h5")


def sha(b):
    return hashlib.sha256(b).hexdigest()


def main():
    out = {}
    with h5py.File(SOURCE, "r") as f:
        arrays = []
        f["model_weights"].visititems(lambda n, o: arrays.append((n, o[()])) if isinstance(o, h5py.Dataset) else None)
    for name, value in arrays:
        if value.dtype != np.float32:
            continue
        entry = {"name": name, "shape": list(value.shape)}
        for dtype, np_dtype in (("float16", np.float16), ("uint8", np.uint8), ("uint16", np.uint16)):
            q, meta = quantization.quantize_weights(value, np_dtype)
            e = {"sha256": sha(q.astype(q.dtype.newbyteorder("<")).tobytes())}
            if "min" in meta:
                e["min"] = float(meta["min"])
                e["scale"] = float(meta["scale"])
            entry[dtype] = e
        out[sha(value.astype("<f4").tobytes())] = entry
    with open(os.path.join(HERE, "quantization_expected.json"), "w") as f:
        json.dump({"generatedBy": "test/convert/quantization_expected.py", "tensorflowjs": tensorflowjs.__version__, "numpy": np.__version__, "weights": out}, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
