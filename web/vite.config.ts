/**
 * The conversion page (npm run build:web → web/dist; npm run web serves it on 127.0.0.1).
 * keras2tfjs is taken by its package name, as any app takes it. What is set here is the page's
 * own business: its folder, a module worker that loads chunks (h5wasm, the wasm backend) on
 * demand, and tfjs' .wasm files served beside the page (nothing is fetched from elsewhere).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));
const wasmDist = join(dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');

/** tfjs-backend-wasm's .wasm files at wasm/ in the build (chooseBackend({ wasmPaths })). */
function tfjsWasmFiles(): Plugin {
  return {
    name: 'keras2tfjs-tfjs-wasm-files',
    generateBundle() {
      for (const name of readdirSync(wasmDist).filter((f) => f.endsWith('.wasm'))) {
        this.emitFile({ type: 'asset', fileName: `wasm/${name}`, source: readFileSync(join(wasmDist, name)) });
      }
    },
  };
}

export default defineConfig({
  root: here,
  base: './',
  logLevel: 'warn',
  build: {
    outDir: join(here, 'dist'),
    emptyOutDir: true,
    target: 'es2022',
    // h5wasm (the HDF5 library, loaded only for files the TypeScript reader leaves to it) is ~4 MB.
    chunkSizeWarningLimit: 5000,
    // Rolldown reports which plugins took the build's time; not news for a page build.
    rolldownOptions: { checks: { pluginTimings: false } },
  },
  worker: { format: 'es', plugins: () => [tfjsWasmFiles()] },
  preview: { host: '127.0.0.1', port: 8080, strictPort: true },
});
