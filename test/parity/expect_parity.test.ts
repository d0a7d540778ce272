/**
 * keras2tfjs/testing: expectParity resolves to the report when every check passes and throws
 * ParityMismatchError, its message the report's table, when any fails. (An installed package
 * imported by name from an app: test/app/existing_app.test.ts.)
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ParityMismatchError, expectParity } from '../../src/testing.js';
import { switchBackend } from '../helpers/backends.js';
import { FIXTURES_DIR } from '../helpers/fixtures.js';

const KIT = join(FIXTURES_DIR, 'parity_kit_jax');
const FIXTURE = join(KIT, 'fixture');

describe('expectParity', () => {
  beforeAll(async () => {
    await switchBackend('cpu');
  });

  it('resolves to the report when every check passes', async () => {
    const report = await expectParity(join(FIXTURE, 'model.keras'), FIXTURE);
    expect(report.pass).toBe(true);
    expect(report.checks).toHaveLength(26);
  });

  it('throws ParityMismatchError with the table when a check fails', async () => {
    const error = await expectParity(join(KIT, 'other_model.keras'), FIXTURE).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ParityMismatchError);
    const mismatch = error as ParityMismatchError;
    expect(mismatch.report.pass).toBe(false);
    expect(mismatch.message.split('\n')[0]).toBe('the model does not match Keras:');
    expect(mismatch.message).toMatch(/\n {2}inference: label +\S+ +1\.00e-5 +FAIL {2}largest at/);
    expect(mismatch.message).toMatch(/\n\d+ of 26 checks FAIL\.\n$/);
  });
});
