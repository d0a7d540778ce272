"""ManualDropout (Keras 3 twin): the same behaviours the TypeScript layer tests check.

Runs on the active Keras backend (KERAS_BACKEND, tensorflow by default);
test_other_backend.py repeats the stream checks on the other backend in a subprocess.
"""

import math

import keras
import numpy as np
import pytest

from keras2tfjs import ManualDropout

BACKEND = keras.backend.backend()
# Binomial bounds: the dropped count must lie within this many standard deviations of
# rate * n. 6 sigma makes a false failure (probability ~2e-9) practically impossible
# while a wrong rate (e.g. keep/drop swapped) still fails by hundreds of sigma.
BINOMIAL_SIGMAS = 6


def as_numpy(tensor):
    return np.asarray(keras.ops.convert_to_numpy(tensor))


def scaled_keep(x, rate):
    """What a kept unit becomes on this backend, in float32, as Keras computes it.

    TF multiplies by f32(1/(1-rate)), the reciprocal taken in double. JAX writes
    x / keep_prob, but XLA rewrites a division by a constant into a multiplication
    by its float32 reciprocal f32(1)/f32(1-rate): measured, a true division differs
    by 1 ulp for a fifth of the kept units.
    """
    x = np.asarray(x, np.float32)
    if BACKEND == "jax":
        return x * (np.float32(1) / np.float32(1 - rate))
    return x * np.float32(1 / (1 - rate))


def random_inputs(shape, seed=0):
    return np.random.default_rng(seed).uniform(0.5, 2.0, size=shape).astype(np.float32)


def state_of(layer):
    return as_numpy(layer.seed_generator.state).tolist()


# --- identity ---------------------------------------------------------------------


@pytest.mark.parametrize("training", [False, None])
def test_identity_at_inference(training):
    x = random_inputs((4, 6))
    layer = ManualDropout(0.5, seed=3)
    y = layer(x, training=training) if training is not None else layer(x)
    np.testing.assert_array_equal(as_numpy(y), x)
    assert state_of(layer) == [3, 0]


def test_rate_zero_is_identity_without_drawing():
    x = random_inputs((4, 6))
    for scaling in ("train", "test"):
        layer = ManualDropout(0, seed=9, scaling=scaling)
        np.testing.assert_array_equal(as_numpy(layer(x, training=True)), x)
        np.testing.assert_array_equal(as_numpy(layer(x)), x)
        # keras.random.dropout returns before drawing a seed at rate 0.
        assert state_of(layer) == [9, 0]


# --- training-time statistics and values ------------------------------------------


@pytest.mark.parametrize("rate", [0.1, 0.5, 0.8])
def test_dropped_fraction_within_binomial_bounds(rate):
    n = 200 * 50
    layer = ManualDropout(rate, seed=11)
    y = as_numpy(layer(np.ones((200, 50), np.float32), training=True))
    dropped = int((y == 0).sum())
    sigma = math.sqrt(n * rate * (1 - rate))
    assert abs(dropped - rate * n) <= BINOMIAL_SIGMAS * sigma


@pytest.mark.parametrize("rate", [0.1, 0.5, 2 / 3, 0.8])
def test_kept_values_are_x_over_keep_probability(rate):
    x = random_inputs((16, 32), seed=1)
    y = as_numpy(ManualDropout(rate, seed=5)(x, training=True))
    kept = y != 0
    assert kept.any() and (~kept).any()
    np.testing.assert_array_equal(y[kept], scaled_keep(x, rate)[kept])


def test_noise_shape_broadcasts_one_mask_over_the_none_axis():
    x = random_inputs((4, 7, 3), seed=2)
    y = as_numpy(ManualDropout(0.5, noise_shape=(None, 1, 3), seed=21)(x, training=True))
    kept = y != 0
    # The same units are kept at every step of axis 1 ...
    assert (kept == kept[:, :1, :]).all()
    # ... and the mask differs between batch rows (None took the input's size, 4).
    assert len({kept[i, 0].tobytes() for i in range(4)}) > 1


def test_noise_shape_with_explicit_sizes():
    x = random_inputs((4, 7, 3), seed=2)
    y = as_numpy(ManualDropout(0.5, noise_shape=[1, 7, 1], seed=1337)(x, training=True))
    kept = y != 0
    assert (kept == kept[:1, :, :1]).all()


# --- scaling='test' -----------------------------------------------------------------


def test_test_scaling_drops_the_same_units_without_scaling():
    x = random_inputs((8, 10), seed=3)
    train = ManualDropout(0.3, seed=77)
    test = ManualDropout(0.3, seed=77, scaling="test")
    for _ in range(3):
        y_train = as_numpy(train(x, training=True))
        y_test = as_numpy(test(x, training=True))
        kept = y_train != 0
        np.testing.assert_array_equal(y_test != 0, kept)
        np.testing.assert_array_equal(y_test[kept], x[kept])
    assert state_of(test) == state_of(train) == [77, 3]


def test_test_scaling_multiplies_by_keep_probability_at_inference():
    x = random_inputs((8, 10), seed=4)
    layer = ManualDropout(0.3, seed=1, scaling="test")
    np.testing.assert_array_equal(as_numpy(layer(x)), x * np.float32(1 - 0.3))
    assert state_of(layer) == [1, 0]


# --- always_on ----------------------------------------------------------------------


def test_always_on_drops_at_inference_and_advances_the_stream():
    x = random_inputs((8, 10), seed=5)
    on = ManualDropout(0.5, seed=8, always_on=True)
    reference = ManualDropout(0.5, seed=8)
    for _ in range(2):
        np.testing.assert_array_equal(as_numpy(on(x)), as_numpy(reference(x, training=True)))
    assert state_of(on) == [8, 2]


def test_always_on_with_test_scaling_drops_unscaled_at_inference():
    x = random_inputs((8, 10), seed=6)
    y = as_numpy(ManualDropout(0.5, seed=8, scaling="test", always_on=True)(x))
    kept = y != 0
    assert kept.any() and (~kept).any()
    np.testing.assert_array_equal(y[kept], x[kept])


# --- the stream ---------------------------------------------------------------------


def test_each_training_call_draws_a_new_mask_and_a_new_layer_replays_them():
    x = np.ones((6, 20), np.float32)
    first = ManualDropout(0.5, seed=1234)
    masks = [as_numpy(first(x, training=True)) != 0 for _ in range(4)]
    assert len({m.tobytes() for m in masks}) == 4
    assert state_of(first) == [1234, 4]
    replay = ManualDropout(0.5, seed=1234)
    for mask in masks:
        np.testing.assert_array_equal(as_numpy(replay(x, training=True)) != 0, mask)


def test_inference_calls_do_not_advance_the_stream():
    x = np.ones((3, 5), np.float32)
    layer = ManualDropout(0.5, seed=42)
    layer(x)
    layer(x, training=False)
    assert state_of(layer) == [42, 0]


# Shapes, noise shapes, rates and seeds of the exported mask-stream fixtures.
STREAM_CASES = [
    ((2, 8), None, 0.5, 1337),
    ((3, 5), None, 0.8, 1),
    ((3, 10), (1, 10), 2 / 3, 1),
    ((4, 7, 3), (None, 1, 3), 0.5, 2147483647 + 5),
    ((4, 7, 3), None, 0.1, 0),
    ((33, 17), None, 0.5, 4294967295),
]


@pytest.mark.parametrize("shape,noise_shape,rate,seed", STREAM_CASES)
def test_masks_and_outputs_are_bit_identical_to_keras_dropout(shape, noise_shape, rate, seed):
    x = random_inputs(shape, seed=7)
    ours = ManualDropout(rate, noise_shape=noise_shape, seed=seed)
    keras_dropout = keras.layers.Dropout(rate, noise_shape=noise_shape, seed=seed)
    for _ in range(3):
        expected = as_numpy(keras_dropout(x, training=True))
        np.testing.assert_array_equal(as_numpy(ours(x, training=True)), expected)
    assert state_of(ours) == state_of(keras_dropout)


# --- config and saving ----------------------------------------------------------------


def test_get_config_round_trips_with_snake_case_keys_and_the_resolved_rng():
    layer = ManualDropout(
        0.25, noise_shape=(None, 1), seed=7, scaling="test", always_on=True, name="md"
    )
    config = layer.get_config()
    for key, value in {
        "rate": 0.25,
        "noise_shape": [None, 1],
        "seed": 7,
        "scaling": "test",
        "always_on": True,
        "rng": BACKEND,
        "name": "md",
    }.items():
        assert config[key] == value
    assert ManualDropout.from_config(config).get_config() == config


def test_registered_under_the_package_name():
    assert keras.saving.get_registered_name(ManualDropout) == "keras2tfjs>ManualDropout"
    assert keras.saving.get_registered_object("keras2tfjs>ManualDropout") is ManualDropout


def test_string_values_never_contain_underscores():
    # tfjs camel-cases string values on load; ours must survive that untouched.
    config = ManualDropout(0.5, scaling="test", rng="tfjs").get_config()
    for key in ("scaling", "rng"):
        assert "_" not in config[key]


def _small_model(**dropout_kwargs):
    keras.utils.set_random_seed(0)
    return keras.Sequential(
        [
            keras.Input((12,)),
            keras.layers.Dense(8, activation="relu"),
            ManualDropout(0.5, seed=99, name="md", **dropout_kwargs),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )


@pytest.mark.parametrize("scaling", ["train", "test"])
def test_save_and_load_keras_archive_round_trip(tmp_path, scaling):
    model = _small_model(scaling=scaling)
    x = random_inputs((5, 12), seed=8)
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert loaded.get_layer("md").get_config() == model.get_layer("md").get_config()
    np.testing.assert_array_equal(as_numpy(loaded(x)), as_numpy(model(x)))
    # The generator state is not part of the weights: a loaded layer starts at [seed, 0],
    # exactly like a fresh one.
    fresh = _small_model(scaling=scaling)
    fresh.set_weights(model.get_weights())
    np.testing.assert_array_equal(
        as_numpy(loaded(x, training=True)), as_numpy(fresh(x, training=True))
    )


def test_model_fit_advances_the_stream_once_per_step():
    model = _small_model()
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    x = random_inputs((32, 12), seed=9)
    y = (x.sum(axis=1) > 15).astype(np.float32)
    model.fit(x, y, batch_size=8, epochs=2, verbose=0)
    assert state_of(model.get_layer("md")) == [99, 8]


# --- invalid arguments ------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"rate": 1.5}, "Invalid value for `rate`: expected a number in [0, 1). Received: rate=1.5"),
        ({"rate": 1.0}, "Invalid value for `rate`: expected a number in [0, 1). Received: rate=1"),
        ({"rate": -0.1}, "Invalid value for `rate`: expected a number in [0, 1). Received: rate=-0.1"),
        ({"rate": "0.5"}, "Invalid value for `rate`: expected a number in [0, 1). Received: rate='0.5'"),
        ({"rate": None}, "Invalid value for `rate`: expected a number in [0, 1). Received: rate=None"),
        (
            {"rate": 0.5, "noise_shape": [0, 2]},
            "Invalid value for `noise_shape`: expected a list of positive integers or None entries. "
            "Received: noise_shape=[0, 2]",
        ),
        (
            {"rate": 0.5, "noise_shape": "abc"},
            "Invalid value for `noise_shape`: expected a list of positive integers or None entries. "
            "Received: noise_shape='abc'",
        ),
        (
            {"rate": 0.5, "seed": 1.5},
            "Invalid value for `seed`: expected a non-negative integer or None. Received: seed=1.5",
        ),
        (
            {"rate": 0.5, "seed": -1},
            "Invalid value for `seed`: expected a non-negative integer or None. Received: seed=-1",
        ),
        (
            {"rate": 0.5, "scaling": "both"},
            "Invalid value for `scaling`: expected one of 'train', 'test'. Received: scaling='both'",
        ),
        (
            {"rate": 0.5, "always_on": 1},
            "Invalid value for `always_on`: expected true or false. Received: always_on=1",
        ),
        (
            {"rate": 0.5, "rng": "torch"},
            "Invalid value for `rng`: expected None or one of 'tensorflow', 'jax', 'tfjs'. Received: rng='torch'",
        ),
    ],
)
def test_invalid_arguments_raise_the_shared_error_text(kwargs, message):
    with pytest.raises(ValueError) as error:
        ManualDropout(**kwargs)
    assert str(error.value) == message


def test_an_rng_other_than_the_active_backend_is_refused():
    other = "jax" if BACKEND == "tensorflow" else "tensorflow"
    with pytest.raises(ValueError) as error:
        ManualDropout(0.5, rng=other)
    assert str(error.value) == (
        f"Invalid value for `rng`: expected None, 'tfjs' or the active Keras backend "
        f"'{BACKEND}' (masks come from the active backend; set KERAS_BACKEND={other} "
        f"to draw the {other} stream). Received: rng='{other}'"
    )


def test_rng_tfjs_is_accepted_and_kept():
    layer = ManualDropout(0.5, rng="tfjs")
    assert layer.get_config()["rng"] == "tfjs"


def test_import_without_the_backend_keras_wants_names_the_extra_to_install():
    """`pip install keras2tfjs` alone brings Keras but no backend: the import says what to install."""
    import subprocess
    import sys

    code = "import sys; sys.modules['tensorflow'] = None\nimport keras2tfjs"
    env = {**__import__("os").environ, "KERAS_BACKEND": "tensorflow"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last == (
        "ImportError: keras2tfjs needs Keras with a backend, and Keras is set to use 'tensorflow', which is not installed: "
        'pip install "keras2tfjs[tensorflow]", or pip install "keras2tfjs[jax]" and set KERAS_BACKEND=jax'
    )
