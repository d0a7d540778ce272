/**
 * `verifyParity(model, fixtureDir)`: does this TypeScript model do what Keras did? Every check a
 * parity fixture allows (see the README of this folder), each with its max |Δ|, its bound and
 * the verdict; what the fixture could not record is listed, not counted as passed.
 */
import { engine } from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { chooseBackend } from '../backend.js';
import type { LambdaMappings } from '../convert/normalize/layer_map.js';
import type { ParityCheck } from './checks.js';
import { inferenceChecks } from './inference_checks.js';
import { modelUnderTest } from './model_source.js';
import { ParityFixture, type NotRecorded } from './parity_fixture.js';
import { resumeChecks, type NotCompared } from './resume_checks.js';
import { trainingChecks } from './training_checks.js';

export type { ParityCheck } from './checks.js';
export type { NotRecorded } from './parity_fixture.js';
export type { NotCompared } from './resume_checks.js';

export interface VerifyParityOptions {
  /** Lambda layers of a Keras file → registered tfjs classes, as for `convert` (`--lambda`). */
  lambdas?: LambdaMappings;
}

export interface ParityReport {
  /** The fixture folder. */
  fixture: string;
  /** The model checked: its path, or 'the given LayersModel'. */
  model: string;
  /** The Keras backend that made the fixture, whose dropout stream the checks replay. */
  backend: 'tensorflow' | 'jax';
  /** What made the fixture: versions, and the CPU. */
  madeWith: { versions: Record<string, string | boolean>; cpu: string | null };
  /** True when every check passed. */
  pass: boolean;
  checks: ParityCheck[];
  /** What the fixture could not record (not checked), with why and the fix. */
  notRecorded: NotRecorded[];
  /** Recorded values the fixture marks as not comparable (noise in both frameworks), with why. */
  notCompared: NotCompared[];
  /** Notes from loading the model (compile settings not reproduced, optimizer state not restored). */
  notes: string[];
}

export async function verifyParity(model: string | LayersModel, fixtureDir: string, options: VerifyParityOptions = {}): Promise<ParityReport> {
  const fixture = await ParityFixture.open(fixtureDir);
  // The app's backend if it chose one; else the best available (tfjs-node, wasm, cpu).
  if (engine().backendNames().length === 0) await chooseBackend({ quiet: true });
  const source = await modelUnderTest(model, { backend: fixture.json.backend, lambdas: options.lambdas });
  const notes: string[] = [];
  const { model: copy, notes: loadNotes } = await source.copy(false);
  notes.push(...loadNotes);
  const checks: ParityCheck[] = [];
  try {
    checks.push(...(await inferenceChecks(copy, fixture)));
    checks.push(...(await trainingChecks(copy, fixture)));
  } finally {
    copy.dispose();
  }
  const notCompared: NotCompared[] = [];
  checks.push(...(await resumeChecks(source, fixture, notes, notCompared)));
  return {
    fixture: fixtureDir,
    model: source.label,
    backend: fixture.json.backend,
    madeWith: { versions: fixture.json.versions, cpu: fixture.json.made_on?.cpu ?? null },
    pass: checks.length > 0 && checks.every((c) => c.pass),
    checks,
    notRecorded: fixture.json.not_recorded ?? [],
    notCompared,
    notes: [...new Set(notes)],
  };
}
