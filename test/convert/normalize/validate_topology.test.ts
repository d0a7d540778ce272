/**
 * A conversion either loads in tfjs or stops with BAD_CONFIG / WEIGHT_MISMATCH naming the layer:
 * the topology is checked before anything is written (validate_topology.ts). Each case edits one
 * thing in the config.json of a real Keras 3 archive (fixtures/builtin_dropout/model.keras, a
 * two-branch Functional model), the way the fuzz test found damaged files slipping through.
 */
import { memory } from '@tensorflow/tfjs-core';
import { loadLayersModel } from '@tensorflow/tfjs-layers';
import { io } from '@tensorflow/tfjs-core';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { convert } from '../../../src/convert/convert.js';
import { ErrorCode, Keras2TfjsError } from '../../../src/errors.js';
import { readFixtureBytes } from '../../helpers/fixtures.js';

const KERAS = readFixtureBytes('builtin_dropout', 'model.keras');

/** config.json as parsed (edited freely, so untyped). */
type Json = Record<string, any>;

/** The archive with config.json edited by `edit` (the layer list and the model config). */
function edited(edit: (layers: Json[], model: Json) => void): Uint8Array {
  const members = unzipSync(KERAS);
  const config = JSON.parse(strFromU8(members['config.json']));
  edit(config.config.layers, config.config);
  members['config.json'] = strToU8(JSON.stringify(config));
  return zipSync(members, { level: 0 });
}

function layer(layers: Json[], name: string): Json {
  const found = layers.find((l) => l.name === name);
  expect(found, `layer ${name} in the fixture`).toBeDefined();
  return found as Json;
}

/** The keras_history of a layer's first input (Keras 3 writes [layer, node, tensor]). */
function history(layers: Json[], name: string): unknown[] {
  return layer(layers, name).inbound_nodes[0].args[0].config.keras_history;
}

async function refusal(bytes: Uint8Array): Promise<Keras2TfjsError> {
  const e = await convert(bytes, { fileName: 'model.keras' }).then(() => null, (x: unknown) => x);
  expect(e, 'must be refused with a Keras2TfjsError').toBeInstanceOf(Keras2TfjsError);
  const err = e as Keras2TfjsError;
  expect(err.message).not.toContain('\n');
  return err;
}

const DAMAGED = 'the model config is damaged; load the model in Keras and save it again';
/** tfjs refused a converted config: a gap in keras2tfjs if Keras loads the file, else damage. */
const REFUSED = 'if Keras loads this file, the setting is one keras2tfjs does not yet translate for tfjs (report the layer and its config); if Keras does not, the file is damaged: save the model from Keras again';

describe('the graph', () => {
  it('a layer listed under one name but named another in its config', async () => {
    const err = await refusal(edited((layers) => (layer(layers, 'branch_b_dense').config.name = 'branc_b_dense')));
    expect(err.code).toBe(ErrorCode.BAD_CONFIG);
    expect(err.layer).toBe('branc_b_dense');
    expect(err.message).toBe(`model.keras: a layer of model 'two_branch_dropout' is listed as 'branch_b_dense' but named 'branc_b_dense' in its config; ${DAMAGED}`);
  });

  it('two layers with one name', async () => {
    const err = await refusal(edited((layers) => {
      const b = layer(layers, 'branch_b_dropout');
      b.name = 'branch_a_dropout';
      b.config.name = 'branch_a_dropout';
    }));
    expect(err.code).toBe(ErrorCode.BAD_CONFIG);
    expect(err.message).toBe(`model.keras: model 'two_branch_dropout' has two layers named 'branch_a_dropout'; ${DAMAGED}`);
  });

  it.each([
    [3.5, '[3.5,0,0]'],
    [true, '[true,0,0]'],
    [{}, '[{},0,0]'],
  ])('a keras_history whose layer is %j', async (value, shown) => {
    const err = await refusal(edited((layers) => (history(layers, 'flatten')[0] = value)));
    expect(err.code).toBe(ErrorCode.BAD_CONFIG);
    expect(err.message).toBe(`model.keras: layer 'flatten' is called with a malformed keras_history ${shown} (expected [layer name, node index, tensor index])`);
  });

  it.each([3.5, -1, null])('a keras_history whose node index is %j', async (value) => {
    const err = await refusal(edited((layers) => (history(layers, 'flatten')[1] = value)));
    expect(err.message).toMatch(/^model\.keras: layer 'flatten' is called with a malformed keras_history \["concat",/);
  });

  it('an input from a layer that does not exist', async () => {
    const err = await refusal(edited((layers) => (history(layers, 'flatten')[0] = 'nowhere')));
    expect(err.code).toBe(ErrorCode.BAD_CONFIG);
    expect(err.layer).toBe('flatten');
    expect(err.message).toBe(`model.keras: layer 'flatten' takes its input from 'nowhere', which is not a layer of model 'two_branch_dropout'; ${DAMAGED}`);
  });

  it('a call that is never made: a cycle (tfjs would rebuild forever)', async () => {
    const err = await refusal(edited((layers) => (history(layers, 'branch_a_dense')[0] = 'output')));
    expect(err.code).toBe(ErrorCode.BAD_CONFIG);
    expect(err.message).toBe(`model.keras: layer 'branch_a_dense' takes its input from call 0 of layer 'output', which is never made (a missing call or a cycle); ${DAMAGED}`);
  });

  it('an input from a call that is never made', async () => {
    const err = await refusal(edited((layers) => (history(layers, 'flatten')[1] = 1)));
    expect(err.message).toBe(`model.keras: layer 'flatten' takes its input from call 1 of layer 'concat', which is never made (a missing call or a cycle); ${DAMAGED}`);
  });

  it('an output entry that is not [layer, node, tensor]', async () => {
    const err = await refusal(edited((_, model) => (model.output_layers = [['output', null, 0]])));
    expect(err.message).toBe(`model.keras: model 'two_branch_dropout' has a malformed entry ["output",null,0] in output_layers (expected [layer name, node index, tensor index])`);
  });

  it('an output from a layer that does not exist', async () => {
    const err = await refusal(edited((_, model) => (model.output_layers = ['outptu', 0, 0])));
    expect(err.message).toBe(`model.keras: model 'two_branch_dropout' lists 'outptu' in output_layers, but has no such layer; ${DAMAGED}`);
  });
});

describe('layer settings', () => {
  it('an input layer without a shape', async () => {
    const err = await refusal(edited((layers) => delete layer(layers, 'sequence').config.batch_shape));
    expect(err.code).toBe(ErrorCode.BAD_CONFIG);
    expect(err.message).toBe(`model.keras: input layer 'sequence' has no input shape; ${DAMAGED}`);
  });

  it('an input shape with a negative size', async () => {
    const err = await refusal(edited((layers) => (layer(layers, 'sequence').config.batch_shape = [null, -5, 8])));
    expect(err.message).toBe(`model.keras: layer 'sequence' has the input shape [null,-5,8] (expected a list of positive integers or null); ${DAMAGED}`);
  });

  it.each([
    [undefined, 'Expected units to be a positive integer, but got undefined.'],
    [[null, -3], 'Expected element 1 of units to be a positive integer, but got null.'],
  ])('Dense units %j: tfjs refuses it, and the message names the layer', async (units, tfjsMessage) => {
    const err = await refusal(edited((layers) => (layer(layers, 'output').config.units = units)));
    expect(err.code).toBe(ErrorCode.BAD_CONFIG);
    expect(err.layer).toBe('output');
    expect(err.message).toBe(`model.keras: layer 'output' (Dense): tfjs refuses its converted config (${tfjsMessage}); ${REFUSED}`);
  });

  it('Dense units that contradict the stored kernel: the weights say so first', async () => {
    const err = await refusal(edited((layers) => (layer(layers, 'output').config.units = -1)));
    expect(err.code).toBe(ErrorCode.WEIGHT_MISMATCH);
    expect(err.message).toBe("model.keras: layer 'output': weight 'kernel' has shape [80,1] in the file but the layer's config needs [*, -1]");
  });

  it('a dropout rate outside [0, 1), which tfjs would silently clamp', async () => {
    const err = await refusal(edited((layers) => (layer(layers, 'branch_a_dropout').config.rate = 3.5)));
    expect(err.message).toBe(`model.keras: layer 'branch_a_dropout' has the dropout rate 3.5 (Keras requires a number in [0, 1)); ${DAMAGED}`);
  });

  it('a layer with weights whose name tfjs cannot give its weights', async () => {
    const err = await refusal(edited((layers, model) => {
      const out = layer(layers, 'output');
      out.name = 'out put';
      out.config.name = 'out put';
      model.output_layers = ['out put', 0, 0];
    }));
    expect(err.code).toBe(ErrorCode.BAD_CONFIG);
    expect(err.layer).toBe('out put');
    expect(err.message).toBe(
      "model.keras: layer 'out put' has a name tfjs cannot give its weights ('out put/kernel': only letters, digits, '-', '.', '_' and '/', starting with a letter or digit); rename the layer in Keras and save the model again",
    );
  });

  it('a shape tfjs cannot build (Concatenate on an axis the inputs do not have)', async () => {
    const err = await refusal(edited((layers) => (layer(layers, 'concat').config.axis = 5)));
    expect(err.code).toBe(ErrorCode.BAD_CONFIG);
    expect(err.message).toMatch(/^model\.keras: tfjs cannot build the converted model \(.+\); the model config is damaged; load the model in Keras and save it again$/);
  });
});

describe('weights against what tfjs builds', () => {
  it('a config value tfjs reads differently (use_bias: "" builds no bias, the file has one)', async () => {
    const err = await refusal(edited((layers) => (layer(layers, 'output').config.use_bias = '')));
    expect(err.code).toBe(ErrorCode.WEIGHT_MISMATCH);
    expect(err.layer).toBe('output');
    expect(err.message).toBe(`model.keras: layer 'output': the file has the weight 'output/bias' [1], which tfjs does not build from the layer's config; ${DAMAGED}`);
  });

  it("a changed layer that changes the next layer's input size", async () => {
    const err = await refusal(edited((layers) => (layer(layers, 'flatten').class_name = 'GlobalAveragePooling1D')));
    expect(err.code).toBe(ErrorCode.WEIGHT_MISMATCH);
    expect(err.message).toBe(`model.keras: layer 'output': weight 'output/kernel' has shape [80,1] in the file, but the model's graph gives it [16,1] in tfjs; ${DAMAGED}`);
  });
});

describe('messages stay one line', () => {
  it('a line break in a name read from the file is shown escaped', async () => {
    const err = await refusal(edited((layers, model) => {
      const out = layer(layers, 'output');
      out.name = 'out\nput';
      out.config.name = 'out\nput';
      model.output_layers = ['out\nput', 0, 0];
    }));
    expect(err.message).toMatch(/^model\.keras: layer 'out\\nput' has a name tfjs cannot give its weights/);
  });
});

describe('a valid model', () => {
  it('converts, loads in tfjs, and the check leaves no tensor behind', async () => {
    const before = memory().numTensors;
    const { artifacts } = await convert(KERAS, { fileName: 'model.keras' });
    expect(memory().numTensors).toBe(before);
    const model = await loadLayersModel(io.fromMemory(artifacts));
    expect(model.countParams()).toBe(225);
    model.dispose();
    expect(memory().numTensors).toBe(before);
  });
});
