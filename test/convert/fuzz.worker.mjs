// Runs fuzz cases for test/convert/fuzz.test.ts in a worker thread, so that a case that
// hangs (a synchronous loop in a parser, in HDF5 or in tfjs) can be stopped by terminating the
// worker. It imports keras2tfjs compiled by the test (workerData.buildDir), since a worker
// cannot load TypeScript. One message in = one case; one message out = its outcome.
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parentPort, workerData } from 'node:worker_threads';

const load = (rel) => import(pathToFileURL(join(workerData.buildDir, rel)).href);
const { convert, convertToDirectory } = await load('convert/convert.js');
const { setHdf5DeadlineBase } = await load('formats/hdf5/open_hdf5.js');
const { ErrorCode, Keras2TfjsError } = await load('errors.js');
const { fileSystem } = await load('io/file_system.js');
const tf = await import('@tensorflow/tfjs-core');
const tfl = await import('@tensorflow/tfjs-layers');
await import('@tensorflow/tfjs-backend-cpu');
await tf.setBackend('cpu');
// HDF5 reads of these small files take milliseconds: a short deadline keeps hanging cases cheap.
setHdf5DeadlineBase(workerData.hdf5DeadlineBaseMs);

const KNOWN_CODES = new Set(Object.values(ErrorCode));
// The test asks for a full collection before a case when the process holds much memory, so that
// a case's peak is its own cost, not garbage earlier cases left (see fuzz.test.ts, GC_ABOVE_MB).
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc');

/** A successful conversion must be one tfjs loads, with the parameters the report claims. */
async function checkModel(handler, report) {
  const model = await tfl.loadLayersModel(handler);
  try {
    const params = model.countParams();
    if (params !== report.parameterCount) return `tfjs counts ${params} parameters, the report ${report.parameterCount}`;
  } finally {
    model.dispose();
  }
  return null;
}

async function checkDirectory(report, outDir) {
  const files = (await readdir(outDir)).sort();
  const claimed = [...report.files].sort();
  if (JSON.stringify(files) !== JSON.stringify(claimed)) {
    return `output holds [${files}] but the report lists [${claimed}]`;
  }
  JSON.parse(await readFile(join(outDir, 'model.json'), 'utf8'));
  return checkModel(fileSystem(outDir), report);
}

/** Converts the case: from its path into outDir, or (fromMemory) its bytes in memory. */
async function run({ input, outDir, options, fromMemory }) {
  if (!fromMemory) {
    const report = await convertToDirectory(input, outDir, options);
    return () => checkDirectory(report, outDir);
  }
  const bytes = new Uint8Array(await readFile(input));
  const { artifacts, report } = await convert(bytes, { ...options, fileName: basename(input) });
  return () => checkModel(tf.io.fromMemory(artifacts), report);
}

parentPort.on('message', async (job) => {
  if (job.collect) {
    collectGarbage();
    parentPort.postMessage({ collected: true });
    return;
  }
  const { id, input } = job;
  try {
    const check = await run(job);
    // Converted: tell the test, so that a hang from here on is known to be tfjs' loading.
    parentPort.postMessage({ id, stage: 'load' });
    let problem;
    try {
      problem = await check();
    } catch (e) {
      problem = `the converted model does not load in tfjs: ${e?.message ?? e}`;
    }
    const heapUsed = getHeapStatistics().used_heap_size;
    parentPort.postMessage(problem ? { id, outcome: 'bad-output', message: problem, heapUsed } : { id, outcome: 'converted', heapUsed });
  } catch (e) {
    const message = String(e?.message ?? e);
    // A clean error: a Keras2TfjsError with a known code, one line, starting with the input's
    // name (for a SavedModel directory, possibly the name of the damaged file in it).
    const named = message.startsWith(`${basename(input)}: `) || message.startsWith(`${basename(input)}/`);
    const typed = e instanceof Keras2TfjsError && KNOWN_CODES.has(e.code) && !message.includes('\n') && named;
    parentPort.postMessage({
      id,
      outcome: typed ? 'error' : 'crash',
      code: e?.code ?? null,
      name: e?.name ?? typeof e,
      message,
      stack: typed ? undefined : String(e?.stack ?? ''),
      heapUsed: getHeapStatistics().used_heap_size,
    });
  }
});
parentPort.postMessage({ ready: true });
