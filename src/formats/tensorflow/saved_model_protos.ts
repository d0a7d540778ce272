/**
 * The few protobuf messages a tf.keras SavedModel reader needs, declared in code with
 * protobufjs' reflection API (no .proto files at run time, no code generation).
 * Each message lists only the fields we read; protobufjs skips the others by their
 * length, so the big graph and function definitions in saved_model.pb cost nothing.
 *
 * Field numbers come from:
 *   keras/protobuf/saved_metadata.proto, versions.proto (tf.keras 2.x)
 *   tensorflow/core/protobuf/{saved_model,meta_graph,saved_object_graph,
 *                             trackable_object_graph,tensor_bundle}.proto
 *   tensorflow/core/framework/{tensor_shape,versions}.proto
 */
import protobuf from 'protobufjs';
import { ErrorCode, Keras2TfjsError } from '../../errors.js';

const { Root, Type, Field } = protobuf;

function message(name: string, fields: Array<[name: string, id: number, type: string, rule?: 'repeated']>): protobuf.Type {
  const type = new Type(name);
  for (const [fieldName, id, fieldType, rule] of fields) type.add(new Field(fieldName, id, fieldType, rule));
  return type;
}

const root = new Root();
root.add(message('VersionDef', [
  ['producer', 1, 'int32'],
  ['minConsumer', 2, 'int32'],
]));

// keras_metadata.pb
root.add(message('KerasSavedObject', [
  ['nodeId', 2, 'int32'],
  // bytes, not string: protobufjs would quietly replace invalid UTF-8, which only a damaged
  // file has; the reader decodes these strictly (as Python's protobuf does) and says so.
  ['nodePath', 3, 'bytes'],
  ['identifier', 4, 'string'],
  ['metadata', 5, 'bytes'],
]));
root.add(message('SavedMetadata', [['nodes', 1, 'KerasSavedObject', 'repeated']]));

// saved_model.pb (object graph only)
root.add(message('ObjectReference', [
  ['nodeId', 1, 'int32'],
  ['localName', 2, 'string'],
]));
root.add(message('SavedUserObject', [
  ['identifier', 1, 'string'],
  ['metadata', 3, 'bytes'],
]));
root.add(message('SavedObject', [
  ['children', 1, 'ObjectReference', 'repeated'],
  ['userObject', 4, 'SavedUserObject'],
]));
root.add(message('SavedObjectGraph', [['nodes', 1, 'SavedObject', 'repeated']]));
root.add(message('MetaInfoDef', [
  ['tags', 4, 'string', 'repeated'],
  ['tensorflowVersion', 5, 'string'],
]));
root.add(message('MetaGraphDef', [
  ['metaInfoDef', 1, 'MetaInfoDef'],
  ['objectGraphDef', 7, 'SavedObjectGraph'],
]));
root.add(message('SavedModel', [['metaGraphs', 2, 'MetaGraphDef', 'repeated']]));

// variables.index (TensorBundle) and the checkpoint's object graph
root.add(message('TensorShapeDim', [['size', 1, 'int64']]));
root.add(message('TensorShapeProto', [
  ['dim', 2, 'TensorShapeDim', 'repeated'],
  ['unknownRank', 3, 'bool'],
]));
root.add(message('TensorSliceProto', []));
root.add(message('BundleHeaderProto', [
  ['numShards', 1, 'int32'],
  ['endianness', 2, 'int32'],
  ['version', 3, 'VersionDef'],
]));
root.add(message('BundleEntryProto', [
  ['dtype', 1, 'int32'],
  ['shape', 2, 'TensorShapeProto'],
  ['shardId', 3, 'int32'],
  ['offset', 4, 'int64'],
  ['size', 5, 'int64'],
  ['crc32c', 6, 'fixed32'],
  ['slices', 7, 'TensorSliceProto', 'repeated'],
]));
root.add(message('SerializedTensor', [
  ['name', 1, 'string'],
  ['fullName', 2, 'string'],
  ['checkpointKey', 3, 'string'],
]));
root.add(message('SlotVariableReference', [
  ['originalVariableNodeId', 1, 'int32'],
  ['slotName', 2, 'string'],
  ['slotVariableNodeId', 3, 'int32'],
]));
root.add(message('TrackableObject', [
  ['children', 1, 'ObjectReference', 'repeated'],
  ['attributes', 2, 'SerializedTensor', 'repeated'],
  ['slotVariables', 3, 'SlotVariableReference', 'repeated'],
]));
root.add(message('TrackableObjectGraph', [['nodes', 1, 'TrackableObject', 'repeated']]));
root.resolveAll();

// ---- plain TypeScript views of the decoded messages ----

export interface KerasSavedObject {
  nodeId: number;
  nodePath: Uint8Array;
  identifier: string;
  metadata: Uint8Array;
}
export interface SavedMetadata {
  nodes: KerasSavedObject[];
}
export interface ObjectReference {
  nodeId: number;
  localName: string;
}
export interface SavedObject {
  children: ObjectReference[];
  userObject?: { identifier: string; metadata: Uint8Array };
}
export interface SavedModelProto {
  metaGraphs: Array<{
    metaInfoDef?: { tags: string[]; tensorflowVersion: string };
    objectGraphDef?: { nodes: SavedObject[] };
  }>;
}
export interface BundleHeader {
  numShards: number;
  endianness: number;
  version?: { producer: number; minConsumer: number };
}
export interface BundleEntry {
  dtype: number;
  shape?: { dim: Array<{ size: string }>; unknownRank: boolean };
  shardId: number;
  /** int64 fields arrive as decimal strings (exact); convert with `safeNumber`. */
  offset: string;
  size: string;
  crc32c: number;
  slices: unknown[];
}
export interface TrackableObject {
  children: ObjectReference[];
  attributes: Array<{ name: string; fullName: string; checkpointKey: string }>;
  /** An optimizer's slots (tf.keras' legacy optimizers): which variable each belongs to. */
  slotVariables: Array<{ originalVariableNodeId: number; slotName: string; slotVariableNodeId: number }>;
}
export interface TrackableObjectGraph {
  nodes: TrackableObject[];
}

/** Message name → its TypeScript view. */
interface Messages {
  SavedMetadata: SavedMetadata;
  SavedModel: SavedModelProto;
  BundleHeaderProto: BundleHeader;
  BundleEntryProto: BundleEntry;
  TrackableObjectGraph: TrackableObjectGraph;
}

/**
 * Decodes `bytes` as the named message. Malformed bytes throw a `Keras2TfjsError`
 * (`code`, naming `file` and `what`), never protobufjs' own error.
 */
export function decodeMessage<K extends keyof Messages>(
  name: K,
  bytes: Uint8Array,
  where: { file: string; label?: string; what: string; code?: ErrorCode; fix: string },
): Messages[K] {
  const type = root.lookupType(name);
  try {
    const decoded = type.decode(bytes);
    return type.toObject(decoded, { longs: String, defaults: true, arrays: true }) as Messages[K];
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    throw new Keras2TfjsError(
      where.code ?? ErrorCode.BAD_SAVED_MODEL,
      `${where.label ?? where.file}: ${where.what} is not a valid ${name} protobuf (${reason}); ${where.fix}`,
      { file: where.file },
    );
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** `bytes` as UTF-8 text, or null if they are not valid UTF-8. */
export function utf8OrNull(bytes: Uint8Array): string | null {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return null;
  }
}

/** An int64 field (decimal string) as a number, or null if it is negative or beyond 2^53. */
export function safeNumber(value: string | number): number | null {
  const n = Number(value);
  return Number.isSafeInteger(n) && n >= 0 ? n : null;
}
