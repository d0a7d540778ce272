/**
 * Every error keras2tfjs throws on purpose is a `Keras2TfjsError` with a stable `code`
 * that callers can branch on (like fflate's one error-code table). Messages are one line:
 * what went wrong, where (file, layer), and how to fix it.
 *
 * Add new codes here, in the table, never inline at the throw site.
 */
export const ErrorCode = {
  // --- arguments (layers, API) ---
  /** A layer or function argument is out of range or of the wrong type. */
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',

  // --- files on disk (io) ---
  /** A file or directory that should exist does not. */
  FILE_NOT_FOUND: 'FILE_NOT_FOUND',
  /** A file exists but its content is not what its format promises (bad JSON, short shard, ...). */
  CORRUPT_FILE: 'CORRUPT_FILE',
  /** Writing the output failed; nothing was left half-written. */
  WRITE_FAILED: 'WRITE_FAILED',
  /** The input is a device, a pipe or a socket (also through a symlink): only regular files are read. */
  NOT_A_FILE: 'NOT_A_FILE',
  /**
   * Reading the input would cost more than its budget allows: it decodes (inflates, expands) to
   * far more bytes than it stores, or declares sizes no genuine file has. The message names the
   * option that raises the budget when the file is genuine.
   */
  RESOURCE_LIMIT: 'RESOURCE_LIMIT',

  // --- converter input ---
  /** The input is none of the formats we read (.keras zip, HDF5, SavedModel dir). */
  UNKNOWN_FORMAT: 'UNKNOWN_FORMAT',
  /** The zip archive is truncated, corrupt, or unsafe (path traversal, zip bomb). */
  BAD_ARCHIVE: 'BAD_ARCHIVE',
  /** The HDF5 file is not a Keras file, or uses links/datasets that Keras refuses. */
  BAD_HDF5: 'BAD_HDF5',
  /** The SavedModel directory lacks what is needed (keras_metadata.pb, variables). */
  BAD_SAVED_MODEL: 'BAD_SAVED_MODEL',
  /** The model config is malformed or uses something we cannot express in tfjs. */
  BAD_CONFIG: 'BAD_CONFIG',
  /** A weights-only file was given without the architecture (--config). */
  WEIGHTS_ONLY: 'WEIGHTS_ONLY',
  /** A layer class that neither tfjs nor keras2tfjs implements. */
  UNKNOWN_LAYER: 'UNKNOWN_LAYER',
  /** A Lambda layer with no mapping to a registered TypeScript layer. */
  UNMAPPED_LAMBDA: 'UNMAPPED_LAMBDA',
  /** Something tfjs would compute differently than Keras (refused rather than silently changed). */
  UNSUPPORTED_SEMANTICS: 'UNSUPPORTED_SEMANTICS',
  /** Weight count, name or shape does not match what the layer expects. */
  WEIGHT_MISMATCH: 'WEIGHT_MISMATCH',

  // --- fixtures / parity ---
  /** A fixture file is missing or does not match MANIFEST.json. */
  FIXTURE_MISMATCH: 'FIXTURE_MISMATCH',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface ErrorContext {
  /** The file the error is about, if any. */
  file?: string;
  /** The layer the error is about, if any. */
  layer?: string;
}

export class Keras2TfjsError extends Error {
  readonly code: ErrorCode;
  readonly file?: string;
  readonly layer?: string;

  constructor(code: ErrorCode, message: string, context: ErrorContext = {}) {
    // Every message, file and layer is bounded here, whoever built it: a hostile file can make
    // a name of any length, and an error must stay a readable line (and a small --json object).
    super(boundMessage(message));
    this.name = 'Keras2TfjsError';
    this.code = code;
    this.file = context.file === undefined ? undefined : boundName(context.file, MAX_PATH_CHARS);
    this.layer = context.layer === undefined ? undefined : boundName(context.layer);
  }
}

// --- bounded messages: one place caps what a file can make an error say -------------------

/**
 * A name quoted in a message (layer, class, function, member: any run of characters without a
 * space) keeps this many characters. Real names are far shorter; paths longer than this are cut too.
 */
export const MAX_NAME_CHARS = 256;
/** A path keeps this many (paths legitimately run longer than names). */
const MAX_PATH_CHARS = 1024;
/** A whole message keeps this many: the start (what and where) and the end (the fix). */
export const MAX_MESSAGE_CHARS = 2000;
/** How many items a summarized list shows before its count. */
export const LIST_SHOWN = 5;

/** `text` cut to `max` characters, saying how much was left out. */
export function boundName(text: string, max = MAX_NAME_CHARS): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}…(${text.length - max} more characters)`;
}

/**
 * The message as a bounded line: any run of characters without a space (a quoted name, a long
 * value) keeps its first MAX_NAME_CHARS, then the whole is cut in the middle if still too long,
 * keeping its start (file, what) and its end (the fix).
 */
export function boundMessage(text: string): string {
  // Names first (so a cut name still says how long it was), then escaping, then the length.
  const out = oneLine(cutLongRuns(text));
  if (out.length <= MAX_MESSAGE_CHARS) return out;
  const tail = Math.floor(MAX_MESSAGE_CHARS / 3);
  const head = MAX_MESSAGE_CHARS - tail;
  return `${out.slice(0, head)} …(${out.length - head - tail} characters left out)… ${out.slice(-tail)}`;
}

/**
 * Every run of non-space characters longer than MAX_NAME_CHARS cut by `boundName`. A loop, not
 * a regular expression: a regex over a 20 MB run exhausts the engine's backtracking stack.
 */
function cutLongRuns(text: string): string {
  let out = '';
  let runStart = 0;
  let copied = 0;
  for (let i = 0; i <= text.length; i++) {
    if (i < text.length && !isSpace(text.charCodeAt(i))) continue;
    if (i - runStart > MAX_NAME_CHARS) {
      out += text.slice(copied, runStart) + boundName(text.slice(runStart, i));
      copied = i;
    }
    runStart = i + 1;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d) || c === 0xa0 || c === 0x2028 || c === 0x2029 || c === 0xfeff;
}

/** `['a', 'b', ...]` as "a, b, c, d, e, … 995 more": the first few, then the count. */
export function summarizeList(items: readonly unknown[], shown = LIST_SHOWN, separator = ', '): string {
  const head = items.slice(0, shown).map(String);
  return items.length > shown ? `${head.join(separator)}${separator}… ${items.length - shown} more` : head.join(separator);
}

/**
 * The one argument-error template shared with the Python twin:
 * "Invalid value for `rate`: expected a number in [0, 1). Received: rate=1.5"
 */
export function invalidArgument(name: string, expected: string, received: unknown): Keras2TfjsError {
  return new Keras2TfjsError(
    ErrorCode.INVALID_ARGUMENT,
    `Invalid value for \`${name}\`: expected ${expected}. Received: ${name}=${formatValue(received)}`,
  );
}

function formatValue(v: unknown): string {
  if (typeof v === 'string') return `'${boundName(v)}'`;
  if (Array.isArray(v)) {
    const shown = v.slice(0, LIST_SHOWN).map(formatValue).join(', ');
    return v.length > LIST_SHOWN ? `[${shown}, … ${v.length - LIST_SHOWN} more]` : `[${shown}]`;
  }
  if (v === null) return 'None';
  if (v === undefined) return 'undefined';
  return String(v);
}

// --- errors about a file: the message starts with the file's name -------------------------
// One way for readers and the converter to fail: a `Keras2TfjsError` whose one-line message
// starts with the input's file name, so a user always sees which file, then what and how to fix it.

/** The short name used at the start of every converter message ('model.keras'). */
export function displayName(file: string): string {
  const trimmed = file.replace(/[\\/]+$/, '');
  const parts = trimmed.split(/[\\/]/);
  return parts[parts.length - 1] || trimmed || '<input>';
}

export function convertError(code: ErrorCode, file: string, message: string, layer?: string): Keras2TfjsError {
  return new Keras2TfjsError(code, `${displayName(file)}: ${message}`, { file, layer });
}

/**
 * Messages quote names and values read from the file; a damaged file can put line breaks and
 * other control characters there. They are shown escaped (\n, \u0007), so a message stays one line.
 */
export function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) =>
    c === '\n' ? '\\n' : c === '\t' ? '\\t' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** The message of anything thrown, first line only (for wrapping third-party errors). */
export function firstLine(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  // Only the start is looked at: a third-party message can be as long as what it quotes.
  const start = text.length > MAX_MESSAGE_CHARS * 4 ? text.slice(0, MAX_MESSAGE_CHARS * 4) : text;
  return boundMessage(start.split('\n').find((l) => l.trim() !== '')?.trim() ?? 'unknown error');
}
