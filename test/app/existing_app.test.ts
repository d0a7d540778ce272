/**
 * A real, separate Node program (existing_app.mjs) that uses plain TensorFlow.js and imports
 * the keras2tfjs package by name, only for its side effect, then loads a model.json naming
 * ManualDropout. The package is built and installed into a private node_modules the way an
 * app would have it (the app's other dependencies are linked from this repository's), so
 * the shared dist/ is never touched.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_INPUT, EXPECTED_PREDICTION, writePythonStyleModel } from './python_style_model.js';
import { FIXTURES_DIR } from '../helpers/fixtures.js';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..');

let app: string;
let modelDir: string;

/** Builds the package into `app/node_modules/keras2tfjs` and links the rest of the dependencies. */
async function installPackage(appDir: string): Promise<void> {
  const modules = join(appDir, 'node_modules');
  const pkg = join(modules, 'keras2tfjs');
  await mkdir(pkg, { recursive: true });
  for (const entry of await readdir(join(repo, 'node_modules'))) {
    if (entry.startsWith('.')) continue;
    await symlink(join(repo, 'node_modules', entry), join(modules, entry));
  }
  await copyFile(join(repo, 'package.json'), join(pkg, 'package.json'));
  const tsc = join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
  // Type errors are `npm run typecheck`'s job; this test checks what the emitted package does
  // at run time, so it needs the entry point to have been emitted.
  await run(process.execPath, [tsc, '-p', join(repo, 'tsconfig.build.json'), '--outDir', join(pkg, 'dist')], {
    cwd: repo,
  }).catch((e: { stdout?: string }) => {
    if (!existsSync(join(pkg, 'dist', 'index.js'))) throw new Error(`build failed: ${e.stdout ?? e}`);
  });
}

beforeAll(async () => {
  app = await mkdtemp(join(tmpdir(), 'keras2tfjs-app-'));
  await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'existing-app', private: true, type: 'module' }));
  for (const f of ['existing_app.mjs', 'plain_app.mjs', 'load_from_disk.mjs', 'parity_app.mjs']) await copyFile(join(here, f), join(app, f));
  await installPackage(app);
  modelDir = join(app, 'model');
  await writePythonStyleModel(modelDir);
});

afterAll(async () => {
  if (app) await rm(app, { recursive: true, force: true });
});

describe('an existing tfjs app', () => {
  it("loads a model.json naming ManualDropout after `import 'keras2tfjs'`", async () => {
    const { stdout } = await run(process.execPath, [join(app, 'existing_app.mjs'), modelDir, JSON.stringify(APP_INPUT)], { cwd: app });
    const out = JSON.parse(stdout.trim().split('\n').pop() as string);
    expect(out.layers).toEqual(['InputLayer', 'Dense', 'ManualDropout']);
    expect(out.prediction).toEqual(EXPECTED_PREDICTION);
    expect(out.trainingCallsDiffer).toBe(true);
  });

  it('without the import, tfjs cannot load it (Unknown layer: ManualDropout)', async () => {
    const failure = await run(process.execPath, [join(app, 'plain_app.mjs'), modelDir], { cwd: app }).then(
      () => null,
      (e: { code?: number; stderr?: string }) => e,
    );
    expect(failure).not.toBeNull();
    expect(failure?.code).not.toBe(0);
    expect(failure?.stderr).toMatch(/Unknown layer: ManualDropout/);
  });

  it('the installed package resolves to the private build, not this repository', async () => {
    const pkgJson = JSON.parse(await readFile(join(app, 'node_modules', 'keras2tfjs', 'package.json'), 'utf8'));
    expect(pkgJson.name).toBe('keras2tfjs');
    expect(existsSync(join(app, 'node_modules', 'keras2tfjs', 'dist', 'layers', 'manual_dropout.js'))).toBe(true);
  });
});

describe("an app's own parity test (keras2tfjs/testing)", () => {
  const kit = join(FIXTURES_DIR, 'parity_kit_tf');
  const fixture = join(kit, 'fixture');
  const parityApp = async (model: string) => {
    const { stdout } = await run(process.execPath, [join(app, 'parity_app.mjs'), model, fixture], { cwd: app });
    return JSON.parse(stdout.trim().split('\n').pop() as string);
  };

  it('expectParity passes for the model the fixture was made from', async () => {
    expect(await parityApp(join(fixture, 'model.keras'))).toEqual({ pass: true, checks: 26 });
  });

  it('expectParity throws ParityMismatchError, with the table, for another model', async () => {
    const out = await parityApp(join(kit, 'other_model.keras'));
    expect(out.error).toBe('ParityMismatchError');
    expect(out.firstLine).toBe('the model does not match Keras:');
    expect(out.table).toMatch(/\n {2}inference: label +\S+ +1\.00e-5 +FAIL/);
  });
});
