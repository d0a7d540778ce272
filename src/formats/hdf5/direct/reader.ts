/**
 * The direct HDF5 reader: a pure TypeScript reading of the HDF5 files h5py writes for Keras with
 * its default settings, without loading the HDF5 library (h5wasm costs ~0.25 s to load and
 * copies every byte into its heap and back).
 *
 * `readHdf5Tree` reads every object header, group member list and attribute of the file up
 * front (a few hundred KB of structure even for a 100 MB model), so that anything it does not
 * read, or finds damaged, is known before the caller reads a single value: the whole file is then
 * handed to the HDF5 library instead (hdf5.ts `withHdf5`). Dataset bytes are only located here,
 * and checked to lie inside the file; hdf5.ts slices them out when asked.
 *
 * Read: superblock 0-3, object headers 1 and 2 (checksums verified), symbol-table groups and
 * compact link groups of hard links, compact attributes, contiguous and compact datasets, and
 * chunked ones indexed by a B-tree with deflate / shuffle / fletcher32 filters (see the
 * direct/*.ts files). Left to the HDF5 library: soft and external links, dense (fractal heap)
 * groups and attributes, creation-ordered listings, other chunk indexes and filters, external
 * and virtual datasets, shared (committed) types, anything unknown.
 *
 * The file is a `ByteSource`: its structure is read page by page (bytes.ts `FileBytes`), never
 * the weights' bytes. A source that reads only asynchronously (a Blob) has its pages loaded as
 * the walk asks for them: an object whose pages are missing is read again once they are in.
 * Every read is bounds-checked and all work counts against one step budget, so a damaged file
 * can neither read outside the bytes nor loop, and what it decodes (names, attribute values) is
 * bounded by that budget (at most ~256 MB of strings from a hostile file). Walks over the parsed
 * structure are bounded separately (direct/direct_file.ts).
 */
import type { ByteSource } from '../../../io/byte_source.js';
import { DecodeBudget } from '../../decode_budget.js';
import type { AttrValue } from '../open_hdf5.js';
import { readAttribute, GlobalHeaps, type Charge } from './attributes.js';
import { Budget, FileBytes, NeedBytes, UNDEFINED, unsupported, type Sizes } from './bytes.js';
import { readChunkIndex, type ChunkedStorage } from './chunks.js';
import { readFilterPipeline, type Filter } from './filters.js';
import { checkLinkInfo, readLinkMessage, readSymbolTable, type Member } from './groups.js';
import { MSG, MSG_FLAG_SHARED, readObjectHeader, readSuperblock, type Message } from './header.js';
import { elementCount, H5T, readDataspace, readDatatype, readLayout, type Datatype, type Layout, type Storage } from './types.js';

export { Hdf5Unsupported } from './bytes.js';

export interface DirectDataset {
  shape: number[];
  type: Datatype;
  /** A contiguous or compact dataset's bytes in the file (null for a dataset of no elements, or a chunked one). */
  storage: Storage;
  /** A chunked dataset's chunks (null otherwise). */
  chunked: ChunkedStorage | null;
}

export interface DirectObject {
  kind: 'group' | 'dataset';
  /** Attribute names in HDF5's (byte-wise alphabetical) order. */
  attrNames: string[];
  attrs: Map<string, AttrValue>;
  /** Member names in HDF5's order, and their object header addresses (groups only). */
  keys: string[];
  members: Map<string, number>;
  dataset: DirectDataset | null;
}

export interface DirectTree {
  root: number;
  /** Every object reachable from the root, by object header address. */
  objects: Map<number, DirectObject>;
}

/**
 * Steps (header messages, B-tree nodes, group members, heap objects, 64 bytes scanned) one file
 * may take: well under a second of work. A Keras model with thousands of weights and a
 * megabyte-long config needs tens of thousands; a damaged file is stopped here.
 */
const STEP_BUDGET = 4_000_000;
/** Objects (groups and datasets) one file may hold: bounds what the tree keeps in memory. */
const MAX_OBJECTS = 100_000;

/** Messages that say nothing a reader of Keras files needs. */
const IGNORED = new Set<number>([
  MSG.FILL_VALUE_OLD, MSG.FILL_VALUE, MSG.GROUP_INFO, MSG.COMMENT, MSG.MODIFIED_OLD,
  MSG.MODIFIED, MSG.BTREE_K, MSG.DRIVER_INFO, MSG.REFERENCE_COUNT,
]);

/** Dataset classes whose metadata this reader reports as h5wasm would (hdf5.ts decodes or refuses them). */
const DATASET_CLASSES = new Set<number>([H5T.INTEGER, H5T.FLOAT, H5T.OPAQUE, H5T.STRING, H5T.ENUM]);

/**
 * Times one object may be read again for pages it lacked (async sources only): each retry loads
 * what the last attempt asked for, so only a structure spread over more pages than are kept
 * could need more.
 */
const MAX_RETRIES = 10_000;

export interface TreeOptions {
  /** Charged with the attribute values decoded; RESOURCE_LIMIT from it reaches the caller as it is. */
  budget?: DecodeBudget;
  /** The file's name for the budget's messages. */
  file?: string;
}

/** Reads the whole structure of the file; throws `Hdf5Unsupported` for anything not read here. */
export async function readHdf5Tree(input: ByteSource | Uint8Array, options: TreeOptions = {}): Promise<DirectTree> {
  const file = new FileBytes(input);
  const budget = new Budget(STEP_BUDGET);
  const decodeBudget = options.budget ?? DecodeBudget.unlimited();
  const charge: Charge = (n, what) => decodeBudget.charge(n, options.file ?? (input instanceof Uint8Array ? '<memory>' : input.name), what);
  /** Runs `read` until it finds every page it needs, undoing the work of incomplete attempts. */
  const complete = async <T>(read: () => T): Promise<T> => {
    for (let attempt = 0; ; attempt++) {
      const steps = budget.mark();
      const decoded = decodeBudget.used;
      try {
        return read();
      } catch (e) {
        if (!(e instanceof NeedBytes) || attempt >= MAX_RETRIES) throw e;
        budget.reset(steps);
        decodeBudget.used = decoded;
        await file.load(e.pos, e.length);
      }
    }
  };
  const { sizes, root } = await complete(() => readSuperblock(file));
  const heaps = new GlobalHeaps(file, sizes, budget);
  const objects = new Map<number, DirectObject>();
  const pending = [root];
  while (pending.length > 0) {
    const address = pending.pop()!;
    if (objects.has(address)) continue;
    if (objects.size >= MAX_OBJECTS) unsupported(`more than ${MAX_OBJECTS} objects`);
    budget.spend('objects');
    const object = await complete(() => readObject(file, sizes, address, budget, heaps, charge));
    objects.set(address, object);
    for (const child of object.members.values()) if (!objects.has(child)) pending.push(child);
  }
  file.release();
  if (objects.get(root)?.kind !== 'group') unsupported('a root that is not a group');
  return { root, objects };
}

function readObject(file: FileBytes, sizes: Sizes, address: number, budget: Budget, heaps: GlobalHeaps, charge: Charge): DirectObject {
  const messages = readObjectHeader(file, sizes, address, budget);
  const attributes: Array<{ nameBytes: Uint8Array; name: string; value: AttrValue }> = [];
  const members: Member[] = [];
  let isGroup = false;
  let type: Datatype | null = null;
  let shape: number[] | null | undefined;
  let layout: Layout | undefined;
  let filters: Filter[] | null = null;
  for (const m of messages) {
    if (IGNORED.has(m.type)) continue;
    if (m.flags & MSG_FLAG_SHARED) unsupported(`a shared header message of type ${m.type}`);
    switch (m.type) {
      case MSG.SYMBOL_TABLE:
        isGroup = true;
        for (const member of readSymbolTable(file, sizes, file.address(m.pos, sizes), file.address(m.pos + sizes.offsets, sizes), budget)) members.push(member);
        break;
      case MSG.LINK_INFO:
        isGroup = true;
        checkLinkInfo(file, sizes, m.pos);
        break;
      case MSG.LINK:
        isGroup = true;
        members.push(readLinkMessage(file, sizes, m.pos, m.size));
        break;
      case MSG.ATTRIBUTE:
        budget.spendBytes('attributes', m.size);
        attributes.push(readAttribute(file, sizes, m.pos, m.size, heaps, charge));
        break;
      case MSG.ATTRIBUTE_INFO:
        checkAttributeInfo(file, sizes, m);
        break;
      case MSG.DATATYPE:
        type = readDatatype(file, m.pos, m.size);
        break;
      case MSG.DATASPACE:
        shape = readDataspace(file, sizes, m.pos, m.size);
        break;
      case MSG.LAYOUT:
        layout = readLayout(file, sizes, m.pos, m.size);
        break;
      case MSG.FILTERS:
        filters = readFilterPipeline(file, m.pos, m.size);
        break;
      case MSG.EXTERNAL_FILES:
        return unsupported('a dataset stored in external files');
      default:
        // Anything unknown: left to the HDF5 library.
        unsupported(`header message type ${m.type}`);
    }
  }
  const dataset = layout === undefined ? null : checkDataset(file, sizes, type, shape, layout, filters, budget);
  if (isGroup === (dataset !== null)) unsupported(isGroup ? 'an object both group and dataset' : 'an object neither group nor dataset');
  const { names: attrNames, byName } = sortedByBytes(attributes, 'attribute');
  const attrs = new Map<string, AttrValue>();
  for (const name of attrNames) attrs.set(name, byName.get(name)!.value);
  const sortedMembers = sortedByBytes(members.map((m) => ({ ...m, nameBytes: m.name, name: memberName(m.name) })), 'member');
  return {
    kind: isGroup ? 'group' : 'dataset',
    attrNames,
    attrs,
    keys: sortedMembers.names,
    members: new Map(sortedMembers.names.map((n) => [n, sortedMembers.byName.get(n)!.address])),
    dataset,
  };
}

function checkDataset(
  file: FileBytes,
  sizes: Sizes,
  type: Datatype | null,
  shape: number[] | null | undefined,
  layout: Layout,
  filters: Filter[] | null,
  budget: Budget,
): DirectDataset {
  if (type === null || shape === undefined) unsupported('a dataset without its datatype or dataspace');
  if (shape === null) unsupported('a dataset with a null dataspace');
  if (!DATASET_CLASSES.has(type.cls)) unsupported(`a dataset of datatype class ${type.cls}`);
  if (layout.chunked) {
    if (layout.chunked.elementSize !== type.size) unsupported('chunks of another element size than their dataset');
    const chunks = readChunkIndex(file, sizes, layout.chunked, shape, budget);
    return { shape, type, storage: null, chunked: { ...layout.chunked, filters: filters ?? [], chunks } };
  }
  if (filters !== null && filters.length > 0) unsupported('filters on a dataset that is not chunked');
  const { storage } = layout;
  const nbytes = elementCount(shape) * type.size;
  // The HDF5 library refuses storage of another size than the data; missing storage means the
  // data was never written (fill values): both are left to it. So are shape bombs (their
  // declared bytes cannot be in the file): the decode budget refuses them on that path.
  if (storage === null ? nbytes !== 0 : storage.length !== nbytes) unsupported('dataset storage of another size than its data');
  return { shape, type, storage, chunked: null };
}

function checkAttributeInfo(file: FileBytes, sizes: Sizes, m: Message): void {
  const version = file.u8(m.pos);
  if (version !== 0) unsupported(`attribute info version ${version}`);
  const flags = file.u8(m.pos + 1);
  // Indexed creation order makes the HDF5 library list attributes in that order, not by name.
  if (flags & 0x02) unsupported('attributes listed in creation order');
  if (file.address(m.pos + 2 + (flags & 1 ? 2 : 0), sizes) !== UNDEFINED) unsupported('dense attribute storage');
}

const utf8 = new TextDecoder('utf-8');

function memberName(bytes: Uint8Array): string {
  const name = utf8.decode(bytes);
  if (name === '' || name === '.' || name.includes('/')) unsupported(`a member named '${name}'`);
  return name;
}

/** Names in HDF5's order (strcmp on the bytes), refusing duplicates. */
function sortedByBytes<T extends { nameBytes: Uint8Array; name: string }>(items: T[], what: string): { names: string[]; byName: Map<string, T> } {
  const sorted = [...items].sort((a, b) => compareBytes(a.nameBytes, b.nameBytes));
  const byName = new Map<string, T>();
  for (const item of sorted) {
    if (byName.has(item.name)) unsupported(`two ${what}s named '${item.name}'`);
    byName.set(item.name, item);
  }
  return { names: sorted.map((i) => i.name), byName };
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}
