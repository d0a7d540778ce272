/**
 * The checksum of HDF5's newer structures (superblock v2/v3, object header v2 chunks): Bob
 * Jenkins' lookup3 `hashlittle` with an initial value of 0, as the HDF5 File Format
 * Specification names it. A structure whose checksum does not match is damaged, and the direct
 * reader leaves it to the HDF5 library (which refuses it).
 */

const rot = (x: number, k: number) => ((x << k) | (x >>> (32 - k))) >>> 0;

/** lookup3 hashlittle of `bytes` (initial value 0), as an unsigned 32-bit number. */
export function lookup3(bytes: Uint8Array): number {
  let length = bytes.length;
  let a = (0xdeadbeef + length) >>> 0;
  let b = a;
  let c = a;
  let i = 0;
  const word = (at: number, n: number) => {
    let v = 0;
    for (let k = n - 1; k >= 0; k--) v = (v << 8) | bytes[at + k];
    return v >>> 0;
  };
  while (length > 12) {
    a = (a + word(i, 4)) >>> 0;
    b = (b + word(i + 4, 4)) >>> 0;
    c = (c + word(i + 8, 4)) >>> 0;
    // mix(a, b, c)
    a = (a - c) >>> 0; a = (a ^ rot(c, 4)) >>> 0; c = (c + b) >>> 0;
    b = (b - a) >>> 0; b = (b ^ rot(a, 6)) >>> 0; a = (a + c) >>> 0;
    c = (c - b) >>> 0; c = (c ^ rot(b, 8)) >>> 0; b = (b + a) >>> 0;
    a = (a - c) >>> 0; a = (a ^ rot(c, 16)) >>> 0; c = (c + b) >>> 0;
    b = (b - a) >>> 0; b = (b ^ rot(a, 19)) >>> 0; a = (a + c) >>> 0;
    c = (c - b) >>> 0; c = (c ^ rot(b, 4)) >>> 0; b = (b + a) >>> 0;
    length -= 12;
    i += 12;
  }
  if (length === 0) return c;
  // The last 1..12 bytes, little-endian into a, b, c (missing bytes are zero).
  a = (a + word(i, Math.min(length, 4))) >>> 0;
  if (length > 4) b = (b + word(i + 4, Math.min(length - 4, 4))) >>> 0;
  if (length > 8) c = (c + word(i + 8, length - 8)) >>> 0;
  // final(a, b, c)
  c = (c ^ b) >>> 0; c = (c - rot(b, 14)) >>> 0;
  a = (a ^ c) >>> 0; a = (a - rot(c, 11)) >>> 0;
  b = (b ^ a) >>> 0; b = (b - rot(a, 25)) >>> 0;
  c = (c ^ b) >>> 0; c = (c - rot(b, 16)) >>> 0;
  a = (a ^ c) >>> 0; a = (a - rot(c, 4)) >>> 0;
  b = (b ^ a) >>> 0; b = (b - rot(a, 14)) >>> 0;
  c = (c ^ b) >>> 0; c = (c - rot(b, 24)) >>> 0;
  return c;
}
