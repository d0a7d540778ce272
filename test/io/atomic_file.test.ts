/**
 * writeFileAtomically (exportKeras' writer): the temporary file is created exclusively under an
 * unpredictable name, so a symlink planted beside the target is never followed, and a failure
 * leaves neither a temporary file nor a changed target.
 */
import { lstatSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { temporaryName, writeFileAtomically } from '../../src/io/atomic_file.js';

let dir: string;
let outside: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'k2t-atomic-'));
  outside = mkdtempSync(join(tmpdir(), 'k2t-victim-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

describe('writeFileAtomically', () => {
  it('never writes through a symlink planted at its temporary name: it takes another name', async () => {
    const target = join(dir, 'model.keras');
    const victim = join(outside, 'victim.txt');
    writeFileSync(victim, 'precious');
    const planted = temporaryName(target, 'planted');
    symlinkSync(victim, planted);
    const names = [planted, temporaryName(target, 'second')];
    await writeFileAtomically(target, new TextEncoder().encode('model bytes'), { names: () => names.shift() as string });
    expect(readFileSync(victim, 'utf8')).toBe('precious');
    expect(readFileSync(target, 'utf8')).toBe('model bytes');
    expect(lstatSync(planted).isSymbolicLink()).toBe(true); // left alone, not ours
    expect(readdirSync(dir).sort()).toEqual([planted.slice(dir.length + 1), 'model.keras'].sort());
  });

  it('replaces a symlink at the target itself, not the file it points to', async () => {
    const target = join(dir, 'model.keras');
    const victim = join(outside, 'victim.txt');
    writeFileSync(victim, 'precious');
    symlinkSync(victim, target);
    await writeFileAtomically(target, new TextEncoder().encode('model bytes'));
    expect(readFileSync(victim, 'utf8')).toBe('precious');
    expect(lstatSync(target).isFile()).toBe(true);
    expect(readFileSync(target, 'utf8')).toBe('model bytes');
  });

  it('draws a fresh random name each time', () => {
    const target = join(dir, 'model.keras');
    const a = temporaryName(target);
    const b = temporaryName(target);
    expect(a).not.toBe(b);
    expect(a).toMatch(/\/\.model\.keras\.tmp-[0-9a-f]{24}$/);
  });

  it('gives up when every name it tries exists, touching nothing', async () => {
    const target = join(dir, 'model.keras');
    writeFileSync(target, 'old');
    const taken = temporaryName(target, 'taken');
    writeFileSync(taken, 'someone else');
    await expect(writeFileAtomically(target, new Uint8Array([1]), { names: () => taken })).rejects.toMatchObject({ code: 'EEXIST' });
    expect(readFileSync(target, 'utf8')).toBe('old');
    expect(readFileSync(taken, 'utf8')).toBe('someone else');
  });
});
