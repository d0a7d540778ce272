/**
 * Keras VarianceScaling(distribution='truncated_normal') in real Keras 3 and tf_keras files
 * (made by make_initializer_models.py) becomes tfjs' 'normal', which tfjs draws as a normal cut
 * at ±2σ, like Keras. Any other name tfjs would silently draw as uniform. What Keras draws from
 * the same initializer is in initializers_expected.json.
 */
import { readFileSync } from 'node:fs';
import { dispose, memory, type Tensor } from '@tensorflow/tfjs-core';
import { models } from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { convert } from '../../../src/convert/convert.js';

const DATA = new URL('../data/', import.meta.url).pathname;
const EXPECTED = JSON.parse(readFileSync(`${DATA}initializers_expected.json`, 'utf8')).models as Record<
  string,
  { shape: [number, number]; std: number; maxAbs: number }
>;

/**
 * Relative tolerance between two independent draws of 10⁶ values: the sample std's relative
 * error is ~1/sqrt(2·10⁶) ≈ 0.07%, and the largest |x| of 10⁶ draws from a normal cut at 2σ lies
 * within ~0.1% of the cut. A uniform draw of the same std differs by 24% in max|x| / std.
 */
const DRAW_TOLERANCE = 0.01;
/**
 * Keras widens σ by 1/0.87962566103423978 (the std of a standard normal cut at ±2) so that the
 * variance after the cut is scale / fan_in; tfjs' VarianceScaling does not, for every truncated
 * initializer (its GlorotNormal, HeNormal... too). So tfjs' draws are narrower by this factor.
 */
const TFJS_STD_RATIO = 0.87962566103423978;

function relative(a: number, b: number): number {
  return Math.abs(a - b) / Math.abs(b);
}

describe.each(Object.keys(EXPECTED))('%s: VarianceScaling truncated_normal', (file) => {
  it("converts to tfjs 'normal' with the file's scale and mode", async () => {
    const { model } = await convert(`${DATA}${file}`);
    const layers = (model.modelTopology.config as { layers: Array<{ config: Record<string, unknown> }> }).layers;
    const vs = layers.find((l) => l.config.name === 'vs');
    expect(vs?.config.kernel_initializer).toEqual({ class_name: 'VarianceScaling', config: { scale: 2, mode: 'fan_in', distribution: 'normal', seed: null } });
  });

  it('tfjs then draws the cut normal Keras draws (not a uniform)', async () => {
    const { model } = await convert(`${DATA}${file}`);
    const layers = (model.modelTopology.config as { layers: Array<{ config: Record<string, unknown> }> }).layers;
    const json = layers.find((l) => l.config.name === 'vs')?.config.kernel_initializer as Record<string, unknown>;
    // tfjs' own deserialization (snake_case → camelCase) of the converted initializer.
    const init = (await models.modelFromJSON({ modelTopology: json } as never)) as unknown as { apply(shape: number[]): Tensor };
    const before = memory().numTensors;
    const keras = EXPECTED[file];
    const w = init.apply(keras.shape);
    const values = w.dataSync();
    dispose(w);
    expect(memory().numTensors).toBe(before);
    let sum = 0;
    let sq = 0;
    let maxAbs = 0;
    for (const v of values) {
      sum += v;
      sq += v * v;
      maxAbs = Math.max(maxAbs, Math.abs(v));
    }
    const mean = sum / values.length;
    const std = Math.sqrt(sq / values.length - mean * mean);
    // The same family: a normal cut at ±2σ has max|x| / std = 2 / 0.8796 in both (uniform: √3).
    expect(relative(maxAbs / std, keras.maxAbs / keras.std)).toBeLessThan(DRAW_TOLERANCE);
    expect(relative(std, keras.std * TFJS_STD_RATIO)).toBeLessThan(DRAW_TOLERANCE);
  });
});
