// An existing TensorFlow.js app. The one line that makes a model.json naming ManualDropout
// loadable is the side-effect import of keras2tfjs below: it registers the layer class.
import 'keras2tfjs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { artifactsFromDisk } from './load_from_disk.mjs';

await tf.setBackend('cpu');
const model = await tfl.loadLayersModel(await artifactsFromDisk(process.argv[2]));
const x = tf.tensor2d([JSON.parse(process.argv[3])]);
const predicted = model.predict(x);
// Two training-mode calls of the seeded layer draw two different masks.
const t1 = model.apply(tf.ones([4, 3]), { training: true });
const t2 = model.apply(tf.ones([4, 3]), { training: true });
console.log(
  JSON.stringify({
    layers: model.layers.map((l) => l.getClassName()),
    prediction: Array.from(predicted.dataSync()),
    trainingCallsDiffer: Array.from(t1.dataSync()).some((v, i) => v !== t2.dataSync()[i]),
  }),
);
