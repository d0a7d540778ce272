/**
 * An app that ends up with two copies of @tensorflow/tfjs-core (npm nests one when versions
 * clash) is told so, loudly and with the fix, whichever copy loads first; an app with one copy
 * hears nothing. Each case is a separate Node process importing the built package (dist/) and a
 * real second copy of tfjs-core (the package folder copied, so Node loads it as another module).
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repo = resolve(import.meta.dirname, '..', '..');
const KERAS2TFJS = pathToFileURL(join(repo, 'dist', 'index.js')).href;
const MESSAGE = /^keras2tfjs: this app loads two copies of @tensorflow\/tfjs-core \(keras2tfjs uses 4\.\d+\.\d+\): .*'Unknown layer: ManualDropout'\. Fix: .*npm dedupe/m;

let work: string;
let secondCore: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'k2t-two-cores-'));
  const copy = join(work, 'node_modules', '@tensorflow', 'tfjs-core');
  await cp(join(repo, 'node_modules', '@tensorflow', 'tfjs-core'), copy, { recursive: true });
  secondCore = pathToFileURL(join(copy, 'dist', 'tf-core.node.js')).href;
});
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

/** Runs `imports` in order in a fresh Node process; returns what it printed on stderr. */
async function stderrOf(imports: string[]): Promise<string> {
  const program = imports.map((url) => `await import(${JSON.stringify(url)});`).join('\n');
  const { stderr } = await run(process.execPath, ['--input-type=module', '-e', program], { cwd: work });
  return stderr;
}

describe('a second @tensorflow/tfjs-core', () => {
  it("is named when the app's copy loaded first", async () => {
    expect(await stderrOf([secondCore, KERAS2TFJS])).toMatch(MESSAGE);
  });

  it('is named when it loads after keras2tfjs', async () => {
    expect(await stderrOf([KERAS2TFJS, secondCore])).toMatch(MESSAGE);
  });

  it('is not claimed when there is one copy', async () => {
    expect(await stderrOf([KERAS2TFJS, pathToFileURL(join(repo, 'node_modules', '@tensorflow', 'tfjs-core', 'dist', 'tf-core.node.js')).href])).not.toContain('two copies');
  });
});
