/**
 * readPickle against what Python's pickle module writes (protocols 0–5) and what numpy writes
 * for object arrays (pickles/, make_pickles.py, values in expected.json), and its bounds: shared
 * references stay shared, memory is refused past the budget, nothing outside the pickle is called.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PickleCall, PickleError, PickleGlobal, readPickle } from '../../../src/formats/python/pickle.js';

const DIR = new URL('./pickles/', import.meta.url).pathname;
const expected = JSON.parse(readFileSync(`${DIR}expected.json`, 'utf8')) as Record<string, unknown>;

/**
 * Our value in expected.json's notation (see make_pickles.py). Protocols before 3 (bytes) and 4
 * (sets) have no opcode for those: Python writes a call (`_codecs.encode(text, 'latin1')`,
 * `set([...])`), which the reader records and never makes; here the call is read back as data.
 */
function toJson(v: unknown): unknown {
  if (v instanceof PickleCall && v.callable instanceof PickleGlobal) {
    const { module, name } = v.callable;
    if (module === '_codecs' && name === 'encode') return { bytes: Array.from(v.args[0] as string, (c) => c.charCodeAt(0)) };
    if (module === '__builtin__' || module === 'builtins') {
      if (name === 'bytes' && v.args.length === 0) return { bytes: [] };
      if (name === 'set' || name === 'frozenset') return toJson(v.args[0] ?? []);
    }
  }
  if (typeof v === 'bigint') return { bigint: String(v) };
  if (v instanceof Uint8Array) return { bytes: Array.from(v) };
  if (v instanceof Map) return { dict: [...v].map(([k, x]) => [toJson(k), toJson(x)]) };
  if (Array.isArray(v)) return v.map(toJson);
  return v;
}

describe('readPickle reads what Python writes', () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.pickle'));
  for (const file of files.filter((f) => !f.startsWith('ndarray'))) {
    it(file, () => {
      const name = file.split('.')[0];
      const value = readPickle(readFileSync(`${DIR}${file}`));
      let json = toJson(value) as unknown[];
      // Sets come back in pickle order; expected.json sorts them.
      if (name === 'containers') json = json.map((x, i) => (i >= 9 ? [...(x as number[])].sort() : x));
      expect(json).toEqual(expected[name]);
    });
  }

  it('keeps shared references shared (one list, not copies)', () => {
    for (const protocol of [0, 2, 5]) {
      const [a, b, d] = readPickle(readFileSync(`${DIR}shared.p${protocol}.pickle`)) as [unknown[], unknown[], Map<string, unknown>];
      expect(a).toBe(b);
      expect(d.get('again')).toBe(a);
    }
  });

  for (const protocol of [2, 3, 4, 5]) {
    it(`numpy object array, protocol ${protocol}: a call to _reconstruct whose state holds the items`, () => {
      const value = readPickle(readFileSync(`${DIR}ndarray.p${protocol}.pickle`));
      expect(value).toBeInstanceOf(PickleCall);
      const call = value as PickleCall;
      expect(call.callable).toBeInstanceOf(PickleGlobal);
      expect((call.callable as PickleGlobal).name).toBe('_reconstruct');
      expect(toJson((call.state as unknown[])[4])).toEqual(expected.ndarray);
    });
  }
});

describe('readPickle is bounded and runs nothing', () => {
  it('names a global and a call instead of resolving or calling them', () => {
    const command = new TextEncoder().encode('touch /tmp/never');
    const bytes = new Uint8Array([0x80, 2, ...new TextEncoder().encode('cos\nsystem\n'), 0x58, command.length, 0, 0, 0, ...command, 0x85, 0x52, 0x2e]);
    const value = readPickle(bytes) as PickleCall;
    expect(value.callable).toEqual(new PickleGlobal('os', 'system'));
    expect(value.args).toEqual(['touch /tmp/never']);
  });

  it('refuses one-byte objects past its memory budget (EMPTY_LIST 100,000 times)', () => {
    const bytes = new Uint8Array(100_003);
    bytes.set([0x80, 2, 0x28]); // PROTO 2, MARK
    bytes.fill(0x5d, 3); // EMPTY_LIST ...
    expect(() => readPickle(bytes, { memoryBudget: 1 << 20 })).toThrow(PickleError);
  });

  it('refuses what needs the writer: persistent ids, extensions, out-of-band buffers', () => {
    for (const op of [0x51, 0x82, 0x97]) {
      expect(() => readPickle(new Uint8Array([0x80, 5, 0x4e, op, 0, 0x2e]))).toThrow(PickleError);
    }
  });

  it('refuses truncated streams and text ints longer than Python writes', () => {
    expect(() => readPickle(new Uint8Array([0x80, 2, 0x5d]))).toThrow(PickleError);
    const long = new TextEncoder().encode(`L${'9'.repeat(5000)}\n.`);
    expect(() => readPickle(long)).toThrow(PickleError);
  });
});
