/**
 * Inputs past 2 and 4 GiB (issue 15; issue 16, item 2: any input over 2 GB aborted Node in the
 * fs read). A real Keras archive's members in a .keras of 4.1 GiB: a 4 GiB stored asset (a
 * hole: the file is sparse) sits between config.json and model.weights.h5, so the weights
 * start past 4 GiB, with Zip64 sizes, offsets and end records. The conversion reads only what
 * it needs (counted: a few kilobytes of structure and the weights), never the 4 GiB.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convert, convertToDirectory } from '../../../src/convert/convert.js';
import { fileReadStats } from '../../../src/io/file_source.js';
import { fixturePath } from '../../helpers/fixtures.js';
import { crc32OfZeros, storedMember, writeRawZip } from '../../formats/zip/hostile_archives.js';

const LAMBDAS = { dropout: { className: 'ManualDropout', config: { rate: 0.5 } } };
const HOLE = 2 ** 32 + (1 << 20);

const dir = mkdtempSync(join(tmpdir(), 'keras2tfjs-large-'));
const path = join(dir, 'past_4gib.keras');
let seed: Record<string, Uint8Array>;

beforeAll(() => {
  seed = unzipSync(new Uint8Array(readFileSync(fixturePath('seed_lambda', 'model.keras'))));
  writeRawZip(path, [
    storedMember('metadata.json', seed['metadata.json']),
    storedMember('config.json', seed['config.json']),
    { name: 'assets/padding.bin', method: 0, stored: { hole: HOLE }, size: HOLE, crc32: crc32OfZeros(HOLE) },
    storedMember('model.weights.h5', seed['model.weights.h5']),
  ]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a .keras archive of 4.1 GiB whose weights lie past 4 GiB', () => {
  it('converts as the same model does when small, reading only the weights and the structure', async () => {
    expect(statSync(path).size).toBeGreaterThan(HOLE);
    const before = fileReadStats.bytesRead;
    const big = await convert(path, { lambdas: LAMBDAS });
    const read = fileReadStats.bytesRead - before;
    const small = await convert(fixturePath('seed_lambda', 'model.keras'), { lambdas: LAMBDAS });
    expect(big.model.weights.map((w) => [w.name, w.shape, Array.from(w.data)])).toEqual(small.model.weights.map((w) => [w.name, w.shape, Array.from(w.data)]));
    expect(new Uint8Array(big.artifacts.weightData as ArrayBuffer)).toEqual(new Uint8Array(small.artifacts.weightData as ArrayBuffer));
    // The weights member (1.3 MB), its structure and the archive's directory: nothing of the hole.
    expect(read).toBeGreaterThanOrEqual(seed['model.weights.h5'].length);
    expect(read).toBeLessThan(seed['model.weights.h5'].length + (1 << 20));
  });

  it('converts into a directory, shard by shard', async () => {
    const report = await convertToDirectory(path, join(dir, 'out'), { lambdas: LAMBDAS });
    expect(report.parameterCount).toBe(160_305);
    expect(report.files).toEqual(['model.json', 'group1-shard1of1.bin']);
  });
});
