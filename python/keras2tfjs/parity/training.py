"""Training-phase outputs: the first calls of the model (as loaded, every dropout stream at its
start [seed, 0]) with training=True, and the mask each seeded dropout layer drew in each call.

A mask is what a fresh layer of the same class and config draws at the recorded state, over the
layer's noise shape; the exporter checks that every layer advanced its stream by exactly one
draw per call, so the recorded states are the ones the calls used.
"""

import numpy as np

from keras2tfjs.parity import arrays

# Two calls: the first shows the stream's start, the second that it advances.
CALLS = 2


def draws_elsewhere(first, second, inputs):
    """True when two fresh loads, called once in training mode, give different outputs: some layer
    (a Lambda, a custom layer) draws random numbers outside the seeded dropout streams, from
    Keras' global generator or TensorFlow's, which TypeScript cannot replay."""
    a = arrays.as_output_list(first, first(arrays.model_arguments(inputs), training=True))
    b = arrays.as_output_list(second, second(arrays.model_arguments(inputs), training=True))
    return any(x.shape != y.shape or not np.array_equal(x, y, equal_nan=True) for x, y in zip(a, b))


def record(model, folder, inputs, survey, shapes):
    """Runs the calls on `model` and writes training/; returns its parity.json entry and files.
    `shapes`: each stream layer's input shape for `inputs` (streams.input_shapes)."""
    files, calls = {}, []
    for call in range(CALLS):
        before = {s.name: s.state() for s in survey.streams}
        outputs = arrays.as_output_list(model, model(arrays.model_arguments(inputs), training=True))
        entry = {"outputs": [], "masks": []}
        for j, (name, value) in enumerate(zip(model.output_names, outputs)):
            file = arrays.save(folder, f"training/call_{call}/{arrays.file_stem(j, name)}.npy", value)
            entry["outputs"].append({"name": name, "file": file, "shape": list(value.shape)})
            files[file] = f"model(x[batch], training=True), call {call}: output '{name}'"
        for k, stream in enumerate(survey.streams):
            state = before[stream.name]
            after = stream.state()
            if after != [state[0], state[1] + 1]:
                raise RuntimeError(
                    f"export_parity_fixture: layer '{stream.name}' moved its stream from {state} to {after} in one call "
                    "(expected one draw); its masks cannot be recorded"
                )
            mask = stream.mask(state, shapes[stream.name])
            file = arrays.save(folder, f"training/call_{call}/mask_{arrays.file_stem(k, stream.name)}.npy", mask)
            entry["masks"].append({
                "layer": stream.name,
                "class_name": stream.class_name,
                "state": state,
                "shape": list(mask.shape),
                "file": file,
            })
            files[file] = f"uint8 keep mask (1 = kept) layer '{stream.name}' drew in call {call}, state {state}, over its noise shape"
        calls.append(entry)
    return {"calls": calls}, files
