import type { Browser } from 'playwright-core';

/** $CHROMIUM_PATH, or the first of Debian's Chromium binaries that exists, or null. */
export function chromiumPath(): string | null;

export interface LaunchOptions {
  /** WebGL through SwiftShader (`--use-angle=swiftshader --enable-unsafe-swiftshader`); without it the GPU is off. */
  webgl?: boolean;
}

export function launchChromium(options?: LaunchOptions): Promise<Browser>;
