/**
 * Fuzzing the converter with damaged real model files, one worker-isolated case at a time: byte
 * flips, truncations, zeroed or random runs, cut-out ranges, edits inside .keras zip members
 * (config.json values, keys and class names, member names with '..' or absolute paths, damage
 * inside model.weights.h5), damage to HDF5 headers, and damaged or missing SavedModel files.
 * Inputs: fixture models, the zoo models of test/convert/data (every weight layout the converter
 * maps) and small generated models; some cases are converted from bytes in memory, the rest into a folder.
 *
 * Every case must end in a Keras2TfjsError with a known code and a one-line message that starts
 * with the input's name, or in a conversion that tfjs loads with the parameter count the report
 * claims; never another exception, never a hang (each case runs in a worker thread that is
 * terminated after CASE_TIMEOUT_MS), never a file left behind in the output folder.
 *
 * Deterministic: a fixed PRNG seed picks every mutation (override with KERAS2TFJS_FUZZ_SEED,
 * the count with KERAS2TFJS_FUZZ_CASES; KERAS2TFJS_FUZZ_KEEP=<dir> copies the input of every
 * problem case there for replay). Runs against keras2tfjs compiled into a temporary folder,
 * because a worker thread cannot load TypeScript.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const FUZZ_SEED = Number(process.env.KERAS2TFJS_FUZZ_SEED ?? 20250611);
const CASE_COUNT = Number(process.env.KERAS2TFJS_FUZZ_CASES ?? 3000);
/** Small models convert in milliseconds; a case still running after 5 s is a hang. */
const CASE_TIMEOUT_MS = 5_000;
/**
 * HDF5's deadline inside the cases (the converter's default is 10 s): reading these files takes
 * milliseconds, and the damaged files on which HDF5 loops forever must be refused with BAD_HDF5
 * well within CASE_TIMEOUT_MS.
 */
const HDF5_DEADLINE_BASE_MS = 1_000;
/** Every how many cases of a .keras / .h5 seed the bytes are converted in memory instead. */
const IN_MEMORY_EVERY = 5;
/**
 * The whole run of cases (not the one-off compile) must stay well under 90 s on 2 shared cores:
 * 3000 cases take ~40 s there; a case near its deadline, or a slower conversion, shows here.
 */
const TIME_BUDGET_MS = 75_000;

/** If set, the input of every problem case is copied there, to reproduce it outside the test. */
const KEEP_DIR = process.env.KERAS2TFJS_FUZZ_KEEP;

const SEED_LAMBDAS = { dropout: { className: 'ManualDropout', config: { rate: 0.5 } } };

interface SeedModel {
  name: string;
  /** Path of the real file or SavedModel directory. */
  path: string;
  kind: 'zip' | 'h5' | 'savedmodel';
  options: Record<string, unknown>;
}

const DATA = join(ROOT, 'test/convert/data');

const SEEDS: SeedModel[] = [
  { name: 'builtin_dropout/model.keras', path: join(ROOT, 'fixtures/builtin_dropout/model.keras'), kind: 'zip', options: {} },
  { name: 'zoo_k3.keras', path: join(DATA, 'zoo_k3.keras'), kind: 'zip', options: {} },
  { name: 'zoo_tfk.h5', path: join(DATA, 'zoo_tfk.h5'), kind: 'h5', options: {} },
  { name: 'builtin_dropout/model.h5', path: join(ROOT, 'fixtures/builtin_dropout/model.h5'), kind: 'h5', options: { exactDropout: true } },
  { name: 'seed_lambda_tfkeras/model.h5', path: join(ROOT, 'fixtures/seed_lambda_tfkeras/model.h5'), kind: 'h5', options: { lambdas: SEED_LAMBDAS } },
  { name: 'seed_lambda/model.keras', path: join(ROOT, 'fixtures/seed_lambda/model.keras'), kind: 'zip', options: { lambdas: SEED_LAMBDAS } },
  { name: 'k3_values.keras', path: join(DATA, 'k3_values.keras'), kind: 'zip', options: {} },
  { name: 'manual_dropout_tf/model.h5', path: join(ROOT, 'fixtures/manual_dropout_tf/model.h5'), kind: 'h5', options: {} },
  { name: 'seed_lambda_tfkeras/saved_model', path: join(ROOT, 'fixtures/seed_lambda_tfkeras/saved_model'), kind: 'savedmodel', options: { lambdas: SEED_LAMBDAS } },
];

// ------------------------------------------------------------------ deterministic PRNG

/** mulberry32: tiny, fast, and the same sequence on every machine. */
class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
}

// ------------------------------------------------------------------ byte mutations

/** A mutated copy of `bytes` and a description that reproduces it. */
type Mutation = { bytes: Uint8Array; what: string };

function flip(rng: Rng, bytes: Uint8Array, window = bytes.length): Mutation {
  const out = bytes.slice();
  const n = 1 + rng.int(4);
  const at: string[] = [];
  for (let i = 0; i < n; i++) {
    const pos = rng.int(Math.max(1, Math.min(window, out.length)));
    const mask = 1 + rng.int(255);
    out[pos] ^= mask;
    at.push(`${pos}^0x${mask.toString(16)}`);
  }
  return { bytes: out, what: `flip ${at.join(',')}` };
}

function truncated(rng: Rng, bytes: Uint8Array): Mutation {
  const keep = rng.int(bytes.length);
  return { bytes: bytes.slice(0, keep), what: `truncate to ${keep}` };
}

function zeroRun(rng: Rng, bytes: Uint8Array): Mutation {
  const out = bytes.slice();
  const pos = rng.int(out.length);
  const len = 1 + rng.int(64);
  out.fill(0, pos, pos + len);
  return { bytes: out, what: `zero ${len} at ${pos}` };
}

function cutOut(rng: Rng, bytes: Uint8Array): Mutation {
  const pos = rng.int(bytes.length);
  const len = Math.min(1 + rng.int(256), bytes.length - pos);
  const out = new Uint8Array(bytes.length - len);
  out.set(bytes.subarray(0, pos));
  out.set(bytes.subarray(pos + len), pos);
  return { bytes: out, what: `cut ${len} at ${pos}` };
}

function randomRun(rng: Rng, bytes: Uint8Array): Mutation {
  const out = bytes.slice();
  const pos = rng.int(out.length);
  const len = 1 + rng.int(64);
  for (let i = pos; i < Math.min(out.length, pos + len); i++) out[i] = rng.int(256);
  return { bytes: out, what: `random ${len} at ${pos}` };
}

function anyByteMutation(rng: Rng, bytes: Uint8Array): Mutation {
  return rng.pick([flip, truncated, zeroRun, randomRun, cutOut])(rng, bytes);
}

/** HDF5 keeps its superblock, object headers and B-trees up front: hit them harder. */
function h5Mutation(rng: Rng, bytes: Uint8Array): Mutation {
  if (rng.next() < 0.5) {
    const m = flip(rng, bytes, 4096);
    return { bytes: m.bytes, what: `header ${m.what}` };
  }
  return anyByteMutation(rng, bytes);
}

// ------------------------------------------------------------------ .keras zip member edits

const ODD_VALUES: unknown[] = [-1, 0, 1e9, 3.5, '', 'x', null, true, [], {}, [null, -3], 'relu6'];
const CLASS_NAMES = ['Dense', 'Lambda', 'InputLayer', 'NoSuchLayer', '', 'Functional', 'Sequential', 'keras2tfjs>ManualDropout'];

/** Every object and leaf position in a JSON value: [container, key]. */
function positions(value: unknown, out: Array<[Record<string, unknown> | unknown[], string | number]> = []) {
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      out.push([value, i]);
      positions(v, out);
    });
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      out.push([value as Record<string, unknown>, k]);
      positions(v, out);
    }
  }
  return out;
}

function editJson(rng: Rng, text: string): { text: string; what: string } {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return { text: text.slice(0, rng.int(text.length)), what: 'truncate text' };
  }
  const spots = positions(doc);
  if (spots.length === 0 || rng.next() < 0.1) {
    const keep = rng.int(text.length);
    return { text: text.slice(0, keep), what: `truncate JSON to ${keep}` };
  }
  const [holder, key] = rng.pick(spots);
  const op = rng.int(3);
  if (op === 0 && !Array.isArray(holder)) {
    delete (holder as Record<string, unknown>)[key as string];
    return { text: JSON.stringify(doc), what: `delete key '${key}'` };
  }
  if (op === 1) {
    const classSpots = spots.filter(([h, k]) => k === 'class_name' && !Array.isArray(h));
    if (classSpots.length > 0) {
      const [h] = rng.pick(classSpots);
      const name = rng.pick(CLASS_NAMES);
      (h as Record<string, unknown>).class_name = name;
      return { text: JSON.stringify(doc), what: `class_name → '${name}'` };
    }
  }
  const value = structuredClone(rng.pick(ODD_VALUES));
  (holder as Record<string | number, unknown>)[key] = value;
  return { text: JSON.stringify(doc), what: `'${key}' → ${JSON.stringify(value)}` };
}

function zipMutation(rng: Rng, bytes: Uint8Array): Mutation {
  if (rng.next() < 0.4) return anyByteMutation(rng, bytes);
  const members = unzipSync(bytes);
  const names = Object.keys(members);
  const name = rng.pick(names);
  const op = rng.int(10);
  let what: string;
  const rebuilt: Record<string, Uint8Array> = {};
  if (op === 0) {
    const evil = rng.pick([`../${name}`, `/${name}`, `a/../../${name}`]);
    for (const n of names) rebuilt[n === name ? evil : n] = members[n];
    what = `rename member ${name} → ${evil}`;
  } else if (op === 1) {
    for (const n of names) if (n !== name) rebuilt[n] = members[n];
    what = `drop member ${name}`;
  } else {
    for (const n of names) rebuilt[n] = members[n];
    if (name.endsWith('.json')) {
      const edit = editJson(rng, strFromU8(members[name]));
      rebuilt[name] = strToU8(edit.text);
      what = `${name}: ${edit.what}`;
    } else {
      const m = h5Mutation(rng, members[name]);
      rebuilt[name] = m.bytes;
      what = `${name}: ${m.what}`;
    }
  }
  return { bytes: zipSync(rebuilt, { level: 0, mtime: new Date('2020-01-01T00:00:00Z') }), what: `zip ${what}` };
}

// ------------------------------------------------------------------ SavedModel edits

const SAVED_MODEL_FILES = ['keras_metadata.pb', 'variables/variables.index', 'variables/variables.data-00000-of-00001', 'saved_model.pb'];

/**
 * Damages one file of the SavedModel copy at `dir` (or deletes it); returns what it did and
 * how to undo it, so one copy per seed serves every case.
 */
async function mutateSavedModel(rng: Rng, dir: string): Promise<{ what: string; undo: () => Promise<void> }> {
  const file = rng.pick(SAVED_MODEL_FILES);
  const path = join(dir, file);
  const original = await readFile(path);
  const undo = () => writeFile(path, original);
  if (rng.next() < 0.08) {
    await unlink(path);
    return { what: `delete ${file}`, undo };
  }
  const m = anyByteMutation(rng, new Uint8Array(original));
  await writeFile(path, m.bytes);
  return { what: `${file}: ${m.what}`, undo };
}

// ------------------------------------------------------------------ worker

interface Outcome {
  id: number;
  outcome: 'converted' | 'error' | 'crash' | 'bad-output';
  code?: string | null;
  name?: string;
  message?: string;
  stack?: string;
}

class CaseRunner {
  private worker!: Worker;
  private pending: ((o: Outcome) => void) | null = null;
  /** 'convert' until the worker says the conversion finished, then 'load' (tfjs loading it back). */
  stage: 'convert' | 'load' = 'convert';

  constructor(private readonly buildDir: string) {}

  async start(): Promise<void> {
    // HDF5 prints a diagnostic for every damaged file it opens: keep the worker's stderr out of the test log.
    this.worker = new Worker(new URL('./fuzz.worker.mjs', import.meta.url), {
      workerData: { buildDir: this.buildDir, hdf5DeadlineBaseMs: HDF5_DEADLINE_BASE_MS },
      stderr: true,
    });
    this.worker.stderr.resume();
    await new Promise<void>((resolve, reject) => {
      const onMessage = (m: { ready?: boolean }) => {
        if (m.ready) {
          this.worker.off('error', reject);
          resolve();
        }
      };
      this.worker.on('message', onMessage);
      this.worker.once('error', reject);
    });
    this.worker.on('message', (m: Outcome & { stage?: 'load' }) => {
      if (m.stage) this.stage = m.stage;
      else if ('id' in m) this.pending?.(m);
    });
  }

  /** Runs one case; null if it did not finish within CASE_TIMEOUT_MS (the worker is then replaced). */
  async run(id: number, input: string, outDir: string, options: Record<string, unknown>, fromMemory: boolean): Promise<Outcome | null> {
    let timer: NodeJS.Timeout | undefined;
    const done = new Promise<Outcome>((resolve) => {
      this.pending = resolve;
    });
    const timeout = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), CASE_TIMEOUT_MS);
    });
    this.stage = 'convert';
    this.worker.postMessage({ id, input, outDir, options, fromMemory });
    const result = await Promise.race([done, timeout]);
    clearTimeout(timer);
    this.pending = null;
    if (result === null) {
      await this.worker.terminate();
      await this.start();
    }
    return result;
  }

  async stop(): Promise<void> {
    await this.worker.terminate();
  }
}

/** Compiles src/ into `dir`/dist, with node_modules reachable and ESM declared. */
async function compileInto(dir: string): Promise<string> {
  await writeFile(join(dir, 'package.json'), '{"type": "module"}\n');
  await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const out = join(dir, 'dist');
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const args = [tsc, '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', out, '--declaration', 'false', '--sourceMap', 'false'];
  // tsc emits even when a file elsewhere has a type error; typechecking is not this test's job.
  await promisify(execFile)(process.execPath, args, { cwd: ROOT }).catch(() => undefined);
  await readFile(join(out, 'convert', 'convert.js'));
  return out;
}

/** The tally's key for a clean error: its code, and whether HDF5 hung and met its deadline. */
function errorKey(o: Outcome): string {
  return o.code === 'BAD_HDF5' && o.message?.includes('did not finish') ? 'error BAD_HDF5 (HDF5 hung, deadline)' : `error ${o.code}`;
}

// ------------------------------------------------------------------ the test

describe('fuzzing the converter with damaged real files, each case isolated in a worker', () => {
  let work: string;
  let runner: CaseRunner;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'k2t-fuzz-'));
    runner = new CaseRunner(await compileInto(work));
    await runner.start();
  });

  afterAll(async () => {
    await runner?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it(`${CASE_COUNT} cases: a typed error or a loadable conversion, no crash, hang or stray file`, async () => {
    const rng = new Rng(FUZZ_SEED);
    const inputs = join(work, 'inputs');
    const outRoot = join(work, 'out');
    await mkdir(inputs);
    await mkdir(outRoot);
    const originals = new Map<string, Uint8Array>();
    const savedModelCopies = new Map<string, string>();
    for (const [i, s] of SEEDS.entries()) {
      if (s.kind !== 'savedmodel') {
        originals.set(s.name, new Uint8Array(await readFile(s.path)));
      } else {
        const copy = join(inputs, `seed-${i}.savedmodel`);
        await cp(s.path, copy, { recursive: true });
        savedModelCopies.set(s.name, copy);
      }
    }

    const tally = new Map<string, number>();
    const problems: string[] = [];
    const started = Date.now();
    for (let id = 0; id < CASE_COUNT; id++) {
      const seed = SEEDS[id % SEEDS.length];
      let input: string;
      let what: string;
      let undo = async () => {};
      if (seed.kind === 'savedmodel') {
        input = savedModelCopies.get(seed.name)!;
        ({ what, undo } = await mutateSavedModel(rng, input));
      } else {
        const original = originals.get(seed.name)!;
        const m = seed.kind === 'zip' ? zipMutation(rng, original) : h5Mutation(rng, original);
        input = join(inputs, `case-${id}.${seed.kind === 'zip' ? 'keras' : 'h5'}`);
        await writeFile(input, m.bytes);
        what = m.what;
      }
      const fromMemory = seed.kind !== 'savedmodel' && id % IN_MEMORY_EVERY === 0;
      const label = `case ${id} (${seed.name}${fromMemory ? ', in memory' : ''}: ${what})`;
      const outDir = join(outRoot, `case-${id}`);
      const result = await runner.run(id, input, outDir, seed.options, fromMemory);
      const key = result === null ? 'hang' : result.outcome === 'error' ? errorKey(result) : result.outcome;
      tally.set(key, (tally.get(key) ?? 0) + 1);
      const loadHang = result === null && runner.stage === 'load';
      if (result === null) {
        problems.push(
          loadHang
            ? `hang: ${label}: converted, but tfjs loading the output did not finish in ${CASE_TIMEOUT_MS} ms`
            : `hang: ${label}: the conversion did not finish in ${CASE_TIMEOUT_MS} ms`,
        );
      }
      else if (result.outcome === 'crash') problems.push(`crash: ${label}: ${result.name}: ${result.message}\n${result.stack}`);
      else if (result.outcome === 'bad-output') problems.push(`bad output: ${label}: ${result.message}`);

      if (KEEP_DIR && (result === null || result.outcome === 'crash' || result.outcome === 'bad-output')) {
        await cp(input, join(KEEP_DIR, `case-${id}-${basename(input)}`), { recursive: true });
      }
      // A finished conversion's output is expected; anything else in the folder is a stray file.
      if (loadHang || result?.outcome === 'converted' || result?.outcome === 'bad-output') await rm(outDir, { recursive: true, force: true });
      const left = await readdir(outRoot);
      if (left.length > 0) {
        problems.push(`stray file: ${label}: left behind in the output folder: ${left.join(', ')}`);
        for (const f of left) await rm(join(outRoot, f), { recursive: true, force: true });
      }
      if (seed.kind === 'savedmodel') await undo();
      else await rm(input, { force: true });
    }
    const elapsed = Date.now() - started;

    const summary = [...tally.entries()].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k}: ${n}`).join(', ');
    console.log(`fuzz: ${CASE_COUNT} cases in ${(elapsed / 1000).toFixed(1)} s (seed ${FUZZ_SEED}) — ${summary}`);
    // A few examples of each kind of problem, with the stack's first frames.
    const kinds = new Map<string, string[]>();
    for (const p of problems) {
      const kind = p.slice(0, p.indexOf(':'));
      kinds.set(kind, [...(kinds.get(kind) ?? []), p]);
    }
    for (const [kind, list] of kinds) {
      console.log(`fuzz ${kind}: ${list.length} case(s)`);
      for (const p of list.slice(0, 5)) console.log(`  ${p.split('\n').slice(0, 6).join('\n    ')}`);
    }
    expect(problems).toEqual([]);
    expect([...tally.values()].reduce((a, b) => a + b, 0)).toBe(CASE_COUNT);
    expect(elapsed).toBeLessThan(TIME_BUDGET_MS);
  });
});
