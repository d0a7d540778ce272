/**
 * The read-only marshal reader against CPython itself: Lambda code objects serialized the way
 * Keras serializes them, with what `marshal.loads` reads back (marshal_expected.json, from
 * marshal_expected.py). Damaged or hostile data gives null, never an exception or a hang.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { summarizeLambdaCode } from '../../../src/formats/python/marshal.js';

const expected = JSON.parse(readFileSync(new URL('./marshal_expected.json', import.meta.url), 'utf8')) as {
  samples: Array<{ label: string; base64: string; name: string; filename: string; varnames: string[]; names: string[]; consts: unknown[] }>;
};

describe('summarizeLambdaCode', () => {
  for (const s of expected.samples) {
    it(`reads ${s.label} as CPython does`, () => {
      expect(summarizeLambdaCode(s.base64)).toEqual({ name: s.name, filename: s.filename, names: s.names, consts: s.consts, varnames: s.varnames });
    });
  }

  it("reads Keras 1's raw form (one character per byte) too", () => {
    const s = expected.samples.find((x) => x.label === 'named')!;
    const raw = Array.from(atob(s.base64.replace(/\s/g, '')), (c) => c).join('');
    expect(summarizeLambdaCode(raw)?.name).toBe('dropout');
  });

  it('returns null for damaged or hostile data', () => {
    const s = expected.samples[0].base64.replace(/\s/g, '');
    const bytes = atob(s);
    expect(summarizeLambdaCode(btoa(bytes.slice(0, bytes.length >> 1)))).toBeNull();
    expect(summarizeLambdaCode('not marshal at all ✓')).toBeNull();
    expect(summarizeLambdaCode(btoa('('.repeat(1) + '\u00ff\u00ff\u00ff\u007f'))).toBeNull(); // tuple of 2^31 items
    expect(summarizeLambdaCode(btoa(')\u0001'.repeat(200) + 'N'))).toBeNull(); // nested 200 deep
    expect(summarizeLambdaCode(btoa('r\u0005\u0000\u0000\u0000'))).toBeNull(); // reference to nothing
  });
});
