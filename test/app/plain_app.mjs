// The same app without `import 'keras2tfjs'`: tfjs does not know the ManualDropout class.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { artifactsFromDisk } from './load_from_disk.mjs';

await tf.setBackend('cpu');
await tfl.loadLayersModel(await artifactsFromDisk(process.argv[2]));
console.log('loaded');
