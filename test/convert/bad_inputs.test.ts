/**
 * Bad input never crashes and never leaves files behind: each case is refused with a
 * Keras2TfjsError whose stable code callers can branch on and whose one-line message starts
 * with the file's name and says what is wrong (and how to fix it, where there is a fix).
 *
 * The damaged inputs are real Keras files (fixtures/builtin_dropout, data/ from
 * make_test_models.py) altered here the way files get damaged or crafted: cut short, a flipped
 * byte, member names rewritten to escape the directory, a declared size far beyond the file,
 * HDF5 links / external / virtual datasets, edited configs.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import h5wasm from 'h5wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convert, convertToDirectory, loadKerasModel } from '../../src/convert/convert.js';
import { parseLambdaMapping } from '../../src/convert/normalize/layer_map.js';
import { Keras2TfjsError } from '../../src/errors.js';
import { readHdf5Tree } from '../../src/formats/hdf5/direct/reader.js';
import { fixturePath } from '../helpers/fixtures.js';

const DATA = new URL('./data/', import.meta.url).pathname;
const KERAS = readFileSync(fixturePath('builtin_dropout', 'model.keras'));
const H5 = readFileSync(fixturePath('builtin_dropout', 'model.h5'));

let work: string;
/** Writes `bytes` as `name` in the scratch folder and returns its path. */
function file(name: string, bytes: Uint8Array | string): string {
  const path = join(work, name);
  writeFileSync(path, bytes);
  return path;
}

/** Converts and returns the Keras2TfjsError (fails the test on success or on any other error). */
async function refusal(input: string | Uint8Array, options = {}): Promise<Keras2TfjsError> {
  let caught: unknown = null;
  try {
    await convert(input, options);
  } catch (e) {
    caught = e;
  }
  expect(caught, 'must be refused with a Keras2TfjsError').toBeInstanceOf(Keras2TfjsError);
  const err = caught as Keras2TfjsError;
  expect(err.message.includes('\n'), 'one line').toBe(false);
  return err;
}

// ------------------------------------------------------------------------- zip surgery

interface Entry { name: string; central: number; local: number; nameLen: number }

/** The central-directory entries of a zip (enough to edit a real .keras archive). */
function entries(zip: Uint8Array): Entry[] {
  const dv = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  let eocd = zip.length - 22;
  while (dv.getUint32(eocd, true) !== 0x06054b50) eocd--;
  const count = dv.getUint16(eocd + 10, true);
  let p = dv.getUint32(eocd + 16, true);
  const out: Entry[] = [];
  for (let i = 0; i < count; i++) {
    const nameLen = dv.getUint16(p + 28, true);
    const name = new TextDecoder().decode(zip.subarray(p + 46, p + 46 + nameLen));
    out.push({ name, central: p, local: dv.getUint32(p + 42, true), nameLen });
    p += 46 + nameLen + dv.getUint16(p + 30, true) + dv.getUint16(p + 32, true);
  }
  return out;
}

function withZip(edit: (zip: Uint8Array, dv: DataView, e: Record<string, Entry>) => void): Uint8Array {
  const zip = new Uint8Array(KERAS);
  const dv = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  edit(zip, dv, Object.fromEntries(entries(zip).map((e) => [e.name, e])));
  return zip;
}

/** Renames a member in both headers (same length, so nothing else moves). */
function rename(zip: Uint8Array, e: Entry, to: string): void {
  expect(to.length).toBe(e.nameLen);
  const bytes = new TextEncoder().encode(to);
  zip.set(bytes, e.central + 46);
  zip.set(bytes, e.local + 30);
}

// ------------------------------------------------------------------------ HDF5 surgery

/** Copies the real model.h5, applies `edit` with h5wasm, returns the new bytes. */
async function withH5(edit: (f: InstanceType<typeof h5wasm.File>) => void): Promise<Uint8Array> {
  const mod = await h5wasm.ready;
  const path = `/edit-${Math.random().toString(36).slice(2)}.h5`;
  mod.FS.writeFile(path, new Uint8Array(H5));
  const f = new h5wasm.File(path, 'a');
  try {
    edit(f);
  } finally {
    f.close();
  }
  const out = mod.FS.readFile(path) as Uint8Array;
  mod.FS.unlink(path);
  return out;
}

function setWeightNames(f: InstanceType<typeof h5wasm.File>, layer: string, names: string[]): void {
  const g = f.get(`model_weights/${layer}`) as InstanceType<typeof h5wasm.Group>;
  g.delete_attribute('weight_names');
  g.create_attribute('weight_names', names);
}

const edited: Record<string, Uint8Array> = {};

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'k2t-bad-'));
  // All HDF5 edits happen before the converter first opens HDF5 (it then allows h5wasm to open
  // nothing but the files it reads itself).
  edited.notKeras = await withH5((f) => f.delete_attribute('model_config'));
  edited.softLink = await withH5((f) => {
    (f.get('model_weights/output') as InstanceType<typeof h5wasm.Group>).create_soft_link('/model_weights/output/output/kernel', 'soft');
    setWeightNames(f, 'output', ['soft', 'output/bias']);
  });
  edited.externalLink = await withH5((f) => {
    (f.get('model_weights/output') as InstanceType<typeof h5wasm.Group>).create_external_link('/etc/passwd.h5', '/x', 'ext');
    setWeightNames(f, 'output', ['ext', 'output/bias']);
  });
  edited.missingWeight = await withH5((f) => setWeightNames(f, 'output', ['output/kernel']));
  edited.wrongShape = await withH5((f) => {
    const config = JSON.parse(String(f.attrs.model_config.value));
    const out = config.config.layers.find((l: { name: string }) => l.name === 'output');
    out.config.units = 3;
    f.delete_attribute('model_config');
    f.create_attribute('model_config', JSON.stringify(config));
  });
  edited.badJson = await withH5((f) => {
    f.delete_attribute('model_config');
    f.create_attribute('model_config', '{"class_name": "Functional", "config": ');
  });
  edited.nanWeight = await withH5((f) => {
    const bias = f.get('model_weights/output/output/bias') as InstanceType<typeof h5wasm.Dataset>;
    bias.write_slice([[0, 1]], new Float32Array([NaN]));
  });
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('zip archives', () => {
  it('refuses a truncated archive', async () => {
    const err = await refusal(file('cut.keras', KERAS.subarray(0, KERAS.length >> 1)));
    expect(err.code).toBe('BAD_ARCHIVE');
    expect(err.message).toMatch(/^cut\.keras: .*truncated/);
  });

  it('refuses a member whose bytes do not match its CRC-32', async () => {
    const zip = withZip((z, _dv, e) => {
      const at = e['config.json'].local + 30 + e['config.json'].nameLen + 40;
      z[at] ^= 0x20;
    });
    const err = await refusal(file('flipped.keras', zip));
    expect(err.code).toBe('BAD_ARCHIVE');
    expect(err.message).toBe("flipped.keras: member 'config.json' fails its CRC-32 check; the archive is corrupt or truncated");
  });

  it('a flipped byte inside a weight is found by the CRC-32 checked as the weights are read: nothing written, nothing loaded', async () => {
    // Where the kernel of layer dense_1 lies in model.weights.h5 (its HDF5 structure stays intact).
    const zip = new Uint8Array(KERAS);
    const e = Object.fromEntries(entries(zip).map((x) => [x.name, x]))['model.weights.h5'];
    const dataStart = e.local + 30 + e.nameLen + new DataView(zip.buffer).getUint16(e.local + 28, true);
    const member = zip.slice(dataStart, dataStart + new DataView(zip.buffer).getUint32(e.central + 24, true));
    const tree = await readHdf5Tree(member);
    let object = tree.objects.get(tree.root)!;
    for (const part of ['layers', 'dense_1', 'vars', '0']) object = tree.objects.get(object.members.get(part)!)!;
    zip[dataStart + object.dataset!.storage!.pos + 5] ^= 0x01;
    const path = file('flipped_weight.keras', zip);
    const message = "flipped_weight.keras: member 'model.weights.h5' fails its CRC-32 check; the archive is corrupt or truncated";
    expect((await refusal(path)).message).toBe(message);
    const out = join(work, 'flipped-out');
    const err = await convertToDirectory(path, out).then(() => null, (x: unknown) => x as Keras2TfjsError);
    expect(err?.message).toBe(message);
    expect(readdirSync(work).filter((n) => n.includes('flipped-out'))).toEqual([]);
    const load = await loadKerasModel(path).then(() => null, (x: unknown) => x as Keras2TfjsError);
    expect(load?.message).toBe(message);
  });

  it("refuses member paths with '..' and absolute paths", async () => {
    const up = await refusal(file('up.keras', withZip((z, _dv, e) => rename(z, e['config.json'], '../fig.json'))));
    expect(up.code).toBe('BAD_ARCHIVE');
    expect(up.message).toBe("up.keras: member '../fig.json' contains '..'; refusing an unsafe archive");
    const abs = await refusal(file('abs.keras', withZip((z, _dv, e) => rename(z, e['config.json'], '/config.jsn'))));
    expect(abs.message).toBe("abs.keras: member '/config.jsn' has an absolute path; refusing an unsafe archive");
  });

  it('refuses a member declaring far more bytes than the file holds (zip bomb)', async () => {
    const zip = withZip((_z, dv, e) => {
      const c = e['model.weights.h5'].central;
      dv.setUint16(c + 10, 8, true); // deflate
      dv.setUint32(c + 24, 0xf0000000, true); // 3.75 GiB uncompressed
    });
    const err = await refusal(file('bomb.keras', zip));
    expect(err.code).toBe('BAD_ARCHIVE');
    expect(err.message).toMatch(/^bomb\.keras: member 'model\.weights\.h5' declares 4026531840 bytes but stores only \d+; refusing a potential zip bomb$/);
  });

  it('refuses encrypted members', async () => {
    const zip = withZip((_z, dv, e) => dv.setUint16(e['config.json'].central + 8, 1, true));
    expect((await refusal(file('locked.keras', zip))).message).toBe("locked.keras: member 'config.json' is encrypted; Keras archives never are");
  });

  it('says a zip without config.json is not a Keras archive', async () => {
    const err = await refusal(file('other.zip', withZip((z, _dv, e) => rename(z, e['config.json'], 'readme.json'))));
    expect(err.code).toBe('UNKNOWN_FORMAT');
    expect(err.message).toContain('other.zip: a zip archive without config.json');
  });
});

describe('HDF5 files', () => {
  it('refuses an HDF5 file that is not a Keras model', async () => {
    const err = await refusal(file('data.h5', edited.notKeras));
    expect(err.code).toBe('BAD_HDF5');
    expect(err.message).toMatch(/^data\.h5: an HDF5 file, but not a Keras model or weights file/);
  });

  it('refuses soft links, as Keras does', async () => {
    const err = await refusal(file('soft.h5', edited.softLink));
    expect(err.code).toBe('BAD_HDF5');
    expect(err.message).toBe("soft.h5: '/model_weights/output/soft' is a soft link to '/model_weights/output/output/kernel'; refused as Keras refuses soft links");
  });

  it('refuses external links, as Keras does', async () => {
    const err = await refusal(file('extlink.h5', edited.externalLink));
    expect(err.code).toBe('BAD_HDF5');
    expect(err.message).toBe("extlink.h5: '/model_weights/output/ext' is an external link to '/etc/passwd.h5'; refused as Keras refuses external links");
  });

  it('refuses external-storage and virtual datasets (made with h5py), as Keras does', async () => {
    const ext = await refusal(`${DATA}ext_dataset.h5`);
    expect(ext.code).toBe('BAD_HDF5');
    expect(ext.message).toMatch(/^ext_dataset\.h5: dataset '\/model_weights\/dense\/dense\/kernel:0' stores its data in another file \('.*ext_dataset\.h5\.kernel\.bin'\); external datasets are refused/);
    const virt = await refusal(`${DATA}virtual_dataset.h5`);
    expect(virt.message).toBe("virtual_dataset.h5: dataset '/model_weights/dense/dense/kernel:0' is a virtual dataset; refused as Keras refuses it");
  });

  it('refuses a damaged HDF5 file', async () => {
    const damaged = new Uint8Array(H5.subarray(0, 4096));
    const err = await refusal(file('short.h5', damaged));
    expect(err.code).toBe('BAD_HDF5');
    expect(err.message).toMatch(/^short\.h5: /);
  });

  it('refuses a model_config that is not JSON', async () => {
    const err = await refusal(file('badjson.h5', edited.badJson));
    expect(err.code).toBe('BAD_CONFIG');
    expect(err.message).toBe("badjson.h5: the root attribute 'model_config' is not valid JSON (Unexpected end of JSON input)");
  });
});

describe('weights that do not fit the config', () => {
  it('names the layer and the expected and found weights when one is missing', async () => {
    const err = await refusal(file('missing.h5', edited.missingWeight));
    expect(err.code).toBe('WEIGHT_MISMATCH');
    expect(err.layer).toBe('output');
    expect(err.message).toBe("missing.h5: layer 'output' (Dense) needs 2 weights (kernel, bias) but the file has 1 (output/kernel [80,1])");
  });

  it('names the layer and both shapes when a shape does not match', async () => {
    const err = await refusal(file('shape.h5', edited.wrongShape));
    expect(err.code).toBe('WEIGHT_MISMATCH');
    expect(err.message).toBe("shape.h5: layer 'output': weight 'kernel' has shape [80,1] in the file but the layer's config needs [*, 3]");
  });

  it('converts NaN weights but warns about them', async () => {
    const { report } = await convert(file('nan.h5', edited.nanWeight));
    expect(report.warnings).toContain("layer 'output': weight 'bias' has 1 NaN or infinite value");
  });
});

describe('what is missing', () => {
  it('asks for a mapping of an unmapped Lambda, with the exact flag', async () => {
    const err = await refusal(fixturePath('seed_lambda', 'model.keras'));
    expect(err.code).toBe('UNMAPPED_LAMBDA');
    expect(err.message).toBe(`model.keras: layer 'lambda' is a Lambda (function 'dropout'); map it with --lambda 'dropout=ManualDropout:{"rate":0.5}'`);
  });

  it('reads the function of a tf.keras bytecode Lambda without running it', async () => {
    const err = await refusal(fixturePath('seed_lambda_tfkeras', 'model.h5'));
    expect(err.message).toBe(`model.h5: layer 'lambda' is a Lambda (function 'dropout'); map it with --lambda 'dropout=ManualDropout:{"rate":0.5}'`);
  });

  it('asks for the architecture of a weights-only file', async () => {
    const err = await refusal(`${DATA}tfk_weights.h5`);
    expect(err.code).toBe('WEIGHTS_ONLY');
    expect(err.message).toMatch(/^tfk_weights\.h5: holds only weights .* --config <model\.json\|config\.json>/);
  });

  it('refuses paths that do not exist, non-model files and directories', async () => {
    expect((await refusal(join(work, 'nope.keras'))).code).toBe('FILE_NOT_FOUND');
    const json = await refusal(file('model.json', '{"class_name": "Sequential"}'));
    expect(json.code).toBe('UNKNOWN_FORMAT');
    expect(json.message).toContain('pass the weights file as input and this JSON as `config`');
    expect((await refusal(file('empty.bin', new Uint8Array(0)))).code).toBe('UNKNOWN_FORMAT');
    const dir = join(work, 'emptydir');
    mkdirSync(dir);
    expect((await refusal(dir)).message).toBe('emptydir: a directory with neither config.json (an unzipped .keras model) nor saved_model.pb (a tf.keras SavedModel)');
  });

  it('checks options before reading anything', async () => {
    const q = await refusal(`${DATA}zoo_k3.keras`, { quantize: 'int4' });
    expect(q.message).toBe("Invalid value for `quantize`: expected 'float16', 'uint8' or 'uint16'. Received: quantize='int4'");
    const l = await refusal(`${DATA}zoo_k3.keras`, { lambdas: { f: { className: 'NoSuchLayer' } } });
    expect(l.code).toBe('INVALID_ARGUMENT');
    expect(l.message).toContain('NoSuchLayer');
  });
});

describe('parseLambdaMapping (the --lambda flag)', () => {
  it('parses NAME=Class and NAME=Class:{json}', () => {
    expect(parseLambdaMapping('dropout=ManualDropout:{"rate":0.5}')).toEqual(['dropout', { className: 'ManualDropout', config: { rate: 0.5 } }]);
    expect(parseLambdaMapping('lambda_1=Rescaling')).toEqual(['lambda_1', { className: 'Rescaling' }]);
  });

  it('refuses anything else with the expected form', () => {
    expect(() => parseLambdaMapping('dropout')).toThrow('Invalid value for `--lambda`: expected NAME=Class or NAME=Class:{json config}');
    expect(() => parseLambdaMapping('d=ManualDropout:{rate}')).toThrow("the config after ':' must be a JSON object");
  });
});

describe('nothing is left behind', () => {
  it('a failed convertToDirectory leaves the parent folder as it was', async () => {
    const parent = join(work, 'out-parent');
    mkdirSync(parent);
    writeFileSync(join(parent, 'keep.txt'), 'x');
    const before = readdirSync(parent).sort();
    for (const bad of [edited.missingWeight, edited.softLink, KERAS.subarray(0, 100)]) {
      const input = file(`bad-${Math.random().toString(36).slice(2)}.bin`, bad);
      await expect(convertToDirectory(input, join(parent, 'model'))).rejects.toBeInstanceOf(Keras2TfjsError);
      expect(readdirSync(parent).sort()).toEqual(before);
    }
    await expect(convertToDirectory(fixturePath('seed_lambda', 'model.keras'), join(parent, 'nested', 'model'))).rejects.toBeInstanceOf(Keras2TfjsError);
    expect(readdirSync(parent).sort()).toEqual(before);
  });

  it('does not overwrite a folder that holds other files', async () => {
    const out = join(work, 'occupied');
    mkdirSync(out);
    writeFileSync(join(out, 'notes.txt'), 'mine');
    await expect(convertToDirectory(`${DATA}zoo_k3.keras`, out)).rejects.toBeInstanceOf(Keras2TfjsError);
    expect(readdirSync(out)).toEqual(['notes.txt']);
    expect(readdirSync(work).filter((n) => n.startsWith('.occupied'))).toEqual([]);
  });
});

describe('living next to an app that uses h5wasm itself', () => {
  it("guards only the converter's own HDF5 reads: the app opens its files between conversions", async () => {
    await convert(`${DATA}zoo_tfk.h5`);
    const mod = await h5wasm.ready;
    mod.FS.writeFile('/app-own.h5', new Uint8Array(H5));
    const f = new h5wasm.File('/app-own.h5', 'r');
    expect(f.keys()).toContain('model_weights');
    f.close();
    mod.FS.unlink('/app-own.h5');
  });
});
