/**
 * A data-only reader of Python pickles (protocols 0–5), for what numpy stores in object arrays:
 * lists, tuples, dicts, numbers, strings, and the calls that rebuild an ndarray. Nothing is ever
 * called, imported or evaluated: a global (`numpy.core.multiarray._reconstruct`, or `os.system`)
 * becomes a `PickleGlobal` naming it, a call a `PickleCall` holding its arguments.
 *
 * Bounded by construction, unlike a general unpickler: every opcode's work and memory is
 * proportional to the bytes it consumes (a call keeps its argument tuple by reference, BUILD
 * keeps its state by reference; nothing is copied or spread), and an estimate of the memory the
 * values take is kept under a budget proportional to the input (`memoryBudget`), so that opcodes
 * of one byte that each make an object (EMPTY_LIST, MEMOIZE) cannot turn 40 MB into gigabytes.
 * Shared references (the memo) are kept as shared references: whoever walks the result must
 * bound its own walk (a list referenced 20,000 times is one list here).
 *
 * Refused with PickleError: persistent ids, extension codes and out-of-band buffers (which need
 * the writer's registry), BUILD on anything but a call's result, and malformed streams.
 */

export class PickleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PickleError';
  }
}

/** A global the pickle names (`c` GLOBAL / STACK_GLOBAL), never resolved. */
export class PickleGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}
}

/** The result of calling something (REDUCE, NEWOBJ, INST, OBJ), never made: what and with what. */
export class PickleCall {
  /** BUILD's argument, if the stream sets one (numpy: the array's state tuple). */
  state: unknown = undefined;
  constructor(
    readonly callable: unknown,
    readonly args: readonly unknown[],
  ) {}
}

export interface PickleOptions {
  /** Estimated bytes of values the reader may hold (default: 8 × the input, at least 1 MiB). */
  memoryBudget?: number;
}

/**
 * Bytes as ISO-8859-1, one character per byte (TextDecoder's 'latin1' is windows-1252, which
 * differs for 0x80–0x9F).
 */
function latin1(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 8192) out += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return out;
}

/** Python's raw-unicode-escape (protocol 0 UNICODE): bytes as latin1, \\uXXXX and \\UXXXXXXXX escapes. */
function rawUnicodeEscape(text: string): string {
  return text.replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (whole, u4: string | undefined, u8: string | undefined) => {
    const code = parseInt(u4 ?? (u8 as string), 16);
    return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

/** Python's own limit on the digits of an int written as text (sys.int_info.default_max_str_digits). */
const MAX_INT_DIGITS = 4300;
/** Bytes of a binary long (LONG1 / LONG4) we turn into a number. */
const MAX_LONG_BYTES = 1 << 16;

/** Rough heap cost of what each opcode makes, for the memory budget (64-bit V8). */
const COST = { slot: 8, object: 64, memo: 48, bigint: 32 } as const;

const MARK = Symbol('mark');

/** Reads one pickle from `bytes` (it must end with STOP) and returns its value. */
export function readPickle(bytes: Uint8Array, options: PickleOptions = {}): unknown {
  return new PickleReader(bytes, options.memoryBudget ?? Math.max(1 << 20, 8 * bytes.length)).read();
}

class PickleReader {
  private pos = 0;
  private readonly dv: DataView;
  private stack: unknown[] = [];
  private readonly metastack: unknown[][] = [];
  private readonly memo = new Map<number, unknown>();
  private spent = 0;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly budget: number,
  ) {
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  read(): unknown {
    for (;;) {
      const op = this.u8();
      if (op === 0x2e) {
        // STOP
        if (this.stack.length !== 1 || this.metastack.length !== 0) throw new PickleError('STOP with an unbalanced stack');
        return this.stack[0];
      }
      this.step(op);
    }
  }

  private charge(cost: number): void {
    this.spent += cost;
    if (this.spent > this.budget) {
      throw new PickleError(`its values would take more than ${this.budget} bytes of memory, far more than ${this.bytes.length} bytes of pickle need`);
    }
  }

  private push(v: unknown, cost: number = COST.slot): void {
    this.charge(cost);
    this.stack.push(v);
  }

  private pop(): unknown {
    if (this.stack.length === 0) throw new PickleError('stack underflow');
    return this.stack.pop();
  }

  private top(): unknown {
    if (this.stack.length === 0) throw new PickleError('stack underflow');
    return this.stack[this.stack.length - 1];
  }

  /** The items pushed since the last MARK, which is removed. */
  private popMark(): unknown[] {
    const items = this.stack;
    const outer = this.metastack.pop();
    if (!outer) throw new PickleError('no MARK to pop to');
    this.stack = outer;
    return items;
  }

  // ------------------------------------------------------------------------------ bytes

  private need(n: number): number {
    if (!Number.isSafeInteger(n) || n < 0 || this.pos + n > this.bytes.length) throw new PickleError('truncated');
    const at = this.pos;
    this.pos += n;
    return at;
  }

  private u8(): number {
    return this.bytes[this.need(1)];
  }

  private u16(): number {
    return this.dv.getUint16(this.need(2), true);
  }

  private i32(): number {
    return this.dv.getInt32(this.need(4), true);
  }

  private u32(): number {
    return this.dv.getUint32(this.need(4), true);
  }

  private u64(): number {
    const v = this.dv.getBigUint64(this.need(8), true);
    if (v > BigInt(this.bytes.length)) throw new PickleError('truncated');
    return Number(v);
  }

  private take(n: number): Uint8Array {
    const at = this.need(n);
    return this.bytes.subarray(at, at + n);
  }

  private line(): string {
    const end = this.bytes.indexOf(0x0a, this.pos);
    if (end < 0) throw new PickleError('truncated (no end of line)');
    const text = latin1(this.bytes.subarray(this.pos, end));
    this.pos = end + 1;
    return text;
  }

  private text(n: number, encoding: 'utf-8' | 'latin1'): string {
    const raw = this.take(n);
    this.charge(COST.object + 2 * n);
    return encoding === 'latin1' ? latin1(raw) : new TextDecoder('utf-8').decode(raw);
  }

  private bytesValue(n: number): Uint8Array {
    const raw = this.take(n);
    this.charge(COST.object + n);
    return raw.slice();
  }

  // ---------------------------------------------------------------------------- opcodes

  private step(op: number): void {
    switch (op) {
      case 0x80: // PROTO
        if (this.u8() > 5) throw new PickleError('unsupported protocol');
        return;
      case 0x95: // FRAME: a length hint
        this.need(8);
        return;
      case 0x28: // MARK
        this.charge(COST.object);
        this.metastack.push(this.stack);
        this.stack = [];
        return;
      case 0x30: // POP
        if (this.stack.length === 0) this.popMark(); // Python pops a MARK here too
        else this.pop();
        return;
      case 0x31: // POP_MARK
        this.popMark();
        return;
      case 0x32: // DUP
        this.push(this.top());
        return;

      // memo
      case 0x70: // PUT
        return this.put(this.intLine());
      case 0x71: // BINPUT
        return this.put(this.u8());
      case 0x72: // LONG_BINPUT
        return this.put(this.u32());
      case 0x94: // MEMOIZE
        return this.put(this.memo.size);
      case 0x67: // GET
        return this.get(this.intLine());
      case 0x68: // BINGET
        return this.get(this.u8());
      case 0x6a: // LONG_BINGET
        return this.get(this.u32());

      // constants and numbers
      case 0x4e: return this.push(null); // NONE
      case 0x88: return this.push(true); // NEWTRUE
      case 0x89: return this.push(false); // NEWFALSE
      case 0x49: { // INT (text; '00' / '01' are protocol 0 booleans)
        const t = this.line().trim();
        return this.push(t === '01' ? true : t === '00' ? false : this.parseIntText(t));
      }
      case 0x4c: return this.push(this.parseIntText(this.line().trim().replace(/L$/, ''))); // LONG (text)
      case 0x4a: return this.push(this.i32()); // BININT
      case 0x4b: return this.push(this.u8()); // BININT1
      case 0x4d: return this.push(this.u16()); // BININT2
      case 0x8a: return this.pushLong(this.u8()); // LONG1
      case 0x8b: return this.pushLong(this.i32()); // LONG4
      case 0x46: return this.push(Number(this.line()), COST.bigint); // FLOAT (text)
      case 0x47: this.charge(COST.bigint); return this.push(this.dv.getFloat64(this.need(8), false)); // BINFLOAT (big-endian)

      // strings and bytes
      case 0x53: return this.push(this.quotedString(this.line())); // STRING (text, quoted)
      case 0x54: return this.push(this.text(this.i32(), 'latin1')); // BINSTRING
      case 0x55: return this.push(this.text(this.u8(), 'latin1')); // SHORT_BINSTRING
      case 0x56: return this.push(rawUnicodeEscape(this.line())); // UNICODE (protocol 0 text)
      case 0x58: return this.push(this.text(this.u32(), 'utf-8')); // BINUNICODE
      case 0x8c: return this.push(this.text(this.u8(), 'utf-8')); // SHORT_BINUNICODE
      case 0x8d: return this.push(this.text(this.u64(), 'utf-8')); // BINUNICODE8
      case 0x42: return this.push(this.bytesValue(this.i32())); // BINBYTES
      case 0x43: return this.push(this.bytesValue(this.u8())); // SHORT_BINBYTES
      case 0x8e: // BINBYTES8
      case 0x96: // BYTEARRAY8
        return this.push(this.bytesValue(this.u64()));

      // containers: each keeps the items it takes from the stack, nothing is copied twice
      case 0x29: return this.push([], COST.object); // EMPTY_TUPLE
      case 0x5d: return this.push([], COST.object); // EMPTY_LIST
      case 0x74: // TUPLE
      case 0x6c: // LIST
        return this.push(this.popMark(), COST.object);
      case 0x85: return this.push([this.pop()], COST.object); // TUPLE1
      case 0x86: { // TUPLE2
        const b = this.pop();
        return this.push([this.pop(), b], COST.object);
      }
      case 0x87: { // TUPLE3
        const c = this.pop();
        const b = this.pop();
        return this.push([this.pop(), b, c], COST.object);
      }
      case 0x61: { // APPEND
        const value = this.pop();
        this.list(this.top()).push(value);
        return;
      }
      case 0x65: { // APPENDS
        const items = this.popMark();
        const list = this.list(this.top());
        for (const item of items) list.push(item);
        return;
      }
      case 0x7d: return this.push(new Map(), COST.object); // EMPTY_DICT
      case 0x64: { // DICT
        const items = this.popMark();
        return this.push(this.pairsInto(new Map(), items), COST.object);
      }
      case 0x73: { // SETITEM
        const value = this.pop();
        const key = this.pop();
        this.pairsInto(this.dict(this.top()), [key, value]);
        return;
      }
      case 0x75: { // SETITEMS
        const items = this.popMark();
        this.pairsInto(this.dict(this.top()), items);
        return;
      }
      case 0x8f: return this.push([], COST.object); // EMPTY_SET (as a list of its items)
      case 0x90: { // ADDITEMS
        const items = this.popMark();
        const set = this.list(this.top());
        for (const item of items) set.push(item);
        return;
      }
      case 0x91: return this.push(this.popMark(), COST.object); // FROZENSET

      // globals and calls: named and recorded, never resolved or run
      case 0x63: { // GLOBAL
        const module = this.line();
        return this.push(new PickleGlobal(module, this.line()), COST.object);
      }
      case 0x93: { // STACK_GLOBAL
        const name = this.pop();
        const module = this.pop();
        if (typeof module !== 'string' || typeof name !== 'string') throw new PickleError('STACK_GLOBAL needs two strings');
        return this.push(new PickleGlobal(module, name), COST.object);
      }
      case 0x52: { // REDUCE
        const args = this.pop();
        return this.push(new PickleCall(this.pop(), this.tuple(args)), COST.object);
      }
      case 0x81: { // NEWOBJ
        const args = this.pop();
        return this.push(new PickleCall(this.pop(), this.tuple(args)), COST.object);
      }
      case 0x92: { // NEWOBJ_EX (kwargs dropped: nothing is constructed)
        this.pop();
        const args = this.pop();
        return this.push(new PickleCall(this.pop(), this.tuple(args)), COST.object);
      }
      case 0x69: { // INST
        const module = this.line();
        const name = this.line();
        return this.push(new PickleCall(new PickleGlobal(module, name), this.popMark()), COST.object);
      }
      case 0x6f: { // OBJ
        const items = this.popMark();
        if (items.length === 0) throw new PickleError('OBJ without a class');
        return this.push(new PickleCall(items[0], items.slice(1)), COST.object);
      }
      case 0x62: { // BUILD
        const state = this.pop();
        const target = this.top();
        if (!(target instanceof PickleCall)) throw new PickleError('BUILD on something that is not an object being rebuilt');
        target.state = state;
        return;
      }
      case 0x50: // PERSID
      case 0x51: // BINPERSID
        throw new PickleError('persistent ids refer to objects outside the pickle');
      case 0x82: // EXT1
      case 0x83: // EXT2
      case 0x84: // EXT4
        throw new PickleError('extension codes refer to a registry outside the pickle');
      case 0x97: // NEXT_BUFFER
      case 0x98: // READONLY_BUFFER
        throw new PickleError('out-of-band buffers are not part of the pickle');
      default:
        throw new PickleError(`unknown opcode 0x${op.toString(16).padStart(2, '0')} at byte ${this.pos - 1}`);
    }
  }

  private put(index: number): void {
    this.charge(COST.memo);
    this.memo.set(index, this.top());
  }

  private get(index: number): void {
    if (!this.memo.has(index)) throw new PickleError(`memo entry ${index} was never stored`);
    this.push(this.memo.get(index));
  }

  private intLine(): number {
    const n = Number(this.line());
    if (!Number.isSafeInteger(n) || n < 0) throw new PickleError('bad memo index');
    return n;
  }

  private parseIntText(text: string): number | bigint {
    if (!/^[-+]?\d+$/.test(text) || text.length > MAX_INT_DIGITS + 1) throw new PickleError('bad or overlong integer');
    const n = Number(text);
    if (Number.isInteger(n) && Math.abs(n) <= 2 ** 53) return n; // exact as a number
    this.charge(COST.bigint + text.length);
    return BigInt(text);
  }

  private pushLong(n: number): void {
    if (n < 0 || n > MAX_LONG_BYTES) throw new PickleError('overlong integer');
    const raw = this.take(n);
    if (n === 0) return this.push(0);
    // Two's complement, little-endian.
    let hex = '';
    for (let i = n - 1; i >= 0; i--) hex += raw[i].toString(16).padStart(2, '0');
    let v = BigInt(`0x${hex}`);
    if (raw[n - 1] & 0x80) v -= 1n << BigInt(8 * n);
    this.charge(COST.bigint + n);
    this.push(v >= -(2n ** 53n) && v <= 2n ** 53n ? Number(v) : v); // exact as a number
  }

  private quotedString(line: string): string {
    const q = line[0];
    if (line.length < 2 || (q !== "'" && q !== '"') || line[line.length - 1] !== q) throw new PickleError('bad STRING');
    this.charge(COST.object + 2 * line.length);
    return line.slice(1, -1);
  }

  private list(v: unknown): unknown[] {
    if (!Array.isArray(v)) throw new PickleError('APPEND to something that is not a list');
    return v;
  }

  private dict(v: unknown): Map<unknown, unknown> {
    if (!(v instanceof Map)) throw new PickleError('SETITEM on something that is not a dict');
    return v;
  }

  private tuple(v: unknown): readonly unknown[] {
    if (!Array.isArray(v)) throw new PickleError('call arguments are not a tuple');
    return v;
  }

  private pairsInto(map: Map<unknown, unknown>, items: unknown[]): Map<unknown, unknown> {
    if (items.length % 2 !== 0) throw new PickleError('odd number of dict items');
    this.charge(COST.memo * (items.length / 2));
    for (let i = 0; i < items.length; i += 2) map.set(items[i], items[i + 1]);
    return map;
  }
}
