/**
 * The command's exit statuses mean one thing each (src/cli/output.ts, README "exit status"):
 * 0 yes, 1 the input is the problem, 2 the command line is wrong, 3 keras2tfjs itself failed.
 */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/args.js';
import { EXIT_FAILURE, EXIT_INTERNAL, EXIT_USAGE, reportError } from '../../src/cli/output.js';
import { ErrorCode, Keras2TfjsError } from '../../src/errors.js';

function capture() {
  const out = { stdout: '', stderr: '' };
  return { io: { stdout: { write: (t: string) => (out.stdout += t) }, stderr: { write: (t: string) => (out.stderr += t) } }, out };
}

describe('exit statuses', () => {
  it('a typed error about the input: 1, one line with its code', () => {
    const { io, out } = capture();
    const status = reportError(io, new Keras2TfjsError(ErrorCode.BAD_HDF5, 'model.h5: damaged'), false);
    expect(status).toBe(EXIT_FAILURE);
    expect(status).toBe(1);
    expect(out.stderr).toBe('keras2tfjs: model.h5: damaged [BAD_HDF5]\n');
  });

  it('a usage error: 2, with the usage line', () => {
    const { io, out } = capture();
    expect(reportError(io, new UsageError('missing <outDir>', 'convert'), false)).toBe(EXIT_USAGE);
    expect(EXIT_USAGE).toBe(2);
    expect(out.stderr).toMatch(/^keras2tfjs: missing <outDir>\nusage: keras2tfjs convert /);
  });

  it('anything else is a bug in keras2tfjs: 3, said as an internal error, in JSON too', () => {
    const { io, out } = capture();
    expect(reportError(io, new TypeError("Cannot read properties of undefined (reading 'x')"), true)).toBe(EXIT_INTERNAL);
    expect(EXIT_INTERNAL).toBe(3);
    expect(JSON.parse(out.stdout)).toEqual({
      error: { code: 'INTERNAL', message: "internal error: Cannot read properties of undefined (reading 'x')", file: null, layer: null },
    });
  });
});
