/**
 * In Chromium: convert, inspect and loadKerasModel take the seed model as bytes, an ArrayBuffer,
 * a Blob, a File, a fetch Response and a URL, with the same result; what needs a disk or Node
 * (a path, a file: URL, a config path, an output folder, fileSystem, exportKeras to a path,
 * tfjs-node, the bundled IMDB files, a parity fixture folder) fails at once with NOT_IN_BROWSER saying what to use; and
 * exportKeras(model) gives the .keras file as a Blob holding what the file Node writes for the same
 * model holds: the same members, metadata, config and every HDF5 group, attribute and dataset
 * (not the same bytes: zip and HDF5 record when they were written). Python loading Node's file
 * is proved by python/tests/test_ts_export_loads.py.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/backend.js';
import { loadKerasModel } from '../../src/convert/convert.js';
import { exportKeras } from '../../src/convert/write/keras/export_keras.js';
import { readKerasArchive } from '../convert/write/keras/keras_archive_reader.js';
import { DROPOUT_LAMBDA } from '../helpers/fixture_models.js';
import { fixturePath } from '../helpers/fixtures.js';
import { bundleRoutes, openPage, REPO, wasmRoutes, type OpenPage } from './helpers/page.js';
import type { InputsResult } from './pages/inputs_page.js';

const DATE_SAVED = '2026-01-02T03:04:05';
let opened: OpenPage;
let result: InputsResult;

beforeAll(async () => {
  opened = await openPage(
    {
      ...(await bundleRoutes(join(REPO, 'test', 'browser', 'pages', 'inputs_page.ts'))),
      ...wasmRoutes(),
      '/models/model.keras': { file: fixturePath('seed_lambda', 'model.keras') },
    },
    'runInputs',
  );
  result = await opened.page.evaluate(
    ([url, date]) => (globalThis as unknown as { runInputs(u: string, d: string): Promise<InputsResult> }).runInputs(url, date),
    ['/models/model.keras', DATE_SAVED] as const,
  );
});

afterAll(async () => opened?.close());

describe('inputs in a browser', () => {
  it('every form converts to the same model, named as the page knows it', () => {
    expect(result.forms).toEqual({
      Uint8Array: ['<memory>', 160_305, true],
      ArrayBuffer: ['<memory>', 160_305, true],
      Blob: ['<blob>', 160_305, true],
      File: ['picked.keras', 160_305, true],
      Response: ['model.keras', 160_305, true],
      URL: ['model.keras', 160_305, true],
    });
    expect(result.inspectFile).toBe('inspected.keras');
    expect(result.loadedParams).toBe(160_305);
  });

  it('what needs a disk or Node fails at once with NOT_IN_BROWSER, saying what to use', () => {
    for (const [asked, [code, message]] of Object.entries(result.refused)) {
      expect(code, asked).toBe('NOT_IN_BROWSER');
      expect(message, asked).toMatch(/a browser has no file system|runs only in Node/);
    }
    expect(result.refused['convert(path)'][1]).toBe(
      "'model.keras': a browser has no file system to read or write paths on; pass the file itself: a File or Blob, its bytes, a fetch Response or a URL",
    );
    expect(result.refused['exportKeras(path)'][1]).toContain('call exportKeras(model) for the file as a Blob');
    expect(result.refused['fileSystem'][1]).toContain("model.save('indexeddb://name')");
    expect(result.refused['verifyParity'][1]).toContain('verify in Node');
    expect(Object.keys(result.refused).length).toBe(9);
  });

  it('exportKeras(model) gives a Blob: the .keras file Node writes for the same model', async () => {
    expect(result.exported.type).toBe('application/zip');
    await useBackend('cpu');
    const model = await loadKerasModel(fixturePath('seed_lambda', 'model.keras'), DROPOUT_LAMBDA);
    const dir = await mkdtemp(join(tmpdir(), 'keras2tfjs-export-'));
    try {
      await exportKeras(model, join(dir, 'node.keras'), { dateSaved: new Date(DATE_SAVED), onWarning: () => {} });
      await writeFile(join(dir, 'browser.keras'), Uint8Array.from(result.exported.bytes));
      const [fromNode, fromBrowser] = await Promise.all([readKerasArchive(join(dir, 'node.keras')), readKerasArchive(join(dir, 'browser.keras'))]);
      expect(fromBrowser.members).toEqual(['metadata.json', 'config.json', 'model.weights.h5']);
      expect(fromBrowser.weights.size).toBeGreaterThan(10);
      expect(fromBrowser).toEqual(fromNode);
    } finally {
      model.dispose();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('logged no errors', () => {
    expect(opened.errors).toEqual([]);
  });
});
