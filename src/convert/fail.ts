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
  return new Keras2TfjsError(code, `${displayName(file)}: ${message}`, { file, layer });
}

/** The message of anything thrown, first line only (for wrapping third-party errors). */
export function firstLine(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.split('\n').find((l) => l.trim() !== '')?.trim() ?? 'unknown error';
}
