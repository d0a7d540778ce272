/**
 * Each bench section runs in its own Node process (one backend, one job), so sections do not
 * share JIT state, wasm memory or peak RSS. A section reads `--key value` flags, logs progress
 * to stderr, and prints its result as ONE JSON line on stdout, which the runner parses.
 */
export type SectionArgs = Record<string, string | true>;

export function parseFlags(argv: readonly string[]): SectionArgs {
  const out: SectionArgs = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new Error(`bench: unexpected argument '${arg}'`);
    const key = arg.slice(2);
    const next = argv[i + 1];
    if (next !== undefined && !next.startsWith('--')) {
      out[key] = next;
      i++;
    } else {
      out[key] = true;
    }
  }
  return out;
}

export function stringFlag(args: SectionArgs, key: string): string {
  const v = args[key];
  if (typeof v !== 'string') throw new Error(`bench: missing --${key} <value>`);
  return v;
}

export function log(message: string): void {
  process.stderr.write(`  ${message}\n`);
}

/** Runs `main` with the parsed flags and prints its result as the section's JSON line. */
export function runSection(main: (args: SectionArgs) => Promise<unknown>): void {
  main(parseFlags(process.argv.slice(2))).then(
    (result) => {
      process.stdout.write(JSON.stringify(result) + '\n');
    },
    (error: unknown) => {
      const msg = error instanceof Error ? (error.stack ?? error.message) : String(error);
      process.stderr.write(`bench section failed: ${msg}\n`);
      process.exitCode = 1;
    },
  );
}
