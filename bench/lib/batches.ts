/**
 * A tfjs-layers Dataset of shuffled (x, y) batches cut in JavaScript: each batch's rows are
 * copied from the typed arrays into a fresh tensor. `model.fit` instead gathers every batch
 * with tf.gather (on wasm by keras2tfjs' row-copy kernel; the bench measures both).
 */
import * as tf from '@tensorflow/tfjs-core';

type Batch = { xs: tf.Tensor; ys: tf.Tensor };

/** A seeded row order (xorshift32 + Fisher-Yates): the bench needs variety, not a particular stream. */
function permutation(rows: number, seed: number): Uint32Array {
  const order = new Uint32Array(rows);
  for (let i = 0; i < rows; i++) order[i] = i;
  let s = seed >>> 0 || 1;
  for (let i = rows - 1; i > 0; i--) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    const j = (s >>> 0) % (i + 1);
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}

/** `shape`: x's shape, rows first; y holds one value per row. */
export function shuffledBatches(x: Float32Array, y: Float32Array, shape: number[], batchSize: number) {
  const rows = shape[0];
  const cols = x.length / rows;
  let epoch = 0;
  return {
    size: Math.ceil(rows / batchSize),
    async iterator() {
      const order = permutation(rows, ++epoch);
      let start = 0;
      return {
        async next(): Promise<IteratorResult<Batch>> {
          if (start >= rows) return { done: true, value: undefined as unknown as Batch };
          const n = Math.min(batchSize, rows - start);
          const xb = new Float32Array(n * cols);
          const yb = new Float32Array(n);
          for (let r = 0; r < n; r++) {
            const row = order[start + r];
            xb.set(x.subarray(row * cols, (row + 1) * cols), r * cols);
            yb[r] = y[row];
          }
          start += n;
          return { done: false, value: { xs: tf.tensor(xb, [n, ...shape.slice(1)]), ys: tf.tensor2d(yb, [n, 1]) } };
        },
      };
    },
  };
}
