/**
 * Fuzzing the converter with damaged real model files, one worker-isolated case at a time: byte
 * flips, truncations, zeroed or random runs, cut-out ranges, edits inside .keras zip members
 * (config.json values, keys and class names, member names with '..' or absolute paths, damage
 * inside model.weights.h5), damage to HDF5 headers, and damaged or missing SavedModel files.
 * Inputs, all in the repository (npm test needs nothing else): fixture models, the zoo models of
 * test/convert/data (every weight layout the converter maps), a Lambda model and a second
 * SavedModel (data/fuzz_seeds, make_fuzz_seeds.py); some cases are converted from bytes in
 * memory, the rest into a folder.
 *
 * Every case must end in a Keras2TfjsError with a known code and a one-line message that starts
 * with the input's name, or in a conversion that tfjs loads with the parameter count the report
 * claims; never another exception, never a hang, never a worker killed for memory, never a file
 * left behind in the output folder, and the process's peak memory stays under MAX_RSS_MB.
 *
 * Time is recorded, never asserted: a loaded machine must not fail the test. A hang is a case
 * that burns HANG_CPU_MS of CPU (the worker thread is the only thing running, so the process's
 * CPU time is the case's), or that runs HANG_WALL_MS of wall time, far beyond any slowdown.
 * Per case, the results file (KERAS2TFJS_FUZZ_RESULTS, else a temporary file) records the
 * outcome, wall and CPU time, the process's peak resident memory (sampled every RSS_SAMPLE_MS
 * while the case runs) and the worker's heap after it.
 *
 * Deterministic: a fixed PRNG seed picks every mutation (override with KERAS2TFJS_FUZZ_SEED,
 * the count with KERAS2TFJS_FUZZ_CASES: 10,000 in `npm test`, 100,000 with `npm run fuzz`;
 * KERAS2TFJS_FUZZ_KEEP=<dir> copies the input of every problem case there for replay). Runs
 * against the built package (dist/, rebuilt if stale), because a worker thread cannot load
 * TypeScript.
 */
import { cp, mkdir, mkdtemp, open, readdir, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Worker } from 'node:worker_threads';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIST, ROOT, ensureBuilt } from '../helpers/built_package.js';

const FUZZ_SEED = Number(process.env.KERAS2TFJS_FUZZ_SEED ?? 20250611);
const CASE_COUNT = Number(process.env.KERAS2TFJS_FUZZ_CASES ?? 10_000);
/**
 * Small models convert in milliseconds (the slowest cases take ~1 s of CPU): a case that has
 * used 30 s of CPU is a hang whatever the load; 5 minutes of wall time is a hang on any machine.
 */
const HANG_CPU_MS = 30_000;
const HANG_WALL_MS = 300_000;
/** How often the process's resident memory is sampled while a case runs. */
const RSS_SAMPLE_MS = 10;
/** The goal for every case: the whole process (vitest's worker and the case's thread) under 1 GB. */
const MAX_RSS_MB = 1024;
/** A worker thread whose case needs more heap than this is stopped (reported, never an abort). */
const WORKER_HEAP_MB = 768;
/**
 * When the process holds more than this before a case, both threads first collect their garbage:
 * tens of thousands of cases in one process leave buffers the collector has not yet released,
 * and a case's peak should be what that case needs (a conversion in its own process starts at
 * ~80 MB), not what fifty earlier ones left behind.
 */
const GC_ABOVE_MB = Number(process.env.KERAS2TFJS_FUZZ_GC_ABOVE_MB ?? 512);
/**
 * HDF5's deadline inside the cases (the converter's default is 10 s): reading these files takes
 * milliseconds, and the damaged files on which HDF5 loops forever must be refused with BAD_HDF5
 * long before a case counts as hung.
 */
const HDF5_DEADLINE_BASE_MS = 1_000;
/** Every how many cases of a .keras / .h5 seed the bytes are converted in memory instead. */
const IN_MEMORY_EVERY = 5;
/** If set, the input of every problem case is copied there, to reproduce it outside the test. */
const KEEP_DIR = process.env.KERAS2TFJS_FUZZ_KEEP;
/** Where the per-case results go (TSV); a temporary file if unset. */
const RESULTS_FILE = process.env.KERAS2TFJS_FUZZ_RESULTS;

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
  { name: 'zoo_k3.h5', path: join(DATA, 'zoo_k3.h5'), kind: 'h5', options: {} },
  { name: 'fuzz_seeds/zoo_tfk.savedmodel', path: join(DATA, 'fuzz_seeds/zoo_tfk.savedmodel'), kind: 'savedmodel', options: {} },
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

/** Values put in place of config values: wrong types and ranges, names Object.prototype answers to, deep nesting. */
const ODD_VALUES: unknown[] = [-1, 0, 1e9, 3.5, '', 'x', null, true, [], {}, [null, -3], 'relu6', 'constructor', '__proto__', 'toString', nestedList(300)];

function nestedList(depth: number): unknown {
  let v: unknown = 0;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}
const CLASS_NAMES = ['Dense', 'Lambda', 'InputLayer', 'NoSuchLayer', '', 'Functional', 'Sequential', 'keras2tfjs>ManualDropout', 'toString', 'constructor', '__proto__'];

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
  outcome: 'converted' | 'error' | 'crash' | 'bad-output' | 'out-of-memory';
  code?: string | null;
  name?: string;
  message?: string;
  stack?: string;
  /** The worker's V8 heap after the case (bytes). */
  heapUsed?: number;
}

/**
 * What a case cost: wall and CPU time, the process's peak resident memory while it ran, and its
 * resident memory when it started (memory an earlier case left to the garbage collector, or in
 * the HDF5 thread's wasm heap, counts in the peak of the cases after it).
 */
interface Cost {
  wallMs: number;
  cpuMs: number;
  peakRssMb: number;
  startRssMb: number;
}

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

class CaseRunner {
  private worker!: Worker;
  private pending: ((o: Outcome) => void) | null = null;
  private collected: (() => void) | null = null;
  /** 'convert' until the worker says the conversion finished, then 'load' (tfjs loading it back). */
  stage: 'convert' | 'load' = 'convert';

  constructor(private readonly buildDir: string) {}

  async start(): Promise<void> {
    // HDF5 prints a diagnostic for every damaged file it opens: keep the worker's stderr out of the test log.
    const worker = new Worker(new URL('./fuzz.worker.mjs', import.meta.url), {
      workerData: { buildDir: this.buildDir, hdf5DeadlineBaseMs: HDF5_DEADLINE_BASE_MS },
      stderr: true,
      // A case that needs more heap stops this thread (ERR_WORKER_OUT_OF_MEMORY), not the test.
      resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
    });
    this.worker = worker;
    worker.stderr.resume();
    await new Promise<void>((resolve, reject) => {
      const onMessage = (m: { ready?: boolean }) => {
        if (m.ready) {
          worker.off('error', reject);
          resolve();
        }
      };
      worker.on('message', onMessage);
      worker.once('error', reject);
    });
    worker.on('message', (m: Outcome & { stage?: 'load'; collected?: boolean }) => {
      if (m.collected) this.collected?.();
      else if (m.stage) this.stage = m.stage;
      else if ('id' in m) this.pending?.(m);
    });
    worker.on('error', (e: Error & { code?: string }) => {
      if (worker !== this.worker) return;
      const outcome = e.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'out-of-memory' : 'crash';
      this.pending?.({ id: -1, outcome, name: e.name, message: e.message, stack: e.stack });
    });
  }

  /**
   * Runs one case; its outcome (null if it hung: HANG_CPU_MS of CPU or HANG_WALL_MS of wall
   * time) and what it cost. A hung or failed worker is replaced.
   */
  async run(id: number, input: string, outDir: string, options: Record<string, unknown>, fromMemory: boolean): Promise<{ result: Outcome | null; cost: Cost }> {
    if (process.memoryUsage.rss() > GC_ABOVE_MB * 2 ** 20) {
      collectGarbage();
      await new Promise<void>((resolve) => {
        this.collected = resolve;
        this.worker.postMessage({ collect: true });
      });
      this.collected = null;
    }
    const wallStart = performance.now();
    const cpuStart = process.cpuUsage();
    const cpuMs = () => {
      const used = process.cpuUsage(cpuStart);
      return (used.user + used.system) / 1000;
    };
    const startRss = process.memoryUsage.rss();
    let peakRss = startRss;
    const done = new Promise<Outcome>((resolve) => {
      this.pending = resolve;
    });
    let watch: NodeJS.Timeout | undefined;
    const hang = new Promise<null>((resolve) => {
      watch = setInterval(() => {
        peakRss = Math.max(peakRss, process.memoryUsage.rss());
        if (cpuMs() > HANG_CPU_MS || performance.now() - wallStart > HANG_WALL_MS) resolve(null);
      }, RSS_SAMPLE_MS);
    });
    this.stage = 'convert';
    this.worker.postMessage({ id, input, outDir, options, fromMemory });
    const result = await Promise.race([done, hang]);
    clearInterval(watch);
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
    const cost = { wallMs: performance.now() - wallStart, cpuMs: cpuMs(), peakRssMb: peakRss / 2 ** 20, startRssMb: startRss / 2 ** 20 };
    this.pending = null;
    if (result === null || result.id !== id) {
      await this.worker.terminate();
      await this.start();
    }
    return { result: result && { ...result, id }, cost };
  }

  async stop(): Promise<void> {
    await this.worker.terminate();
  }
}

/** The tally's key for a clean error: its code, and whether HDF5 hung and met its deadline. */
function errorKey(o: Outcome): string {
  return o.code === 'BAD_HDF5' && o.message?.includes('did not finish') ? 'error BAD_HDF5 (HDF5 hung, deadline)' : `error ${o.code}`;
}

// ------------------------------------------------------------------ the test

/** Percentile `q` (0–1) of `values` (sorted copy). */
function percentile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

describe('fuzzing the converter with damaged real files, each case isolated in a worker', () => {
  let work: string;
  let runner: CaseRunner;

  beforeAll(async () => {
    ensureBuilt();
    work = await mkdtemp(join(tmpdir(), 'k2t-fuzz-'));
    runner = new CaseRunner(DIST);
    await runner.start();
  });

  afterAll(async () => {
    await runner?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  // The harness' own limit, not an assertion on speed: ~2 s per case is far beyond any run.
  it(`${CASE_COUNT} cases: a typed error or a loadable conversion, no crash, hang, out-of-memory or stray file`, { timeout: CASE_COUNT * 2_000 + 600_000 }, async () => {
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

    const resultsPath = RESULTS_FILE ?? join(tmpdir(), `keras2tfjs-fuzz-${FUZZ_SEED}-${CASE_COUNT}.tsv`);
    const results = await open(resultsPath, 'w');
    await results.write('case\tseed\tin_memory\tmutation\toutcome\tcode\twall_ms\tcpu_ms\tpeak_rss_mb\tstart_rss_mb\tworker_heap_mb\n');

    const tally = new Map<string, number>();
    const problems: string[] = [];
    const costs: Cost[] = [];
    let worst = { peakRssMb: 0, label: '' };
    let slowest = { cpuMs: 0, label: '' };
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
      const { result, cost } = await runner.run(id, input, outDir, seed.options, fromMemory);
      costs.push(cost);
      if (cost.peakRssMb > worst.peakRssMb) worst = { peakRssMb: cost.peakRssMb, label };
      if (cost.cpuMs > slowest.cpuMs) slowest = { cpuMs: cost.cpuMs, label };
      const key = result === null ? 'hang' : result.outcome === 'error' ? errorKey(result) : result.outcome;
      tally.set(key, (tally.get(key) ?? 0) + 1);
      await results.write(
        [id, seed.name, fromMemory, what.replace(/[\t\n]/g, ' ').slice(0, 300), result?.outcome ?? 'hang', result?.code ?? '',
          cost.wallMs.toFixed(1), cost.cpuMs.toFixed(1), cost.peakRssMb.toFixed(1), cost.startRssMb.toFixed(1), ((result?.heapUsed ?? 0) / 2 ** 20).toFixed(1)].join('\t') + '\n',
      );
      const loadHang = result === null && runner.stage === 'load';
      if (result === null) {
        problems.push(
          loadHang
            ? `hang: ${label}: converted, but tfjs loading the output used ${cost.cpuMs.toFixed(0)} ms of CPU without finishing`
            : `hang: ${label}: the conversion used ${cost.cpuMs.toFixed(0)} ms of CPU (${cost.wallMs.toFixed(0)} ms wall) without finishing`,
        );
      }
      else if (result.outcome === 'crash') problems.push(`crash: ${label}: ${result.name}: ${result.message}\n${result.stack}`);
      else if (result.outcome === 'out-of-memory') problems.push(`out-of-memory: ${label}: the worker needed more than ${WORKER_HEAP_MB} MB of heap`);
      else if (result.outcome === 'bad-output') problems.push(`bad output: ${label}: ${result.message}`);
      if (cost.peakRssMb >= MAX_RSS_MB) {
        problems.push(`memory: ${label}: the process reached ${cost.peakRssMb.toFixed(0)} MB (${cost.startRssMb.toFixed(0)} MB when the case started)`);
      }

      const problem = result === null || (result.outcome !== 'converted' && result.outcome !== 'error') || cost.peakRssMb >= MAX_RSS_MB;
      if (KEEP_DIR && problem) {
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
    await results.close();
    const elapsed = Date.now() - started;

    const summary = [...tally.entries()].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k}: ${n}`).join(', ');
    const wall = costs.map((c) => c.wallMs);
    const cpu = costs.map((c) => c.cpuMs);
    console.log(
      `fuzz: ${CASE_COUNT} cases in ${(elapsed / 1000).toFixed(1)} s (seed ${FUZZ_SEED}) — ${summary}\n` +
        `  per case: wall median ${percentile(wall, 0.5).toFixed(0)} ms, p99 ${percentile(wall, 0.99).toFixed(0)} ms, max ${Math.max(...wall).toFixed(0)} ms; ` +
        `CPU max ${slowest.cpuMs.toFixed(0)} ms (${slowest.label})\n` +
        `  peak process RSS ${worst.peakRssMb.toFixed(0)} MB (${worst.label}); results per case: ${resultsPath}`,
    );
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
  });
});
