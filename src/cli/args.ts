/**
 * Parses the `keras2tfjs` command line into one typed command, or a usage error.
 * Only syntax and value ranges are checked here; whether files exist is the library's job.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { parseLambdaMapping, type LambdaMappings } from '../convert/normalize/layer_map.js';
import { Keras2TfjsError } from '../errors.js';

export type QuantizeDtype = 'float16' | 'uint8' | 'uint16';
export type RngBackend = 'tensorflow' | 'jax';

export interface ConvertCommand {
  command: 'convert';
  input: string;
  outDir: string;
  /** `--lambda` flags, keyed by Lambda function or layer name (the library's `lambdas` option). */
  lambdas: LambdaMappings;
  exactDropout: boolean;
  /** `--rng`: the Keras backend whose random stream exact dropout replays. */
  rng?: RngBackend;
  config?: string;
  quantize?: QuantizeDtype;
  shardSizeMb?: number;
  /** `--max-decode-ratio`: the library's `maxDecodeRatio` option. */
  maxDecodeRatio?: number;
  json: boolean;
}
export interface InspectCommand {
  command: 'inspect';
  input: string;
  /** How Lambdas would map (inspect reports whether the model then converts). */
  lambdas: LambdaMappings;
  exactDropout: boolean;
  rng?: RngBackend;
  /** Architecture for a weights-only file. */
  config?: string;
  maxDecodeRatio?: number;
  json: boolean;
}
export interface DemoCommand {
  command: 'demo';
  /** Arguments after `demo`, passed through to the demo. */
  args: string[];
  json: boolean;
}
export interface VerifyCommand {
  command: 'verify';
  /** Arguments after `verify`, parsed by the verify command (verify_command.ts). */
  args: string[];
  json: boolean;
}
export interface InfoCommand {
  command: 'help' | 'version';
  json: boolean;
}
export type Command = ConvertCommand | InspectCommand | DemoCommand | VerifyCommand | InfoCommand;

/** A command line we cannot run: exit status 2, with the usage line for `command`. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly command?: string,
    readonly json = false,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

const COMMANDS = ['convert', 'inspect', 'demo', 'verify'] as const;
const QUANTIZE: readonly QuantizeDtype[] = ['float16', 'uint8', 'uint16'];
const RNGS: readonly RngBackend[] = ['tensorflow', 'jax'];

const CONVERT_OPTIONS = {
  lambda: { type: 'string', multiple: true },
  'exact-dropout': { type: 'boolean' },
  rng: { type: 'string' },
  backend: { type: 'string' },
  config: { type: 'string' },
  quantize: { type: 'string' },
  'shard-size-mb': { type: 'string' },
  'max-decode-ratio': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;
const INSPECT_OPTIONS = {
  lambda: { type: 'string', multiple: true },
  'exact-dropout': { type: 'boolean' },
  rng: { type: 'string' },
  backend: { type: 'string' },
  config: { type: 'string' },
  'max-decode-ratio': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function parseCommandLine(argv: string[]): Command {
  const json = argv.includes('--json');
  const [first, ...rest] = argv;
  if (first === undefined) throw new UsageError('missing command', undefined, json);
  if (first === '-h' || first === '--help' || first === 'help') return { command: 'help', json };
  if (first === '-v' || first === '--version') return { command: 'version', json };
  if (!(COMMANDS as readonly string[]).includes(first)) {
    throw new UsageError(`unknown command '${first}' (expected ${COMMANDS.join(', ')})`, undefined, json);
  }
  const command = first as (typeof COMMANDS)[number];
  if (rest.includes('-h') || rest.includes('--help')) return { command: 'help', json };
  switch (command) {
    case 'convert':
      return parseConvert(rest, json);
    case 'inspect':
      return parseInspect(rest, json);
    case 'demo':
      return { command: 'demo', args: rest, json };
    case 'verify':
      return { command: 'verify', args: rest, json };
  }
}

/** node:util parseArgs, with its errors turned into our UsageError. */
function parse<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T, command: string, json: boolean) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true } as const);
  } catch (e) {
    throw new UsageError(cleanParseError(e), command, json);
  }
}

/** parseArgs' messages are multi-line and Node-flavoured; keep the first sentence. */
function cleanParseError(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return message.split('\n')[0].replace(/\. To specify a positional argument.*$/, '').replace(/\.$/, '');
}

function parseConvert(args: string[], json: boolean): ConvertCommand {
  const { values, positionals } = parse(args, CONVERT_OPTIONS, 'convert', json);
  const usage = (message: string) => new UsageError(message, 'convert', json);
  if (positionals.length < 2) throw usage(positionals.length === 0 ? 'missing <input> and <outDir>' : 'missing <outDir>');
  if (positionals.length > 2) throw usage(`unexpected argument '${positionals[2]}'`);
  const [input, outDir] = positionals;
  const cmd: ConvertCommand = {
    command: 'convert',
    input,
    outDir,
    lambdas: parseLambdaFlags(values.lambda ?? [], json, 'convert'),
    exactDropout: values['exact-dropout'] ?? false,
    json: values.json ?? false,
  };
  if (values.backend !== undefined) throw misplacedBackend(values.backend, 'convert', json);
  if (values.rng !== undefined) cmd.rng = oneOf(values.rng, RNGS, '--rng', json, 'convert');
  if (values.quantize !== undefined) cmd.quantize = oneOf(values.quantize, QUANTIZE, '--quantize', json, 'convert');
  if (values.config !== undefined) cmd.config = nonEmptyConfig(values.config, json, 'convert');
  if (values['shard-size-mb'] !== undefined) {
    const raw = values['shard-size-mb'];
    const mb = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(mb) || mb <= 0) throw usage(`--shard-size-mb expects a positive number of MiB, got '${raw}'`);
    cmd.shardSizeMb = mb;
  }
  if (values['max-decode-ratio'] !== undefined) cmd.maxDecodeRatio = decodeRatio(values['max-decode-ratio'], json, 'convert');
  return cmd;
}

function decodeRatio(raw: string, json: boolean, command: string): number {
  const ratio = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(ratio) || ratio <= 0) throw new UsageError(`--max-decode-ratio expects a positive number, got '${raw}'`, command, json);
  return ratio;
}

function parseInspect(args: string[], json: boolean): InspectCommand {
  const { values, positionals } = parse(args, INSPECT_OPTIONS, 'inspect', json);
  if (positionals.length === 0) throw new UsageError('missing <input>', 'inspect', json);
  if (positionals.length > 1) throw new UsageError(`unexpected argument '${positionals[1]}'`, 'inspect', json);
  const cmd: InspectCommand = {
    command: 'inspect',
    input: positionals[0],
    lambdas: parseLambdaFlags(values.lambda ?? [], json, 'inspect'),
    exactDropout: values['exact-dropout'] ?? false,
    json: values.json ?? false,
  };
  if (values.backend !== undefined) throw misplacedBackend(values.backend, 'inspect', json);
  if (values.rng !== undefined) cmd.rng = oneOf(values.rng, RNGS, '--rng', json, 'inspect');
  if (values.config !== undefined) cmd.config = nonEmptyConfig(values.config, json, 'inspect');
  if (values['max-decode-ratio'] !== undefined) cmd.maxDecodeRatio = decodeRatio(values['max-decode-ratio'], json, 'inspect');
  return cmd;
}

/**
 * `--backend` names a TensorFlow.js backend wherever it appears (demo, verify); the Keras random
 * stream that exact dropout replays is `--rng`. Said plainly instead of "unknown option".
 */
function misplacedBackend(value: string, command: string, json: boolean): UsageError {
  const hint = value === 'tensorflow' || value === 'jax' ? ` (the Keras random stream for --exact-dropout is --rng ${value})` : '';
  return new UsageError(`${command} takes no --backend: it only builds the model to check it${hint}`, command, json);
}

function nonEmptyConfig(value: string, json: boolean, command: string): string {
  if (value === '') throw new UsageError('--config needs a file (model.json or config.json)', command, json);
  return value;
}

function oneOf<T extends string>(value: string, allowed: readonly T[], flag: string, json: boolean, command: string): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`${flag} must be one of ${allowed.join(', ')}, got '${value}'`, command, json);
}

/**
 * `--lambda <name>=<Class>[:<json>]`, repeatable, parsed by the library's own parser
 * (so the CLI and the API accept the same text); a malformed or repeated flag is a usage error.
 */
export function parseLambdaFlags(flags: string[], json = false, command = 'convert'): LambdaMappings {
  // No prototype: a Lambda may be named 'toString' or '__proto__' like any other.
  const out: LambdaMappings = Object.create(null);
  for (const flag of flags) {
    let name: string;
    let target: LambdaMappings[string];
    try {
      [name, target] = parseLambdaMapping(flag);
    } catch (e) {
      if (e instanceof Keras2TfjsError) throw new UsageError(e.message, command, json);
      throw e;
    }
    if (Object.hasOwn(out, name)) throw new UsageError(`--lambda ${name} is given twice`, command, json);
    out[name] = target;
  }
  return out;
}
