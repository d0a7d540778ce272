/** Inference: `model.predict(x)` against Keras' `model.predict(x)`, output by output. */
import { dispose, type Tensor } from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { compareValues, guarded, type ParityCheck } from './checks.js';
import { inputTensors, outputsInModelOrder } from './model_io.js';
import type { ParityFixture } from './parity_fixture.js';

export async function inferenceChecks(model: LayersModel, fixture: ParityFixture): Promise<ParityCheck[]> {
  const recorded = fixture.json.inference.outputs;
  return guarded(recorded.map((e) => `inference: ${e.name}`), async () => {
    const expected = outputsInModelOrder(model, recorded);
    const inputs = await inputTensors(model, fixture, 0, fixture.json.rows);
    let outputs: Tensor[] = [];
    try {
      const predicted = model.predict(inputs.length === 1 ? inputs[0] : inputs);
      outputs = Array.isArray(predicted) ? predicted : [predicted];
      const checks: ParityCheck[] = [];
      for (const [j, entry] of expected.entries()) {
        const want = await fixture.array(entry.file);
        checks.push(compareValues(`inference: ${entry.name}`, { shape: outputs[j].shape, data: outputs[j].dataSync() }, want, fixture.json.tolerances.inference));
      }
      return checks;
    } finally {
      dispose([...inputs, ...outputs]);
    }
  });
}
