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
import { readdir } from 'node:fs/promises';
import { ErrorCode } from '../../errors.js';
import { convertError } from '../../errors.js';
import type { ByteSource } from '../../io/byte_source.js';
import { isHdf5, type Hdf5File } from '../../formats/hdf5/open_hdf5.js';
import { hasKeras3Layout } from './keras_archive.js';
import { isZip, type ZipArchive } from '../../formats/zip/zip_archive.js';

/** Where HDF5 looks for its signature: 0, then 512, 1024, 2048, ... (a user block before it). */
const HDF5_SIGNATURE_LIMIT = 1 << 21;

/** 'zip', 'hdf5' or null, from the source's first bytes (and HDF5's possible signature places). */
export async function sniffSource(source: ByteSource): Promise<'zip' | 'hdf5' | null> {
  const head = await source.read(0, Math.min(source.size, 8));
  if (isZip(head)) return 'zip';
  for (let at = 0; at + 8 <= source.size && at <= HDF5_SIGNATURE_LIMIT; at = at === 0 ? 512 : at * 2) {
    if (isHdf5(at === 0 ? head : await source.read(at, 8))) return 'hdf5';
  }
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

/** UNKNOWN_FORMAT for a source that is neither a zip nor HDF5 (with a hint for JSON files). */
export async function unknownFormat(source: ByteSource, file: string): Promise<Error> {
  const bytes = await source.read(0, Math.min(source.size, 64));
  const head = new TextDecoder('utf-8', { fatal: false }).decode(bytes).trimStart();
  const hint = head.startsWith('{')
    ? ' (a JSON file: to convert weights with a separate architecture, pass the weights file as input and this JSON as `config`)'
    : '';
  return convertError(ErrorCode.UNKNOWN_FORMAT, file, `not a Keras model: neither a .keras zip, an HDF5 file, nor a model directory${hint}`);
}
