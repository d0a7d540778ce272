/**
 * How the command talks: one-line errors on stderr (`keras2tfjs: <message> [<CODE>]`),
 * or, with --json, exactly one JSON object on stdout.
 */
import { Keras2TfjsError, boundMessage } from '../errors.js';
import { UsageError } from './args.js';
import { usageFor } from './usage.js';

/** Where the command writes; process.stdout/stderr in the binary, buffers in tests. */
export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown; isTTY?: boolean; columns?: number };
}

/**
 * Exit statuses, one meaning each (README "Exit status" and `--help` say the same):
 * 0 the command did what was asked and the answer is yes (converted; converts as is; all checks pass);
 * 1 the input is the problem: a typed error about the file, a model that would not convert, a failed check;
 * 2 the command line is wrong (unknown flag, missing argument, bad value);
 * 3 keras2tfjs itself failed (an untyped internal error: a bug to report).
 */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERNAL = 3;

/** Code reported for command-line mistakes (not a library error code). */
export const USAGE_CODE = 'USAGE';
/** Code reported for an exception that is not a Keras2TfjsError: a bug in keras2tfjs. */
export const INTERNAL_CODE = 'INTERNAL';

export interface JsonError {
  error: { code: string; message: string; file: string | null; layer: string | null };
}

export function printJson(io: CliIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Reports `e` the way the user asked and returns the exit status. */
export function reportError(io: CliIo, e: unknown, json: boolean): number {
  if (e instanceof UsageError) {
    const message = boundMessage(e.message);
    if (json) printJson(io, jsonError(USAGE_CODE, message));
    io.stderr.write(`keras2tfjs: ${message}\n${usageFor(e.command)}\n`);
    return EXIT_USAGE;
  }
  const known = e instanceof Keras2TfjsError;
  const code = known ? e.code : INTERNAL_CODE;
  // A Keras2TfjsError's message is bounded where it is made; anything else is bounded here.
  const message = known ? oneLine(e.message) : boundMessage(oneLine(`internal error: ${e instanceof Error ? e.message : String(e)}`));
  if (json) {
    printJson(io, jsonError(code, message, known ? e.file : undefined, known ? e.layer : undefined));
  } else {
    io.stderr.write(`keras2tfjs: ${message} [${code}]\n`);
  }
  if (!known && process.env.KERAS2TFJS_DEBUG && e instanceof Error && e.stack) io.stderr.write(`${e.stack}\n`);
  return known ? EXIT_FAILURE : EXIT_INTERNAL;
}

function jsonError(code: string, message: string, file?: string, layer?: string): JsonError {
  return { error: { code, message, file: file ?? null, layer: layer ?? null } };
}

/** Error texts are one line by contract; a stray newline from a dependency is folded. */
function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

/**
 * 25042533 → "25,042,533". By hand: the first toLocaleString call loads ICU's locale data,
 * ~12 ms of a ~200 ms conversion.
 */
export function groupThousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
