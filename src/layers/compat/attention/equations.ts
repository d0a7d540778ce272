/**
 * The einsum equations Keras' EinsumDense and MultiHeadAttention are defined by
 * (keras/src/layers/core/einsum_dense.py, attention/multi_head_attention.py), derived the same
 * way so that weights keep Keras' shapes and the products Keras' axes:
 *
 *   projection   'abc,cde->abde'      input (free axes, bound axes) · kernel (bound, output)
 *   dot product  'aecd,abcd->acbe'    key, query → scores (batch…, heads, query axes, key axes)
 *   combination  'acbe,aecd->abcd'    scores, value → (batch…, query axes, heads, channels)
 */
type Shape = Array<number | null>;

const letter = (i: number): string => 'abcdefghijklmnopqrstuvwxyz'[i];

/** Keras' _build_proj_equation: free axes pass through, bound axes contract, output axes are new. */
export function projectionEquation(freeDims: number, boundDims: number, outputDims: number): { equation: string; biasAxes: string; outputRank: number } {
  let input = '';
  let kernel = '';
  let output = '';
  let bias = '';
  let next = 0;
  for (let i = 0; i < freeDims; i++, next++) {
    input += letter(next);
    output += letter(next);
  }
  for (let i = 0; i < boundDims; i++, next++) {
    input += letter(next);
    kernel += letter(next);
  }
  for (let i = 0; i < outputDims; i++, next++) {
    kernel += letter(next);
    output += letter(next);
    bias += letter(next);
  }
  return { equation: `${input},${kernel}->${output}`, biasAxes: bias, outputRank: output.length };
}

/**
 * Keras' _build_attention_equation for projected tensors of `rank` (batch…, attention axes,
 * heads, channels) attending over `attentionAxes`.
 */
export function attentionEquations(rank: number, attentionAxes: number[]): { dotProduct: string; combine: string; scoresRank: number } {
  const target = Array.from({ length: rank }, (_, i) => letter(i)).join('');
  const batchDims = Array.from({ length: rank }, (_, i) => i).filter((i) => !attentionAxes.includes(i) && i !== rank - 1);
  let next = rank;
  let source = '';
  for (let i = 0; i < rank; i++) source += batchDims.includes(i) || i === rank - 1 ? target[i] : letter(next++);
  const product = [...batchDims.map((i) => target[i]), ...attentionAxes.map((i) => target[i]), ...attentionAxes.map((i) => source[i])].join('');
  return { dotProduct: `${source},${target}->${product}`, combine: `${product},${source}->${target}`, scoresRank: product.length };
}

export interface EinsumDenseShapes {
  kernel: number[];
  bias: number[] | null;
  output: Shape;
}

/**
 * Keras' _analyze_einsum_string: the kernel, bias and full output shapes of an EinsumDense for
 * an input shape, from `equation` ('ab,bc->ac', '...b,bc->...c' or 'ab...,bc->ac...'), the
 * partial output shape and the bias axes.
 */
export function einsumDenseShapes(equation: string, biasAxes: string | null, inputShape: Shape, partialOutput: Shape): EinsumDenseShapes {
  const eq = equation.replace(/\.\.\./g, '0');
  let m = /^([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)$/.exec(eq);
  let leftElided = false;
  if (!m) {
    m = /^0([a-zA-Z]+),([a-zA-Z]+)->0([a-zA-Z]+)$/.exec(eq);
    leftElided = m !== null;
  }
  if (!m) m = /^([a-zA-Z]{2,})0,([a-zA-Z]+)->([a-zA-Z]+)0$/.exec(eq);
  if (!m) throw new Error(`EinsumDense equation '${equation}' is not of the forms Keras accepts`);
  const [, inputSpec, weightSpec, outputSpec] = m;
  const elided = inputShape.length - inputSpec.length;
  const output: Shape = [inputShape[0], ...partialOutput];
  if (elided > 0 && leftElided) for (let i = 1; i < elided; i++) output.splice(1, 0, inputShape[i]);
  else if (elided > 0) for (let i = inputShape.length - elided; i < inputShape.length; i++) output.push(inputShape[i]);
  // With '...' on the left the named axes are the input's last ones.
  const inputIndex = (c: string): number => inputSpec.indexOf(c) + (leftElided ? elided : 0);
  const outputIndex = (c: string): number => outputSpec.indexOf(c) + (leftElided ? elided : 0);
  const kernel = weightSpec.split('').map((c) => {
    const size = outputSpec.includes(c) ? output[outputIndex(c)] : inputSpec.includes(c) ? inputShape[inputIndex(c)] : undefined;
    if (size === undefined) throw new Error(`EinsumDense weight axis '${c}' is in neither the input nor the output of '${equation}'`);
    if (size === null) throw new Error(`EinsumDense weight axis '${c}' of '${equation}' has no known size`);
    return size;
  });
  let bias: number[] | null = null;
  if (biasAxes) {
    const first = Math.min(...biasAxes.split('').map((c) => outputSpec.indexOf(c)));
    bias = outputSpec.slice(first).split('').map((c) => (biasAxes.includes(c) ? (output[outputIndex(c)] as number) : 1));
    if (!leftElided) for (let i = 0; i < elided; i++) bias.push(1);
  }
  return { kernel, bias, output };
}
