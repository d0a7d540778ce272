// Runs fuzz cases for test/convert/fuzz.test.ts in a worker thread, so that a case that
// hangs (a synchronous loop in a parser or in h5wasm) can be stopped by terminating the
// worker. It imports keras2tfjs compiled by the test (workerData.buildDir), since a worker
// cannot load TypeScript. One message in = one case; one message out = its outcome.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';

const load = (rel) => import(pathToFileURL(join(workerData.buildDir, rel)).href);
const { convertToDirectory } = await load('convert/convert.js');
const { ErrorCode, Keras2TfjsError } = await load('errors.js');
const { fileSystem } = await load('io/file_system.js');
const tf = await import('@tensorflow/tfjs-core');
const tfl = await import('@tensorflow/tfjs-layers');
await import('@tensorflow/tfjs-backend-cpu');
await tf.setBackend('cpu');

const KNOWN_CODES = new Set(Object.values(ErrorCode));

/** A successful conversion must be one tfjs loads, with the parameters the report claims. */
async function checkOutput(report, outDir) {
  const files = (await readdir(outDir)).sort();
  const claimed = [...report.files].sort();
  if (JSON.stringify(files) !== JSON.stringify(claimed)) {
    return `output holds [${files}] but the report lists [${claimed}]`;
  }
  JSON.parse(await readFile(join(outDir, 'model.json'), 'utf8'));
  const model = await tfl.loadLayersModel(fileSystem(outDir));
  try {
    const params = model.countParams();
    if (params !== report.parameterCount) return `tfjs counts ${params} parameters, the report ${report.parameterCount}`;
  } finally {
    model.dispose();
  }
  return null;
}

parentPort.on('message', async ({ id, input, outDir, options }) => {
  try {
    const report = await convertToDirectory(input, outDir, options);
    // Converted: tell the test, so that a hang from here on is known to be tfjs' loading.
    parentPort.postMessage({ id, stage: 'load' });
    let problem;
    try {
      problem = await checkOutput(report, outDir);
    } catch (e) {
      problem = `the converted model does not load in tfjs: ${e?.message ?? e}`;
    }
    parentPort.postMessage(problem ? { id, outcome: 'bad-output', message: problem } : { id, outcome: 'converted' });
  } catch (e) {
    const typed = e instanceof Keras2TfjsError && KNOWN_CODES.has(e.code) && !String(e.message).includes('\n');
    parentPort.postMessage({
      id,
      outcome: typed ? 'error' : 'crash',
      code: e?.code ?? null,
      name: e?.name ?? typeof e,
      message: String(e?.message ?? e),
      stack: typed ? undefined : String(e?.stack ?? ''),
    });
  }
});
parentPort.postMessage({ ready: true });
