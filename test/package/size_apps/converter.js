// The same app converting a Keras file it fetched, and choosing its backend with keras2tfjs.
import * as tf from '@tensorflow/tfjs';
import { chooseBackend, convert, manualDropout } from 'keras2tfjs';

await chooseBackend();
const { artifacts } = await convert(new Uint8Array(await (await fetch('model.keras')).arrayBuffer()));
const converted = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [4] }), manualDropout({ rate: 0.5 })] });
console.log(converted.countParams(), model.countParams());
