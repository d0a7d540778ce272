// The baseline: an app with tfjs and a model of its own.
import * as tf from '@tensorflow/tfjs';

const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [4] }), tf.layers.dropout({ rate: 0.5 })] });
model.predict(tf.ones([1, 4])).print();
