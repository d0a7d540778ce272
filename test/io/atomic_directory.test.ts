/**
 * Output folders under concurrency and signals (issue 16, items 10 and 11): 20 conversions into
 * one folder at once all succeed and leave one whole model and nothing else; SIGINT and SIGTERM
 * during a write leave no temporary folder (and still end the process); after SIGKILL, the next
 * write removes the dead process' temporary folder; a dead process' lock is broken; a failed
 * write removes only the empty folders it created.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTemporaryDirectory, removeCreatedParents } from '../../src/io/atomic_directory.js';
import { fileSystem, writeArtifactsToDirectory } from '../../src/io/file_system.js';
import { fixturePath } from '../helpers/fixtures.js';
import { CLI, DIST, ensureBuilt } from '../helpers/built_package.js';

const WRITER = new URL('./write_model_paused.mjs', import.meta.url).pathname;
let work: string;

beforeAll(() => ensureBuilt());
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'k2t-atomic-dir-'));
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string }> {
  let stdout = '';
  child.stdout?.on('data', (b: Buffer) => (stdout += b.toString()));
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout })));
}

/** A writer child paused inside its write (its temporary folder on disk), and its end. */
async function pausedWriter(out: string): Promise<{ child: ChildProcess; done: ReturnType<typeof exited> }> {
  const child = spawn(process.execPath, [WRITER, DIST, out, 'pause'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const done = exited(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (b: Buffer) => {
      if (b.toString().includes('paused')) resolve();
    });
    child.on('close', () => reject(new Error('the writer ended before pausing')));
  });
  return { child, done };
}

/** A process id that is not running: a child that already ended. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await exited(child);
  return child.pid as number;
}

describe('concurrent conversions into one folder', () => {
  it('20 at once: every run succeeds, one whole model remains, no temporary folder or lock', async () => {
    const out = join(work, 'parent', 'web_model');
    const runs = Array.from({ length: 20 }, () =>
      exited(spawn(process.execPath, [CLI, 'convert', fixturePath('builtin_dropout', 'model.keras'), out, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] })),
    );
    const results = await Promise.all(runs);
    expect(results.map((r) => (r.code === 0 ? 'ok' : r.stdout))).toEqual(results.map(() => 'ok'));
    expect(readdirSync(join(work, 'parent'))).toEqual(['web_model']);
    expect(readdirSync(out).sort()).toEqual(['group1-shard1of1.bin', 'model.json']);
    const model = await tfl.loadLayersModel(fileSystem(out));
    expect(model.layers.length).toBeGreaterThan(0);
    model.dispose();
  });
});

describe('signals during a write', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal}: the temporary folder is removed and the process still ends by the signal`, async () => {
      const out = join(work, 'web_model');
      const { child, done } = await pausedWriter(out);
      expect(readdirSync(work).some((n) => n.startsWith('.web_model.tmp-'))).toBe(true);
      child.kill(signal);
      const r = await done;
      expect(r.stdout).not.toContain('done');
      expect(r.signal).toBe(signal);
      expect(readdirSync(work)).toEqual([]);
    });
  }

  it('SIGKILL leaves the temporary folder; the next write into the same folder removes it', async () => {
    const out = join(work, 'web_model');
    const { child, done } = await pausedWriter(out);
    child.kill('SIGKILL');
    await done;
    expect(readdirSync(work).some((n) => n.startsWith('.web_model.tmp-'))).toBe(true);
    const next = await exited(spawn(process.execPath, [WRITER, DIST, out], { stdio: ['ignore', 'pipe', 'inherit'] }));
    expect(next.stdout).toContain('done');
    expect(readdirSync(work)).toEqual(['web_model']);
  });
});

describe('stale state left by dead processes', () => {
  const artifacts = () => ({
    modelTopology: { class_name: 'Sequential', config: { name: 'm', layers: [] } },
    weightSpecs: [{ name: 'w', shape: [2], dtype: 'float32' as const }],
    weightData: new Float32Array([1, 2]).buffer,
    format: 'layers-model',
  });

  it("a dead process' lock is broken", async () => {
    const out = join(work, 'web_model');
    writeFileSync(join(work, '.web_model.lock'), JSON.stringify({ host: (await import('node:os')).hostname(), pid: await deadPid(), started: null }));
    await writeArtifactsToDirectory(artifacts(), out);
    expect(readdirSync(work)).toEqual(['web_model']);
  });

  it("a live process' temporary folder is left alone", async () => {
    const out = join(work, 'web_model');
    const theirs = join(work, `.web_model.tmp-${process.ppid}-abcdef`);
    mkdirSync(theirs);
    await writeArtifactsToDirectory(artifacts(), out);
    expect(readdirSync(work).sort()).toEqual([`.web_model.tmp-${process.ppid}-abcdef`, 'web_model']);
  });

  it('an output a dead process had moved aside, with nothing in its place, is put back', async () => {
    const out = join(work, 'web_model');
    const aside = join(work, `.web_model.old-${await deadPid()}-abcdef`, 'previous');
    mkdirSync(aside, { recursive: true });
    writeFileSync(join(aside, 'model.json'), '{}');
    const tmp = await createTemporaryDirectory(out); // sweeps first
    expect(readdirSync(out)).toEqual(['model.json']);
    rmSync(tmp, { recursive: true });
  });
});

describe('a failed write', () => {
  it('removes only the empty folders it created, never another run\u2019s output inside them', async () => {
    const top = join(work, 'a');
    const inner = join(top, 'b');
    mkdirSync(join(inner, 'other_run_output'), { recursive: true });
    writeFileSync(join(inner, 'other_run_output', 'model.json'), '{}');
    await removeCreatedParents(inner, top);
    expect(existsSync(join(inner, 'other_run_output', 'model.json'))).toBe(true);
    rmSync(join(inner, 'other_run_output'), { recursive: true });
    await removeCreatedParents(inner, top);
    expect(existsSync(top)).toBe(false);
  });
});
