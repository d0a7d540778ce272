/**
 * The README check (scripts/readme/check_readme.mjs) runs browser blocks for real: an html page
 * and a `<!-- readme-check: browser -->` ts block pass when their code runs to its end in
 * Chromium, and fail, with the page's error shown, when it throws, when a module does not
 * provide a name, or when a file they fetch is missing.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from './helpers/page.js';

const run = promisify(execFile);
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'keras2tfjs-readme-check-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

const IMPORT_MAP = `<script type="importmap">
  { "imports": { "@tensorflow/tfjs": "./node_modules/@tensorflow/tfjs/dist/tf.fesm.min.js", "keras2tfjs": "./node_modules/keras2tfjs/dist/bundle/keras2tfjs.js" } }
</script>`;

/** Runs the check on a README made of `blocks`; its exit status and report. */
async function check(name: string, blocks: string[]): Promise<{ ok: boolean; output: string }> {
  const file = join(dir, `${name}.md`);
  await writeFile(file, blocks.join('\n\n'));
  try {
    const { stdout } = await run(process.execPath, [join(REPO, 'scripts', 'readme', 'check_readme.mjs'), file], { cwd: REPO });
    return { ok: true, output: stdout };
  } catch (e) {
    return { ok: false, output: (e as { stdout: string }).stdout };
  }
}

const html = (body: string) => '```html\n<!doctype html>\n' + IMPORT_MAP + '\n<script type="module">\n' + body + '\n</script>\n```';
const browserTs = (body: string) => '<!-- readme-check: browser -->\n```ts\n' + body + '\n```';
const COPY = '```sh\ncp node_modules/keras2tfjs/fixtures/seed_lambda/model.keras .\n```';

describe('the README check in Chromium', () => {
  it('passes blocks that run to their end', async () => {
    const r = await check('good', [
      COPY,
      html("import { inspect } from 'keras2tfjs';\nconst r = await inspect(new URL('model.keras', location.href));\nif (r.layers.length !== 5) throw new Error('layers');"),
      browserTs("import { inspect } from 'keras2tfjs';\nconst r = await inspect(await fetch('model.keras'));\nconsole.log(r.layers.length);"),
    ]);
    expect(r.output).toContain('3 blocks, 0 failed');
    expect(r.ok).toBe(true);
  });

  it.each([
    ['an error thrown', html("throw new Error('thrown on purpose');"), 'thrown on purpose'],
    ['a name the module lacks', html("import { noSuchExport } from 'keras2tfjs';\nconsole.log(noSuchExport);"), "does not provide an export named 'noSuchExport'"],
    ['a missing file', html("import { convert } from 'keras2tfjs';\nawait convert(new URL('absent.keras', location.href));"), 'HTTP 404'],
    ['a ts block whose types are wrong', browserTs("import { convert } from 'keras2tfjs';\nconst n: number = await convert('x');"), 'error TS'],
    ['a ts block that throws', browserTs("import { convert } from 'keras2tfjs';\nawait convert('model.keras');"), 'a browser has no file system'],
  ])('fails on %s, showing why', async (name, block, why) => {
    const r = await check(name.replace(/\W+/g, '_'), [COPY, block]);
    expect(r.ok).toBe(false);
    expect(r.output).toContain('1 failed');
    expect(r.output).toContain(why);
  });
});
