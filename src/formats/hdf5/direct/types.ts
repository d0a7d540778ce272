/**
 * Datatype, dataspace and data layout messages for the direct HDF5 reader (HDF5 File Format
 * Specification v3, IV.A.2.b, IV.A.2.d, IV.A.2.i). Only what h5py writes for Keras files:
 * IEEE floats (2, 4, 8 bytes) and two's-complement integers (1, 2, 4, 8 bytes) in either byte
 * order, fixed and variable-length strings, enums over integers (numpy bools), opaque (raw)
 * bytes; simple, scalar and null dataspaces; compact, contiguous and (chunks.ts) chunked storage.
 * Anything else is `Hdf5Unsupported`.
 */
import { FileBytes, UNDEFINED, unsupported, type Sizes } from './bytes.js';
import { readChunkedLayout, type ChunkedLayout } from './chunks.js';

/** H5T classes, numbered as HDF5 numbers them (and as h5wasm reports them). */
export const H5T = { INTEGER: 0, FLOAT: 1, STRING: 3, OPAQUE: 5, ENUM: 8, VLEN: 9 } as const;

/** Character sets of strings. */
export const CSET_UTF8 = 1;

export interface Datatype {
  /** H5T class (H5T.*). */
  cls: number;
  /** Bytes of one element as the datatype message declares it. */
  size: number;
  littleEndian: boolean;
  signed: boolean;
  /** Strings: fixed-length or variable-length (VLEN string), and their character set. */
  cset: number;
  /** Enums: the integer type they are stored as. */
  base: Datatype | null;
}

/** Where each IEEE format keeps its fields: [size, exponent location, exponent bits, mantissa bits, bias]. */
const IEEE_LAYOUTS: ReadonlyArray<readonly [number, number, number, number, number]> = [
  [2, 10, 5, 10, 15],
  [4, 23, 8, 23, 127],
  [8, 52, 11, 52, 1023],
];

/** Reads the datatype message at `pos` (`size` bytes available). */
export function readDatatype(file: FileBytes, pos: number, size: number, depth = 0): Datatype {
  if (depth > 2) unsupported('a datatype nested too deep');
  if (size < 8) unsupported('a datatype message too short');
  file.check(pos, size, 'a datatype message');
  const classAndVersion = file.u8(pos);
  const cls = classAndVersion & 0x0f;
  const version = classAndVersion >> 4;
  if (version < 1 || version > 3) unsupported(`datatype version ${version}`);
  const bits = file.u8(pos + 1) | (file.u8(pos + 2) << 8) | (file.u8(pos + 3) << 16);
  const elementSize = file.u32(pos + 4);
  const props = pos + 8;
  const type: Datatype = { cls, size: elementSize, littleEndian: (bits & 1) === 0, signed: false, cset: 0, base: null };
  switch (cls) {
    case H5T.INTEGER: {
      if (![1, 2, 4, 8].includes(elementSize)) unsupported(`a ${elementSize}-byte integer`);
      if (size < 12 || file.u16(props) !== 0 || file.u16(props + 2) !== elementSize * 8) unsupported('an integer with padding bits');
      type.signed = (bits & 0x08) !== 0;
      return type;
    }
    case H5T.FLOAT: {
      if (bits & 0x40) unsupported('a VAX-order float');
      if (size < 20) unsupported('a float datatype message too short');
      const layout = [elementSize, file.u8(props + 4), file.u8(props + 5), file.u8(props + 7), file.u32(props + 8)];
      const ieee = IEEE_LAYOUTS.some((l) => l.every((v, i) => v === layout[i]));
      if (!ieee || file.u16(props) !== 0 || file.u16(props + 2) !== elementSize * 8 || file.u8(props + 6) !== 0) {
        unsupported(`a ${elementSize}-byte float that is not IEEE 754`);
      }
      return type;
    }
    case H5T.STRING:
      if (elementSize === 0) unsupported('a zero-length string type');
      type.cset = (bits >> 4) & 0x0f;
      return type;
    case H5T.OPAQUE:
      if (elementSize === 0) unsupported('a zero-length opaque type');
      return type;
    case H5T.ENUM: {
      const base = readDatatype(file, props, size - 8, depth + 1);
      if (base.cls !== H5T.INTEGER) unsupported('an enum over a non-integer type');
      return { ...base, cls, base };
    }
    case H5T.VLEN: {
      // Only variable-length strings (type 1); sequences (type 0) are not Keras' business.
      if ((bits & 0x0f) !== 1) unsupported('a variable-length sequence type');
      const base = readDatatype(file, props, size - 8, depth + 1);
      if (base.size !== 1 || (base.cls !== H5T.INTEGER && base.cls !== H5T.STRING)) unsupported('a variable-length string of wide characters');
      type.cset = (bits >> 8) & 0x0f;
      return type;
    }
    default:
      return unsupported(`datatype class ${cls}`);
  }
}

/** A dataspace: `null` for the null dataspace (no elements), [] for a scalar, else the dims. */
export type Shape = number[] | null;

/** Dimensions no Keras weight reaches; bounds a damaged rank. */
const MAX_RANK = 32;

export function readDataspace(file: FileBytes, sizes: Sizes, pos: number, size: number): Shape {
  file.check(pos, size, 'a dataspace message');
  const version = file.u8(pos);
  const rank = file.u8(pos + 1);
  const flags = file.u8(pos + 2);
  if (rank > MAX_RANK) unsupported(`a dataspace of rank ${rank}`);
  let dims: number;
  if (version === 1) {
    if (flags & 0x02) unsupported('a dataspace with a permutation index');
    dims = pos + 8;
  } else if (version === 2) {
    const kind = file.u8(pos + 3);
    if (kind === 2) return null;
    if (kind > 2) unsupported(`dataspace type ${kind}`);
    dims = pos + 4;
  } else {
    return unsupported(`dataspace version ${version}`);
  }
  if (dims + rank * sizes.lengths * (flags & 1 ? 2 : 1) > pos + size) unsupported('a dataspace message too short for its rank');
  const shape: number[] = [];
  for (let i = 0; i < rank; i++) shape.push(file.lengthAt(dims + i * sizes.lengths, sizes));
  return shape;
}

/** Elements of a shape, refused beyond what any typed array could hold. */
export function elementCount(shape: Shape): number {
  if (shape === null) return 0;
  let n = 1;
  for (const d of shape) {
    n *= d;
    if (n > Number.MAX_SAFE_INTEGER) unsupported('a dataspace with more elements than can be counted');
  }
  return n;
}

/** Where a dataset's bytes are: an absolute position and length in the file, or none (never written). */
export type Storage = { pos: number; length: number } | null;

/** A dataset's data layout: its bytes in one place (compact or contiguous), or in chunks. */
export type Layout = { storage: Storage; chunked: null } | { storage: null; chunked: ChunkedLayout };

/** Reads a data layout message (versions 3 and 4): compact, contiguous, or (version 3) chunked storage. */
export function readLayout(file: FileBytes, sizes: Sizes, pos: number, size: number): Layout {
  file.check(pos, size, 'a data layout message');
  const version = file.u8(pos);
  if (version === 3 || version === 4) {
    const cls = file.u8(pos + 1);
    if (cls === 0) {
      const length = file.u16(pos + 2);
      if (4 + length > size) unsupported('compact data running past its message');
      return { storage: { pos: pos + 4, length }, chunked: null };
    }
    if (cls === 1) {
      const address = file.address(pos + 2, sizes);
      const length = file.lengthAt(pos + 2 + sizes.offsets, sizes);
      if (address === UNDEFINED) return { storage: null, chunked: null };
      return { storage: { pos: file.at(address, length, "a dataset's data"), length }, chunked: null };
    }
    if (cls === 2 && version === 3) return { storage: null, chunked: readChunkedLayout(file, sizes, pos, size) };
    return unsupported(cls === 2 ? 'a chunked dataset indexed the version-4 way' : cls === 3 ? 'a virtual dataset' : `layout class ${cls}`);
  }
  // Versions 1 and 2 (HDF5 before 1.6.3) are left to the HDF5 library.
  return unsupported(`data layout version ${version}`);
}
