"""Writes test/formats/hdf5/costly/*.h5: small HDF5 files that ask for gigabytes when read (issue
16, item 12), made with h5py (the library Keras saves with) and, where h5py cannot be asked to
write the hostile part, patched at the bytes it wrote.

* fill_value_model.h5 (2.2 MB): a Keras 2 full-model .h5 (model_config, model_weights with
  layer_names / weight_names, as tf.keras writes them) of Dense(5000) on 100000 inputs whose
  kernel was never written: HDF5 gives its fill value (0.5) for all 500 million elements, 2 GB,
  from a file padded to 2.2 MB so that the old guard (1000x the file) let it through.
* attr_refs.h5 (1 MB): the root attribute every reader of a Keras .h5 reads first,
  model_config, made a list of 400 variable-length strings that all point at the same 1 MB
  string in the global heap: 400 MB of strings decoded from 1 MB.

* length_lie.h5 (a few KB): model_config's variable-length string declares 1.5 GB while its
  global heap object holds the real few hundred bytes. Found by the fuzz test (100,000 cases,
  case 64348): the HDF5 library allocates and fills the declared length in one copy, and a
  process that read it through h5wasm peaked at 1.8 GB.
* length_lie_fallback.h5: the same, with the root group's B-tree node claiming 7,169 entries,
  so that the TypeScript reader gives the file to the HDF5 library (h5wasm), which reads
  model_config first.

The converter must refuse all of them with RESOURCE_LIMIT, having decoded no more than its
budget (and, for the HDF5 library, grown its heap by no more than that budget allows).

Run: .venv/bin/python test/formats/hdf5/make_costly_hdf5.py
"""
import json
import os
import struct

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "costly")

INPUTS = 100_000
UNITS = 5_000
PAD_BYTES = 2_200_000
BIG_STRING = 1_000_000
REFERENCES = 400


def model_config():
    """A Sequential of one Dense layer, as tf.keras 2 writes model_config."""
    return {
        "class_name": "Sequential",
        "config": {
            "name": "sequential",
            "layers": [
                {"class_name": "InputLayer", "config": {"batch_input_shape": [None, INPUTS], "dtype": "float32", "sparse": False, "ragged": False, "name": "input_1"}},
                {"class_name": "Dense", "config": {"name": "dense", "trainable": True, "dtype": "float32", "units": UNITS, "activation": "linear", "use_bias": True,
                                                   "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": None}},
                                                   "bias_initializer": {"class_name": "Zeros", "config": {}},
                                                   "kernel_regularizer": None, "bias_regularizer": None, "activity_regularizer": None,
                                                   "kernel_constraint": None, "bias_constraint": None}},
            ],
        },
    }


def fill_value_model(path):
    with h5py.File(path, "w") as f:
        f.attrs["keras_version"] = "2.15.0"
        f.attrs["backend"] = "tensorflow"
        f.attrs["model_config"] = json.dumps(model_config())
        weights = f.create_group("model_weights")
        weights.attrs["layer_names"] = np.array([b"dense"])
        dense = weights.create_group("dense")
        dense.attrs["weight_names"] = np.array([b"dense/kernel:0", b"dense/bias:0"])
        inner = dense.create_group("dense")
        # Never written: no storage is allocated, HDF5 returns the fill value for every element.
        inner.create_dataset("kernel:0", shape=(INPUTS, UNITS), dtype="float32", fillvalue=0.5)
        inner.create_dataset("bias:0", data=np.zeros(UNITS, dtype="float32"))
        # Bytes that make the file 2.2 MB (zeros: git stores them in a few KB).
        f.create_dataset("padding", data=np.zeros(PAD_BYTES, dtype="uint8"))


def vlen_records(data, length, count):
    """Where `count` consecutive vlen string elements of `length` bytes start: each is
    (length u32, global heap collection address u64, object index u32), the address a 'GCOL'."""
    pattern = struct.pack("<I", length)
    at = data.find(pattern)
    while at >= 0:
        ok = True
        for k in range(count):
            rec = at + 16 * k
            size, address, _ = struct.unpack_from("<IQI", data, rec)
            if size != length or address + 4 > len(data) or data[address:address + 4] != b"GCOL":
                ok = False
                break
        if ok:
            return at
        at = data.find(pattern, at + 1)
    raise AssertionError(f"no run of {count} vlen strings of {length} bytes")


def attr_refs(path):
    marker = [f"r{i:04d}" for i in range(REFERENCES)]
    with h5py.File(path, "w") as f:
        f.attrs["big"] = "x" * BIG_STRING
        f.attrs.create("model_config", marker, dtype=h5py.string_dtype())
    data = bytearray(open(path, "rb").read())
    big = vlen_records(data, BIG_STRING, 1)
    refs = vlen_records(data, len(marker[0]), REFERENCES)
    for k in range(REFERENCES):
        data[refs + 16 * k:refs + 16 * (k + 1)] = data[big:big + 16]
    open(path, "wb").write(bytes(data))
    with h5py.File(path, "r") as f:
        values = f.attrs["model_config"]
        assert len(values) == REFERENCES and len(values[0]) == BIG_STRING and len(values[-1]) == BIG_STRING


LIED_LENGTH = 1_500_000_000


def length_lie(path, fall_back):
    config = json.dumps(model_config())
    with h5py.File(path, "w") as f:
        f.attrs["keras_version"] = "2.15.0"
        f.attrs["backend"] = "tensorflow"
        f.attrs["model_config"] = config
    data = bytearray(open(path, "rb").read())
    record = vlen_records(data, len(config.encode()), 1)
    struct.pack_into("<I", data, record, LIED_LENGTH)
    if fall_back:
        # A v1 B-tree node: 'TREE', node type (1), level (1), entries used (2, little-endian).
        tree = data.find(b"TREE")
        assert tree >= 0
        data[tree + 7] ^= 0x1C
    open(path, "wb").write(bytes(data))


def main():
    os.makedirs(OUT, exist_ok=True)
    fill_value_model(os.path.join(OUT, "fill_value_model.h5"))
    attr_refs(os.path.join(OUT, "attr_refs.h5"))
    length_lie(os.path.join(OUT, "length_lie.h5"), fall_back=False)
    length_lie(os.path.join(OUT, "length_lie_fallback.h5"), fall_back=True)
    for name in ("fill_value_model.h5", "attr_refs.h5", "length_lie.h5", "length_lie_fallback.h5"):
        print(name, os.path.getsize(os.path.join(OUT, name)))


if __name__ == "__main__":
    main()
