/**
 * IntermediateModel → tfjs `ModelArtifacts` (what `model.json` holds: format 'layers-model',
 * the normalized topology, one weight manifest in layer order), and the quantization of weight
 * values exactly as the Python tensorflowjs converter does (`quantization.py`): float16, or
 * affine uint8/uint16 with tfjs' `{dtype, min, scale}` and the range nudged so 0 stays exact.
 * The weights' bytes are produced by weight_encoder.ts. The same input always gives the same bytes.
 */
import type { io } from '@tensorflow/tfjs-core';
import type { IntermediateModel } from '../intermediate.js';

/** The package version written into `convertedBy` (test/convert checks it matches package.json). */
export const KERAS2TFJS_VERSION = '0.1.0';

export type QuantizeDtype = 'float16' | 'uint8' | 'uint16';
export const QUANTIZE_DTYPES: readonly QuantizeDtype[] = ['float16', 'uint8', 'uint16'];

/**
 * The converted model as tfjs ModelArtifacts without its weight data: topology, format, and
 * the weight manifest entries `specs` (weight_encoder.ts makes them, and the weights' bytes).
 */
export function artifactsFor(model: Pick<IntermediateModel, 'modelTopology' | 'source' | 'trainingConfig'>, specs: io.WeightsManifestEntry[]): io.ModelArtifacts {
  const version = model.source.kerasVersion;
  const artifacts: io.ModelArtifacts = {
    modelTopology: model.modelTopology,
    format: 'layers-model',
    generatedBy: version ? `keras v${version}` : 'keras',
    convertedBy: `keras2tfjs ${KERAS2TFJS_VERSION}`,
    weightSpecs: specs,
  };
  if (model.trainingConfig) {
    // tfjs' own trainingConfig can express neither Keras' optimizers nor most losses exactly;
    // the Keras compile settings travel as metadata for compileFromKerasConfig instead.
    artifacts.userDefinedMetadata = { kerasTrainingConfig: model.trainingConfig };
  }
  return artifacts;
}

/**
 * The Python converter's affine quantization: scale = (max − min) / qmax; if 0 lies in
 * [min, max], min is nudged so that 0 maps to an integer; values are clipped and rounded half to
 * even (numpy's round). A constant array becomes all zeros with scale 1.
 */
export function affineQuantize(data: Float32Array, dtype: 'uint8' | 'uint16'): { values: Uint8Array | Uint16Array; min: number; scale: number } {
  const qmax = dtype === 'uint8' ? 255 : 65535;
  const values = dtype === 'uint8' ? new Uint8Array(data.length) : new Uint16Array(data.length);
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of data) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (data.length === 0 || lo === hi || !Number.isFinite(lo) || !Number.isFinite(hi)) {
    return { values, min: data.length === 0 || !Number.isFinite(lo) ? 0 : lo, scale: 1 };
  }
  const scale = (hi - lo) / qmax;
  let min = lo;
  let max = hi;
  if (lo <= 0 && 0 <= hi) {
    const zeroPoint = roundHalfEven((0 - lo) / scale);
    min = -zeroPoint * scale;
    max = qmax * scale + min;
  }
  for (let i = 0; i < data.length; i++) {
    const v = Math.min(Math.max(data[i], min), max);
    values[i] = roundHalfEven((v - min) / scale);
  }
  return { values, min, scale };
}

function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x - Math.trunc(x)) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);

/** float32 → IEEE half, round to nearest even (numpy's astype(float16)). */
export function floatToHalf(value: number): number {
  F32[0] = value;
  const x = U32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0); // Inf / NaN
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00; // overflow → Inf
  if (e <= 0) {
    if (e < -10) return sign; // underflow → ±0
    mant |= 0x800000; // implicit leading 1
    const shift = 14 - e;
    const half = mant >>> shift;
    const rest = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    return sign | (rest > mid || (rest === mid && (half & 1)) ? half + 1 : half);
  }
  const half = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  // Rounding may carry into the exponent (and up to Inf), which the bit layout handles.
  return sign | (rest > 0x1000 || (rest === 0x1000 && (half & 1)) ? half + 1 : half);
}
