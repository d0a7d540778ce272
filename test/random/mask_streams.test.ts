/**
 * The raw streams against real Keras 3: the uniforms behind every mask of the mask_streams
 * fixtures (keras.random.uniform over the noise shape from SeedGenerator state [seed, n]),
 * for Keras' TensorFlow backend (Philox) and JAX backend (Threefry, both bit layouts).
 * Bit-identical: every float32 must be equal.
 */
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { philoxUniform } from '../../src/random/philox.js';
import { jaxKeyPair, tfSeedPair } from '../../src/random/seed_state.js';
import { threefryUniform } from '../../src/random/threefry.js';
import { FIXTURES_DIR, fixtureCase, loadFixture } from '../helpers/fixtures.js';

interface Stream {
  id: string;
  seed: number;
  states: Array<[number, number]>;
  jax_threefry_partitionable?: boolean;
}
interface MaskStreamsCase {
  streams: Stream[];
  original_layout_streams?: Stream[];
}

/** Streams that drew uniforms (a rate-0 stream draws nothing and has no uniform file). */
function drawingStreams(caseName: string): Stream[] {
  const spec = fixtureCase<MaskStreamsCase>(caseName);
  return [...spec.streams, ...(spec.original_layout_streams ?? [])].filter((s) =>
    existsSync(join(FIXTURES_DIR, caseName, `uniform_${s.id}.npy`)),
  );
}

function perCall(caseName: string, id: string): Float32Array[] {
  const { shape, data } = loadFixture(caseName, `uniform_${id}.npy`);
  if (!(data instanceof Float32Array)) throw new Error(`${caseName}/uniform_${id}.npy: expected float32`);
  const size = shape.slice(1).reduce((a, b) => a * b, 1);
  return Array.from({ length: shape[0] }, (_, n) => data.subarray(n * size, (n + 1) * size));
}

describe('Keras TensorFlow backend stream (mask_streams_tf)', () => {
  it.each(drawingStreams('mask_streams_tf').map((s) => [s.id, s] as const))('%s', (_, stream) => {
    perCall('mask_streams_tf', stream.id).forEach((want, call) => {
      const [seed, n] = stream.states[call];
      expect(Array.from(philoxUniform(tfSeedPair(seed, n), want.length))).toEqual(Array.from(want));
    });
  });
});

describe('Keras JAX backend stream (mask_streams_jax)', () => {
  it.each(drawingStreams('mask_streams_jax').map((s) => [s.id, s] as const))('%s', (_, stream) => {
    const partitionable = stream.jax_threefry_partitionable ?? true;
    perCall('mask_streams_jax', stream.id).forEach((want, call) => {
      const [seed, n] = stream.states[call];
      expect(Array.from(threefryUniform(jaxKeyPair(seed, n), want.length, { partitionable }))).toEqual(Array.from(want));
    });
  });
});
