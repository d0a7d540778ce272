/**
 * The `keras2tfjs` command, as a function of its arguments and output streams
 * (the binary in main.ts passes process.argv and process.stdout/stderr).
 * Returns the exit status (output.ts: 0 yes, 1 the input is the problem, 2 bad usage, 3 internal error).
 */
import { createRequire } from 'node:module';
import { parseCommandLine, type Command } from './args.js';
import { EXIT_OK, printJson, reportError, type CliIo } from './output.js';
import { HELP } from './usage.js';

/** package.json sits two levels up from both src/cli and dist/cli. */
const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let cmd: Command;
  try {
    cmd = parseCommandLine(argv);
  } catch (e) {
    return reportError(io, e, argv.includes('--json'));
  }
  try {
    switch (cmd.command) {
      case 'help':
        io.stdout.write(`${HELP}\n`);
        return EXIT_OK;
      case 'version':
        if (cmd.json) printJson(io, { version });
        else io.stdout.write(`keras2tfjs ${version}\n`);
        return EXIT_OK;
      // Each command's module graph is loaded only when it runs: `convert` should not pay for
      // the demo's training stack at start-up (Node module loading dominates a small conversion).
      case 'convert':
        await startConverterRuntime();
        return await (await import('./convert_command.js')).runConvert(cmd, io);
      case 'inspect':
        await startConverterRuntime();
        return await (await import('./inspect_command.js')).runInspect(cmd, io);
      case 'demo':
        return await (await import('./demo.js')).runDemo(cmd.args, io);
      case 'verify':
        return await (await import('./verify_command.js')).runVerify(cmd.args, io);
    }
  } catch (e) {
    return reportError(io, e, cmd.json);
  }
}

/**
 * What a conversion needs besides its own modules: tfjs with the cpu backend registered. The
 * HDF5 worker thread is not started here: HDF5 files are read without it unless they use what
 * only the HDF5 library reads (hdf5.ts). The command only builds the converted topology once,
 * with Zeros initializers, to prove tfjs loads it: the cpu backend starts faster than wasm for that.
 */
async function startConverterRuntime(): Promise<void> {
  if (!process.env.KERAS2TFJS_BACKEND) {
    // The cpu backend is chosen on purpose (useBackend keeps tfjs' "install tfjs-node" banner quiet).
    const { useBackend } = await import('../backend.js');
    await useBackend('cpu');
  }
}
