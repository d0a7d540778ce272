/**
 * `expectParity`, for the tests of an app that ships a Keras model: passes when every check of
 * the fixture passes, else throws an error whose message is the report's table. It only throws,
 * so it works in vitest, jest, node:test or mocha alike:
 *
 *   import { expectParity } from 'keras2tfjs/testing';
 *   test('the model matches Keras', async () => { await expectParity('model.keras', 'parity_fixture'); });
 */
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { formatParityReport } from './report_table.js';
import { verifyParity, type ParityReport, type VerifyParityOptions } from './verify_parity.js';

/** Thrown by expectParity: the table as its message, the whole report beside it. */
export class ParityMismatchError extends Error {
  constructor(readonly report: ParityReport) {
    super(`the model does not match Keras:\n${formatParityReport(report)}`);
    this.name = 'ParityMismatchError';
  }
}

/** verifyParity, throwing ParityMismatchError when any check fails; resolves to the report when all pass. */
export async function expectParity(model: string | LayersModel, fixtureDir: string, options: VerifyParityOptions = {}): Promise<ParityReport> {
  const report = await verifyParity(model, fixtureDir, options);
  if (!report.pass) throw new ParityMismatchError(report);
  return report;
}
