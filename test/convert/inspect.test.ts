/**
 * inspect(): layers, classes, output shapes and parameter counts of a model; each Lambda with
 * what its bytecode or config names and the flag that maps it; the reason a model would not
 * convert. Checked on the seed model (Keras 3 and tf_keras) and the small models of test/convert/data
 * (third-party files: test/corpus/inspect_corpus.test.ts).
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { inspect } from '../../src/convert/inspect.js';
import { switchBackend } from '../helpers/backends.js';
import { fixturePath } from '../helpers/fixtures.js';

const DATA = join(import.meta.dirname, 'data');

beforeAll(() => switchBackend('cpu'));

describe('inspect', () => {
  it('lists the seed model and its unmapped dropout Lambda with the flag that maps it', async () => {
    const r = await inspect(fixturePath('seed_lambda', 'model.keras'));
    expect(r).toMatchObject({ format: 'keras-zip', kerasVersion: '3.15.1', modelClass: 'Sequential', convertible: false, hasTrainingConfig: true });
    expect(r.problem?.code).toBe('UNMAPPED_LAMBDA');
    expect(r.layers.map((l) => [l.name, l.sourceClass, l.parameters])).toEqual([
      ['input_layer', 'InputLayer', 0],
      ['dense', 'Dense', 10000 * 16 + 16],
      ['dense_1', 'Dense', 16 * 16 + 16],
      ['lambda', 'Lambda', 0],
      ['dense_2', 'Dense', 16 + 1],
    ]);
    expect(r.totalParameters).toBe(160305);
    expect(r.lambdas).toEqual([
      { layer: 'lambda', functionName: 'dropout', names: [], constants: [], mappedTo: null, suggestedFlag: `--lambda 'dropout=ManualDropout:{"rate":0.5}'` },
    ]);
  });

  it('with the mapping, shows what each layer becomes and its output shape', async () => {
    const mapping = { dropout: { className: 'ManualDropout', config: { rate: 0.5 } } };
    const r = await inspect(fixturePath('seed_lambda', 'model.keras'), { lambdas: mapping });
    expect(r.convertible).toBe(true);
    expect(r.problem).toBeNull();
    expect(r.lambdas[0].mappedTo).toEqual(mapping.dropout);
    expect(r.layers.map((l) => [l.name, l.targetClass, l.outputShape])).toEqual([
      ['input_layer', 'InputLayer', [null, 10000]],
      ['dense', 'Dense', [null, 16]],
      ['dense_1', 'Dense', [null, 16]],
      ['lambda', 'ManualDropout', [null, 16]],
      ['dense_2', 'Dense', [null, 1]],
    ]);
  });

  it('reads names and constants from bytecode Lambdas (never running them)', async () => {
    // tf.keras stores the Lambda's function as marshalled bytecode; its name and the names it uses come from it.
    const r = await inspect(fixturePath('seed_lambda_tfkeras', 'model.h5'));
    expect(r.kerasVersion).toBe('2.21.0');
    expect(r.lambdas).toEqual([
      {
        layer: 'lambda',
        functionName: 'dropout',
        names: ['K', 'random_binomial', 'shape', 'in_train_phase'],
        constants: expect.arrayContaining([0.5]),
        mappedTo: null,
        suggestedFlag: `--lambda 'dropout=ManualDropout:{"rate":0.5}'`,
      },
    ]);
  });

  it('counts the parameters of layers inside nested models, in every format', async () => {
    // Keras 2 .h5 keeps a nested model's weights in the nested model's group; Keras 3 per layer.
    const cases = [
      ['zoo_tfk.h5', 'inner/inner_dense', 4 * 5 + 5, 258],
      ['zoo_k3.keras', 'inner/inner_dense', 15 * 4 + 4, 462],
    ] as const;
    for (const [file, inner, parameters, total] of cases) {
      const r = await inspect(join(DATA, file));
      expect(r.convertible, file).toBe(true);
      expect(r.layers.find((l) => l.name === inner)?.parameters, file).toBe(parameters);
      expect(r.layers.reduce((n, l) => n + l.parameters, 0), file).toBe(total);
      expect(r.totalParameters, file).toBe(total);
    }
  });
});
