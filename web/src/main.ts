/**
 * The conversion page: drop a Keras model, see its layers and Lambdas, map the Lambdas, convert,
 * then download, save to IndexedDB, predict, and check parity with Python's x.npy / y.npy. The
 * page draws; the worker (worker.ts) does the work.
 */
import type { InspectReport, LambdaMappings, QuantizeDtype } from 'keras2tfjs';
import { droppedFiles, fromFiles, pickedFiles, type Dropped } from './drop.js';
import type { ModelDrop } from './protocol.js';
import { count, el, fill, numbers, shape, show, table } from './render.js';
import { WorkerClient, WorkerError } from './worker_client.js';
import './style.css';

const worker = new WorkerClient(new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' }));

/** Lambda mappings as the form sets them, keyed as inspect lists the Lambdas. */
let lambdas: LambdaMappings = {};
let npy: File[] = [];

function status(text: string, kind: 'info' | 'error' = 'info'): void {
  const node = fill('status', text);
  node.className = kind;
}

function progress(fraction: number, stage: string): void {
  const bar = document.getElementById('progress') as HTMLProgressElement;
  bar.hidden = false;
  bar.value = fraction;
  status(`${stage}… ${Math.round(fraction * 100)}%`);
}

/** Runs `task`, showing its failure (a keras2tfjs error code and message) instead of throwing. */
async function guarded(task: () => Promise<void>): Promise<void> {
  try {
    await task();
  } catch (e) {
    const code = e instanceof WorkerError && e.code ? ` [${e.code}]` : '';
    status(`${e instanceof Error ? e.message : String(e)}${code}`, 'error');
  } finally {
    (document.getElementById('progress') as HTMLProgressElement).hidden = true;
  }
}

async function received(dropped: Dropped): Promise<void> {
  if (dropped.model) {
    npy = [];
    await inspectModel(dropped.model);
  }
  if (dropped.npy.length > 0) {
    npy = dropped.npy;
    await checkParity();
  }
}

async function inspectModel(drop: ModelDrop): Promise<void> {
  lambdas = {};
  show('result', false);
  const name = drop.kind === 'file' ? drop.file.name : `${drop.name}/`;
  fill('model-name', name);
  await guarded(async () => {
    const { report, backend } = await worker.request('inspect', { drop, lambdas }, progress);
    fill('backend', backend);
    lambdas = suggestedMappings(report);
    await showInspection(drop, report.lambdas.length > 0 ? (await worker.request('inspect', { drop, lambdas }, progress)).report : report);
  });
}

/** The mapping each Lambda's suggested flag names (ManualDropout for dropout functions). */
function suggestedMappings(report: InspectReport): LambdaMappings {
  const out: LambdaMappings = {};
  for (const l of report.lambdas) {
    const m = /=ManualDropout:(\{.*\})'?$/.exec(l.suggestedFlag);
    if (m) out[lambdaKey(l)] = { className: 'ManualDropout', config: JSON.parse(m[1]) as Record<string, unknown> };
  }
  return out;
}

function lambdaKey(l: InspectReport['lambdas'][number]): string {
  return l.functionName ?? l.layer.split('/').pop()!;
}

async function showInspection(drop: ModelDrop, report: InspectReport): Promise<void> {
  show('inspect');
  fill(
    'summary',
    `${report.format}, Keras ${report.kerasVersion ?? 'unknown'}, ${report.modelClass}, ${report.layers.length} layers, ${count(report.totalParameters)} parameters`,
  );
  fill(
    'layers',
    table(
      ['layer', 'class', 'tfjs class', 'output shape', 'parameters'],
      report.layers.map((l) => [l.name, l.sourceClass, l.targetClass ?? '— (cannot convert)', shape(l.outputShape), count(l.parameters)]),
      { id: 'layers-table' },
    ),
  );
  fill('lambdas', ...(report.lambdas.length === 0 ? ['No Lambda layers.'] : [lambdaForm(drop, report)]));
  fill('problem', report.problem ? `${report.problem.message} [${report.problem.code}]` : '');
  (document.getElementById('convert') as HTMLButtonElement).disabled = !report.convertible;
  status(report.convertible ? 'Ready to convert.' : 'Map the Lambdas above to convert.');
}

/** One row per Lambda: what its bytecode names (never run), and a ManualDropout mapping with its rate. */
function lambdaForm(drop: ModelDrop, report: InspectReport): HTMLElement {
  const rows = report.lambdas.map((l) => {
    const key = lambdaKey(l);
    const mapped = lambdas[key];
    const checkbox = el('input', { type: 'checkbox', 'data-lambda': key });
    checkbox.checked = mapped?.className === 'ManualDropout';
    const rate = el('input', { type: 'number', min: '0', max: '0.99', step: '0.05', 'data-rate': key });
    rate.value = String((mapped?.config as { rate?: number } | undefined)?.rate ?? 0.5);
    const update = (): void => {
      if (checkbox.checked) lambdas[key] = { className: 'ManualDropout', config: { rate: Number(rate.value) } };
      else delete lambdas[key];
      void guarded(async () => showInspection(drop, (await worker.request('inspect', { drop, lambdas }, progress)).report));
    };
    checkbox.addEventListener('change', update);
    rate.addEventListener('change', update);
    const code = [l.functionName ? `function ${l.functionName}` : 'anonymous lambda', l.names.length ? `names ${l.names.join(', ')}` : ''].filter(Boolean).join('; ');
    return [l.layer, code, el('label', {}, checkbox, ' ManualDropout, rate ', rate)];
  });
  return el('div', {}, table(['Lambda layer', 'its Python function (read, never run)', 'map to'], rows, { id: 'lambdas-table' }));
}

async function convertModel(): Promise<void> {
  await guarded(async () => {
    const quantize = ((document.getElementById('quantize') as HTMLSelectElement).value || null) as QuantizeDtype | null;
    const { report, seconds } = await worker.request('convert', { lambdas, quantize }, progress);
    show('result');
    fill(
      'report',
      `Converted in ${seconds.toFixed(2)} s: ${report.layers.length} layers, ${count(report.parameterCount)} parameters, ${count(report.weightBytes)} bytes of weights` +
        (report.mappings.length ? `; ${report.mappings.map((m) => `${m.layer} → ${m.targetClass}`).join(', ')}` : '') +
        (report.warnings.length ? `. Notes: ${report.warnings.join(' ')}` : ''),
    );
    status('Converted.');
  });
}

async function download(): Promise<void> {
  await guarded(async () => {
    const { blob, files } = await worker.request('zip', {}, progress);
    const name = (document.getElementById('model-name')?.textContent ?? 'model').replace(/\/$/, '').replace(/\.(keras|h5)$/, '');
    const link = el('a', { href: URL.createObjectURL(blob), download: `${name}_tfjs.zip`, id: 'download-link' }, `${name}_tfjs.zip`);
    fill('download-result', link, ` (${files.length} files: ${files.join(', ')})`);
    link.click();
    status('Zip ready.');
  });
}

async function saveToIndexedDb(): Promise<void> {
  await guarded(async () => {
    const name = (document.getElementById('idb-name') as HTMLInputElement).value || 'keras2tfjs-model';
    const { url, bytes } = await worker.request('saveIndexedDb', { name }, progress);
    fill('idb-result', `Saved ${count(bytes)} bytes of weights to ${url}: load it with tf.loadLayersModel('${url}').`);
    status('Saved.');
  });
}

async function predict(): Promise<void> {
  await guarded(async () => {
    const result = await worker.request('predict', { rows: 5, samples: 30 }, progress);
    fill(
      'predictions',
      el('p', {}, `${result.rows.length} rows from ${result.source}; input shape [${result.inputShape.join(', ')}]; Monte Carlo dropout over ${result.samples} passes.`),
      table(
        ['row', 'predict()', 'again', 'MC mean ± std'],
        result.rows.map((r, i) => [i, numbers(r.predict), numbers(r.again), r.mean.map((m, k) => `${m.toFixed(4)} ± ${r.std[k].toFixed(4)}`).join(', ')]),
        { id: 'predictions-table' },
      ),
    );
    status('Predicted.');
  });
}

async function checkParity(): Promise<void> {
  const x = npy.find((f) => /^x.*\.npy$/.test(f.name));
  const y = npy.find((f) => /^y.*\.npy$/.test(f.name));
  if (!x || !y) return status('For parity, drop x.npy and y.npy (the same rows, exported from Python) together.', 'error');
  await guarded(async () => {
    const p = await worker.request('parity', { x, y }, progress);
    const verdict = p.maxAbsDiff <= p.tolerance ? 'same model' : 'DIFFERENT';
    fill('parity-result', `${x.name} → ${y.name}: ${p.rows} rows on ${p.backend}, max |TS − Python| = ${p.maxAbsDiff.toExponential(2)}, mean ${p.meanAbsDiff.toExponential(2)} (tolerance ${p.tolerance}: ${verdict})`);
    status('Parity checked.');
  });
}

function wire(): void {
  const zone = document.getElementById('drop') as HTMLElement;
  zone.addEventListener('dragover', (e) => {
    e.preventDefault();
    zone.classList.add('over');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('over');
    if (e.dataTransfer) void droppedFiles(e.dataTransfer).then((files) => received(fromFiles(files)));
  });
  for (const id of ['pick-file', 'pick-folder', 'pick-npy']) {
    const input = document.getElementById(id) as HTMLInputElement;
    input.addEventListener('change', () => {
      if (input.files) void received(fromFiles(pickedFiles(input.files)));
    });
  }
  document.getElementById('convert')?.addEventListener('click', () => void convertModel());
  document.getElementById('download')?.addEventListener('click', () => void download());
  document.getElementById('save-idb')?.addEventListener('click', () => void saveToIndexedDb());
  document.getElementById('predict')?.addEventListener('click', () => void predict());
  status('Drop a model to start.');
}

wire();
