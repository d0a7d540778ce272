/**
 * Switching the bench between tfjs backends. cpu and wasm come from the package's own
 * backend picker; tfjs-node is loaded from the project's node_modules when a user installed
 * it there, else from the copy scripts/setup_tfjs_node.sh built under bench/.cache (its own
 * tfjs-core copy shares the process-wide tfjs engine and kernel registry, which tfjs keeps
 * on globalThis, so its 'tensorflow' backend serves the project's tfjs-core too).
 */
import * as tf from '@tensorflow/tfjs-core';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { useBackend, type NodeBackendName as BackendName } from '../../src/backend.js';
import { TFJS_NODE_PREFIX } from './paths.js';

export const ALL_BACKENDS: BackendName[] = ['cpu', 'wasm', 'tensorflow'];

/** Where tfjs-node would load from, or null if there is none. */
export function tfjsNodeLocation(): string | null {
  const projectRequire = createRequire(import.meta.url);
  try {
    return projectRequire.resolve('@tensorflow/tfjs-node');
  } catch {
    const cached = join(TFJS_NODE_PREFIX, 'node_modules', '@tensorflow', 'tfjs-node', 'package.json');
    return existsSync(cached) ? cached : null;
  }
}

/** Switches tfjs to `name`; for 'tensorflow', loads tfjs-node first. */
export async function switchTo(name: BackendName): Promise<void> {
  if (name === 'tensorflow') {
    const where = tfjsNodeLocation();
    if (where === null) throw new Error('tfjs-node is not installed (run scripts/setup_tfjs_node.sh)');
    createRequire(where)('@tensorflow/tfjs-node');
    if (!(await tf.setBackend('tensorflow'))) throw new Error('tfjs-node loaded but its backend did not start');
    await tf.ready();
  } else {
    await useBackend(name);
  }
  if (tf.getBackend() !== name) throw new Error(`bench: expected backend ${name}, got ${tf.getBackend()}`);
}

/** The tfjs-node version in use, if it is loaded. */
export function tfjsNodeVersion(): string | null {
  const where = tfjsNodeLocation();
  if (where === null) return null;
  const req = createRequire(where);
  try {
    return (req('@tensorflow/tfjs-node/package.json') as { version: string }).version;
  } catch {
    return null;
  }
}
