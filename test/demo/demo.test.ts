/**
 * The main job end to end, small: convert the bundled Python model, check parity, fine-tune with
 * and without dropout, chart, predict, export back to .keras — and the exported file converts back
 * to the same predictions.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { loadLayersModel } from '@tensorflow/tfjs-layers';
import { afterAll, describe, expect, it } from 'vitest';
import { convert } from '../../src/convert/convert.js';
import { runDemoWith, type DemoSummary } from '../../src/demo/run_demo.js';
import { PARITY_TOLERANCE } from '../../src/demo/parity.js';
import { parseDemoArgs } from '../../src/cli/demo.js';

const outDir = mkdtempSync(join(tmpdir(), 'k2t-demo-'));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

function captureIo() {
  let out = '';
  return {
    io: { stdout: { write: (t: string) => (out += t) }, stderr: { write: () => true, isTTY: false } },
    text: () => out,
  };
}

const SMALL = { epochs: 2, batchSize: 128, trainSamples: 256, valSamples: 128, samples: 5, outDir, backend: 'cpu', seed: 42, json: false } as const;

/** What a run prints and returns, without the timings (seconds per epoch differ run to run). */
function numbers(summary: DemoSummary) {
  const epochs = (run: DemoSummary['training']['withDropout']) => run.map(({ seconds: _seconds, ...rest }) => rest);
  return { withDropout: epochs(summary.training.withDropout), withoutDropout: epochs(summary.training.withoutDropout), predictions: summary.predictions };
}

describe('keras2tfjs demo', () => {
  let summary: DemoSummary;
  const { io, text } = captureIo();

  it('runs all five steps on the cpu backend', async () => {
    summary = await runDemoWith(
      SMALL,
      io,
    );
    expect(summary.backend).toBe('cpu');
    for (const step of ['1. Convert', '2. Fine-tune', '3. Loss curves', '4. Predictions', '5. Exported']) {
      expect(text()).toContain(step);
    }
  });

  it('maps the dropout Lambda to ManualDropout and matches Python in both learning phases', () => {
    expect(summary.conversion.mappings.map((m) => [m.layer, m.functionName, m.targetClass])).toEqual([
      ['lambda', 'dropout', 'ManualDropout'],
    ]);
    const parity = summary.parity as Record<string, { maxAbsDiff: number; maskMismatches?: number }>;
    expect(parity.inference.maxAbsDiff).toBeLessThanOrEqual(PARITY_TOLERANCE);
    expect(parity.training.maxAbsDiff).toBeLessThanOrEqual(PARITY_TOLERANCE);
    expect(parity.stream.maxAbsDiff).toBeLessThanOrEqual(PARITY_TOLERANCE);
    expect(parity.stream.maskMismatches).toBe(0);
  });

  it('logs finite epochs for both runs and writes the chart', () => {
    for (const run of [summary.training.withDropout, summary.training.withoutDropout]) {
      expect(run).toHaveLength(2);
      for (const e of run) for (const v of [e.loss, e.accuracy, e.valLoss, e.valAccuracy]) expect(Number.isFinite(v)).toBe(true);
    }
    const svg = readFileSync(summary.outputs.chartSvg, 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<polyline/g)).toHaveLength(4);
  });

  it('predicts the same with dropout removed at test time, and spreads MC-dropout passes', () => {
    for (const p of summary.predictions) {
      expect(p.again).toBe(p.prediction);
      expect(p.mcStd).toBeGreaterThan(0);
    }
  });

  it('exports a .keras file that converts back to the same predictions', async () => {
    expect(existsSync(summary.outputs.exportedKeras)).toBe(true);
    const back = await convert(summary.outputs.exportedKeras);
    expect(back.report.mappings.map((m) => m.targetClass)).toContain('ManualDropout');
    const model = await loadLayersModel(tf.io.fromMemory(back.artifacts));
    const x = tf.zeros([1, 10000]);
    const y = model.predict(x) as tf.Tensor;
    expect(Number.isFinite(y.dataSync()[0])).toBe(true);
    tf.dispose([x, y]);
    model.dispose();
  });
});

describe('the same seed gives the same run', () => {
  it('repeats every number with --seed 42, and another seed gives others', async () => {
    const first = await runDemoWith({ ...SMALL, outDir: join(outDir, 'a') }, captureIo().io);
    const again = await runDemoWith({ ...SMALL, outDir: join(outDir, 'b') }, captureIo().io);
    const other = await runDemoWith({ ...SMALL, outDir: join(outDir, 'c'), seed: 7 }, captureIo().io);
    expect(numbers(again)).toEqual(numbers(first));
    expect(numbers(other).withDropout).not.toEqual(numbers(first).withDropout);
    // Without dropout only the epoch order depends on the seed.
    expect(numbers(other).withoutDropout).not.toEqual(numbers(first).withoutDropout);
  });
});

describe('a wrong --imdb fails before any work', () => {
  it.each([
    ['a path that does not exist', () => join(outDir, 'no-such.npz'), 'FILE_NOT_FOUND', /no-such\.npz: no such file; pass Keras' IMDB file/],
    ['a folder', () => outDir, 'INVALID_ARGUMENT', /: is a folder; pass the imdb\.npz file itself/],
  ])('%s', async (_what, path, code, message) => {
    const { io, text } = captureIo();
    const error = await runDemoWith({ ...SMALL, imdb: path() }, io).then(() => null, (e: unknown) => e);
    expect(error).toMatchObject({ code });
    expect((error as Error).message).toMatch(message);
    expect(text()).toBe('');
  });
});

describe('demo arguments', () => {
  it('has the defaults the README promises', () => {
    expect(parseDemoArgs([])).toMatchObject({ epochs: 8, batchSize: 512, outDir: 'demo-output', seed: 42, json: false });
    expect(parseDemoArgs(['--seed', '0']).seed).toBe(0);
    expect(() => parseDemoArgs(['--seed=-1'])).toThrow("--seed must be an integer from 0 to 4294967295; got '-1'");
  });
  it('refuses a bad number with a usage error', () => {
    expect(() => parseDemoArgs(['--epochs', 'zero'])).toThrow("--epochs must be a positive integer; got 'zero'");
  });
});
