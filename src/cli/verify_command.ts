/**
 * `keras2tfjs verify <model> <fixtureDir> [--lambda ...] [--json]`: one call to the library's
 * verifyParity, then the report as a table (or one JSON object). Exit 0 when every check
 * passes, 1 when any fails (or the model or fixture cannot be read), 2 on bad usage.
 *
 * The backend: KERAS2TFJS_BACKEND if set, else tfjs-node if installed, else cpu. Not wasm by
 * default: it lacks some gradient kernels (Conv2DBackpropFilter), which resumed training needs.
 */
import { parseArgs } from 'node:util';
import { parseLambdaFlags, UsageError } from './args.js';
import { EXIT_FAILURE, EXIT_OK, printJson, type CliIo } from './output.js';

const OPTIONS = {
  lambda: { type: 'string', multiple: true },
  json: { type: 'boolean' },
} as const;

export interface VerifyArguments {
  model: string;
  fixtureDir: string;
  lambdas: ReturnType<typeof parseLambdaFlags>;
  json: boolean;
}

export function parseVerifyArguments(args: string[]): VerifyArguments {
  const json = args.includes('--json');
  let parsed;
  try {
    parsed = parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message.split('\n')[0].replace(/\.$/, ''), 'verify', json);
  }
  const { values, positionals } = parsed;
  if (positionals.length < 2) throw new UsageError(positionals.length === 0 ? 'missing <model> and <fixtureDir>' : 'missing <fixtureDir>', 'verify', json);
  if (positionals.length > 2) throw new UsageError(`unexpected argument '${positionals[2]}'`, 'verify', json);
  return { model: positionals[0], fixtureDir: positionals[1], lambdas: parseLambdaFlags(values.lambda ?? [], json, 'verify'), json };
}

export async function runVerify(args: string[], io: CliIo): Promise<number> {
  const cmd = parseVerifyArguments(args);
  await startBackend();
  const [{ verifyParity }, { formatParityReport }] = await Promise.all([import('../parity/verify_parity.js'), import('../parity/report_table.js')]);
  const report = await verifyParity(cmd.model, cmd.fixtureDir, { lambdas: cmd.lambdas });
  if (cmd.json) printJson(io, report);
  else io.stdout.write(formatParityReport(report));
  return report.pass ? EXIT_OK : EXIT_FAILURE;
}

async function startBackend(): Promise<void> {
  const { chooseBackend, useBackend } = await import('../backend.js');
  if (process.env.KERAS2TFJS_BACKEND) {
    await chooseBackend({ quiet: true }); // the report, alone, is the output
    return;
  }
  await useBackend('tensorflow').catch(() => useBackend('cpu'));
}
