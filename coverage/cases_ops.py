"""Functional graphs of operations: what `keras.ops` calls on symbolic tensors record in Keras 3
(operation nodes) and what TensorFlow calls record in tf.keras (TFOpLambda, SlicingOpLambda).
One model per family, each with several outputs.
"""
from cases_layers import functional


def _k3(body):
    def build(K):
        from cases_layers import NotInFramework
        if K.__name__ != "keras":
            raise NotInFramework("keras.ops is Keras 3")
        return body(K)
    return build


def _tfk(body):
    def build(K):
        from cases_layers import NotInFramework
        if K.__name__ != "tf_keras":
            raise NotInFramework("TensorFlow functions are recorded by tf.keras")
        return body(K)
    return build


# ----------------------------------------------------------------- Keras 3 operations

def k3_arithmetic(K):
    from keras import ops
    def body(K, x, y):
        return [x + 3.0, 2.0 - x, x * y, x / (ops.abs(y) + 1.0), x ** 2, -x, ops.maximum(x, y), ops.minimum(x, 0.5),
                ops.sqrt(ops.abs(x)), ops.exp(-ops.abs(x)), ops.log1p(ops.abs(y)), ops.where(x > y, x, y), ops.clip(x, -0.5, 0.5),
                ops.floor_divide(x, 0.3), ops.mod(x, 0.7), ops.square(ops.sin(x)) + ops.cos(y), ops.sign(x) * ops.tanh(y)]
    return functional(K, [(4, 6), (4, 6)], body)


def k3_shapes(K):
    from keras import ops
    def body(K, x, y):
        s = ops.split(x, 2, axis=-1)
        return [ops.reshape(x, (-1, 24)), ops.transpose(x, (0, 2, 1)), ops.expand_dims(x, 1), ops.squeeze(ops.expand_dims(x, 2), 2),
                ops.concatenate([x, y], axis=-1), ops.stack([x, y], axis=1), s[0], s[1], ops.tile(x, (1, 2, 1)), ops.flip(x, axis=1),
                x[:, 1:3, ::2], x[..., 0], x[:, ::-1, None, 2], ops.repeat(x, 2, axis=1), ops.roll(x, 1, axis=2),
                ops.swapaxes(x, 1, 2), ops.take(x, [0, 2], axis=1), ops.pad(x, [[0, 0], [1, 2], [0, 1]])]
    return functional(K, [(4, 6), (4, 6)], body)


def k3_reductions(K):
    from keras import ops
    def body(K, x):
        return [ops.sum(x, axis=1, keepdims=True), ops.mean(x, axis=[1, 2]), ops.max(x, axis=-1), ops.min(x, axis=1),
                ops.prod(x, axis=2), ops.std(x, axis=1), ops.var(x, axis=-1), ops.cast(ops.argmax(x, axis=-1), "float32"),
                ops.logsumexp(x, axis=-1), ops.cumsum(x, axis=1), ops.norm(x, axis=-1)]
    return functional(K, [(4, 6)], body)


def k3_nn(K):
    from keras import ops
    def body(K, x):
        return [ops.softmax(x, axis=1), ops.log_softmax(x, axis=-1), ops.relu(x), ops.relu6(x * 4), ops.gelu(x), ops.gelu(x, approximate=False),
                ops.hard_sigmoid(x), ops.hard_silu(x), ops.silu(x), ops.sigmoid(x), ops.leaky_relu(x, 0.1), ops.elu(x),
                ops.softplus(x), ops.normalize(x, axis=-1), ops.erf(x)]
    return functional(K, [(4, 6)], body)


def k3_linalg(K):
    from keras import ops
    def body(K, x, y):
        return [ops.matmul(x, ops.transpose(y, (0, 2, 1))), ops.einsum("bij,bkj->bik", x, y), ops.einsum("...ij,...kj->...ik", x, y),
                ops.tensordot(x, y, axes=[[2], [2]])[:, :, 0, :]]
    return functional(K, [(4, 6), (5, 6)], body)


# ----------------------------------------------------------------- TensorFlow functions

def tf_arithmetic(K):
    import tensorflow as tf
    def body(K, x, y):
        return [x + 3.0, 2.0 - x, x * y, x / (tf.abs(y) + 1.0), x ** 2, -x, tf.maximum(x, y), tf.minimum(x, 0.5),
                tf.sqrt(tf.abs(x)), tf.exp(-tf.abs(x)), tf.math.log1p(tf.abs(y)), tf.where(x > y, x, y), tf.clip_by_value(x, -0.5, 0.5),
                tf.math.floordiv(x, 0.3), tf.math.floormod(x, 0.7), tf.square(tf.sin(x)) + tf.cos(y), tf.sign(x) * tf.tanh(y)]
    return functional(K, [(4, 6), (4, 6)], body)


def tf_shapes(K):
    import tensorflow as tf
    def body(K, x, y):
        s = tf.split(x, 2, axis=-1)
        return [tf.reshape(x, (-1, 24)), tf.transpose(x, (0, 2, 1)), tf.expand_dims(x, 1), tf.squeeze(tf.expand_dims(x, 2), 2),
                tf.concat([x, y], axis=-1), tf.stack([x, y], axis=1), s[0], s[1], tf.tile(x, (1, 2, 1)), tf.reverse(x, axis=[1]),
                x[:, 1:3, ::2], x[..., 0], x[:, ::-1, tf.newaxis, 2], tf.pad(x, [[0, 0], [1, 2], [0, 1]]), tf.gather(x, [0, 2], axis=1)]
    return functional(K, [(4, 6), (4, 6)], body)


def tf_reductions(K):
    import tensorflow as tf
    def body(K, x):
        return [tf.reduce_sum(x, axis=1, keepdims=True), tf.reduce_mean(x, axis=[1, 2]), tf.reduce_max(x, axis=-1), tf.reduce_min(x, axis=1),
                tf.reduce_prod(x, axis=2), tf.math.reduce_std(x, axis=1), tf.math.reduce_variance(x, axis=-1),
                tf.cast(tf.argmax(x, axis=-1), "float32"), tf.reduce_logsumexp(x, axis=-1), tf.cumsum(x, axis=1), tf.norm(x, axis=-1)]
    return functional(K, [(4, 6)], body)


def tf_nn(K):
    import tensorflow as tf
    def body(K, x):
        return [tf.nn.softmax(x, axis=1), tf.nn.log_softmax(x, axis=-1), tf.nn.relu(x), tf.nn.relu6(x * 4), tf.nn.gelu(x),
                tf.nn.gelu(x, approximate=True), tf.nn.silu(x), tf.sigmoid(x), tf.nn.leaky_relu(x, 0.1), tf.nn.elu(x),
                tf.nn.softplus(x), tf.math.l2_normalize(x, axis=-1), tf.math.erf(x)]
    return functional(K, [(4, 6)], body)


def tf_linalg(K):
    import tensorflow as tf
    def body(K, x, y):
        return [tf.matmul(x, y, transpose_b=True), tf.matmul(tf.transpose(x, (0, 2, 1)), x)]
    return functional(K, [(4, 6), (5, 6)], body)


OPERATIONS = {
    "keras.ops arithmetic": _k3(k3_arithmetic),
    "keras.ops shapes and slicing": _k3(k3_shapes),
    "keras.ops reductions": _k3(k3_reductions),
    "keras.ops nn": _k3(k3_nn),
    "keras.ops linalg": _k3(k3_linalg),
    "tf arithmetic (TFOpLambda)": _tfk(tf_arithmetic),
    "tf shapes and slicing (TFOpLambda, SlicingOpLambda)": _tfk(tf_shapes),
    "tf reductions (TFOpLambda)": _tfk(tf_reductions),
    "tf nn (TFOpLambda)": _tfk(tf_nn),
    "tf linalg (TFOpLambda)": _tfk(tf_linalg),
}
