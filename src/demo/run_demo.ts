/**
 * The main job, as a newcomer runs it (`npm start` = `keras2tfjs demo`):
 *  1. convert the Python-trained seed model, its Lambda(dropout) → ManualDropout, and prove parity
 *     with Python in both learning phases;
 *  2. fine-tune it in TypeScript, with dropout and without;
 *  3. chart training vs validation loss for both (why dropout exists);
 *  4. predict with dropout removed at test time, and Monte Carlo dropout mean ± std;
 *  5. export the fine-tuned model back to a .keras file Python loads.
 */
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { loadLayersModel, type LayersModel } from '@tensorflow/tfjs-layers';
import { chooseBackend, type BackendName } from '../backend.js';
import { convert, type ConversionReport } from '../convert/convert.js';
import { exportKeras } from '../convert/write/keras/export_keras.js';
import { limitVocabulary, loadSyntheticImdb, vectorizeSequences, type ImdbData } from '../data/imdb.js';
import { loadImdbNpz } from '../data/imdb_npz.js';
import { lineChartSvg } from '../report/line_chart.js';
import { compileFromKerasConfig } from '../train/compile_config.js';
import type { CliIo } from '../cli/output.js';
import { ErrorCode, firstLine, Keras2TfjsError } from '../errors.js';
import { MANUAL_DROPOUT_MODEL, SEED_MODEL } from './bundled.js';
import { fineTune, type EpochLog, type TrainingData } from './fine_tune.js';
import { inferenceParity, lambdaTrainingParity, PARITY_TOLERANCE, streamParity } from './parity.js';
import { predictReviews } from './predictions.js';
import { writePng } from './png.js';

export interface DemoOptions {
  /** Real Keras IMDB file (~/.keras/datasets/imdb.npz); default: the bundled synthetic set. */
  imdb?: string;
  epochs: number;
  batchSize: number;
  /** Training reviews used (the rest of the split is not loaded into tensors). */
  trainSamples: number;
  valSamples: number;
  /** Monte Carlo passes. */
  samples: number;
  outDir: string;
  backend?: BackendName;
  /** Seeds the dropout masks (ManualDropout's stream), the epoch shuffles and MC dropout: same seed, same numbers. */
  seed: number;
  json: boolean;
}

export interface DemoSummary {
  backend: string;
  conversion: { file: string; layers: ConversionReport['layers']; mappings: ConversionReport['mappings'] };
  parity: Record<string, unknown>;
  data: { source: string; train: number; val: number };
  training: { withDropout: EpochLog[]; withoutDropout: EpochLog[]; compileDropped: string[] };
  predictions: ReturnType<typeof predictReviews>;
  outputs: { chartSvg: string; chartPng: string | null; exportedKeras: string };
}

/** The seed's dropout Lambda, mapped to ManualDropout with the rate the book used. */
const DROPOUT_LAMBDA = { dropout: { className: 'ManualDropout', config: { rate: 0.5 } } };
/** The same, seeded for fine-tuning: the masks are a stream of the seed, so runs repeat exactly. */
const seededDropout = (seed: number) => ({ dropout: { className: 'ManualDropout', config: { rate: 0.5, seed } } });
/** The same model without dropout: ManualDropout with rate 0 is the identity. */
const NO_DROPOUT_LAMBDA = { dropout: { className: 'ManualDropout', config: { rate: 0 } } };
const INPUT_DIM = 10000;

export async function runDemoWith(options: DemoOptions, io: CliIo): Promise<DemoSummary> {
  const say = (line = '') => {
    if (!options.json) io.stdout.write(`${line}\n`);
  };
  // Everything the user gave is checked before any work: a wrong --imdb fails now, not after step 1.
  const { data, source } = await loadData(options);
  prepareOutDir(options.outDir);
  const backend = await chooseBackend({ backend: options.backend, quiet: true });
  say(`keras2tfjs demo: the book's IMDB model, from Python Keras to TypeScript and back (${backend.reason})`);

  // 1. Convert, and show how the dropout Lambda was mapped.
  say('\n1. Convert the Python-trained model (fixtures/seed_lambda/model.keras)');
  const converted = await convert(SEED_MODEL, { lambdas: DROPOUT_LAMBDA });
  for (const layer of converted.report.layers) {
    const arrow = layer.sourceClass === layer.targetClass ? layer.targetClass : `${layer.sourceClass} → ${layer.targetClass}`;
    say(`   ${layer.name.padEnd(12)} ${arrow}`);
  }
  for (const m of converted.report.mappings) {
    say(`   '${m.layer}' is a Lambda running Python function '${m.functionName}': mapped to ${m.targetClass}(rate ${String(m.targetConfig.rate)}), Python not run`);
  }
  const parityModel = await loadLayersModel(tf.io.fromMemory(converted.artifacts));
  const inference = inferenceParity(parityModel, 'seed_lambda');
  const training = lambdaTrainingParity(parityModel, 'seed_lambda');
  say(`   inference (dropout off):  max |TS − Python| = ${inference.maxAbsDiff.toExponential(2)} over ${inference.rows} reviews ${verdict(inference.maxAbsDiff)}`);
  say(`   training  (Python's mask): max |TS − Python| = ${training.maxAbsDiff.toExponential(2)} ${verdict(training.maxAbsDiff)}`);
  const exact = await convert(MANUAL_DROPOUT_MODEL, {});
  const exactModel = await loadLayersModel(tf.io.fromMemory(exact.artifacts));
  const stream = streamParity(exactModel, 'manual_dropout_tf');
  say(
    `   Python ManualDropout(seed=1337) continued in TS: ${stream.calls} training calls, ` +
      `${stream.maskMismatches} mask differences, max |Δ| = ${stream.maxAbsDiff.toExponential(2)} ${verdict(stream.maxAbsDiff)}`,
  );
  exactModel.dispose();

  // 2. Fine-tune, with and without dropout. The Python parity above used the unseeded mapping
  // (Python's own mask was replayed); fine-tuning uses a seeded one, so that runs repeat.
  parityModel.dispose();
  const model = await loadLayersModel(tf.io.fromMemory((await convert(SEED_MODEL, { lambdas: seededDropout(options.seed) })).artifacts));
  const tensors = toTensors(data, options);
  say(`\n2. Fine-tune in TypeScript on ${source}: ${tensors.xTrain.shape[0]} train / ${tensors.xVal.shape[0]} validation reviews, ${options.epochs} epoch${options.epochs === 1 ? '' : 's'}`);
  const compileDropped = compileFromKerasConfig(model, converted.report.trainingConfig).dropped;
  if (compileDropped.length) say(`   (not reproduced from Keras' compile config: ${compileDropped.join('; ')})`);
  const fit = { epochs: options.epochs, batchSize: options.batchSize, seed: options.seed, io: quiet(io, options.json) };
  const withDropout = await fineTune(model, tensors, { label: 'with dropout', ...fit });
  const plain = await convert(SEED_MODEL, { lambdas: NO_DROPOUT_LAMBDA });
  const plainModel = await loadLayersModel(tf.io.fromMemory(plain.artifacts));
  compileFromKerasConfig(plainModel, plain.report.trainingConfig);
  const withoutDropout = await fineTune(plainModel, tensors, { label: 'without dropout', ...fit });
  plainModel.dispose();

  // 3. The chart.
  const chartSvg = join(options.outDir, 'loss.svg');
  const svg = lineChartSvg(
    [
      { label: 'train, dropout', values: withDropout.map((e) => e.loss), color: '#1f77b4' },
      { label: 'val, dropout', values: withDropout.map((e) => e.valLoss), color: '#1f77b4', dashed: true },
      { label: 'train, no dropout', values: withoutDropout.map((e) => e.loss), color: '#d62728' },
      { label: 'val, no dropout', values: withoutDropout.map((e) => e.valLoss), color: '#d62728', dashed: true },
    ],
    { title: 'Fine-tuning in TypeScript: loss with and without dropout', xLabel: 'epoch', yLabel: 'loss (binary crossentropy + L2)' },
  );
  writeFileSync(chartSvg, svg);
  const chartPng = await writePng(svg, join(options.outDir, 'loss.png'));
  say(`\n3. Loss curves: ${chartSvg}${chartPng ? ` and ${chartPng}` : ''}`);
  const gap = (h: EpochLog[]) => last(h).valLoss - last(h).loss;
  say(
    `   last epoch: val_loss ${last(withDropout).valLoss.toFixed(4)} with dropout, ${last(withoutDropout).valLoss.toFixed(4)} without; ` +
      `overfitting gap (val_loss − loss) ${gap(withDropout).toFixed(4)} with dropout, ${gap(withoutDropout).toFixed(4)} without`,
  );

  // 4. Dropout removed at test time, and Monte Carlo dropout.
  say(`\n4. Predictions for 5 validation reviews (dropout removed at test time) and MC dropout over ${options.samples} passes`);
  const head = tf.slice(tensors.xVal, [0, 0], [5, -1]) as tf.Tensor2D;
  const predictions = predictReviews(model, head, data.val.labels, options.samples);
  head.dispose();
  say('   review  label  predict()  again      MC mean ± std');
  for (const p of predictions) {
    say(
      `   ${String(p.review).padStart(6)}  ${String(p.label).padStart(5)}  ${p.prediction.toFixed(4).padStart(9)}  ` +
        `${p.again.toFixed(4).padStart(6)}     ${p.mcMean.toFixed(4)} ± ${p.mcStd.toFixed(4)}`,
    );
  }

  // 5. Back to Python.
  const exportedKeras = resolve(options.outDir, 'imdb_finetuned.keras');
  await exportKeras(model, exportedKeras);
  say(`\n5. Exported the fine-tuned model to ${exportedKeras}`);
  say(`   In Python: import keras, keras2tfjs; keras.saving.load_model(${JSON.stringify(exportedKeras)})`);

  model.dispose();
  Object.values(tensors).forEach((t) => t.dispose());
  return {
    backend: backend.name,
    conversion: { file: SEED_MODEL, layers: converted.report.layers, mappings: converted.report.mappings },
    parity: { tolerance: PARITY_TOLERANCE, inference, training, stream },
    data: { source, train: tensors.xTrain.shape[0], val: tensors.xVal.shape[0] },
    training: { withDropout, withoutDropout, compileDropped },
    predictions,
    outputs: { chartSvg, chartPng, exportedKeras },
  };
}

function verdict(diff: number): string {
  return diff <= PARITY_TOLERANCE ? `(within ${PARITY_TOLERANCE}: same model)` : `(ABOVE ${PARITY_TOLERANCE}: parity broken)`;
}

function last(history: EpochLog[]): EpochLog {
  return history[history.length - 1];
}

/** With --json, stdout carries only the final JSON object. */
function quiet(io: CliIo, json: boolean): CliIo {
  return json ? { stdout: { write: () => true }, stderr: io.stderr } : io;
}

/** The output folder, made now: a path that is a file fails before any work, naming it. */
function prepareOutDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'EEXIST' || (e as NodeJS.ErrnoException).code === 'ENOTDIR' ? 'a file is in the way' : firstLine(e);
    throw new Keras2TfjsError(ErrorCode.WRITE_FAILED, `${dir}: cannot make the output folder (${why}); pass another with --out`, { file: dir });
  }
}

/** --imdb must name the .npz file itself: said before any work, with where Keras keeps it. */
function checkImdbFile(path: string): void {
  let stats;
  try {
    stats = statSync(path);
  } catch {
    throw new Keras2TfjsError(ErrorCode.FILE_NOT_FOUND, `${path}: no such file; pass Keras' IMDB file (keras.datasets.imdb.load_data() saves it as ~/.keras/datasets/imdb.npz)`, { file: path });
  }
  if (!stats.isFile()) {
    const what = stats.isDirectory() ? 'a folder' : 'not a regular file';
    throw new Keras2TfjsError(ErrorCode.INVALID_ARGUMENT, `${path}: is ${what}; pass the imdb.npz file itself (Keras keeps it at ~/.keras/datasets/imdb.npz)`, { file: path });
  }
}

async function loadData(options: DemoOptions): Promise<{ data: ImdbData; source: string }> {
  if (options.imdb) {
    checkImdbFile(options.imdb);
    return { data: await loadImdbNpz(options.imdb, { numWords: INPUT_DIM }), source: `the real IMDB file ${options.imdb}` };
  }
  return { data: loadSyntheticImdb(), source: 'the bundled synthetic IMDB-like set (not real reviews)' };
}

function toTensors(data: ImdbData, options: DemoOptions): TrainingData {
  const train = limitVocabulary(data.train.sequences.slice(0, options.trainSamples), INPUT_DIM);
  const val = limitVocabulary(data.val.sequences.slice(0, options.valSamples), INPUT_DIM);
  return {
    xTrain: vectorizeSequences(train, INPUT_DIM),
    yTrain: tf.tensor2d(Float32Array.from(data.train.labels.subarray(0, train.length)), [train.length, 1]),
    xVal: vectorizeSequences(val, INPUT_DIM),
    yVal: tf.tensor2d(Float32Array.from(data.val.labels.subarray(0, val.length)), [val.length, 1]),
  };
}
