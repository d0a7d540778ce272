/**
 * IntermediateModel → tfjs `ModelArtifacts` (what `model.json` + weight shards hold, in memory):
 * format 'layers-model', the normalized topology, one weight manifest with little-endian bytes
 * in layer order. Optionally quantized exactly as the Python tensorflowjs converter does
 * (`quantization.py`): float16, or affine uint8/uint16 with tfjs' `{dtype, min, scale}` and the
 * range nudged so 0 stays exact. The same input always gives the same bytes.
 */
import type { io } from '@tensorflow/tfjs-core';
import { invalidArgument } from '../../errors.js';
import type { IntermediateModel, NamedWeight } from '../intermediate.js';

/** The package version written into `convertedBy` (test/convert checks it matches package.json). */
export const KERAS2TFJS_VERSION = '0.1.0';

export type QuantizeDtype = 'float16' | 'uint8' | 'uint16';
export const QUANTIZE_DTYPES: readonly QuantizeDtype[] = ['float16', 'uint8', 'uint16'];

export interface ArtifactOptions {
  /** Store float32 weights as float16, or affine-quantized uint8/uint16 (int32 weights stay). */
  quantize?: QuantizeDtype;
}

/** The converted model as tfjs ModelArtifacts, its weights in one buffer (`weightData`). */
export function toModelArtifacts(model: IntermediateModel, options: ArtifactOptions = {}): io.ModelArtifacts {
  const { artifacts, weightParts } = toArtifactParts(model, options);
  return { ...artifacts, weightData: concatenate(weightParts) };
}

/**
 * The artifacts without `weightData`, and the encoded weights in manifest order as views
 * (of the model's own arrays where no encoding is needed): for writers that cut shards from
 * them directly, so 100 MB are not copied into one buffer first. Write them out before
 * changing the model's weights.
 */
export function toArtifactParts(model: IntermediateModel, options: ArtifactOptions = {}): { artifacts: io.ModelArtifacts; weightParts: Uint8Array[] } {
  const q = options.quantize;
  if (q !== undefined && !QUANTIZE_DTYPES.includes(q)) {
    throw invalidArgument('quantize', "'float16', 'uint8' or 'uint16'", q);
  }
  const specs: io.WeightsManifestEntry[] = [];
  const weightParts: Uint8Array[] = [];
  for (const w of model.weights) {
    const { spec, bytes } = encodeWeight(w, q);
    specs.push(spec);
    weightParts.push(bytes);
  }
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
  return { artifacts, weightParts };
}

/** The parts laid end to end in one new buffer. */
export function concatenate(chunks: Uint8Array[]): ArrayBuffer {
  const data = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let offset = 0;
  for (const c of chunks) {
    data.set(c, offset);
    offset += c.byteLength;
  }
  return data.buffer;
}

function encodeWeight(w: NamedWeight, q: QuantizeDtype | undefined): { spec: io.WeightsManifestEntry; bytes: Uint8Array } {
  const base = { name: w.name, shape: [...w.shape], dtype: w.dtype };
  if (!q || w.dtype !== 'float32') return { spec: base, bytes: littleEndian(w.data) };
  const data = w.data as Float32Array;
  if (q === 'float16') {
    const half = new Uint16Array(data.length);
    for (let i = 0; i < data.length; i++) half[i] = floatToHalf(data[i]);
    return { spec: { ...base, quantization: { dtype: 'float16' } }, bytes: littleEndian(half) };
  }
  const { values, min, scale } = affineQuantize(data, q);
  return { spec: { ...base, quantization: { dtype: q, min, scale } }, bytes: littleEndian(values) };
}

/** Typed array bytes in little-endian order (the tfjs weight format), whatever the host. */
function littleEndian(a: Float32Array | Int32Array | Uint16Array | Uint8Array): Uint8Array {
  const view = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  // A view, not a copy: the writers copy each weight at most once (into one buffer, or a file).
  if (HOST_LITTLE_ENDIAN || a.BYTES_PER_ELEMENT === 1) return view;
  const bytes = view.slice();
  const size = a.BYTES_PER_ELEMENT;
  for (let i = 0; i < bytes.length; i += size) bytes.subarray(i, i + size).reverse();
  return bytes;
}

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

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
