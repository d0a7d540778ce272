/**
 * `keras2tfjs demo`: runs the demo module (src/cli/demo.ts), loaded only when asked for,
 * so the converter commands never pay for it and a build without it still works.
 *
 * Contract for demo.ts: `export async function runDemo(args: string[], io: CliIo): Promise<number>`
 * returning the exit status.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { EXIT_FAILURE, type CliIo } from './output.js';

type RunDemo = (args: string[], io: CliIo) => Promise<number>;

/** Compiled (dist/cli/demo.js) or source (src/cli/demo.ts, under a TypeScript loader). */
const DEMO_FILES = ['./demo.js', './demo.ts'].map((f) => fileURLToPath(new URL(f, import.meta.url)));
/** A variable, so that TypeScript does not require the module to exist at compile time. */
const DEMO_MODULE = './demo.js';

export async function runDemoCommand(args: string[], io: CliIo): Promise<number> {
  if (!DEMO_FILES.some((f) => existsSync(f))) {
    io.stderr.write('keras2tfjs: the demo is not part of this build (no cli/demo.js next to the command)\n');
    return EXIT_FAILURE;
  }
  const mod = (await import(DEMO_MODULE)) as { runDemo?: RunDemo };
  if (typeof mod.runDemo !== 'function') {
    io.stderr.write('keras2tfjs: cli/demo.js does not export runDemo(args, io)\n');
    return EXIT_FAILURE;
  }
  return mod.runDemo(args, io);
}
