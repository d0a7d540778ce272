/**
 * Tests run "as a user would", on the backends every machine has: the pure-JS cpu
 * backend and wasm. (tfjs-node is optional and usually absent: its install needs internet.)
 */
import * as tf from '@tensorflow/tfjs-core';
import { useBackend, type BackendName } from '../../src/backend.js';

export const TEST_BACKENDS: BackendName[] = ['cpu', 'wasm'];

/** Switch to `name` (registering it on first use). Call in beforeAll of a describe.each. */
export async function switchBackend(name: BackendName): Promise<void> {
  await useBackend(name);
  if (tf.getBackend() !== name) throw new Error(`expected backend ${name}, got ${tf.getBackend()}`);
}
