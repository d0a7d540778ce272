// One hostile-npz case in its own process: loadImdbNpz from the built library (dist/), the
// outcome as one JSON line on stdout ({ok} or {error: {code, message}}).
import { pathToFileURL } from 'node:url';

const [dist, file] = process.argv.slice(2);
const { loadImdbNpz } = await import(pathToFileURL(`${dist}/data/imdb_npz.js`).href);
const { Keras2TfjsError } = await import(pathToFileURL(`${dist}/errors.js`).href);
try {
  const data = loadImdbNpz(file);
  console.log(JSON.stringify({ ok: { train: data.train.sequences.length, val: data.val.sequences.length } }));
} catch (e) {
  const typed = e instanceof Keras2TfjsError;
  console.log(JSON.stringify({ error: { code: typed ? e.code : 'UNTYPED', message: String(e?.message ?? e) } }));
}
