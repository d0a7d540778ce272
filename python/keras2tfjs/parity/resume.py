"""Training continued from the saved state: `train_steps` train_on_batch steps of the model as
loaded from model.keras (optimizer state included), with the weights and loss after each step.

Batches are cut from the caller's rows in order, without shuffling: step k trains on batch
k mod (number of batches), so TypeScript can cut the same ones.
"""

import numpy as np
from keras import ops

from keras2tfjs.parity import arrays


def batches(rows, batch_size, steps):
    """[(start, stop)] for each step."""
    size = rows if batch_size is None else batch_size
    starts = list(range(0, rows, size))
    return [(starts[k % len(starts)], min(starts[k % len(starts)] + size, rows)) for k in range(steps)]


def weight_owners(model):
    """id(variable) → the name of the layer that created it (its own variables, not sublayers')."""
    owners = {}
    for layer in model._flatten_layers(include_self=False, recursive=True):
        for variable in list(layer._trainable_variables) + list(layer._non_trainable_variables):
            owners.setdefault(id(variable), layer.name)
    return owners


# Optimizers that divide each step by a running gradient magnitude: they turn float noise into
# steps of about the learning rate. SGD scales noise by the learning rate and stays comparable.
_PLAIN_STEP = ("SGD",)


def gradient_free_weights(model):
    """id(variable) → why its resumed values cannot be compared.

    A bias added right before BatchNormalization (a linear layer whose only consumer is a BN
    over the bias' axis, in training mode) has a gradient of exactly zero: BN subtracts the batch
    mean, bias included. In float32 the gradient is summation-order noise, different in Keras and
    tfjs, and adaptive optimizers (Adam, RMSprop, ...) scale it to learning-rate-sized steps. The
    BN's moving mean follows that bias. Both sides step correctly; the steps are noise.
    """
    if type(model.optimizer).__name__ in _PLAIN_STEP:
        return {}
    out = {}
    for layer in model._flatten_layers(include_self=False, recursive=True):
        if type(layer).__name__ != "BatchNormalization" or not layer.trainable or len(layer._inbound_nodes) != 1:
            continue
        producer = layer.input._keras_history.operation
        bias = getattr(producer, "bias", None)
        activation = getattr(getattr(producer, "activation", None), "__name__", "linear")
        if bias is None or activation != "linear" or len(producer._outbound_nodes) != 1:
            continue
        rank = len(layer.input.shape)
        if layer.axis % rank != (rank - 1 if getattr(producer, "data_format", "channels_last") != "channels_first" else 1):
            continue
        why = (
            f"'{producer.name}' adds a bias right before BatchNormalization '{layer.name}', which subtracts it again: "
            f"its gradient is zero in exact arithmetic and float noise in practice, which {type(model.optimizer).__name__} "
            "scales to learning-rate-sized steps, differently in Keras and TypeScript"
        )
        out[id(bias)] = why + f"; fix: {type(producer).__name__}(..., use_bias=False) before BatchNormalization, as Keras' own applications do"
        out[id(layer.moving_mean)] = f"BatchNormalization '{layer.name}' tracks the mean of '{producer.name}', whose bias moves by noise (see that weight)"
    return out


def optimizer_facts(model):
    optimizer = model.optimizer
    return {
        "class_name": type(optimizer).__name__,
        "iterations": int(np.asarray(ops.convert_to_numpy(optimizer.iterations))),
        "config": _plain(optimizer.get_config()),
    }


def _plain(value):
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return repr(value)


def record(model, folder, inputs, targets, steps, batch_size):
    """Trains `model` (loaded from the fixture's model.keras) and writes resume/; returns its parity.json entry."""
    owners = weight_owners(model)
    noise = gradient_free_weights(model)
    facts = optimizer_facts(model)
    plan = batches(len(inputs[0]), batch_size, steps)
    history = [[] for _ in model.weights]
    losses = []
    for start, stop in plan:
        logs = model.train_on_batch(
            arrays.model_arguments([a[start:stop] for a in inputs]),
            arrays.model_arguments([t[start:stop] for t in targets]),
            return_dict=True,
        )
        losses.append(float(logs["loss"]))
        for i, variable in enumerate(model.weights):
            history[i].append(np.asarray(ops.convert_to_numpy(variable)))
    files, weights = {}, []
    for i, (variable, values) in enumerate(zip(model.weights, history)):
        name = arrays.save(folder, f"resume/weights/{i:04d}.npy", np.stack(values))
        owner = owners.get(id(variable), variable.path.rsplit("/", 1)[0])
        weights.append({
            "layer": owner,
            "name": variable.name,
            "path": variable.path,
            "shape": list(variable.shape),
            "trainable": bool(variable.trainable),
            "file": name,
            # Why this weight's resumed values are not comparable (None: they are).
            "not_comparable": noise.get(id(variable)),
        })
        files[name] = f"float32 [{steps}, {', '.join(map(str, variable.shape))}]: {variable.path} after resumed steps 1..{steps}"
    targets_entry = []
    for j, (name, target) in enumerate(zip(model.output_names, targets)):
        file = arrays.save(folder, f"resume/targets/{arrays.file_stem(j, name)}.npy", target)
        targets_entry.append({"name": name, "file": file})
        files[file] = f"targets (y) for output '{name}', all rows; step k trains on rows batches[k]"
    files[arrays.save(folder, "resume/losses.npy", np.asarray(losses, np.float32))] = (
        f"float32 [{steps}]: the loss train_on_batch reported at each resumed step (with regularization losses)"
    )
    entry = {
        "steps": steps,
        "batches": [list(b) for b in plan],
        "optimizer": facts,
        "targets": targets_entry,
        "losses": "resume/losses.npy",
        "weights": weights,
    }
    return entry, files
