"""Writes test/formats/hdf5/chunked/*.keras: the real fixture fixtures/builtin_dropout/model.keras
with every dataset of its model.weights.h5 rewritten by h5py as a chunked dataset, one archive
per way h5py stores chunks without plugins. Chunk shapes are chosen small and not dividing the
datasets, so there are many chunks and partial ones at the edges:

* gzip_shuffle.keras    chunks (3, 5) / (7,), gzip level 6 after the shuffle filter
* fletcher32.keras      chunks (4, 4) / (5,), Fletcher-32 checksums, no compression
* big_endian_gzip.keras '>f4' (big-endian) values, chunks (5, 3) / (3,), gzip
* one_chunk.keras       gzip with h5py's own chunk shape (one chunk per dataset here)

Scalars cannot be chunked and stay as they are. The converter must read each (without the HDF5
library) and give exactly the original model's weights.

Run: .venv/bin/python test/formats/hdf5/make_chunked_hdf5.py
"""
import io
import os
import zipfile

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.join(HERE, "..", "..", "..", "fixtures", "builtin_dropout", "model.keras")
OUT = os.path.join(HERE, "chunked")

VARIANTS = {
    "gzip_shuffle": lambda shape: dict(chunks=chunk(shape, (3, 5), (7,)), compression="gzip", compression_opts=6, shuffle=True),
    "fletcher32": lambda shape: dict(chunks=chunk(shape, (4, 4), (5,)), fletcher32=True),
    "big_endian_gzip": lambda shape: dict(chunks=chunk(shape, (5, 3), (3,)), compression="gzip", dtype=">f4"),
    "one_chunk": lambda shape: dict(compression="gzip"),
}


def chunk(shape, two_d, one_d):
    """A chunk shape of the dataset's rank, no larger than the dataset."""
    wanted = two_d if len(shape) == 2 else one_d if len(shape) == 1 else None
    return tuple(min(c, s) for c, s in zip(wanted, shape))


def copy(src, dst, options):
    for key, value in src.attrs.items():
        dst.attrs[key] = value
    for name in src:
        item = src[name]
        if isinstance(item, h5py.Group):
            copy(item, dst.create_group(name), options)
            continue
        data = item[()]
        kwargs = options(item.shape) if item.shape and item.dtype.kind == "f" else {}
        out = dst.create_dataset(name, data=data, **kwargs)
        for key, value in item.attrs.items():
            out.attrs[key] = value


def main():
    os.makedirs(OUT, exist_ok=True)
    with zipfile.ZipFile(SOURCE) as z:
        members = {n: z.read(n) for n in z.namelist()}
    for variant, options in VARIANTS.items():
        buf = io.BytesIO()
        with h5py.File(io.BytesIO(members["model.weights.h5"]), "r") as src, h5py.File(buf, "w") as dst:
            copy(src, dst, options)
        with h5py.File(io.BytesIO(buf.getvalue()), "r") as check, h5py.File(io.BytesIO(members["model.weights.h5"]), "r") as src:
            kernel = "layers/dense_2/vars/0"
            assert check[kernel].chunks is not None and np.array_equal(check[kernel][()], src[kernel][()])
        out = dict(members, **{"model.weights.h5": buf.getvalue()})
        path = os.path.join(OUT, f"{variant}.keras")
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as z:
            for name in ("metadata.json", "config.json", "model.weights.h5"):
                z.writestr(name, out[name])
        print(path, os.path.getsize(path))


if __name__ == "__main__":
    main()
