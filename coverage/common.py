"""Shared pieces of the coverage builder: deterministic inputs, saving a model in every format
its framework writes, and the cache that lets a rerun skip cases already built.

A case is built once per framework ("keras3" = Keras 3.15, "tf_keras" = tf_keras 2.21) into
<cache>/<framework>/<case>/:

  model.keras        Keras 3 archive                      (keras3)
  model.h5           legacy HDF5                          (keras3, where Keras reloads it; tf_keras)
  savedmodel/        tf.keras SavedModel                  (tf_keras)
  x<k>.npy           the inputs
  y<k>.npy           what the framework predicts for them (inference mode)
  meta.json          formats written, sizes, why a format is missing, fingerprint
"""
import hashlib
import inspect
import json
import os
import shutil
import time
import traceback

import numpy as np

FORMATS = {"keras3": ["keras", "h5"], "tf_keras": ["h5", "savedmodel"]}


def pattern(shape, seed=0, scale=1.0):
    """Smooth values in [-scale, scale] from the flat index: the same on every run and machine."""
    n = int(np.prod(shape))
    i = np.arange(n, dtype=np.float64)
    return (np.sin(seed * 1.618 + i * 0.7311) * np.cos(i * 0.1173 + seed) * scale).astype("float32").reshape(shape)


def integers(shape, modulus, seed=0):
    """Indices in [0, modulus) (for Embedding, lookups, one-hot inputs)."""
    n = int(np.prod(shape))
    return ((np.arange(n) * 7 + 3 + seed) % modulus).astype("int32").reshape(shape)


def fingerprint(*objects):
    """Changes when the code that builds a case, or a library version, changes."""
    import keras
    import tensorflow as tf
    import tf_keras

    h = hashlib.sha256()
    h.update(f"{keras.__version__} {tf.__version__} {tf_keras.__version__}".encode())
    for obj in objects:
        h.update(inspect.getsource(obj).encode() if callable(obj) else repr(obj).encode())
    return h.hexdigest()[:16]


def cached(folder, fp):
    meta = os.path.join(folder, "meta.json")
    if not os.path.exists(meta):
        return None
    with open(meta) as f:
        data = json.load(f)
    return data if data.get("fingerprint") == fp else None


def _predict(model, xs):
    ys = model.predict(xs if len(xs) > 1 else xs[0], verbose=0, batch_size=len(xs[0]))
    ys = list(ys) if isinstance(ys, (list, tuple)) else [ys]
    if isinstance(ys, dict):
        ys = list(ys.values())
    return [np.asarray(y) for y in ys]


def _close(a_list, b_list):
    return all(a.shape == b.shape and np.allclose(a, b, rtol=1e-5, atol=1e-6, equal_nan=True) for a, b in zip(a_list, b_list))


def save_case(folder, framework, model, xs, formats, fp, extra=None):
    """Saves `model` in `formats` with its inputs and predictions; returns meta.json's content."""
    if os.path.exists(folder):
        shutil.rmtree(folder)
    os.makedirs(folder)
    started = time.time()
    ys = _predict(model, xs)
    for k, x in enumerate(xs):
        np.save(os.path.join(folder, f"x{k}.npy"), x)
    for k, y in enumerate(ys):
        np.save(os.path.join(folder, f"y{k}.npy"), y.astype("float32") if y.dtype.kind == "f" else y)
    written, missing, sizes = [], {}, {}
    for fmt in formats:
        try:
            path = _save(folder, framework, model, fmt)
            if framework == "keras3" and fmt == "h5":
                _check_keras3_h5_reload(path, xs, ys)
            written.append(fmt)
            sizes[fmt] = _size(path)
        except Exception as e:  # noqa: BLE001 - recorded as the reason this format is missing
            missing[fmt] = _reason(e)
            leftover = os.path.join(folder, {"keras": "model.keras", "h5": "model.h5", "savedmodel": "savedmodel"}[fmt])
            if os.path.isdir(leftover):
                shutil.rmtree(leftover)
            elif os.path.exists(leftover):
                os.remove(leftover)
    meta = {
        "fingerprint": fp,
        "framework": framework,
        "formats": written,
        "missing": missing,
        "sizes": sizes,
        "inputs": len(xs),
        "outputs": len(ys),
        "params": int(model.count_params()),
        "seconds": round(time.time() - started, 1),
    }
    meta.update(extra or {})
    with open(os.path.join(folder, "meta.json"), "w") as f:
        json.dump(meta, f, indent=1)
    return meta


def _save(folder, framework, model, fmt):
    if fmt == "keras":
        path = os.path.join(folder, "model.keras")
        model.save(path)
    elif fmt == "h5":
        path = os.path.join(folder, "model.h5")
        if framework == "keras3":
            import keras

            keras.saving.save_model(model, path)
        else:
            model.save(path, save_format="h5")
    elif fmt == "savedmodel":
        path = os.path.join(folder, "savedmodel")
        model.save(path, save_format="tf")
    else:
        raise ValueError(fmt)
    return path


class KerasDoesNotReload(Exception):
    pass


def _check_keras3_h5_reload(path, xs, ys):
    """Keras 3 writes legacy .h5 files it cannot always read back; those are not a format Keras offers."""
    import keras

    try:
        again = keras.saving.load_model(path, compile=False)
    except Exception as e:  # noqa: BLE001
        raise KerasDoesNotReload(f"Keras 3 cannot reload its own .h5 ({_reason(e)})") from e
    if not _close(_predict(again, xs), ys):
        raise KerasDoesNotReload("Keras 3 reloads its own .h5 with different predictions")


def _size(path):
    if os.path.isdir(path):
        return sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(path) for f in fs)
    return os.path.getsize(path)


def _reason(e):
    text = f"{type(e).__name__}: {e}".replace("\n", " ")
    return text[:300]


def failure(folder, framework, fp, e, stage):
    """meta.json for a case the framework could not build or save at all."""
    if os.path.exists(folder):
        shutil.rmtree(folder)
    os.makedirs(folder)
    meta = {"fingerprint": fp, "framework": framework, "formats": [], "missing": {}, "error": f"{stage}: {_reason(e)}",
            "trace": traceback.format_exc()[-2000:]}
    with open(os.path.join(folder, "meta.json"), "w") as f:
        json.dump(meta, f, indent=1)
    return meta
