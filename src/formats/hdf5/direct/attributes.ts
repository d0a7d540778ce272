/**
 * Attributes for the direct HDF5 reader: the attribute message (HDF5 File Format Specification
 * v3, IV.A.2.m), variable-length strings kept in global heap collections (III.E), and their
 * values decoded to the JavaScript values the h5wasm-backed reader gives (hdf5.ts `AttrValue`):
 * a string or list of strings, a number or list of numbers (64-bit integer scalars as bigint),
 * null for an empty (null) dataspace.
 *
 * Strings are decoded as UTF-8, as Keras decodes them (`.decode('utf8')`), and end at their
 * first NUL as in the HDF5 library's C strings.
 */
import type { AttrValue } from '../open_hdf5.js';
import { Budget, FileBytes, UNDEFINED, unsupported, type Sizes } from './bytes.js';
import { elementCount, H5T, readDataspace, readDatatype, type Datatype, type Shape } from './types.js';

export interface Attribute {
  /** The name's bytes, by which HDF5 orders attributes. */
  nameBytes: Uint8Array;
  name: string;
  value: AttrValue;
}

const utf8 = new TextDecoder('utf-8');

/** Bytes up to the first NUL, decoded. */
export function cString(bytes: Uint8Array): string {
  const end = bytes.indexOf(0);
  return utf8.decode(end < 0 ? bytes : bytes.subarray(0, end));
}

const pad8 = (n: number) => Math.ceil(n / 8) * 8;

/** Reads one attribute message at `pos` (`size` bytes) and decodes its value. */
export function readAttribute(file: FileBytes, sizes: Sizes, pos: number, size: number, heaps: GlobalHeaps, charge: Charge): Attribute {
  file.check(pos, size, 'an attribute message');
  const end = pos + size;
  const version = file.u8(pos);
  const flags = file.u8(pos + 1);
  const nameSize = file.u16(pos + 2);
  const typeSize = file.u16(pos + 4);
  const spaceSize = file.u16(pos + 6);
  let at: number;
  let pad: (n: number) => number;
  if (version === 1) {
    at = pos + 8;
    pad = pad8;
  } else if (version === 2 || version === 3) {
    // Flags 1 and 2: a shared (committed) datatype or dataspace, stored elsewhere.
    if (flags & 0x03) unsupported('an attribute with a shared datatype or dataspace');
    at = pos + (version === 3 ? 9 : 8);
    pad = (n) => n;
  } else {
    return unsupported(`attribute message version ${version}`);
  }
  if (nameSize === 0 || at + pad(nameSize) + pad(typeSize) + pad(spaceSize) > end) unsupported('an attribute message too short for its parts');
  const nameBytes = file.sub(at, nameSize);
  const nul = nameBytes.indexOf(0);
  const rawName = nul < 0 ? nameBytes : nameBytes.subarray(0, nul);
  at += pad(nameSize);
  const type = readDatatype(file, at, typeSize);
  at += pad(typeSize);
  const shape = readDataspace(file, sizes, at, spaceSize);
  at += pad(spaceSize);
  const name = utf8.decode(rawName);
  return { nameBytes: rawName, name, value: decodeValue(file, sizes, type, shape, at, end, heaps, charge, name) };
}

/**
 * Records bytes of values about to be decoded (the decode budget, decode_budget.ts): a string
 * kept once in the file can be referenced by many attributes, each decoding it again.
 */
export type Charge = (bytes: number, what: string) => void;

function decodeValue(file: FileBytes, sizes: Sizes, type: Datatype, shape: Shape, pos: number, end: number, heaps: GlobalHeaps, charge: Charge, name: string): AttrValue {
  if (shape === null) return null;
  const count = elementCount(shape);
  const stride = type.cls === H5T.VLEN ? 4 + sizes.offsets + 4 : type.size;
  if (pos + count * stride > end) unsupported('attribute data running past its message');
  const scalar = shape.length === 0;
  if (type.cls === H5T.STRING || type.cls === H5T.VLEN) {
    if (type.cls === H5T.STRING) charge(count * type.size, `attribute '${name}'`);
    const strings: string[] = [];
    for (let i = 0; i < count; i++) {
      const at = pos + i * stride;
      strings.push(type.cls === H5T.STRING ? cString(file.sub(at, type.size)) : heaps.vlenString(at, (n) => charge(n, `attribute '${name}'`)));
    }
    return scalar ? strings[0] : strings;
  }
  if (type.cls === H5T.INTEGER || type.cls === H5T.ENUM || type.cls === H5T.FLOAT) {
    charge(count * 8, `attribute '${name}'`);
    const bytes = file.sub(pos, count * stride);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const read = numberReader(type, view);
    if (scalar) return read(0);
    const out: number[] = [];
    for (let i = 0; i < count; i++) out.push(Number(read(i * stride)));
    return out;
  }
  return unsupported(`an attribute of datatype class ${type.cls}`);
}

/** Reads one element of an integer or float type at a byte offset of `view`. */
function numberReader(type: Datatype, view: DataView): (at: number) => number | bigint {
  const le = type.littleEndian;
  if (type.cls === H5T.FLOAT) {
    if (type.size === 4) return (at) => view.getFloat32(at, le);
    if (type.size === 8) return (at) => view.getFloat64(at, le);
    // h5wasm refuses float16 attributes; so does this reader (the library path then reports it).
    return unsupported(`a ${type.size}-byte float attribute`);
  }
  switch (type.size) {
    case 1:
      return type.signed ? (at) => view.getInt8(at) : (at) => view.getUint8(at);
    case 2:
      return type.signed ? (at) => view.getInt16(at, le) : (at) => view.getUint16(at, le);
    case 4:
      return type.signed ? (at) => view.getInt32(at, le) : (at) => view.getUint32(at, le);
    case 8:
      return type.signed ? (at) => view.getBigInt64(at, le) : (at) => view.getBigUint64(at, le);
    default:
      return unsupported(`a ${type.size}-byte integer attribute`);
  }
}

/** Object positions of one global heap collection: index → [absolute position, size]. */
type Collection = Map<number, [number, number]>;

/** The global heap collections of a file, each read once, within a shared step budget. */
export class GlobalHeaps {
  private readonly collections = new Map<number, Collection>();

  constructor(
    private readonly file: FileBytes,
    private readonly sizes: Sizes,
    private readonly budget: Budget,
  ) {}

  /**
   * A variable-length string element (length, collection address, object index) at `pos`;
   * `charge` records its bytes before they are decoded.
   */
  vlenString(pos: number, charge: (bytes: number) => void): string {
    const length = this.file.u32(pos);
    if (length === 0) return '';
    charge(length);
    this.budget.spendBytes('strings in the global heap', length);
    const address = this.file.address(pos + 4, this.sizes);
    const index = this.file.u32(pos + 4 + this.sizes.offsets);
    const object = this.collection(address).get(index);
    if (object === undefined || object[1] < length) unsupported('a string missing from the global heap');
    return cString(this.file.sub(object[0], length));
  }

  private collection(address: number): Collection {
    if (address === UNDEFINED) unsupported('a string in an undefined global heap');
    let objects = this.collections.get(address);
    if (objects) return objects;
    const { file, sizes } = this;
    const header = 8 + sizes.lengths;
    const start = file.at(address, header, 'a global heap collection');
    if (!file.hasSignature(start, 'GCOL')) unsupported('a global heap collection without its signature');
    if (file.u8(start + 4) !== 1) unsupported(`global heap version ${file.u8(start + 4)}`);
    const size = file.lengthAt(start + 8, sizes);
    file.check(start, size, 'a global heap collection');
    const end = start + size;
    objects = new Map();
    const objectHeader = 8 + sizes.lengths;
    for (let at = start + header; at + objectHeader <= end; ) {
      this.budget.spend('global heap objects');
      const index = file.u16(at);
      if (index === 0) break; // the free space: the rest of the collection is unused
      const length = file.lengthAt(at + 8, sizes);
      const data = at + objectHeader;
      if (data + length > end) unsupported('a global heap object running past its collection');
      objects.set(index, [data, length]);
      at = data + pad8(length);
    }
    this.collections.set(address, objects);
    return objects;
  }
}
