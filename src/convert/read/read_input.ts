/** Any ModelInput → SourceModel: resolved to a path or bytes (model_input.ts), then read (read_source.ts). */
import { needFileSystem } from '../../platform.js';
import type { SourceModel } from '../intermediate.js';
import { resolveInput, type ModelInput } from './model_input.js';
import { readSource, type ReadOptions } from './read_source.js';

export async function readInput(input: ModelInput, options: ReadOptions = {}): Promise<SourceModel> {
  if (typeof options.config === 'string') {
    needFileSystem(`the \`config\` option '${options.config}'`, 'pass the parsed architecture (an object) instead of its path');
  }
  const resolved = await resolveInput(input, options.fileName);
  if (resolved.kind === 'path') return readSource(resolved.path, options);
  return readSource(resolved.bytes, { ...options, fileName: resolved.name, owned: resolved.owned });
}
