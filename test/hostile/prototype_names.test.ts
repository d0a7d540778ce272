/**
 * The sweep behind the Object.prototype cases of hostile.test.ts: in a real Keras 3 model with
 * every layer kind the converter maps (zoo_k3.keras, make_test_models.py), every string value of
 * the config in turn is replaced by a name Object.prototype answers to ('constructor', 'toString',
 * '__proto__', ...), and so is every key of every layer config. Each variant must end in a
 * Keras2TfjsError with a known code, or in a conversion tfjs loads with the parameter count the
 * report claims: never another exception (a TypeError from a lookup that found a function) and
 * never a model.json tfjs cannot load.
 */
import { readFileSync } from 'node:fs';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { convert } from '../../src/convert/convert.js';
import { ErrorCode, Keras2TfjsError } from '../../src/errors.js';
import '../../src/index.js';

const ZOO = readFileSync(new URL('../convert/data/zoo_k3.keras', import.meta.url));
const PROTOTYPE_NAMES = [
  'constructor', 'toString', '__proto__', 'valueOf', 'hasOwnProperty', 'isPrototypeOf',
  'propertyIsEnumerable', 'toLocaleString', '__defineGetter__', '__lookupSetter__',
];
const KNOWN_CODES = new Set<string>(Object.values(ErrorCode));

type Json = unknown;
/** Every place in the config: a string value (replace it) or an object key (rename it). */
type Spot = { path: (string | number)[]; kind: 'value' | 'key' };

function spots(value: Json, path: (string | number)[] = [], out: Spot[] = []): Spot[] {
  if (typeof value === 'string') out.push({ path, kind: 'value' });
  else if (Array.isArray(value)) value.forEach((v, i) => spots(v, [...path, i], out));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      // Keys of layer configs (the objects whose parent key is 'config').
      if (path[path.length - 1] === 'config') out.push({ path: [...path, k], kind: 'key' });
      spots(v, [...path, k], out);
    }
  }
  return out;
}

/**
 * The config's JSON text with the spot replaced by `name` (a key renamed in place, order kept).
 * Written as text: an object cannot hold a '__proto__' key made by assignment.
 */
function edited(config: Json, spot: Spot, name: string): string {
  let holder = config as Record<string | number, Json>;
  for (const step of spot.path.slice(0, -1)) holder = holder[step] as Record<string | number, Json>;
  const last = spot.path[spot.path.length - 1];
  const write = (v: Json): string => {
    if (Array.isArray(v)) return `[${v.map((x, i) => write((v as unknown) === holder && i === last ? name : x)).join(',')}]`;
    if (v === null || typeof v !== 'object') return JSON.stringify(v);
    const fields = Object.entries(v).map(([k, x]) => {
      const here = v === holder && k === last;
      return `${JSON.stringify(here && spot.kind === 'key' ? name : k)}:${write(here && spot.kind === 'value' ? name : x)}`;
    });
    return `{${fields.join(',')}}`;
  };
  return write(config);
}

describe('names that are Object.prototype keys, anywhere in a real config', () => {
  const members = unzipSync(new Uint8Array(ZOO));
  const config = JSON.parse(strFromU8(members['config.json']));
  const all = spots(config);

  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it(`${all.length} variants: a typed error or a loadable conversion`, async () => {
    const tally = new Map<string, number>();
    const problems: string[] = [];
    for (const [i, spot] of all.entries()) {
      const name = PROTOTYPE_NAMES[i % PROTOTYPE_NAMES.length];
      const bytes = zipSync({ ...members, 'config.json': strToU8(edited(config, spot, name)) }, { level: 0 });
      const what = `${spot.kind} ${spot.path.join('.')} → '${name}'`;
      try {
        const { artifacts, report } = await convert(bytes, { fileName: 'zoo_k3.keras' });
        const model = await tfl.loadLayersModel(tf.io.fromMemory(artifacts));
        if (model.countParams() !== report.parameterCount) problems.push(`${what}: tfjs counts ${model.countParams()} parameters, the report ${report.parameterCount}`);
        model.dispose();
        tally.set('converted', (tally.get('converted') ?? 0) + 1);
      } catch (e) {
        const typed = e instanceof Keras2TfjsError && KNOWN_CODES.has(e.code) && e.message.startsWith('zoo_k3.keras: ');
        if (!typed) problems.push(`${what}: ${(e as Error)?.name}: ${(e as Error)?.message?.slice(0, 300)}`);
        const key = typed ? (e as Keras2TfjsError).code : 'untyped';
        tally.set(key, (tally.get(key) ?? 0) + 1);
      }
    }
    console.log(`prototype names: ${[...tally].map(([k, n]) => `${k} ${n}`).join(', ')}`);
    expect(problems).toEqual([]);
  });
});
