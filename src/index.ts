// The whole public API of keras2tfjs, and nothing else.
// Says so, loudly, when the app has a second @tensorflow/tfjs-core (ManualDropout would land in the wrong one).
import './tfjs_copies.js';
// Registers the layers the converter writes (src/layers/compat) with tfjs, for the app's own loads.
import './layers/compat/index.js';
// Gives tfjs' wasm backend keras2tfjs' training kernels (src/wasm_backend/install.ts).
import './wasm_backend/install.js';

export { Keras2TfjsError, ErrorCode } from './errors.js';
export type { ErrorContext } from './errors.js';
export { chooseBackend, useBackend } from './backend.js';
export type { BackendChoice, BackendName } from './backend.js';
export { philoxUniform } from './random/philox.js';
export { threefryUniform } from './random/threefry.js';
export type { ThreefryOptions } from './random/threefry.js';
export { ManualDropout, manualDropout } from './layers/manual_dropout.js';
export type { ManualDropoutArgs, DropoutScaling, DropoutRng } from './layers/manual_dropout.js';
export { predictWithDropout } from './layers/mc_dropout.js';
export type { PredictWithDropoutOptions, DropoutPrediction } from './layers/mc_dropout.js';
export { fileSystem, writeArtifactsToDirectory } from './io/file_system.js';
export type { WriteArtifactsOptions } from './io/file_system.js';
export { exportKeras } from './convert/write/keras/export_keras.js';
export type { ExportKerasOptions } from './convert/write/keras/export_keras.js';
export { KerasSGD } from './train/sgd.js';
export { KerasRMSprop } from './train/rmsprop.js';
export { KerasAdam } from './train/adam.js';
export { KerasAdamW } from './train/adamw.js';
export type { KerasSGDArgs } from './train/sgd.js';
export type { KerasRMSpropArgs } from './train/rmsprop.js';
export type { KerasAdamArgs } from './train/adam.js';
export type { KerasAdamWArgs } from './train/adamw.js';
export type { KerasOptimizer, KerasOptimizerArgs } from './train/keras_optimizer.js';
export { compileFromKerasConfig, kerasCompileArgs } from './train/compile_config.js';
export type { KerasCompileResult } from './train/compile_config.js';
export { optimizerFromKerasConfig } from './train/optimizer_config.js';
export {
  kerasBinaryCrossentropy,
  kerasCategoricalCrossentropy,
  kerasSparseCategoricalCrossentropy,
} from './train/losses.js';
export type { CrossentropyOptions, KerasLossFn } from './train/losses.js';
export { convert, convertToDirectory, loadKerasModel } from './convert/convert.js';
export type { ConvertOptions, ConversionReport, ConvertResult, ConvertedLayer, LoadKerasModelOptions } from './convert/convert.js';
export { verifyParity } from './parity/verify_parity.js';
export type { ParityCheck, ParityReport, VerifyParityOptions, NotRecorded, NotCompared } from './parity/verify_parity.js';
export { formatParityReport } from './parity/report_table.js';
export { inspect } from './convert/inspect.js';
export type { InspectOptions, InspectReport, InspectedLayer, InspectedLambda } from './convert/inspect.js';
export type { ModelFolderFiles, ModelInput } from './convert/read/model_input.js';
export { parseLambdaMapping } from './convert/normalize/layer_map.js';
export type { LambdaMappings, LambdaTarget } from './convert/normalize/layer_map.js';
export type { QuantizeDtype } from './convert/write/tfjs_artifacts.js';
export { readNpy, writeNpy } from './formats/numpy/npy.js';
export type { NpyArray, NpyData, NpyDtype } from './formats/numpy/npy.js';
export { vectorizeSequences, multiHot, limitVocabulary, loadSyntheticImdb, SYNTHETIC_IMDB_DIR } from './data/imdb.js';
export type { ImdbData, ImdbSplit } from './data/imdb.js';
