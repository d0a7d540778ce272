/**
 * What the converter writes: tfjs' layers-model format, identical bytes for identical input,
 * weight shards of the requested size that load back, quantization byte-identical to the
 * official tensorflowjs converter (quantization_expected.json), progress reported in order.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { loadLayersModel } from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convert, convertToDirectory } from '../../../src/convert/convert.js';
import { KERAS2TFJS_VERSION } from '../../../src/convert/write/tfjs_artifacts.js';
import { fileSystem } from '../../../src/io/file_system.js';
import { switchBackend } from '../../helpers/backends.js';
import { fixturePath, loadFixture } from '../../helpers/fixtures.js';

const DATA = new URL('../data/', import.meta.url).pathname;
const SEED = fixturePath('seed_lambda', 'model.keras');
const DROPOUT = { lambdas: { dropout: { className: 'ManualDropout', config: { rate: 0.5 } } } };

/** Same reason as fixture_parity.test.ts: float32 summation order, measured ≤ 1.8e-7. */
const PARITY_ATOL = 1e-6;

let work: string;
beforeAll(async () => {
  await switchBackend('cpu');
  work = mkdtempSync(join(tmpdir(), 'k2t-write-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function sha(bytes: Uint8Array | ArrayBuffer): string {
  return createHash('sha256').update(bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : bytes).digest('hex');
}

function files(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).sort().map((n) => [n, sha(readFileSync(join(dir, n)))]));
}

describe('model.json and weights', () => {
  it('writes the layers-model format with who made it', async () => {
    const { artifacts } = await convert(SEED, DROPOUT);
    expect(artifacts.format).toBe('layers-model');
    expect(artifacts.generatedBy).toBe('keras v3.15.1');
    expect(artifacts.convertedBy).toBe(`keras2tfjs ${KERAS2TFJS_VERSION}`);
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(KERAS2TFJS_VERSION).toBe(pkg.version);
    expect(artifacts.weightSpecs?.map((w) => w.name)).toEqual(['dense/kernel', 'dense/bias', 'dense_1/kernel', 'dense_1/bias', 'dense_2/kernel', 'dense_2/bias']);
    expect((artifacts.weightData as ArrayBuffer).byteLength).toBe((10000 * 16 + 16 + 16 * 16 + 16 + 16 + 1) * 4);
    expect(artifacts.userDefinedMetadata?.kerasTrainingConfig).toMatchObject({ loss: 'binary_crossentropy', metrics: ['accuracy'] });
  });

  it('gives identical bytes for identical input, in memory and on disk', async () => {
    const a = await convert(SEED, DROPOUT);
    const b = await convert(SEED, DROPOUT);
    expect(JSON.stringify(b.artifacts.modelTopology)).toBe(JSON.stringify(a.artifacts.modelTopology));
    expect(b.artifacts.weightSpecs).toEqual(a.artifacts.weightSpecs);
    expect(sha(b.artifacts.weightData as ArrayBuffer)).toBe(sha(a.artifacts.weightData as ArrayBuffer));
    await convertToDirectory(SEED, join(work, 'one'), DROPOUT);
    await convertToDirectory(SEED, join(work, 'two'), DROPOUT);
    expect(files(join(work, 'two'))).toEqual(files(join(work, 'one')));
  });

  it('cuts shards at shardSizeBytes, reports the files, and the directory loads back', async () => {
    const dir = join(work, 'sharded');
    const report = await convertToDirectory(SEED, dir, { ...DROPOUT, shardSizeBytes: 100_000 });
    const total = report.weightBytes;
    const shards = Math.ceil(total / 100_000);
    expect(report.files).toEqual(['model.json', ...Array.from({ length: shards }, (_, i) => `group1-shard${i + 1}of${shards}.bin`)]);
    expect(readdirSync(dir).sort()).toEqual([...(report.files as string[])].sort());
    const model = await loadLayersModel(fileSystem(dir));
    const x = tf.tensor(Float32Array.from(loadFixture('seed_lambda', 'x.npy').data as ArrayLike<number>), [32, 10000]);
    const y = model.predict(x) as tf.Tensor;
    const want = loadFixture('seed_lambda', 'y_infer.npy').data as Float32Array;
    const got = y.dataSync();
    for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThanOrEqual(PARITY_ATOL);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('reports progress from 0 to 1 in order', async () => {
    const seen: Array<[number, string]> = [];
    await convertToDirectory(SEED, join(work, 'progress'), { ...DROPOUT, onProgress: (f, s) => seen.push([f, s]) });
    const fractions = seen.map(([f]) => f);
    expect(fractions[0]).toBe(0);
    expect(fractions[fractions.length - 1]).toBe(1);
    expect([...fractions].sort((p, q) => p - q)).toEqual(fractions);
    expect(seen.map(([, s]) => s)).toContain('weights');
  });
});

describe('quantization, as the official tensorflowjs converter does it', () => {
  const official = JSON.parse(readFileSync(new URL('../quantization_expected.json', import.meta.url), 'utf8')) as {
    weights: Record<string, { name: string } & Record<'float16' | 'uint8' | 'uint16', { sha256: string; min?: number; scale?: number }>>;
  };
  const plain = convert(`${DATA}zoo_tfk.h5`);

  for (const dtype of ['float16', 'uint8', 'uint16'] as const) {
    it(`--quantize ${dtype}: same bytes, min and scale for every weight; the model loads`, async () => {
      const { artifacts: ref } = await plain;
      const { artifacts, report } = await convert(`${DATA}zoo_tfk.h5`, { quantize: dtype });
      expect(report.quantize).toBe(dtype);
      const refSpecs = ref.weightSpecs ?? [];
      const specs = artifacts.weightSpecs ?? [];
      const refBytes = new Uint8Array(ref.weightData as ArrayBuffer);
      const bytes = new Uint8Array(artifacts.weightData as ArrayBuffer);
      let offRef = 0;
      let off = 0;
      let compared = 0;
      for (let i = 0; i < specs.length; i++) {
        const n = refSpecs[i].shape.reduce((a, b) => a * b, 1);
        const width = dtype === 'uint8' ? 1 : 2;
        const original = refBytes.subarray(offRef, offRef + 4 * n);
        const q = bytes.subarray(off, off + width * n);
        offRef += 4 * n;
        off += width * n;
        const want = official.weights[sha(original)];
        expect(want, `the official converter saw ${specs[i].name}`).toBeDefined();
        expect(sha(q), `${specs[i].name} bytes`).toBe(want[dtype].sha256);
        expect(specs[i].quantization?.dtype).toBe(dtype);
        if (dtype !== 'float16') {
          expect(specs[i].quantization?.min).toBe(want[dtype].min);
          expect(specs[i].quantization?.scale).toBe(want[dtype].scale);
        }
        compared++;
      }
      expect(compared).toBe(Object.keys(official.weights).length);
      const model = await loadLayersModel(tf.io.fromMemory(artifacts));
      expect(model.countParams()).toBe(report.parameterCount);
      model.dispose();
    });
  }
});
