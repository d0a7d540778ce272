"""`export_parity_fixture`: what Keras does with a model, written down for `keras2tfjs verify`.

Everything recorded starts from the written model.keras, loaded back by Keras (each part from a
fresh load): the file, not the live object, is what TypeScript gets. Loading resets each dropout
stream to [seed, 0] and restores the optimizer state; the live model's own predictions must
match the reloaded model's, or the export stops (a layer that does not save its state).
"""

import json
import os
import shutil
import tempfile
from pathlib import Path

import keras
import numpy as np

from keras2tfjs.parity import arrays, environment, resume, streams, training
from keras2tfjs.parity.tolerances import TOLERANCES

FORMAT = "keras2tfjs-parity"
FORMAT_VERSION = 1
MODEL_FILE = "model.keras"
BACKENDS = ("tensorflow", "jax")
# The reloaded model must predict what the live one does: same backend, same kernels, so only
# a relative 1e-6 (a few ulps) is allowed; a layer that loses state on saving misses by far more.
RELOAD_RTOL = 1e-6


def export_parity_fixture(model, directory, x, y=None, *, train_steps=10, batch_size=None, seed=None):
    """Writes a parity fixture for `model` into `directory` (replaced as a whole when it is done).

    Args:
        model: a built Keras 3 model (Functional or Sequential). Compiled and given `y`, its
            resumed training is recorded too.
        directory: the folder to write (created; an existing parity fixture there is replaced).
        x: the inputs, rows first: one array, a list in `model.inputs` order, or a dict by input
            name. A few dozen rows are plenty.
        y: targets for the resumed training, one per output like `x`; None records no training.
        train_steps: train_on_batch steps to record, continued from the saved optimizer state.
        batch_size: rows per training step (batches cut in order, cycling); None = all rows.
            The training-phase calls use the first batch.
        seed: if given, `keras.utils.set_random_seed(seed)` before each part, so Python-side
            randomness the fixture does not compare (unseeded layers) repeats run to run.

    Returns:
        The parity.json content (a dict). Raises ValueError for arguments it cannot use.
    """
    backend = keras.backend.backend()
    if backend not in BACKENDS:
        raise ValueError(f"export_parity_fixture: Keras runs on '{backend}'; set KERAS_BACKEND to tensorflow or jax, the backends keras2tfjs reproduces")
    _check_count("train_steps", train_steps, minimum=0)
    if batch_size is not None:
        _check_count("batch_size", batch_size, minimum=1)
    if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool)):
        raise ValueError(f"export_parity_fixture: `seed` must be an integer or None, got {seed!r}")
    if not getattr(model, "built", False) or not getattr(model, "inputs", None):
        raise ValueError("export_parity_fixture: the model is not built with known inputs; build it (call it once, or start it with keras.Input) first")
    inputs = arrays.per_input(model, x)
    targets = arrays.per_output(model, y) if y is not None else None
    if targets is not None and len(targets[0]) != len(inputs[0]):
        raise ValueError(f"export_parity_fixture: `x` has {len(inputs[0])} rows and `y` {len(targets[0])}; give both the same rows")

    target = Path(directory)
    _check_replaceable(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        parity = _write(model, staging, inputs, targets, train_steps, batch_size, seed, backend)
        _swap_into_place(staging, target)
        staging = None
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
    return parity


def _write(model, folder, inputs, targets, train_steps, batch_size, seed, backend):
    model.save(folder / MODEL_FILE)
    files = {MODEL_FILE: "the model as Keras saved it (.keras), optimizer state included; every other file starts from it"}
    safe_mode = not _has_lambda(model)
    custom = _custom_objects(model)

    def load(load_seed):
        """A fresh load of the written file: every part starts from it."""
        if load_seed is not None:
            keras.utils.set_random_seed(load_seed)
        return keras.saving.load_model(folder / MODEL_FILE, custom_objects=custom, safe_mode=safe_mode)

    input_entries = []
    for i, (name, array) in enumerate(zip(arrays.input_names(model), inputs)):
        file = arrays.save(folder, f"inputs/{arrays.file_stem(i, name)}.npy", array)
        input_entries.append({"name": name, "file": file, "shape": list(array.shape), "dtype": str(arrays.storable(array).dtype)})
        files[file] = f"x for input '{name}' ({len(array)} rows)"
    loaded = load(seed)
    inference = _inference_part(model, loaded, folder, inputs, batch_size, files)
    first_batch = [a[: len(a) if batch_size is None else batch_size] for a in inputs]
    training_entry, blockers = _training_part(loaded, load, seed, folder, first_batch, files)
    not_recorded = [{"what": "training", "layer": layer, "why": why, "fix": fix} for layer, why, fix in blockers]
    resume_entry = None
    why_not = _why_no_resume(model, targets, train_steps, blockers)
    if why_not:
        not_recorded.append({"what": "resume", "layer": None, "why": why_not[0], "fix": why_not[1]})
    else:
        resume_entry, more = resume.record(load(seed), folder, inputs, targets, train_steps, batch_size)
        resume_entry["batch_size"] = batch_size
        files.update(more)

    parity = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "made_by": "keras2tfjs.export_parity_fixture",
        "backend": backend,
        "versions": environment.versions(backend),
        # The CPU that computed the floats (a record: the tolerances allow for another CPU).
        "made_on": environment.made_on(),
        "seed": seed,
        "loaded_with_safe_mode": safe_mode,
        "model": {
            "file": MODEL_FILE,
            "name": model.name,
            "class_name": type(model).__name__,
            "inputs": input_entries,
            "outputs": [{"name": n} for n in loaded.output_names],
        },
        "rows": len(inputs[0]),
        "tolerances": TOLERANCES,
        "inference": inference,
        "training": training_entry,
        "resume": resume_entry,
        "not_recorded": not_recorded,
        "files": dict(sorted(files.items())),
    }
    (folder / "parity.json").write_text(json.dumps(parity, indent=2) + "\n")
    return parity


def _inference_part(model, loaded, folder, inputs, batch_size, files):
    """model.predict(x) of the loaded file, checked against the live model's."""
    predicted = arrays.as_output_list(loaded, loaded.predict(arrays.model_arguments(inputs), batch_size=batch_size, verbose=0))
    _check_reload(model, inputs, predicted, batch_size)
    inference = {"outputs": []}
    for j, (name, value) in enumerate(zip(loaded.output_names, predicted)):
        file = arrays.save(folder, f"inference/{arrays.file_stem(j, name)}.npy", value)
        inference["outputs"].append({"name": name, "file": file, "shape": list(value.shape)})
        files[file] = f"model.predict(x) (inference: dropout off, BatchNormalization on its moving statistics): output '{name}'"
    return inference


def _training_part(loaded, load, seed, folder, first_batch, files):
    """The training-phase calls, or nothing and why: (parity.json entry or None, [(layer, why, fix)])."""
    blockers = list(streams.survey(loaded).blockers)
    if not blockers and training.draws_elsewhere(load(seed), load(None if seed is None else seed + 1), first_batch):
        blockers.append((
            None,
            "two loads of the model give different training-phase outputs: a layer (a Lambda, a custom layer) draws random "
            "numbers outside the seeded Dropout, SpatialDropout and ManualDropout layers",
            "draw the randomness with one of those layers, seeded (a dropout Lambda becomes keras2tfjs.ManualDropout(rate, seed=...))",
        ))
    if blockers:
        return None, blockers
    fresh = load(seed)
    survey = streams.survey(fresh)
    try:
        shapes = streams.input_shapes(fresh, survey.streams, first_batch)
    except ValueError as e:
        return None, [(None, f"a dropout mask's shape cannot be told: {e}", "give the layer's input a fixed shape")]
    entry, more = training.record(fresh, folder, first_batch, survey, shapes)
    entry["rows"] = len(first_batch[0])
    files.update(more)
    return entry, []


def _why_no_resume(model, targets, train_steps, training_blockers):
    """(why, fix) when resumed training cannot be recorded, else None."""
    if train_steps == 0:
        return "train_steps=0", "pass train_steps >= 1"
    if getattr(model, "optimizer", None) is None or not getattr(model, "compiled", False):
        return "the model is not compiled, so it has no optimizer or loss to continue with", "compile it as you train it, then export"
    if targets is None:
        return "no targets: y was not given", "pass y (one array per output) to record resumed training"
    if training_blockers:
        return "training draws random numbers TypeScript cannot replay (see the 'training' entries)", "fix those layers as they say"
    return None


def _custom_objects(model):
    """The live model's own classes and Lambda functions by name, so Keras finds them when it loads
    the file back even where the caller did not register them."""
    found = {}
    for layer in model._flatten_layers(include_self=True, recursive=True):
        found.setdefault(type(layer).__name__, type(layer))
        function = getattr(layer, "function", None) if isinstance(layer, keras.layers.Lambda) else None
        name = getattr(function, "__name__", "<lambda>")
        if name != "<lambda>":
            found.setdefault(name, function)
    return found


def _has_lambda(model):
    # Lambda layers hold Python code: Keras loads them only with safe_mode off. The code is the
    # caller's own model's, created in this process; keras2tfjs itself never runs it.
    return any(isinstance(layer, keras.layers.Lambda) for layer in model._flatten_layers(include_self=False, recursive=True))


def _check_reload(model, inputs, predicted, batch_size):
    live = arrays.as_output_list(model, model.predict(arrays.model_arguments(inputs), batch_size=batch_size, verbose=0))
    for name, a, b in zip(model.output_names, live, predicted):
        scale = max(1.0, float(np.max(np.abs(a))) if a.size else 1.0)
        if a.shape != b.shape or np.max(np.abs(a - b), initial=0.0) > RELOAD_RTOL * scale:
            raise ValueError(
                f"export_parity_fixture: the model saved as {MODEL_FILE} predicts differently from the live model "
                f"(output '{name}'): a layer draws random numbers at inference, or a custom layer does not save or "
                "restore its state (fix its get_config/build)"
            )


def _check_count(name, value, minimum):
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"export_parity_fixture: `{name}` must be an integer >= {minimum}, got {value!r}")


def _check_replaceable(target):
    if target.exists() and (not target.is_dir() or (any(target.iterdir()) and not (target / "parity.json").is_file())):
        raise ValueError(f"export_parity_fixture: {target} exists and is not a parity fixture; choose a new or empty directory")


def _swap_into_place(staging, target):
    """The finished folder replaces `target` only now: rename, rename, delete."""
    staging.chmod(0o755)  # mkdtemp makes it private
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        os.rename(target, old)
    os.rename(staging, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
