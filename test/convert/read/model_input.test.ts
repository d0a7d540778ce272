/**
 * convert / inspect / loadKerasModel take the model in every form a program holds it: a path, a
 * `file:` URL, bytes (Uint8Array, Buffer, ArrayBuffer), a Blob or File, a fetch Response, an
 * http URL. Each form converts the bundled seed model to the same artifacts, and names the file
 * in messages; what is not a model input, or a response that is not a file, is a typed error.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convert, loadKerasModel, type ConvertResult } from '../../../src/convert/convert.js';
import { inspect } from '../../../src/convert/inspect.js';
import type { ModelInput } from '../../../src/convert/read/model_input.js';
import { ErrorCode, Keras2TfjsError } from '../../../src/errors.js';
import { DROPOUT_LAMBDA } from '../../helpers/fixture_models.js';
import { fixturePath } from '../../helpers/fixtures.js';

const PATH = fixturePath('seed_lambda', 'model.keras');
const BYTES = new Uint8Array(readFileSync(PATH));

let base: string;
let reference: ConvertResult;
const server = createServer((req, res) => {
  if (req.url === '/models/model.keras') res.writeHead(200).end(BYTES);
  else res.writeHead(404, 'Not Found').end();
});

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  reference = await convert(BYTES, DROPOUT_LAMBDA);
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function caught(p: Promise<unknown>): Promise<Keras2TfjsError> {
  const e = await p.then(() => null, (x: unknown) => x);
  expect(e).toBeInstanceOf(Keras2TfjsError);
  return e as Keras2TfjsError;
}

describe('model inputs', () => {
  const forms: Array<[string, () => ModelInput, string]> = [
    ['a path', () => PATH, PATH],
    ['a file: URL', () => pathToFileURL(PATH), PATH],
    ['a Uint8Array', () => BYTES.slice(), '<memory>'],
    ['a Buffer', () => readFileSync(PATH), '<memory>'],
    ['an ArrayBuffer', () => BYTES.slice().buffer, '<memory>'],
    ['a Blob', () => new Blob([BYTES]), '<blob>'],
    ['a File', () => new File([BYTES], 'picked.keras'), 'picked.keras'],
    ['a Response', () => new Response(BYTES), '<download>'],
    ['an http URL', () => new URL(`${base}/models/model.keras`), 'model.keras'],
  ];

  it.each(forms)('%s converts to the same model', async (_, input, file) => {
    const { artifacts, report } = await convert(input(), DROPOUT_LAMBDA);
    expect(report.file).toBe(file);
    expect(report.parameterCount).toBe(160_305);
    expect(artifacts.modelTopology).toEqual(reference.artifacts.modelTopology);
    expect(new Uint8Array(artifacts.weightData as ArrayBuffer)).toEqual(new Uint8Array(reference.artifacts.weightData as ArrayBuffer));
  });

  it("a SavedModel folder's files (contents by path, or Files under one folder) convert as the folder does", async () => {
    const dir = fixturePath('seed_lambda_tfkeras', 'saved_model');
    const paths = ['saved_model.pb', 'keras_metadata.pb', 'fingerprint.pb', 'variables/variables.index', 'variables/variables.data-00000-of-00001'].filter((p) => existsSync(join(dir, p)));
    const fromDir = await convert(dir, DROPOUT_LAMBDA);
    const byPath = Object.fromEntries(paths.map((p) => [p, new Blob([readFileSync(join(dir, p))])]));
    const asFiles = paths.map((p) => new File([readFileSync(join(dir, p))], `saved_model/${p}`));
    for (const input of [byPath, asFiles]) {
      const { artifacts, report } = await convert(input, DROPOUT_LAMBDA);
      expect(report.format).toBe('savedmodel');
      expect(report.file).toBe(input === byPath ? '<folder>' : 'saved_model');
      expect(artifacts.modelTopology).toEqual(fromDir.artifacts.modelTopology);
      expect(new Uint8Array(artifacts.weightData as ArrayBuffer)).toEqual(new Uint8Array(fromDir.artifacts.weightData as ArrayBuffer));
    }
  });

  it("a folder's files are written to a temporary folder only while the model is read", async () => {
    const placed = () => readdirSync(tmpdir()).filter((n) => n.startsWith('keras2tfjs-folder-')).length;
    const before = placed();
    const dir = join(import.meta.dirname, '..', 'data', 'zoo_k3_dir');
    const files = Object.fromEntries(['config.json', 'metadata.json', 'model.weights.h5'].map((p) => [p, new Uint8Array(readFileSync(join(dir, p)))]));
    const { model } = await convert(files, { fileName: 'zoo_k3_dir' });
    expect(model.weights.length).toBeGreaterThan(0);
    expect(placed()).toBe(before);
    await caught(convert({ ...files, 'model.weights.h5': files['config.json'] }, { fileName: 'zoo_k3_dir' }));
    expect(placed()).toBe(before);
  });

  it('an unzipped .keras folder given as files converts; a missing file is named', async () => {
    const dir = join(import.meta.dirname, '..', 'data', 'zoo_k3_dir');
    const files = Object.fromEntries(['config.json', 'metadata.json', 'model.weights.h5'].map((p) => [p, new Uint8Array(readFileSync(join(dir, p)))]));
    const { report } = await convert(files, { fileName: 'zoo_k3_dir' });
    expect(report.format).toBe('keras-dir');
    const { 'model.weights.h5': _, ...without } = files;
    const e = await caught(convert(without, { fileName: 'zoo_k3_dir' }));
    expect(e.message).toMatch(/^zoo_k3_dir: .*model\.weights\.h5/);
  });

  it('inspect and loadKerasModel take them too, and fileName names the bytes', async () => {
    const report = await inspect(new Blob([BYTES]), { ...DROPOUT_LAMBDA, fileName: 'mine.keras' });
    expect(report.file).toBe('mine.keras');
    expect(report.convertible).toBe(true);
    const model = await loadKerasModel(new Response(BYTES), DROPOUT_LAMBDA);
    expect(model.countParams()).toBe(160_305);
    model.dispose();
  });

  it('a response that is not the file is FILE_NOT_FOUND, naming the URL and the status', async () => {
    const e = await caught(convert(new URL(`${base}/models/missing.keras`)));
    expect(e.code).toBe(ErrorCode.FILE_NOT_FOUND);
    expect(e.message).toBe(`${base}/models/missing.keras: the server answered 404 Not Found`);
  });

  it('a Response already read is INVALID_ARGUMENT', async () => {
    const response = new Response(BYTES);
    await response.arrayBuffer();
    expect((await caught(convert(response))).code).toBe(ErrorCode.INVALID_ARGUMENT);
  });

  it('anything else is INVALID_ARGUMENT, saying what is taken', async () => {
    const e = await caught(convert(42 as unknown as ModelInput));
    expect(e.code).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(e.message).toMatch(/^Invalid value for `input`: expected a path, a URL, bytes \(Uint8Array, ArrayBuffer\), a Blob or File, a fetch Response, or a folder's files/);
  });
});
