/**
 * Keras 3's generic RNN around a cell (`keras.layers.RNN(LSTMCell(...))`, a StackedRNNCells of
 * cells): the RNN's own keys and the cell as Keras serializes it, the cell's keys being those of
 * the matching LSTM / GRU / SimpleRNN layer (layer_configs.recurrent) without the RNN's.
 * keras2tfjs' ResetAfterGRUCell is Keras' GRUCell(reset_after=True); KerasStackedRNNCells (and
 * tfjs' own) is StackedRNNCells.
 */
import { ErrorCode, Keras2TfjsError } from '../../../errors.js';
import { get, recurrent, type LayerSource } from './layer_configs.js';
import { dtypePolicy, kerasObject, type Json, type JsonObject } from './objects.js';

/** Keys of the recurrent layers that are the RNN's (or the layer's), not the cell's. */
const NOT_CELL_KEYS = ['return_sequences', 'return_state', 'go_backwards', 'stateful', 'unroll', 'zero_output_for_mask', 'activity_regularizer'];

const CELLS: Record<string, { kerasClass: string; kind: 'lstm' | 'gru' | 'simple'; resetAfter?: boolean }> = {
  LSTMCell: { kerasClass: 'LSTMCell', kind: 'lstm' },
  GRUCell: { kerasClass: 'GRUCell', kind: 'gru' },
  ResetAfterGRUCell: { kerasClass: 'GRUCell', kind: 'gru', resetAfter: true },
  SimpleRNNCell: { kerasClass: 'SimpleRNNCell', kind: 'simple' },
};

type CellConfig = { class_name: string; config: JsonObject };

export function genericRnn(s: LayerSource): JsonObject {
  const cell = s.config.cell as CellConfig;
  // Keras builds each cell from its build_config when it loads: one time step of the input.
  const node = (s.layer as unknown as { inboundNodes: Array<{ inputShapes: unknown }> }).inboundNodes[0];
  const shape = node?.inputShapes as Array<number | null> | Array<Array<number | null>> | undefined;
  const sequence = (Array.isArray(shape?.[0]) ? shape?.[0] : shape) as Array<number | null> | undefined;
  const features = sequence ? sequence[sequence.length - 1] : null;
  return {
    return_sequences: get(s.config, 'return_sequences', false),
    return_state: get(s.config, 'return_state', false),
    go_backwards: get(s.config, 'go_backwards', false),
    stateful: get(s.config, 'stateful', false),
    unroll: get(s.config, 'unroll', false),
    zero_output_for_mask: false,
    cell: cellEntry(cell, s, features),
  };
}

function cellEntry(cell: CellConfig, s: LayerSource, features: number | null): JsonObject {
  const base = { name: String(cell.config.name), trainable: cell.config.trainable !== false, dtype: dtypePolicy('float32') };
  const built = (entry: JsonObject): JsonObject => ({ ...entry, build_config: { input_shape: [null, features] } });
  if (cell.class_name === 'KerasStackedRNNCells' || cell.class_name === 'StackedRNNCells') {
    // Each cell of a stack reads the previous cell's output.
    let width = features;
    const cells = (cell.config.cells as Json[]).map((inner) => {
      const entry = cellEntry(inner as CellConfig, s, width);
      width = ((inner as CellConfig).config.units as number | undefined) ?? null;
      return entry;
    });
    return built(kerasObject('keras.layers', 'StackedRNNCells', { ...base, cells }));
  }
  const known = CELLS[cell.class_name];
  if (!known) {
    throw new Keras2TfjsError(
      ErrorCode.UNKNOWN_LAYER,
      `${s.where.file}: layer '${s.where.layer}' runs a ${cell.class_name}, which keras2tfjs cannot write for Keras 3; use an LSTMCell, GRUCell or SimpleRNNCell`,
      s.where,
    );
  }
  const keys = recurrent(known.kind, known.resetAfter === true)({ ...s, config: cell.config });
  for (const k of NOT_CELL_KEYS) delete keys[k];
  // Every cell records its (recurrent dropout) seed, SimpleRNNCell too (the SimpleRNN layer does not).
  keys.seed = null;
  return built(kerasObject('keras.layers', known.kerasClass, { ...base, ...keys }));
}
