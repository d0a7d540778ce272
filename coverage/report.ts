/**
 * COVERAGE.md: one row per application, layer class, activation and operation family; one column
 * per file format; a cell says pass with the max |Δ| against Keras, or the mismatch, or the typed
 * refusal (code and reason), or why the format does not exist for that case.
 */
import { writeFile } from 'node:fs/promises';
import type { RowResult } from './convert_case.js';
import { ATOL, RTOL } from './tolerance.js';

export interface CaseMeta {
  formats?: string[];
  missing?: Record<string, string>;
  sizes?: Record<string, number>;
  inputs?: number;
  outputs?: number;
  params?: number;
  error?: string;
  absent?: string;
}

export interface Case {
  id: string;
  kind: 'application' | 'layer' | 'activation' | 'operations';
  name: string;
  framework: 'keras3' | 'tf_keras';
  dir: string;
  meta: CaseMeta;
}

export interface CaseList {
  cases: Case[];
  aliases: Record<string, string>;
  notAtInference: Record<string, string>;
  dataPipeline: Record<string, string>;
  versions: Record<string, string>;
  ci: boolean;
}

export interface Row {
  case: Case;
  format: string | null;
  result?: RowResult & { export?: { status: string; maxAbs?: number; message?: string } };
}

const COLUMNS: Array<[string, string, string]> = [
  ['keras3', 'keras', 'Keras 3 .keras'],
  ['keras3', 'h5', 'Keras 3 .h5'],
  ['tf_keras', 'h5', 'tf.keras .h5'],
  ['tf_keras', 'savedmodel', 'tf.keras SavedModel'],
];

const KINDS: Array<[Case['kind'], string]> = [
  ['application', 'keras.applications'],
  ['layer', 'keras.layers'],
  ['activation', 'Activations (as `Dense(activation=...)`)'],
  ['operations', 'Operations in functional graphs (keras.ops nodes, tf.keras TFOpLambda)'],
];

const same = (a: Case, b: Case): boolean => a.id === b.id && a.framework === b.framework;
const esc = (s: string): string => s.replace(/\|/g, '\\|').replace(/\s+/g, ' ');
const exp = (v: number | undefined): string => (v === undefined ? '' : v === Infinity ? '∞' : v.toExponential(1));

/** Strips the file name a converter message starts with. */
function reason(message: string | undefined): string {
  const text = (message ?? '').replace(/^[^:]*\.(keras|h5)(\/?): /, '').replace(/^savedmodel: /, '');
  return text.length > 160 ? `${text.slice(0, 157)}…` : text;
}

function cell(rows: Row[], c: Case | undefined, format: string): string {
  if (!c) return '';
  if (c.meta.absent) return '—';
  if (c.meta.error) return `not built: ${esc(reason(c.meta.error))}`;
  const row = rows.find((r) => same(r.case, c) && r.format === format);
  if (!row?.result) {
    const why = c.meta.missing?.[format];
    return why ? `n/a: ${esc(reason(why))}` : '';
  }
  const r = row.result;
  if (r.status === 'pass') return `✓ ${exp(r.maxAbs)}`;
  if (r.status === 'mismatch') return `✗ max \\|Δ\\| ${exp(r.maxAbs)}${r.message ? ` (${esc(r.message)})` : ''}`;
  return `✗ ${r.code ?? ''}: ${esc(reason(r.message))}`;
}

function exportCell(rows: Row[], cs: Case[]): string {
  const results = rows.filter((r) => cs.some((c) => same(c, r.case)) && r.result && (r.result.status === 'pass' || r.result.status === 'mismatch'));
  if (results.length === 0) return '';
  const failed = results.find((r) => r.result?.exportError || (r.result?.export && r.result.export.status !== 'pass'));
  if (!failed?.result) {
    const worst = Math.max(...results.map((r) => r.result?.export?.maxAbs ?? 0));
    return `✓ ${exp(worst)}`;
  }
  const f = failed.result;
  if (f.exportError) return `✗ ${esc(reason(f.exportError))}`;
  return `✗ ${f.export?.status}${f.export?.maxAbs !== undefined ? ` ${exp(f.export.maxAbs)}` : ''} ${esc(reason(f.export?.message))}`;
}

/** A case passes when every format it was saved in converts and matches Keras. */
function passes(rows: Row[], c: Case | undefined): boolean | null {
  if (!c || c.meta.absent) return null;
  if (c.meta.error) return null;
  const mine = rows.filter((r) => same(r.case, c) && r.result);
  if (mine.length === 0) return null;
  return mine.every((r) => r.result?.status === 'pass');
}

interface Tally {
  total: number;
  passed: number;
  failed: string[];
  /** Cases whose every converted file also goes back through exportKeras to the same predictions. */
  exported: number;
  notExported: string[];
}

function table(rows: Row[], list: CaseList, kind: Case['kind']): { lines: string[]; tally: Tally } {
  const names = [...new Set(list.cases.filter((c) => c.kind === kind).map((c) => c.name))];
  const lines = [
    `| ${kind === 'application' ? 'model' : kind === 'layer' ? 'class' : 'case'} | ${COLUMNS.map((c) => c[2]).join(' | ')} | exportKeras → Keras 3 |`,
    `|---|${COLUMNS.map(() => '---').join('|')}|---|`,
  ];
  const tally: Tally = { total: 0, passed: 0, failed: [], exported: 0, notExported: [] };
  for (const name of names) {
    const byFramework = (f: string): Case | undefined => list.cases.find((c) => c.kind === kind && c.name === name && c.framework === f);
    const cases = ['keras3', 'tf_keras'].map(byFramework).filter((c): c is Case => c !== undefined);
    const cells = COLUMNS.map(([f, format]) => cell(rows, byFramework(f), format));
    const exported = exportCell(rows, cases);
    lines.push(`| ${esc(name)} | ${cells.join(' | ')} | ${exported} |`);
    const verdicts = cases.map((c) => passes(rows, c)).filter((v): v is boolean => v !== null);
    if (verdicts.length === 0) continue;
    tally.total++;
    if (verdicts.every(Boolean)) tally.passed++;
    else tally.failed.push(name);
    if (exported.startsWith('✓')) tally.exported++;
    else tally.notExported.push(name);
  }
  return { lines, tally };
}

const pct = (passed: number, total: number): string => (total === 0 ? 'n/a' : `${passed}/${total} (${((100 * passed) / total).toFixed(1)}%)`);

function summary(title: string, t: Tally): string {
  const converted = `${pct(t.passed, t.total)} convert and match Keras in every format${t.failed.length ? ` (not yet: ${t.failed.join(', ')})` : ''}`;
  const exported = `${pct(t.exported, t.total)} also go back through exportKeras${t.notExported.length ? ` (not: ${t.notExported.join(', ')})` : ''}`;
  return `- ${title}: ${converted}; ${exported}`;
}

export async function writeReport(out: string, list: CaseList, rows: Row[], run: { ci: boolean; seconds: number }): Promise<void> {
  const sections = KINDS.map(([kind, title]) => ({ kind, title, ...table(rows, list, kind) }));
  const v = list.versions;
  const lines: string[] = [
    '# Coverage: the Keras models keras2tfjs converts',
    '',
    `Generated by \`npm run coverage${run.ci ? ' -- --ci' : ''}\` in ${run.seconds} s with Keras ${v.keras}, tf_keras ${v.tf_keras}, TensorFlow ${v.tensorflow}` +
      `${run.ci ? ' (the CI subset: applications whose files stay under 100 MB)' : ''}. Every model is built by real Keras ` +
      '(coverage/build_models.py), saved in each format its framework writes, converted by keras2tfjs, run in tfjs (wasm) on the inputs Keras ran, ' +
      `and compared value by value: ✓ means every output is within ${ATOL} + ${RTOL}·|Keras| (float32 summation order through deep networks; ` +
      'see coverage/tolerance.ts) and shows the largest |Δ|. The last column is the model written back by `exportKeras` and loaded by Keras 3: ' +
      'it must predict what tfjs predicted. ✗ shows the typed refusal (error code: reason) or the mismatch; n/a: the format does not exist for the case.',
    '',
    '## Summary',
    '',
    ...sections.map((s) => summary(s.title, s.tally)),
    '',
  ];
  for (const s of sections) {
    lines.push(`## ${s.title}`, '', ...s.lines, '');
  }
  const aliasLines = Object.entries(list.aliases).map(([a, t]) => `${a} (= ${t})`);
  lines.push(
    '## Not counted',
    '',
    `Aliases, reported with the class they name: ${aliasLines.join(', ')}.`,
    '',
    '| class | why it is not a layer of an inference model here |',
    '|---|---|',
    ...Object.entries(list.notAtInference).map(([k, why]) => `| ${k} | ${esc(why)} |`),
    ...Object.entries(list.dataPipeline).map(([k, why]) => `| ${k} | data pipeline: ${esc(why)} |`),
    '',
  );
  await writeFile(out, lines.join('\n'));
}
