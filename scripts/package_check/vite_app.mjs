#!/usr/bin/env node
/**
 * Issue 12's "done when": an app made with `npm create vite@latest` (vanilla-ts) that adds
 * keras2tfjs and @tensorflow/tfjs builds with no extra configuration, and runs. Exactly as a
 * user does it: create-vite from the npm registry, `npm install` (the template's own TypeScript
 * and Vite), `npm install <packed keras2tfjs> @tensorflow/tfjs`, src/main.ts replaced by a page
 * that uses keras2tfjs (vite_app_main.ts), the model and Python's arrays in public/, then the
 * template's `npm run build` (tsc && vite build) and `npm run dev`; both are opened in headless
 * Chromium and must convert the model and predict what Python predicted. Needs the npm registry.
 */
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../browser/chromium.mjs';
import { serveFolder } from '../browser/serve.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The README's tolerance for converted models' outputs (float32 summation order). */
const PARITY_ATOL = 1e-5;
const TFJS = '4.22.0';
const sh = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: 'true' } });
const npm = (args, cwd) => sh('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], cwd);

/** Opens `url` in Chromium and returns the page's `appResult`. */
async function runApp(url) {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    const result = await page.waitForFunction(() => window.appResult, null, { timeout: 180_000 }).then((h) => h.jsonValue());
    return { ...result, pageErrors: errors };
  } finally {
    await browser.close();
  }
}

function verdict(what, result) {
  const ok = !result.error && result.pageErrors.length === 0 && result.parameters === 160_305 && result.maxDiff <= PARITY_ATOL && result.mcStd > 0 && result.kerasBytes > 0;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}: ${JSON.stringify(result)}`);
  return ok;
}

const work = mkdtempSync(join(tmpdir(), 'k2t-vite-app-'));
let ok = true;
try {
  const tarball = join(work, JSON.parse(npm(['pack', '--json', '--pack-destination', work], ROOT))[0].filename);
  sh('npm', ['create', '--yes', 'vite@latest', 'app', '--', '--template', 'vanilla-ts', '--no-interactive'], work);
  const app = join(work, 'app');
  const template = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8'));
  npm(['install'], app);
  npm(['install', tarball, `@tensorflow/tfjs@${TFJS}`], app);
  const installed = (name) => JSON.parse(readFileSync(join(app, 'node_modules', name, 'package.json'), 'utf8')).version;
  console.log(`create-vite vanilla-ts: typescript ${installed('typescript')} (template: ${template.devDependencies.typescript}), vite ${installed('vite')}, @tensorflow/tfjs ${installed('@tensorflow/tfjs')}`);
  copyFileSync(join(ROOT, 'scripts', 'package_check', 'vite_app_main.ts'), join(app, 'src', 'main.ts'));
  for (const [from, to] of [['seed_lambda/model.keras', 'model.keras'], ['seed_lambda/x.npy', 'x.npy'], ['seed_lambda/y_infer.npy', 'y_infer.npy']]) {
    copyFileSync(join(ROOT, 'fixtures', from), join(app, 'public', to));
  }

  const build = sh('npm', ['run', 'build'], app);
  console.log(build.trim().split('\n').map((l) => `     | ${l.trim()}`).join('\n'));
  const server = await serveFolder(join(app, 'dist'));
  try {
    ok = verdict('npm run build (tsc && vite build), the built page', await runApp(`${server.url}/`)) && ok;
  } finally {
    await server.close();
  }

  // `npm run dev`: Vite's dev server, which pre-bundles the dependencies its own way.
  const dev = spawn('npm', ['run', 'dev', '--', '--host', '127.0.0.1', '--port', '0', '--strictPort', 'false'], { cwd: app, env: { ...process.env, CI: 'true' }, detached: true });
  try {
    const url = await new Promise((resolve, reject) => {
      let text = '';
      const timer = setTimeout(() => reject(new Error(`no dev server address after 60 s:\n${text}`)), 60_000);
      dev.stdout.on('data', (d) => {
        text += d;
        const m = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(text.replace(/\x1b\[[0-9;]*m/g, ''));
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      dev.on('exit', (code) => reject(new Error(`npm run dev exited (${code}):\n${text}`)));
    });
    ok = verdict('npm run dev, the dev server', await runApp(url)) && ok;
  } finally {
    process.kill(-dev.pid, 'SIGTERM');
  }
} catch (e) {
  ok = false;
  console.log(`FAIL ${String(e.stderr ?? '')}${String(e.stdout ?? '')}${e.stack ?? e}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
process.exit(ok ? 0 : 1);
