// A child process for atomic_directory.test.ts: writes a model of `mb` megabytes of weights into
// `dir` with the built package's writer (fsync on, so the write takes long enough to be
// interrupted), then prints "done". The test signals it while its temporary folder exists.
import { pathToFileURL } from 'node:url';

const [dist, dir, mb] = process.argv.slice(2);
const { writeArtifactsToDirectory } = await import(pathToFileURL(`${dist}/io/file_system.js`).href);
const bytes = Number(mb) * 1024 * 1024;
const weightData = new ArrayBuffer(bytes);
const artifacts = {
  modelTopology: { class_name: 'Sequential', config: { name: 'slow', layers: [] } },
  weightSpecs: [{ name: 'w', shape: [bytes / 4], dtype: 'float32' }],
  weightData,
  format: 'layers-model',
};
await writeArtifactsToDirectory(artifacts, dir, { shardSizeBytes: 1024 * 1024, durable: true });
console.log('done');
