import { describe, expect, it } from 'vitest';
import { countNonFinite } from '../../../src/convert/write/weight_encoder.js';

describe('countNonFinite (the NaN/Inf warning on converted weights)', () => {
  const special = [NaN, Infinity, -Infinity];

  it('counts every NaN and ±Infinity wherever it sits, including the tail after the 4-wide loop', () => {
    for (const length of [1, 2, 3, 4, 5, 7, 8, 9, 1031]) {
      for (let at = 0; at < length; at += Math.max(1, Math.floor(length / 7))) {
        for (const bad of special) {
          const data = Float32Array.from({ length }, (_, i) => (i % 5) - 2.5);
          data[at] = bad;
          expect(countNonFinite(data), `length ${length}, ${bad} at ${at}`).toBe(1);
        }
      }
    }
  });

  it('counts several and ignores extreme finite values, -0 and subnormals', () => {
    const data = new Float32Array([3.4028234663852886e38, -3.4028234663852886e38, -0, 1e-45, -1e-45, NaN, 0, Infinity, -Infinity, 2]);
    expect(countNonFinite(data)).toBe(3);
    expect(countNonFinite(data.subarray(0, 5))).toBe(0);
  });

  it('treats integer weights as finite', () => {
    expect(countNonFinite(new Int32Array([0x7fc00000, -1]))).toBe(0);
  });
});
