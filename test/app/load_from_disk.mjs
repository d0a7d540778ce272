// Plain TensorFlow.js code an existing Node app might already have: read model.json and its
// weight shards from disk and hand them to tf.io.fromMemory (no tfjs-node, no keras2tfjs).
import * as tf from '@tensorflow/tfjs-core';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export async function artifactsFromDisk(dir) {
  const modelJSON = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
  const weightSpecs = [];
  const buffers = [];
  for (const group of modelJSON.weightsManifest) {
    weightSpecs.push(...group.weights);
    for (const path of group.paths) {
      const bytes = await readFile(join(dir, path));
      buffers.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    }
  }
  return tf.io.fromMemory({
    modelTopology: modelJSON.modelTopology,
    weightSpecs,
    weightData: tf.io.concatenateArrayBuffers(buffers),
  });
}
