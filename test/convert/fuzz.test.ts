/**
 * Fuzzing with real Keras files (fixture and zoo models in .keras and .h5): thousands of seeded
 * mutations — flipped bytes, cut files, overwritten or removed spans — each converted from
 * memory and, for a sample, into a directory. Every case must end as a correct conversion or a
 * Keras2TfjsError; never another exception, a hang (each file runs under the test timeout) or
 * a stray file. Failures print the seed and mutation so they can be replayed.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convert, convertToDirectory } from '../../src/convert/convert.js';
import { Keras2TfjsError } from '../../src/errors.js';
import { fixturePath } from '../helpers/fixtures.js';

const DATA = new URL('./data/', import.meta.url).pathname;
/** Mutations per input file; the four files make 2,400 cases in about half a minute. */
const CASES_PER_FILE = 600;
/** Every how many cases the mutation is also converted to a directory (slower: real writes). */
const DIRECTORY_EVERY = 25;

const INPUTS: Array<{ name: string; bytes: Uint8Array }> = [
  { name: 'builtin.keras', bytes: new Uint8Array(readFileSync(fixturePath('builtin_dropout', 'model.keras'))) },
  { name: 'builtin.h5', bytes: new Uint8Array(readFileSync(fixturePath('builtin_dropout', 'model.h5'))) },
  { name: 'zoo.keras', bytes: new Uint8Array(readFileSync(`${DATA}zoo_k3.keras`)) },
  { name: 'zoo_tfk.h5', bytes: new Uint8Array(readFileSync(`${DATA}zoo_tfk.h5`)) },
];

/** mulberry32: a tiny seeded PRNG, so every case can be replayed from its seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mutate(src: Uint8Array, seed: number): { bytes: Uint8Array; what: string } {
  const r = rng(seed);
  const int = (n: number): number => Math.floor(r() * n);
  const kind = int(4);
  const bytes = new Uint8Array(src);
  if (kind === 0) {
    const n = 1 + int(8);
    for (let i = 0; i < n; i++) bytes[int(bytes.length)] ^= 1 << int(8);
    return { bytes, what: `flip ${n} bits` };
  }
  if (kind === 1) {
    const at = int(src.length);
    return { bytes: src.slice(0, at), what: `cut at ${at}` };
  }
  if (kind === 2) {
    const at = int(src.length);
    const len = 1 + int(64);
    for (let i = at; i < Math.min(src.length, at + len); i++) bytes[i] = int(256);
    return { bytes, what: `overwrite ${len} bytes at ${at}` };
  }
  const at = int(src.length);
  const len = 1 + int(256);
  const out = new Uint8Array(src.length - Math.min(len, src.length - at));
  out.set(src.subarray(0, at));
  out.set(src.subarray(at + len), at);
  return { bytes: out, what: `remove ${len} bytes at ${at}` };
}

let work: string;
const outcomes = { converted: 0, refused: new Map<string, number>() };

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'k2t-fuzz-'));
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  console.log(`fuzz: ${outcomes.converted} converted, refused ${[...outcomes.refused].map(([c, n]) => `${c} ${n}`).join(', ')}`);
});

describe('fuzzed Keras files', () => {
  for (const [k, input] of INPUTS.entries()) {
    it(`${input.name}: ${CASES_PER_FILE} mutations end in a conversion or a Keras2TfjsError`, async () => {
      const parent = join(work, input.name);
      for (let i = 0; i < CASES_PER_FILE; i++) {
        const seed = 1000 * (k + 1) + i;
        const { bytes, what } = mutate(input.bytes, seed);
        const label = `${input.name} seed ${seed} (${what})`;
        try {
          const { artifacts } = await convert(bytes, { fileName: input.name });
          expect(artifacts.weightSpecs?.length, label).toBeGreaterThan(0);
          outcomes.converted++;
        } catch (e) {
          if (!(e instanceof Keras2TfjsError)) throw new Error(`${label}: crashed with ${String(e)}`);
          expect(e.message.startsWith(`${input.name}: `) || e.code === 'INVALID_ARGUMENT', `${label}: ${e.message}`).toBe(true);
          outcomes.refused.set(e.code, (outcomes.refused.get(e.code) ?? 0) + 1);
        }
        if (i % DIRECTORY_EVERY === 0) {
          const path = join(work, `${input.name}.${i}`);
          writeFileSync(path, bytes);
          const before = readdirSync(work).sort();
          try {
            await convertToDirectory(path, join(parent, `out${i}`));
          } catch (e) {
            if (!(e instanceof Keras2TfjsError)) throw new Error(`${label}: convertToDirectory crashed with ${String(e)}`);
            expect(readdirSync(work).sort(), `${label}: no stray files`).toEqual(before);
          }
          rmSync(path);
        }
      }
    });
  }
});
