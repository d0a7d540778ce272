/**
 * The camelCase form tfjs-layers' classes are built from (what loadLayersModel makes of a
 * model.json topology before it deserializes it): keys and string values camelCased, names and
 * the layer names of node references kept. That the models built from it are tfjs' own is
 * checked in write/live_model.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { pythonicToTs, toCamelCase } from '../../../src/convert/normalize/pythonic.js';

describe("tfjs' camelCase form of a model.json topology", () => {
  it('converts keys and string values, but not names and the layer names of node references', () => {
    expect(toCamelCase('kernel_initializer')).toBe('kernelInitializer');
    expect(toCamelCase('a__b_')).toBe('aB');
    expect(toCamelCase('_')).toBe('_');
    expect(toCamelCase('relu')).toBe('relu');
    const topology = {
      name: 'my_model',
      layers: [{ class_name: 'Dense', name: 'dense_one', config: { name: 'dense_one', activation: 'hard_sigmoid', units: 3, use_bias: true, kernel_constraint: null }, inbound_nodes: [[['input_layer', 0, 0, {}]]] }],
      input_layers: [['input_layer', 0, 0]],
      output_layers: [['dense_one', 0, 0]],
    };
    expect(pythonicToTs(topology)).toEqual({
      name: 'my_model',
      layers: [{ className: 'Dense', name: 'dense_one', config: { name: 'dense_one', activation: 'hardSigmoid', units: 3, useBias: true, kernelConstraint: null }, inboundNodes: [[['input_layer', 0, 0, {}]]] }],
      inputLayers: [['input_layer', 0, 0]],
      outputLayers: [['dense_one', 0, 0]],
    });
  });
});
