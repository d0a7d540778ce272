/**
 * inspect() on third-party files: bytecode Lambdas from Keras 2.2 (named and anonymous), a custom
 * class, and a Keras 3 model of nested models.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { inspect } from '../../src/convert/inspect.js';
import { switchBackend } from '../helpers/backends.js';
import { CORPUS_DIR } from '../helpers/corpus.js';

beforeAll(() => switchBackend('cpu'));

describe('inspect on the corpus', () => {
  it('reads names and constants from bytecode Lambdas (never running them)', async () => {
    const r = await inspect(join(CORPUS_DIR, 'MhmDSmdi+Anomaly-Detection+vae-lambda.h5'));
    expect(r.kerasVersion).toBe('2.2.4');
    expect(r.lambdas).toHaveLength(1);
    expect(r.lambdas[0]).toMatchObject({ layer: 'sampling_layer', functionName: 'sampling' });
    expect(r.lambdas[0].names).toEqual(['K', 'shape', 'int_shape', 'random_normal', 'exp']);
    expect(r.lambdas[0].constants).toContain(0.5);
    const anonymous = await inspect(join(CORPUS_DIR, '1560800+CarND-Behavioral-Cloning-P3+nvidia-lambda.h5'));
    expect(anonymous.lambdas[0]).toMatchObject({ layer: 'lambda_1', functionName: null, constants: [null, 127.5, 1] });
    expect(anonymous.lambdas[0].suggestedFlag).toMatch(/^--lambda 'lambda_1=<RegisteredClass>\[:<json config>\]' after registering/);
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
