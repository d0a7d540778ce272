/**
 * How many bytes decoding one input may produce, in total: inflated zip members and HDF5
 * chunks, dataset values (fill values and widened dtypes included) and attribute values.
 *
 * A file that stores its values plainly decodes to about its own size; compression and fill
 * values make a small file decode to much more, which is how a few megabytes can ask for
 * gigabytes (a "bomb"). Each reader charges what it is about to produce *before* producing it,
 * so the budget stops a bomb before its memory is spent. The limit is relative to the input:
 * `ratio` times its size, and never less than `floorBytes`, so small genuine files are never
 * refused. A genuine file beyond it (heavily compressed weights) is read with a higher ratio:
 * the converter's `maxDecodeRatio` option, which `hint` names in the message.
 */
import { ErrorCode, Keras2TfjsError, displayName, oneLine } from '../errors.js';

/** Keras' own zip-bomb rule (saving_lib `_reject_zip_bomb`) allows 100× expansion. */
export const DEFAULT_DECODE_RATIO = 100;
/** Every input may decode to this much, however small it is. */
export const DECODE_FLOOR_BYTES = 128 * 1024 * 1024;

export class DecodeBudget {
  /** Bytes charged so far. */
  used = 0;
  readonly limit: number;

  constructor(
    /** Size of the input the budget is for. */
    readonly inputBytes: number,
    readonly ratio = DEFAULT_DECODE_RATIO,
    readonly floorBytes = DECODE_FLOOR_BYTES,
    /** How to raise the limit, for the message ('pass maxDecodeRatio: 1000'). */
    readonly hint = 'if the file is genuine, raise the ratio with the `maxDecodeRatio` option (--max-decode-ratio)',
  ) {
    this.limit = Math.max(floorBytes, ratio * inputBytes);
  }

  /** An unlimited budget, for callers that read trusted bytes they made themselves. */
  static unlimited(): DecodeBudget {
    return new DecodeBudget(0, 0, Number.MAX_SAFE_INTEGER);
  }

  /** Bytes that may still be produced. */
  get remaining(): number {
    return Math.max(0, this.limit - this.used);
  }

  /**
   * Records `bytes` about to be produced by decoding `what` (from `file`); RESOURCE_LIMIT if
   * that takes the total past the limit (nothing is produced then).
   */
  charge(bytes: number, file: string, what: string): void {
    if (!(bytes <= this.remaining)) throw this.exceeded(bytes, file, what);
    this.used += bytes;
  }

  exceeded(bytes: number, file: string, what: string): Keras2TfjsError {
    const message =
      `${displayName(file)}: ${what} decodes to ${bytes} more bytes, past the ${this.limit}-byte budget for this ` +
      `${this.inputBytes}-byte input (${this.ratio}× its size, at least ${this.floorBytes}; ${this.used} already decoded): ` +
      `refused as a potential decompression bomb; ${this.hint}`;
    return new Keras2TfjsError(ErrorCode.RESOURCE_LIMIT, oneLine(message), { file });
  }
}
