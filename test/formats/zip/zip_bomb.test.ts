/**
 * A deflated member that declares 200 MB but inflates to 8 GiB (issue 16, item 5: it cost 345 s
 * of CPU before BAD_ARCHIVE): inflating stops as soon as the output passes the declared size.
 * Bounded by counting, never by a clock: the bytes inflated (the message says where it stopped)
 * and the decode budget's counter.
 */
import { readFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { readSource } from '../../../src/convert/read/read_source.js';
import { ErrorCode, Keras2TfjsError } from '../../../src/errors.js';
import { DecodeBudget } from '../../../src/formats/decode_budget.js';
import { fixturePath } from '../../helpers/fixtures.js';
import { deflateBomb, storedMember, writeRawZip } from './hostile_archives.js';

const dir = mkdtempSync(join(tmpdir(), 'keras2tfjs-bomb-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MIB = 1 << 20;
const DECLARED = 200 * MIB;
const INFLATES_TO = 8192 * MIB;
/** Compressed bytes fed to the inflater at once (zip/inflate.ts) times DEFLATE's ~1032:1 limit. */
const MAX_OVERSHOOT = 16 * 1024 * 1032;

describe('a zip bomb inside a .keras archive', () => {
  it('a member declaring 200 MB that inflates to 8 GiB is stopped just past 200 MB with BAD_ARCHIVE', async () => {
    const seed = unzipSync(new Uint8Array(readFileSync(fixturePath('seed_lambda', 'model.keras'))));
    const path = join(dir, 'bomb.keras');
    writeRawZip(path, [
      storedMember('metadata.json', seed['metadata.json']),
      storedMember('config.json', seed['config.json']),
      { name: 'model.weights.h5', method: 8, stored: deflateBomb(INFLATES_TO), size: DECLARED, crc32: 0 },
    ]);
    // 8.3 MB on disk, 1,032 times less than it inflates to, and within Keras' own bomb rule (it declares only 200 MB).
    expect(statSync(path).size).toBeLessThan(9 * MIB);
    const budget = new DecodeBudget(statSync(path).size);
    const e = await readSource(path, { budget }).then(() => null, (x: unknown) => x);
    expect(e).toBeInstanceOf(Keras2TfjsError);
    expect((e as Keras2TfjsError).code).toBe(ErrorCode.BAD_ARCHIVE);
    const m = /^bomb\.keras: member 'model\.weights\.h5' inflates to more than the 209715200 bytes it declares \(stopped at (\d+)\); refusing a potential zip bomb$/.exec((e as Error).message);
    expect(m, (e as Error).message).not.toBeNull();
    const stoppedAt = Number(m![1]);
    expect(stoppedAt).toBeGreaterThan(DECLARED);
    expect(stoppedAt).toBeLessThanOrEqual(DECLARED + MAX_OVERSHOOT);
    // What was charged: the declared member and the small JSON members, never the 8 GiB.
    expect(budget.used).toBeLessThanOrEqual(DECLARED + seed['config.json'].length + seed['metadata.json'].length);
  });
});
