/**
 * An app folder with keras2tfjs installed as npm would install it, without the registry: the
 * package is what `npm pack` ships (so a browser twin missing from "files" fails here), unpacked
 * into node_modules/keras2tfjs; its dependencies and the app's tfjs are links to this
 * repository's node_modules (bundlers follow links to the real files, so the app and keras2tfjs
 * share one tfjs, as after a real install).
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { REPO } from './page.js';

const run = promisify(execFile);

/** The packed package, made once per test file. */
let packed: Promise<string> | null = null;

function packOnce(): Promise<string> {
  packed ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'keras2tfjs-pack-'));
    const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: REPO });
    return join(dir, (JSON.parse(stdout) as Array<{ filename: string }>)[0].filename);
  })();
  return packed;
}

export interface AppFolder {
  dir: string;
  remove(): Promise<void>;
}

/**
 * A folder holding `files` (path → content) and node_modules with keras2tfjs (packed), its
 * dependencies, every @tensorflow package and `extra` packages (e.g. 'vite') from this repository.
 */
export async function appFolder(files: Record<string, string | Uint8Array>, extra: string[] = []): Promise<AppFolder> {
  const dir = await mkdtemp(join(tmpdir(), 'keras2tfjs-app-'));
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  const modules = join(dir, 'node_modules');
  await mkdir(join(modules, '@tensorflow'), { recursive: true });
  await run('tar', ['xzf', await packOnce(), '-C', modules]);
  await rename(join(modules, 'package'), join(modules, 'keras2tfjs'));
  const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  const tensorflow = readdirSync(join(REPO, 'node_modules', '@tensorflow')).map((n) => `@tensorflow/${n}`);
  const linked = new Set([...Object.keys(pkg.dependencies), ...tensorflow, ...extra]);
  for (const name of linked) await symlink(join(REPO, 'node_modules', name), join(modules, name), 'dir');
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
