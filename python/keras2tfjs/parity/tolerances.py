"""The tolerances a parity fixture states, each once and with its reason.

A float check passes when  max |TypeScript - Keras| <= relative * max(1, max |Keras|)  over the
compared tensor: relative to the tensor's scale, and absolute for tensors of scale below 1 (whose
last bits are noise of the larger values they were summed from). Masks are integers: exact.
`keras2tfjs verify` applies what parity.json states.
"""

_SUMMATION_ORDER = (
    "float32 summation order: TensorFlow's and XLA's CPU kernels and tfjs sum dot products, "
    "convolutions and reductions in different orders (XLA may also fuse multiply-adds), so a value "
    "differs by a few float32 ulps (1.2e-7 at 1.0) per layer; 1e-5 of the tensor's scale leaves room "
    "for deep models, while a wrong weight, layer or dropped unit moves values by 1e-3 or more"
)

TOLERANCES = {
    "inference": {"relative": 1e-5, "why": _SUMMATION_ORDER},
    "training": {
        "relative": 1e-5,
        "why": _SUMMATION_ORDER + "; the masks behind these outputs are checked exactly on their own",
    },
    "masks": {
        "exact": True,
        "why": "Philox (TensorFlow) and Threefry (JAX) masks are integer arithmetic: the same bits on every CPU and in TypeScript",
    },
    "resume_weights": {
        "relative": 1e-5,
        "why": "each optimizer step applies Keras' update formulas in float32 in both languages; the steps carry the "
        "gradients' summation-order rounding forward, which stays far below 1e-5 of a weight tensor's scale over "
        "10 steps, while a missing or misplaced optimizer slot moves weights by about the learning rate",
    },
    "resume_losses": {
        "relative": 1e-5,
        "why": "the loss Keras reports at each step is computed from the same float32 tensors: " + _SUMMATION_ORDER,
    },
}
