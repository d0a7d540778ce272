/**
 * CRC-32 (IEEE 802.3), the zip checksum, computable piece by piece: `crc32(b, crc32(a))` is the
 * checksum of a followed by b, so a member is checked as its bytes stream past.
 *
 * In Node (>= 20.15) this is zlib's native crc32, ~10× the table loop below on a 100 MB member;
 * it is reached through `process.getBuiltinModule` so that this module imports nothing from
 * Node and still loads in a browser, where the table loop runs.
 */

type NativeCrc32 = (data: Uint8Array, value?: number) => number;

const nativeCrc32: NativeCrc32 | undefined = (() => {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const zlib = proc?.getBuiltinModule?.('node:zlib') as { crc32?: NativeCrc32 } | undefined;
  return typeof zlib?.crc32 === 'function' ? zlib.crc32 : undefined;
})();

let table: Uint32Array | null = null;

function crcTable(): Uint32Array {
  if (!table) {
    table = new Uint32Array(256);
    for (let i = 0; i < 256; i++) {
      let c = i;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[i] = c >>> 0;
    }
  }
  return table;
}

/** The CRC-32 of `data` continued from `previous` (the CRC-32 of what came before; 0 to start). */
export function crc32(data: Uint8Array, previous = 0): number {
  if (nativeCrc32) return nativeCrc32(data, previous) >>> 0;
  return crc32Table(data, previous);
}

/** The same without zlib (what browsers run); exported so tests can check both agree. */
export function crc32Table(data: Uint8Array, previous = 0): number {
  const t = crcTable();
  let crc = (previous ^ 0xffffffff) >>> 0;
  for (let i = 0; i < data.length; i++) crc = t[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
