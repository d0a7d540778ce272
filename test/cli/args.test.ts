/**
 * The command line, parsed: every flag of convert/inspect, and the usage errors a user
 * makes (each a UsageError → exit status 2 with the usage line of that command).
 */
import { describe, expect, it } from 'vitest';
import { parseCommandLine, parseLambdaFlags, UsageError } from '../../src/cli/args.js';
import { groupThousands } from '../../src/cli/output.js';

function usageError(argv: string[]): UsageError {
  try {
    parseCommandLine(argv);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return e as UsageError;
  }
  throw new Error(`expected a usage error for: ${argv.join(' ')}`);
}

describe('convert', () => {
  it('takes input, outDir and every option', () => {
    expect(
      parseCommandLine([
        'convert', 'model.keras', 'out',
        '--lambda', 'dropout=ManualDropout:{"rate":0.5}',
        '--lambda', 'noise=GaussianNoise:{"stddev":0.1}',
        '--exact-dropout', '--rng', 'jax', '--config', 'config.json',
        '--quantize', 'uint8', '--shard-size-mb', '0.5', '--json',
      ]),
    ).toEqual({
      command: 'convert',
      input: 'model.keras',
      outDir: 'out',
      lambdas: {
        dropout: { className: 'ManualDropout', config: { rate: 0.5 } },
        noise: { className: 'GaussianNoise', config: { stddev: 0.1 } },
      },
      exactDropout: true,
      rng: 'jax',
      config: 'config.json',
      quantize: 'uint8',
      shardSizeMb: 0.5,
      json: true,
    });
  });

  it('defaults: no lambdas, no exact dropout, text output', () => {
    expect(parseCommandLine(['convert', 'a.h5', 'out'])).toEqual({
      command: 'convert', input: 'a.h5', outDir: 'out', lambdas: {}, exactDropout: false, json: false,
    });
  });

  it('options may come before the positionals, and --opt=value works', () => {
    const cmd = parseCommandLine(['convert', '--quantize=float16', 'in.keras', '--json', 'out']);
    expect(cmd).toMatchObject({ input: 'in.keras', outDir: 'out', quantize: 'float16', json: true });
  });

  it.each([
    [['convert'], /^missing <input> and <outDir>$/],
    [['convert', 'in.keras'], /^missing <outDir>$/],
    [['convert', 'in.keras', 'out', 'extra'], /^unexpected argument 'extra'$/],
    [['convert', 'in', 'out', '--quantize', 'int4'], /^--quantize must be one of float16, uint8, uint16, got 'int4'$/],
    [['convert', 'in', 'out', '--rng', 'torch'], /^--rng must be one of tensorflow, jax, got 'torch'$/],
    [['convert', 'in', 'out', '--shard-size-mb', '0'], /^--shard-size-mb expects a positive number of MiB, got '0'$/],
    [['convert', 'in', 'out', '--shard-size-mb', 'big'], /--shard-size-mb expects a positive number/],
    [['convert', 'in', 'out', '--shard-size-mb'], /Option '--shard-size-mb <value>' argument missing/],
    [['convert', 'in', 'out', '--frobnicate'], /Unknown option '--frobnicate'/],
    [['convert', 'in', 'out', '--lambda', 'dropout'], /^Invalid value for `--lambda`: expected NAME=Class or NAME=Class:\{json config\}.*Received: --lambda dropout$/],
    [['convert', 'in', 'out', '--lambda', 'f=A', '--lambda', 'f=B'], /^--lambda f is given twice$/],
  ])('%j is a usage error', (argv, message) => {
    const err = usageError(argv as string[]);
    expect(err.message).toMatch(message);
    expect(err.message).not.toContain('\n');
    expect(err.command).toBe('convert');
  });
});

describe('--lambda', () => {
  it('name=Class with no config, and JSON that contains ":" and "="', () => {
    expect(parseLambdaFlags(['lambda_1=ManualDropout', 'f=MyLayer:{"a":"x:y=z","b":[1,2]}'])).toEqual({
      lambda_1: { className: 'ManualDropout' },
      f: { className: 'MyLayer', config: { a: 'x:y=z', b: [1, 2] } },
    });
  });

  it.each([
    ['=ManualDropout'],
    ['dropout='],
    ['dropout=Manual Dropout'],
    ['dropout=ManualDropout:{rate:0.5}'],
    ['dropout=ManualDropout:[0.5]'],
  ])('%s is a usage error that shows the expected form', (flag) => {
    expect(() => parseLambdaFlags([flag])).toThrow(UsageError);
    expect(() => parseLambdaFlags([flag])).toThrow(/e\.g\. dropout=ManualDropout:\{"rate":0\.5\}/);
  });
});

describe('inspect, demo, help, version', () => {
  it('inspect <input> [--lambda ...] [--exact-dropout] [--rng] [--config] [--json]', () => {
    expect(parseCommandLine(['inspect', 'm.h5'])).toEqual({ command: 'inspect', input: 'm.h5', lambdas: {}, exactDropout: false, json: false });
    expect(
      parseCommandLine(['inspect', '--json', 'w.h5', '--lambda', 'dropout=ManualDropout', '--exact-dropout', '--rng', 'jax', '--config', 'model.json']),
    ).toEqual({
      command: 'inspect',
      input: 'w.h5',
      lambdas: { dropout: { className: 'ManualDropout' } },
      exactDropout: true,
      rng: 'jax',
      config: 'model.json',
      json: true,
    });
    expect(usageError(['inspect', 'a', '--rng', 'torch']).command).toBe('inspect');
    // --backend means a tfjs backend everywhere; on convert and inspect it points to --rng.
    expect(usageError(['convert', 'a', 'b', '--backend', 'jax']).message).toBe('convert takes no --backend: it only builds the model to check it (the Keras random stream for --exact-dropout is --rng jax)');
    expect(usageError(['inspect', 'a', '--backend', 'wasm']).message).toBe('inspect takes no --backend: it only builds the model to check it');
    expect(usageError(['inspect']).message).toBe('missing <input>');
    expect(usageError(['inspect', 'a', 'b']).message).toBe("unexpected argument 'b'");
    expect(usageError(['inspect', 'a', '--quantize', 'uint8']).message).toMatch(/Unknown option '--quantize'/);
  });

  it('demo passes its arguments through', () => {
    expect(parseCommandLine(['demo'])).toEqual({ command: 'demo', args: [], json: false });
  });

  it('help and version, as commands or flags', () => {
    for (const argv of [['--help'], ['-h'], ['help'], ['convert', '--help'], ['inspect', '-h']]) {
      expect(parseCommandLine(argv).command).toBe('help');
    }
    expect(parseCommandLine(['--version']).command).toBe('version');
    expect(parseCommandLine(['-v']).command).toBe('version');
  });

  it('no command or an unknown one is a usage error', () => {
    expect(usageError([]).message).toBe('missing command');
    expect(usageError(['convet', 'a', 'b']).message).toBe("unknown command 'convet' (expected convert, inspect, demo, verify)");
    expect(usageError(['--json', 'x']).json).toBe(true);
  });
});

describe('groupThousands', () => {
  it('groups digits as en-US toLocaleString does', () => {
    for (const n of [0, 7, 999, 1000, 12345, 999999, 1000000, 25042533, 160305, 2 ** 53 - 1]) {
      expect(groupThousands(n)).toBe(n.toLocaleString('en-US'));
    }
  });
});
