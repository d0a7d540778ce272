"""ManualDropout for Keras 3: the Python twin of the TypeScript layer.

Same arguments, same config keys and same error texts as `src/layers/manual_dropout.ts`,
so a model saved here loads there (and back). Masks come from `keras.random` with the
layer's own `SeedGenerator`, i.e. from Keras' stream on the active backend. With
`scaling='train'` a training call is exactly `keras.layers.Dropout(rate, noise_shape,
seed)`: same mask, same output bits. The TypeScript layer draws the same stream when
its `rng` names that backend; this layer writes the resolved name into its config.
"""

import math
from decimal import Decimal

import keras
from keras import ops

# The two ways of keeping the expected activation unchanged (DESIGN.md).
SCALINGS = ("train", "test")
# Streams the TypeScript layer can draw. 'tensorflow' and 'jax' are the Keras
# backends' own streams; 'tfjs' is tf.randomUniform (TypeScript only, not reproducible here).
BACKEND_STREAMS = ("tensorflow", "jax")
RNGS = BACKEND_STREAMS + ("tfjs",)


def format_value(value):
    """Formats a received value like the TypeScript `invalidArgument` does.

    Strings in single quotes, None for null, lists in brackets, numbers as
    JavaScript's String(number) prints them, so both languages say the same text.
    """
    if isinstance(value, str):
        return f"'{value}'"
    if value is None:
        return "None"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(format_value(v) for v in value) + "]"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _format_js_number(value)
    return repr(value)


def _format_js_number(value):
    # JavaScript prints integral doubles without ".0", uses fixed notation for
    # 1e-7 <= |x| < 1e21 and exponents without leading zeros otherwise.
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "0"
    shortest = repr(value)  # shortest round-trip digits, like JavaScript
    magnitude = abs(value)
    if 1e-7 <= magnitude < 1e21:
        text = format(Decimal(shortest), "f")
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return text
    mantissa, exponent = shortest.split("e")
    mantissa = mantissa[:-2] if mantissa.endswith(".0") else mantissa
    exponent_value = int(exponent)
    sign = "+" if exponent_value > 0 else "-"
    return f"{mantissa}e{sign}{abs(exponent_value)}"


def invalid_argument(name, expected, received):
    """The one argument-error template shared with TypeScript."""
    return ValueError(
        f"Invalid value for `{name}`: expected {expected}. "
        f"Received: {name}={format_value(received)}"
    )


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_integer(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _one_of(choices):
    return "one of " + ", ".join(f"'{c}'" for c in choices)


def _validate_rate(rate):
    if not _is_number(rate) or not (0 <= rate < 1):
        raise invalid_argument("rate", "a number in [0, 1)", rate)
    return rate


def _validate_noise_shape(noise_shape):
    if noise_shape is None:
        return None
    expected = "a list of positive integers or None entries"
    if not isinstance(noise_shape, (list, tuple)):
        raise invalid_argument("noise_shape", expected, noise_shape)
    for dim in noise_shape:
        if dim is not None and not (_is_integer(dim) and dim > 0):
            raise invalid_argument("noise_shape", expected, list(noise_shape))
    return tuple(noise_shape)


def _validate_seed(seed):
    if seed is not None and not (_is_integer(seed) and seed >= 0):
        raise invalid_argument("seed", "a non-negative integer or None", seed)
    return seed


def _validate_scaling(scaling):
    if scaling not in SCALINGS:
        raise invalid_argument("scaling", _one_of(SCALINGS), scaling)
    return scaling


def _validate_always_on(always_on):
    if not isinstance(always_on, bool):
        raise invalid_argument("always_on", "true or false", always_on)
    return always_on


def _resolve_rng(rng):
    """None means the active backend's stream; an explicit other backend cannot be honoured."""
    active = keras.backend.backend()
    if rng is not None and rng not in RNGS:
        raise invalid_argument("rng", "None or " + _one_of(RNGS), rng)
    if rng == "tfjs":
        return rng
    if active not in BACKEND_STREAMS:
        raise invalid_argument(
            "rng",
            f"'tfjs' on the Keras backend '{active}' (only the tensorflow and jax "
            "backends have a stream the TypeScript layer reproduces)",
            rng,
        )
    if rng is not None and rng != active:
        raise invalid_argument(
            "rng",
            f"None, 'tfjs' or the active Keras backend '{active}' (masks come from "
            f"the active backend; set KERAS_BACKEND={rng} to draw the {rng} stream)",
            rng,
        )
    return active


@keras.saving.register_keras_serializable(package="keras2tfjs")
class ManualDropout(keras.layers.Layer):
    """Dropout that TensorFlow.js can load and reproduce bit for bit.

    Args:
        rate: fraction of units to drop, 0 <= rate < 1.
        noise_shape: shape of the keep mask, broadcast to the input; None entries
            take the input's size (None = the input's shape).
        seed: integer seed of the layer's `keras.random.SeedGenerator`; its n-th
            training call draws with the state [seed, n].
        scaling: 'train' (inverted dropout: kept units times 1/(1-rate) in training,
            identity at inference; Keras' way) or 'test' (no scaling in training,
            times (1-rate) at inference; the original paper's way).
        always_on: drop at inference too (Monte Carlo dropout).
        rng: the stream the TypeScript layer draws: None = the active Keras backend's
            ('tensorflow' or 'jax', written resolved into the config), or 'tfjs'.
    """

    def __init__(
        self,
        rate,
        noise_shape=None,
        seed=None,
        scaling="train",
        always_on=False,
        rng=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.rate = _validate_rate(rate)
        self.noise_shape = _validate_noise_shape(noise_shape)
        self.seed = _validate_seed(seed)
        self.scaling = _validate_scaling(scaling)
        self.always_on = _validate_always_on(always_on)
        self.rng = _resolve_rng(rng)
        # Created here, like keras.layers.Dropout, so the layer tracks its state
        # and the n-th training call uses [seed, n].
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.supports_masking = True
        # No weights: built at construction, as keras.layers.Dropout is.
        self._build_at_init()

    def call(self, inputs, training=False):
        dropping = bool(training) or self.always_on
        if self.rate == 0:
            # Keras returns before drawing, so the generator does not advance either.
            return inputs
        if self.scaling == "train":
            if not dropping:
                return inputs
            return keras.random.dropout(
                inputs,
                self.rate,
                noise_shape=self.noise_shape,
                seed=self.seed_generator,
            )
        if not dropping:
            return ops.multiply(inputs, ops.cast(1 - self.rate, inputs.dtype))
        return self._drop_unscaled(inputs)

    def _drop_unscaled(self, inputs):
        # Draw the keep mask exactly as keras.random.dropout would for these inputs
        # (same shape, dtype and generator state), then keep the units unscaled.
        ones = ops.ones(self._concrete_noise_shape(inputs), dtype=inputs.dtype)
        scaled_mask = keras.random.dropout(ones, self.rate, seed=self.seed_generator)
        keep = ops.not_equal(scaled_mask, 0)
        return ops.where(keep, inputs, ops.zeros_like(inputs))

    def _concrete_noise_shape(self, inputs):
        input_shape = ops.shape(inputs)
        if self.noise_shape is None:
            return input_shape
        return tuple(
            input_shape[i] if dim is None else dim
            for i, dim in enumerate(self.noise_shape)
        )

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        base_config = super().get_config()
        config = {
            "rate": self.rate,
            "noise_shape": None if self.noise_shape is None else list(self.noise_shape),
            "seed": self.seed,
            "scaling": self.scaling,
            "always_on": self.always_on,
            "rng": self.rng,
        }
        return {**base_config, **config}
