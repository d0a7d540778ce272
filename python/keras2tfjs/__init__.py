"""keras2tfjs, Python side: the Keras 3 twin of the TypeScript ManualDropout layer, and
`export_parity_fixture`, which writes down what Keras does with a model for `keras2tfjs verify`.

Importing the package registers `keras2tfjs>ManualDropout` with Keras serialization,
so `keras.saving.load_model` finds it.
"""

from keras2tfjs.manual_dropout import ManualDropout
from keras2tfjs.parity import export_parity_fixture

__all__ = ["ManualDropout", "export_parity_fixture"]
__version__ = "0.1.0"
