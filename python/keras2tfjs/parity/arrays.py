"""The arrays of a parity fixture: the caller's x and y as one array per model input / output,
and how they are written (.npy, little-endian, C order: what numpy and keras2tfjs' readNpy share).
"""

import re
from pathlib import Path

import numpy as np
from keras import ops


def input_names(model):
    return [t._keras_history.operation.name for t in model.inputs]


def per_input(model, x):
    """x as a list in model.inputs order: one array, a list/tuple in that order, or a dict by input name."""
    return _per_tensor("x", x, input_names(model), "input", [t.dtype for t in model.inputs])


def per_output(model, y):
    """y as a list in output order: one array, a list/tuple in that order, or a dict by output name."""
    return _per_tensor("y", y, list(model.output_names), "output", [None] * len(model.output_names))


def _per_tensor(arg, value, names, kind, dtypes):
    expected = f"one array per {kind} ({', '.join(names)}): a list in that order or a dict by {kind} name"
    if isinstance(value, dict):
        missing = [n for n in names if n not in value]
        extra = [k for k in value if k not in names]
        if missing or extra:
            raise ValueError(
                f"export_parity_fixture: `{arg}` is a dict with keys {sorted(value)}, the model's {kind}s are "
                f"{names}; pass {expected}"
            )
        arrays = [value[n] for n in names]
    elif isinstance(value, (list, tuple)):
        arrays = list(value)
    else:
        arrays = [value]
    if len(arrays) != len(names):
        raise ValueError(f"export_parity_fixture: `{arg}` holds {len(arrays)} array(s), the model has {len(names)} {kind}(s); pass {expected}")
    out = []
    for name, array, dtype in zip(names, arrays, dtypes):
        array = np.asarray(ops.convert_to_numpy(array))
        if dtype is not None:
            array = array.astype(dtype)
        if array.ndim == 0:
            raise ValueError(f"export_parity_fixture: `{arg}` for {kind} '{name}' is a scalar; pass a batch (rows first)")
        out.append(array)
    rows = {len(a) for a in out}
    if len(rows) != 1:
        raise ValueError(f"export_parity_fixture: the arrays of `{arg}` have different numbers of rows {sorted(rows)}; give every {kind} the same rows")
    return out


def as_output_list(model, result):
    """A model call's or predict's result as a list in output order (it may be one tensor, a list or a dict)."""
    if isinstance(result, dict):
        result = [result[name] for name in model.output_names]
    elif not isinstance(result, (list, tuple)):
        result = [result]
    return [np.asarray(ops.convert_to_numpy(r)) for r in result]


def model_arguments(arrays):
    """What a Keras model takes for these inputs: the array itself for one input, else the list."""
    return arrays[0] if len(arrays) == 1 else list(arrays)


def storable(array):
    """The dtype a fixture stores: float32 for floats, int32 for integers, uint8 for masks and booleans."""
    array = np.asarray(array)
    if array.dtype == np.bool_ or array.dtype == np.uint8:
        return array.astype(np.uint8)
    if np.issubdtype(array.dtype, np.integer):
        if array.size and (array.min() < -(2**31) or array.max() >= 2**31):
            raise ValueError("export_parity_fixture: an integer input exceeds int32, which TensorFlow.js tensors hold")
        return array.astype(np.int32)
    return array.astype(np.float32)


def save(folder, relative, array):
    """Writes `array` as <folder>/<relative> (.npy) and returns `relative`."""
    path = Path(folder) / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    array = np.ascontiguousarray(storable(array))
    if array.dtype.byteorder == ">":
        array = array.astype(array.dtype.newbyteorder("<"))
    np.save(path, array, allow_pickle=False)
    return relative


def file_stem(index, name):
    """'0_features' for input 0 named 'features': ordered, and safe in any file system."""
    return f"{index}_{re.sub(r'[^A-Za-z0-9_.-]+', '_', name)}"
