/**
 * inspect(): layers, classes, output shapes and parameter counts of a model; each Lambda with
 * what its bytecode or config names and the flag that maps it; the reason a model would not
 * convert. Checked on the seed model (Keras 3 and tf_keras) and third-party corpus files.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { inspect } from '../../src/convert/inspect.js';
import { switchBackend } from '../helpers/backends.js';
import { fixturePath } from '../helpers/fixtures.js';
import { CORPUS_DIR } from './corpus_helpers.js';

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
      { layer: 'lambda', functionName: 'dropout', names: [], constants: [], mappedTo: null, suggestedFlag: '--lambda dropout=ManualDropout:{"rate":0.5}' },
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
    const r = await inspect(join(CORPUS_DIR, 'MhmDSmdi+Anomaly-Detection+vae-lambda.h5'));
    expect(r.kerasVersion).toBe('2.2.4');
    expect(r.lambdas).toHaveLength(1);
    expect(r.lambdas[0]).toMatchObject({ layer: 'sampling_layer', functionName: 'sampling' });
    expect(r.lambdas[0].names).toEqual(['K', 'shape', 'int_shape', 'random_normal', 'exp']);
    expect(r.lambdas[0].constants).toContain(0.5);
    const anonymous = await inspect(join(CORPUS_DIR, '1560800+CarND-Behavioral-Cloning-P3+nvidia-lambda.h5'));
    expect(anonymous.lambdas[0]).toMatchObject({ layer: 'lambda_1', functionName: null, constants: [null, 127.5, 1] });
    expect(anonymous.lambdas[0].suggestedFlag).toMatch(/^--lambda lambda_1=<RegisteredClass>/);
  });

  it('names custom classes a model needs', async () => {
    const r = await inspect(join(CORPUS_DIR, 'Srthk03+Speaker_Verification+l1distance-custom.keras'));
    expect(r.unknownClasses).toEqual(['L1Distance']);
    expect(r.problem?.code).toBe('UNKNOWN_LAYER');
    expect(r.layers.find((l) => l.sourceClass === 'L1Distance')?.targetClass).toBeNull();
  });

  it('shows nested models layer by layer with their output shapes', async () => {
    const r = await inspect(join(CORPUS_DIR, 'LucieSvc+PMD-IA_Nanotag+conv-autoencoder.keras'));
    expect(r.convertible).toBe(true);
    const conv = r.layers.find((l) => l.name === 'encoder/conv2d');
    expect(conv).toMatchObject({ sourceClass: 'Conv2D', targetClass: 'Conv2D', outputShape: [null, 896, 896, 8], parameters: 3 * 3 * 1 * 8 + 8 });
    expect(r.totalParameters).toBe(20993);
  });
});
