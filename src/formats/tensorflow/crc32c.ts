/**
 * CRC-32C (Castagnoli), the checksum LevelDB tables and TensorFlow's TensorBundle use,
 * and the "masking" they apply to stored checksums (so that a CRC of data that itself
 * contains CRCs stays well distributed).
 */

/** Reflected Castagnoli polynomial 0x1EDC6F41. */
const POLY = 0x82f63b78;
/** Added after the rotation when masking (LevelDB `crc32c::Mask`). */
const MASK_DELTA = 0xa282ead8;

/** Slicing-by-8 tables: 8 × 256 entries; one table alone is ~4× slower on big shards. */
const TABLES: Uint32Array[] = buildTables();

function buildTables(): Uint32Array[] {
  const tables = Array.from({ length: 8 }, () => new Uint32Array(256));
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    tables[0][i] = c >>> 0;
  }
  for (let i = 0; i < 256; i++) {
    for (let t = 1; t < 8; t++) {
      const prev = tables[t - 1][i];
      tables[t][i] = (tables[0][prev & 0xff] ^ (prev >>> 8)) >>> 0;
    }
  }
  return tables;
}

/**
 * Extends `crc` (the CRC-32C of earlier bytes, 0 for none) over `bytes`.
 * `crc32c(a ++ b) === crc32cExtend(crc32c(a), b)`.
 */
export function crc32cExtend(crc: number, bytes: Uint8Array): number {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = TABLES;
  let c = ~crc >>> 0;
  let i = 0;
  const n = bytes.length;
  for (; i + 8 <= n; i += 8) {
    const lo = (c ^ (bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24))) >>> 0;
    c =
      t7[lo & 0xff] ^
      t6[(lo >>> 8) & 0xff] ^
      t5[(lo >>> 16) & 0xff] ^
      t4[lo >>> 24] ^
      t3[bytes[i + 4]] ^
      t2[bytes[i + 5]] ^
      t1[bytes[i + 6]] ^
      t0[bytes[i + 7]];
  }
  for (; i < n; i++) c = t0[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

/** CRC-32C of `bytes`. */
export function crc32c(bytes: Uint8Array): number {
  return crc32cExtend(0, bytes);
}

/** LevelDB/TensorFlow checksum masking: rotate right by 15 bits, add a constant. */
export function maskCrc(crc: number): number {
  return (((crc >>> 15) | (crc << 17)) + MASK_DELTA) >>> 0;
}

/** Inverse of `maskCrc`. */
export function unmaskCrc(masked: number): number {
  const rot = (masked - MASK_DELTA) >>> 0;
  return ((rot >>> 17) | (rot << 15)) >>> 0;
}
