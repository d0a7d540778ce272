/**
 * The JSON dialect of tf.keras SavedModel metadata (json_utils.Encoder + Python's json).
 */
import { describe, expect, it } from 'vitest';
import { parseKerasJson } from '../../../src/convert/read/saved_model_json.js';

describe('parseKerasJson', () => {
  it('decodes __tuple__ and TensorShape objects to lists, recursively', () => {
    const text =
      '{"batch_input_shape": {"class_name": "__tuple__", "items": [null, {"class_name": "__tuple__", "items": [1, 2]}]},' +
      ' "build_input_shape": {"class_name": "TensorShape", "items": [null, 28]}, "unknown": {"class_name": "TensorShape", "items": null},' +
      ' "layer": {"class_name": "Dense", "config": {"units": 3}}}';
    expect(parseKerasJson(text)).toEqual({
      batch_input_shape: [null, [1, 2]],
      build_input_shape: [null, 28],
      unknown: null,
      layer: { class_name: 'Dense', config: { units: 3 } },
    });
  });

  it("reads Python's bare NaN / Infinity / -Infinity, but not inside strings", () => {
    const parsed = parseKerasJson('{"a": NaN, "b": [Infinity, -Infinity], "c": "NaN and Infinity", "d": "say \\"NaN\\""}') as Record<string, unknown>;
    expect(parsed.a).toBeNaN();
    expect(parsed.b).toEqual([Infinity, -Infinity]);
    expect(parsed.c).toBe('NaN and Infinity');
    expect(parsed.d).toBe('say "NaN"');
  });

  it('rejects what is not JSON', () => {
    expect(() => parseKerasJson('{"a": ')).toThrow(SyntaxError);
    expect(() => parseKerasJson('{"a": NaN')).toThrow(SyntaxError);
  });
});
