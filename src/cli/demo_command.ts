/**
 * `keras2tfjs demo`: hands the arguments to the demo (src/cli/demo.ts parses them,
 * src/demo/ does the work).
 */
import { runDemo } from './demo.js';
import type { CliIo } from './output.js';

export async function runDemoCommand(args: string[], io: CliIo): Promise<number> {
  return runDemo(args, io);
}
