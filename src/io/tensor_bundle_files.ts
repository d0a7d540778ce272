/**
 * A TensorBundle checkpoint on disk (`variables/variables.index` + `.data-*` shards), opened for
 * formats/tensorflow/tensor_bundle.ts: the index read whole (it is small), the data shards
 * opened when a tensor is first read from them, by ranges. Node only.
 */
import { ErrorCode, Keras2TfjsError } from '../errors.js';
import { indexPath, TensorBundle, type BundleOptions } from '../formats/tensorflow/tensor_bundle.js';
import { FileSource, readSmallFile } from './file_source.js';

/** A checkpoint index lists one entry per variable: no genuine one comes near this. */
const MAX_INDEX_BYTES = 256 * 1024 * 1024;
const FIX = 'copy the complete SavedModel directory again (saved_model.pb, keras_metadata.pb and the whole variables/ folder)';

/** Opens the checkpoint `<prefix>.index` / `<prefix>.data-*`; close it when done. */
export async function openTensorBundle(prefix: string, options: BundleOptions = {}): Promise<TensorBundle> {
  const shownAs = options.shownAs ?? ((p: string) => p);
  const file = indexPath(prefix);
  let index: Uint8Array;
  try {
    index = await readSmallFile(file, MAX_INDEX_BYTES, 'checkpoint index', shownAs(file));
  } catch (e) {
    if (e instanceof Keras2TfjsError && e.code === ErrorCode.FILE_NOT_FOUND) {
      throw new Keras2TfjsError(ErrorCode.BAD_SAVED_MODEL, `${shownAs(file)}: checkpoint index not found; ${FIX}`, { file });
    }
    throw e;
  }
  return TensorBundle.open({ prefix, index, openShard: (path) => FileSource.openIfExists(path) }, options);
}
