// The whole public API of keras2tfjs, and nothing else.
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
export { exportKeras } from './convert/write_keras.js';
export type { ExportKerasOptions } from './convert/write_keras.js';
