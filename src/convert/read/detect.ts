/**
 * What kind of Keras input this is, from its content (never its extension: one corpus file is
 * an HDF5 model named `.keras`):
 *
 *   zip whose members include config.json                  → 'keras-zip'
 *   HDF5 with root attribute model_config                  → 'h5-full'
 *   HDF5 with layer_names, or Keras 3's layers/vars groups → 'h5-weights' (architecture needed)
 *   directory with config.json                             → 'keras-dir'
 *   directory with saved_model.pb                          → 'savedmodel'
 */
import { readdir, readFile, stat } from '../../io/disk.js';
import { ErrorCode } from '../../errors.js';
import { convertError } from '../../errors.js';
import { isHdf5, withHdf5, type Hdf5File } from '../../formats/hdf5/open_hdf5.js';
import type { SourceFormat } from '../intermediate.js';
import { hasKeras3Layout } from './keras_archive.js';
import { isZip, ZipArchive } from '../../formats/zip/zip_archive.js';

/** 'zip', 'hdf5' or null from the first bytes. */
export function sniffBytes(bytes: Uint8Array): 'zip' | 'hdf5' | null {
  if (isZip(bytes)) return 'zip';
  if (isHdf5(bytes)) return 'hdf5';
  return null;
}

/** Full model or weights-only, for an open HDF5 file; BAD_HDF5 if it is neither. */
export function classifyHdf5(h5: Hdf5File): 'h5-full' | 'h5-weights' {
  const rootAttrs = h5.attrNames('/');
  if (rootAttrs.includes('model_config')) return 'h5-full';
  if (rootAttrs.includes('layer_names') || rootAttrs.includes('layer_names0')) return 'h5-weights';
  if (hasKeras3Layout(h5)) return 'h5-weights';
  return h5.fail('an HDF5 file, but not a Keras model or weights file (no model_config or layer_names attribute, no layers/vars groups)');
}

/** The zip must be a Keras archive. */
export function checkKerasZip(zip: ZipArchive): void {
  if (!zip.has('config.json')) {
    throw convertError(ErrorCode.UNKNOWN_FORMAT, zip.file, `a zip archive without config.json (members: ${zip.names().slice(0, 5).join(', ') || 'none'}), not a Keras .keras file`);
  }
}

/** Format of a directory input, from the files it contains. */
export async function detectDirectory(dir: string): Promise<'keras-dir' | 'savedmodel'> {
  const names = await readdir(dir);
  if (names.includes('config.json')) return 'keras-dir';
  if (names.includes('saved_model.pb')) return 'savedmodel';
  throw convertError(
    ErrorCode.UNKNOWN_FORMAT, dir,
    'a directory with neither config.json (an unzipped .keras model) nor saved_model.pb (a tf.keras SavedModel)',
  );
}

/** Format of raw bytes (an opened file). */
export async function detectBytes(bytes: Uint8Array, file: string): Promise<SourceFormat> {
  const kind = sniffBytes(bytes);
  if (kind === 'zip') {
    checkKerasZip(ZipArchive.open(bytes, file));
    return 'keras-zip';
  }
  if (kind === 'hdf5') return withHdf5(bytes, file, classifyHdf5);
  throw unknownBytes(bytes, file);
}

export function unknownBytes(bytes: Uint8Array, file: string): Error {
  const head = new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, 64)).trimStart();
  const hint = head.startsWith('{')
    ? ' (a JSON file: to convert weights with a separate architecture, pass the weights file as input and this JSON as `config`)'
    : '';
  return convertError(ErrorCode.UNKNOWN_FORMAT, file, `not a Keras model: neither a .keras zip, an HDF5 file, nor a model directory${hint}`);
}

/** Detects the format of a path (file or directory) or of bytes. */
export async function detectFormat(input: string | Uint8Array, name = '<memory>'): Promise<SourceFormat> {
  if (typeof input !== 'string') return detectBytes(input, name);
  let isDir: boolean;
  try {
    isDir = (await stat(input)).isDirectory();
  } catch {
    throw convertError(ErrorCode.FILE_NOT_FOUND, input, 'no such file or directory');
  }
  if (isDir) return detectDirectory(input);
  return detectBytes(new Uint8Array(await readFile(input)), input);
}
