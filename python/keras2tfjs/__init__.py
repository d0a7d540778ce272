"""keras2tfjs, Python side: the Keras 3 twin of the TypeScript ManualDropout layer.

Importing the package registers `keras2tfjs>ManualDropout` with Keras serialization,
so `keras.saving.load_model` finds it.
"""

from keras2tfjs.manual_dropout import ManualDropout

__all__ = ["ManualDropout"]
__version__ = "0.1.0"
