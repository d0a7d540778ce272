#!/usr/bin/env node
/**
 * The `keras2tfjs` binary (package.json "bin" → dist/cli/main.js).
 * Sets the exit status rather than calling process.exit, so piped stdout is flushed first.
 */
import { runCli } from './run.js';

process.exitCode = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
