/**
 * `keras2tfjs demo [--imdb imdb.npz] [--epochs N] [--seed N] [--out dir] [--backend cpu|wasm|tensorflow] [--json]`:
 * argument parsing for the main job (src/demo/run_demo.ts does the work).
 */
import { parseArgs } from 'node:util';
import type { BackendName } from '../backend.js';
import { runDemoWith, type DemoOptions } from '../demo/run_demo.js';
import { UsageError } from './args.js';
import { EXIT_OK, printJson, reportError, type CliIo } from './output.js';

const BACKENDS: BackendName[] = ['tensorflow', 'wasm', 'cpu'];

export async function runDemo(args: string[], io: CliIo): Promise<number> {
  let json = args.includes('--json');
  try {
    const options = parseDemoArgs(args);
    json = options.json;
    const summary = await runDemoWith(options, io);
    if (json) printJson(io, summary);
    return EXIT_OK;
  } catch (e) {
    return reportError(io, e, json);
  }
}

export function parseDemoArgs(args: string[]): DemoOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        imdb: { type: 'string' },
        epochs: { type: 'string', default: '8' },
        'batch-size': { type: 'string', default: '512' },
        'train-samples': { type: 'string', default: '2000' },
        'val-samples': { type: 'string', default: '1000' },
        samples: { type: 'string', default: '30' },
        // A fixed default: the README's sample output is what `npm start` prints.
        seed: { type: 'string', default: '42' },
        out: { type: 'string', default: 'demo-output' },
        backend: { type: 'string' },
        json: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    throw new UsageError((e as Error).message, 'demo');
  }
  const backend = values.backend as BackendName | undefined;
  if (backend !== undefined && !BACKENDS.includes(backend)) {
    throw new UsageError(`--backend must be one of ${BACKENDS.join(', ')}; got '${backend}'`, 'demo');
  }
  return {
    imdb: values.imdb,
    epochs: positiveInt(values.epochs, '--epochs'),
    batchSize: positiveInt(values['batch-size'], '--batch-size'),
    trainSamples: positiveInt(values['train-samples'], '--train-samples'),
    valSamples: positiveInt(values['val-samples'], '--val-samples'),
    samples: positiveInt(values.samples, '--samples'),
    seed: nonNegativeInt(values.seed, '--seed'),
    outDir: values.out,
    backend,
    json: values.json,
  };
}

function nonNegativeInt(text: string, flag: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isSafeInteger(n) || n < 0 || n > 0xffffffff) throw new UsageError(`${flag} must be an integer from 0 to 4294967295; got '${text}'`, 'demo');
  return n;
}

function positiveInt(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n <= 0) throw new UsageError(`${flag} must be a positive integer; got '${text}'`, 'demo');
  return n;
}
