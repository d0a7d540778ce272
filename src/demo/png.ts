/**
 * SVG → PNG with resvg (a small, maintained renderer whose prebuilt binary ships inside its npm
 * package, so it installs offline). It is an optional dependency: without it the demo still
 * writes the SVG and says the PNG was skipped.
 */
import { writeFileSync } from 'node:fs';

interface ResvgModule {
  Resvg: new (svg: string, options?: Record<string, unknown>) => { render(): { asPng(): Uint8Array } };
}

/** Writes `path` and returns it, or returns null when resvg is not installed. */
export async function writePng(svg: string, path: string): Promise<string | null> {
  let resvg: ResvgModule;
  try {
    resvg = (await import('@resvg/resvg-js' as string)) as ResvgModule;
  } catch {
    return null;
  }
  const png = new resvg.Resvg(svg, { background: 'white', font: { loadSystemFonts: true } }).render().asPng();
  writeFileSync(path, png);
  return path;
}
