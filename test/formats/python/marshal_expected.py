"""Writes marshal_expected.json: Lambda functions serialized as Keras does (func_dump: base64 of
marshal.dumps(fn.__code__)), with what CPython itself reads back from those bytes (marshal.loads
builds the code object; nothing is executed): co_name, co_filename, co_varnames, and the names
and constants of the code and of the code objects nested in its constants.

Constants are flattened the way marshal.ts summarizes them: strings, numbers, booleans and None
as they are; tuples contribute their string and number items; nested code objects are visited.

Run: .venv/bin/python test/formats/python/marshal_expected.py  (CPython 3.11 layout)
"""
import base64
import json
import marshal
import os
import sys
import types

HERE = os.path.dirname(os.path.abspath(__file__))


def samples():
    scale = 3.5

    def dropout(x, training=None, rate=0.5):
        if not training:
            return x
        return x * (1.0 / (1.0 - rate))

    def closure_user(x):
        return x * scale + 2**70 - 1e-12

    return [
        ("anonymous", lambda x: x / 127.5 - 1.0),
        ("named", dropout),
        ("tuple_consts", lambda x: x.reshape((-1, 28, 28, 1))),
        ("strings_and_kwargs", lambda t: t.sum(axis=1, keepdims=True, name="reduce")),
        ("nested_lambda", lambda xs: [f(x) for f in (lambda v: v + 1,) for x in xs]),
        ("closure_and_long", closure_user),
        ("none_bool_complex_bytes", lambda x: (None, True, False, 1j, b"raw", x)),
    ]


def flatten(code, names, consts):
    for n in code.co_names:
        if n not in names:
            names.append(n)
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            flatten(c, names, consts)
        elif c is None or isinstance(c, (bool, int, float, str)):
            consts.append(c)
        elif isinstance(c, tuple):
            consts.extend(x for x in c if isinstance(x, (int, float, str)) and not isinstance(x, bool))


def main():
    out = []
    for label, fn in samples():
        raw = marshal.dumps(fn.__code__)
        code = marshal.loads(raw)
        names, consts = [], []
        flatten(code, names, consts)
        out.append({
            "label": label,
            "base64": base64.encodebytes(raw).decode("ascii"),
            "name": code.co_name,
            "filename": code.co_filename,
            "varnames": list(code.co_varnames),
            "names": names,
            "consts": [c if not isinstance(c, float) or c == c else None for c in consts],
        })
    with open(os.path.join(HERE, "marshal_expected.json"), "w") as f:
        json.dump({"generatedBy": "test/convert/marshal_expected.py", "python": sys.version.split()[0], "samples": out}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
