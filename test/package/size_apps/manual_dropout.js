// The same app using keras2tfjs for ManualDropout only.
import * as tf from '@tensorflow/tfjs';
import { manualDropout } from 'keras2tfjs';

const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [4] }), manualDropout({ rate: 0.5, seed: 1337 })] });
model.predict(tf.ones([1, 4])).print();
