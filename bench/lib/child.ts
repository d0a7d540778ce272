/**
 * Starting the bench's child processes: section scripts (one JSON line back), Python scripts,
 * and whole commands timed by bench/python/run_timed.py (wall time + peak RSS).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { PYTHON_BENCH_DIR, REPO_ROOT, SECTIONS_DIR, projectPython } from './paths.js';

/** TensorFlow's C++ start-up chatter (CUDA probing, CPU features) is noise in bench logs. */
const QUIET_TF = { TF_CPP_MIN_LOG_LEVEL: '3' };

function lastJsonLine(stdout: string, what: string): unknown {
  const lines = stdout.trim().split('\n');
  const last = lines[lines.length - 1];
  try {
    return JSON.parse(last);
  } catch {
    throw new Error(`${what}: no JSON result line (stdout ended with: ${last?.slice(0, 200)})`);
  }
}

/** Runs the section `name` (bench/sections/<name>.ts, compiled) with flags; returns its JSON. */
export function runSectionProcess<T>(name: string, flags: string[]): T {
  const script = join(SECTIONS_DIR, `${name}.js`);
  const r = spawnSync(process.execPath, [script, ...flags], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...QUIET_TF },
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`section ${name} ${flags.join(' ')} exited with ${r.status ?? r.signal}`);
  return lastJsonLine(r.stdout, `section ${name}`) as T;
}

/** Runs a Python script of bench/python with the given interpreter; returns its JSON line. */
export function runPythonScript<T>(python: string, script: string, args: string[], env: Record<string, string> = {}): T {
  const r = spawnSync(python, [join(PYTHON_BENCH_DIR, script), ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...QUIET_TF, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) {
    throw new Error(`${script} exited with ${r.status ?? r.signal}: ${tail(r.stderr, 3)}`);
  }
  return lastJsonLine(r.stdout, script) as T;
}

/** Runs a shell script to completion with its output shown; throws if it fails. */
export function runScript(command: string, args: string[], env: Record<string, string> = {}): void {
  const r = spawnSync(command, args, { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${r.status ?? r.signal}`);
}

export interface TimedRun {
  seconds: number;
  peak_rss_mb: number;
  returncode: number;
  /** The command's last meaningful output line when it failed (its error). */
  error?: string;
}

/** Times `command` as a whole process (wall time, peak RSS) through run_timed.py. */
export function runTimed(command: string[], env: Record<string, string> = {}): TimedRun {
  const python = existsSync(projectPython()) ? projectPython() : 'python3';
  const envFlags = Object.entries({ ...QUIET_TF, ...env }).flatMap(([k, v]) => ['--env', `${k}=${v}`]);
  const r = spawnSync(python, [join(PYTHON_BENCH_DIR, 'run_timed.py'), ...envFlags, '--', ...command], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`run_timed.py ${command.join(' ')} exited with ${r.status ?? r.signal}`);
  const out = lastJsonLine(r.stdout, 'run_timed.py') as TimedRun & { log: string };
  const result: TimedRun = { seconds: out.seconds, peak_rss_mb: out.peak_rss_mb, returncode: out.returncode };
  if (out.returncode !== 0) result.error = errorLine(readFileSync(out.log, 'utf8'));
  rmSync(out.log, { force: true });
  return result;
}

/** The line that names the error in a failed tool's output (Python traceback or Node error). */
export function errorLine(output: string): string {
  const lines = output
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^(I|W|E)0000 |^WARNING: All log messages|^\d{4}-\d\d-\d\d \d\d:/.test(l));
  const named = [...lines].reverse().find((l) => /^[\w.]*(Error|Exception)\b|^Error:/.test(l));
  return (named ?? lines[lines.length - 1] ?? '').slice(0, 400);
}

function tail(text: string, n: number): string {
  return text.trim().split('\n').slice(-n).join(' | ');
}
