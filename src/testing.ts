// keras2tfjs/testing: parity assertions for an app's own tests (vitest, jest, node:test, mocha).
export { expectParity, ParityMismatchError } from './parity/expect_parity.js';
export type { ParityCheck, ParityReport, VerifyParityOptions } from './parity/verify_parity.js';
