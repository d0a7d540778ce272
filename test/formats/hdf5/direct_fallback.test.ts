/**
 * When the direct HDF5 reader hands a file to the HDF5 library (h5wasm), and how it stands up to
 * damage. Inputs are real Keras files (fixtures/), edited by the HDF5 library itself (links,
 * chunked and compressed datasets, creation-order groups, the newest file format), or damaged by
 * hand at a named structure (a B-tree looping back, a continuation block pointing at itself, a
 * heap or dataset reaching past the file, a truncated file). Every damaged file must be refused
 * by the direct reader with the reason named (never a crash, a hang or a wild allocation), and
 * each file it refuses must still be read, or refused as before, through `withHdf5`.
 */
import { readFileSync } from 'node:fs';
import h5wasm from 'h5wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { convert } from '../../../src/convert/convert.js';
import { openDirectHdf5, openHdf5, openWasmHdf5, withHdf5, type Hdf5File } from '../../../src/formats/hdf5/open_hdf5.js';
import { readHdf5Tree, type DirectTree } from '../../../src/formats/hdf5/direct/reader.js';
import { Budget, FileBytes, Hdf5Unsupported } from '../../../src/formats/hdf5/direct/bytes.js';
import { MSG, readObjectHeader, readSuperblock, type Message } from '../../../src/formats/hdf5/direct/header.js';
import { Hdf5Thread } from '../../../src/formats/hdf5/h5wasm/thread.js';
import { Keras2TfjsError } from '../../../src/errors.js';
import { fixturePath } from '../../helpers/fixtures.js';
import type { StoredValues } from '../../../src/formats/stored_array.js';

const H5 = new Uint8Array(readFileSync(fixturePath('builtin_dropout', 'model.h5')));
const KERNEL = '/model_weights/output/output/kernel';
/** Randomly damaged copies of real files read in one test (~1 ms each). */
const DAMAGED_FILES = 3000;
/** Steps no real structure walk needs this many of: bounds the budget test. */
const TINY_BUDGET = 3;

/** The reason the direct reader gives up on `bytes` (fails the test if it reads them). */
async function refusalReason(bytes: Uint8Array): Promise<string> {
  try {
    await readHdf5Tree(bytes);
  } catch (e) {
    expect(e).toBeInstanceOf(Hdf5Unsupported);
    return (e as Error).message;
  }
  throw new Error('the direct reader read the file');
}

/** A dataset described and read: what the tests compare between readers. */
async function values(h5: Hdf5File, path: string): Promise<{ shape: number[]; dtype: string; sourceDtype: string; data: StoredValues }> {
  const a = h5.array(path);
  return { shape: a.shape, dtype: a.dtype, sourceDtype: a.sourceDtype, data: await a.read() };
}

/** Object header address of `path` in a tree the direct reader read. */
function addressOf(tree: DirectTree, path: string): number {
  let address = tree.root;
  for (const part of path.split('/').filter(Boolean)) address = tree.objects.get(address)!.members.get(part)!;
  return address;
}

/** The header messages of `path` in `bytes`, with the file's layout. */
async function messagesOf(bytes: Uint8Array, path: string): Promise<{ file: FileBytes; messages: Message[]; tree: DirectTree; sizes: { offsets: number; lengths: number } }> {
  const tree = await readHdf5Tree(bytes);
  const file = new FileBytes(bytes);
  const { sizes } = readSuperblock(file);
  return { file, tree, sizes, messages: readObjectHeader(file, sizes, addressOf(tree, path), new Budget(10_000)) };
}

function writeU64(bytes: Uint8Array, pos: number, value: number): void {
  new DataView(bytes.buffer, bytes.byteOffset).setBigUint64(pos, BigInt(value), true);
}

/** A copy of the real model.h5 edited by the HDF5 library (h5wasm on this thread). */
async function editedByHdf5(edit: (f: InstanceType<typeof h5wasm.File>) => void, options?: { track_order?: boolean; libver?: 'latest' }): Promise<Uint8Array> {
  const mod = await h5wasm.ready;
  const path = `/direct-${Math.random().toString(36).slice(2)}.h5`;
  if (options) {
    // A new file in the requested format, holding the real file's kernel.
    const source = await openWasmHdf5(H5, 'model.h5');
    const kernel = await values(source, KERNEL);
    source.close();
    const f = new h5wasm.File(path, 'w', options);
    f.create_dataset({ name: 'kernel', data: kernel.data as Float32Array, shape: kernel.shape });
    edit(f);
    f.close();
  } else {
    mod.FS.writeFile(path, H5);
    const f = new h5wasm.File(path, 'a');
    edit(f);
    f.close();
  }
  const out = mod.FS.readFile(path);
  mod.FS.unlink(path);
  return out;
}

async function caught(p: Promise<unknown>): Promise<Keras2TfjsError> {
  const e = await p.then(() => null, (x: unknown) => x);
  expect(e).toBeInstanceOf(Keras2TfjsError);
  return e as Keras2TfjsError;
}

describe('files the direct reader reads: no HDF5 library', () => {
  it('converts the real .h5 and .keras fixtures without starting the HDF5 thread', async () => {
    for (const [name, file] of [['builtin_dropout', 'model.h5'], ['builtin_dropout', 'model.keras']]) {
      const { report } = await convert(fixturePath(name, file), { exactDropout: true });
      expect(report.parameterCount).toBeGreaterThan(0);
    }
    expect(Hdf5Thread.running).toBe(false);
  });
});

describe('features left to the HDF5 library', () => {
  let edited: Record<string, Uint8Array>;
  beforeAll(async () => {
    edited = {
      softLink: await editedByHdf5((f) => (f.get('model_weights/output') as InstanceType<typeof h5wasm.Group>).create_soft_link(KERNEL, 'soft')),
      externalLink: await editedByHdf5((f) => (f.get('model_weights/output') as InstanceType<typeof h5wasm.Group>).create_external_link('/etc/passwd.h5', '/x', 'ext')),
      chunked: await editedByHdf5((f) => f.create_dataset({ name: 'packed', data: new Float32Array([1, 2, 3, 4, 5, 6]), chunks: [2], compression: 'gzip' })),
      creationOrder: await editedByHdf5((f) => {
        f.create_group('zebra');
        f.create_group('apple');
        f.create_attribute('zz', 1);
        f.create_attribute('aa', 2);
      }, { track_order: true }),
      latest: await editedByHdf5((f) => {
        f.create_group('layers');
        f.create_attribute('model_config', '{"class_name": "Sequential"}');
        f.create_attribute('counts', new Int32Array([3, 1, 2]));
      }, { libver: 'latest' }),
    };
  });

  it.each([
    ['softLink', /soft link/],
    ['externalLink', /link of type 64/],
    ['creationOrder', /creation order/],
  ])('%s: the direct reader declines (%s)', async (name, reason) => {
    expect(await refusalReason(edited[name])).toMatch(reason);
    expect(await openDirectHdf5(edited[name], `${name}.h5`)).toBeNull();
  });

  it('the newest format (superblock 3, object header 2, link messages) is read directly, as the HDF5 library reads it', async () => {
    const bytes = edited.latest;
    expect(bytes[8]).toBe(3);
    const direct = (await openDirectHdf5(bytes, 'latest.h5'))!;
    const wasm = await openWasmHdf5(bytes, 'latest.h5');
    try {
      const read = async (h5: Hdf5File) => [h5.keys('/'), h5.isGroup('/layers'), h5.attrNames('/'), h5.attr('/', 'model_config'), h5.attr('/', 'counts'), await values(h5, '/kernel')];
      expect(await read(direct)).toEqual(await read(wasm));
      expect(direct.attr('/', 'counts')).toEqual([3, 1, 2]);
    } finally {
      wasm.close();
    }
  });

  it('a newest-format file with a byte changed under a checksum is declined', async () => {
    const superblock = edited.latest.slice();
    superblock[12] ^= 0x01; // the base address, covered by the superblock's checksum
    expect(await refusalReason(superblock)).toMatch(/the superblock fails its checksum/);
    const header = edited.latest.slice();
    const ohdr = Buffer.from(header).indexOf('OHDR');
    header[ohdr + 7] ^= 0x01; // inside the root's object header
    expect(await refusalReason(header)).toMatch(/object header fails its checksum/);
  });

  it('soft and external links are refused through withHdf5 as Keras refuses them', async () => {
    const soft = await caught(withHdf5(edited.softLink, 'soft.h5', (h5) => h5.keys('/model_weights/output')));
    expect(soft.message).toBe(`soft.h5: '/model_weights/output/soft' is a soft link to '${KERNEL}'; refused as Keras refuses soft links`);
    const ext = await caught(withHdf5(edited.externalLink, 'ext.h5', (h5) => h5.keys('/model_weights/output')));
    expect(ext.message).toBe("ext.h5: '/model_weights/output/ext' is an external link to '/etc/passwd.h5'; refused as Keras refuses external links");
  });

  it('a chunked, compressed dataset the HDF5 library wrote is read directly, as the library reads it', async () => {
    const direct = (await openDirectHdf5(edited.chunked, 'chunked.h5'))!;
    expect(direct).not.toBeNull();
    const wasm = await openWasmHdf5(edited.chunked, 'chunked.h5');
    try {
      expect(await values(direct, '/packed')).toEqual(await values(wasm, '/packed'));
      expect(Array.from((await values(direct, '/packed')).data as Float32Array)).toEqual([1, 2, 3, 4, 5, 6]);
    } finally {
      wasm.close();
    }
  });

  it('a creation-ordered file lists members and attributes as the HDF5 library does', async () => {
    const listed = await withHdf5(edited.creationOrder, 'ordered.h5', (h5) => [h5.keys('/'), h5.attrNames('/')]);
    expect(listed).toEqual([['kernel', 'zebra', 'apple'], ['zz', 'aa']]);
  });
});

describe('byte order', () => {
  it('a dataset stored big-endian reads as the same values through both readers', async () => {
    const bytes = H5.slice();
    const { messages, tree } = await messagesOf(bytes, KERNEL);
    const datatype = messages.find((m) => m.type === MSG.DATATYPE)!;
    bytes[datatype.pos + 1] |= 0x01; // the byte-order bit: big-endian
    const { storage } = tree.objects.get(addressOf(tree, KERNEL))!.dataset!;
    for (let i = storage!.pos; i < storage!.pos + storage!.length; i += 4) bytes.subarray(i, i + 4).reverse();

    const original = await values((await openDirectHdf5(H5, 'model.h5'))!, KERNEL);
    const beFile = (await openDirectHdf5(bytes, 'be.h5'))!;
    const direct = await values(beFile, KERNEL);
    const wasm = await openWasmHdf5(bytes, 'be.h5');
    try {
      expect(direct).toEqual(original);
      // Read twice: swapping the bytes never changes the file's own.
      expect(await values(beFile, KERNEL)).toEqual(original);
      expect(await values(wasm, KERNEL)).toEqual(original);
    } finally {
      wasm.close();
    }
  });
});

describe('a user block before the HDF5 data', () => {
  it('a file behind a 512-byte user block (as h5jam adds one) reads as the HDF5 library reads it', async () => {
    // h5jam's layout: the user block first; the superblock's base address becomes 512 and its
    // end-of-file address (counted from the file's start) grows by 512; other addresses stay.
    const bytes = new Uint8Array(512 + H5.length);
    bytes.set(new TextEncoder().encode('a user block'), 0);
    bytes.set(H5, 512);
    writeU64(bytes, 512 + 24, 512);
    writeU64(bytes, 512 + 40, H5.length + 512);
    const direct = (await openDirectHdf5(bytes, 'jammed.h5'))!;
    expect(direct).not.toBeNull();
    const wasm = await openWasmHdf5(bytes, 'jammed.h5');
    try {
      const read = async (h5: Hdf5File) => [h5.keys('/model_weights'), h5.stringAttr('/', 'model_config'), await values(h5, KERNEL)];
      expect(await read(direct)).toEqual(await read(wasm));
      expect(await read(direct)).toEqual(await read((await openDirectHdf5(H5, 'model.h5'))!));
    } finally {
      wasm.close();
    }
  });
});

describe('damaged files: refused by the direct reader with the reason named', () => {
  it('a truncated file', async () => {
    const cut = H5.slice(0, H5.length - 100);
    expect(await refusalReason(cut)).toMatch(/shorter than the end its superblock declares/);
    const err = await caught(withHdf5(cut, 'cut.h5', () => null));
    expect(err.code).toBe('BAD_HDF5');
  });

  it('a B-tree whose node points back at itself', async () => {
    const bytes = H5.slice();
    const { file, messages, sizes } = await messagesOf(bytes, '/');
    const table = messages.find((m) => m.type === MSG.SYMBOL_TABLE)!;
    const btree = file.address(table.pos, sizes);
    // The node's first child (after its 8-byte prefix, two sibling addresses and the first key).
    writeU64(bytes, btree + 8 + 2 * sizes.offsets + sizes.lengths, btree);
    expect(await refusalReason(bytes)).toMatch(/reached twice|without its signature/);
  });

  it('an object header continuation block that points at its own header', async () => {
    const bytes = H5.slice();
    const { file, messages, sizes, tree } = await messagesOf(bytes, '/');
    // The root's first attribute message, turned into a continuation to the header itself.
    const attribute = messages.find((m) => m.type === MSG.ATTRIBUTE)!;
    const header = file.at(tree.root, 16, 'the root header');
    new DataView(bytes.buffer).setUint16(attribute.pos - 8, MSG.CONTINUATION, true);
    writeU64(bytes, attribute.pos, tree.root);
    writeU64(bytes, attribute.pos + sizes.offsets, 16 + file.u32(header + 8));
    expect(await refusalReason(bytes)).toMatch(/continuation loop/);
  });

  it("a local heap whose data reaches past the file", async () => {
    const bytes = H5.slice();
    const { file, messages, sizes } = await messagesOf(bytes, '/');
    const table = messages.find((m) => m.type === MSG.SYMBOL_TABLE)!;
    const heap = file.address(table.pos + sizes.offsets, sizes);
    writeU64(bytes, heap + 8, 2 ** 40); // its data segment size
    expect(await refusalReason(bytes)).toMatch(/local heap's data .* lies outside the \d+-byte file/);
  });

  it('a local heap whose names have no end', async () => {
    const bytes = H5.slice();
    const { file, messages, sizes } = await messagesOf(bytes, '/');
    const table = messages.find((m) => m.type === MSG.SYMBOL_TABLE)!;
    const heap = file.at(file.address(table.pos + sizes.offsets, sizes), 32, 'the local heap');
    const data = file.at(file.address(heap + 8 + 2 * sizes.lengths, sizes), 0, 'its data');
    bytes.fill(0x61, data, data + file.uint(heap + 8, sizes.lengths)); // 'aaaa...' without a NUL
    expect(await refusalReason(bytes)).toMatch(/without its terminating NUL/);
  });

  it("a dataset whose data lies past the end of the file", async () => {
    const bytes = H5.slice();
    const { messages, sizes } = await messagesOf(bytes, KERNEL);
    const layout = messages.find((m) => m.type === MSG.LAYOUT)!;
    writeU64(bytes, layout.pos + 2, bytes.length + 8); // the contiguous data's address
    expect(sizes.offsets).toBe(8);
    expect(await refusalReason(bytes)).toMatch(/dataset's data .* lies outside/);
  });

  it('a global heap collection without its signature (where the model config is kept)', async () => {
    const bytes = H5.slice();
    const at = Buffer.from(bytes).indexOf('GCOL');
    expect(at).toBeGreaterThan(0);
    bytes[at] = 0;
    expect(await refusalReason(bytes)).toMatch(/global heap collection without its signature/);
  });

  it('an attribute message whose parts run past its end', async () => {
    const bytes = H5.slice();
    const { messages } = await messagesOf(bytes, '/');
    const attribute = messages.find((m) => m.type === MSG.ATTRIBUTE)!;
    new DataView(bytes.buffer).setUint16(attribute.pos + 2, 0xfff0, true); // its name size
    expect(await refusalReason(bytes)).toMatch(/attribute message too short/);
  });

  it('a step budget stops any walk that would go on', () => {
    const budget = new Budget(TINY_BUDGET);
    for (let i = 0; i < TINY_BUDGET; i++) budget.spend('steps');
    expect(() => budget.spend('steps')).toThrow(Hdf5Unsupported);
    expect(() => budget.spend('steps')).toThrow(/more than 3 steps reading steps/);
  });

  it('every single-byte damage of the first 4 KiB: read, or declined; never another error', async () => {
    // Where the superblock, the root header and the first B-tree and heaps live. A file still
    // read must give every value, or refuse it with BAD_HDF5.
    let read = 0;
    let declined = 0;
    for (let pos = 0; pos < 4096; pos++) {
      const bytes = H5.slice();
      bytes[pos] ^= 0xff;
      try {
        await readHdf5Tree(bytes);
      } catch (e) {
        if (!(e instanceof Hdf5Unsupported)) throw new Error(`byte ${pos} flipped: ${String(e)}`);
        declined++;
        continue;
      }
      read++;
      const h5 = (await openDirectHdf5(bytes, 'flipped.h5'))!;
      const visit = async (path: string): Promise<void> => {
        for (const name of h5.attrNames(path)) h5.attr(path, name);
        if (h5.isDataset(path)) {
          let outcome: Awaited<ReturnType<typeof values>> | null;
          try {
            outcome = await values(h5, path);
          } catch (e) {
            if (!(e instanceof Keras2TfjsError && e.code === 'BAD_HDF5')) throw new Error(`byte ${pos} flipped, reading ${path}: ${String(e)}`);
            outcome = null;
          }
          if (outcome) expect(outcome.data.length).toBe(outcome.shape.reduce((x, y) => x * y, 1));
        } else {
          for (const key of h5.keys(path)) await visit(path === '/' ? `/${key}` : `${path}/${key}`);
        }
      };
      await visit('/');
    }
    expect(read + declined).toBe(4096);
    expect(declined).toBeGreaterThan(0);
  });

  it('random damage anywhere in real files: read, or declined; never another error', async () => {
    // mulberry32 with a fixed seed: the same damaged files on every run.
    let state = 20251129;
    const random = (n: number) => {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = Math.imul(state ^ (state >>> 15), state | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
    };
    const seeds = [H5, new Uint8Array(readFileSync(fixturePath('seed_lambda_tfkeras', 'model.h5')))];
    for (let i = 0; i < DAMAGED_FILES; i++) {
      const bytes = seeds[i % seeds.length].slice();
      const edits: string[] = [];
      for (let k = 1 + random(4); k > 0; k--) {
        const at = random(bytes.length);
        const len = 1 + random(16);
        for (let j = at; j < Math.min(bytes.length, at + len); j++) bytes[j] = random(256);
        edits.push(`${len}@${at}`);
      }
      try {
        await readHdf5Tree(bytes);
      } catch (e) {
        if (!(e instanceof Hdf5Unsupported)) throw new Error(`file ${i} (random bytes ${edits.join(', ')}): ${String(e)}`);
      }
    }
  });

  it('opening through openHdf5 gives the direct reader for the real file', async () => {
    const h5 = await openHdf5(H5, 'model.h5');
    expect(h5.constructor.name).toBe('DirectHdf5File');
    h5.close();
  });
});
