/**
 * The browser's twin of src/io/file_system.ts: a page has no directories to save a model into.
 * Each function fails at once with NOT_IN_BROWSER, saying what a page uses instead.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { WriteArtifactsOptions } from '../io/file_system.js';
import type { WeightBytes } from '../io/shard_writer.js';
import { needFileSystem } from './platform.js';

export type { WriteArtifactsOptions } from '../io/file_system.js';

export { DEFAULT_SHARD_SIZE_BYTES, MODEL_JSON, shardFileNames } from '../io/model_files.js';

const FIX = "in a page save with model.save('indexeddb://name') or model.save('downloads://name'), and load with tf.loadLayersModel(url)";

export function fileSystem(dir: string, _options: WriteArtifactsOptions = {}): tf.io.IOHandler {
  return needFileSystem(`fileSystem('${dir}')`, FIX);
}

export async function writeArtifactsToDirectory(_artifacts: tf.io.ModelArtifacts, dir: string, _options: WriteArtifactsOptions = {}): Promise<tf.io.SaveResult> {
  return needFileSystem(`writeArtifactsToDirectory(…, '${dir}')`, FIX);
}

export async function writeModelDirectory(_artifacts: tf.io.ModelArtifacts, _weights: WeightBytes, dir: string, _options: WriteArtifactsOptions = {}): Promise<tf.io.SaveResult> {
  return needFileSystem(`'${dir}'`, "convert() gives the model in memory: tf.loadLayersModel(tf.io.fromMemory(artifacts))");
}

export async function readArtifactsFromDirectory(path: string): Promise<tf.io.ModelArtifacts> {
  return needFileSystem(`'${path}'`, 'load with tf.loadLayersModel(url) or from IndexedDB');
}
