/**
 * One way for the converter to fail: a `Keras2TfjsError` whose one-line message starts with
 * the input's file name, so a user always sees which file, then what and how to fix it.
 */
import { Keras2TfjsError, type ErrorCode } from '../errors.js';

/** The short name used at the start of every converter message ('model.keras'). */
export function displayName(file: string): string {
  const trimmed = file.replace(/[\\/]+$/, '');
  const parts = trimmed.split(/[\\/]/);
  return parts[parts.length - 1] || trimmed || '<input>';
}

export function convertError(code: ErrorCode, file: string, message: string, layer?: string): Keras2TfjsError {
  return new Keras2TfjsError(code, oneLine(`${displayName(file)}: ${message}`), { file, layer });
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
  return text.split('\n').find((l) => l.trim() !== '')?.trim() ?? 'unknown error';
}
