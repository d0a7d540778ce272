/**
 * TypeScript training speed in headless Chromium, samples per second, on tfjs' webgl backend
 * (SwiftShader: Chromium's CPU implementation of WebGL, as there is no GPU here) or wasm backend
 * (with keras2tfjs' kernels, which install themselves in the page as in Node). Same model file,
 * arrays, batch size and timing rule as sections/train.ts: bench/browser/train_page.ts runs
 * `model.fit` in the page, first epoch untimed, samples/s = rows / median epoch time.
 *
 * The page is served from 127.0.0.1 without cross-origin isolation (no COOP/COEP headers), as
 * most pages are: tfjs then loads its single-threaded wasm build. `--isolated` serves it
 * cross-origin isolated: tfjs loads its multi-threaded build (XNNPACK on several threads).
 *
 * Flags: --backend webgl|wasm  --data DIR  --epochs N  [--model seed|conv]  [--isolated]
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { CROSS_ORIGIN_ISOLATED, bundleForBrowser, launchChromium, serveFiles, type Route } from '../../test/helpers/browser.js';
import { REPO_ROOT } from '../lib/paths.js';
import { log, runSection, stringFlag } from '../lib/section.js';
import { median, round4 } from '../lib/stats.js';
import { BATCH_SIZE, SEED_LAMBDAS, modelFile, type TrainModel } from '../lib/train_models.js';
import type { BrowserTrainResult as PageResult } from '../browser/train_page.js';

/** A browser epoch on SwiftShader can take a while; no single run may hang the bench. */
const RUN_TIMEOUT_MS = 15 * 60 * 1000;

export interface BrowserTrainResult {
  backend: 'webgl' | 'wasm';
  model: TrainModel;
  samples_per_s: number;
  rows: number;
  batch_size: number;
  epoch_seconds: number[];
  first_epoch_seconds: number;
  browser: string;
  renderer: string | null;
  keras2tfjs_wasm_kernels: boolean;
  /** keras2tfjs' SIMD module ran in the page (wasm only). */
  keras2tfjs_simd_module: boolean;
  /** Served cross-origin isolated. */
  isolated: boolean;
  /** tfjs' wasm heap was shared memory, i.e. its multi-threaded build ran. */
  threaded_wasm: boolean;
}

async function main(args: Record<string, string | true>): Promise<BrowserTrainResult> {
  const backend = stringFlag(args, 'backend') as 'webgl' | 'wasm';
  const dataDir = stringFlag(args, 'data');
  const epochs = Number(stringFlag(args, 'epochs'));
  const model = (typeof args['model'] === 'string' ? args['model'] : 'seed') as TrainModel;

  const wasmDist = join(dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
  const routes: Record<string, Route> = {
    '/': { body: '<!doctype html><meta charset="utf-8"><script type="module" src="/page.js"></script>', type: 'text/html' },
    '/page.js': { body: await bundleForBrowser(join(REPO_ROOT, 'bench', 'browser', 'train_page.ts')) },
    '/model.keras': { file: modelFile(model, dataDir) },
    '/x_train.npy': { file: join(dataDir, 'x_train.npy') },
    '/y_train.npy': { file: join(dataDir, 'y_train.npy') },
  };
  for (const name of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) {
    routes[`/wasm/${name}`] = { file: join(wasmDist, name) };
  }
  const isolated = args['isolated'] === true;
  const server = await serveFiles(routes, isolated ? CROSS_ORIGIN_ISOLATED : {});
  const browser = await launchChromium({ webgl: backend === 'webgl' });
  try {
    const page = await browser.newPage();
    page.on('pageerror', (e) => log(`page error: ${e.message}`));
    await page.goto(`${server.url}/`);
    await page.waitForFunction(() => 'trainInBrowser' in globalThis, undefined, { timeout: 60_000 });
    const options = { backend, lambdas: model === 'seed' ? SEED_LAMBDAS : undefined, batchSize: BATCH_SIZE[model], epochs };
    const run = page.evaluate(
      (o) => (globalThis as unknown as { trainInBrowser(o: unknown): Promise<PageResult> }).trainInBrowser(o),
      options,
    );
    const result = await Promise.race([
      run,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no result after ${RUN_TIMEOUT_MS / 60000} min`)), RUN_TIMEOUT_MS).unref()),
    ]);
    if (result.backend !== backend) throw new Error(`the page ran on ${result.backend}, not ${backend}`);
    result.epochSeconds.forEach((s, i) => log(`${model} model in Chromium on ${backend} epoch ${i}: ${s.toFixed(3)} s`));
    const timed = result.epochSeconds.slice(1);
    return {
      backend,
      model,
      samples_per_s: round4(result.rows / median(timed)),
      rows: result.rows,
      batch_size: BATCH_SIZE[model],
      epoch_seconds: timed.map(round4),
      first_epoch_seconds: round4(result.epochSeconds[0]),
      browser: browser.version(),
      renderer: result.renderer,
      keras2tfjs_wasm_kernels: result.kernelsInstalled,
      keras2tfjs_simd_module: result.simdKernels,
      isolated,
      threaded_wasm: result.sharedHeap,
    };
  } finally {
    await browser.close();
    await server.close();
  }
}

runSection(main);
