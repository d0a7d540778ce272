/**
 * Runs the dropout and mask-stream sections on every available backend and picks the
 * headline numbers the issue names.
 */
import type { NodeBackendName as BackendName } from '../../src/backend.js';
import type { DropoutSectionResult } from '../sections/dropout.js';
import type { MaskStreamResult } from '../sections/mask_stream.js';
import type { ErrorLog } from '../run.js';
import { runSectionProcess } from './child.js';

/** The headline: wasm backend, [512, 4096], the default rng ('tensorflow' = Philox). */
export const DROPOUT_KEY = { backend: 'wasm' as BackendName, shape: '512x4096', rng: 'tensorflow' as const };
/** The mask-stream headline comes from the cpu backend's process (tf.randomUniform has no upload cost there). */
export const MASK_STREAM_KEY_BACKEND: BackendName = 'cpu';

export interface DropoutOverhead {
  ratio_vs_tf_layers_dropout: number | null;
  headline: string;
  per_backend: Partial<Record<BackendName, DropoutSectionResult>>;
}

export interface MaskStream {
  philox_values_per_s: number | null;
  threefry_values_per_s: number | null;
  tfjs_random_uniform_values_per_s: number | null;
  philox_vs_tfjs_random_uniform: number | null;
  headline: string;
  per_backend: Partial<Record<BackendName, MaskStreamResult>>;
}

export function backendsToRun(tfjsNode: boolean): BackendName[] {
  return tfjsNode ? ['cpu', 'wasm', 'tensorflow'] : ['cpu', 'wasm'];
}

export function runDropoutBench(quick: boolean, tfjsNode: boolean, logError: ErrorLog): DropoutOverhead {
  const per_backend: DropoutOverhead['per_backend'] = {};
  for (const backend of backendsToRun(tfjsNode)) {
    process.stderr.write(`bench: dropout on ${backend}\n`);
    try {
      per_backend[backend] = runSectionProcess<DropoutSectionResult>('dropout', ['--backend', backend, ...(quick ? ['--quick'] : [])]);
    } catch (e) {
      logError(`dropout/${backend}`, e);
    }
  }
  const key = per_backend[DROPOUT_KEY.backend]?.shapes[DROPOUT_KEY.shape]?.manual[DROPOUT_KEY.rng];
  return {
    ratio_vs_tf_layers_dropout: key?.ratio_vs_tf_layers_dropout ?? null,
    headline: `ManualDropout (rng '${DROPOUT_KEY.rng}') / tf.layers.dropout, forward+backward, ${DROPOUT_KEY.backend}, [${DROPOUT_KEY.shape.replace('x', ', ')}]`,
    per_backend,
  };
}

export function runMaskStreamBench(quick: boolean, tfjsNode: boolean, logError: ErrorLog): MaskStream {
  const per_backend: MaskStream['per_backend'] = {};
  for (const backend of backendsToRun(tfjsNode)) {
    process.stderr.write(`bench: mask streams on ${backend}\n`);
    try {
      per_backend[backend] = runSectionProcess<MaskStreamResult>('mask_stream', ['--backend', backend, ...(quick ? ['--quick'] : [])]);
    } catch (e) {
      logError(`mask_stream/${backend}`, e);
    }
  }
  const key = per_backend[MASK_STREAM_KEY_BACKEND];
  return {
    philox_values_per_s: key?.philox_values_per_s ?? null,
    threefry_values_per_s: key?.threefry_values_per_s ?? null,
    tfjs_random_uniform_values_per_s: key?.tfjs_random_uniform_values_per_s ?? null,
    philox_vs_tfjs_random_uniform: key?.philox_vs_tfjs_random_uniform ?? null,
    headline: `float32 uniforms per second, ${key?.count ?? '?'} values per call, measured in the ${MASK_STREAM_KEY_BACKEND} backend's process`,
    per_backend,
  };
}
