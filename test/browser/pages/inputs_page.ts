/**
 * In Chromium: the seed model given to convert in every form a page holds it, what a page
 * cannot do failing with NOT_IN_BROWSER, and exportKeras without a path giving the .keras file
 * as a Blob. test/browser/inputs.test.ts serves the files, calls `runInputs` and asserts.
 */
import * as tf from '@tensorflow/tfjs';
import {
  chooseBackend,
  convert,
  convertToDirectory,
  exportKeras,
  fileSystem,
  inspect,
  Keras2TfjsError,
  loadKerasModel,
  loadSyntheticImdb,
  type ModelInput,
  verifyParity,
} from 'keras2tfjs';

const lambdas = { dropout: { className: 'ManualDropout', config: { rate: 0.5 } } };

export interface InputsResult {
  backendReason: string;
  /** form → [report.file, parameter count, weights identical to the Uint8Array form's]. */
  forms: Record<string, [string, number, boolean]>;
  inspectFile: string;
  loadedParams: number;
  /** what was asked → [error code, message] (or ['none', ''] if it did not throw). */
  refused: Record<string, [string, string]>;
  exported: { type: string; bytes: number[] };
}

async function refusal(run: () => unknown): Promise<[string, string]> {
  try {
    await run();
    return ['none', ''];
  } catch (e) {
    return e instanceof Keras2TfjsError ? [e.code, e.message] : ['untyped', String(e)];
  }
}

async function runInputs(modelUrl: string, dateSaved: string): Promise<InputsResult> {
  const backend = await chooseBackend({ quiet: true, wasmPaths: '/wasm/' });
  const bytes = new Uint8Array(await (await fetch(modelUrl)).arrayBuffer());
  const reference = await convert(bytes, { lambdas });
  const weights = new Uint8Array(reference.artifacts.weightData as ArrayBuffer);
  const forms: Array<[string, () => ModelInput | Promise<ModelInput>]> = [
    ['Uint8Array', () => bytes.slice()],
    ['ArrayBuffer', () => bytes.slice().buffer],
    ['Blob', () => new Blob([bytes])],
    ['File', () => new File([bytes], 'picked.keras')],
    ['Response', () => fetch(modelUrl)],
    ['URL', () => new URL(modelUrl, location.href)],
  ];
  const result: InputsResult = { backendReason: backend.reason, forms: {}, inspectFile: '', loadedParams: 0, refused: {}, exported: { type: '', bytes: [] } };
  for (const [name, make] of forms) {
    const { artifacts, report } = await convert(await make(), { lambdas });
    const same = new Uint8Array(artifacts.weightData as ArrayBuffer).every((b, i) => b === weights[i]);
    result.forms[name] = [report.file, report.parameterCount, same];
  }
  result.inspectFile = (await inspect(new File([bytes], 'inspected.keras'), { lambdas })).file;
  const model = await loadKerasModel(new Blob([bytes]), { lambdas });
  result.loadedParams = model.countParams();

  result.refused['convert(path)'] = await refusal(() => convert('model.keras', { lambdas }));
  result.refused['convert(file: URL)'] = await refusal(() => convert(new URL('file:///models/model.keras')));
  result.refused['convert(config path)'] = await refusal(() => convert(bytes, { config: 'model.json' }));
  result.refused['convertToDirectory'] = await refusal(() => convertToDirectory(bytes, 'web_model', { lambdas }));
  result.refused['fileSystem'] = await refusal(() => fileSystem('web_model'));
  result.refused['exportKeras(path)'] = await refusal(() => exportKeras(model, 'model.keras'));
  result.refused["chooseBackend('tensorflow')"] = await refusal(() => chooseBackend('tensorflow'));
  result.refused['loadSyntheticImdb'] = await refusal(() => loadSyntheticImdb());
  result.refused['verifyParity'] = await refusal(() => verifyParity(model, 'parity_fixture'));

  const blob = await exportKeras(model, { dateSaved: new Date(dateSaved), onWarning: () => {} });
  result.exported = { type: blob.type, bytes: Array.from(new Uint8Array(await blob.arrayBuffer())) };
  model.dispose();
  tf.disposeVariables();
  return result;
}

Object.assign(globalThis, { runInputs });
