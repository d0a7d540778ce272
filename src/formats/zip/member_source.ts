/**
 * A stored (uncompressed) zip member read straight from its archive, by ranges, as a
 * `ByteSource` of its own, with its CRC-32 computed on the way.
 *
 * The CRC must run over the member's bytes in order, but its reader (HDF5) jumps around: its
 * structure first, scattered through the file, then each weight. So the checksum advances
 * whenever a read continues where it stopped (or starts within `GAP_FILL_BYTES` after it: the
 * few bytes in between are read and checksummed too), and other reads leave it alone. Weights
 * are read in the order they are stored, so by the time the last one is read nearly the whole
 * member has been checked; `verify` checks whatever is left and compares. Reads may run at
 * once (a reader fetches the next piece while it checks this one): their bytes go into the
 * checksum in the order the reads were asked for, whatever order they finish in.
 */
import { checkRange, type ByteSource } from '../../io/byte_source.js';
import { crc32 } from './crc32.js';

/** A gap up to this long before a read is read and checksummed with it (metadata between weights). */
const GAP_FILL_BYTES = 1 << 20;
/** Pieces `verify` reads what is left in. */
const VERIFY_PIECE_BYTES = 8 << 20;

export class StoredMemberSource implements ByteSource {
  readonly ownership;
  private crc = 0;
  /** Bytes [0, checked) have gone into `crc`. */
  private checked = 0;

  constructor(
    private readonly archive: ByteSource,
    private readonly start: number,
    readonly size: number,
    readonly name: string,
    private readonly expectedCrc: number,
    /** Throws the archive's error for a failed check. */
    private readonly fail: (message: string) => never,
  ) {
    checkRange(archive, start, size);
    this.ownership = archive.ownership;
    if (archive.readSync) this.readSync = (offset, length) => this.readSyncChecked(offset, length);
  }

  readSync?: (offset: number, length: number) => Uint8Array;

  /** The checksum's last step: each read's step runs after the one asked for before it. */
  private order: Promise<void> = Promise.resolve();

  async read(offset: number, length: number): Promise<Uint8Array> {
    checkRange(this, offset, length);
    const reading = this.archive.read(this.start + offset, length);
    const step = this.order.then(async () => {
      if (offset > this.checked && offset - this.checked <= GAP_FILL_BYTES) {
        this.advance(this.checked, await this.archive.read(this.start + this.checked, offset - this.checked));
      }
      this.advance(offset, await reading);
    });
    this.order = step.catch(() => {});
    await step;
    return reading;
  }

  private readSyncChecked(offset: number, length: number): Uint8Array {
    checkRange(this, offset, length);
    const readSync = this.archive.readSync!.bind(this.archive);
    if (offset > this.checked && offset - this.checked <= GAP_FILL_BYTES) {
      this.advance(this.checked, readSync(this.start + this.checked, offset - this.checked));
    }
    const bytes = readSync(this.start + offset, length);
    this.advance(offset, bytes);
    return bytes;
  }

  /** Takes the part of `bytes` (read at `offset`) that continues the checksum. */
  private advance(offset: number, bytes: Uint8Array): void {
    const end = offset + bytes.length;
    if (offset > this.checked || end <= this.checked) return;
    this.crc = crc32(bytes.subarray(this.checked - offset), this.crc);
    this.checked = end;
  }

  /** Checksums what no read covered, then compares with the central directory's CRC-32. */
  async verify(): Promise<void> {
    await this.order;
    while (this.checked < this.size) {
      const n = Math.min(VERIFY_PIECE_BYTES, this.size - this.checked);
      this.advance(this.checked, await this.archive.read(this.start + this.checked, n));
    }
    if (this.crc !== this.expectedCrc) this.fail(`member '${this.name}' fails its CRC-32 check; the archive is corrupt or truncated`);
  }

  /** Bytes checksummed so far (tests check that reading in order checks on the way). */
  get checkedBytes(): number {
    return this.checked;
  }

  async close(): Promise<void> {}
}
