// A child process for atomic_directory.test.ts: writes a small model into `dir` with the built
// package's writer (dist/). With `pause`, opening the second weight shard never returns: the
// process prints "paused" and waits there, inside its write, with its temporary folder on disk,
// for the test to signal it (no race with a write that finishes first). Then prints "done".
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { pathToFileURL } from 'node:url';

const [dist, dir, mode] = process.argv.slice(2);
if (mode === 'pause') {
  const open = fs.promises.open;
  fs.promises.open = async (path, ...rest) => {
    if (String(path).includes('group1-shard2of')) {
      console.log('paused');
      await new Promise(() => {}); // never settles; a timer keeps the process alive meanwhile
    }
    return open(path, ...rest);
  };
  setInterval(() => {}, 1000);
  syncBuiltinESMExports(); // the writer's `import { open } from 'node:fs/promises'` sees the patch
}
const { writeArtifactsToDirectory } = await import(pathToFileURL(`${dist}/io/file_system.js`).href);
const weightData = new Float32Array(3 * 1024).buffer; // three shards of 4 KB
const artifacts = {
  modelTopology: { class_name: 'Sequential', config: { name: 'paused', layers: [] } },
  weightSpecs: [{ name: 'w', shape: [3 * 1024], dtype: 'float32' }],
  weightData,
  format: 'layers-model',
};
await writeArtifactsToDirectory(artifacts, dir, { shardSizeBytes: 4096 });
console.log('done');
process.exit(0);
