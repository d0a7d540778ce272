/**
 * Hostile files end in a typed error (or a correct conversion) within bounded memory, never an
 * abort. Each file in data/ is made by make_hostile_files.py from what real Keras, h5py and
 * numpy write, altered the way an attacker would (issue 16); each runs in its own process, so
 * that an abort, a hang or the peak memory of one case is seen and measured alone.
 *
 * Asserted per case: the process ends by itself (no signal: V8's fatal "invalid size" and
 * out-of-memory aborts end in SIGABRT/SIGTRAP), the expected Keras2TfjsError code (or exit 0 and
 * an output tfjs loads with Keras' values), a one-line bounded message naming the file, and peak
 * resident memory under MAX_RSS_MB. Time is recorded and printed, not asserted (machine load
 * would decide it); a case still running after HANG_MS is a hang.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_MESSAGE_CHARS } from '../../src/errors.js';
import '../../src/index.js'; // registers keras2tfjs' layers (ManualDropout, Normalization) with tfjs
import { fileSystem } from '../../src/io/file_system.js';
import { CLI, ensureBuilt } from '../helpers/built_package.js';

const DATA = new URL('./data/', import.meta.url).pathname;
const TEST_DATA = new URL('../convert/data/', import.meta.url).pathname;
/** Small HDF5 files that decode to gigabytes (made by test/formats/hdf5/make_costly_hdf5.py). */
const COSTLY = new URL('../formats/hdf5/costly/', import.meta.url).pathname;
const PEAK = new URL('./peak_memory.mjs', import.meta.url).pathname;
/** The goal: every attack within 1 GB (a converting process starts at ~80 MB). */
const MAX_RSS_MB = 1024;
/** A case still running after this is a hang (the slowest takes ~4 s on 2 busy cores). */
const HANG_MS = 120_000;
const expected = JSON.parse(readFileSync(join(DATA, 'expected.json'), 'utf8')) as Record<string, { weights?: Record<string, number[][]>; count?: number }>;

/** A typed error; a conversion (exit 0); or an inspect report naming the Lambda's function (exit 1: it would not convert). */
type Expect = { code: string } | { converted: true } | { inspected: string };
interface Case {
  /** The test's name for it. */
  name: string;
  /** The hostile file (in data/). */
  file: string;
  /** The CLI with --json: `convert`, `inspect`, or `demo --imdb <file>` (which reads the file before any other work). */
  run: 'convert' | 'inspect' | 'demo';
  extraArgs?: string[];
  expect: Expect;
}

const code = (c: string): Expect => ({ code: c });
const converted: Expect = { converted: true };
const inspected = (functionName: string): Expect => ({ inspected: functionName });

const CASES: Case[] = [
  // 1. marshal: code objects sharing children 26 levels deep (aborted V8 at 2.4 GB)
  { name: 'shared code objects in a .keras Lambda', file: 'lambda_shared_code.keras', run: 'convert', expect: code('UNMAPPED_LAMBDA') },
  { name: 'shared code objects in a .keras Lambda (inspect)', file: 'lambda_shared_code.keras', run: 'inspect', expect: inspected('level25') },
  { name: 'shared code objects in an .h5 Lambda', file: 'lambda_shared_code.h5', run: 'convert', expect: code('UNMAPPED_LAMBDA') },
  { name: 'shared code objects in an .h5 Lambda (inspect)', file: 'lambda_shared_code.h5', run: 'inspect', expect: inspected('level25') },
  // 9. nesting
  { name: 'config.json nested 3,000 deep', file: 'deep_config.keras', run: 'convert', expect: code('BAD_CONFIG') },
  { name: 'model_config nested 3,000 deep', file: 'deep_config.h5', run: 'convert', expect: code('BAD_CONFIG') },
  { name: 'SavedModel metadata nested 3,000 deep', file: 'deep_config.savedmodel', run: 'convert', expect: code('CORRUPT_FILE') },
  { name: 'a --config architecture nested 3,000 deep', file: join(TEST_DATA, 'tfk_weights.h5'), run: 'convert', extraArgs: ['--config', join(DATA, 'deep_architecture.json')], expect: code('BAD_CONFIG') },
  { name: 'config nested 150 deep (under the limit) still converts', file: 'deep_config_150.keras', run: 'convert', expect: converted },
  // 8. Object.prototype names
  { name: "kernel_constraint '__proto__'", file: 'proto_constraint.keras', run: 'convert', expect: code('UNSUPPORTED_SEMANTICS') },
  { name: "kernel_constraint class '__proto__'", file: 'proto_constraint_class.keras', run: 'convert', expect: code('UNSUPPORTED_SEMANTICS') },
  { name: "initializer class 'constructor' (Zeros, warned)", file: 'proto_initializer.keras', run: 'convert', expect: converted },
  { name: "initializer name 'toString' (Zeros, warned)", file: 'proto_initializer_name.keras', run: 'convert', expect: converted },
  { name: "activation 'constructor'", file: 'proto_activation.keras', run: 'convert', expect: code('UNSUPPORTED_SEMANTICS') },
  { name: "regularizer class 'hasOwnProperty'", file: 'proto_regularizer.keras', run: 'convert', expect: code('UNSUPPORTED_SEMANTICS') },
  { name: "dtype 'valueOf'", file: 'proto_dtype.keras', run: 'convert', expect: code('UNSUPPORTED_SEMANTICS') },
  { name: 'VarianceScaling with scale -1 (tfjs checks it only when it loads the model)', file: 'init_bad_scale.keras', run: 'convert', expect: code('BAD_CONFIG') },
  { name: "layer class 'toString'", file: 'proto_class_toString.keras', run: 'convert', expect: code('UNKNOWN_LAYER') },
  { name: "layer class '__proto__'", file: 'proto_class_proto.keras', run: 'convert', expect: code('UNKNOWN_LAYER') },
  { name: "layer class 'constructor'", file: 'proto_class_constructor.keras', run: 'convert', expect: code('UNKNOWN_LAYER') },
  { name: "Lambda function named 'toString'", file: 'proto_lambda_name.keras', run: 'convert', expect: code('UNMAPPED_LAMBDA') },
  { name: "Lambda function named 'toString', mapped by name", file: 'proto_lambda_name.keras', run: 'convert', extraArgs: ['--lambda', 'toString=ManualDropout:{"rate":0.25}'], expect: converted },
  { name: "marshalled Lambda code named 'constructor'", file: 'proto_lambda_code.keras', run: 'convert', expect: code('UNMAPPED_LAMBDA') },
  { name: "a config key '__proto__'", file: 'proto_key.keras', run: 'convert', expect: code('BAD_CONFIG') },
  // 13. unbounded messages
  { name: 'a 20 MB class name', file: 'long_class_name.keras', run: 'convert', expect: code('UNKNOWN_LAYER') },
  { name: '20,000 unknown classes', file: 'many_unknown_classes.keras', run: 'convert', expect: code('UNKNOWN_LAYER') },
  // 7. integer weights
  { name: 'an int8 kernel (Keras casts it to float32)', file: 'int_kernel_int8.keras', run: 'convert', expect: converted },
  { name: 'a uint32 kernel past 2^31 (not wrapped)', file: 'int_kernel_uint32.keras', run: 'convert', expect: converted },
  { name: 'an int64 kernel past int32 and 2^53 (not clamped)', file: 'int_kernel_int64.keras', run: 'convert', expect: converted },
  { name: "an int64 Normalization count that fits int32", file: 'int_count_fits.h5', run: 'convert', expect: converted },
  { name: 'an int64 Normalization count beyond int32', file: 'int_count_huge.h5', run: 'convert', expect: code('UNSUPPORTED_SEMANTICS') },
  // 12. decoding bounded relative to the input (the decode budget)
  { name: 'a 4 GB fill-value dataset in a small .h5', file: join(COSTLY, 'fill_value_model.h5'), run: 'convert', expect: code('RESOURCE_LIMIT') },
  { name: 'one large attribute referenced 400 times', file: join(COSTLY, 'attr_refs.h5'), run: 'convert', expect: code('RESOURCE_LIMIT') },
  { name: 'one large attribute referenced 400 times (inspect)', file: join(COSTLY, 'attr_refs.h5'), run: 'inspect', expect: code('RESOURCE_LIMIT') },
  { name: 'a string attribute declaring 1.5 GB', file: join(COSTLY, 'length_lie.h5'), run: 'convert', expect: code('RESOURCE_LIMIT') },
  { name: 'a string attribute declaring 1.5 GB, read by the HDF5 library', file: join(COSTLY, 'length_lie_fallback.h5'), run: 'convert', expect: code('RESOURCE_LIMIT') },
  // 4. only regular files are read
  { name: '/dev/zero as the input', file: '/dev/zero', run: 'convert', expect: code('NOT_A_FILE') },
  // 3. demo --imdb
  { name: 'npz member declaring 3 GB', file: 'imdb_declares_huge.npz', run: 'demo', expect: code('BAD_ARCHIVE') },
  { name: 'npz member inflating to 256 MB (declared)', file: 'imdb_inflate_bomb.npz', run: 'demo', expect: code('CORRUPT_FILE') },
  { name: 'npz member inflating to 256 MB (declaring 1 MB)', file: 'imdb_inflate_lies.npz', run: 'demo', expect: code('BAD_ARCHIVE') },
  { name: 'pickle sharing one list 20,000 times', file: 'imdb_pickle_laughs.npz', run: 'demo', expect: code('CORRUPT_FILE') },
  { name: 'pickle passing one 30,000-item tuple to 30,000 calls', file: 'imdb_pickle_copies.npz', run: 'demo', expect: code('CORRUPT_FILE') },
  { name: 'pickle calling os.system (never run)', file: 'imdb_pickle_code.npz', run: 'demo', expect: code('CORRUPT_FILE') },
  { name: 'pickle whose review contains itself', file: 'imdb_pickle_cycle.npz', run: 'demo', expect: code('CORRUPT_FILE') },
];

interface Outcome {
  status: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  maxRssMb: number | null;
  ms: number | null;
  outDir: string;
}

let work: string;
const outcomes = new Map<Case, Promise<Outcome>>();

function runCase(c: Case, index: number): Promise<Outcome> {
  const input = c.file.startsWith('/') ? c.file : join(DATA, c.file);
  const outDir = join(work, `out-${index}`);
  const args =
    c.run === 'demo' ? [CLI, 'demo', '--imdb', input, '--json', '--out', outDir]
    : c.run === 'inspect' ? [CLI, 'inspect', input, '--json']
    : [CLI, 'convert', input, outDir, '--json', ...(c.extraArgs ?? [])];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', PEAK, ...args], { stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
    const chunks: Record<'stdout' | 'stderr' | 'peak', Buffer[]> = { stdout: [], stderr: [], peak: [] };
    child.stdout?.on('data', (b: Buffer) => chunks.stdout.push(b));
    child.stderr?.on('data', (b: Buffer) => chunks.stderr.push(b));
    (child.stdio[3] as NodeJS.ReadableStream).on('data', (b: Buffer) => chunks.peak.push(b));
    const timer = setTimeout(() => child.kill('SIGKILL'), HANG_MS);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      const peak = Buffer.concat(chunks.peak).toString().trim();
      const measured = peak ? (JSON.parse(peak) as { maxRssKb: number; ms: number }) : null;
      resolve({
        status,
        signal,
        stdout: Buffer.concat(chunks.stdout).toString(),
        stderr: Buffer.concat(chunks.stderr).toString(),
        maxRssMb: measured ? measured.maxRssKb / 1024 : null,
        ms: measured?.ms ?? null,
        outDir,
      });
    });
  });
}

/** Two cases at a time (2 cores); each case's promise settles when its process ends. */
function startAll(): void {
  let next = 0;
  const slots: Array<() => void> = [];
  const waiters = CASES.map(() => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    slots.push(release);
    return gate;
  });
  const launch = () => {
    const i = next++;
    if (i >= CASES.length) return;
    slots[i]();
  };
  CASES.forEach((c, i) => {
    const p = waiters[i].then(() => runCase(c, i));
    p.finally(launch);
    outcomes.set(c, p);
  });
  launch();
  launch();
}

/** The error object of a --json run, or null if it succeeded. */
function errorOf(c: Case, o: Outcome): { code: string; message: string } | null {
  const text = o.stdout.trim();
  const json = JSON.parse(text) as { error?: { code: string; message: string } };
  return json.error ?? null;
}

const table: string[] = [];

beforeAll(() => {
  ensureBuilt();
  work = mkdtempSync(join(tmpdir(), 'k2t-hostile-'));
  rmSync('/tmp/k2t-pwned', { force: true });
  startAll();
});

afterAll(() => {
  console.log(`hostile cases (peak RSS, time):\n${table.join('\n')}`);
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('hostile files: a typed error or a correct conversion, within bounded memory, never an abort', () => {
  for (const c of CASES) {
    it(`${c.name} (${c.run} ${c.file.split('/').pop()})`, async () => {
      const o = await (outcomes.get(c) as Promise<Outcome>);
      const err = o.signal ? null : errorOf(c, o);
      table.push(`  ${c.name}: ${err ? err.code : o.signal ?? 'ok'}, ${o.maxRssMb?.toFixed(0)} MB, ${o.ms?.toFixed(0)} ms`);
      expect(o.signal, `ended by a signal (abort, kill or hang): ${o.stderr.slice(-500)}`).toBeNull();
      expect(o.maxRssMb, 'peak memory measured').not.toBeNull();
      expect(o.maxRssMb as number).toBeLessThan(MAX_RSS_MB);
      if ('code' in c.expect) {
        expect(err, `expected ${c.expect.code}, got success: ${o.stdout.slice(0, 300)}`).not.toBeNull();
        expect(err?.code).toBe(c.expect.code);
        const message = err?.message as string;
        expect(message.includes('\n')).toBe(false);
        expect(message.length).toBeLessThanOrEqual(MAX_MESSAGE_CHARS);
        expect(message).toContain(c.file.split('/').pop() as string);
        // --json output stays small whatever the file quoted.
        expect(o.stdout.length).toBeLessThan(MAX_MESSAGE_CHARS * 2 + 1024);
      } else if ('inspected' in c.expect) {
        expect(err, `expected a report, got ${JSON.stringify(err)}`).toBeNull();
        const report = JSON.parse(o.stdout) as { lambdas: Array<{ functionName: string; names: string[] }> };
        expect(report.lambdas[0].functionName).toBe(c.expect.inspected);
        expect(report.lambdas[0].names.length).toBeLessThanOrEqual(256); // MAX_SUMMARY_ITEMS
        expect(o.status).toBe(1); // inspect's exit code: it would not convert (the Lambda is unmapped)
      } else {
        expect(err, `expected success, got ${JSON.stringify(err)}`).toBeNull();
        expect(o.status).toBe(0);
      }
    });
  }
});

describe('what the hostile cases that convert, convert to', () => {
  const output = async (file: string, extra?: string): Promise<string> => {
    const c = CASES.find((x) => x.file === file && x.run === 'convert' && (extra === undefined || x.extraArgs?.includes(extra))) as Case;
    return (await (outcomes.get(c) as Promise<Outcome>)).outDir;
  };

  for (const file of ['int_kernel_int8.keras', 'int_kernel_uint32.keras', 'int_kernel_int64.keras']) {
    it(`${file}: tfjs loads it, and its weights are the float32 values Keras loads`, async () => {
      const model = await tfl.loadLayersModel(fileSystem(await output(file)));
      try {
        const keras = expected[file].weights as Record<string, number[][]>;
        for (const layer of model.layers.filter((l) => l.getWeights().length > 0)) {
          const ours = layer.getWeights().map((w) => Array.from(w.dataSync()));
          expect(layer.getWeights().map((w) => w.dtype)).toEqual(ours.map(() => 'float32'));
          // Exact: Keras' value is float(float32(stored)); ours is the same float32.
          expect(ours).toEqual(keras[layer.name]);
        }
      } finally {
        model.dispose();
      }
    });
  }

  it('int_count_fits.h5: the int64 count arrives exactly, as int32', async () => {
    const model = await tfl.loadLayersModel(fileSystem(await output('int_count_fits.h5')));
    try {
      const count = model.getLayer('norm').weights.find((w) => w.name.endsWith('count'))?.read();
      expect(count?.dtype).toBe('int32');
      expect(Array.from(count?.dataSync() ?? [])).toEqual([expected['int_count_fits.h5'].count]);
    } finally {
      model.dispose();
    }
  });

  it("a Lambda named 'toString' mapped by name becomes the mapped ManualDropout", async () => {
    const dir = await output('proto_lambda_name.keras', '--lambda');
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    const topology = json.modelTopology.model_config ?? json.modelTopology;
    const layers = topology.config.layers as Array<{ class_name: string; config: { rate?: number } }>;
    expect(layers.map((l) => l.class_name)).toContain('ManualDropout');
    expect(layers.find((l) => l.class_name === 'ManualDropout')?.config.rate).toBe(0.25);
  });

  for (const file of ['proto_initializer.keras', 'proto_initializer_name.keras', 'deep_config_150.keras']) {
    it(`${file}: tfjs loads the output`, async () => {
      const model = await tfl.loadLayersModel(fileSystem(await output(file)));
      expect(model.countParams()).toBe(23);
      model.dispose();
    });
  }

  it('the pickle that would run os.system ran nothing', async () => {
    await outcomes.get(CASES.find((c) => c.file === 'imdb_pickle_code.npz') as Case);
    expect(existsSync('/tmp/k2t-pwned')).toBe(false);
  });
});
