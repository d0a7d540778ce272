"""Writes test/hostile/data/: crafted and damaged files, one (or a few) per class of attack.

Every file starts from a model real Keras saved (Keras 3 .keras, tf_keras legacy .h5) or from
what numpy writes (imdb-style .npz), and is then altered the way an attacker would: a Lambda's
marshalled code rewritten, a config nested thousands deep, names that are Object.prototype keys,
weights stored with integer dtypes, a 20 MB class name, npz members that inflate far beyond the
file, pickles that share one list thousands of times. What real Keras makes of the integer-weight
files is recorded in expected.json (the converter must agree, or refuse with a typed error).

Run: /work/main/.venv/bin/python test/hostile/make_hostile_files.py
Re-running rewrites the files; their bytes depend on the Keras/h5py/numpy versions.
"""
import base64
import io
import json
import marshal
import os
import shutil
import struct
import zipfile
import zlib

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
import h5py  # noqa: E402
import numpy as np  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "data")
ZIP_TIME = (2020, 1, 1, 0, 0, 0)
expected = {}


def path(name):
    return os.path.join(OUT, name)


# ----------------------------------------------------------------------------- base models


def keras3_lambda_model():
    """A Keras 3 model with a Dense and an anonymous Lambda (its code is marshalled into the config)."""
    import keras
    from keras import layers

    keras.utils.set_random_seed(3)
    model = keras.Sequential(
        [keras.Input((4,)), layers.Dense(3, name="dense"), layers.Lambda(lambda x: x * 0.5, name="lam")],
        name="base",
    )
    model.save(path("_base_lambda.keras"))
    return path("_base_lambda.keras")


def keras3_dense_model():
    import keras
    from keras import layers

    keras.utils.set_random_seed(4)
    model = keras.Sequential([keras.Input((4,)), layers.Dense(3, name="dense"), layers.Dense(2, name="dense_1")], name="base")
    model.save(path("_base_dense.keras"))
    return path("_base_dense.keras")


def tfkeras_lambda_model():
    import tf_keras

    tf_keras.utils.set_random_seed(5)
    model = tf_keras.Sequential(
        [tf_keras.Input((4,)), tf_keras.layers.Dense(3, name="dense"), tf_keras.layers.Lambda(lambda x: x * 0.5, name="lam")]
    )
    model.save(path("_base_lambda.h5"))
    return path("_base_lambda.h5")


def tfkeras_normalization_model():
    """tf_keras Normalization adapted on data: it stores mean, variance and an int64 `count`."""
    import tf_keras

    norm = tf_keras.layers.Normalization(name="norm")
    norm.adapt(np.arange(12, dtype="float32").reshape(4, 3))
    model = tf_keras.Sequential([tf_keras.Input((3,)), norm, tf_keras.layers.Dense(2, name="dense")])
    model.save(path("_base_norm.h5"))
    return path("_base_norm.h5")


# ----------------------------------------------------------------------------- helpers


def rewrite_keras(src, dst, edit_config=None, edit_weights=None, compress=False):
    """Copies the .keras archive `src` to `dst`, editing config.json and/or model.weights.h5."""
    with zipfile.ZipFile(src) as z:
        members = {n: z.read(n) for n in z.namelist()}
    # A fixed save date, so that re-running the script changes no byte that Keras did not.
    metadata = json.loads(members["metadata.json"])
    metadata["date_saved"] = "2020-01-01@00:00:00"
    members["metadata.json"] = json.dumps(metadata).encode()
    if edit_config:
        config = json.loads(members["config.json"])
        result = edit_config(config)
        members["config.json"] = result if isinstance(result, bytes) else json.dumps(config).encode()
    if edit_weights:
        tmp = dst + ".weights.h5"
        with open(tmp, "wb") as f:
            f.write(members["model.weights.h5"])
        with h5py.File(tmp, "r+") as h5:
            edit_weights(h5)
        with open(tmp, "rb") as f:
            members["model.weights.h5"] = f.read()
        os.remove(tmp)
    write_zip(dst, members, compress)


def write_zip(dst, members, compress=False):
    with zipfile.ZipFile(dst, "w") as z:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
            z.writestr(info, data)


def rewrite_h5(src, dst, edit):
    shutil.copyfile(src, dst)
    with h5py.File(dst, "r+") as h5:
        edit(h5)


def edit_h5_config(h5, edit):
    config = json.loads(h5.attrs["model_config"])
    result = edit(config)
    h5.attrs["model_config"] = result if isinstance(result, str) else json.dumps(config)


def layers_of(config):
    return config["config"]["layers"]


def find_layer(config, name):
    return next(l for l in layers_of(config) if l["config"].get("name") == name)


def replace_dataset(group, name, values):
    """Replaces dataset `name` in `group` by `values` (their own dtype), as if saved so."""
    del group[name]
    group.create_dataset(name, data=values)


# ----------------------------------------------------------------- 1. marshal: shared code objects


def shared_code_objects(levels):
    """A code object whose co_consts holds its child twice, `levels` deep. marshal writes a
    repeated object once and refers back to it, so the bytes grow linearly while the tree that
    a naive walk sees has 2**levels leaves."""
    code = (lambda x: x).__code__
    for i in range(levels):
        code = code.replace(co_consts=(code, code, 0.5), co_name=f"level{i}", co_names=("mul", f"name{i}"))
    return code


def marshal_attacks(base_keras, base_h5):
    code = base64.b64encode(marshal.dumps(shared_code_objects(26))).decode()

    def edit(config):
        find_layer(config, "lam")["config"]["function"]["config"]["code"] = code

    rewrite_keras(base_keras, path("lambda_shared_code.keras"), edit_config=edit)

    def edit_h5(h5):
        def e(config):
            find_layer(config, "lam")["config"]["function"][0] = code

        edit_h5_config(h5, e)

    rewrite_h5(base_h5, path("lambda_shared_code.h5"), edit_h5)


# -------------------------------------------------------------------------- 9. deep nesting


NESTED = "@@nested@@"


def with_nested(config, depth):
    """The JSON text of `config` with the string NESTED replaced by a list nested `depth` deep
    (Python's json module itself refuses to write that deep)."""
    return json.dumps(config).replace(f'"{NESTED}"', "[" * depth + "1.0" + "]" * depth)


def depth_attacks(base_keras, base_h5):
    def deep_keras(depth, name):
        def edit(config):
            find_layer(config, "dense")["config"]["kernel_initializer"]["config"]["seed"] = NESTED
            return with_nested(config, depth).encode()

        rewrite_keras(base_keras, path(name), edit_config=edit)

    # 3,000 levels: far past any walker's stack. 150: within the limit, must still end typed.
    deep_keras(3000, "deep_config.keras")
    deep_keras(150, "deep_config_150.keras")

    def edit_h5(h5):
        def e(config):
            find_layer(config, "dense")["config"]["kernel_initializer"] = NESTED
            return with_nested(config, 3000)

        edit_h5_config(h5, e)

    rewrite_h5(base_h5, path("deep_config.h5"), edit_h5)
    # A tf.keras SavedModel whose root metadata (keras_metadata.pb, edited with tf_keras' own
    # protobuf classes) nests 3,000 deep.
    from tf_keras.protobuf import saved_metadata_pb2

    seed = os.path.join(HERE, "..", "convert", "data", "fuzz_seeds", "zoo_tfk.savedmodel")
    target = path("deep_config.savedmodel")
    shutil.copytree(seed, target)
    metadata = saved_metadata_pb2.SavedMetadata()
    with open(os.path.join(target, "keras_metadata.pb"), "rb") as f:
        metadata.ParseFromString(f.read())
    root = next(n for n in metadata.nodes if n.node_path == "root")
    config = json.loads(root.metadata)
    config["config"]["layers"][1]["config"]["kernel_initializer"] = NESTED
    root.metadata = with_nested(config, 3000)
    with open(os.path.join(target, "keras_metadata.pb"), "wb") as f:
        f.write(metadata.SerializeToString())

    # The architecture for a weights-only file, given separately (--config).
    with open(path("deep_architecture.json"), "w") as f:
        f.write(with_nested({"class_name": "Sequential", "config": {"name": "deep", "layers": NESTED}}, 3000))


# ----------------------------------------------------------------- 8. Object.prototype names


PROTO_CASES = {
    # name: (layer, key, value)
    "proto_constraint": ("dense", "kernel_constraint", "__proto__"),
    "proto_constraint_class": ("dense", "kernel_constraint", {"class_name": "__proto__", "config": {}}),
    "proto_initializer": ("dense", "kernel_initializer", {"class_name": "constructor", "config": {}}),
    "proto_initializer_name": ("dense", "bias_initializer", "toString"),
    "proto_activation": ("dense", "activation", "constructor"),
    "proto_regularizer": ("dense", "kernel_regularizer", {"class_name": "hasOwnProperty", "config": {}}),
    "proto_dtype": ("dense", "dtype", "valueOf"),
    # Not a prototype name, found by the fuzz: an initializer argument tfjs checks only on load.
    "init_bad_scale": ("dense", "kernel_initializer", {"class_name": "VarianceScaling", "config": {"scale": -1.0, "mode": "fan_in", "distribution": "normal", "seed": None}}),
}


def proto_attacks(base_dense, base_lambda):
    for name, (layer, key, value) in PROTO_CASES.items():

        def edit(config, layer=layer, key=key, value=value):
            find_layer(config, layer)["config"][key] = value

        rewrite_keras(base_dense, path(f"{name}.keras"), edit_config=edit)

    for cls in ["toString", "__proto__", "constructor"]:

        def edit(config, cls=cls):
            find_layer(config, "dense_1")["class_name"] = cls

        rewrite_keras(base_dense, path(f"proto_class_{cls.strip('_')}.keras"), edit_config=edit)

    # A Lambda whose Python function is named toString (Keras 3 stores a named function by name).
    def edit(config):
        find_layer(config, "lam")["config"]["function"] = {
            "module": "builtins",
            "class_name": "function",
            "config": "toString",
            "registered_name": "function",
        }

    rewrite_keras(base_lambda, path("proto_lambda_name.keras"), edit_config=edit)

    # The same through the marshalled code: co_name 'constructor'.
    code = (lambda x: x).__code__.replace(co_name="constructor")

    def edit_code(config):
        find_layer(config, "lam")["config"]["function"]["config"]["code"] = base64.b64encode(marshal.dumps(code)).decode()

    rewrite_keras(base_lambda, path("proto_lambda_code.keras"), edit_config=edit_code)

    # A config whose keys are "__proto__" (JSON makes them own keys; a copy by assignment would not).
    def edit_keys(config):
        text = json.dumps(config)
        return text.replace('"units": 3', '"__proto__": {"units": 7}, "units": 3').encode()

    rewrite_keras(base_dense, path("proto_key.keras"), edit_config=edit_keys)


# ----------------------------------------------------------------------- 13. long names


def long_name_attacks(base_dense):
    big = "A" * (20 * 1024 * 1024)

    def edit(config):
        find_layer(config, "dense_1")["class_name"] = big

    # Deflated: 20 MB of one letter is a few KB in the archive.
    rewrite_keras(base_dense, path("long_class_name.keras"), edit_config=edit, compress=True)

    def edit_many(config):
        layer = find_layer(config, "dense_1")
        layers_of(config).extend(
            {**layer, "class_name": f"Unknown{i}", "config": {**layer["config"], "name": f"unknown_{i}"}} for i in range(20000)
        )

    rewrite_keras(base_dense, path("many_unknown_classes.keras"), edit_config=edit_many, compress=True)


# -------------------------------------------------------------------- 7. integer weights


def keras_load_weights(file):
    """What real Keras loads from `file`: {layer: [weights as float lists]}, or the error it raises."""
    import keras

    try:
        model = keras.saving.load_model(file, compile=False)
    except Exception as e:  # noqa: BLE001 - recorded, not handled
        return {"error": f"{type(e).__name__}: {str(e).splitlines()[0][:200]}"}
    return {
        "weights": {l.name: [[float(v) for v in np.ravel(w)] for w in l.get_weights()] for l in model.layers if l.get_weights()},
        "dtypes": {l.name: [str(w.dtype) for w in l.get_weights()] for l in model.layers if l.get_weights()},
    }


def integer_weight_attacks(base_dense, base_norm):
    kernel_shape = (4, 3)
    cases = {
        # int8 values: every one is exact in float32.
        "int_kernel_int8": np.arange(-6, 6, dtype=np.int8).reshape(kernel_shape),
        # uint32 values past 2**31 (a wrap to int32 would turn them negative) and past 2**24.
        "int_kernel_uint32": np.array([0, 1, 2**31 - 1, 2**31, 2**31 + 1, 2**32 - 1, 16777217, 7, 8, 9, 10, 11], dtype=np.uint32).reshape(kernel_shape),
        # int64 values past int32 (a clamp would make them ±2**31) and past 2**53.
        "int_kernel_int64": np.array([-(2**40), 2**40 + 1, 2**53 + 1, -(2**63), 2**63 - 1, 3, 4, 5, 6, 7, 8, 9], dtype=np.int64).reshape(kernel_shape),
    }
    for name, values in cases.items():

        def edit(h5, values=values):
            replace_dataset(h5["layers/dense/vars"], "0", values)

        rewrite_keras(base_dense, path(f"{name}.keras"), edit_weights=edit)
        expected[name + ".keras"] = keras_load_weights(path(f"{name}.keras"))
        expected[name + ".keras"]["stored"] = [int(v) for v in np.ravel(values)]

    # tf_keras Normalization's int64 `count`: within int32 (converts), beyond it (tfjs cannot hold it).
    for name, count in [("int_count_fits", 123456), ("int_count_huge", 2**40)]:

        def edit(h5, count=count):
            group = h5["model_weights/norm"]
            replace_dataset(group, "count:0", np.array(count, dtype=np.int64))

        rewrite_h5(base_norm, path(f"{name}.h5"), edit)
        expected[name + ".h5"] = {"count": count}


# ---------------------------------------------------------------------------- 3. npz / pickle


def npy_bytes(array):
    buf = io.BytesIO()
    np.save(buf, array, allow_pickle=True)
    return buf.getvalue()


def imdb_members(x_train_pickle=None, train_labels=3):
    """The four members of an imdb.npz; x_train's pickle replaced by raw pickle bytes if given
    (with `train_labels` labels, so that only the reviews are wrong)."""
    rng = np.random.default_rng(1)
    x = np.empty(3, dtype=object)
    for i in range(3):
        x[i] = [int(w) for w in rng.integers(1, 50, size=5)]
    y = np.array([0, 1, 0], dtype=np.int64)
    members = {"x_train.npy": npy_bytes(x), "y_train.npy": npy_bytes(np.resize(y, train_labels)), "x_test.npy": npy_bytes(x), "y_test.npy": npy_bytes(y)}
    if x_train_pickle is not None:
        header = members["x_train.npy"]
        start = header.index(b"\n") + 1
        members["x_train.npy"] = header[:start] + x_train_pickle
    return members


def ndarray_pickle(items_ops):
    """Pickle bytes of a numpy object ndarray as numpy writes it (protocol 2 opcodes), with the
    items list produced by the raw opcodes `items_ops` (which must leave one list on the stack)."""
    p = bytearray(b"\x80\x02")
    p += b"cnumpy.core.multiarray\n_reconstruct\nq\x00"
    p += b"cnumpy\nndarray\nq\x01K\x00\x85q\x02C\x01b\x87q\x03Rq\x04"
    p += b"(K\x01K\x03\x85q\x05cnumpy\ndtype\nq\x06X\x02\x00\x00\x00O8\x89\x88\x87Rq\x07"
    p += b"(K\x03X\x01\x00\x00\x00|NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK?tb\x89"
    p += items_ops
    p += b"tb."
    return bytes(p)


def billion_laughs(inner, outer):
    """items = [L] * outer where L is one list of `inner` word indices: `outer` references to it."""
    ops = bytearray()
    ops += b"](" + b"K\x05" * inner + b"e" + b"r\x00\x01\x00\x00"  # L, memo 256
    ops += b"0]("  # pop L, new items list, mark
    ops += b"j\x00\x01\x00\x00" * outer  # LONG_BINGET 256, outer times
    ops += b"e"
    return bytes(ops)


def copy_amplifier(items, calls):
    """pickleparser copies REDUCE arguments: one args tuple of `items` ints passed `calls` times."""
    ops = bytearray()
    ops += b"cbuiltins\nlist\nr\x00\x01\x00\x000"  # the callable, memo 256
    ops += b"(" + b"K\x01" * items + b"tr\x01\x01\x00\x000"  # the args tuple, memo 257
    ops += b"](" + b"j\x00\x01\x00\x00j\x01\x01\x00\x00R" * calls + b"e"
    return bytes(ops)


def npz_attacks():
    # A member that declares 3 GB: refused from the directory, before anything is inflated.
    members = imdb_members()
    write_zip(path("imdb_declares_huge.npz"), members, compress=True)
    with open(path("imdb_declares_huge.npz"), "r+b") as f:
        data = bytearray(f.read())
        for sig in (b"PK\x01\x02",):
            at = data.find(sig)
            while at >= 0:
                if data[at + 46 : at + 46 + 11] == b"x_train.npy":
                    struct.pack_into("<I", data, at + 24, 3_000_000_000)
                at = data.find(sig, at + 4)
        f.seek(0)
        f.write(data)

    # A member whose deflate stream inflates to 256 MB of zeros (declared honestly: a bomb by ratio).
    zeros = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = bytes(16 * 1024 * 1024)
    body = b"".join(zeros.compress(chunk) for _ in range(16)) + zeros.flush()
    with zipfile.ZipFile(path("imdb_inflate_bomb.npz"), "w") as z:
        for name, data in imdb_members().items():
            info = zipfile.ZipInfo(name, ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    _append_raw_deflated(path("imdb_inflate_bomb.npz"), "x_train.npy", body, 16 * len(chunk))
    # The same stream declaring 1 MB: a reader that trusts the declared size must stop there.
    shutil.copyfile(path("imdb_inflate_bomb.npz"), path("imdb_inflate_lies.npz"))
    _append_raw_deflated(path("imdb_inflate_lies.npz"), "x_train.npy", body, 16 * len(chunk), declared=1024 * 1024)

    # Shared references: 20,000 references to one list of 20,000 words (400 M words from ~140 KB).
    laughs = ndarray_pickle(billion_laughs(20000, 20000))
    write_zip(path("imdb_pickle_laughs.npz"), imdb_members(laughs, train_labels=20000), compress=True)
    # pickleparser's copy amplification: a 30,000-item args tuple passed 30,000 times.
    write_zip(path("imdb_pickle_copies.npz"), imdb_members(ndarray_pickle(copy_amplifier(30000, 30000)), train_labels=30000), compress=True)
    # A pickle that would run code if executed: os.system('echo pwned > ...'). Never run.
    command = b"touch /tmp/k2t-pwned"
    evil = b"\x80\x02cos\nsystem\nX" + struct.pack("<I", len(command)) + command + b"\x85R."
    write_zip(path("imdb_pickle_code.npz"), imdb_members(evil), compress=True)
    # A review list that contains itself (a cycle).
    cyclic = ndarray_pickle(b"](" + b"]r\x00\x01\x00\x00K\x01aj\x00\x01\x00\x00a" + b"e")
    write_zip(path("imdb_pickle_cycle.npz"), imdb_members(cyclic), compress=True)


def _append_raw_deflated(npz, name, body, size, declared=None):
    """Replaces member `name` of `npz` with an already-deflated body declaring `size` bytes."""
    with zipfile.ZipFile(npz) as z:
        members = {n: z.read(n) for n in z.namelist() if n != name}
    # zipfile cannot write a pre-deflated stream: build the archive by hand (stored + one raw member).
    out = bytearray()
    central = bytearray()
    entries = [(n, d, 0, d, zlib.crc32(d), len(d)) for n, d in members.items()]
    crc = 0  # the CRC of the zeros, computed incrementally
    chunk = bytes(16 * 1024 * 1024)
    for _ in range(size // len(chunk)):
        crc = zlib.crc32(chunk, crc)
    entries.insert(0, (name, None, 8, body, crc, size if declared is None else declared))
    for n, _, method, data, c, usize in entries:
        nb = n.encode()
        offset = len(out)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0x21, c, len(data), usize & 0xFFFFFFFF, len(nb), 0) + nb + data
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, method, 0, 0x21, c, len(data), usize & 0xFFFFFFFF, len(nb), 0, 0, 0, 0, 0, offset) + nb
    cd_offset = len(out)
    out += central + struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(central), cd_offset, 0)
    with open(npz, "wb") as f:
        f.write(out)


# ------------------------------------------------------------------------------------ main


def main():
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    base_lambda = keras3_lambda_model()
    base_dense = keras3_dense_model()
    base_h5 = tfkeras_lambda_model()
    base_norm = tfkeras_normalization_model()
    marshal_attacks(base_lambda, base_h5)
    depth_attacks(base_dense, base_h5)
    proto_attacks(base_dense, base_lambda)
    long_name_attacks(base_dense)
    integer_weight_attacks(base_dense, base_norm)
    npz_attacks()
    import keras
    import tf_keras

    expected["versions"] = {"keras": keras.__version__, "tf_keras": tf_keras.__version__, "h5py": h5py.__version__, "numpy": np.__version__}
    with open(path("expected.json"), "w") as f:
        json.dump(expected, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
