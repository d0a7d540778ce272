/**
 * The convert progress bar: drawn on stderr only for big inputs on a terminal, never with
 * --json, never when stderr is a pipe or a file.
 */
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/output.js';
import { PROGRESS_MIN_BYTES, progressFor } from '../../src/cli/progress.js';

/** A stderr that says it is a terminal and records what is drawn on it. */
function terminal(isTTY: boolean): { io: CliIo; written: () => string } {
  const stream = Object.assign(new PassThrough(), { isTTY, columns: 100, cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { io: { stdout: { write: () => true }, stderr: stream }, written: () => text };
}

let work: string;
let big: string;
let small: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'k2t-progress-'));
  big = join(work, 'big.keras');
  small = join(work, 'small.keras');
  await writeFile(big, '');
  await truncate(big, PROGRESS_MIN_BYTES + 1); // sparse: a big file that costs no disk
  await writeFile(small, 'x');
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('progressFor', () => {
  it('draws a bar for a big input on a terminal, and stops it', async () => {
    const t = terminal(true);
    const bar = await progressFor(t.io, big, false);
    bar.update(0.5, 'weights');
    bar.stop();
    expect(t.written()).toContain('converting [');
    expect(t.written()).toContain('50% weights');
  });

  it('stays silent for --json, for a pipe, and for a small input', async () => {
    for (const [isTTY, input, json] of [
      [true, big, true],
      [false, big, false],
      [true, small, false],
    ] as const) {
      const t = terminal(isTTY);
      const bar = await progressFor(t.io, input, json);
      bar.update(0.5, 'weights');
      bar.stop();
      expect(t.written()).toBe('');
    }
  });
});
