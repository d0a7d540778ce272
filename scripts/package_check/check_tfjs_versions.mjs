#!/usr/bin/env node
/**
 * The package as npm users get it, on the tfjs versions package.json claims: packs keras2tfjs,
 * installs it into a fresh app next to `@tensorflow/tfjs@<version>` for each version given (the
 * oldest and newest of the peer range in CI), and checks that the app has exactly one
 * tfjs-core (two copies would leave ManualDropout registered in the wrong one) and that
 * smoke.mjs passes there. Then installs it the way `npm install git+…` does, from this
 * repository's committed HEAD (npm runs `prepare`, which builds dist/), and checks that the
 * installed package has its entry points. Needs the npm registry.
 *
 *   node scripts/package_check/check_tfjs_versions.mjs 4.10.0 4.22.0
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, copyFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const versions = process.argv.slice(2);
if (versions.length === 0) {
  console.error('usage: check_tfjs_versions.mjs <tfjs version>...');
  process.exit(2);
}
const npm = (args, cwd) => execFileSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

const work = mkdtempSync(join(tmpdir(), 'k2t-versions-'));
let failed = 0;
try {
  const tarball = join(work, JSON.parse(npm(['pack', '--json', '--pack-destination', work], ROOT))[0].filename);
  for (const version of versions) {
    const app = join(work, `app-${version}`);
    execFileSync('mkdir', ['-p', app]);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true, type: 'module', dependencies: { '@tensorflow/tfjs': version } }));
    try {
      npm(['install'], app);
      npm(['install', tarball], app);
    } catch (e) {
      console.log(`@tensorflow/tfjs ${version}: npm could not install keras2tfjs beside it; FAILED\n${String(e.stderr ?? e).trim().replace(/^/gm, '  ')}`);
      failed++;
      continue;
    }
    const cores = findAll(join(app, 'node_modules'), '@tensorflow/tfjs-core').map((p) => JSON.parse(readFileSync(join(p, 'package.json'), 'utf8')).version);
    copyFileSync(join(ROOT, 'scripts', 'package_check', 'smoke.mjs'), join(app, 'smoke.mjs'));
    let output = '';
    let ok = cores.length === 1 && cores[0] === version;
    try {
      output = execFileSync(process.execPath, ['smoke.mjs'], { cwd: app, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      // The command as installed: every file the demo reads must have been shipped.
      const demo = ['exec', '--', 'keras2tfjs', 'demo', '--backend', 'cpu', '--epochs', '1', '--train-samples', '64', '--val-samples', '32', '--samples', '3', '--out', 'demo-output'];
      output += execFileSync('npm', demo, { cwd: app, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).split('\n').filter((l) => /^\d\. /.test(l)).map((l) => `ok   demo ${l}\n`).join('');
    } catch (e) {
      output = `${e.stdout ?? ''}${e.stderr ?? ''}`;
      ok = false;
    }
    console.log(`@tensorflow/tfjs ${version}: tfjs-core installed: ${cores.join(', ') || 'none'}; ${ok ? 'ok' : 'FAILED'}`);
    console.log(output.trim().replace(/^/gm, '  '));
    if (!ok) failed++;
  }
  failed += checkGitInstall(work);
} finally {
  rmSync(work, { recursive: true, force: true });
}

/** `npm install git+file://<this repo>`: what a user gets from a git URL, built by `prepare`. */
function checkGitInstall(dir) {
  const app = join(dir, 'app-git');
  execFileSync('mkdir', ['-p', app]);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true, type: 'module' }));
  try {
    npm(['install', `git+file://${ROOT}`], app);
  } catch (e) {
    console.log(`npm install git+file://…: FAILED\n${String(e.stderr ?? e).trim().replace(/^/gm, '  ')}`);
    return 1;
  }
  const installed = join(app, 'node_modules', 'keras2tfjs');
  const missing = ['dist/index.js', 'dist/index.cjs', 'dist/index.d.ts', 'dist/cli/keras2tfjs.js'].filter((f) => !existsSync(join(installed, f)));
  let ok = missing.length === 0;
  let output = missing.map((f) => `missing ${f}`).join('\n');
  if (ok) {
    try {
      output = execFileSync(process.execPath, ['--input-type=module', '-e', "const k = await import('keras2tfjs'); console.log('ok   import from a git install:', typeof k.convert)"], { cwd: app, encoding: 'utf8' });
    } catch (e) {
      ok = false;
      output = `${e.stdout ?? ''}${e.stderr ?? ''}`;
    }
  }
  console.log(`npm install git+file://<repo> (HEAD ${execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim()}): ${ok ? 'ok' : 'FAILED'}`);
  console.log(output.trim().replace(/^/gm, '  '));
  return ok ? 0 : 1;
}
process.exit(failed ? 1 : 0);

/** Every folder named `name` under node_modules, nested ones included. */
function findAll(dir, name, out = []) {
  if (!existsSync(dir)) return out;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const path = join(dir, entry.name);
    if (entry.name.startsWith('@')) {
      for (const inner of readdirSync(path, { withFileTypes: true })) {
        const scoped = join(path, inner.name);
        if (`${entry.name}/${inner.name}` === name) out.push(scoped);
        findAll(join(scoped, 'node_modules'), name, out);
      }
    } else {
      findAll(join(path, 'node_modules'), name, out);
    }
  }
  return out;
}
