/**
 * A file system that accepts only a few bytes per write call (as a write interrupted by a
 * signal or a nearly full disk does): the saved shards must still hold every byte, in order.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import * as realFs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { fileSystem } from '../../src/index.js';
import { switchBackend } from '../helpers/backends.js';

/** Bytes each simulated write call accepts: small and odd, so writes end inside a float. */
const BYTES_PER_CALL = 7;
let shortWrites = 0;

vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  const open: typeof fs.open = async (...args: Parameters<typeof fs.open>) => {
    const handle = await fs.open(...args);
    const writev = handle.writev.bind(handle);
    handle.writev = (async (buffers: NodeJS.ArrayBufferView[]) => {
      const first = buffers.find((b) => b.byteLength > 0);
      if (first === undefined) return writev(buffers);
      const bytes = new Uint8Array(first.buffer, first.byteOffset, Math.min(BYTES_PER_CALL, first.byteLength));
      if (bytes.byteLength < buffers.reduce((n, b) => n + b.byteLength, 0)) shortWrites++;
      return writev([bytes]);
    }) as typeof handle.writev;
    return handle;
  };
  return { ...fs, default: { ...fs, open }, open };
});

let parent: string;
beforeAll(async () => {
  await switchBackend('cpu');
  parent = await realFs.mkdtemp(join(tmpdir(), 'keras2tfjs-short-'));
});
afterAll(async () => {
  await realFs.rm(parent, { recursive: true, force: true });
});

describe('fileSystem when the disk takes a few bytes per write', () => {
  it('writes every shard completely and the model loads with the same weights', async () => {
    const model = tfl.sequential({
      layers: [tfl.layers.dense({ units: 8, inputShape: [5] }), tfl.layers.dense({ units: 3 })],
    });
    const dir = join(parent, 'model');
    await model.save(fileSystem(dir, { shardSizeBytes: 80 })); // 75 floats = 300 bytes -> 4 shards
    expect(shortWrites).toBeGreaterThan(10);
    const loaded = await tfl.loadLayersModel(fileSystem(dir));
    const before = model.getWeights().map((w) => Array.from(w.dataSync()));
    const after = loaded.getWeights().map((w) => Array.from(w.dataSync()));
    expect(after).toEqual(before);
    const shardBytes = await Promise.all((await realFs.readdir(dir)).filter((f) => f.endsWith('.bin')).map(async (f) => (await realFs.stat(join(dir, f))).size));
    expect(shardBytes.sort((a, b) => a - b)).toEqual([60, 80, 80, 80]);
    model.dispose();
    loaded.dispose();
    expect(tf.memory().numTensors).toBe(0);
  });
});
