/**
 * A progress bar on stderr for long work (training epochs), drawn only when stderr is a
 * terminal: in CI logs and pipes a bar is noise, and the one-line-per-epoch output says enough.
 */
import cliProgress from 'cli-progress';
import type { CliIo } from '../cli/output.js';

export interface Progress {
  start(total: number, label: string): void;
  update(done: number): void;
  stop(): void;
}

export function progressBar(io: CliIo): Progress {
  if (!io.stderr.isTTY) {
    return { start() {}, update() {}, stop() {} };
  }
  const bar = new cliProgress.SingleBar(
    {
      stream: io.stderr as NodeJS.WritableStream,
      format: '  {label} [{bar}] {value}/{total} batches',
      barsize: 30,
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  return {
    start(total, label) {
      bar.start(total, 0, { label });
    },
    update(done) {
      bar.update(done);
    },
    stop() {
      bar.stop();
    },
  };
}
