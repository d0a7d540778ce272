/**
 * The converted weights as the bytes of tfjs' weight format, produced as they are read: weight
 * after weight in manifest order, each in pieces (read from the input where it lies, scanned
 * for NaN and ±Infinity, encoded little-endian, float16 or affine-quantized if asked) that a
 * writer takes one at a time, so that only a piece (an affine-quantized weight: the weight)
 * need be in memory at once.
 */
import type { io } from '@tensorflow/tfjs-core';
import { elementCount, type WeightData } from '../../formats/stored_array.js';
import type { NamedWeight } from '../intermediate.js';
import { affineQuantize, floatToHalf, type QuantizeDtype } from './tfjs_artifacts.js';

/** Bytes of one piece: large enough that per-piece costs vanish, small enough to stay in the cache of writes. */
export const PIECE_BYTES = 8 * 1024 * 1024;

export interface EncodedWeights {
  /** The weights' manifest entries, in order; quantized ones get their range once encoded. */
  specs: io.WeightsManifestEntry[];
  /** Bytes of all encoded weights, known before any is read. */
  totalBytes: number;
  /**
   * The encoded bytes in manifest order, in pieces (views to write before asking for the next
   * piece). Iterate once. After the last piece, `whenDone` has run.
   */
  pieces: AsyncIterable<Uint8Array>;
  /** NaN / infinity notes found on the way (complete once `pieces` is done). */
  warnings: string[];
}

export interface EncodeOptions {
  quantize?: QuantizeDtype;
  /** Bytes per piece (default PIECE_BYTES). */
  pieceBytes?: number;
  /** Runs after the last weight was read, before the last piece is given (the input's last checks). */
  whenDone?: () => Promise<void>;
}

/** Bytes per stored value of a weight of `dtype` under `quantize`. */
function storedBytes(dtype: NamedWeight['dtype'], quantize: QuantizeDtype | undefined): number {
  if (dtype !== 'float32' || !quantize) return 4;
  return quantize === 'uint8' ? 1 : 2;
}

export function encodeWeights(weights: NamedWeight[], options: EncodeOptions = {}): EncodedWeights {
  const q = options.quantize;
  const specs: io.WeightsManifestEntry[] = weights.map((w) => {
    const spec: io.WeightsManifestEntry = { name: w.name, shape: [...w.shape], dtype: w.dtype };
    if (q && w.dtype === 'float32') spec.quantization = { dtype: q };
    return spec;
  });
  const totalBytes = weights.reduce((n, w) => n + elementCount(w.shape) * storedBytes(w.dtype, q), 0);
  const warnings: string[] = [];
  const pieceBytes = options.pieceBytes ?? PIECE_BYTES;
  async function* pieces(): AsyncIterable<Uint8Array> {
    let held: Uint8Array | null = null;
    for (const [i, w] of weights.entries()) {
      let bad = 0;
      const spec = specs[i];
      const encoded = q && w.dtype === 'float32' && q !== 'float16' ? affinePieces(w, q, spec, pieceBytes) : plainPieces(w, q, pieceBytes);
      for await (const { bytes, values } of encoded) {
        bad += countNonFinite(values);
        // One piece is held back, so that the input's last checks run before the last piece is given.
        if (held) yield held;
        held = bytes;
      }
      if (bad > 0) warnings.push(nonFiniteNote(w.name, bad));
    }
    await options.whenDone?.();
    if (held) yield held;
  }
  return { specs, totalBytes, pieces: pieces(), warnings };
}

/** "layer 'dense': weight 'kernel' has 3 NaN or infinite values". */
export function nonFiniteNote(name: string, bad: number): string {
  const slash = name.indexOf('/');
  return `layer '${name.slice(0, slash)}': weight '${name.slice(slash + 1)}' has ${bad} NaN or infinite value${bad === 1 ? '' : 's'}`;
}

interface Encoded {
  /** The encoded bytes. */
  bytes: Uint8Array;
  /** The values they encode (for the NaN scan). */
  values: WeightData;
}

/** Float32 and int32 as they are, or float16: piece by piece. */
async function* plainPieces(w: NamedWeight, q: QuantizeDtype | undefined, pieceBytes: number): AsyncIterable<Encoded> {
  for await (const values of w.pieces(pieceBytes)) {
    if (q === 'float16' && w.dtype === 'float32') {
      const half = new Uint16Array(values.length);
      for (let i = 0; i < values.length; i++) half[i] = floatToHalf(values[i]);
      yield { bytes: littleEndian(half), values };
    } else {
      yield { bytes: littleEndian(values), values };
    }
  }
}

/** Affine uint8/uint16 needs the weight's range first: read whole, quantized, given in pieces. */
async function* affinePieces(w: NamedWeight, q: 'uint8' | 'uint16', spec: io.WeightsManifestEntry, pieceBytes: number): AsyncIterable<Encoded> {
  const values = (await w.read()) as Float32Array;
  const { values: quantized, min, scale } = affineQuantize(values, q);
  spec.quantization = { dtype: q, min, scale };
  const bytes = littleEndian(quantized);
  yield { bytes: bytes.subarray(0, Math.min(bytes.length, pieceBytes)), values };
  for (let at = pieceBytes; at < bytes.length; at += pieceBytes) yield { bytes: bytes.subarray(at, at + pieceBytes), values: EMPTY };
}

const EMPTY = new Float32Array(0);

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

/** NaN and ±Infinity among float32 values (integers are always finite). */
export function countNonFinite(data: WeightData): number {
  if (data instanceof Int32Array || allFinite(data)) return 0;
  // Rare: count exactly. NaN and ±Infinity are the floats whose exponent bits are all ones.
  const bits = new Int32Array(data.buffer, data.byteOffset, data.length);
  let n = 0;
  for (let i = 0; i < bits.length; i++) if ((bits[i] & 0x7f800000) === 0x7f800000) n++;
  return n;
}

/**
 * True if no value is NaN or ±Infinity: x * 0 is 0 for every finite x and NaN otherwise, so
 * the sums stay 0 exactly when all values are finite. Four independent sums let the CPU overlap
 * the additions; over a 100 MB model this takes ~12 ms against ~35 ms for a per-value bit test.
 */
function allFinite(data: Float32Array): boolean {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  const end = data.length - (data.length % 4);
  for (let i = 0; i < end; i += 4) {
    s0 += data[i] * 0;
    s1 += data[i + 1] * 0;
    s2 += data[i + 2] * 0;
    s3 += data[i + 3] * 0;
  }
  for (let i = end; i < data.length; i++) s0 += data[i] * 0;
  return s0 + s1 + s2 + s3 === 0;
}
