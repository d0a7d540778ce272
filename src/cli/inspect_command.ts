/**
 * `keras2tfjs inspect <input>`: one call to the library's inspect, then its report as a
 * table, or as one JSON object. The exit status answers "does it convert?": 0 yes, 1 no (the
 * report says why and how to fix it), as `convert` would exit on the same input.
 */
import { chooseBackend } from '../backend.js';
import { inspect, type InspectOptions, type InspectReport } from '../convert/inspect.js';
import type { InspectCommand } from './args.js';
import { EXIT_FAILURE, EXIT_OK, groupThousands, printJson, type CliIo } from './output.js';

export async function runInspect(cmd: InspectCommand, io: CliIo): Promise<number> {
  const options: InspectOptions = { lambdas: cmd.lambdas, exactDropout: cmd.exactDropout };
  if (cmd.rng) options.rng = cmd.rng;
  if (cmd.config) options.config = cmd.config;
  if (cmd.maxDecodeRatio !== undefined) options.maxDecodeRatio = cmd.maxDecodeRatio;
  // inspect builds the converted model in tfjs to compute output shapes: it needs a backend
  // (tfjs-node if installed, else wasm, else cpu; KERAS2TFJS_BACKEND forces one).
  await chooseBackend({ quiet: true });
  const report = await inspect(cmd.input, options);
  if (cmd.json) printJson(io, report);
  else io.stdout.write(describeInspection(report));
  return report.convertible ? EXIT_OK : EXIT_FAILURE;
}

const shape = (s: InspectReport['layers'][number]['outputShape']): string => (s === null ? '?' : JSON.stringify(s).replace(/,/g, ', '));

/** A table of layers, then Lambdas, unknown classes and the verdict. */
export function describeInspection(r: InspectReport): string {
  const version = r.kerasVersion ? `, Keras ${r.kerasVersion}` : '';
  const lines = [
    `${r.file}: ${r.format}${version}, ${r.modelClass}, ${r.layers.length} layers, ${groupThousands(r.totalParameters)} parameters`,
  ];
  const rows = [
    ['layer', 'class', 'tfjs class', 'output shape', 'parameters'],
    ...r.layers.map((l) => [l.name, l.sourceClass, l.targetClass ?? '-', shape(l.outputShape), groupThousands(l.parameters)]),
  ];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  for (const row of rows) lines.push(`  ${row.map((cell, c) => (c === 4 ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ')}`.trimEnd());
  for (const l of r.lambdas) {
    const fn = l.functionName ? `function ${l.functionName}` : 'anonymous lambda';
    const read = l.names.length > 0 ? `, uses ${l.names.join(', ')}` : '';
    const target = l.mappedTo ? `mapped to ${l.mappedTo.className}${l.mappedTo.config ? ` ${JSON.stringify(l.mappedTo.config)}` : ''}` : `map it with ${l.suggestedFlag}`;
    lines.push(`Lambda ${l.layer} (${fn}${read}): ${target}`);
  }
  if (r.unknownClasses.length > 0) lines.push(`Classes neither tfjs nor keras2tfjs implements: ${r.unknownClasses.join(', ')}`);
  for (const w of r.warnings) lines.push(`warning: ${w}`);
  lines.push(r.convertible ? 'Converts: yes' : `Converts: no: ${r.problem?.message ?? 'unknown reason'} [${r.problem?.code ?? 'UNKNOWN'}]`);
  return `${lines.join('\n')}\n`;
}
