/** The error a promise rejects with, checked to be a Keras2TfjsError (fails the test if it resolves). */
import { expect } from 'vitest';
import { Keras2TfjsError } from '../../src/errors.js';

export async function refusal(p: Promise<unknown>): Promise<Keras2TfjsError> {
  const e = await p.then(() => null, (x: unknown) => x);
  expect(e).toBeInstanceOf(Keras2TfjsError);
  return e as Keras2TfjsError;
}
