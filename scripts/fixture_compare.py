"""Compares a regenerated fixture file with the committed one, for `export_fixtures.py --check`.

Byte identity is promised for everything no CPU can change: random streams and masks (integer
arithmetic), data sets, configs, marshalled bytecode, array shapes and dtypes.

Floats that TensorFlow or XLA computed are different: their CPU kernels (Eigen, oneDNN, XLA's
JIT) choose code paths by instruction set (AVX2, AVX-512, AMX), which changes summation order and
fused multiply-adds, so such a value can differ in its last bits between two CPUs while
regenerating twice on one machine gives identical bytes. Each case lists those files in its
case.json (`cpu_dependent`, glob patterns); they are compared by content instead: every name,
attribute, shape, dtype, string and integer exactly, and every float within TOLERANCE.
"""

import fnmatch
import io
import json
import math
import os
import zipfile
from pathlib import Path

import numpy as np

# |fresh - committed| <= ATOL + RTOL * |committed|, for floats that TensorFlow or XLA computed.
# Measured between an AMD EPYC (AVX2) and an Intel Xeon (AVX-512, AMX), both on the pinned
# requirements: at most 1.2e-7 absolute on outputs of order 1 and on weights after 4 epochs of
# training, 1.2e-10 on optimizer slots. The bound leaves about 10x room for deeper kernels or
# longer training, and stays far below any difference a real change makes (a flipped dropout
# unit or a changed weight moves values by 1e-3 or more).
ATOL = 1e-6
RTOL = 1e-5
TOLERANCE_TEXT = f"|Δ| <= {ATOL:g} + {RTOL:g}·|committed|"
# JSON keys that record the machine a file was made on (a parity fixture's `made_on`, as in
# MANIFEST.json): part of the record, never compared.
RECORDS = {"made_on"}


def cpu_dependent_patterns(case_json_path):
    """The case's `cpu_dependent` globs (relative to the case folder), [] if it declares none."""
    try:
        case = json.loads(Path(case_json_path).read_text())
    except (OSError, ValueError):
        return []
    return list(case.get("cpu_dependent", []))


def is_cpu_dependent(rel_in_case, patterns):
    return any(fnmatch.fnmatchcase(rel_in_case, p) for p in patterns)


class Mismatch(Exception):
    """What differs beyond the tolerance, said in one line."""


def not_comparable_reason(path):
    """The reason a parity fixture's own parity.json gives for not comparing this resumed weight
    (e.g. a bias right before BatchNormalization: float noise that Adam scales into steps that
    differ between CPUs), or None. Such a file is compared by dtype, shape and finiteness only."""
    path = Path(path)
    for folder in path.parents:
        manifest = folder / "parity.json"
        if manifest.is_file():
            try:
                weights = json.loads(manifest.read_text()).get("resume", {}).get("weights", [])
            except (OSError, ValueError, AttributeError):
                return None
            rel = path.relative_to(folder).as_posix()
            return next((w.get("not_comparable") for w in weights if w.get("file") == rel and w.get("not_comparable")), None)
    return None


def compare_by_content(committed, fresh):
    """None when `fresh` equals `committed` within the float tolerance; raises Mismatch otherwise.

    Dispatches on the file's kind: .npy, .json, HDF5 (.h5), .keras archives, and the
    variables.data/variables.index pair of a SavedModel (read through TensorFlow)."""
    committed, fresh = Path(committed), Path(fresh)
    name = committed.name
    if name.endswith(".npy") and not_comparable_reason(committed):
        old, new = np.load(committed), np.load(fresh)
        if old.dtype != new.dtype or old.shape != new.shape or not np.isfinite(new).all():
            raise Mismatch(f"{old.dtype}{list(old.shape)} became {new.dtype}{list(new.shape)} (or not finite)")
        return None
    if name.endswith(".npy"):
        return _compare_arrays("", np.load(committed), np.load(fresh))
    if name.endswith(".json"):
        return _compare_json("", json.loads(committed.read_text()), json.loads(fresh.read_text()))
    if name.endswith(".h5"):
        return _compare_hdf5(committed.read_bytes(), fresh.read_bytes())
    if name.endswith(".keras"):
        return _compare_keras_archive(committed, fresh)
    if committed.parent.name == "variables" and name.startswith("variables."):
        return _compare_checkpoint(committed.parent / "variables", fresh.parent / "variables")
    raise Mismatch("bytes differ and this kind of file has no float-tolerant comparison")


def _compare_arrays(where, old, new):
    old, new = np.asarray(old), np.asarray(new)
    if old.dtype != new.dtype or old.shape != new.shape:
        raise Mismatch(f"{where or 'array'}: {old.dtype}{list(old.shape)} became {new.dtype}{list(new.shape)}")
    if old.dtype.kind != "f":
        if not np.array_equal(old, new):
            raise Mismatch(f"{where or 'array'}: {old.dtype} values differ (only floats may)")
        return None
    a, b = old.astype(np.float64), new.astype(np.float64)
    if not np.array_equal(np.isnan(a), np.isnan(b)):
        raise Mismatch(f"{where or 'array'}: NaNs at different places")
    finite = ~np.isnan(a)
    excess = np.abs(b - a)[finite] - (ATOL + RTOL * np.abs(a[finite]))
    if excess.size and excess.max() > 0:
        worst = int(np.argmax(excess))
        delta = float(np.abs(b - a)[finite][worst])
        raise Mismatch(f"{where or 'array'}: max |Δ| {delta:.3g} at {a[finite][worst]:.6g}, beyond {TOLERANCE_TEXT}")
    return None


def _compare_json(where, old, new):
    if isinstance(old, bool) or isinstance(new, bool) or type(old) is not type(new):
        if isinstance(old, (int, float)) and isinstance(new, (int, float)) and not isinstance(old, bool) \
                and not isinstance(new, bool) and (isinstance(old, float) or isinstance(new, float)):
            return _compare_float(where, float(old), float(new))
        if old != new or type(old) is not type(new):
            raise Mismatch(f"{where or 'value'}: {_short(old)} became {_short(new)}")
        return None
    if isinstance(old, dict):
        if list(old) != list(new):
            raise Mismatch(f"{where or 'object'}: keys {sorted(set(old) ^ set(new))} differ")
        for key in old:
            if key in RECORDS:
                continue
            _compare_json(f"{where}.{key}" if where else key, old[key], new[key])
    elif isinstance(old, list):
        if len(old) != len(new):
            raise Mismatch(f"{where or 'list'}: length {len(old)} became {len(new)}")
        for i, (a, b) in enumerate(zip(old, new)):
            _compare_json(f"{where}[{i}]", a, b)
    elif isinstance(old, float):
        _compare_float(where, old, new)
    elif old != new:
        raise Mismatch(f"{where or 'value'}: {_short(old)} became {_short(new)}")
    return None


def _compare_float(where, old, new):
    if math.isnan(old) and math.isnan(new):
        return None
    if not abs(new - old) <= ATOL + RTOL * abs(old):
        raise Mismatch(f"{where or 'number'}: {old!r} became {new!r}, beyond {TOLERANCE_TEXT}")
    return None


def _short(value):
    text = json.dumps(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _compare_hdf5(old_bytes, new_bytes, where=""):
    import h5py

    with h5py.File(io.BytesIO(old_bytes), "r") as old, h5py.File(io.BytesIO(new_bytes), "r") as new:
        _compare_hdf5_object(where or "/", old, new)
    return None


def _compare_hdf5_object(where, old, new):
    import h5py

    if type(old) is not type(new):
        raise Mismatch(f"{where}: {type(old).__name__} became {type(new).__name__}")
    old_attrs, new_attrs = dict(old.attrs), dict(new.attrs)
    if list(old_attrs) != list(new_attrs):
        raise Mismatch(f"{where}: attributes {sorted(set(old_attrs) ^ set(new_attrs))} differ")
    for key in old_attrs:
        a, b = old_attrs[key], new_attrs[key]
        if isinstance(a, np.ndarray) and a.dtype.kind == "f":
            _compare_arrays(f"{where}@{key}", a, b)
        elif isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
            if not np.array_equal(np.asarray(a), np.asarray(b)):
                raise Mismatch(f"{where}@{key}: attribute differs")
        elif isinstance(a, (float, np.floating)):
            _compare_float(f"{where}@{key}", float(a), float(b))
        elif a != b:
            raise Mismatch(f"{where}@{key}: attribute differs")
    if isinstance(old, h5py.Dataset):
        _compare_arrays(where, old[()], new[()])
        return
    if list(old.keys()) != list(new.keys()):
        raise Mismatch(f"{where}: members {sorted(set(old.keys()) ^ set(new.keys()))} differ")
    for key in old.keys():
        _compare_hdf5_object(f"{where.rstrip('/')}/{key}", old[key], new[key])


def _compare_keras_archive(committed, fresh):
    with zipfile.ZipFile(committed) as old, zipfile.ZipFile(fresh) as new:
        old_infos, new_infos = old.infolist(), new.infolist()
        layout = lambda infos: [(i.filename, i.compress_type, i.date_time) for i in infos]
        if layout(old_infos) != layout(new_infos):
            raise Mismatch("archive members, their order, compression or times differ")
        for info in old_infos:
            a, b = old.read(info.filename), new.read(info.filename)
            if a == b:
                continue
            if info.filename.endswith(".h5"):
                _compare_hdf5(a, b, where=f"{info.filename}:/")
            elif info.filename.endswith(".json"):
                _compare_json(info.filename, json.loads(a), json.loads(b))
            else:
                raise Mismatch(f"{info.filename}: bytes differ")
    return None


def _compare_checkpoint(old_prefix, new_prefix):
    """A TensorBundle (SavedModel variables) through TensorFlow's own reader."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tensorflow as tf

    old, new = tf.train.load_checkpoint(str(old_prefix)), tf.train.load_checkpoint(str(new_prefix))
    old_vars, new_vars = old.get_variable_to_shape_map(), new.get_variable_to_shape_map()
    if sorted(old_vars.items()) != sorted(new_vars.items()):
        raise Mismatch("checkpoint variables or their shapes differ")
    old_types, new_types = old.get_variable_to_dtype_map(), new.get_variable_to_dtype_map()
    for key in sorted(old_vars):
        if old_types[key] != new_types[key]:
            raise Mismatch(f"{key}: dtype {old_types[key].name} became {new_types[key].name}")
        a, b = old.get_tensor(key), new.get_tensor(key)
        if isinstance(a, bytes) or (isinstance(a, np.ndarray) and a.dtype.kind in "OSU"):
            if not np.array_equal(np.asarray(a), np.asarray(b)):
                raise Mismatch(f"{key}: value differs")
        else:
            _compare_arrays(key, a, b)
    return None
