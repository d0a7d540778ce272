"""Checks a converted model against the .keras file it came from, by sampling: for every weight
of model.json, windows of values at its start, its end and a few seeded places in between, read
from the shards and from the .keras file by h5py (the stored member read in place, as found by
Python's zipfile), must be bit-identical. For the scale bench, where a whole comparison would read gigabytes
twice: this reads a few MB, and catches a misplaced, shifted or corrupted weight anywhere.

    python check_converted_sample.py MODEL.keras OUT_DIR

Prints one JSON line: {"weights": n, "values_compared": m, "ok": true}; exits 1 on a difference.
Weights are matched in order: Keras 3 saves layers/<name>/vars/<i> in the order tfjs lists them
for the Dense chains the bench generates.
"""

import json
import os
import re
import sys
import zipfile

import h5py
import numpy as np

WINDOW = 1024
SAMPLES = 4


def natural_key(name):
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name)]


def keras_datasets(f):
    """Datasets under layers/*/vars, in the order Keras created them (natural order of names)."""
    out = []
    layers = f["layers"]
    for layer in sorted(layers.keys(), key=natural_key):
        variables = layers[layer]["vars"]
        for index in sorted(variables.keys(), key=int):
            out.append(variables[index])
    return out


class Member:
    """A stored zip member read in place in its archive (zipfile's own member file object can
    only seek backwards by reading again from its start: slow for h5py's random reads)."""

    def __init__(self, path, info):
        self.f = open(path, "rb")
        self.f.seek(info.header_offset)
        local = self.f.read(30)
        assert local[:4] == b"PK\x03\x04" and info.compress_type == zipfile.ZIP_STORED
        name_len, extra_len = int.from_bytes(local[26:28], "little"), int.from_bytes(local[28:30], "little")
        self.start = info.header_offset + 30 + name_len + extra_len
        self.size = info.file_size
        self.pos = 0

    def seek(self, offset, whence=0):
        self.pos = offset if whence == 0 else self.pos + offset if whence == 1 else self.size + offset
        return self.pos

    def tell(self):
        return self.pos

    def read(self, n=-1):
        n = self.size - self.pos if n < 0 else min(n, self.size - self.pos)
        self.f.seek(self.start + self.pos)
        data = self.f.read(n)
        self.pos += len(data)
        return data

    def readinto(self, buf):
        data = self.read(len(buf))
        buf[: len(data)] = data
        return len(data)


class Shards:
    """The weights' bytes laid end to end across the shard files of model.json."""

    def __init__(self, out_dir, paths):
        self.files = [os.path.join(out_dir, p) for p in paths]
        self.sizes = [os.path.getsize(p) for p in self.files]

    def read(self, offset, length):
        out = bytearray()
        start = 0
        for path, size in zip(self.files, self.sizes):
            if offset < start + size and offset + length > start:
                lo = max(offset, start) - start
                hi = min(offset + length, start + size) - start
                with open(path, "rb") as f:
                    f.seek(lo)
                    out += f.read(hi - lo)
            start += size
        return bytes(out)


def main():
    model, out_dir = sys.argv[1], sys.argv[2]
    manifest = json.load(open(os.path.join(out_dir, "model.json")))["weightsManifest"]
    specs = [w for group in manifest for w in group["weights"]]
    shards = Shards(out_dir, [p for group in manifest for p in group["paths"]])
    rng = np.random.default_rng(7)
    compared = 0
    with zipfile.ZipFile(model) as z:
        member = Member(model, z.getinfo("model.weights.h5"))
    with h5py.File(member, "r") as f:
        datasets = keras_datasets(f)
        assert len(datasets) == len(specs), f"{len(datasets)} datasets for {len(specs)} weights"
        offset = 0
        for spec, ds in zip(specs, datasets):
            count = int(np.prod(spec["shape"], dtype=np.int64))
            assert list(ds.shape) == spec["shape"], f"{spec['name']}: {ds.shape} vs {spec['shape']}"
            flat_starts = {0, max(0, count - WINDOW)} | {int(x) for x in rng.integers(0, max(1, count - WINDOW), SAMPLES)}
            for start in sorted(flat_starts):
                n = min(WINDOW, count - start)
                row, col = divmod(start, ds.shape[-1]) if ds.ndim == 2 else (start, 0)
                if ds.ndim == 2:
                    # A window within one row keeps the h5py read simple.
                    n = min(n, ds.shape[1] - col)
                    want = ds[row, col:col + n]
                else:
                    want = ds[start:start + n]
                got = np.frombuffer(shards.read(offset + 4 * start, 4 * n), dtype="<f4")
                if not np.array_equal(got.view("<u4"), np.asarray(want, dtype="<f4").view("<u4")):
                    print(json.dumps({"ok": False, "weight": spec["name"], "at": start}))
                    sys.exit(1)
                compared += n
            offset += 4 * count
    print(json.dumps({"weights": len(specs), "values_compared": compared, "ok": True}))


if __name__ == "__main__":
    main()
