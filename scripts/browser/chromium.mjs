/**
 * Headless Chromium for browser runs (the browser test suite, the README check, the bench's
 * browser training): nothing is downloaded, the browser is the system's (Debian:
 * `apt-get install chromium-headless-shell`), driven by playwright-core (a devDependency; its own
 * browser downloads are never used). Plain JavaScript, so that scripts and TypeScript tests
 * share it (types: chromium.d.mts).
 */
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

/** Where Chromium is looked for: $CHROMIUM_PATH, then Debian's headless shell and full browser. */
const CANDIDATES = ['/usr/bin/chromium-headless-shell', '/usr/bin/chromium', '/usr/bin/chromium-browser'];

export function chromiumPath() {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : null;
  return CANDIDATES.find((p) => existsSync(p)) ?? null;
}

/**
 * Launches headless Chromium with nothing that reaches the network (no component updates, sync,
 * background requests), no sandbox (root in a container), and, with `webgl`, WebGL through
 * SwiftShader, Chromium's CPU implementation of the GPU APIs (there is no GPU here).
 */
export async function launchChromium(options = {}) {
  const executablePath = chromiumPath();
  if (executablePath === null) {
    throw new Error('no Chromium found: apt-get install -y chromium-headless-shell (or set CHROMIUM_PATH)');
  }
  const args = [
    '--no-sandbox',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-dev-shm-usage',
    ...(options.webgl ? ['--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist'] : ['--disable-gpu']),
  ];
  return chromium.launch({ executablePath, args, headless: true });
}
