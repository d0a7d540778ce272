// The whole public API of keras2tfjs, and nothing else.
export { chooseBackend, useBackend } from './backend.js';
export type { BackendChoice, BackendName } from './backend.js';
export { philoxUniform } from './random/philox.js';
export { threefryUniform } from './random/threefry.js';
export type { ThreefryOptions } from './random/threefry.js';
