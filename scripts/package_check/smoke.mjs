// Runs inside a throwaway app that installed @tensorflow/tfjs and the packed keras2tfjs (see
// check_tfjs_versions.mjs): the app's own tfjs loads a converted model that names ManualDropout,
// predicts what Python Keras predicted, and replays Keras' dropout masks, on cpu and wasm.
// Exits 1 with one line per failure.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { chooseBackend, convert, readNpy, ManualDropout } from 'keras2tfjs';

/** Python Keras vs tfjs on float32 Dense layers: summation order only. */
const TOLERANCE = 1e-5;
const require = createRequire(import.meta.url);
const fixtures = join(dirname(require.resolve('keras2tfjs/package.json')), 'fixtures');
const npy = (caseName, file) => readNpy(readFileSync(join(fixtures, caseName, file)));
const asFloat = (a) => tf.tensor(Float32Array.from(a.data, Number), a.shape, 'float32');
const failures = [];
const check = (what, ok, detail) => (ok ? console.log(`ok   ${what} ${detail}`) : failures.push(`${what}: ${detail}`));

function maxAbsDiff(actual, expected) {
  const a = actual.dataSync();
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - Number(expected.data[i])));
  return worst;
}

for (const backend of ['cpu', 'wasm']) {
  await chooseBackend({ backend, quiet: true });
  const lambdas = { dropout: { className: 'ManualDropout', config: { rate: 0.5 } } };
  const { artifacts } = await convert(join(fixtures, 'seed_lambda', 'model.keras'), { lambdas });
  const model = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  const x = asFloat(npy('seed_lambda', 'x.npy'));
  const inference = maxAbsDiff(model.predict(x), npy('seed_lambda', 'y_infer.npy'));
  check(`${backend}: seed model predicts like Keras`, inference <= TOLERANCE, `max |Δ| ${inference.toExponential(2)}`);

  const exact = await tf.loadLayersModel(tf.io.fromMemory((await convert(join(fixtures, 'manual_dropout_tf', 'model.keras'))).artifacts));
  const dropout = exact.layers.find((l) => l instanceof ManualDropout);
  check(`${backend}: the app's tfjs builds keras2tfjs' ManualDropout`, dropout !== undefined, dropout ? dropout.getClassName() : 'not found');
  const calls = JSON.parse(readFileSync(join(fixtures, 'manual_dropout_tf', 'case.json'), 'utf8')).training_calls;
  const xm = asFloat(npy('manual_dropout_tf', 'x.npy'));
  for (const call of calls) {
    dropout.setCallCount(call.state[1]);
    const diff = maxAbsDiff(exact.apply(xm, { training: true }), npy('manual_dropout_tf', call.y_train));
    check(`${backend}: Keras' dropout stream, call ${call.state[1]}`, diff <= TOLERANCE, `max |Δ| ${diff.toExponential(2)}`);
  }
}
const cjs = require('keras2tfjs');
check('require("keras2tfjs") gives the same module as import', cjs.ManualDropout === ManualDropout, typeof cjs.convert);
if (failures.length) {
  console.error(failures.map((f) => `FAIL ${f}`).join('\n'));
  process.exit(1);
}
