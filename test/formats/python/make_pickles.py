"""Writes test/formats/python/pickles/: what Python's pickle module (and numpy) write, for
pickle.test.ts, with the value each one holds in expected.json (as JSON: tuples and sets become
lists, bytes become {"bytes": [...]}, dicts become {"dict": [[key, value], ...]}, big ints strings).

Run: /work/main/.venv/bin/python test/formats/python/make_pickles.py
"""
import json
import os
import pickle

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pickles")

shared = [7, 8]
VALUES = {
    "scalars": [None, True, False, 0, 1, 255, 256, 65535, 65536, -1, -(2**31), 2**31 - 1, 2**40, -(2**53), 2**70, -(2**70), 1.5, -0.25],
    "text": ["", "a", "héllo wörld ✓", "x" * 300],
    "bytes": [b"", b"\x00\x01\xff", bytes(range(256))],
    "containers": [(), (1,), (1, 2), (1, 2, 3), (1, 2, 3, 4), [], [[1, [2, [3]]]], {"a": 1, "b": [2]}, {1: "one"}, {3, 4}, frozenset({5})],
    "shared": [shared, shared, {"again": shared}],
}


def to_json(v):
    if isinstance(v, bool) or v is None:
        return v
    if isinstance(v, int):
        return v if abs(v) <= 2**53 else {"bigint": str(v)}
    if isinstance(v, float):
        return v
    if isinstance(v, str):
        return v
    if isinstance(v, (bytes, bytearray)):
        return {"bytes": list(v)}
    if isinstance(v, dict):
        return {"dict": [[to_json(k), to_json(x)] for k, x in v.items()]}
    if isinstance(v, (set, frozenset)):
        return sorted(to_json(x) for x in v)
    return [to_json(x) for x in v]


def main():
    os.makedirs(OUT, exist_ok=True)
    expected = {}
    for name, value in VALUES.items():
        expected[name] = to_json(value)
        for protocol in range(0, pickle.HIGHEST_PROTOCOL + 1):
            with open(os.path.join(OUT, f"{name}.p{protocol}.pickle"), "wb") as f:
                pickle.dump(value, f, protocol=protocol)
    # numpy object arrays as np.save pickles them (and as older protocols would).
    reviews = np.empty(3, dtype=object)
    reviews[0], reviews[1], reviews[2] = [1, 2, 300], [70000, 5], []
    expected["ndarray"] = to_json([[1, 2, 300], [70000, 5], []])
    for protocol in (2, 3, 4, 5):
        with open(os.path.join(OUT, f"ndarray.p{protocol}.pickle"), "wb") as f:
            pickle.dump(reviews, f, protocol=protocol)
    expected["versions"] = {"numpy": np.__version__, "pickle_highest_protocol": pickle.HIGHEST_PROTOCOL}
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
