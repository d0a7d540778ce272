/**
 * A converted model as one download: model.json plus its weight shards, cut at 4 MiB and named
 * as tfjs' converter names them (group1-shardKofN.bin), zipped without compression (weights do
 * not compress, and the files unzip into a folder tf.loadLayersModel reads as it is).
 */
import * as tf from '@tensorflow/tfjs';
import { zipSync, type Zippable } from 'fflate';

const SHARD_BYTES = 4 * 1024 * 1024;

export function zipModel(artifacts: tf.io.ModelArtifacts): { blob: Blob; files: string[] } {
  const weights = weightBytes(artifacts.weightData);
  const count = Math.max(1, Math.ceil(weights.byteLength / SHARD_BYTES));
  const names = Array.from({ length: count }, (_, k) => `group1-shard${k + 1}of${count}.bin`);
  const manifest: tf.io.WeightsManifestConfig = [{ paths: names, weights: artifacts.weightSpecs ?? [] }];
  // The fields tfjs' own save handlers write (its helper for this is not exported).
  const { modelTopology, format, generatedBy, convertedBy, trainingConfig, userDefinedMetadata } = artifacts;
  const modelJson = { modelTopology, format, generatedBy, convertedBy, weightsManifest: manifest, trainingConfig, userDefinedMetadata };
  const stored = { level: 0 } as const;
  const files: Zippable = { 'model.json': [new TextEncoder().encode(JSON.stringify(modelJson)), stored] };
  names.forEach((name, k) => {
    files[name] = [weights.subarray(k * SHARD_BYTES, Math.min((k + 1) * SHARD_BYTES, weights.byteLength)), stored];
  });
  return { blob: new Blob([zipSync(files) as Uint8Array<ArrayBuffer>], { type: 'application/zip' }), files: ['model.json', ...names] };
}

/** The weights as one byte array (tfjs gives one buffer, or several in manifest order). */
function weightBytes(data: tf.io.ModelArtifacts['weightData']): Uint8Array {
  if (data === undefined) return new Uint8Array(0);
  const buffers = Array.isArray(data) ? data : [data];
  if (buffers.length === 1) return new Uint8Array(buffers[0]);
  const out = new Uint8Array(buffers.reduce((n, b) => n + b.byteLength, 0));
  let at = 0;
  for (const b of buffers) {
    out.set(new Uint8Array(b), at);
    at += b.byteLength;
  }
  return out;
}
