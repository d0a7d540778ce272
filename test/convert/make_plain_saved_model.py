"""Writes test/convert/data/plain_tf.savedmodel/: a SavedModel that TensorFlow itself wrote with
`tf.saved_model.save` for a plain `tf.Module` (no Keras anywhere: no keras_metadata.pb, no Keras
objects in saved_model.pb). Users meet this when a model was exported for TF Serving; the converter
must refuse it with BAD_SAVED_MODEL and say to save the Keras model instead.

Run: .venv/bin/python test/convert/make_plain_saved_model.py
"""
import os
import shutil

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import tensorflow as tf  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "plain_tf.savedmodel")


class Affine(tf.Module):
    def __init__(self):
        super().__init__()
        self.w = tf.Variable([[1.0, 2.0], [3.0, 4.0]], name="w")
        self.b = tf.Variable([0.5, -0.5], name="b")

    @tf.function(input_signature=[tf.TensorSpec([None, 2], tf.float32)])
    def __call__(self, x):
        return tf.matmul(x, self.w) + self.b


if __name__ == "__main__":
    shutil.rmtree(OUT, ignore_errors=True)
    tf.saved_model.save(Affine(), OUT)
    fingerprint = os.path.join(OUT, "fingerprint.pb")
    if os.path.exists(fingerprint):
        os.remove(fingerprint)  # a random UUID: the folder would differ on every run
    print("wrote", OUT)
