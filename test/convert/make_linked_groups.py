"""Writes test/convert/data/linked_lattice.keras and linked_alias.keras: the real fixture
fixtures/builtin_dropout/model.keras with hard links added to its model.weights.h5 by h5py
(the library Keras saves with, default settings, so the converter's own HDF5 reader reads them).

* linked_lattice.keras: groups /lattice/g0 .. g40, each g_i linking g_{i+1} as 'a' and 'b'
  (2^40 paths; Keras never writes this): must be refused quickly with BAD_HDF5.
* linked_alias.keras: /aliases/again is a second name for /layers: must still convert.

Run: .venv/bin/python test/convert/make_linked_groups.py
"""
import io
import os
import zipfile

import h5py

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.join(HERE, "..", "..", "fixtures", "builtin_dropout", "model.keras")
OUT = os.path.join(HERE, "data")
LEVELS = 40


def rewrite(name, edit):
    with zipfile.ZipFile(SOURCE) as z:
        members = {n: z.read(n) for n in z.namelist()}
    buf = io.BytesIO(members["model.weights.h5"])
    with h5py.File(buf, "a") as f:
        edit(f)
    members["model.weights.h5"] = buf.getvalue()
    with zipfile.ZipFile(os.path.join(OUT, name), "w", compression=zipfile.ZIP_STORED) as z:
        for n, data in members.items():
            info = zipfile.ZipInfo(n, date_time=(2025, 1, 1, 0, 0, 0))
            z.writestr(info, data)


def lattice(f):
    groups = [f.create_group(f"lattice/g{i}") for i in range(LEVELS + 1)]
    for i in range(LEVELS):
        groups[i]["a"] = groups[i + 1]
        groups[i]["b"] = groups[i + 1]


def alias(f):
    f.create_group("aliases")["again"] = f["layers"]


rewrite("linked_lattice.keras", lattice)
rewrite("linked_alias.keras", alias)
