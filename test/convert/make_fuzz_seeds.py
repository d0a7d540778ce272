"""Writes test/convert/data/fuzz_seeds/: fuzz seeds no other fixture provides.

* zoo_tfk.savedmodel: a tf_keras functional model (Conv1D, GlobalMaxPooling1D, Dense, BatchNormalization,
  Dropout, Concatenate; two inputs) saved as a SavedModel with keras_metadata.pb, so that the
  fuzz damages a SavedModel whose object graph, checkpoint and metadata differ from the one
  fixture SavedModel (fixtures/seed_lambda_tfkeras/saved_model).

Run: /work/main/.venv/bin/python test/convert/make_fuzz_seeds.py
Re-running rewrites the files; their bytes depend on the TensorFlow/tf_keras versions.
"""
import os
import shutil

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "fuzz_seeds")


def main():
    import tf_keras
    from tf_keras import layers

    tf_keras.utils.set_random_seed(11)
    seq = tf_keras.Input((6, 4), name="seq")
    x = layers.Conv1D(3, 2, name="conv")(seq)
    x = layers.GlobalMaxPooling1D(name="pool")(x)
    vec = tf_keras.Input((5,), name="vec")
    y = layers.Dense(4, activation="relu", name="dense")(vec)
    y = layers.BatchNormalization(name="bn")(y)
    y = layers.Dropout(0.3, name="drop")(y)
    out = layers.Dense(2, activation="softmax", name="out")(layers.Concatenate(name="cat")([x, y]))
    model = tf_keras.Model([seq, vec], out, name="zoo_savedmodel")
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    rng = np.random.default_rng(0)
    model.fit([rng.normal(size=(16, 6, 4)), rng.normal(size=(16, 5))], np.eye(2)[rng.integers(0, 2, 16)], epochs=1, verbose=0)
    target = os.path.join(OUT, "zoo_tfk.savedmodel")
    if os.path.isdir(target):
        shutil.rmtree(target)
    os.makedirs(OUT, exist_ok=True)
    model.save(target, save_format="tf")


if __name__ == "__main__":
    main()
