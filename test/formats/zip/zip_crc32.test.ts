/**
 * The zip reader's CRC-32 against the published check value and against fflate's zip writer,
 * continued piece by piece as members are checked while they are read, and the table loop that
 * browsers run against Node's zlib.
 */
import { describe, expect, it } from 'vitest';
import { zipSync } from 'fflate';
import { crc32Table } from '../../../src/formats/zip/crc32.js';
import { crc32 } from '../../../src/formats/zip/zip_archive.js';

describe('crc32', () => {
  it('gives the CRC-32/ISO-HDLC check value for "123456789" (0xCBF43926)', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });

  it('agrees with the CRC fflate records in a zip central directory', () => {
    const data = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 7919) & 0xff);
    const zip = zipSync({ 'a.bin': [data, { level: 0 }] });
    // Central directory entry: signature 0x02014b50, CRC-32 at offset 16.
    const dv = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
    let at = zip.length - 22;
    at = dv.getUint32(at + 16, true);
    expect(dv.getUint32(at, true)).toBe(0x02014b50);
    expect(crc32(data)).toBe(dv.getUint32(at + 16, true));
  });

  it('continues over pieces: the CRC of a then b is crc32(b, crc32(a)), natively and by the table', () => {
    const data = Uint8Array.from({ length: 70_001 }, (_, i) => (i * 131 + (i >> 7)) & 0xff);
    const whole = crc32(data);
    for (const cut of [0, 1, 4096, 35_000, 70_000, 70_001]) {
      expect(crc32(data.subarray(cut), crc32(data.subarray(0, cut)))).toBe(whole);
      expect(crc32Table(data.subarray(cut), crc32Table(data.subarray(0, cut)))).toBe(whole);
    }
  });
});
