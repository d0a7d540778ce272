/**
 * A small, read-only reader of CPython `marshal` data, enough to describe the code object Keras
 * stores for a Lambda layer: its function name, the global names it uses and its constants.
 * Nothing here executes, evaluates or imports anything: bytes in, strings and numbers out.
 *
 * Keras 2 stores `base64(marshal.dumps(fn.__code__))` in `config.function[0]` when
 * `function_type == 'lambda'`; Keras 3 in `{"class_name": "__lambda__", "config": {"code": ...}}`.
 * The code-object layout changed across Python versions (2.x, 3.0–3.7, 3.8–3.10, 3.11+) and the
 * file does not say which wrote it, so each layout is tried until one reads the whole buffer.
 */

export type MarshalConst = string | number | boolean | null;

export interface CodeSummary {
  /** `co_name`: the `def` name, or '<lambda>' for an anonymous lambda. */
  name: string;
  /** `co_filename` (e.g. '<ipython-input-12-…>' or a script path). */
  filename: string;
  /** Global and attribute names the code uses (`co_names`), nested code objects included. */
  names: string[];
  /** Constant strings and numbers (`co_consts`), nested code objects included. */
  consts: MarshalConst[];
  /** Argument and local variable names of the outer function. */
  varnames: string[];
}

type Layout = 'py311' | 'py38' | 'py30' | 'py2';
const LAYOUTS: Layout[] = ['py311', 'py38', 'py30', 'py2'];

interface Code {
  kind: 'code';
  name: string;
  filename: string;
  names: unknown[];
  consts: unknown[];
  varnames: unknown[];
}

class MarshalError extends Error {}

/** Decodes base64 (MIME line breaks allowed) and summarizes the code object, or returns null. */
export function summarizeLambdaCode(base64: string): CodeSummary | null {
  let bytes: Uint8Array;
  try {
    bytes = decodeBase64(base64);
  } catch {
    return null;
  }
  for (const layout of LAYOUTS) {
    try {
      const reader = new MarshalReader(bytes, layout);
      const value = reader.read();
      if (!reader.atEnd() || !isCode(value)) continue;
      return summarize(value);
    } catch (e) {
      if (!(e instanceof MarshalError || e instanceof RangeError)) throw e;
    }
  }
  return null;
}

/**
 * Keras 2 writes base64 (MIME, with line breaks); Keras 1 wrote the raw marshal bytes decoded
 * as 'raw_unicode_escape', i.e. one character per byte.
 */
function decodeBase64(text: string): Uint8Array {
  const clean = text.replace(/\s/g, '');
  if (/^[A-Za-z0-9+/]*={0,2}$/.test(clean)) return Uint8Array.from(atob(clean), (c) => c.charCodeAt(0));
  if ([...text].every((c) => c.charCodeAt(0) <= 0xff)) return Uint8Array.from(text, (c) => c.charCodeAt(0));
  throw new MarshalError('neither base64 nor raw marshal bytes');
}

function isCode(v: unknown): v is Code {
  return typeof v === 'object' && v !== null && (v as Code).kind === 'code';
}

/**
 * The most names and constants a summary lists. A Lambda's own code has a handful; marshal's
 * back-references let a small file make the same nested code object reachable 2^n ways, so
 * the walk visits each code object once and stops listing at these counts.
 */
export const MAX_SUMMARY_ITEMS = 256;

function summarize(code: Code): CodeSummary {
  const names = new Set<string>();
  const consts: MarshalConst[] = [];
  const visited = new Set<Code>();
  const addConst = (k: MarshalConst) => {
    if (consts.length < MAX_SUMMARY_ITEMS) consts.push(k);
  };
  // Recursion depth is bounded by the reader's MAX_DEPTH; `visited` bounds the work by the
  // number of distinct code objects, i.e. by the size of the data.
  const visit = (c: Code): void => {
    if (visited.has(c)) return;
    visited.add(c);
    for (const n of c.names) if (typeof n === 'string' && names.size < MAX_SUMMARY_ITEMS) names.add(n);
    for (const k of c.consts) {
      if (isCode(k)) visit(k);
      else if (typeof k === 'string' || typeof k === 'number' || typeof k === 'boolean' || k === null) addConst(k);
      else if (Array.isArray(k)) for (const x of k.slice(0, MAX_SUMMARY_ITEMS)) if (typeof x === 'string' || typeof x === 'number') addConst(x);
    }
  };
  visit(code);
  return {
    name: code.name,
    filename: code.filename,
    names: [...names],
    consts,
    varnames: code.varnames.filter((v): v is string => typeof v === 'string').slice(0, MAX_SUMMARY_ITEMS),
  };
}

const FLAG_REF = 0x80;
/** A value we skip over but do not report (complex numbers). */
const OPAQUE = Object.freeze({ opaque: true });
/** co_localspluskinds bit of a plain local variable (3.11+; cells and free variables are not). */
const CO_FAST_LOCAL = 0x20;
/** Guards against hostile nesting. */
const MAX_DEPTH = 64;

class MarshalReader {
  private pos = 0;
  private readonly refs: unknown[] = [];
  private readonly dv: DataView;
  private depth = 0;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly layout: Layout,
  ) {
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  atEnd(): boolean {
    return this.pos === this.bytes.length;
  }

  read(): unknown {
    if (++this.depth > MAX_DEPTH) throw new MarshalError('nested too deeply');
    try {
      return this.readObject();
    } finally {
      this.depth--;
    }
  }

  private byte(): number {
    if (this.pos >= this.bytes.length) throw new MarshalError('truncated');
    return this.bytes[this.pos++];
  }

  private int32(): number {
    if (this.pos + 4 > this.bytes.length) throw new MarshalError('truncated');
    const v = this.dv.getInt32(this.pos, true);
    this.pos += 4;
    return v;
  }

  private take(n: number): Uint8Array {
    if (n < 0 || this.pos + n > this.bytes.length) throw new MarshalError('truncated');
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** Advances over n bytes and returns where they started (for DataView reads). */
  private advance(n: number): number {
    const at = this.pos;
    this.take(n);
    return at;
  }

  private text(n: number, encoding: 'utf-8' | 'latin1'): string {
    return new TextDecoder(encoding).decode(this.take(n));
  }

  private count(): number {
    const n = this.int32();
    if (n < 0 || n > this.bytes.length) throw new MarshalError('bad length');
    return n;
  }

  private readObject(): unknown {
    const code = this.byte();
    const flagged = (code & FLAG_REF) !== 0;
    const type = String.fromCharCode(code & ~FLAG_REF);
    // A flagged object takes the next reference slot before its children are read (CPython's order).
    const slot = flagged ? this.refs.push(undefined) - 1 : -1;
    const value = this.readTyped(type);
    if (slot >= 0) this.refs[slot] = value;
    return value;
  }

  private readTyped(type: string): unknown {
    switch (type) {
      case '0': return undefined; // NULL (dict terminator)
      case 'N': return null;
      case 'F': return false;
      case 'T': return true;
      case 'S': return 'StopIteration';
      case '.': return 'Ellipsis';
      case 'i': return this.int32();
      case 'I': return Number(this.dv.getBigInt64(this.advance(8), true)); // Python 2 int64
      case 'l': { // long: signed count of 15-bit digits
        const n = this.int32();
        let v = 0;
        const digits = Math.abs(n);
        if (digits > 1000) throw new MarshalError('long too long');
        for (let i = 0; i < digits; i++) {
          const d = this.dv.getUint16(this.advance(2), true);
          v += d * 2 ** (15 * i);
        }
        return n < 0 ? -v : v;
      }
      case 'f': return Number(this.text(this.byte(), 'latin1'));
      case 'g': return this.dv.getFloat64(this.advance(8), true);
      case 'x': { this.text(this.byte(), 'latin1'); this.text(this.byte(), 'latin1'); return OPAQUE; }
      case 'y': { this.take(16); return OPAQUE; }
      case 's': { // bytes in Python 3 (bytecode, bytes constants), str in Python 2
        const n = this.count();
        return this.layout === 'py2' ? this.text(n, 'latin1') : new Uint8Array(this.take(n));
      }
      case 't': case 'u': return this.text(this.count(), 'utf-8');
      case 'a': case 'A': return this.text(this.count(), 'latin1');
      case 'z': case 'Z': return this.text(this.byte(), 'latin1');
      case '(': case '[': case '<': case '>': return this.items(this.count());
      case ')': return this.items(this.byte());
      case '{': {
        const out: unknown[] = [];
        for (;;) {
          const k = this.read();
          if (k === undefined) return out;
          out.push(k, this.read());
        }
      }
      case 'r': {
        const i = this.int32();
        if (i < 0 || i >= this.refs.length) throw new MarshalError('bad reference');
        return this.refs[i];
      }
      case 'c': return this.code();
      default: throw new MarshalError(`unknown marshal type ${JSON.stringify(type)}`);
    }
  }

  private items(n: number): unknown[] {
    const out: unknown[] = [];
    for (let i = 0; i < n; i++) out.push(this.read());
    return out;
  }

  private code(): Code {
    const ints = { py311: 5, py38: 6, py30: 5, py2: 4 }[this.layout];
    for (let i = 0; i < ints; i++) this.int32();
    this.read(); // bytecode
    const consts = asList(this.read());
    const names = asList(this.read());
    let varnames = asList(this.read()); // co_varnames, or co_localsplusnames on 3.11+
    if (this.layout === 'py311') {
      const kinds = this.read();
      if (!(kinds instanceof Uint8Array) || kinds.length !== varnames.length) throw new MarshalError('bad co_localspluskinds');
      varnames = varnames.filter((_, i) => (kinds[i] & CO_FAST_LOCAL) !== 0);
    } else {
      this.read(); // co_freevars
      this.read(); // co_cellvars
    }
    const filename = this.read();
    const name = this.read();
    if (this.layout === 'py311') this.read(); // co_qualname
    this.int32(); // co_firstlineno
    this.read(); // lnotab / linetable
    if (this.layout === 'py311') this.read(); // co_exceptiontable
    if (typeof name !== 'string' || typeof filename !== 'string') throw new MarshalError('not a code object');
    return { kind: 'code', name, filename, names, consts, varnames };
  }
}

function asList(v: unknown): unknown[] {
  if (!Array.isArray(v)) throw new MarshalError('expected a tuple');
  return v;
}
