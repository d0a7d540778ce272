/**
 * `keras2tfjs verify MODEL FIXTURE_DIR` on parity fixtures real Keras wrote through
 * keras2tfjs.export_parity_fixture: a table and exit 0 when every check passes (TensorFlow and
 * JAX fixtures), a table with the failing rows and exit 1 for another model, --json, and usage
 * errors (exit 2). Run through the command's entry (runCli, what the bin calls) in this process;
 * the built bin itself runs verify in python/tests/test_readme_parity.py.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import type { ParityReport } from '../../src/parity/verify_parity.js';
import { switchBackend } from '../helpers/backends.js';
import { FIXTURES_DIR } from '../helpers/fixtures.js';

const KIT_TF = join(FIXTURES_DIR, 'parity_kit_tf');
const KIT_JAX = join(FIXTURES_DIR, 'parity_kit_jax');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(...args: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } });
  return { code, stdout, stderr };
}

beforeAll(async () => {
  // What the command picks without tfjs-node (KERAS2TFJS_BACKEND unset): cpu.
  await switchBackend('cpu');
});

describe('keras2tfjs verify', () => {
  it.each([
    ['TensorFlow', KIT_TF],
    ['JAX', KIT_JAX],
  ])('the model a %s fixture was made from: every check passes, exit 0', async (_, kit) => {
    const fixture = join(kit, 'fixture');
    const run = await cli('verify', join(fixture, 'model.keras'), fixture);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^.*model\.keras against the parity fixture .*fixture \(Keras 3\.15\.1 on (tensorflow 2\.21\.0|jax 0\.10\.2), .+\)$/);
    expect(lines[1]).toMatch(/^ {2}check +max \|Δ\| +tolerance +result$/);
    const rows = lines.slice(2, -1);
    expect(rows).toHaveLength(26);
    for (const row of rows) expect(row).toMatch(/^ {2}(inference|mask call \d|training call \d|resume): \S+ +(0|\d\.\d\de-\d+) +(exact|\d\.\d\de-5) +pass$/);
    expect(lines.at(-1)).toBe('All 26 checks pass.');
  });

  it('a different model against the fixture: the failing rows say where, exit 1', async () => {
    const run = await cli('verify', join(KIT_TF, 'other_model.keras'), join(KIT_TF, 'fixture'));
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/\n {2}inference: label +\d\.\d\de-\d +1\.00e-5 +FAIL {2}largest at \[\d+, 0\]: TypeScript [-\d.e]+, Keras [-\d.e]+\n/);
    expect(run.stdout).toMatch(/\n {2}mask call 0: dropout +0 +exact +pass\n/);
    expect(run.stdout).toMatch(/\n\d+ of 26 checks FAIL\.\n$/);
  });

  it('--json prints the report: checks with name, maxAbsDiff, tolerance, pass', async () => {
    const run = await cli('verify', join(KIT_TF, 'other_model.keras'), join(KIT_TF, 'fixture'), '--json');
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as ParityReport;
    expect(report.pass).toBe(false);
    expect(report.backend).toBe('tensorflow');
    expect(Object.keys(report.checks[0]).sort()).toEqual(['detail', 'maxAbsDiff', 'name', 'pass', 'tolerance']);
    expect(report.checks.find((c) => c.name === 'mask call 1: manual_dropout')).toEqual({
      name: 'mask call 1: manual_dropout',
      maxAbsDiff: 0,
      tolerance: 0,
      pass: true,
    });
  });

  it('what the fixture could not record is printed under the table; the checks it has pass', async () => {
    const dir = join(KIT_TF, 'unseeded_dropout');
    const run = await cli('verify', join(dir, 'model.keras'), dir);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      "\nnot recorded (training, layer 'dropout'): Dropout has no seed, so Keras draws a random one each time the model is loaded; give it a seed: Dropout(..., seed=1234)\n",
    );
    expect(run.stdout.trimEnd().split('\n').at(-1)).toBe('The one check passes.');
  });

  it('usage errors exit 2 with the verify usage line; a missing fixture exits 1 naming it', async () => {
    const usage = await cli('verify', join(KIT_TF, 'other_model.keras'));
    expect(usage.code).toBe(2);
    expect(usage.stderr).toBe(
      'keras2tfjs: missing <fixtureDir>\nusage: keras2tfjs verify <model> <fixtureDir> [--lambda <name>=<Class>[:<json>]]... [--json]\n',
    );
    const missing = await cli('verify', join(KIT_TF, 'other_model.keras'), KIT_TF);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('keras2tfjs: parity_kit_tf: no parity.json; pass the folder keras2tfjs.export_parity_fixture wrote [FILE_NOT_FOUND]\n');
  });
});
