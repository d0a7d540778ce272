/**
 * Resumed training: the steps Keras took after loading model.keras (optimizer state included),
 * taken again in TypeScript with trainOnBatch on the same batches; each weight after every step,
 * and the losses, against Keras'.
 */
import { dispose } from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { compareValues, failed, guarded, type ParityCheck } from './checks.js';
import type { ModelUnderTest } from './model_source.js';
import { findWeight, inputTensors, targetTensors } from './model_io.js';
import type { ParityFixture } from './parity_fixture.js';

/** A recorded value left out of the checks, and why (parity.json says it cannot be compared). */
export interface NotCompared {
  name: string;
  why: string;
}

export async function resumeChecks(source: ModelUnderTest, fixture: ParityFixture, notes: string[], notCompared: NotCompared[]): Promise<ParityCheck[]> {
  const resume = fixture.json.resume;
  if (!resume) return [];
  for (const w of resume.weights) if (w.not_comparable) notCompared.push({ name: `resume: ${w.path}`, why: w.not_comparable });
  const names = [...resume.weights.filter((w) => !w.not_comparable).map((w) => `resume: ${w.path}`), 'resume: loss'];
  return guarded(names, async () => {
    const { model, notes: loadNotes } = await source.copy(true);
    notes.push(...loadNotes);
    try {
      return await train(model, fixture);
    } finally {
      model.optimizer?.dispose();
      model.dispose();
    }
  });
}

async function train(model: LayersModel, fixture: ParityFixture): Promise<ParityCheck[]> {
  const resume = fixture.json.resume!;
  const variables = resume.weights.map((entry) => findWeight(model, entry));
  const history = resume.weights.map((entry) => new Float32Array(resume.steps * entry.shape.reduce((p, d) => p * d, 1)));
  const losses = new Float32Array(resume.steps);
  for (const [step, [start, stop]] of resume.batches.entries()) {
    const xs = await inputTensors(model, fixture, start, stop);
    const ys = await targetTensors(model, fixture, resume.targets, start, stop);
    try {
      const logs = await model.trainOnBatch(xs.length === 1 ? xs[0] : xs, ys.length === 1 ? ys[0] : ys);
      losses[step] = Array.isArray(logs) ? logs[0] : logs;
    } finally {
      dispose([...xs, ...ys]);
    }
    variables.forEach((v, i) => {
      const values = v?.read();
      // A weight of another size fails its check below, on shape.
      if (values && values.size * resume.steps === history[i].length) history[i].set(values.dataSync(), step * values.size);
    });
  }
  const checks = resume.weights.map(async (entry, i): Promise<ParityCheck | null> => {
    if (entry.not_comparable) return null;
    const name = `resume: ${entry.path}`;
    const v = variables[i];
    if (!v) return failed(name, `the model has no weight '${entry.name}' in a layer '${entry.layer}'`);
    return compareValues(name, { shape: [resume.steps, ...v.read().shape], data: history[i] }, await fixture.array(entry.file), fixture.json.tolerances.resume_weights);
  });
  const all = (await Promise.all(checks)).filter((c): c is ParityCheck => c !== null);
  all.push(compareValues('resume: loss', { shape: [resume.steps], data: losses }, await fixture.array(resume.losses), fixture.json.tolerances.resume_losses));
  return all;
}
