/**
 * Reads a `.keras` file back for the exportKeras tests, with independent tools: fflate for the
 * zip members, the zip local headers themselves for each member's compression method, and
 * h5wasm for model.weights.h5 (every group, attribute and dataset).
 */
import h5wasm, { Dataset, Group } from 'h5wasm/node';
import { unzipSync } from 'fflate';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface H5Entry {
  kind: 'group' | 'dataset';
  attrs: Record<string, unknown>;
  shape?: number[];
  dtype?: string;
  /** An array, or a number/bigint for a scalar dataset (as h5wasm returns them). */
  value?: Float32Array | Int32Array | BigInt64Array | number | bigint;
}

export interface KerasArchive {
  /** Member names in the order they are stored. */
  members: string[];
  /** Zip compression method per member (0 = STORED, 8 = DEFLATE), from the local headers. */
  methods: number[];
  metadata: Record<string, unknown>;
  config: Record<string, unknown>;
  /** Every object in model.weights.h5 by path ('layers/dense/vars/0'), root excluded. */
  weights: Map<string, H5Entry>;
}

export async function readKerasArchive(path: string): Promise<KerasArchive> {
  const bytes = new Uint8Array(await readFile(path));
  const { members, methods } = localHeaders(bytes);
  const files = unzipSync(bytes);
  const text = (name: string) => JSON.parse(new TextDecoder().decode(files[name])) as Record<string, unknown>;
  return {
    members,
    methods,
    metadata: text('metadata.json'),
    config: text('config.json'),
    weights: await readH5(files['model.weights.h5']),
  };
}

/** Walks the zip's local file headers (signature PK\x03\x04) from the start of the file. */
function localHeaders(bytes: Uint8Array): { members: string[]; methods: number[] } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const members: string[] = [];
  const methods: number[] = [];
  let at = 0;
  while (at + 30 <= bytes.length && view.getUint32(at, true) === 0x04034b50) {
    const method = view.getUint16(at + 8, true);
    const compressedSize = view.getUint32(at + 18, true);
    const nameLength = view.getUint16(at + 26, true);
    const extraLength = view.getUint16(at + 28, true);
    members.push(new TextDecoder().decode(bytes.subarray(at + 30, at + 30 + nameLength)));
    methods.push(method);
    at += 30 + nameLength + extraLength + compressedSize;
  }
  return { members, methods };
}

/** Opens the weights with h5wasm's Node build from a private temporary file. */
async function readH5(bytes: Uint8Array): Promise<Map<string, H5Entry>> {
  await h5wasm.ready;
  const dir = await mkdtemp(join(tmpdir(), 'write-keras-test-'));
  const path = join(dir, 'model.weights.h5');
  await writeFile(path, bytes);
  const file = new h5wasm.File(path, 'r');
  const out = new Map<string, H5Entry>();
  try {
    walk(file, '', out);
  } finally {
    file.close();
    await rm(dir, { recursive: true, force: true });
  }
  return out;
}

function attrsOf(obj: Group | Dataset): Record<string, unknown> {
  const attrs: Record<string, unknown> = {};
  for (const [name, attr] of Object.entries(obj.attrs)) attrs[name] = attr.value;
  return attrs;
}

function walk(group: Group, prefix: string, out: Map<string, H5Entry>): void {
  for (const key of group.keys()) {
    const path = prefix ? `${prefix}/${key}` : key;
    const child = group.get(key);
    if (child instanceof Group) {
      out.set(path, { kind: 'group', attrs: attrsOf(child) });
      walk(child, path, out);
    } else if (child instanceof Dataset) {
      out.set(path, {
        kind: 'dataset',
        attrs: attrsOf(child),
        shape: child.shape ?? [],
        dtype: child.dtype as string,
        value: child.value as H5Entry['value'],
      });
    }
  }
}

/** The `layers` entries of a model config, typed loosely for assertions. */
export type LayerEntry = {
  module: string | null;
  class_name: string;
  config: Record<string, unknown>;
  registered_name: string | null;
  build_config?: Record<string, unknown>;
  compile_config?: Record<string, unknown>;
  name?: string;
  inbound_nodes?: Array<{ args: unknown[]; kwargs: Record<string, unknown> }>;
};

export function layersOf(config: Record<string, unknown>): LayerEntry[] {
  return (config.config as { layers: LayerEntry[] }).layers;
}
