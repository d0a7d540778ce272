/**
 * The words the `keras2tfjs` command prints about itself: one usage line per command
 * (printed after a usage error) and the full help.
 */

export const USAGE_LINES = [
  'keras2tfjs convert <input> <outDir> [--lambda <name>=<Class>[:<json>]]... [--exact-dropout] [--rng tensorflow|jax]',
  '                   [--config <model.json|config.json>] [--quantize float16|uint8|uint16] [--shard-size-mb N]',
  '                   [--max-decode-ratio N] [--json]',
  'keras2tfjs inspect <input> [--lambda <name>=<Class>[:<json>]]... [--exact-dropout] [--rng tensorflow|jax] [--config <file>]',
  '                   [--max-decode-ratio N] [--json]',
  'keras2tfjs demo [--imdb <imdb.npz>] [--epochs N] [--seed N] [--out <dir>] [--backend cpu|wasm|tensorflow] [--json]',
  'keras2tfjs verify <model> <fixtureDir> [--lambda <name>=<Class>[:<json>]]... [--json]',
];

/** The short usage line for one command (or all of them). */
export function usageFor(command?: string): string {
  const lines =
    command === 'convert'
      ? USAGE_LINES.slice(0, 3)
      : command === 'inspect'
        ? USAGE_LINES.slice(3, 5)
        : command === 'demo'
          ? [USAGE_LINES[5]]
          : command === 'verify'
            ? [USAGE_LINES[6]]
            : USAGE_LINES;
  return `usage: ${lines.join('\n       ')}`;
}

export const HELP = `keras2tfjs: Keras models (.keras, .h5, tf.keras SavedModel) to TensorFlow.js LayersModels, without Python.

${usageFor()}

Commands:
  convert <input> <outDir>   Convert a Keras model file or SavedModel directory into outDir
                             (model.json + weight shards). Written atomically: on failure
                             nothing is left behind.
  inspect <input>            List the layers, output shapes, parameter counts, source format,
                             Keras version, every Lambda with how it would be mapped, and
                             whether the model converts (and if not, why). Takes the same
                             --lambda, --exact-dropout, --rng, --config and
                             --max-decode-ratio as convert.
  demo                       The main job on the bundled model: convert the Python-trained seed
                             model (its dropout Lambda → ManualDropout), check parity with Python
                             Keras in both learning phases, fine-tune with and without dropout,
                             chart the losses, predict with dropout off and with MC dropout, and
                             export back to .keras. --imdb trains on the real Keras IMDB file.
  verify <model> <fixtureDir>
                             Check a model (Keras file, tfjs model.json folder) against a parity
                             fixture keras2tfjs.export_parity_fixture wrote in Python: inference,
                             training-phase outputs and dropout masks, resumed training. Prints
                             each check's max |Δ| and tolerance; exit 0 if all pass, 1 if any fails.

Options (convert, and inspect where they apply):
  --lambda <name>=<Class>[:<json>]
                             Map a Lambda layer, by its Python function name or its layer name,
                             to a registered TensorFlow.js layer class with that config.
                             Repeatable. Example: --lambda 'dropout=ManualDropout:{"rate":0.5}'
  --exact-dropout            Turn built-in Dropout layers into ManualDropout, which draws Keras'
                             own dropout masks (see --rng).
  --rng tensorflow|jax       Which Keras backend's random stream ManualDropout replays
                             (default: the backend the file records, else tensorflow).
  --config <file>            The architecture (model.json or config.json) for a weights-only .h5.
  --quantize float16|uint8|uint16
                             Store weights quantized (smaller files, approximate values).
  --shard-size-mb N          Largest weight shard, in MiB (default 4).
  --max-decode-ratio N       Reading may decode (inflate, expand) to N times the input's size,
                             at least 128 MiB (default 100): the guard against decompression
                             bombs. Raise it for a genuine file with very compressible weights.

Options (all):
  --json                     Print one JSON object on stdout (the report, or {"error": {...}}).
  -h, --help                 Show this help.
  -v, --version              Show the version.

Exit status:
  0  done, and the answer is yes (converted; inspect: it converts; demo ran)
  1  the input is the problem: a typed error about the file, or a model that would not convert
  2  the command line is wrong (unknown flag, missing argument, bad value)
  3  keras2tfjs itself failed (an internal error: please report it, with KERAS2TFJS_DEBUG=1 output)`;
