/**
 * verifyParity against parity fixtures real Keras wrote through keras2tfjs.export_parity_fixture
 * (fixtures/parity_kit_tf, parity_kit_jax: a two-input, two-output functional model with
 * BatchNormalization, seeded Dropout, SpatialDropout1D and ManualDropout, Adam, one epoch):
 * every check passes for the model the fixture was made from, on both Keras backends and both
 * tfjs backends; another model fails, in a table that says where; the caller's model is not
 * touched; what a fixture could not record or compare is reported, not passed.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertToDirectory, loadKerasModel } from '../../src/convert/convert.js';
import { ErrorCode } from '../../src/errors.js';
import { ManualDropout } from '../../src/layers/manual_dropout.js';
import { formatParityReport } from '../../src/parity/report_table.js';
import { verifyParity, type ParityReport } from '../../src/parity/verify_parity.js';
import type { KerasOptimizer } from '../../src/train/keras_optimizer.js';
import { TEST_BACKENDS, switchBackend } from '../helpers/backends.js';
import { FIXTURES_DIR } from '../helpers/fixtures.js';

const KIT = { tensorflow: join(FIXTURES_DIR, 'parity_kit_tf'), jax: join(FIXTURES_DIR, 'parity_kit_jax') };
const fixtureOf = (backend: keyof typeof KIT) => join(KIT[backend], 'fixture');

/** The checks the kit's fixtures hold, in the order verifyParity reports them. */
const EXPECTED_CHECKS = [
  'inference: label',
  'inference: value',
  ...[0, 1].flatMap((k) => ['spatial_dropout', 'dropout', 'manual_dropout'].map((l) => `mask call ${k}: ${l}`)),
  ...[0, 1].flatMap((k) => [`training call ${k}: label`, `training call ${k}: value`]),
  ...['dense/kernel', 'batch_norm/gamma', 'batch_norm/beta', 'batch_norm/moving_mean', 'batch_norm/moving_variance',
    'step_dense/kernel', 'step_dense/bias', 'hidden/kernel', 'hidden/bias', 'label/kernel', 'label/bias', 'value/kernel', 'value/bias']
    .map((w) => `resume: ${w}`),
  'resume: loss',
];

function worst(report: ParityReport, prefix: string): number {
  return Math.max(...report.checks.filter((c) => c.name.startsWith(prefix)).map((c) => c.maxAbsDiff ?? Infinity));
}

describe.each(TEST_BACKENDS)('on the tfjs %s backend', (tfjsBackend) => {
  beforeAll(async () => {
    await switchBackend(tfjsBackend);
  });

  it.each(['tensorflow', 'jax'] as const)('the model a %s fixture was made from passes every check', async (kerasBackend) => {
    const before = tf.memory().numTensors;
    const report = await verifyParity(join(fixtureOf(kerasBackend), 'model.keras'), fixtureOf(kerasBackend));
    expect(tf.memory().numTensors).toBe(before);
    expect(report.checks.map((c) => c.name)).toEqual(EXPECTED_CHECKS);
    expect(report.checks.filter((c) => !c.pass)).toEqual([]);
    expect(report.pass).toBe(true);
    expect(report.backend).toBe(kerasBackend);
    expect(report.notRecorded).toEqual([]);
    expect(report.notCompared).toEqual([]);
    expect(report.notes).toEqual([]);
    for (const c of report.checks) expect(c.maxAbsDiff).toBeLessThanOrEqual(c.tolerance as number);
    // Masks are exact; float checks land far inside their bound (a few ulps of summation order).
    expect(worst(report, 'mask')).toBe(0);
    console.log(
      `parity ${kerasBackend} fixture on tfjs ${tfjsBackend}: max |Δ| inference ${worst(report, 'inference')}, training ${worst(report, 'training')}, ` +
        `resume weights ${Math.max(...report.checks.filter((c) => c.name.startsWith('resume') && c.name !== 'resume: loss').map((c) => c.maxAbsDiff as number))}, ` +
        `resume loss ${worst(report, 'resume: loss')}`,
    );
  });
});

describe('failures, and the table that shows them', () => {
  beforeAll(async () => {
    await switchBackend('cpu');
  });

  it('another model (same architecture, other weights) fails inference, training and resume; masks still match', async () => {
    const report = await verifyParity(join(KIT.tensorflow, 'other_model.keras'), fixtureOf('tensorflow'));
    expect(report.pass).toBe(false);
    const failedNames = report.checks.filter((c) => !c.pass).map((c) => c.name);
    expect(failedNames).toEqual(expect.arrayContaining(['inference: label', 'inference: value', 'training call 0: label', 'resume: hidden/kernel', 'resume: loss']));
    expect(report.checks.filter((c) => c.name.startsWith('mask')).every((c) => c.pass)).toBe(true);
    for (const c of report.checks.filter((c) => !c.pass)) {
      expect(c.maxAbsDiff as number).toBeGreaterThan(100 * (c.tolerance as number));
      expect(c.detail).toMatch(/^largest at \[[\d, ]+\]: TypeScript -?\d/);
    }
    const table = formatParityReport(report);
    expect(table.split('\n')[1]).toMatch(/^ {2}check +max \|Δ\| +tolerance +result$/);
    expect(table).toMatch(/\n {2}inference: label +\d\.\d\de[-+]\d+ +1\.00e-5 +FAIL {2}largest at \[/);
    expect(table).toMatch(/\n {2}mask call 0: dropout +0 +exact +pass\n/);
    expect(table.trimEnd().split('\n').at(-1)).toBe(`${failedNames.length} of ${report.checks.length} checks FAIL.`);
  });

  it('the JAX fixture fails the TensorFlow-trained model: other weights, and its ManualDropout draws the TensorFlow stream', async () => {
    const report = await verifyParity(join(fixtureOf('tensorflow'), 'model.keras'), fixtureOf('jax'));
    const manual = report.checks.find((c) => c.name === 'mask call 0: manual_dropout');
    expect(manual?.pass).toBe(false);
    expect(manual?.detail).toMatch(/^\d+ of 64 units kept\/dropped differently: the layer draws the 'tensorflow' stream, the fixture was made on jax$/);
    // Keras Dropout layers follow the fixture's backend (converted with its stream): they match.
    expect(report.checks.find((c) => c.name === 'mask call 0: dropout')?.pass).toBe(true);
  });

  it('a model that cannot run on the fixture (other inputs and outputs) fails each check with the reason, not an exception', async () => {
    const report = await verifyParity(join(FIXTURES_DIR, 'resume_state', 'adam', 'model.keras'), fixtureOf('tensorflow'));
    expect(report.pass).toBe(false);
    const inference = report.checks.find((c) => c.name === 'inference: label');
    expect(inference).toMatchObject({ maxAbsDiff: null, tolerance: null, pass: false });
    expect(inference?.detail).toBe("the model has 1 output(s) [output], Keras' had 2 [label, value]");
    expect(report.checks.find((c) => c.name === 'mask call 0: spatial_dropout')?.detail).toBe("the model has no layer 'spatial_dropout'");
    expect(formatParityReport(report)).toMatch(/\n {2}inference: label +— +— +FAIL {2}the model has 1 output/);
  });
});

describe('models given as objects and folders', () => {
  let work: string;
  beforeAll(async () => {
    await switchBackend('cpu');
    work = await mkdtemp(join(tmpdir(), 'k2t-parity-'));
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it("a LayersModel from loadKerasModel(compile) passes, and is not trained, called in training or re-streamed", async () => {
    const fixture = fixtureOf('tensorflow');
    const model = await loadKerasModel(join(fixture, 'model.keras'), { compile: true, exactDropout: true, rng: 'tensorflow' });
    const weights = model.getWeights().map((w) => Array.from(w.dataSync()));
    const optimizer = model.optimizer as KerasOptimizer;
    const iterations = optimizer.iterations;
    const report = await verifyParity(model, fixture);
    expect(report.model).toBe('the given LayersModel');
    expect(report.checks.filter((c) => !c.pass)).toEqual([]);
    expect(report.checks).toHaveLength(EXPECTED_CHECKS.length);
    expect(model.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(weights);
    expect(optimizer.iterations).toBe(iterations);
    expect((model.getLayer('dropout') as ManualDropout).callCount).toBe(0);
    optimizer.dispose();
    model.dispose();
  });

  it('an uncompiled LayersModel: inference and training pass, each resume check fails saying what to pass instead', async () => {
    const fixture = fixtureOf('jax');
    const model = await loadKerasModel(join(fixture, 'model.keras'), { exactDropout: true, rng: 'jax' });
    const report = await verifyParity(model, fixture);
    const resume = report.checks.filter((c) => c.name.startsWith('resume'));
    expect(report.checks.filter((c) => !c.pass)).toEqual(resume);
    expect(resume[0].detail).toBe(
      "the model is not compiled with a Keras-exact optimizer (KerasSGD, KerasRMSprop, KerasAdam, KerasAdamW) holding Keras' state; pass the Keras file, or a model from loadKerasModel(file, {compile: true})",
    );
    model.dispose();
  });

  it('a converted tfjs model folder (model.json): the same inference and training checks pass', async () => {
    const dir = join(work, 'web_model');
    await convertToDirectory(join(fixtureOf('tensorflow'), 'model.keras'), dir, { exactDropout: true, rng: 'tensorflow' });
    const report = await verifyParity(dir, fixtureOf('tensorflow'));
    expect(report.model).toBe(dir);
    expect(report.checks.filter((c) => !c.pass).map((c) => c.name)).toEqual(EXPECTED_CHECKS.filter((n) => n.startsWith('resume')));
  });

  it('a fixture folder without parity.json, or with another format, is an error naming it', async () => {
    await expect(verifyParity(join(fixtureOf('tensorflow'), 'model.keras'), work)).rejects.toMatchObject({
      code: ErrorCode.FILE_NOT_FOUND,
      message: `${work.split('/').pop()}: no parity.json; pass the folder keras2tfjs.export_parity_fixture wrote`,
    });
    const bad = join(work, 'bad');
    await mkdir(bad);
    await writeFile(join(bad, 'parity.json'), JSON.stringify({ format: 'something-else' }));
    await expect(verifyParity(join(fixtureOf('tensorflow'), 'model.keras'), bad)).rejects.toMatchObject({
      code: ErrorCode.CORRUPT_FILE,
      message: 'parity.json is not a keras2tfjs parity fixture (format "something-else")',
    });
  });
});

describe('SpatialDropout2D (both data formats) and SpatialDropout3D', () => {
  beforeAll(async () => {
    await switchBackend('cpu');
  });

  it('draw the masks Keras drew, one value per sample and channel, and the model passes', async () => {
    const dir = join(KIT.tensorflow, 'spatial_dropouts');
    const report = await verifyParity(join(dir, 'model.keras'), dir);
    const masks = report.checks.filter((c) => c.name.startsWith('mask'));
    expect(masks.map((c) => c.name)).toEqual(
      [0, 1].flatMap((k) => ['spatial_2d', 'spatial_2d_cf', 'spatial_3d'].map((l) => `mask call ${k}: ${l}`)),
    );
    expect(report.checks.filter((c) => !c.pass)).toEqual([]);
    // Keras' noise shapes: the batch and channel axes, 1 on every spatial axis.
    const parity = JSON.parse(await readFile(join(dir, 'parity.json'), 'utf8')) as { training: { calls: Array<{ masks: Array<{ layer: string; shape: number[] }> }> } };
    expect(parity.training.calls[0].masks.map((m) => [m.layer, m.shape])).toEqual([
      ['spatial_2d', [8, 1, 1, 3]],
      ['spatial_2d_cf', [8, 3, 1, 1]],
      ['spatial_3d', [8, 1, 1, 1, 3]],
    ]);
  });
});

describe('what a fixture could not record or compare', () => {
  beforeAll(async () => {
    await switchBackend('cpu');
  });

  it('a bias right before BatchNormalization: its resumed values and the moving mean are listed as not compared, the rest pass', async () => {
    const dir = join(KIT.tensorflow, 'bias_before_bn');
    const report = await verifyParity(join(dir, 'model.keras'), dir);
    expect(report.pass).toBe(true);
    expect(report.notCompared.map((n) => n.name)).toEqual(['resume: dense/bias', 'resume: batch_norm/moving_mean']);
    expect(report.notCompared[0].why).toMatch(/^'dense' adds a bias right before BatchNormalization 'batch_norm'.*use_bias=False/);
    expect(report.checks.map((c) => c.name)).not.toContain('resume: dense/bias');
    expect(formatParityReport(report)).toContain("\nnot compared (resume: dense/bias): 'dense' adds a bias");
  });

  it('an unseeded Dropout: inference is checked; training and resumed training are listed as not recorded, with the fix', async () => {
    const dir = join(KIT.tensorflow, 'unseeded_dropout');
    const report: ParityReport = await verifyParity(join(dir, 'model.keras'), dir);
    expect(report.checks.map((c) => c.name)).toEqual(['inference: label']);
    expect(report.pass).toBe(true);
    expect(report.notRecorded).toEqual([
      {
        what: 'training',
        layer: 'dropout',
        why: 'Dropout has no seed, so Keras draws a random one each time the model is loaded',
        fix: 'give it a seed: Dropout(..., seed=1234)',
      },
      {
        what: 'resume',
        layer: null,
        why: "training draws random numbers TypeScript cannot replay (see the 'training' entries)",
        fix: 'fix those layers as they say',
      },
    ]);
    expect(formatParityReport(report)).toContain("\nnot recorded (training, layer 'dropout'): Dropout has no seed");
  });
});

// Models handed to verifyParity as objects must be left registered as they were.
afterAll(() => {
  tf.disposeVariables();
});

export type { LayersModel };
