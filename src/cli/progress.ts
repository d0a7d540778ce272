/**
 * The progress bar `convert` draws on stderr for big models: only on a terminal, never with
 * --json (stdout then carries one JSON object and stderr stays quiet), never for small models
 * (they finish before a bar is worth drawing).
 */
import cliProgress from 'cli-progress';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { CliIo } from './output.js';

/** Models below this size convert in well under a second: no bar. One tfjs weight shard. */
export const PROGRESS_MIN_BYTES = 4 * 1024 * 1024;
/** Directory walks for the size stop this deep (a SavedModel is 2 levels). */
const MAX_WALK_DEPTH = 4;

export interface Progress {
  /** `fraction` in [0, 1], `stage` a short word ('read', 'weights', 'write'). */
  update(fraction: number, stage: string): void;
  stop(): void;
}

const SILENT: Progress = { update() {}, stop() {} };

/** A bar on stderr if stderr is a terminal, output is not JSON and the input is big; else silent. */
export async function progressFor(io: CliIo, input: string, json: boolean): Promise<Progress> {
  if (json || !io.stderr.isTTY) return SILENT;
  if ((await sizeOf(input, 0)) < PROGRESS_MIN_BYTES) return SILENT;
  const bar = new cliProgress.SingleBar(
    {
      format: 'converting [{bar}] {percentage}% {stage}',
      stream: io.stderr as NodeJS.WritableStream,
      clearOnComplete: true,
      hideCursor: true,
      barsize: Math.max(10, Math.min(40, (io.stderr.columns ?? 80) - 40)),
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(100, 0, { stage: '' });
  return {
    update(fraction, stage) {
      bar.update(Math.round(Math.min(1, Math.max(0, fraction)) * 100), { stage });
    },
    stop() {
      bar.stop();
    },
  };
}

/** Bytes of a file, or of every file under a directory (SavedModels, unzipped .keras). */
async function sizeOf(path: string, depth: number): Promise<number> {
  try {
    const info = await stat(path);
    if (!info.isDirectory()) return info.size;
    if (depth >= MAX_WALK_DEPTH) return 0;
    let total = 0;
    for (const name of await readdir(path)) total += await sizeOf(join(path, name), depth + 1);
    return total;
  } catch {
    // The converter reports a missing input; the bar just stays away.
    return 0;
  }
}
