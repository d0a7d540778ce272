"""The random streams of a model, and which of them TypeScript can replay.

keras2tfjs' ManualDropout draws the very masks Keras draws for `Dropout`, `SpatialDropout1D/2D/3D`
and the Python `ManualDropout` when they have a seed: the n-th training call of a layer seeded S
uses the state [S, n] (TensorFlow's Philox or JAX's Threefry stream). Everything else that draws
random numbers in training (GaussianNoise, GaussianDropout, AlphaDropout, recurrent dropout,
random augmentation layers) comes from a stream tfjs draws differently, and an unseeded layer
draws a seed Keras picks at random when the model is loaded. Their training-phase outputs cannot
be recorded for comparison; `survey` says which layers and why.
"""

import keras
import numpy as np
from keras import ops

# Layers whose seeded masks TypeScript reproduces bit for bit (as ManualDropout).
REPLAYABLE = ("Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "ManualDropout")


class Stream:
    """One seeded dropout layer whose masks TypeScript replays."""

    def __init__(self, layer):
        self.layer = layer
        self.name = layer.name
        self.class_name = type(layer).__name__

    def state(self):
        return [int(v) for v in np.asarray(ops.convert_to_numpy(self.layer.seed_generator.state))]

    def mask(self, state, input_shape):
        """The keep mask (uint8, 1 = kept) a layer like this one draws at `state`, over its noise shape."""
        twin = type(self.layer).from_config(self.layer.get_config())
        generator = twin.seed_generator.state
        generator.assign(ops.convert_to_tensor(np.asarray(state), dtype=generator.dtype))
        out = twin(ops.ones(self.noise_shape(input_shape)), training=True)
        return (np.asarray(ops.convert_to_numpy(out)) != 0).astype(np.uint8)

    def noise_shape(self, input_shape):
        """The shape the mask is drawn over (broadcast to the input), as the layer computes it."""
        if hasattr(self.layer, "_get_noise_shape"):  # SpatialDropout*: whole feature maps
            return tuple(int(d) for d in self.layer._get_noise_shape(ops.ones(input_shape)))
        declared = getattr(self.layer, "noise_shape", None)
        if declared is None:
            return tuple(input_shape)
        return tuple(input_shape[i] if d is None else int(d) for i, d in enumerate(declared))


class Survey:
    """The streams TypeScript replays, and the layers that keep training from being recorded."""

    def __init__(self, streams, blockers):
        self.streams = streams
        # [(layer name, why, fix)]
        self.blockers = blockers


def survey(model):
    streams, blockers = [], []
    for layer in model._flatten_layers(include_self=False, recursive=True):
        generators = getattr(layer, "_seed_generators", [])
        if not generators:
            continue  # draws nothing (e.g. Dropout with rate 0)
        class_name = type(layer).__name__
        if class_name not in REPLAYABLE:
            blockers.append((
                layer.name,
                f"{class_name} draws random numbers in training from a stream tfjs draws differently",
                "leave it out of the model you compare, or accept that only inference is checked",
            ))
        elif getattr(layer, "rng", None) == "tfjs":
            blockers.append((layer.name, "ManualDropout(rng='tfjs') draws tf.randomUniform's stream, which Keras does not have",
                             "use rng=None (the active backend's stream)"))
        elif layer.seed is None:
            blockers.append((layer.name, f"{class_name} has no seed, so Keras draws a random one each time the model is loaded",
                             f"give it a seed: {class_name}(..., seed=1234)"))
        elif len(layer._inbound_nodes) > 1:
            blockers.append((layer.name, f"{class_name} is called at {len(layer._inbound_nodes)} places per forward pass, "
                             "and the order of its draws is not defined across frameworks",
                             "use one dropout layer per place"))
        else:
            streams.append(Stream(layer))
    return Survey(streams, blockers)


def input_shapes(model, streams, inputs):
    """Each stream layer's input shape for `inputs` (a list, one array per model input).
    Raises ValueError when a shape is known only at run time inside a nested model."""
    shapes, unknown = {}, []
    rows = len(inputs[0])
    for stream in streams:
        shape = tuple(stream.layer.input.shape)
        if all(d is not None for d in shape[1:]):
            shapes[stream.name] = (rows,) + tuple(int(d) for d in shape[1:])
        else:
            unknown.append(stream)
    if unknown:
        # Shapes known only at run time (e.g. variable-length sequences): run the graph up to them.
        try:
            probe = keras.Model(model.inputs, [s.layer.input for s in unknown])
        except ValueError as e:
            names = ", ".join(s.name for s in unknown)
            raise ValueError(f"the input shape of {names} is known only at run time, inside a nested model ({e})") from None
        results = probe(inputs if len(inputs) > 1 else inputs[0], training=False)
        results = results if isinstance(results, (list, tuple)) else [results]
        for stream, result in zip(unknown, results):
            shapes[stream.name] = tuple(int(d) for d in ops.shape(result))
    return shapes
