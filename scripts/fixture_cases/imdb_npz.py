"""imdb_npz: a small npz in the exact format of Keras' imdb.npz, and what real keras.datasets.imdb.load_data makes of it.

Keras caches the real IMDB file at ~/.keras/datasets/imdb.npz: an npz whose four arrays are
x_train/x_test (object arrays of Python lists of word ranks, stored pickled) and y_train/y_test
(int labels). The real file cannot be downloaded here, so this case writes a small file in the
same format (np.savez of object arrays) and runs the real `keras.datasets.imdb.load_data` on it
(only its downloader, `get_file`, is pointed at our file) to record the reference: the shuffle
with RandomState(seed), start_char, index_from, num_words / oov_char handling.

Usage (per the fixture protocol): python scripts/fixture_cases/imdb_npz.py <out_root>
"""
import json
import os
import sys

import numpy as np

CASE = "imdb_npz"
NUM_WORDS = 50  # small vocabulary so that the oov_char path is exercised
N_TRAIN, N_TEST = 23, 17


def make_ragged(rng, n, vocab):
    arr = np.empty(n, dtype=object)
    for i in range(n):
        length = int(rng.integers(1, 40))
        # Word ranks start at 1 as in the real file; ranks above NUM_WORDS exercise oov_char.
        arr[i] = [int(w) for w in rng.integers(1, vocab, size=length)]
    return arr


def main(out_root):
    out = os.path.join(out_root, CASE)
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(20261129)
    x_train = make_ragged(rng, N_TRAIN, 120)
    x_test = make_ragged(rng, N_TEST, 120)
    y_train = rng.integers(0, 2, size=N_TRAIN).astype(np.int64)
    y_test = rng.integers(0, 2, size=N_TEST).astype(np.int64)
    npz_path = os.path.join(out, "imdb_small.npz")
    # np.savez writes zip members with the current time; pin them so the bytes are reproducible.
    np.savez(npz_path, x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
    _pin_zip_times(npz_path)

    import keras
    from keras.src.datasets import imdb as imdb_module

    imdb_module.get_file = lambda *args, **kwargs: npz_path  # no download: use our file
    (xtr, ytr), (xte, yte) = keras.datasets.imdb.load_data(num_words=NUM_WORDS)

    def save_ragged(name, seqs):
        lengths = np.array([len(s) for s in seqs], dtype=np.int32)
        flat = np.array([w for s in seqs for w in s], dtype=np.int32)
        np.save(os.path.join(out, f"{name}_flat.npy"), flat)
        np.save(os.path.join(out, f"{name}_lengths.npy"), lengths)

    save_ragged("x_train", xtr)
    save_ragged("x_test", xte)
    np.save(os.path.join(out, "y_train.npy"), ytr.astype(np.int32))
    np.save(os.path.join(out, "y_test.npy"), yte.astype(np.int32))
    case = {
        "description": "Keras-format imdb.npz (pickled ragged lists) and keras.datasets.imdb.load_data(num_words=50) on it",
        "backend": os.environ.get("KERAS_BACKEND", "tensorflow"),
        "load_data_args": {"num_words": NUM_WORDS, "seed": 113, "start_char": 1, "oov_char": 2, "index_from": 3},
        "files": {
            "imdb_small.npz": "input, same format as ~/.keras/datasets/imdb.npz",
            "x_train_flat.npy": "load_data x_train, concatenated (int32)",
            "x_train_lengths.npy": "length of each x_train sequence",
            "x_test_flat.npy": "load_data x_test, concatenated (int32)",
            "x_test_lengths.npy": "length of each x_test sequence",
            "y_train.npy": "load_data y_train (int32)",
            "y_test.npy": "load_data y_test (int32)",
        },
    }
    with open(os.path.join(out, "case.json"), "w") as f:
        json.dump(case, f, indent=2, sort_keys=True)
        f.write("\n")


def _pin_zip_times(path):
    import zipfile

    with zipfile.ZipFile(path) as src:
        members = [(info, src.read(info.filename)) for info in src.infolist()]
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as dst:
        for info, data in members:
            pinned = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            dst.writestr(pinned, data)


if __name__ == "__main__":
    main(sys.argv[1])
