/**
 * The conversion page (web/, built by Vite as `npm run build:web` builds it), driven in headless
 * Chromium as a user drives it: pick the bundled seed model (Python Keras' IMDB model with its
 * dropout Lambda), see the layer table and the Lambda's suggested ManualDropout mapping, convert,
 * download the zip, save to IndexedDB, predict with MC dropout, and drop Python's x.npy and
 * y_infer.npy for the parity numbers. The downloaded zip is then loaded by tfjs in Node and must
 * predict what Python predicted. No request may leave the page's own origin.
 */
import * as tf from '@tensorflow/tfjs-core';
import { loadLayersModel } from '@tensorflow/tfjs-layers';
import { unzipSync } from 'fflate';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../src/index.js';
import { useBackend } from '../../src/backend.js';
import { inspect } from '../../src/convert/inspect.js';
import { fixturePath, loadFixture } from '../helpers/fixtures.js';
import { folderRoutes, openPage, REPO, type OpenPage } from './helpers/page.js';

/** The README's tolerance for converted models' outputs (float32 summation order). */
const PARITY_ATOL = 1e-5;
const WEB_DIST = join(REPO, 'web', 'dist');

let opened: OpenPage;
const requests: string[] = [];

beforeAll(async () => {
  await build({ configFile: join(REPO, 'web', 'vite.config.ts'), logLevel: 'error' });
  const { '/index.html': index, ...rest } = folderRoutes(WEB_DIST, '/');
  // The model the first test drops, fetched by the test's own code in the page (same origin).
  opened = await openPage({ ...rest, '/': { ...index, type: 'text/html' }, '/dropped/model.keras': { file: fixturePath('seed_lambda', 'model.keras') } }, 'document');
  opened.page.on('request', (r) => requests.push(r.url()));
  await opened.page.waitForSelector('#status:has-text("Drop a model")');
});

afterAll(async () => opened?.close());

describe('the conversion page', () => {
  it('says that nothing leaves the machine, and its policy allows no other origin', async () => {
    expect(await opened.page.textContent('#privacy')).toContain('Nothing leaves this machine');
    const csp = await opened.page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content');
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("connect-src 'self' blob: data:");
  });

  it('inspects a dropped model: the layer table and the Lambda mapped to ManualDropout', async () => {
    const { page } = opened;
    const transfer = await page.evaluateHandle(async () => {
      const dropped = new DataTransfer();
      dropped.items.add(new File([await (await fetch('/dropped/model.keras')).blob()], 'model.keras'));
      return dropped;
    });
    await page.dispatchEvent('#drop', 'drop', { dataTransfer: transfer });
    await page.waitForSelector('#status:has-text("Ready to convert")');
    const layers = await page.$$eval('#layers-table tbody tr', (rows) => rows.map((r) => Array.from(r.children, (c) => c.textContent)));
    expect(layers.map((r) => r[0])).toEqual(['input_layer', 'dense', 'dense_1', 'lambda', 'dense_2']);
    expect(layers[3].slice(1, 3)).toEqual(['Lambda', 'ManualDropout']);
    expect(layers[1][4]).toBe('160,016');
    expect(await page.isChecked('#lambdas-table input[type=checkbox]')).toBe(true);
    expect(await page.inputValue('#lambdas-table input[type=number]')).toBe('0.5');
    expect(await page.textContent('#lambdas-table')).toContain('function dropout');
  });

  it('unmapping the Lambda says why it would not convert; mapping it again converts', async () => {
    const { page } = opened;
    await page.uncheck('#lambdas-table input[type=checkbox]');
    await page.waitForSelector('#problem:has-text("UNMAPPED_LAMBDA")');
    expect(await page.isDisabled('#convert')).toBe(true);
    await page.check('#lambdas-table input[type=checkbox]');
    await page.waitForSelector('#status:has-text("Ready to convert")');
    await page.click('#convert');
    await page.waitForSelector('#status:has-text("Converted.")');
    expect(await page.textContent('#report')).toMatch(/5 layers, 160,305 parameters.*lambda → ManualDropout/);
  });

  it('downloads model.json + shards as one zip that tfjs loads and that predicts what Python predicted', async () => {
    const { page } = opened;
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
    expect(download.suggestedFilename()).toBe('model_tfjs.zip');
    const files = unzipSync(new Uint8Array(await readFile((await download.path()) as string)));
    expect(Object.keys(files).sort()).toEqual(['group1-shard1of1.bin', 'model.json']);
    const modelJson = JSON.parse(new TextDecoder().decode(files['model.json'])) as tf.io.ModelJSON;
    expect(modelJson.weightsManifest[0].paths).toEqual(['group1-shard1of1.bin']);

    await useBackend('cpu');
    const shard = files['group1-shard1of1.bin'];
    const model = await loadLayersModel(
      tf.io.fromMemory({
        modelTopology: modelJson.modelTopology,
        weightSpecs: modelJson.weightsManifest[0].weights,
        weightData: shard.buffer.slice(shard.byteOffset, shard.byteOffset + shard.byteLength),
      }),
    );
    const x = loadFixture('seed_lambda', 'x.npy', { as: 'float32' });
    const expected = loadFixture('seed_lambda', 'y_infer.npy');
    const y = tf.tidy(() => model.predict(tf.tensor(x.data as Float32Array, x.shape)) as tf.Tensor);
    const got = y.dataSync();
    expect(y.shape).toEqual(expected.shape);
    let worst = 0;
    got.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - Number(expected.data[i])))));
    expect(worst).toBeLessThanOrEqual(PARITY_ATOL);
    y.dispose();
    model.dispose();
  });

  it('saves to IndexedDB, where tf.loadLayersModel finds it', async () => {
    const { page } = opened;
    await page.fill('#idb-name', 'seed-model');
    await page.click('#save-idb');
    await page.waitForSelector('#idb-result:has-text("indexeddb://seed-model")');
    const stored = await page.evaluate(
      () =>
        new Promise<string[]>((resolve, reject) => {
          const open = indexedDB.open('tensorflowjs');
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const read = open.result.transaction('models_store').objectStore('models_store').getAllKeys();
            read.onsuccess = () => resolve(read.result.map(String));
          };
        }),
    );
    expect(stored).toContain('seed-model');
  });

  it('predicts twice the same, and MC dropout spreads around it', async () => {
    const { page } = opened;
    await page.click('#predict');
    await page.waitForSelector('#predictions-table');
    const rows = await page.$$eval('#predictions-table tbody tr', (trs) => trs.map((r) => Array.from(r.children, (c) => c.textContent ?? '')));
    expect(rows.length).toBe(5);
    for (const [, predicted, again, mc] of rows) {
      expect(again).toBe(predicted);
      const [, std] = /± (\d\.\d+)/.exec(mc) ?? [];
      expect(Number(std)).toBeGreaterThan(0);
    }
  });

  it("checks parity with Python's x.npy and y.npy", async () => {
    const { page } = opened;
    await page.setInputFiles('#pick-npy', [fixturePath('seed_lambda', 'x.npy'), fixturePath('seed_lambda', 'y_infer.npy')]);
    await page.waitForSelector('#parity-result:has-text("same model")');
    const text = (await page.textContent('#parity-result')) as string;
    const worst = Number(/max \|TS − Python\| = ([\d.e+-]+)/.exec(text)?.[1]);
    expect(worst).toBeLessThanOrEqual(PARITY_ATOL);
    expect(text).toContain('32 rows');
  });

  it('a model picked with the file input inspects the same', async () => {
    const { page } = opened;
    await page.setInputFiles('#pick-file', fixturePath('seed_lambda', 'model.h5'));
    await page.waitForSelector('#status:has-text("Ready to convert")');
    expect(await page.textContent('#model-name')).toBe('model.h5');
    expect(await page.$$eval('#layers-table tbody tr', (rows) => rows.length)).toBe(5);
  });

  it('converts a SavedModel folder picked whole', async () => {
    const { page } = opened;
    await page.setInputFiles('#pick-folder', fixturePath('seed_lambda_tfkeras', 'saved_model'));
    await page.waitForSelector('#status:has-text("Ready to convert")');
    expect(await page.textContent('#model-name')).toBe('saved_model/');
    const expected = await inspect(fixturePath('seed_lambda_tfkeras', 'saved_model'));
    expect(await page.textContent('#summary')).toBe(
      `savedmodel, Keras ${expected.kerasVersion}, Sequential, ${expected.layers.length} layers, ${expected.totalParameters.toLocaleString('en-US')} parameters`,
    );
    await page.click('#convert');
    await page.waitForSelector('#status:has-text("Converted.")');
    await page.setInputFiles('#pick-npy', [fixturePath('seed_lambda_tfkeras', 'x.npy'), fixturePath('seed_lambda_tfkeras', 'y_infer.npy')]);
    await page.waitForSelector('#parity-result:has-text("same model")');
  });

  it('reached nothing but its own origin, and logged no errors', () => {
    const origin = new URL(opened.server.url).origin;
    expect(requests.filter((u) => !u.startsWith(origin) && !u.startsWith('blob:') && !u.startsWith('data:'))).toEqual([]);
    expect(opened.errors).toEqual([]);
  });
});
