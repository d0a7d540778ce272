/**
 * tfjs-node for the bench: the project's own install if a user has one, else the copy that
 * scripts/setup_tfjs_node.sh builds under bench/.cache/tfjs-node against the TensorFlow pip
 * wheel's libtensorflow (no download from outside the package registries). The full bench
 * builds it when missing; --quick only uses what is there.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { tfjsNodeLocation, tfjsNodeVersion } from './backends.js';
import { runScript } from './child.js';
import { REPO_ROOT, TFJS_NODE_PREFIX, projectPython } from './paths.js';
import type { ErrorLog } from '../run.js';

export interface TfjsNodeStatus {
  available: boolean;
  version: string | null;
  /** Where it loads from, or why it is not there. */
  note: string;
}

export function ensureTfjsNode(quick: boolean, logError: ErrorLog): TfjsNodeStatus {
  let where = tfjsNodeLocation();
  if (where === null && !quick) {
    if (!existsSync(projectPython())) {
      return { available: false, version: null, note: `no Python with TensorFlow at ${projectPython()} to build tfjs-node against` };
    }
    process.stderr.write('bench: building tfjs-node against the TensorFlow wheel (scripts/setup_tfjs_node.sh)\n');
    try {
      runScript('bash', [join(REPO_ROOT, 'scripts', 'setup_tfjs_node.sh'), '--prefix', TFJS_NODE_PREFIX, '--python', projectPython()]);
    } catch (e) {
      logError('tfjs-node setup', e);
    }
    where = tfjsNodeLocation();
  }
  if (where === null) {
    return {
      available: false,
      version: null,
      note: quick ? 'not installed (the full bench builds it; or run scripts/setup_tfjs_node.sh)' : 'setup failed',
    };
  }
  return { available: true, version: tfjsNodeVersion(), note: `loaded from ${where.replace(REPO_ROOT + '/', '')}` };
}
