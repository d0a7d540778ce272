#!/usr/bin/env node
/**
 * The conversion page (web/dist) on a large model, in headless Chromium: how long the page's
 * worker takes to inspect and to convert it, and whether the page stays responsive meanwhile.
 * Responsiveness is the page's main thread as a user meets it: the longest gap between
 * animation frames, the long tasks (≥ 50 ms) the browser reports, and the slowest round trip of
 * a script run on the main thread every 100 ms from here (as a click's handler would run).
 *
 *   npm run build:web
 *   python bench/python/make_large_model.py --flavor keras3 --wide-units 12500 --keras-only bench/.cache
 *   node bench/browser/page_responsiveness.mjs bench/.cache/large_keras3_12500.keras [--webgl]
 *
 * Prints one JSON line (the measurements) on stdout, progress on stderr.
 */
import { statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../../scripts/browser/chromium.mjs';
import { serveFolder } from '../../scripts/browser/serve.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const model = process.argv[2] && resolve(process.argv[2]);
if (!model) {
  console.error('usage: node bench/browser/page_responsiveness.mjs <model.keras|.h5> [--webgl]');
  process.exit(2);
}
const webgl = process.argv.includes('--webgl');
const STEP_TIMEOUT_MS = 30 * 60_000;
const log = (m) => process.stderr.write(`  ${m}\n`);

/** Installed in the page: frame gaps and long tasks on its main thread. */
function monitorMainThread() {
  const m = { maxFrameGap: 0, frames: 0, longTasks: [] };
  let last = performance.now();
  const frame = (t) => {
    m.maxFrameGap = Math.max(m.maxFrameGap, t - last);
    m.frames++;
    last = t;
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  new PerformanceObserver((list) => list.getEntries().forEach((e) => m.longTasks.push(e.duration))).observe({ type: 'longtask' });
  globalThis.__monitor = m;
  globalThis.__resetMonitor = () => Object.assign(m, { maxFrameGap: 0, frames: 0, longTasks: [] }, (last = performance.now()) && {});
}

/** Runs `step` while pinging the main thread every 100 ms; the step's time and what the page felt. */
async function measured(page, name, step) {
  await page.evaluate(() => globalThis.__resetMonitor());
  let slowest = 0;
  let pings = 0;
  let stepping = true;
  const pinger = (async () => {
    while (stepping) {
      const t = performance.now();
      await page.evaluate(() => 0);
      slowest = Math.max(slowest, performance.now() - t);
      pings++;
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  const started = performance.now();
  try {
    await step();
  } finally {
    stepping = false;
    await pinger;
  }
  const seconds = (performance.now() - started) / 1000;
  const m = await page.evaluate(() => globalThis.__monitor);
  const result = {
    step: name,
    seconds: Number(seconds.toFixed(2)),
    max_frame_gap_ms: Math.round(m.maxFrameGap),
    frames: m.frames,
    long_tasks: m.longTasks.length,
    longest_task_ms: Math.round(Math.max(0, ...m.longTasks)),
    slowest_main_thread_round_trip_ms: Math.round(slowest),
    round_trips: pings,
  };
  log(JSON.stringify(result));
  return result;
}

const server = await serveFolder(join(ROOT, 'web', 'dist'));
const browser = await launchChromium({ webgl });
try {
  const page = await browser.newPage();
  page.on('pageerror', (e) => log(`page error: ${e.message}`));
  await page.goto(`${server.url}/`);
  await page.waitForSelector('#status:has-text("Drop a model")');
  await page.evaluate(monitorMainThread);
  log(`${model}: ${(statSync(model).size / 1e6).toFixed(0)} MB`);
  const steps = [];
  steps.push(
    await measured(page, 'pick and inspect', async () => {
      await page.setInputFiles('#pick-file', model);
      await page.waitForSelector('#status:has-text("Ready to convert"), #status.error', { timeout: STEP_TIMEOUT_MS });
    }),
  );
  const afterInspect = await page.textContent('#status');
  if (!afterInspect.startsWith('Ready')) throw new Error(`inspect failed: ${afterInspect}`);
  steps.push(
    await measured(page, 'convert and load', async () => {
      await page.click('#convert');
      await page.waitForSelector('#status:has-text("Converted."), #status.error', { timeout: STEP_TIMEOUT_MS });
    }),
  );
  const report = await page.textContent('#report');
  const backend = await page.textContent('#backend');
  process.stdout.write(`${JSON.stringify({ model, bytes: statSync(model).size, browser: browser.version(), backend, report, steps })}\n`);
} finally {
  await browser.close();
  await server.close();
}
