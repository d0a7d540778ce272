// An app's code, plain JavaScript, as esbuild, Vite and webpack build it with no configuration:
// tfjs and keras2tfjs by their package names. It converts the bundled seed model (.keras, read
// by the TypeScript reader) and its .h5 rewritten with creation order (read by h5wasm, loaded on
// demand), predicts Python's x.npy, exports the model back to a .keras Blob and converts that
// again. test/browser/bundlers.test.ts serves the files and reads `appResult`.
import * as tf from '@tensorflow/tfjs';
import { chooseBackend, convert, exportKeras, readNpy } from 'keras2tfjs';

const lambdas = { dropout: { className: 'ManualDropout', config: { rate: 0.5 } } };

async function fetchBytes(url) {
  return new Uint8Array(await (await fetch(url)).arrayBuffer());
}

function maxDiff(model, x, y) {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(model.predict(x), y))).dataSync()[0]);
}

async function main() {
  const choice = await chooseBackend({ wasmPaths: '/wasm/' });
  const toTensor = (a) => tf.tensor(Float32Array.from(a.data), a.shape);
  const x = toTensor(readNpy(await fetchBytes('/x.npy')));
  const y = toTensor(readNpy(await fetchBytes('/y_infer.npy')));
  const results = {};
  let last;
  for (const file of ['model.keras', 'model_ordered.h5']) {
    const { artifacts } = await convert(await fetchBytes(`/${file}`), { lambdas, fileName: file });
    last?.dispose();
    last = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
    results[file] = maxDiff(last, x, y);
  }
  const blob = await exportKeras(last, { onWarning: () => {} });
  const again = await convert(new Uint8Array(await blob.arrayBuffer()), { fileName: 'exported.keras' });
  const reloaded = await tf.loadLayersModel(tf.io.fromMemory(again.artifacts));
  results['exported.keras'] = maxDiff(reloaded, x, y);
  globalThis.appResult = { backend: choice.name, reason: choice.reason, blobType: blob.type, results };
}

main().catch((e) => {
  globalThis.appResult = { error: `${e.name}: ${e.message}` };
});
