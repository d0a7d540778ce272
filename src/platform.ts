/**
 * What the platform keras2tfjs runs on offers, for the few places that differ. This is Node's
 * answer; browser bundles get src/browser/platform.ts instead (package.json "browser").
 */
import { fileURLToPath } from 'node:url';

/** Node reads and writes paths on disk. */
export const HAS_FILE_SYSTEM = true;

/**
 * Throws NOT_IN_BROWSER where there is no file system (in a browser), naming `subject` (what
 * was asked, e.g. "exportKeras('model.keras')") and `fix` (what to pass instead). Here: nothing.
 */
export function needFileSystem(_subject: string, _fix: string): void {}

/** The path a `file:` URL names. */
export function pathOfFileUrl(url: URL): string {
  return fileURLToPath(url);
}
