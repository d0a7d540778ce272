"""Every keras.applications architecture of Keras 3.15, built with weights=None (parity needs
no trained weights) at the smallest input each accepts, in Keras 3 and in tf_keras 2.21 (which
ships the same 40 architectures), the classifier top included and returning logits
(classifier_activation=None: a softmax over 1000 classes would hide differences).

Freshly initialized, several of them compute nearly nothing: with BatchNormalization's
statistics at 0 and 1, MobileNetV3's and EfficientNet's activations shrink block after block
and their logits come out around 1e-10, where any tolerance passes anything. So the batch
statistics are set from data first: one forward pass in training mode over 32 images with
momentum 0 makes every moving mean and variance the batch's own, each variance floored at its
layer's mean variance. Both numbers keep the models well conditioned: calibrated on six images
with a floor of half the mean, deep layers see a handful of nearly equal samples and divide
their differences by a tiny spread, and Keras' own float32 result is then off from the float64
one by more than the parity tolerance (MobileNetV2 3e-4, EfficientNetV2B1 0.9); calibrated so,
Keras' float32 error is 7e-6 and 2e-7. The models give logits that differ between the two test
images, measurable against 1e-4 + 1e-4·|y|.
"""

# (name, input side): the smallest input each architecture builds with (32 unless it needs more).
APPLICATIONS = [
    ("ConvNeXtTiny", 32), ("ConvNeXtSmall", 32), ("ConvNeXtBase", 32), ("ConvNeXtLarge", 32), ("ConvNeXtXLarge", 32),
    ("DenseNet121", 32), ("DenseNet169", 32), ("DenseNet201", 32),
    ("EfficientNetB0", 32), ("EfficientNetB1", 32), ("EfficientNetB2", 32), ("EfficientNetB3", 32),
    ("EfficientNetB4", 32), ("EfficientNetB5", 32), ("EfficientNetB6", 32), ("EfficientNetB7", 32),
    ("EfficientNetV2B0", 32), ("EfficientNetV2B1", 32), ("EfficientNetV2B2", 32), ("EfficientNetV2B3", 32),
    ("EfficientNetV2S", 32), ("EfficientNetV2M", 32), ("EfficientNetV2L", 32),
    ("InceptionResNetV2", 75), ("InceptionV3", 75),
    ("MobileNet", 32), ("MobileNetV2", 32), ("MobileNetV3Small", 32), ("MobileNetV3Large", 32),
    ("NASNetMobile", 32), ("NASNetLarge", 32),
    ("ResNet50", 32), ("ResNet101", 32), ("ResNet152", 32), ("ResNet50V2", 32), ("ResNet101V2", 32), ("ResNet152V2", 32),
    ("VGG16", 32), ("VGG19", 32), ("Xception", 71),
]


def images(side, seeds):
    """Smooth images in [0, 255], one per seed."""
    import numpy as np
    from common import pattern

    return np.concatenate([(pattern((1, side, side, 3), seed=s) + 1.0) * 127.5 for s in seeds]).astype("float32")


def calibrate_batch_norm(model, x):
    """Moving statistics from the batch x (see the module docstring)."""
    import numpy as np

    norms = [layer for layer in model.layers if "BatchNormalization" in type(layer).__name__]
    saved = [bn.momentum for bn in norms]
    for bn in norms:
        bn.momentum = 0.0
    model(x, training=True)
    for bn, momentum in zip(norms, saved):
        bn.momentum = momentum
        variance = np.asarray(bn.moving_variance.numpy())
        bn.moving_variance.assign(np.maximum(variance, max(float(variance.mean()), 1e-3)).astype("float32"))


def build_application(module, name, side):
    """`module` is keras or tf_keras. Returns (model, inputs)."""
    module.utils.set_random_seed(1)
    make = getattr(module.applications, name)
    model = make(weights=None, input_shape=(side, side, 3), classifier_activation=None)
    calibrate_batch_norm(model, images(side, tuple(range(3, 35))))
    return model, [images(side, (3, 4))]

# The applications CI builds (files under 100 MB at these input sizes, measured with build_models.py).
CI_APPLICATIONS = {
    "DenseNet121", "DenseNet169", "EfficientNetB0", "EfficientNetB1", "EfficientNetV2B0", "EfficientNetV2B1",
    "MobileNet", "MobileNetV2", "MobileNetV3Small", "MobileNetV3Large", "NASNetMobile", "ResNet50V2", "Xception",
    "InceptionV3", "ConvNeXtTiny",
}
