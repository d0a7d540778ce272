/**
 * A ParityReport as the table people read (the CLI prints it; expectParity throws it):
 *
 *   check                      max |Δ|   tolerance  result
 *   inference: label           5.96e-8   1.00e-5    pass
 *   mask call 0: dropout       0         exact      pass
 *   resume: dense/kernel       —         —          FAIL  the model has no weight 'kernel' in a layer 'dense'
 */
import type { ParityReport } from './verify_parity.js';

export function formatParityReport(report: ParityReport): string {
  const versions = report.madeWith.versions;
  const backendVersion = report.backend === 'jax' ? versions.jax : versions.tensorflow;
  const madeWith = `Keras ${versions.keras ?? '?'} on ${report.backend}${backendVersion ? ` ${backendVersion}` : ''}${report.madeWith.cpu ? `, ${report.madeWith.cpu}` : ''}`;
  const lines = [`${report.model} against the parity fixture ${report.fixture} (${madeWith})`];
  const rows = [
    ['check', 'max |Δ|', 'tolerance', 'result'],
    ...report.checks.map((c) => [c.name, number(c.maxAbsDiff), c.tolerance === 0 ? 'exact' : number(c.tolerance), c.pass ? 'pass' : 'FAIL']),
  ];
  const widths = rows[0].map((_, col) => Math.max(...rows.map((row) => row[col].length)));
  rows.forEach((row, i) => {
    const detail = i > 0 && !report.checks[i - 1].pass && report.checks[i - 1].detail ? `  ${report.checks[i - 1].detail}` : '';
    lines.push(`  ${row.map((cell, col) => cell.padEnd(widths[col])).join('  ').trimEnd()}${detail}`);
  });
  for (const n of report.notRecorded) {
    lines.push(`not recorded (${n.what}${n.layer ? `, layer '${n.layer}'` : ''}): ${n.why}; ${n.fix}`);
  }
  for (const n of report.notCompared) lines.push(`not compared (${n.name}): ${n.why}`);
  for (const note of report.notes) lines.push(`note: ${note}`);
  const failed = report.checks.filter((c) => !c.pass).length;
  lines.push(
    report.checks.length === 0
      ? 'No checks: the fixture records nothing this model can be compared on.'
      : failed === 0
        ? report.checks.length === 1
          ? 'The one check passes.'
          : `All ${report.checks.length} checks pass.`
        : `${failed} of ${report.checks.length} checks FAIL.`,
  );
  return `${lines.join('\n')}\n`;
}

function number(v: number | null): string {
  if (v === null || Number.isNaN(v)) return '—';
  if (Number.isInteger(v)) return String(v);
  return v.toExponential(2);
}
