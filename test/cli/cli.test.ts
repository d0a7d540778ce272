/**
 * The `keras2tfjs` command run as a user runs it: `npm run build`, then the package's bin (the bundle dist/cli/keras2tfjs.js)
 * in a child process. Exit statuses (0 ok, 1 failure, 2 usage), one-line errors with their code,
 * --json output, converted directories that tfjs loads, and nothing left behind on failure.
 */
import * as tf from '@tensorflow/tfjs-core';
import { loadLayersModel } from '@tensorflow/tfjs-layers';
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../src/layers/manual_dropout.js';
import { fileSystem } from '../../src/io/file_system.js';
import { switchBackend } from '../helpers/backends.js';
import { fixturePath, loadFixture } from '../helpers/fixtures.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The file package.json's "bin" names: what `npx keras2tfjs` runs. */
const MAIN = join(ROOT, (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> }).bin.keras2tfjs);
const SAVED_MODEL = fixturePath('seed_lambda_tfkeras', 'saved_model');
/** A SavedModel TensorFlow wrote for a plain tf.Module (test/convert/make_plain_saved_model.py). */
const PLAIN_SAVED_MODEL = join(ROOT, 'test', 'convert', 'data', 'plain_tf.savedmodel');
const SEED_H5 = fixturePath('seed_lambda_tfkeras', 'model.h5');
const SEED_LAMBDA = 'dropout=ManualDropout:{"rate":0.5}';
/** float32 Dense stack in tfjs vs TensorFlow: different summation order over 1,000 inputs. */
const FLOAT32_OUTPUT_TOLERANCE = 1e-5;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI; never throws on a non-zero exit. */
async function cli(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { cwd: ROOT, env: { ...process.env, KERAS2TFJS_DEBUG: '' } }, (err, stdout, stderr) => {
      const code = err ? ((err as { code?: number }).code ?? 1) : 0;
      resolve({ code: typeof code === 'number' ? code : 1, stdout, stderr });
    });
  });
}

let work: string;
beforeAll(async () => {
  await promisify(execFile)('npm', ['run', 'build'], { cwd: ROOT });
  work = await mkdtemp(join(tmpdir(), 'k2t-cli-'));
  await switchBackend('cpu');
});
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('help, version, usage errors (exit 2)', () => {
  it('--help prints the usage of every command; --version the package version', async () => {
    const help = await cli('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('keras2tfjs convert <input> <outDir>');
    expect(help.stdout).toContain('keras2tfjs inspect <input>');
    expect(help.stdout).toContain('keras2tfjs demo');
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect((await cli('--version')).stdout).toBe(`keras2tfjs ${version}\n`);
    expect(JSON.parse((await cli('--version', '--json')).stdout)).toEqual({ version });
  });

  it.each([
    [[], 'missing command'],
    [['frobnicate'], "unknown command 'frobnicate' (expected convert, inspect, demo, verify)"],
    [['convert', 'model.keras'], 'missing <outDir>'],
    [['convert', 'a', 'b', '--quantize', 'int4'], "--quantize must be one of float16, uint8, uint16, got 'int4'"],
    [['inspect'], 'missing <input>'],
  ])('%j → exit 2, the message and a usage line on stderr, nothing on stdout', async (args, message) => {
    const r = await cli(...(args as string[]));
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const [first, second] = r.stderr.split('\n');
    expect(first).toBe(`keras2tfjs: ${message}`);
    expect(second).toMatch(/^usage: keras2tfjs /);
  });

  it('with --json a usage error is also one JSON object on stdout', async () => {
    const r = await cli('convert', 'only-input.keras', '--json');
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toEqual({ error: { code: 'USAGE', message: 'missing <outDir>', file: null, layer: null } });
  });
});

describe('convert', () => {
  it('a tf.keras SavedModel → model.json + shards that tf.loadLayersModel(fileSystem(dir)) loads', async () => {
    const out = join(work, 'savedmodel-out');
    const r = await cli('convert', SAVED_MODEL, out, '--lambda', SEED_LAMBDA);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^converted .*saved_model \(savedmodel, Keras 2\.21\.0\) → .*savedmodel-out\n {2}Sequential: 5 layers, 16,305 parameters, 63\.7 KiB of weights in 1 shard\n {2}lambda: Lambda \(function dropout\) → ManualDropout /);
    expect((await readdir(out)).sort()).toEqual(['group1-shard1of1.bin', 'model.json']);
    const before = tf.memory().numTensors;
    const model = await loadLayersModel(fileSystem(out));
    expect(model.countParams()).toBe(16305);
    const y = tf.tidy(() => model.predict(tf.zeros([2, 1000])) as tf.Tensor);
    expect(y.shape).toEqual([2, 1]);
    y.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("the seed .h5 with its Lambda mapped: loads with ManualDropout and gives Python's outputs", async () => {
    const out = join(work, 'seed-out');
    const r = await cli('convert', SEED_H5, out, '--lambda', SEED_LAMBDA, '--shard-size-mb', '0.02', '--json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { format: string; files: string[]; mappings: Array<{ layer: string; targetClass: string }> };
    expect(report.format).toBe('h5-full');
    expect(report.mappings).toEqual([expect.objectContaining({ layer: 'lambda', sourceClass: 'Lambda', functionName: 'dropout', targetClass: 'ManualDropout' })]);
    // 16,305 float32 weights = 65,220 bytes in shards of 0.02 MiB (20,972 bytes): 4 shards.
    expect(report.files).toEqual(['model.json', 'group1-shard1of4.bin', 'group1-shard2of4.bin', 'group1-shard3of4.bin', 'group1-shard4of4.bin']);
    expect((await readdir(out)).sort()).toEqual([...report.files].sort());

    const model = await loadLayersModel(fileSystem(out));
    expect(model.layers.map((l) => l.getClassName())).toEqual(['InputLayer', 'Dense', 'Dense', 'ManualDropout', 'Dense']);
    const x = loadFixture('seed_lambda_tfkeras', 'x.npy', { as: 'float32' });
    const want = loadFixture('seed_lambda_tfkeras', 'y_infer.npy');
    const y = tf.tidy(() => model.predict(tf.tensor(x.data as Float32Array, x.shape)) as tf.Tensor);
    const got = y.dataSync();
    let worst = 0;
    for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - (want.data[i] as number)));
    expect(worst).toBeLessThan(FLOAT32_OUTPUT_TOLERANCE);
    y.dispose();
    model.dispose();
  });

  it('--quantize uint8 stores one byte per weight', async () => {
    const out = join(work, 'quantized');
    const r = await cli('convert', SAVED_MODEL, out, '--lambda', SEED_LAMBDA, '--quantize', 'uint8', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ quantize: 'uint8', weightBytes: 16305 });
    const manifest = JSON.parse(await readFile(join(out, 'model.json'), 'utf8')) as { weightsManifest: Array<{ weights: Array<{ quantization?: { dtype: string } }> }> };
    expect(manifest.weightsManifest[0].weights.every((w) => w.quantization?.dtype === 'uint8')).toBe(true);
    const model = await loadLayersModel(fileSystem(out));
    expect(model.countParams()).toBe(16305);
    model.dispose();
  });

  it('a failure: one line with the code on stderr, exit 1, nothing left behind', async () => {
    const out = join(work, 'failed', 'model');
    const r = await cli('convert', SEED_H5, out);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `keras2tfjs: model.h5: layer 'lambda' is a Lambda (function 'dropout'); map it with --lambda 'dropout=ManualDropout:{"rate":0.5}' [UNMAPPED_LAMBDA]\n`,
    );
    expect(await readdir(work)).not.toContain('failed');
    expect((await readdir(work)).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  it('a failure with --json: {error: {code, message, file, layer}} on stdout, exit 1', async () => {
    const missing = join(work, 'no-such-model.keras');
    const r = await cli('convert', missing, join(work, 'never'), '--json');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({
      error: { code: 'FILE_NOT_FOUND', message: 'no-such-model.keras: no such file or directory', file: missing, layer: null },
    });
    expect(await readdir(work)).not.toContain('never');
  });

  it('a plain TF SavedModel (no keras_metadata.pb) is refused with BAD_SAVED_MODEL and the fix', async () => {
    const plain = join(work, 'plain.savedmodel');
    await cp(PLAIN_SAVED_MODEL, plain, { recursive: true });
    const r = await cli('convert', plain, join(work, 'plain-out'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^keras2tfjs: plain\.savedmodel: no keras_metadata\.pb: this is a plain TensorFlow SavedModel .*model\.save\("model\.keras"\) and convert that \[BAD_SAVED_MODEL\]\n$/);
    expect(await readdir(work)).not.toContain('plain-out');
  });
});

describe('inspect', () => {
  it('prints each layer and the Lambda with the flag that maps it; exit 1 as it would not convert', async () => {
    const r = await cli('inspect', SEED_H5);
    expect(r.code).toBe(1);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe(`${SEED_H5}: h5-full, Keras 2.21.0, Sequential, 5 layers, 16,305 parameters`);
    expect(lines[1]).toMatch(/^ {2}layer +class +tfjs class +output shape +parameters$/);
    expect(r.stdout).toContain(`map it with --lambda 'dropout=ManualDropout:{"rate":0.5}'`);
    expect(r.stdout).toContain('Converts: no:');
    expect(r.stdout).toContain('[UNMAPPED_LAMBDA]');
  });

  it('the flag it suggests works when pasted into a shell as printed', async () => {
    const suggested = /map it with (--lambda \S+)/.exec((await cli('inspect', SEED_H5)).stdout)?.[1];
    expect(suggested).toBe(`--lambda 'dropout=ManualDropout:{"rate":0.5}'`);
    const out = join(work, 'pasted');
    const { stdout } = await promisify(execFile)('bash', ['-c', `"$0" "$1" convert "$2" "$3" ${suggested}`, process.execPath, MAIN, SEED_H5, out]);
    expect(stdout).toMatch(/lambda: Lambda \(function dropout\) → ManualDropout /);
  });

  it('--json with the mapping: convertible, with tfjs output shapes', async () => {
    const r = await cli('inspect', SEED_H5, '--lambda', SEED_LAMBDA, '--json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { convertible: boolean; totalParameters: number; layers: Array<{ name: string; targetClass: string; outputShape: unknown }> };
    expect(report.convertible).toBe(true);
    expect(report.totalParameters).toBe(16305);
    expect(report.layers.find((l) => l.name === 'lambda')).toMatchObject({ targetClass: 'ManualDropout', outputShape: [null, 16] });
  });
});

describe('demo', () => {
  it('dispatches to the demo module (its own usage errors exit 2)', async () => {
    const r = await cli('demo', '--no-such-demo-flag');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^keras2tfjs: .*no-such-demo-flag/);
  });
});
