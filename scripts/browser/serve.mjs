/**
 * Static files for a browser run, on 127.0.0.1 at a free port: exactly the routes given
 * (`serveFiles`), or a folder (`serveFolder`). Shared by the browser tests and the README check
 * (types: serve.d.mts).
 */
import { readFile, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

const TYPES = {
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.wasm': 'application/wasm',
  '.html': 'text/html',
  '.json': 'application/json',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

async function listen(handler) {
  const server = createServer(handler);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * Cross-origin isolation (COOP + COEP): the page gets SharedArrayBuffer, so tfjs' wasm backend
 * loads its multi-threaded build.
 */
export const CROSS_ORIGIN_ISOLATED = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };

function send(res, status, body, type, headers = {}) {
  res.writeHead(status, { ...headers, 'content-type': type ?? 'application/octet-stream', 'cache-control': 'no-store' }).end(body);
}

/**
 * Serves exactly `routes` (path → { file } or { body }, with an optional type), with `headers`
 * on every response; anything else is 404.
 */
export function serveFiles(routes, headers = {}) {
  return listen((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]);
    const route = routes[path];
    if (!route) return send(res, 404, '', undefined, headers);
    const type = route.type ?? TYPES[extname(path)];
    if ('body' in route) return send(res, 200, route.body, type, headers);
    readFile(route.file).then((b) => send(res, 200, b, type, headers), () => send(res, 500, '', undefined, headers));
  });
}

/** Serves the files under `dir` (following links; nothing outside it by path); '/' is index.html. */
export function serveFolder(dir) {
  return listen(async (req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]);
    const file = normalize(join(dir, path === '/' ? 'index.html' : path));
    if (file !== dir && !file.startsWith(dir.endsWith(sep) ? dir : dir + sep)) return send(res, 403, '');
    try {
      if (!(await stat(file)).isFile()) return send(res, 404, '');
      send(res, 200, await readFile(file), TYPES[extname(file)]);
    } catch {
      send(res, 404, '');
    }
  });
}
