"""mask_streams_tf: raw dropout streams of Keras 3's TensorFlow backend, call by call.
(mask_streams_jax.py runs the same on the JAX backend.)

For each stream (shape, noise_shape, rate, seed), calls 0..CALLS-1 in training mode of
  - keras.layers.Dropout(rate, noise_shape, seed)            -> dropout_<id>.npy
  - keras2tfjs.ManualDropout(rate, noise_shape, seed)         -> manual_train_<id>.npy (asserted equal)
  - ManualDropout(..., scaling='test')                         -> manual_test_<id>.npy
  - the uniforms behind each mask: keras.random.uniform over the noise shape from the same
    generator state                                            -> uniform_<id>.npy
on ones (or on a saved x_<id>.npy where kept values must show the exact scaling arithmetic).
Each array stacks the calls: [CALLS, *shape]. case.json has each call's state [seed, n] and
the keep test and kept-value arithmetic measured on this backend.

Usage (fixture protocol): python scripts/fixture_cases/mask_streams_tf.py <out_root>
"""

import keras
import numpy as np

import fixture_common as fc
from keras2tfjs import ManualDropout

CALLS = 3
LARGE_SEED = 2147483647 + 5  # above int32: the TF backend's floormod(seed, 2**31 - 2) path
MAX_UINT32_SEED = 2**32 - 1
# (shape, noise_shape, rate, seed, input): 'ones', or 'x' for random inputs saved beside.
STREAMS = [
    ((2, 8), None, 0.5, 1337, "ones"),
    ((2, 8), None, 0.1, 0, "ones"),
    ((3, 5), None, 0.5, 1, "ones"),
    ((3, 5), None, 0.8, 1, "ones"),
    ((3, 5), None, 0.8, 2, "ones"),
    ((3, 10), (1, 10), 2 / 3, 1, "ones"),
    ((3, 5), (1, 5), 2 / 3, 1337, "ones"),
    ((4, 7, 3), (None, 1, 3), 0.5, LARGE_SEED, "ones"),
    ((4, 7, 3), (4, 1, None), 0.8, 42, "ones"),
    ((4, 7, 3), None, 0.1, LARGE_SEED, "ones"),
    ((4, 7, 3), (1, 7, 1), 2 / 3, 1337, "ones"),
    ((33, 17), None, 0.5, MAX_UINT32_SEED, "ones"),
    ((2, 8), None, 0.0, 7, "ones"),
    # Rates whose f32(1/(1-rate)) and f32(1)/f32(1-rate) differ, on random inputs.
    ((16, 32), None, 0.45, 99, "x"),
    ((16, 32), (None, 1), 0.15, LARGE_SEED, "x"),
]
# On JAX, these streams are repeated with jax_threefry_partitionable=False (the layout of
# JAX < 0.5), to pin both bit layouts.
ORIGINAL_LAYOUT_STREAMS = [0, 6, 11]


def to_numpy(tensor):
    return np.asarray(keras.ops.convert_to_numpy(tensor))


def seed_state(generator):
    return [int(v) for v in to_numpy(generator.state)]


def concrete(noise_shape, shape):
    if noise_shape is None:
        return tuple(shape)
    return tuple(shape[i] if d is None else d for i, d in enumerate(noise_shape))


def run_stream(out, stream_id, spec, files):
    shape, noise_shape, rate, seed, kind = spec
    if kind == "ones":
        x = np.ones(shape, np.float32)
    else:
        x = np.random.default_rng(seed % 1000).uniform(-3, 3, size=shape).astype(np.float32)
        fc.save_npy(out, f"x_{stream_id}.npy", x)
        files[f"x_{stream_id}.npy"] = f"input of stream {stream_id}"
    dropout = keras.layers.Dropout(rate, noise_shape=noise_shape, seed=seed)
    manual = ManualDropout(rate, noise_shape=noise_shape, seed=seed)
    manual_test = ManualDropout(rate, noise_shape=noise_shape, seed=seed, scaling="test")
    # A generator that follows the layers' states, to read the uniforms behind each mask.
    uniforms_generator = keras.random.SeedGenerator(seed)
    outputs = {"dropout": [], "manual_train": [], "manual_test": [], "uniform": []}
    states = []
    for _ in range(CALLS):
        states.append(seed_state(dropout.seed_generator) if rate > 0 else [seed, 0])
        outputs["dropout"].append(to_numpy(dropout(x, training=True)))
        outputs["manual_train"].append(to_numpy(manual(x, training=True)))
        outputs["manual_test"].append(to_numpy(manual_test(x, training=True)))
        if rate > 0:
            uniforms = keras.random.uniform(concrete(noise_shape, shape), seed=uniforms_generator)
            outputs["uniform"].append(to_numpy(uniforms))
    if not np.array_equal(outputs["dropout"], outputs["manual_train"]):
        raise SystemExit(f"stream {stream_id}: ManualDropout differs from keras.layers.Dropout")
    for name, arrays in outputs.items():
        if arrays:
            fc.save_npy(out, f"{name}_{stream_id}.npy", np.stack(arrays), dtype=np.float32)
    files[f"dropout_{stream_id}.npy"] = f"keras.layers.Dropout outputs, calls 0..{CALLS - 1}"
    files[f"manual_train_{stream_id}.npy"] = "ManualDropout(scaling='train') outputs (equal to Dropout's)"
    files[f"manual_test_{stream_id}.npy"] = "ManualDropout(scaling='test') outputs, same masks unscaled"
    if rate > 0:
        files[f"uniform_{stream_id}.npy"] = f"the float32 uniforms behind each mask, over noise shape {list(concrete(noise_shape, shape))}"
    record = {
        "id": stream_id,
        "shape": list(shape),
        "noise_shape": None if noise_shape is None else list(noise_shape),
        "rate": rate,
        "seed": seed,
        "input": "ones" if kind == "ones" else f"x_{stream_id}.npy",
        "states": states,
        "state_after": seed_state(manual.seed_generator),
        "test_inference_value": float(to_numpy(manual_test(np.ones((1,), np.float32)))[0]),
    }
    if rate > 0:
        record["measured"] = measure_rules(x, rate, noise_shape, outputs)
    return record


def measure_rules(x, rate, noise_shape, outputs):
    """Which keep test and kept-value arithmetic explain every output (asserted: at least one)."""
    keep_tests = {
        "u >= f32(rate)": lambda u: u >= np.float32(rate),
        "u < f32(1 - rate)": lambda u: u < np.float32(1 - rate),
    }
    values = {
        "x * f32(1/(1-rate)) (reciprocal in float64)": x * np.float32(1 / (1 - rate)),
        "x * (f32(1) / f32(1-rate)) (reciprocal in float32)": x * (np.float32(1) / np.float32(1 - rate)),
        "x / f32(1-rate)": x / np.float32(1 - rate),
    }
    matched_tests, matched_values = [], []
    for name, test in keep_tests.items():
        if all(
            np.array_equal(np.broadcast_to(test(u), x.shape), y != 0)
            for u, y in zip(outputs["uniform"], outputs["dropout"])
        ):
            matched_tests.append(name)
    for name, expected in values.items():
        if all(np.array_equal(y[y != 0], expected[y != 0]) for y in outputs["dropout"]):
            matched_values.append(name)
    if not matched_tests or not matched_values:
        raise SystemExit(f"no keep test / kept-value rule explains rate {rate}: {matched_tests} {matched_values}")
    return {"keep_test": matched_tests, "kept_value": matched_values}


def main(case, backend):
    if keras.backend.backend() != backend:
        raise SystemExit(f"{case} needs KERAS_BACKEND={backend}, got {keras.backend.backend()}")
    if backend == "tensorflow":
        fc.deterministic_tensorflow()
    fc.seed_everything(keras)
    out = fc.case_dir(case)
    files, streams = {}, []
    for index, spec in enumerate(STREAMS):
        streams.append(run_stream(out, f"s{index:02d}", spec, files))
    facts = {"versions": fc.keras_versions()}
    if backend == "jax":
        import jax

        facts["versions"].update(jax=jax.__version__)
        facts["jax_threefry_partitionable"] = bool(jax.config.jax_threefry_partitionable)
        jax.config.update("jax_threefry_partitionable", False)
        original = []
        for index in ORIGINAL_LAYOUT_STREAMS:
            record = run_stream(out, f"s{index:02d}_original", STREAMS[index], files)
            original.append({**record, "jax_threefry_partitionable": False})
        jax.config.update("jax_threefry_partitionable", facts["jax_threefry_partitionable"])
        facts["original_layout_streams"] = original
    else:
        import tensorflow as tf

        facts["versions"].update(tensorflow=tf.__version__)
    fc.write_case_json(
        out,
        f"Seeded keras.layers.Dropout and ManualDropout outputs, calls 0..{CALLS - 1}, on {backend}, "
        "for several shapes, noise shapes, rates and seeds",
        backend,
        files,
        calls=CALLS,
        streams=streams,
        **facts,
    )


if __name__ == "__main__":
    main("mask_streams_tf", "tensorflow")
