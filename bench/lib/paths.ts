/**
 * Where the bench finds and puts things. The compiled bench runs from bench/.build/bench/,
 * so every path is resolved from the repository root, found once here.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRepoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'bench'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('bench: cannot find the repository root (package.json beside bench/)');
    dir = up;
  }
  return dir;
}

export const REPO_ROOT = findRepoRoot();
export const BENCH_DIR = join(REPO_ROOT, 'bench');
/** Generated inputs kept between runs (gitignored): the big model, training data, tfjs-node. */
export const CACHE_DIR = join(BENCH_DIR, '.cache');
export const RESULTS_DIR = join(BENCH_DIR, 'results');
export const SUMMARY_JSON = join(RESULTS_DIR, 'summary.json');
export const BENCHMARKS_MD = join(REPO_ROOT, 'BENCHMARKS.md');
/** The compiled section scripts (bench/.build/bench/sections/*.js). */
export const SECTIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'sections');
export const PYTHON_BENCH_DIR = join(BENCH_DIR, 'python');
/** tfjs-node built by scripts/setup_tfjs_node.sh for the bench, when the project has none. */
export const TFJS_NODE_PREFIX = join(CACHE_DIR, 'tfjs-node');

/** The project's Python with real Keras (python/requirements.txt), or KERAS2TFJS_BENCH_PYTHON. */
export function projectPython(): string {
  return process.env.KERAS2TFJS_BENCH_PYTHON ?? resolve(REPO_ROOT, '.venv', 'bin', 'python');
}
