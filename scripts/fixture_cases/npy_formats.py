"""npy_formats: .npy files as numpy writes them, for the TypeScript reader and writer.

Every dtype the reader supports (<f4, <f8, <i4, <i8, |u1, |b1, <u4), the shapes that format
differently in the header ((), (n,), (0, k), 3-D, a 4-digit first axis), header versions
2.0 and 3.0, and the files the reader must refuse (int64 beyond int32,
Fortran order, big-endian, complex). case.json lists each with what the reader should do.

Usage (fixture protocol): python scripts/fixture_cases/npy_formats.py <out_root>
"""

import numpy as np

import fixture_common as fc

CASE = "npy_formats"


def supported_arrays():
    rng = np.random.default_rng(fc.DEFAULT_SEED)
    return {
        "float32_2x3.npy": rng.normal(size=(2, 3)).astype("<f4"),
        "float32_scalar.npy": np.array(1.5, dtype="<f4"),
        "float32_empty_0x4.npy": np.zeros((0, 4), dtype="<f4"),
        "float32_3d.npy": rng.normal(size=(2, 3, 4)).astype("<f4"),
        "float64_5.npy": np.array([0.1, -2.5, 1e300, -0.0, np.pi], dtype="<f8"),
        "int32_4.npy": np.array([0, -1, 2147483647, -2147483648], dtype="<i4"),
        "int64_fits_int32.npy": np.array([[0, -1], [2147483647, -2147483648]], dtype="<i8"),
        "uint8_7.npy": np.array([0, 1, 2, 127, 128, 254, 255], dtype="|u1"),
        "bool_2x2.npy": np.array([[True, False], [False, True]]),
        "uint32_3.npy": np.array([0, 2147483648, 4294967295], dtype="<u4"),
        "float32_long_1000x1.npy": np.arange(1000, dtype="<f4").reshape(1000, 1),
    }


def refused_arrays():
    return {
        "int64_too_big.npy": (np.array([1, 2**40], dtype="<i8"), "int64 value beyond int32"),
        "float32_fortran.npy": (np.asfortranarray(np.arange(6, dtype="<f4").reshape(2, 3)), "Fortran order"),
        "float32_big_endian.npy": (np.arange(3, dtype=">f4"), "big-endian"),
        "complex64.npy": (np.array([1 + 2j], dtype="<c8"), "unsupported dtype"),
    }


def main():
    out = fc.case_dir(CASE)
    files, supported, refused = {}, {}, {}
    for name, array in supported_arrays().items():
        np.save(out / name, array, allow_pickle=False)
        files[name] = f"{array.dtype.str} {list(array.shape)}, header version 1.0"
        supported[name] = {"descr": array.dtype.str, "shape": list(array.shape), "values": array.ravel().tolist()}
    for version in ((2, 0), (3, 0)):
        name = f"float32_header_v{version[0]}.npy"
        array = np.arange(6, dtype="<f4").reshape(3, 2)
        with open(out / name, "wb") as f:
            np.lib.format.write_array(f, array, version=version, allow_pickle=False)
        files[name] = f"<f4 [3, 2], header version {version[0]}.0"
        supported[name] = {"descr": "<f4", "shape": [3, 2], "values": array.ravel().tolist()}
    for name, (array, why) in refused_arrays().items():
        np.save(out / name, array, allow_pickle=False)  # keeps Fortran order and byte order
        files[name] = f"must be refused: {why}"
        refused[name] = why
    fc.write_case_json(
        out,
        ".npy files written by numpy: every supported dtype and header form, and files the reader refuses",
        "tensorflow",
        files,
        uses="numpy only (no Keras backend involved)",
        supported=supported,
        refused=refused,
    )


if __name__ == "__main__":
    main()
