"""Shared helpers for the fixture cases (scripts/fixture_cases/*.py).

Each case runs in its own process (the Keras backend is fixed at import), started by
scripts/export_fixtures.py with KERAS_BACKEND set. Nothing here imports keras, TensorFlow
or tf_keras at module level: a case passes in the Keras module it uses.

What is here: seeding everything, the case folder and case.json, saving .npy, the
synthetic IMDB-like data set and the book's vectorize_sequences, the seed model, and
making saved .keras files byte-reproducible (zip times and date_saved).
"""

import fnmatch
import json
import os
import random
import re
import sys
import zipfile
from pathlib import Path

import numpy as np

# One seed for everything a case draws unless the case says otherwise.
DEFAULT_SEED = 20261129
# Fixed stamps written where Keras would write the time of saving.
FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can hold
FIXED_DATE_SAVED = "1980-01-01@00:00:00"  # Keras' own "%Y-%m-%d@%H:%M:%S" format


# --------------------------------------------------------------------------- setup


def seed_everything(keras, seed=DEFAULT_SEED):
    """Python, numpy, TensorFlow (when loaded) and Keras' global seed generator.

    `keras` is the Keras module the case uses (Keras 3 or tf_keras)."""
    random.seed(seed)
    np.random.seed(seed)
    keras.utils.set_random_seed(seed)
    if "tensorflow" in sys.modules:
        import tensorflow as tf

        tf.random.set_seed(seed)


def deterministic_tensorflow():
    """Deterministic, single-threaded TensorFlow ops (call before any op runs)."""
    import tensorflow as tf

    tf.config.experimental.enable_op_determinism()
    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)


def case_dir(case):
    """<out_root>/<case>/, created; out_root is the case script's one argument."""
    if len(sys.argv) != 2:
        raise SystemExit(f"usage: python {sys.argv[0]} <out_root>")
    path = Path(sys.argv[1]) / case
    path.mkdir(parents=True, exist_ok=True)
    return path


def save_npy(folder, name, array, dtype=None):
    """np.save, little-endian and C order, as the protocol asks."""
    array = np.asarray(array) if dtype is None else np.asarray(array, dtype=dtype)
    array = np.ascontiguousarray(array)
    if array.dtype.byteorder == ">":
        array = array.astype(array.dtype.newbyteorder("<"))
    np.save(Path(folder) / name, array, allow_pickle=False)
    return name


def write_case_json(folder, description, backend, files, cpu_dependent=(), **facts):
    """Writes case.json after checking that `files` names every file the case wrote.

    `cpu_dependent`: glob patterns of the files holding floats that TensorFlow or XLA computed
    (outputs, trained weights, losses, a history): they may differ in their last bits on another
    CPU, so `export_fixtures.py --check` compares them within a tolerance instead of byte for
    byte (scripts/fixture_compare.py). Everything else must regenerate byte-identically."""
    folder = Path(folder)
    on_disk = sorted(
        str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()
    )
    described = set()
    for name in files:
        path = folder / name
        if path.is_dir():
            described.update(
                str(p.relative_to(folder)) for p in path.rglob("*") if p.is_file()
            )
        elif path.is_file():
            described.add(name)
        else:
            raise SystemExit(f"{folder.name}/case.json lists {name!r}, which was not written")
    missing = [p for p in on_disk if p not in described and p != "case.json"]
    if missing:
        raise SystemExit(f"{folder.name}: files not described in case.json: {missing}")
    for pattern in cpu_dependent:
        if not any(fnmatch.fnmatchcase(name, pattern) for name in on_disk + ["case.json"]):
            raise SystemExit(f"{folder.name}: cpu_dependent pattern {pattern!r} matches no file")
    case = {"description": description, "backend": backend, "files": files, **facts}
    if cpu_dependent:
        case["cpu_dependent"] = list(cpu_dependent)
    text = json.dumps(to_json(case), indent=2, sort_keys=True) + "\n"
    (folder / "case.json").write_text(text)


def to_json(value):
    """numpy scalars and arrays to plain JSON values."""
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    if isinstance(value, np.ndarray):
        return to_json(value.tolist())
    if isinstance(value, np.generic):
        return value.item()
    return value


def keras_versions():
    """Versions of what a case ran on, for case.json."""
    from importlib.metadata import version

    return {name: version(name) for name in ("keras", "numpy", "h5py")}


# ----------------------------------------------------------------- synthetic IMDB

# The bundled IMDB-like data (fixtures/imdb_synthetic). Real IMDB cannot be downloaded
# here; this set has its shape: word-index sequences in Keras' imdb encoding (1 = start,
# 2 = out of vocabulary, words from index 4 = rank + 3), Zipf-distributed words and
# lengths, and the label carried by a few hundred sentiment words.
IMDB_VOCABULARY = 10000
IMDB_TRAIN, IMDB_VAL = 2000, 1000
IMDB_SEED = 113
START, OOV, INDEX_FROM = 1, 2, 3
WORD_ZIPF_EXPONENT = 1.1
LENGTH_ZIPF_EXPONENT = 2.2
SENTIMENT_WORDS = 300
SENTIMENT_RATE = 0.12  # share of tokens that are sentiment words
SENTIMENT_NOISE = 0.2  # share of those drawn from the other label's words


def synthetic_imdb():
    """{'train': (sequences, labels), 'val': (...)} with sequences a list of int lists.

    Deterministic: numpy's PCG64 from a fixed seed, nothing else.
    """
    rng = np.random.default_rng(IMDB_SEED)
    ranks = np.arange(1, IMDB_VOCABULARY - INDEX_FROM)  # word index = rank + 3 <= 9999
    word_p = ranks ** -WORD_ZIPF_EXPONENT
    word_p /= word_p.sum()
    # Sentiment words: mid-frequency ranks (all within the 1,000 most frequent words, so the
    # smaller-vocabulary models see them too), half positive, half negative.
    sentiment = rng.choice(np.arange(20, 900), size=SENTIMENT_WORDS, replace=False)
    polar = {1: sentiment[: SENTIMENT_WORDS // 2], 0: sentiment[SENTIMENT_WORDS // 2 :]}

    total = IMDB_TRAIN + IMDB_VAL
    labels = rng.integers(0, 2, size=total)
    lengths = np.minimum(
        20 + 30 * (rng.zipf(LENGTH_ZIPF_EXPONENT, size=total) - 1) + rng.integers(0, 30, size=total),
        500,
    )
    sequences = []
    for label, length in zip(labels.tolist(), lengths.tolist()):
        words = rng.choice(ranks, size=length, p=word_p)
        is_sentiment = rng.random(length) < SENTIMENT_RATE
        flipped = rng.random(length) < SENTIMENT_NOISE
        for i in np.flatnonzero(is_sentiment).tolist():
            side = 1 - label if flipped[i] else label
            words[i] = rng.choice(polar[side])
        sequences.append([START] + (words + INDEX_FROM).tolist())
    return {
        "train": (sequences[:IMDB_TRAIN], labels[:IMDB_TRAIN].astype(np.int32)),
        "val": (sequences[IMDB_TRAIN:], labels[IMDB_TRAIN:].astype(np.int32)),
    }


def limit_vocabulary(sequences, num_words):
    """keras.datasets.imdb.load_data(num_words=...): rarer words become 2 (oov_char)."""
    return [[w if w < num_words else OOV for w in seq] for seq in sequences]


def vectorize_sequences(sequences, dimension=10000):
    """The book's multi-hot encoding, as written there."""
    results = np.zeros((len(sequences), dimension))
    for i, sequence in enumerate(sequences):
        results[i, sequence] = 1.0
    return results


def imdb_arrays(dimension, rows=None):
    """Multi-hot float32 (x_train, y_train, x_val, y_val) over a `dimension`-word vocabulary."""
    data = synthetic_imdb()
    out = []
    for split in ("train", "val"):
        sequences, labels = data[split]
        if rows is not None:
            sequences, labels = sequences[:rows], labels[:rows]
        sequences = limit_vocabulary(sequences, dimension)
        out += [vectorize_sequences(sequences, dimension).astype(np.float32), labels.astype(np.float32)]
    return tuple(out)


# ------------------------------------------------------------------- the seed model


def build_seed_model(keras, input_dim, dropout_layer, name="seed_model"):
    """The seed: Dense(16, L2 0.001, relu) x2 -> dropout -> Dense(1, sigmoid), compiled
    with rmsprop + binary_crossentropy + accuracy. Works with Keras 3 and tf_keras."""
    model = keras.Sequential(
        [
            keras.Input(shape=(input_dim,)),
            keras.layers.Dense(16, kernel_regularizer=keras.regularizers.l2(0.001), activation="relu"),
            keras.layers.Dense(16, kernel_regularizer=keras.regularizers.l2(0.001), activation="relu"),
            dropout_layer,
            keras.layers.Dense(1, activation="sigmoid"),
        ],
        name=name,
    )
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
    return model


def history_facts(history):
    """The per-epoch numbers of a fit, rounded for the record (case.json only)."""
    return {k: [round(float(v), 6) for v in vs] for k, vs in sorted(history.history.items())}


def imdb_training_facts(input_dim, epochs, batch_size, history, vocabulary_cut=None):
    """case.json's `training` record for a seed model fitted on the synthetic IMDB set."""
    data = "fixtures/imdb_synthetic train (2000 reviews), validation on val (1000)"
    if vocabulary_cut is not None:
        data += f"; word indices >= {vocabulary_cut} replaced by 2"
    return {
        "data": data,
        "input_dim": input_dim,
        "epochs": epochs,
        "batch_size": batch_size,
        "seed": DEFAULT_SEED,
        "history": history_facts(history),
    }


# --------------------------------------------------- byte-reproducible saved files


def pin_keras_archive(path):
    """Rewrites a .keras zip with fixed member times, a fixed metadata.json date_saved
    and config.json's shared_object_ids renumbered. Member names, order, compression and
    all other bytes stay Keras'. (model.weights.h5 needs nothing: h5py writes no object
    times, which --check confirms.)"""
    path = Path(path)
    with zipfile.ZipFile(path) as src:
        members = [(info, src.read(info.filename)) for info in src.infolist()]
    tmp = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(tmp, "w") as dst:
        for info, data in members:
            if info.filename == "metadata.json":
                data = _DATE_SAVED.sub(
                    f'"date_saved": "{FIXED_DATE_SAVED}"'.encode(), data, count=1
                )
            elif info.filename == "config.json":
                data = renumber_shared_object_ids(data)
            pinned = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            pinned.compress_type = info.compress_type
            pinned.external_attr = info.external_attr
            dst.writestr(pinned, data)
    os.replace(tmp, path)


_DATE_SAVED = re.compile(rb'"date_saved":\s*"[^"]*"')
_SHARED_OBJECT_ID = re.compile(rb'"shared_object_id": (\d+)')


def renumber_shared_object_ids(config_bytes):
    """Keras writes id(obj), a memory address, as shared_object_id: different on every run.
    The ids only pair up references inside one file, so 1, 2, ... in order of first
    appearance keeps their meaning and makes the bytes reproducible."""
    numbers = {}

    def renumber(match):
        new = numbers.setdefault(match.group(1), len(numbers) + 1)
        return b'"shared_object_id": %d' % new

    return _SHARED_OBJECT_ID.sub(renumber, config_bytes)
