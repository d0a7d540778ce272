/**
 * CRC-32C (Castagnoli) against its published check value, and LevelDB's checksum masking.
 */
import { describe, expect, it } from 'vitest';
import { crc32c, crc32cExtend, maskCrc, unmaskCrc } from '../../../src/formats/tensorflow/crc32c.js';

const ascii = (s: string) => new TextEncoder().encode(s);

describe('crc32c', () => {
  it('matches the standard check value crc32c("123456789") = 0xE3069283', () => {
    expect(crc32c(ascii('123456789'))).toBe(0xe3069283);
  });

  it('is 0 for no bytes and extends across any split (slicing-by-8 and byte-wise paths agree)', () => {
    expect(crc32c(new Uint8Array(0))).toBe(0);
    const data = ascii('The quick brown fox jumps over the lazy dog, 0123456789 times.');
    const whole = crc32c(data);
    for (let cut = 0; cut <= data.length; cut++) {
      expect(crc32cExtend(crc32c(data.subarray(0, cut)), data.subarray(cut))).toBe(whole);
    }
  });

  it('matches the RFC 3720 (iSCSI) test vectors', () => {
    // RFC 3720 B.4: 32 bytes of zeros, of 0xFF, ascending and descending, as CRC values.
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i))).toBe(0x113fdb5c);
  });

  it('masking is invertible and changes the value', () => {
    for (const crc of [0, 1, 0xe3069283, 0xffffffff, 0x80000000]) {
      expect(unmaskCrc(maskCrc(crc))).toBe(crc);
      expect(maskCrc(crc)).not.toBe(crc);
    }
  });
});
