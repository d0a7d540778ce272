/**
 * Inflating a deflated zip member within what it declares: the compressed bytes are fed to the
 * inflater a little at a time, and the moment the output passes the declared size the work
 * stops. A member that declares 200 MB but inflates to 8 GB is refused after ~200 MB, not after
 * minutes of inflating into nowhere (a fixed output buffer alone does not stop the inflater:
 * it goes on decoding the whole stream).
 */
import { Inflate } from 'fflate';
import { firstLine } from '../../errors.js';

/**
 * Compressed bytes fed at once. DEFLATE expands at most ~1032:1, so the output can pass the
 * declared size by at most ~17 MB before the check runs.
 */
const FEED_BYTES = 16 * 1024;

export type InflateOutcome =
  | { ok: true; data: Uint8Array }
  | { ok: false; reason: 'damaged'; message: string }
  | { ok: false; reason: 'too-long' | 'too-short'; produced: number };

/** Inflates raw DEFLATE `compressed` into exactly `declared` bytes, or says why it cannot. */
export function inflateDeclared(compressed: Uint8Array, declared: number): InflateOutcome {
  const out = new Uint8Array(declared);
  let produced = 0;
  let overflow = false;
  const inflater = new Inflate((chunk) => {
    if (produced + chunk.length > declared) {
      overflow = true;
      produced += chunk.length;
      // Unwinds out of push(): nothing more is inflated.
      throw new StopInflating();
    }
    out.set(chunk, produced);
    produced += chunk.length;
  });
  try {
    let at = 0;
    do {
      const end = Math.min(compressed.length, at + FEED_BYTES);
      inflater.push(compressed.subarray(at, end), end === compressed.length);
      at = end;
    } while (at < compressed.length);
  } catch (e) {
    if (overflow) return { ok: false, reason: 'too-long', produced };
    return { ok: false, reason: 'damaged', message: firstLine(e) };
  }
  if (produced !== declared) return { ok: false, reason: 'too-short', produced };
  return { ok: true, data: out };
}

class StopInflating extends Error {}
