/**
 * Does a converted model load in TensorFlow.js? Loads `--dir` (model.json + shards) with
 * tfjs-layers through keras2tfjs' fileSystem handler on the cpu backend, and reports the
 * error tfjs raises if it cannot. Used on the official converter's outputs.
 *
 * Flags: --dir DIR
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { fileSystem } from '../../src/index.js';
import { switchTo } from '../lib/backends.js';
import { runSection, stringFlag } from '../lib/section.js';

export interface LoadCheckResult {
  loads: boolean;
  params?: number;
  error?: string;
}

async function main(args: Record<string, string | true>): Promise<LoadCheckResult> {
  await switchTo('cpu');
  try {
    const model = await tfl.loadLayersModel(fileSystem(stringFlag(args, 'dir')));
    const params = model.countParams();
    model.dispose();
    return { loads: true, params };
  } catch (e) {
    return { loads: false, error: (e instanceof Error ? e.message : String(e)).split('\n')[0] };
  }
}

runSection(main);
