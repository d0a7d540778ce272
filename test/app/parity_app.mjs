// An app's own parity test, as its author writes it with the package installed: expectParity
// from keras2tfjs/testing on the parity fixture their Python side exported. It throws (with the
// table) when the model does not match Keras, which fails any test runner.
import { expectParity } from 'keras2tfjs/testing';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';

await tf.setBackend('cpu');
const [model, fixture] = process.argv.slice(2);
try {
  const report = await expectParity(model, fixture);
  console.log(JSON.stringify({ pass: report.pass, checks: report.checks.length }));
} catch (e) {
  console.log(JSON.stringify({ error: e.name, firstLine: e.message.split('\n')[0], table: e.message }));
}
