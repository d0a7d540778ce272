/**
 * HDF5 runs in a worker thread with a deadline. Some damaged files make the HDF5 library loop
 * forever (h5py hangs on them too); the fuzz test found them as single edits of real fixture
 * files, reproduced here. Each must end in BAD_HDF5 naming what HDF5 was reading, and the next
 * file must convert normally on a fresh thread.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convert } from '../../../src/convert/convert.js';
import { hdf5DeadlineMs, setHdf5DeadlineBase } from '../../../src/formats/hdf5/open_hdf5.js';
import { ErrorCode, Keras2TfjsError } from '../../../src/errors.js';
import { fixturePath } from '../../helpers/fixtures.js';

/** A short base deadline, so each hanging file costs half a second, not ten. */
const TEST_DEADLINE_BASE_MS = 500;
/** Time for terminating the stuck thread and reporting, beyond the deadline itself. */
const STOP_MARGIN_MS = 2_000;

const SEED_LAMBDAS = { dropout: { className: 'ManualDropout', config: { rate: 0.5 } } };

/** 'case/file' → its path under fixtures/. */
function fixtureFile(relative: string): string {
  const [name, file] = relative.split('/');
  return fixturePath(name, file);
}

/** The fixture with `length` bytes zeroed at `at`: damaged exactly as the fuzz case was. */
function zeroed(fixture: string, at: number, length: number): Uint8Array {
  const bytes = new Uint8Array(readFileSync(fixtureFile(fixture)));
  bytes.fill(0, at, at + length);
  return bytes;
}

async function caught(p: Promise<unknown>): Promise<Keras2TfjsError> {
  const e = await p.then(() => null, (x: unknown) => x);
  expect(e).toBeInstanceOf(Keras2TfjsError);
  return e as Keras2TfjsError;
}

describe('HDF5 that never finishes', () => {
  beforeAll(() => setHdf5DeadlineBase(TEST_DEADLINE_BASE_MS));
  afterAll(() => setHdf5DeadlineBase(null));

  it.each([
    ['builtin_dropout/model.h5', 8592, 52, {}],
    ['seed_lambda_tfkeras/model.h5', 6037, 49, { lambdas: SEED_LAMBDAS }],
  ])('%s with %i.. zeroed is refused with BAD_HDF5 within the deadline', async (fixture, at, length, options) => {
    const bytes = zeroed(fixture, at, length);
    const started = performance.now();
    const err = await caught(convert(bytes, { ...options, fileName: 'damaged.h5' }));
    const elapsed = performance.now() - started;
    expect(err.code).toBe(ErrorCode.BAD_HDF5);
    expect(err.message).toMatch(/^damaged\.h5: the HDF5 library did not finish reading attribute 'model_config' of '\/' within 0\.5 s \(the file is damaged/);
    expect(err.message).not.toContain('\n');
    expect(elapsed).toBeLessThan(hdf5DeadlineMs(bytes.length) + STOP_MARGIN_MS);
    // The stuck thread was replaced: the intact file converts.
    const { report } = await convert(fixtureFile(fixture), options);
    expect(report.parameterCount).toBeGreaterThan(0);
  });
});

describe('one HDF5 thread for every file', () => {
  it('serves conversions running at the same time', async () => {
    const files = [fixtureFile('builtin_dropout/model.h5'), fixtureFile('builtin_dropout/model.keras'), fixtureFile('seed_lambda_tfkeras/model.h5')];
    const options = { lambdas: SEED_LAMBDAS };
    const alone: number[] = [];
    for (const f of files) alone.push((await convert(f, options)).report.parameterCount);
    const together = await Promise.all([...files, ...files].map(async (f) => (await convert(f, options)).report.parameterCount));
    expect(together).toEqual([...alone, ...alone]);
  });
});

describe('the deadline', () => {
  it('is 10 s plus 1 s per 10 MB of file', () => {
    expect(hdf5DeadlineMs(0)).toBe(10_000);
    expect(hdf5DeadlineMs(100_000_000)).toBe(20_000);
  });
});
