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

describe('keras2tfjs demo', () => {
  let summary: DemoSummary;
  const { io, text } = captureIo();

  it('runs all five steps on the cpu backend', async () => {
    summary = await runDemoWith(
      { epochs: 2, batchSize: 128, trainSamples: 256, valSamples: 128, samples: 5, outDir, backend: 'cpu', json: false },
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

describe('demo arguments', () => {
  it('has the defaults the README promises', () => {
    expect(parseDemoArgs([])).toMatchObject({ epochs: 8, batchSize: 512, outDir: 'demo-output', json: false });
  });
  it('refuses a bad number with a usage error', () => {
    expect(() => parseDemoArgs(['--epochs', 'zero'])).toThrow("--epochs must be a positive integer; got 'zero'");
  });
});
