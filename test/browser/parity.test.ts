/**
 * The Python fixture models in headless Chromium, on tfjs' cpu, wasm and webgl backends (webgl
 * on SwiftShader, Chromium's CPU implementation of the GPU APIs: there is no GPU here):
 * - converted in Node (convertToDirectory) and loaded over http with tf.loadLayersModel, as an
 *   app serving a converted model does;
 * - converted in the page from the Keras file's bytes (convert), as the conversion page does,
 *   or, for a SavedModel, from its folder's files as a page holds them after a folder pick;
 * both predict what Python Keras predicted (y_infer.npy), and replay its training-phase outputs
 * where the masks are replayable (y_train*.npy), within PARITY_ATOL.
 */
import { readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertToDirectory } from '../../src/convert/convert.js';
import { FIXTURE_MODELS } from '../helpers/fixture_models.js';
import { FIXTURES_DIR, fixturePath } from '../helpers/fixtures.js';
import { bundleRoutes, folderRoutes, openPage, REPO, wasmRoutes, type OpenPage } from './helpers/page.js';
import type { ParityCase, ParityResult } from './pages/parity_page.js';

/**
 * The README's tolerance for converted models' outputs: float32 summation order differs between
 * TensorFlow's kernels and each tfjs backend's (Node measures ≤ 1.8e-7 on cpu and wasm); webgl
 * computes in float32 too, with its own exp and summation. A wrong weight, mask or mapping moves
 * outputs by more than 1e-2.
 */
const PARITY_ATOL = 1e-5;
const BACKENDS = ['cpu', 'wasm', 'webgl'] as const;

/** The files under `dir`, by '/'-separated path inside it. */
function filesUnder(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(dir, `${prefix}${e.name}/`) : [`${prefix}${e.name}`],
  );
}

let converted: string;
let routes: Awaited<ReturnType<typeof bundleRoutes>>;
const cases: ParityCase[] = [];
const measured: string[] = [];

beforeAll(async () => {
  converted = await mkdtemp(join(tmpdir(), 'keras2tfjs-browser-parity-'));
  for (const m of FIXTURE_MODELS) {
    for (const format of m.formats) {
      const out = join(converted, m.name, format);
      await convertToDirectory(fixturePath(m.name, format), out, m.options);
      const common = {
        name: m.name,
        format,
        options: m.options,
        x: `/fixtures/${m.name}/x.npy`,
        yInfer: `/fixtures/${m.name}/y_infer.npy`,
        training: (m.training ?? []).map((t) => ({ url: `/fixtures/${m.name}/${t.file}`, steps: t.steps })),
      };
      cases.push({ ...common, via: 'http', url: `/converted/${m.name}/${format}/model.json` });
      const source = fixturePath(m.name, format);
      if (statSync(source).isDirectory()) cases.push({ ...common, via: 'folder', url: `/fixtures/${m.name}/${format}`, files: filesUnder(source) });
      else cases.push({ ...common, via: 'bytes', url: `/fixtures/${m.name}/${format}` });
    }
  }
  routes = {
    ...(await bundleRoutes(join(REPO, 'test', 'browser', 'pages', 'parity_page.ts'))),
    ...wasmRoutes(),
    ...folderRoutes(FIXTURES_DIR, '/fixtures/'),
    ...folderRoutes(converted, '/converted/'),
  };
});

afterAll(async () => {
  if (converted) await rm(converted, { recursive: true, force: true });
  console.log([`browser parity (tolerance ${PARITY_ATOL}):`, ...measured].join('\n'));
});

describe.each(BACKENDS)('fixture models in Chromium on %s', (backend) => {
  let opened: OpenPage;
  beforeAll(async () => {
    opened = await openPage(routes, 'runParity', { webgl: backend === 'webgl' });
  });
  afterAll(async () => opened?.close());

  it('load over http and convert in the page, predicting what Python Keras predicted', async () => {
    const results = await opened.page.evaluate(
      ([b, c]) => (globalThis as unknown as { runParity(b: string, c: ParityCase[]): Promise<ParityResult[]> }).runParity(b, c),
      [backend, cases] as const,
    );
    expect(results.length).toBe(cases.length);
    for (const r of results) {
      const what = `${r.name}/${r.format} via ${r.via}`;
      expect(r.backend, what).toBe(backend);
      expect(r.yInfer, `${what}: y_infer max |tfjs − Keras|`).toBeLessThanOrEqual(PARITY_ATOL);
      r.training.forEach((d, i) => expect(d, `${what}: training output ${i}`).toBeLessThanOrEqual(PARITY_ATOL));
      expect(r.leakedTensors, `${what}: tensors left behind`).toBe(0);
      const worst = Math.max(r.yInfer, ...r.training);
      measured.push(`${backend} ${what}: max |Δ| ${worst.toExponential(2)} (${1 + r.training.length} outputs)`);
    }
    expect(opened.errors).toEqual([]);
  });
});
