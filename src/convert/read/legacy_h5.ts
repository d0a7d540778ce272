/**
 * Reader for Keras' legacy HDF5 files (`model.save("x.h5")`, `model.save_weights("x.h5")`),
 * written by Keras 1, Keras 2, tf.keras 2 and Keras 3:
 *
 *   full model     root attrs keras_version, backend, model_config (JSON), training_config (JSON);
 *                  /model_weights (attr layer_names) / <layer> (attr weight_names) / <weight name>;
 *                  /optimizer_weights (attr weight_names) / <weight name>, when saved with the optimizer
 *   weights only   the same layer groups at the root, layer_names at the root; the architecture
 *                  comes from elsewhere (`config` option)
 *
 * The config and weights come out exactly as stored (normalize/model_config and weights.ts interpret
 * them). Weight names become `storedName` ('dense_1/kernel:0', 'sequential/dense/kernel').
 */
import { ErrorCode } from '../../errors.js';
import { convertError } from '../../errors.js';
import { checkJsonShape, jsonProblem, parseBoundedJson } from '../../formats/bounded_json.js';
import type { Hdf5File } from '../../formats/hdf5/open_hdf5.js';
import type { SourceContent, SourceOptimizerWeights, SourceWeight } from '../intermediate.js';

/** Reads a full-model legacy file (root attribute `model_config`). */
export function readLegacyH5(h5: Hdf5File, options: { optimizerState?: boolean } = {}): SourceContent {
  const modelConfig = jsonAttr(h5, 'model_config');
  if (!modelConfig || typeof modelConfig !== 'object' || Array.isArray(modelConfig)) {
    throw convertError(ErrorCode.BAD_CONFIG, h5.file, "the root attribute 'model_config' is not a JSON object");
  }
  const trainingConfig = jsonAttr(h5, 'training_config');
  const weightsRoot = h5.isGroup('/model_weights') ? '/model_weights' : '/';
  return {
    file: h5.file,
    format: 'h5-full',
    kerasVersion: h5.stringAttr('/', 'keras_version') ?? h5.stringAttr(weightsRoot, 'keras_version'),
    backend: h5.stringAttr('/', 'backend') ?? h5.stringAttr(weightsRoot, 'backend'),
    modelConfig: modelConfig as Record<string, unknown>,
    trainingConfig: trainingConfig && typeof trainingConfig === 'object' ? (trainingConfig as Record<string, unknown>) : null,
    layerWeights: readLayerGroups(h5, weightsRoot),
    optimizerWeights: options.optimizerState ? readOptimizerWeights(h5) : null,
  };
}

/** `/optimizer_weights/<name>` in `weight_names` order, or null when the file holds no optimizer state. */
function readOptimizerWeights(h5: Hdf5File): SourceOptimizerWeights | null {
  const group = '/optimizer_weights';
  if (!h5.isGroup(group)) return null;
  const names = h5.stringListAttr(group, 'weight_names') ?? [];
  const weights: SourceWeight[] = names.map((weightName) => {
    const path = join(group, weightName);
    if (!h5.isDataset(path)) {
      throw convertError(ErrorCode.BAD_HDF5, h5.file, `optimizer weight '${weightName}' is listed but '${path}' is missing`);
    }
    return { ...h5.array(path), storedName: weightName };
  });
  return { name: null, weights };
}

/** Reads a legacy weights-only file (root attribute `layer_names`) with the architecture given. */
export function readLegacyWeights(h5: Hdf5File, modelConfig: Record<string, unknown>): SourceContent {
  checkJsonShape(h5.file, modelConfig, 'the model architecture'); // given with --config, not parsed here
  return {
    file: h5.file,
    format: 'h5-weights',
    kerasVersion: h5.stringAttr('/', 'keras_version'),
    backend: h5.stringAttr('/', 'backend'),
    modelConfig,
    trainingConfig: null,
    layerWeights: readLayerGroups(h5, '/'),
  };
}

function jsonAttr(h5: Hdf5File, name: string): unknown {
  const text = h5.stringAttr('/', name);
  if (text === null) return null;
  try {
    return parseBoundedJson(text);
  } catch (e) {
    throw convertError(ErrorCode.BAD_CONFIG, h5.file, `the root attribute '${name}' ${jsonProblem(e)}`);
  }
}

/** `<root>/<layer>/<weight name>` for every layer in `layer_names`, in weight_names order. */
function readLayerGroups(h5: Hdf5File, root: string): Map<string, SourceWeight[]> {
  const layerNames = h5.stringListAttr(root, 'layer_names');
  if (layerNames === null) {
    throw convertError(ErrorCode.BAD_HDF5, h5.file, `'${root}' has no 'layer_names' attribute, so it holds no Keras weights`);
  }
  const out = new Map<string, SourceWeight[]>();
  for (const layer of layerNames) {
    const group = join(root, layer);
    if (!h5.isGroup(group)) {
      throw convertError(ErrorCode.BAD_HDF5, h5.file, `layer '${layer}' is listed in layer_names but its group '${group}' is missing`, layer);
    }
    const names = h5.stringListAttr(group, 'weight_names') ?? [];
    const weights: SourceWeight[] = names.map((weightName) => {
      const path = join(group, weightName);
      if (!h5.isDataset(path)) {
        throw convertError(ErrorCode.BAD_HDF5, h5.file, `weight '${weightName}' of layer '${layer}' is listed but '${path}' is missing`, layer);
      }
      return { ...h5.array(path), storedName: weightName }; // with its source dtype, for normalize
    });
    out.set(layer, weights);
  }
  return out;
}

function join(root: string, name: string): string {
  return root === '/' ? `/${name}` : `${root}/${name}`;
}
