#!/usr/bin/env node
/**
 * Builds tfjs models in TypeScript's world (the built package in dist/), gives them
 * deterministic weights, exports each with `exportKeras`, and writes next to each `.keras`:
 *   <name>.input<k>.npy    the fixed input(s)
 *   <name>.output<k>.npy   what tfjs predicts for them (inference: dropout off)
 *   <name>.layers.json     each layer's class and its weights as tfjs holds them
 * plus cases.json listing the cases. python/tests/test_ts_export_loads.py loads every file in
 * Python Keras 3 and checks it predicts the same and holds the same weights. Compiled cases are
 * trained a few steps first with keras2tfjs' Keras-exact optimizers, so their optimizer state
 * (iterations, slots) is real and must come back in Python too.
 *
 * With `--keras-models <dir>` it also takes the models real Keras saved there (listed in
 * <dir>/models.json by python/tests/keras_compat_models.py): each is converted with
 * `loadKerasModel`, fine-tuned a few steps when listed so (compiled from the file, as a user
 * would), exported again, and written out like the others under its own name.
 *
 * Usage: node scripts/export_from_ts.mjs <outDir> [--keras-models <dir>]   (run `npm run build` first)
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const distIndex = join(root, 'dist', 'index.js');
if (!existsSync(distIndex)) {
  console.error(`export_from_ts: ${distIndex} is missing; run \`npm run build\` first`);
  process.exit(2);
}
const [outDir, ...options] = process.argv.slice(2);
const kerasModelsAt = options.indexOf('--keras-models');
const kerasModelsDir = kerasModelsAt >= 0 ? options[kerasModelsAt + 1] : null;
if (!outDir || (kerasModelsAt >= 0 && !kerasModelsDir)) {
  console.error('usage: node scripts/export_from_ts.mjs <outDir> [--keras-models <dir>]');
  process.exit(2);
}

const tf = await import('@tensorflow/tfjs-core');
const tfl = await import('@tensorflow/tfjs-layers');
const { exportKeras, loadKerasModel, manualDropout, readNpy, useBackend, writeNpy, KerasRMSprop, KerasAdam } = await import(
  pathToFileURL(distIndex).href
);
// The pure-JavaScript backend: every machine has it, and its float32 math is plain IEEE.
await useBackend('cpu');

// ------------------------------------------------------------------ deterministic numbers

/** A smooth, seedable pattern in [-1, 1]: no RNG, so every run writes the same files. */
function pattern(count, seed) {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = Math.sin(seed * 1.618 + i * 0.7311) * Math.cos(i * 0.1173 + seed);
  return out;
}

/** Replaces every weight of `model` with a pattern scaled like a Glorot draw (variances kept positive). */
function setDeterministicWeights(model, seed) {
  const values = model.weights.map((w, k) => {
    const size = w.shape.reduce((a, b) => a * b, 1);
    const fanIn = w.shape.length > 1 ? w.shape.slice(0, -1).reduce((a, b) => a * b, 1) : w.shape[0];
    const p = pattern(size, seed * 31 + k);
    const isVariance = /moving_variance$/.test(w.originalName ?? w.name);
    const scaled = p.map((v) => (isVariance ? 0.5 + Math.abs(v) : (v * 1.5) / Math.sqrt(fanIn)));
    return tf.tensor(scaled, w.shape, w.dtype);
  });
  model.setWeights(values);
  tf.dispose(values);
}

function npy(typed, shape) {
  return writeNpy({ shape, dtype: typed instanceof Int32Array ? 'int32' : 'float32', data: typed });
}

// ------------------------------------------------------------------ the models

const L = tfl.layers;

function seedModel() {
  // The book's IMDB model with its hand-written dropout as ManualDropout, compiled like the book.
  const m = tfl.sequential({
    name: 'seed_model',
    layers: [
      L.dense({ units: 16, inputShape: [10000], activation: 'relu', kernelRegularizer: tfl.regularizers.l2({ l2: 0.001 }), name: 'dense_1' }),
      L.dense({ units: 16, activation: 'relu', kernelRegularizer: tfl.regularizers.l2({ l2: 0.001 }), name: 'dense_2' }),
      manualDropout({ rate: 0.5, seed: 1337, name: 'manual_dropout' }),
      L.dense({ units: 1, activation: 'sigmoid', name: 'dense_3' }),
    ],
  });
  m.compile({ optimizer: new KerasRMSprop({ learningRate: 0.001 }), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  // Multi-hot reviews, as vectorize_sequences makes them.
  const x = new Float32Array(4 * 10000);
  for (let r = 0; r < 4; r++) for (let j = 0; j < 10000; j += 7 + r * 3) x[r * 10000 + j] = 1;
  return { model: m, inputs: [[x, [4, 10000]]], train: { y: [[1, 0, 1, 0], [4, 1]], epochs: 3 } };
}

function functionalModel() {
  const a = tfl.input({ shape: [6], name: 'left' });
  const b = tfl.input({ shape: [4], name: 'right' });
  const left = L.dense({ units: 5, activation: 'tanh', name: 'left_dense' }).apply(a);
  const right1 = L.dense({ units: 7, activation: 'relu', kernelInitializer: 'leCunNormal', name: 'right_dense_1' }).apply(b);
  const right2 = L.dense({ units: 3, activation: 'swish', name: 'right_dense_2' }).apply(right1);
  const merged = L.concatenate({ name: 'concat' }).apply([left, right2]);
  const normed = L.batchNormalization({ name: 'bn' }).apply(merged);
  const out = L.dense({ units: 2, activation: 'softmax', name: 'head' }).apply(normed);
  const m = tfl.model({ inputs: [a, b], outputs: out, name: 'two_branches' });
  m.compile({ optimizer: new KerasAdam({ learningRate: 0.01 }), loss: 'categoricalCrossentropy' });
  return {
    model: m,
    inputs: [[pattern(3 * 6, 11), [3, 6]], [pattern(3 * 4, 12), [3, 4]]],
    train: { y: [[1, 0, 0, 1, 1, 0], [3, 2]], epochs: 2 },
  };
}

function convModel() {
  const m = tfl.sequential({
    name: 'small_cnn',
    layers: [
      L.conv2d({ inputShape: [12, 12, 2], filters: 4, kernelSize: 3, activation: 'relu', name: 'conv' }),
      L.maxPooling2d({ poolSize: 2, name: 'pool' }),
      L.conv2d({ filters: 3, kernelSize: [2, 3], strides: 1, padding: 'same', activation: 'elu', name: 'conv_same' }),
      L.flatten({ name: 'flat' }),
      L.dense({ units: 3, activation: 'softmax', name: 'classes' }),
    ],
  });
  return { model: m, inputs: [[pattern(2 * 12 * 12 * 2, 21), [2, 12, 12, 2]]] };
}

function lstmModel() {
  const tokens = tfl.input({ shape: [7], dtype: 'int32', name: 'tokens' });
  const emb = L.embedding({ inputDim: 30, outputDim: 6, name: 'embedding' }).apply(tokens);
  // tfjs' LSTM defaults to hardSigmoid gates, which Keras 3 computes differently: use sigmoid.
  // Its default orthogonal initializer needs tfjs' chained ops; the weights are set below anyway.
  const seq = L.lstm({ units: 5, returnSequences: true, recurrentActivation: 'sigmoid', recurrentInitializer: 'glorotUniform', name: 'lstm' }).apply(emb);
  const last = L.lstm({ units: 4, recurrentActivation: 'sigmoid', recurrentInitializer: 'glorotUniform', name: 'lstm_last' }).apply(seq);
  const out = L.dense({ units: 1, activation: 'sigmoid', name: 'score' }).apply(last);
  const m = tfl.model({ inputs: tokens, outputs: out, name: 'lstm_text' });
  const ids = Int32Array.from({ length: 3 * 7 }, (_, i) => (i * 13 + 5) % 30);
  return { model: m, inputs: [[ids, [3, 7]]] };
}

/** Every element-wise and reshaping layer we export, in one Sequential. */
function zooSequential() {
  const m = tfl.sequential({
    name: 'zoo_sequential',
    layers: [
      L.dense({ units: 12, inputShape: [6], activation: 'selu', kernelRegularizer: tfl.regularizers.l1({ l1: 0.01 }), name: 'selu_dense' }),
      L.dense({ units: 12, activation: 'softplus', kernelRegularizer: tfl.regularizers.l1l2({ l1: 0.01, l2: 0.02 }), kernelConstraint: tfl.constraints.maxNorm({ maxValue: 3 }), name: 'softplus_dense' }),
      L.dense({ units: 12, activation: 'softsign', useBias: false, name: 'nobias_dense' }),
      L.activation({ activation: 'relu6', name: 'relu6' }),
      L.dense({ units: 12, activation: 'mish', name: 'mish_dense' }),
      L.dense({ units: 12, activation: 'gelu', name: 'gelu_dense' }),
      L.leakyReLU({ alpha: 0.2, name: 'leaky' }),
      L.dense({ units: 12, name: 'linear_dense' }),
      L.prelu({ name: 'prelu' }),
      L.reLU({ maxValue: 2.5, name: 'relu_capped' }),
      L.elu({ name: 'elu' }),
      L.layerNormalization({ name: 'layer_norm' }),
      L.dropout({ rate: 0.3, name: 'dropout' }),
      L.gaussianNoise({ stddev: 0.2, name: 'gauss_noise' }),
      L.gaussianDropout({ rate: 0.2, name: 'gauss_dropout' }),
      L.alphaDropout({ rate: 0.2, name: 'alpha_dropout' }),
      L.rescaling({ scale: 0.5, offset: 0.1, name: 'rescale' }),
      L.repeatVector({ n: 3, name: 'repeat' }),
      L.permute({ dims: [2, 1], name: 'permute' }),
      L.reshape({ targetShape: [6, 6], name: 'reshape' }),
      L.softmax({ axis: -1, name: 'softmax' }),
      L.flatten({ name: 'flatten' }),
      L.dense({ units: 4, activation: 'tanh', name: 'out' }),
    ],
  });
  return { model: m, inputs: [[pattern(5 * 6, 41), [5, 6]]] };
}

/** Convolutions, pooling, padding and upsampling in 1-D and 2-D. */
function zooConv() {
  const img = tfl.input({ shape: [10, 10, 3], name: 'image' });
  let x = L.zeroPadding2d({ padding: [[1, 0], [2, 1]], name: 'pad' }).apply(img);
  x = L.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, activation: 'relu', name: 'depthwise' }).apply(x);
  x = L.separableConv2d({ filters: 5, kernelSize: 3, depthMultiplier: 2, padding: 'same', name: 'separable' }).apply(x);
  x = L.averagePooling2d({ poolSize: 2, strides: 1, name: 'avg_pool' }).apply(x);
  x = L.conv2dTranspose({ filters: 3, kernelSize: 3, strides: 2, padding: 'same', name: 'transpose' }).apply(x);
  x = L.cropping2D({ cropping: [[1, 2], [0, 1]], name: 'crop' }).apply(x);
  x = L.upSampling2d({ size: [2, 1], name: 'upsample' }).apply(x);
  x = L.conv2d({ filters: 4, kernelSize: 3, strides: 2, dilationRate: 1, padding: 'valid', name: 'strided' }).apply(x);
  const pooled2d = L.globalAveragePooling2d({ name: 'gap2d' }).apply(x);
  const maxed2d = L.globalMaxPooling2d({ name: 'gmp2d' }).apply(x);

  const sig = tfl.input({ shape: [16, 2], name: 'signal' });
  let s = L.conv1d({ filters: 4, kernelSize: 3, padding: 'same', dilationRate: 2, activation: 'relu', name: 'conv1d' }).apply(sig);
  s = L.spatialDropout1d({ rate: 0.25, name: 'spatial_dropout' }).apply(s);
  s = L.maxPooling1d({ poolSize: 2, name: 'max_pool1d' }).apply(s);
  s = L.averagePooling1d({ poolSize: 2, padding: 'same', name: 'avg_pool1d' }).apply(s);
  const pooled1d = L.globalAveragePooling1d({ name: 'gap1d' }).apply(s);
  const maxed1d = L.globalMaxPooling1d({ name: 'gmp1d' }).apply(s);

  const all = L.concatenate({ name: 'features' }).apply([pooled2d, maxed2d, pooled1d, maxed1d]);
  const out = L.dense({ units: 2, name: 'out' }).apply(all);
  const m = tfl.model({ inputs: [img, sig], outputs: out, name: 'zoo_conv' });
  return { model: m, inputs: [[pattern(2 * 10 * 10 * 3, 51), [2, 10, 10, 3]], [pattern(2 * 16 * 2, 52), [2, 16, 2]]] };
}

/** GRU and SimpleRNN (with masking), merge layers, and nested Sequential/Functional models with two outputs. */
function zooGraph() {
  const seqIn = tfl.input({ shape: [5, 3], name: 'sequence' });
  const masked = L.masking({ maskValue: 0, name: 'mask' }).apply(seqIn);
  const gru = L.gru({ units: 4, returnSequences: true, recurrentActivation: 'sigmoid', recurrentInitializer: 'glorotUniform', name: 'gru' }).apply(masked);
  const rnn = L.simpleRNN({ units: 4, recurrentInitializer: 'glorotUniform', name: 'simple_rnn' }).apply(gru);

  const vecIn = tfl.input({ shape: [4], name: 'vector' });
  const inner = tfl.sequential({
    name: 'inner_sequential',
    layers: [L.dense({ units: 4, inputShape: [4], activation: 'relu', name: 'inner_dense_a' }), L.dense({ units: 4, name: 'inner_dense_b' })],
  });
  const innerIn = tfl.input({ shape: [4], name: 'inner_in' });
  const innerFn = tfl.model({ inputs: innerIn, outputs: L.dense({ units: 4, activation: 'tanh', name: 'inner_fn_dense' }).apply(innerIn), name: 'inner_functional' });
  const v1 = inner.apply(vecIn);
  const v2 = innerFn.apply(v1);

  // One Dense called twice: Keras numbers its calls 0 and 1 like tfjs.
  const shared = L.dense({ units: 4, activation: 'tanh', name: 'shared_dense' });
  const s1 = shared.apply(v1);
  const s2 = shared.apply(s1);
  const added = L.add({ name: 'add' }).apply([rnn, s2]);
  const multiplied = L.multiply({ name: 'multiply' }).apply([rnn, v2]);
  const averaged = L.average({ name: 'average' }).apply([added, multiplied]);
  const maxed = L.maximum({ name: 'maximum' }).apply([added, v2]);
  const mined = L.minimum({ name: 'minimum' }).apply([multiplied, v1]);
  const dotted = L.dot({ axes: 1, normalize: true, name: 'cosine' }).apply([maxed, mined]);
  const head = L.dense({ units: 3, name: 'head' }).apply(L.concatenate({ name: 'joined' }).apply([averaged, dotted]));
  const m = tfl.model({ inputs: [seqIn, vecIn], outputs: [head, v2], name: 'zoo_graph' });
  // The second sequence ends in two all-zero steps: Masking must skip them in both libraries.
  const seq = pattern(2 * 5 * 3, 61);
  seq.fill(0, 5 * 3 + 3 * 3);
  return { model: m, inputs: [[seq, [2, 5, 3]], [pattern(2 * 4, 62), [2, 4]]] };
}

/** Bidirectional RNNs (every merge mode Keras has) and TimeDistributed. */
function zooWrappers() {
  const rnn = (kind, units, extra = {}) =>
    L[kind]({ units, recurrentInitializer: 'glorotUniform', ...(kind === 'simpleRNN' ? {} : { recurrentActivation: 'sigmoid' }), ...extra });
  const m = tfl.sequential({
    name: 'zoo_wrappers',
    layers: [
      L.bidirectional({ layer: rnn('lstm', 3, { returnSequences: true }), inputShape: [6, 4], name: 'bi_lstm' }),
      L.timeDistributed({ layer: L.dense({ units: 5, activation: 'relu' }), name: 'per_step' }),
      L.bidirectional({ layer: rnn('gru', 2, { returnSequences: true }), mergeMode: 'ave', name: 'bi_gru' }),
      L.bidirectional({ layer: rnn('simpleRNN', 3, { returnSequences: true, goBackwards: true }), mergeMode: 'mul', name: 'bi_simple' }),
      L.bidirectional({ layer: rnn('lstm', 2), mergeMode: 'sum', name: 'bi_last' }),
      L.dense({ units: 1, name: 'out' }),
    ],
  });
  return { model: m, inputs: [[pattern(3 * 6 * 4, 71), [3, 6, 4]]] };
}

/**
 * Python → TypeScript → Python: a model trained in Python Keras (fixtures/, with its hand-written
 * dropout Lambda or the ManualDropout twin), converted by keras2tfjs, exported again. Python must
 * predict what the original Keras model predicted (the fixture's y_infer.npy).
 */
function fromPythonFixture(fixture, options) {
  return async () => {
    const model = await loadKerasModel(join(root, 'fixtures', fixture, 'model.keras'), options);
    const x = readNpy(await readFile(join(root, 'fixtures', fixture, 'x.npy')));
    // The reviews are stored as uint8 0/1; the model takes their float32 values.
    return { model, inputs: [[Float32Array.from(x.data), x.shape]], keepWeights: true, pythonReference: `fixtures/${fixture}/y_infer.npy` };
  };
}

/**
 * Python → TypeScript (→ fine-tuning) → Python for a model real Keras saved with layers the
 * converter maps to keras2tfjs' compat layers (causal Conv1D, reset_after GRU, bilinear
 * UpSampling2D, Normalization). Fine-tuned models are compiled from the file's own settings.
 */
function fromKerasModel(dir, listed) {
  return async () => {
    const model = await loadKerasModel(join(dir, listed.file), { compile: listed.fine_tune });
    const inputs = [];
    for (let k = 0; k < listed.inputs; k++) {
      const x = readNpy(await readFile(join(dir, `${listed.name}.x${k}.npy`)));
      inputs.push([Float32Array.from(x.data), x.shape]);
    }
    let train;
    if (listed.fine_tune) {
      const y = readNpy(await readFile(join(dir, `${listed.name}.target.npy`)));
      train = { y: [Float32Array.from(y.data), y.shape], epochs: 3 };
    }
    return { model, inputs, train, keepWeights: true, pythonReference: null };
  };
}

async function kerasModelCases(dir) {
  if (!dir) return {};
  const listed = JSON.parse(await readFile(join(dir, 'models.json'), 'utf8'));
  return Object.fromEntries(listed.map((entry) => [entry.name, fromKerasModel(resolve(dir), entry)]));
}

const CASES = {
  python_seed_lambda: fromPythonFixture('seed_lambda', { lambdas: { dropout: { className: 'ManualDropout', config: { rate: 0.5 } } } }),
  python_manual_dropout: fromPythonFixture('manual_dropout_tf', {}),
  seed_model: seedModel,
  two_branches: functionalModel,
  small_cnn: convModel,
  lstm_text: lstmModel,
  zoo_sequential: zooSequential,
  zoo_conv: zooConv,
  zoo_graph: zooGraph,
  zoo_wrappers: zooWrappers,
  ...(await kerasModelCases(kerasModelsDir)),
};

// ------------------------------------------------------------------ export + predictions

await mkdir(outDir, { recursive: true });
const manifest = [];
let seed = 1;
for (const [name, build] of Object.entries(CASES)) {
  const { model, inputs, train, keepWeights, pythonReference = null } = await build();
  if (!keepWeights) setDeterministicWeights(model, seed);
  seed++;
  let iterations = null;
  if (train) {
    // A few full-batch steps, unshuffled, so the optimizer holds real (deterministic) state.
    const xs = inputs.map(([data, shape]) => tf.tensor(data, shape));
    const y = tf.tensor(train.y[0], train.y[1]);
    await model.fit(xs.length === 1 ? xs[0] : xs, y, { epochs: train.epochs, batchSize: train.y[1][0], shuffle: false, verbose: 0 });
    tf.dispose([...xs, y]);
    iterations = model.optimizer.iterations;
  }
  const path = join(outDir, `${name}.keras`);
  await exportKeras(model, path, { onWarning: (m) => console.warn(m) });

  const xs = inputs.map(([data, shape]) => tf.tensor(data, shape, data instanceof Int32Array ? 'int32' : 'float32'));
  const ys = [model.predict(xs.length === 1 ? xs[0] : xs)].flat();
  for (const [k, [data, shape]] of inputs.entries()) await writeFile(join(outDir, `${name}.input${k}.npy`), npy(data, shape));
  // By the tensor's dtype, not its array's class: tfjs' cpu cast int32 → float32 keeps an Int32Array.
  for (const [k, y] of ys.entries()) {
    const values = y.dtype === 'int32' ? Int32Array.from(y.dataSync()) : Float32Array.from(y.dataSync());
    await writeFile(join(outDir, `${name}.output${k}.npy`), npy(values, y.shape));
  }
  tf.dispose([...xs, ...ys]);

  // Keras keeps operation nodes (keras2tfjs' KerasOperation) out of model.layers.
  const layers = flatLayers(model).filter((l) => l.getClassName() !== 'KerasOperation').map((l) => ({
    name: l.name,
    // InferenceIdentity stands for the Keras class it keeps (RandomFlip, Identity, ...).
    class_name: l.getClassName() === 'InferenceIdentity' ? l.kerasClass : l.getClassName(),
    weights: l.weights.map((w) => ({ name: w.originalName ?? w.name, shape: w.shape, values: Array.from(w.read().dataSync()) })),
  }));
  await writeFile(join(outDir, `${name}.layers.json`), JSON.stringify(layers));
  manifest.push({ name, file: `${name}.keras`, inputs: inputs.length, outputs: ys.length, iterations, python_reference: pythonReference });
  model.dispose();
  console.log(`exported ${path}`);
}
await writeFile(join(outDir, 'cases.json'), JSON.stringify(manifest, null, 1));

/**
 * Layers of the model and of nested models, depth first (nested models are not listed
 * themselves), as Keras lists them: a Sequential's InputLayer is hidden.
 */
function flatLayers(model) {
  const layers = model.getClassName() === 'Sequential' ? model.layers.filter((l) => l.getClassName() !== 'InputLayer') : model.layers;
  return layers.flatMap((l) => (l.layers ? flatLayers(l) : [l]));
}
