/**
 * What the numbers were measured on: the machine and every tool's version, recorded in the
 * same run as the numbers.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { REPO_ROOT, projectPython } from './paths.js';

export interface MachineInfo {
  cpu_model: string;
  cores: number;
  memory_gb: number;
  os: string;
  node: string;
  /** 1-minute load average when the run started and when it ended: other work on the machine. */
  load_average_1m: { start: number; end: number };
}

const LOAD_AT_START = os.loadavg()[0];

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpu_model: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memory_gb: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    load_average_1m: { start: Math.round(LOAD_AT_START * 100) / 100, end: Math.round(os.loadavg()[0] * 100) / 100 },
  };
}

const require = createRequire(import.meta.url);

/** Installed version of an npm package as this project resolves it. */
export function npmVersion(name: string): string | null {
  try {
    return (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    return null;
  }
}

export function packageVersion(): string {
  return (JSON.parse(readFileSync(`${REPO_ROOT}/package.json`, 'utf8')) as { version: string }).version;
}

export function gitCommit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}

/** `pip`-installed versions in a Python environment, without importing the packages. */
export function pythonVersions(python: string, packages: string[]): Record<string, string | null> {
  const script =
    'import json, sys\nfrom importlib.metadata import version, PackageNotFoundError\n' +
    'def v(n):\n  try: return version(n)\n  except PackageNotFoundError: return None\n' +
    'print(json.dumps({"python": sys.version.split()[0], **{n: v(n) for n in sys.argv[1:]}}))';
  try {
    return JSON.parse(execFileSync(python, ['-c', script, ...packages], { encoding: 'utf8' })) as Record<string, string | null>;
  } catch {
    return { python: null };
  }
}

/** Versions of everything measured: this package, tfjs, both Python environments. */
export function collectVersions(officialPython: string, tfjsNode: string | null): Record<string, unknown> {
  return {
    keras2tfjs: packageVersion(),
    git_commit: gitCommit(),
    node: process.version,
    tfjs_core: npmVersion('@tensorflow/tfjs-core'),
    tfjs_layers: npmVersion('@tensorflow/tfjs-layers'),
    tfjs_backend_wasm: npmVersion('@tensorflow/tfjs-backend-wasm'),
    tfjs_backend_cpu: npmVersion('@tensorflow/tfjs-backend-cpu'),
    tfjs_node: tfjsNode,
    python_keras_env: pythonVersions(projectPython(), ['tensorflow', 'keras', 'tf_keras', 'numpy', 'h5py']),
    official_converter_env: existsSync(officialPython)
      ? pythonVersions(officialPython, ['tensorflowjs', 'tensorflow', 'tf_keras', 'keras', 'ydf'])
      : null,
  };
}
