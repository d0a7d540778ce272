/**
 * TensorFlow functions tf.keras records (TFOpLambda) that no Keras 3 operation computes with the
 * same arguments; normalize/tf_functions.ts maps every other recorded TensorFlow function to
 * its Keras 3 operation. Ids are 'tf.' + the function path without '_'.
 */
import { matMul, tensor1d, type Tensor } from '@tensorflow/tfjs-core';
import { arg, defineTfOp, promote, setting, toTensor, type OpCall } from './registry.js';

// tf.linalg.matmul(a, b, transpose_a, transpose_b, adjoint_a, adjoint_b): real tensors, so an
// adjoint is a transpose.
defineTfOp('linalg.matmul', (c: OpCall): Tensor => {
  const [a, b] = promote(arg(c, 0, 'a'), arg(c, 1, 'b'));
  const ta = setting(c, 'transposeA', false) === true || setting(c, 'adjointA', false) === true;
  const tb = setting(c, 'transposeB', false) === true || setting(c, 'adjointB', false) === true;
  return matMul(a, b, ta, tb);
});

// tf.shape(x): the sizes as an int32 vector (read by later ops such as a reshape to [batch, -1]).
defineTfOp('shape', (c: OpCall): Tensor => tensor1d(toTensor(arg(c, 0, 'input')).shape, 'int32'));
