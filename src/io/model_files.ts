/**
 * The files of a TensorFlow.js LayersModel as tfjs' converter lays them out: model.json and its
 * weights cut into `group1-shardKofN.bin` shards. Pure names and JSON, no disk: the folder writer
 * (file_system.ts) writes them, and `convertToDirectory` lists them, in Node and browsers alike.
 */
import type * as tf from '@tensorflow/tfjs-core';

/** The name tfjs gives the topology file. */
export const MODEL_JSON = 'model.json';

/** 4 MiB: the shard size of the Python tensorflowjs converter, so browsers can cache each shard. */
export const DEFAULT_SHARD_SIZE_BYTES = 4 * 1024 * 1024;

/** Shard files as the tfjs converter names them: group1-shard1of3.bin ... (one weight group). */
export const SHARD_NAME = /^group\d+-shard\d+of\d+\.bin$/;

/** The shard files of `totalBytes` of weights cut at `shardSize`, in order. */
export function shardFileNames(totalBytes: number, shardSize: number): string[] {
  const n = Math.ceil(totalBytes / shardSize);
  return Array.from({ length: n }, (_, k) => `group1-shard${k + 1}of${n}.bin`);
}

/** The model.json object tfjs writes for these artifacts (same fields as tfjs' own handlers). */
export function modelJsonFor(artifacts: tf.io.ModelArtifacts, manifest: tf.io.WeightsManifestConfig): tf.io.ModelJSON {
  const json: tf.io.ModelJSON = {
    modelTopology: artifacts.modelTopology as {},
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy,
    weightsManifest: manifest,
  };
  if (artifacts.trainingConfig != null) json.trainingConfig = artifacts.trainingConfig;
  if (artifacts.signature != null) json.signature = artifacts.signature;
  if (artifacts.userDefinedMetadata != null) json.userDefinedMetadata = artifacts.userDefinedMetadata;
  if (artifacts.modelInitializer != null) json.modelInitializer = artifacts.modelInitializer;
  if (artifacts.initializerSignature != null) json.initializerSignature = artifacts.initializerSignature;
  return json;
}
