// src/main.ts of the app `npm create vite@latest -- --template vanilla-ts` makes, once the app
// has run `npm install keras2tfjs @tensorflow/tfjs` (scripts/package_check/vite_app.mjs): a user's
// first page with keras2tfjs. It converts the Keras file in public/, predicts Python's x.npy,
// runs MC dropout and exports the model back to a .keras Blob; the check reads `appResult`.
import './style.css';
import * as tf from '@tensorflow/tfjs';
import { chooseBackend, convert, exportKeras, predictWithDropout, readNpy } from 'keras2tfjs';

const app = document.querySelector<HTMLDivElement>('#app')!;

async function npy(url: string): Promise<tf.Tensor> {
  const array = readNpy(new Uint8Array(await (await fetch(url)).arrayBuffer()), url);
  return tf.tensor(Float32Array.from(array.data as ArrayLike<number>), array.shape);
}

async function main(): Promise<Record<string, unknown>> {
  const { name, reason } = await chooseBackend();
  const lambdas = { dropout: { className: 'ManualDropout', config: { rate: 0.5 } } };
  const { artifacts, report } = await convert(await fetch('/model.keras'), { lambdas });
  const model = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  const [x, y] = await Promise.all([npy('/x.npy'), npy('/y_infer.npy')]);
  const maxDiff = tf.tidy(() => tf.max(tf.abs(tf.sub(model.predict(x) as tf.Tensor, y))).dataSync()[0]);
  const { std } = predictWithDropout(model, x, { samples: 10 });
  const keras = await exportKeras(model, { onWarning: () => {} });
  return { backend: name, reason, parameters: report.parameterCount, maxDiff, mcStd: (await std.max().data())[0], kerasBytes: keras.size };
}

main().then(
  (result) => {
    app.textContent = JSON.stringify(result, null, 2);
    Object.assign(window, { appResult: result });
  },
  (e: unknown) => {
    app.textContent = String(e);
    Object.assign(window, { appResult: { error: String(e) } });
  },
);
