// The whole public API of keras2tfjs, and nothing else.
export { chooseBackend, useBackend } from './backend.js';
export type { BackendChoice, BackendName } from './backend.js';
