"""keras2tfjs, Python side: the Keras 3 twin of the TypeScript ManualDropout layer, and
`export_parity_fixture`, which writes down what Keras does with a model for `keras2tfjs verify`.

Importing the package registers `keras2tfjs>ManualDropout` with Keras serialization,
so `keras.saving.load_model` finds it.
"""

try:
    import keras  # noqa: F401  (imported first: a missing backend fails here, with the fix said below)
except ModuleNotFoundError as missing:
    # Keras imports its backend when it is imported; `pip install keras2tfjs` alone brings Keras
    # but no backend. Say which one Keras wants and how to get it, instead of a bare import error.
    backend = (missing.name or "").split(".")[0]
    if backend not in ("tensorflow", "jax", "torch"):
        raise
    raise ImportError(
        f"keras2tfjs needs Keras with a backend, and Keras is set to use {backend!r}, which is not installed: "
        'pip install "keras2tfjs[tensorflow]", or pip install "keras2tfjs[jax]" and set KERAS_BACKEND=jax'
    ) from missing

from keras2tfjs.manual_dropout import ManualDropout  # noqa: E402
from keras2tfjs.parity import export_parity_fixture  # noqa: E402

__all__ = ["ManualDropout", "export_parity_fixture"]
__version__ = "0.1.0"
