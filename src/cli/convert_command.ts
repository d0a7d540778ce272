/**
 * `keras2tfjs convert <input> <outDir> ...`: one call to the library's convertToDirectory,
 * then the report, as text or as one JSON object.
 */
import { convertToDirectory, type ConversionReport, type ConvertOptions } from '../convert/convert.js';
import type { ConvertCommand } from './args.js';
import { EXIT_OK, groupThousands, printJson, type CliIo } from './output.js';
import { progressFor } from './progress.js';

const MIB = 1024 * 1024;

export async function runConvert(cmd: ConvertCommand, io: CliIo): Promise<number> {
  const progress = await progressFor(io, cmd.input, cmd.json);
  const options: ConvertOptions = {
    lambdas: cmd.lambdas,
    exactDropout: cmd.exactDropout,
    onProgress: (fraction, stage) => progress.update(fraction, stage),
  };
  if (cmd.rng) options.rng = cmd.rng;
  if (cmd.config) options.config = cmd.config;
  if (cmd.quantize) options.quantize = cmd.quantize;
  if (cmd.shardSizeMb !== undefined) options.shardSizeBytes = Math.max(1, Math.round(cmd.shardSizeMb * MIB));
  if (cmd.maxDecodeRatio !== undefined) options.maxDecodeRatio = cmd.maxDecodeRatio;
  let report: ConversionReport;
  try {
    report = await convertToDirectory(cmd.input, cmd.outDir, options);
  } finally {
    progress.stop();
  }
  if (cmd.json) {
    printJson(io, report);
    return EXIT_OK;
  }
  io.stdout.write(describeReport(report));
  for (const w of report.warnings) io.stderr.write(`keras2tfjs: warning: ${w}\n`);
  return EXIT_OK;
}

/** The few lines a person wants after a conversion. */
export function describeReport(r: ConversionReport): string {
  const version = r.kerasVersion ? `, Keras ${r.kerasVersion}` : '';
  const files = r.files ?? [];
  const shards = files.filter((f) => f.endsWith('.bin')).length;
  const lines = [
    `converted ${r.file} (${r.format}${version}) → ${r.outputDir ?? ''}`,
    `  ${r.modelClass}: ${r.layers.length} layers, ${groupThousands(r.parameterCount)} parameters, ` +
      `${formatBytes(r.weightBytes)} of weights in ${shards} shard${shards === 1 ? '' : 's'}` +
      (r.quantize ? ` (quantized to ${r.quantize})` : ''),
  ];
  for (const m of r.mappings) {
    const fn = m.functionName ? ` (function ${m.functionName})` : '';
    lines.push(`  ${m.layer}: ${m.sourceClass}${fn} → ${m.targetClass} ${JSON.stringify(m.targetConfig)}`);
  }
  return `${lines.join('\n')}\n`;
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < MIB) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / MIB).toFixed(1)} MiB`;
}
