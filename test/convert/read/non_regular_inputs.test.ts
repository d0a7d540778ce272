/**
 * Devices, pipes and sockets are never read (issue 16, item 4: /dev/zero as input, or a model
 * folder whose config.json, keras_metadata.pb or variables.index is a symlink to /dev/zero,
 * grew memory without limit; a FIFO hung forever). Inside real model folders (an unzipped
 * .keras, a tf.keras SavedModel), each file the converter opens is replaced by a symlink to
 * /dev/zero or by a FIFO nobody writes to: NOT_A_FILE naming that file, at once, having read
 * nothing from it (the bytes read are counted: only the real files around it).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { convert, convertToDirectory } from '../../../src/convert/convert.js';
import { ErrorCode } from '../../../src/errors.js';
import { fileReadStats } from '../../../src/io/file_source.js';
import { fixturePath } from '../../helpers/fixtures.js';
import { refusal } from '../../helpers/errors.js';

const DATA = new URL('../data/', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'keras2tfjs-nonregular-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
/** The real files of these folders are at most a few MB: more read means a device was read. */
const MAX_REAL_BYTES = 8 << 20;

let n = 0;
/** A copy of `source` with `member` replaced by a symlink to /dev/zero, or by a FIFO. */
function withNonRegular(source: string, member: string, kind: 'dev-zero' | 'fifo'): string {
  const dir = join(work, `model-${++n}`);
  cpSync(source, dir, { recursive: true });
  const target = join(dir, member);
  unlinkSync(target);
  if (kind === 'dev-zero') symlinkSync('/dev/zero', target);
  else execFileSync('mkfifo', [target]);
  return dir;
}


const LAMBDAS = { dropout: { className: 'ManualDropout', config: { rate: 0.5 } } };
const KERAS_DIR = join(DATA, 'zoo_k3_dir');
const SAVED_MODEL = fixturePath('seed_lambda_tfkeras', 'saved_model');

const cases: Array<[string, string, string, 'dev-zero' | 'fifo']> = [
  ['an unzipped .keras', KERAS_DIR, 'config.json', 'dev-zero'],
  ['an unzipped .keras', KERAS_DIR, 'metadata.json', 'fifo'],
  ['an unzipped .keras', KERAS_DIR, 'model.weights.h5', 'dev-zero'],
  ['an unzipped .keras', KERAS_DIR, 'model.weights.h5', 'fifo'],
  ['a SavedModel', SAVED_MODEL, 'keras_metadata.pb', 'dev-zero'],
  ['a SavedModel', SAVED_MODEL, 'keras_metadata.pb', 'fifo'],
  ['a SavedModel', SAVED_MODEL, 'variables/variables.index', 'dev-zero'],
  ['a SavedModel', SAVED_MODEL, 'variables/variables.data-00000-of-00001', 'fifo'],
];

describe('a model folder with a device or a pipe in place of one of its files', () => {
  it.each(cases)('%s whose %s is %s: NOT_A_FILE naming it', async (_what, source, member, kind) => {
    const dir = withNonRegular(source, member, kind);
    const before = fileReadStats.bytesRead;
    const e = await refusal(convert(dir, { lambdas: LAMBDAS }));
    expect(e.code).toBe(ErrorCode.NOT_A_FILE);
    expect(e.message).toMatch(new RegExp(`^${member.split('/').pop()!.replace(/\./g, '\\.')}: is (a character device|a pipe \\(FIFO\\)), not a regular file`));
    expect(e.file).toBe(join(dir, member));
    expect(fileReadStats.bytesRead - before).toBeLessThan(MAX_REAL_BYTES);
    // Nothing written either.
    const out = join(work, `out-${n}`);
    expect((await refusal(convertToDirectory(dir, out, { lambdas: LAMBDAS }))).code).toBe(ErrorCode.NOT_A_FILE);
  });

  it('a weights-only .h5 whose architecture (the config option) is /dev/zero', async () => {
    const config = join(work, 'model.json');
    symlinkSync('/dev/zero', config);
    const e = await refusal(convert(join(DATA, 'tfk_weights.h5'), { config }));
    expect(e.code).toBe(ErrorCode.NOT_A_FILE);
    expect(e.message).toMatch(/^model\.json: is a character device, not a regular file/);
  });
});
