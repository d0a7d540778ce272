"""One small model per keras.layers class (Keras 3.15 and, where it exists, tf_keras 2.21), plus
one per activation and per family of operations, each with fixed inputs.

A builder takes the framework module (`keras` or `tf_keras`) and returns (model, inputs). Layers
with weights get non-trivial values (a pattern, variances positive) so that a transposed kernel
or a dropped bias shows. Classes that mean nothing at inference in a saved model are listed in
NOT_AT_INFERENCE with the reason; COVERAGE.md reports them apart.
"""
from common import integers, pattern


class NotInFramework(Exception):
    """The class does not exist (or cannot be built this way) in this framework."""


def layer(K, name):
    cls = getattr(K.layers, name, None)
    if cls is None:
        raise NotInFramework(f"{K.__name__}.layers has no {name}")
    return cls


def fill_weights(model, seed=3):
    """Deterministic non-trivial weights: variances and scales positive, everything else a pattern."""
    for k, w in enumerate(model.weights):
        shape = tuple(int(d) for d in w.shape)
        name = w.path if hasattr(w, "path") else w.name
        if w.dtype not in ("float32", "float64") and "float" not in str(w.dtype):
            continue
        values = pattern(shape, seed + k, scale=0.5)
        if any(s in name for s in ("variance", "moving_var", "gamma", "scale")):
            values = 0.5 + abs(values)
        w.assign(values)
    return model


def functional(K, shapes, body, dtypes=None, fill=True):
    """Inputs of `shapes` (no batch axis) → body(K, *inputs) → model with fixed inputs."""
    dtypes = dtypes or ["float32"] * len(shapes)
    inputs = [K.Input(s, dtype=d) for s, d in zip(shapes, dtypes)]
    outputs = body(K, *inputs)
    model = K.Model(inputs, outputs)
    if fill:
        fill_weights(model)
    xs = []
    for k, (s, d) in enumerate(zip(shapes, dtypes)):
        shape = (2,) + tuple(8 if v is None else v for v in s)
        xs.append(integers(shape, 5, k) if d.startswith("int") else pattern(shape, k + 1, scale=2.0))
    return model, xs


def one(name, shape, **kwargs):
    """A model of one layer `name(**kwargs)` on one float input of `shape`."""
    def build(K):
        return functional(K, [shape], lambda K, x: layer(K, name)(**kwargs)(x))
    build.__name__ = f"one_{name}"
    return build


def merge(name, shapes=((4, 3), (4, 3)), **kwargs):
    def build(K):
        return functional(K, list(shapes), lambda K, *xs: layer(K, name)(**kwargs)(list(xs)))
    return build


def keras3_only(build):
    def wrapped(K):
        if K.__name__ != "keras":
            raise NotInFramework("Keras 3 only")
        return build(K)
    return wrapped


# --------------------------------------------------------------------------- layers

def _embedding(K):
    return functional(K, [(6,)], lambda K, x: K.layers.Embedding(10, 4)(x), dtypes=["int32"])


def _masking(K):
    def body(K, x):
        m = K.layers.Masking(0.0)(x)
        return K.layers.LSTM(3, return_sequences=True)(m)
    model, xs = functional(K, [(5, 2)], body)
    xs[0][1, 3:] = 0.0
    return model, xs


def _rnn(K):
    return functional(K, [(5, 3)], lambda K, x: K.layers.RNN(K.layers.LSTMCell(4))(x))


def _stacked_cells(K):
    cells = K.layers.StackedRNNCells([K.layers.SimpleRNNCell(3), K.layers.SimpleRNNCell(2)])
    return functional(K, [(5, 3)], lambda K, x: K.layers.RNN(cells)(x))


def _bidirectional(K):
    return functional(K, [(5, 3)], lambda K, x: K.layers.Bidirectional(K.layers.LSTM(3, return_sequences=True))(x))


def _time_distributed(K):
    return functional(K, [(4, 5)], lambda K, x: K.layers.TimeDistributed(K.layers.Dense(3))(x))


def _mha(K):
    def body(K, q, v):
        return K.layers.MultiHeadAttention(num_heads=2, key_dim=3, name="mha")(q, v)
    return functional(K, [(4, 6), (5, 6)], body)


def _mha_self_causal(K):
    def body(K, x):
        return K.layers.MultiHeadAttention(num_heads=2, key_dim=4, value_dim=3, name="mha")(x, x, use_causal_mask=True)
    return functional(K, [(5, 6)], body)


def _attention(K):
    return functional(K, [(4, 3), (5, 3)], lambda K, q, v: K.layers.Attention()([q, v]))


def _additive_attention(K):
    return functional(K, [(4, 3), (5, 3)], lambda K, q, v: K.layers.AdditiveAttention()([q, v]))


def _einsum_dense(K):
    return functional(K, [(4, 6)], lambda K, x: layer(K, "EinsumDense")("abc,cd->abd", output_shape=(None, 5), bias_axes="d")(x))


def _group_query_attention(K):
    layer_cls = layer(K, "GroupQueryAttention")
    return functional(K, [(4, 8), (5, 8)], lambda K, q, v: layer_cls(head_dim=2, num_query_heads=4, num_key_value_heads=2)(q, v))


def _category_encoding(K):
    return functional(K, [(3,)], lambda K, x: K.layers.CategoryEncoding(num_tokens=6, output_mode="multi_hot")(x), dtypes=["int32"], fill=False)


def _integer_lookup(K):
    return functional(K, [(4,)], lambda K, x: K.layers.IntegerLookup(vocabulary=[1, 2, 3])(x), dtypes=["int32"], fill=False)


def _hashing(K):
    return functional(K, [(4,)], lambda K, x: K.layers.Hashing(num_bins=5)(x), dtypes=["int32"], fill=False)


def _discretization(K):
    return functional(K, [(4,)], lambda K, x: K.layers.Discretization(bin_boundaries=[-0.5, 0.0, 0.7])(x), fill=False)


def _normalization(K):
    norm = K.layers.Normalization(axis=-1)
    norm.adapt(pattern((10, 4), 9, scale=3.0))
    return functional(K, [(4,)], lambda K, x: norm(x), fill=False)


def _spectral(K):
    return functional(K, [(5,)], lambda K, x: layer(K, "SpectralNormalization")(K.layers.Dense(3))(x))


def _identity(K):
    return functional(K, [(4,)], lambda K, x: layer(K, "Identity")()(x))


def _convlstm(rank):
    def build(K):
        name = f"ConvLSTM{rank}D"
        shape = (3,) + (6,) * rank + (2,)
        return functional(K, [shape], lambda K, x: layer(K, name)(3, 2)(x))
    return build


LAYERS = {
    "Activation": one("Activation", (4, 3), activation="relu"),
    "ActivityRegularization": one("ActivityRegularization", (5,), l1=0.01),
    "AdaptiveAveragePooling1D": one("AdaptiveAveragePooling1D", (9, 2), output_size=4),
    "AdaptiveAveragePooling2D": one("AdaptiveAveragePooling2D", (7, 9, 2), output_size=(3, 4)),
    "AdaptiveAveragePooling3D": one("AdaptiveAveragePooling3D", (5, 6, 7, 2), output_size=(2, 3, 3)),
    "AdaptiveMaxPooling1D": one("AdaptiveMaxPooling1D", (9, 2), output_size=4),
    "AdaptiveMaxPooling2D": one("AdaptiveMaxPooling2D", (7, 9, 2), output_size=(3, 4)),
    "AdaptiveMaxPooling3D": one("AdaptiveMaxPooling3D", (5, 6, 7, 2), output_size=(2, 3, 3)),
    "Add": merge("Add"),
    "AdditiveAttention": _additive_attention,
    "AlphaDropout": one("AlphaDropout", (5,), rate=0.3),
    "Attention": _attention,
    "Average": merge("Average"),
    "AveragePooling1D": one("AveragePooling1D", (8, 3), pool_size=3, strides=2, padding="same"),
    "AveragePooling2D": one("AveragePooling2D", (7, 7, 2), pool_size=3, strides=2, padding="same"),
    "AveragePooling3D": one("AveragePooling3D", (5, 6, 7, 2), pool_size=2),
    "BatchNormalization": one("BatchNormalization", (5, 4)),
    "Bidirectional": _bidirectional,
    "CategoryEncoding": _category_encoding,
    "CenterCrop": one("CenterCrop", (8, 9, 3), height=5, width=4),
    "Concatenate": merge("Concatenate", ((4, 3), (4, 2))),
    "Conv1D": one("Conv1D", (9, 3), filters=4, kernel_size=3, strides=2, padding="same", dilation_rate=1),
    "Conv1DTranspose": one("Conv1DTranspose", (6, 3), filters=4, kernel_size=3, strides=2),
    "Conv2D": one("Conv2D", (7, 8, 3), filters=4, kernel_size=3, padding="same"),
    "Conv2DTranspose": one("Conv2DTranspose", (5, 6, 3), filters=4, kernel_size=3, strides=2, padding="same"),
    "Conv3D": one("Conv3D", (5, 6, 7, 2), filters=3, kernel_size=2),
    "Conv3DTranspose": one("Conv3DTranspose", (4, 5, 3, 2), filters=3, kernel_size=2, strides=2),
    "ConvLSTM1D": _convlstm(1),
    "ConvLSTM2D": _convlstm(2),
    "ConvLSTM3D": _convlstm(3),
    "Cropping1D": one("Cropping1D", (8, 3), cropping=(1, 2)),
    "Cropping2D": one("Cropping2D", (7, 8, 2), cropping=((1, 2), (2, 1))),
    "Cropping3D": one("Cropping3D", (5, 6, 7, 2), cropping=((1, 1), (2, 1), (0, 2))),
    "Dense": one("Dense", (4, 5), units=3, activation="tanh"),
    "DepthwiseConv1D": one("DepthwiseConv1D", (9, 3), kernel_size=3, depth_multiplier=2),
    "DepthwiseConv2D": one("DepthwiseConv2D", (7, 8, 3), kernel_size=3, depth_multiplier=2, padding="same"),
    "Discretization": _discretization,
    "Dot": merge("Dot", ((4, 3), (5, 3)), axes=(2, 2)),
    "Dropout": one("Dropout", (5,), rate=0.4),
    "ELU": one("ELU", (5,), alpha=0.7),
    "EinsumDense": _einsum_dense,
    "Embedding": _embedding,
    "Flatten": one("Flatten", (3, 4, 2)),
    "GRU": one("GRU", (5, 3), units=4, return_sequences=True),
    "GaussianDropout": one("GaussianDropout", (5,), rate=0.3),
    "GaussianNoise": one("GaussianNoise", (5,), stddev=0.3),
    "GlobalAveragePooling1D": one("GlobalAveragePooling1D", (6, 3)),
    "GlobalAveragePooling2D": one("GlobalAveragePooling2D", (5, 6, 3), keepdims=True),
    "GlobalAveragePooling3D": one("GlobalAveragePooling3D", (4, 5, 6, 3)),
    "GlobalMaxPooling1D": one("GlobalMaxPooling1D", (6, 3), keepdims=True),
    "GlobalMaxPooling2D": one("GlobalMaxPooling2D", (5, 6, 3)),
    "GlobalMaxPooling3D": one("GlobalMaxPooling3D", (4, 5, 6, 3)),
    "GroupNormalization": one("GroupNormalization", (5, 6), groups=3),
    "GroupQueryAttention": _group_query_attention,
    "Hashing": _hashing,
    "Identity": _identity,
    "IntegerLookup": _integer_lookup,
    "LSTM": one("LSTM", (5, 3), units=4),
    "LayerNormalization": one("LayerNormalization", (4, 6)),
    "LeakyReLU": one("LeakyReLU", (5,), negative_slope=0.2),
    "Masking": _masking,
    "MaxPooling1D": one("MaxPooling1D", (8, 3), pool_size=2),
    "MaxPooling2D": one("MaxPooling2D", (7, 8, 2), pool_size=2, padding="same"),
    "MaxPooling3D": one("MaxPooling3D", (5, 6, 7, 2), pool_size=2),
    "Maximum": merge("Maximum"),
    "Minimum": merge("Minimum"),
    "MultiHeadAttention": _mha,
    "Multiply": merge("Multiply"),
    "Normalization": _normalization,
    "PReLU": one("PReLU", (4, 3)),
    "Permute": one("Permute", (3, 4, 5), dims=(2, 3, 1)),
    "RMSNormalization": one("RMSNormalization", (4, 6)),
    "RNN": _rnn,
    "RandomBrightness": one("RandomBrightness", (6, 6, 3), factor=0.2),
    "RandomContrast": one("RandomContrast", (6, 6, 3), factor=0.2),
    "RandomCrop": one("RandomCrop", (8, 8, 3), height=8, width=8),
    "RandomFlip": one("RandomFlip", (6, 6, 3)),
    "RandomRotation": one("RandomRotation", (6, 6, 3), factor=0.2),
    "RandomTranslation": one("RandomTranslation", (6, 6, 3), height_factor=0.2, width_factor=0.2),
    "RandomZoom": one("RandomZoom", (6, 6, 3), height_factor=0.2),
    "ReLU": one("ReLU", (5,), max_value=2.0, negative_slope=0.1, threshold=0.2),
    "RepeatVector": one("RepeatVector", (4,), n=3),
    "Rescaling": one("Rescaling", (4, 3), scale=1 / 127.5, offset=-1.0),
    "Reshape": one("Reshape", (4, 6), target_shape=(3, 8)),
    "Resizing": one("Resizing", (6, 8, 3), height=9, width=5),
    "SeparableConv1D": one("SeparableConv1D", (9, 3), filters=4, kernel_size=3, depth_multiplier=2),
    "SeparableConv2D": one("SeparableConv2D", (7, 8, 3), filters=4, kernel_size=3, depth_multiplier=2, padding="same"),
    "SimpleRNN": one("SimpleRNN", (5, 3), units=4),
    "Softmax": one("Softmax", (4, 5), axis=1),
    "SpatialDropout1D": one("SpatialDropout1D", (5, 3), rate=0.3),
    "SpatialDropout2D": one("SpatialDropout2D", (5, 5, 3), rate=0.3),
    "SpatialDropout3D": one("SpatialDropout3D", (4, 4, 4, 3), rate=0.3),
    "SpectralNormalization": _spectral,
    "StackedRNNCells": _stacked_cells,
    "Subtract": merge("Subtract"),
    "TimeDistributed": _time_distributed,
    "UnitNormalization": one("UnitNormalization", (4, 6)),
    "UpSampling1D": one("UpSampling1D", (4, 3), size=3),
    "UpSampling2D": one("UpSampling2D", (3, 4, 2), size=(2, 3), interpolation="bilinear"),
    "UpSampling3D": one("UpSampling3D", (2, 3, 4, 2), size=2),
    "ZeroPadding1D": one("ZeroPadding1D", (4, 3), padding=(1, 2)),
    "ZeroPadding2D": one("ZeroPadding2D", (3, 4, 2), padding=((1, 0), (2, 1))),
    "ZeroPadding3D": one("ZeroPadding3D", (2, 3, 4, 2), padding=1),
}

# Keras 3's aliases build the same class as the entry they name; reported together with it.
ALIASES = {
    "AvgPool1D": "AveragePooling1D", "AvgPool2D": "AveragePooling2D", "AvgPool3D": "AveragePooling3D",
    "Convolution1D": "Conv1D", "Convolution1DTranspose": "Conv1DTranspose", "Convolution2D": "Conv2D",
    "Convolution2DTranspose": "Conv2DTranspose", "Convolution3D": "Conv3D", "Convolution3DTranspose": "Conv3DTranspose",
    "GlobalAvgPool1D": "GlobalAveragePooling1D", "GlobalAvgPool2D": "GlobalAveragePooling2D", "GlobalAvgPool3D": "GlobalAveragePooling3D",
    "GlobalMaxPool1D": "GlobalMaxPooling1D", "GlobalMaxPool2D": "GlobalMaxPooling2D", "GlobalMaxPool3D": "GlobalMaxPooling3D",
    "MaxPool1D": "MaxPooling1D", "MaxPool2D": "MaxPooling2D", "MaxPool3D": "MaxPooling3D",
    "SeparableConvolution1D": "SeparableConv1D", "SeparableConvolution2D": "SeparableConv2D",
}

# Classes that are not a layer of a saved inference model, with the reason.
NOT_AT_INFERENCE = {
    "InputLayer": "the model's input; every model has one",
    "InputSpec": "not a layer: a shape/dtype declaration",
    "Layer": "the base class of custom layers (see UNKNOWN_LAYER)",
    "Wrapper": "abstract base of Bidirectional and TimeDistributed",
    "Lambda": "runs Python code: mapped with --lambda (README)",
    "TFSMLayer": "wraps a TensorFlow SavedModel, not a Keras graph",
    "JaxLayer": "wraps JAX Python functions",
    "FlaxLayer": "wraps a Flax module",
    "TorchModuleWrapper": "wraps a PyTorch module",
    "GRUCell": "a cell: used inside RNN (covered by GRU / RNN)",
    "LSTMCell": "a cell: used inside RNN (covered by LSTM / RNN)",
    "SimpleRNNCell": "a cell: used inside RNN (covered by SimpleRNN / StackedRNNCells)",
    "Pipeline": "a container of preprocessing layers applied to a dataset, not saved in a model graph",
}

# Data-pipeline layers: they take strings or image batches in a tf.data pipeline and have no
# numeric tensor form tfjs models take; listed with the reason.
DATA_PIPELINE = {
    "StringLookup": "string inputs",
    "TextVectorization": "string inputs",
    "HashedCrossing": "crosses categorical (string) features",
    "MelSpectrogram": "audio front end with FFTs",
    "STFTSpectrogram": "audio front end with FFTs",
}

# Keras 3 augmentation layers: random in training, the identity at inference.
AUGMENTATION = [
    "AugMix", "AutoContrast", "ContrastLimitedAdaptiveHistogramEqualization", "CutMix", "Equalization", "MaxNumBoundingBoxes",
    "MixUp", "RandAugment", "RandomColorDegeneration", "RandomColorJitter", "RandomElasticTransform", "RandomErasing",
    "RandomGaussianBlur", "RandomGrayscale", "RandomHue", "RandomInvert", "RandomPerspective", "RandomPosterization",
    "RandomSaturation", "RandomSharpness", "RandomShear", "Solarization",
]
for _name in AUGMENTATION:
    LAYERS.setdefault(_name, one(_name, (6, 6, 3)))

LAYERS["ReversibleEmbedding"] = keras3_only(lambda K: functional(K, [(6,)], lambda K, x: K.layers.ReversibleEmbedding(10, 4)(x), dtypes=["int32"]))


# --------------------------------------------------------------------------- activations

ACTIVATIONS = [
    "relu", "relu6", "elu", "selu", "sigmoid", "hard_sigmoid", "tanh", "softmax", "softplus", "softsign", "silu", "swish",
    "gelu", "mish", "log_softmax", "hard_silu", "hard_swish", "leaky_relu", "celu", "glu", "hard_tanh", "hard_shrink",
    "soft_shrink", "tanh_shrink", "sparse_plus", "sparse_sigmoid", "squareplus", "log_sigmoid", "exponential", "sparsemax",
    "linear",
]


def activation_case(name):
    def build(K):
        if not hasattr(K.activations, name):
            raise NotInFramework(f"{K.__name__}.activations has no {name}")
        return functional(K, [(4, 6)], lambda K, x: K.layers.Dense(6, activation=name)(x))
    return build
