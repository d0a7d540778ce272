/**
 * A disk that fills up while the second weight shard is written: the save must fail with
 * WRITE_FAILED naming that shard, and leave neither the target nor any temp directory.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { existsSync } from 'node:fs';
import * as realFs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { fileSystem } from '../../src/index.js';
import { Keras2TfjsError } from '../../src/errors.js';
import { switchBackend } from '../helpers/backends.js';

/** The shard on which the simulated disk runs out of space. */
const FAILING_FILE = 'group1-shard2of4.bin';

vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  const open: typeof fs.open = async (...args: Parameters<typeof fs.open>) => {
    const handle = await fs.open(...args);
    if (basename(String(args[0])) !== FAILING_FILE) return handle;
    // Like a full disk: the file gets created, then the write fails with ENOSPC.
    const full = async (): Promise<never> => {
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', path: String(args[0]) });
    };
    handle.writeFile = full;
    handle.writev = full;
    return handle;
  };
  return { ...fs, default: { ...fs, open }, open };
});

let parent: string;
beforeAll(async () => {
  await switchBackend('cpu');
  parent = await realFs.mkdtemp(join(tmpdir(), 'keras2tfjs-enospc-'));
});
afterAll(async () => {
  await realFs.rm(parent, { recursive: true, force: true });
});

describe('fileSystem on a full disk', () => {
  it('fails with WRITE_FAILED naming the shard, and leaves nothing behind', async () => {
    const model = tfl.sequential({
      layers: [tfl.layers.dense({ units: 8, inputShape: [5] }), tfl.layers.dense({ units: 3 })],
    });
    const dir = join(parent, 'model');
    let err: unknown;
    try {
      await model.save(fileSystem(dir, { shardSizeBytes: 80 })); // 75 floats = 300 bytes -> 4 shards
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(Keras2TfjsError);
    const e = err as Keras2TfjsError;
    expect(e.code).toBe('WRITE_FAILED');
    expect(basename(e.file ?? '')).toBe(FAILING_FILE);
    expect(e.message).toContain('(ENOSPC)');
    expect(e.message).toContain(`nothing was written to ${dir}`);
    expect(existsSync(dir)).toBe(false);
    expect(await realFs.readdir(parent)).toEqual([]);
    model.dispose();
  });
});
