/**
 * JSON from a file, checked right after parsing for what JSON allows but nothing downstream
 * survives:
 *
 * - Nesting. JSON.parse takes any depth, but everything that walks the value afterwards (config
 *   rewriting, tfjs' deserialization) recurses, and a 6 KB file nested 3,000 deep overflows the
 *   stack there ("Maximum call stack size exceeded", far from the file that caused it). Real Keras
 *   configs nest about 10 levels per nested model (model → config → layers → [i] → config →
 *   layer → ...); 200 levels is a model nested some 20 models deep.
 * - A key named `__proto__`. JSON.parse makes it an ordinary key, but every copy made by
 *   assignment (`out[key] = value`, in our code and in tfjs' config conversion) turns it into the
 *   copy's prototype: its contents would then answer for keys the config does not have. Keras
 *   never writes such a key (no Keras object takes an argument of that name).
 *
 * The check is one walk without recursion.
 */
import { ErrorCode, convertError } from '../errors.js';

/** The deepest nesting of arrays and objects accepted in a config. */
export const MAX_JSON_DEPTH = 200;

export type JsonShapeProblem = 'too-deep' | 'cycle' | 'proto-key';

/** Thrown by `parseBoundedJson` for text that parses but that the converter must not walk. */
export class UnsafeJsonError extends Error {
  constructor(readonly problem: JsonShapeProblem) {
    super(describeProblem(problem));
    this.name = 'UnsafeJsonError';
  }
}

/**
 * JSON.parse, then the shape check. Throws SyntaxError (as JSON.parse) or UnsafeJsonError; the
 * caller names the file.
 */
export function parseBoundedJson(text: string, reviver?: (key: string, value: unknown) => unknown): unknown {
  const value = reviver ? JSON.parse(text, reviver) : JSON.parse(text);
  const problem = treeProblem(value, MAX_JSON_DEPTH);
  if (problem) throw new UnsafeJsonError(problem);
  if (isContainer(value)) checked.add(value);
  return value;
}

/** Values parseBoundedJson has checked (checkJsonShape need not walk them again). */
const checked = new WeakSet<object>();

/**
 * The check for what JSON.parse made: a tree (no object appears twice), so a plain walk with
 * an explicit stack, no bookkeeping of visited objects.
 */
function treeProblem(value: unknown, limit: number): JsonShapeProblem | null {
  if (!isContainer(value)) return null;
  const nodes: object[] = [value];
  const depths: number[] = [1];
  while (nodes.length > 0) {
    const node = nodes.pop() as object;
    const depth = depths.pop() as number;
    if (depth > limit) return 'too-deep';
    if (!Array.isArray(node) && Object.hasOwn(node, '__proto__')) return 'proto-key';
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (isContainer(child)) {
        nodes.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return null;
}

/**
 * What makes `value` unsafe to walk: nesting deeper than `limit`, a reference to itself (an
 * object a caller built; a cycle is infinitely deep to anything that walks it), or an own key
 * `__proto__`; null if none. Each object is visited once, so shared sub-objects cost nothing more.
 */
export function jsonShapeProblem(value: unknown, limit = MAX_JSON_DEPTH): JsonShapeProblem | null {
  if (!isContainer(value)) return null;
  const onPath = new Set<object>();
  const done = new Set<object>();
  // Explicit stack of (object, its children iterator): depth-first without recursion.
  const stack: Array<{ node: object; children: Iterator<unknown> }> = [];
  const enter = (node: object): JsonShapeProblem | null => {
    if (onPath.has(node)) return 'cycle';
    if (done.has(node)) return null;
    if (stack.length >= limit) return 'too-deep';
    if (!Array.isArray(node) && Object.hasOwn(node, '__proto__')) return 'proto-key';
    onPath.add(node);
    stack.push({ node, children: childrenOf(node) });
    return null;
  };
  const first = enter(value);
  if (first) return first;
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const next = top.children.next();
    if (next.done) {
      stack.pop();
      onPath.delete(top.node);
      done.add(top.node);
    } else if (isContainer(next.value)) {
      const problem = enter(next.value);
      if (problem) return problem;
    }
  }
  return null;
}

/** What is wrong with text that `parseBoundedJson` refused, as a clause after its name. */
export function jsonProblem(e: unknown): string {
  if (e instanceof UnsafeJsonError) return describeProblem(e.problem);
  return `is not valid JSON (${e instanceof Error ? e.message : String(e)})`;
}

/**
 * Refuses (BAD_CONFIG, naming `file`) a value that did not come through parseBoundedJson, e.g. an
 * architecture given as a separate file or as an object, for the same reasons.
 */
export function checkJsonShape(file: string, value: unknown, what: string): void {
  if (isContainer(value) && checked.has(value)) return;
  const problem = jsonShapeProblem(value);
  if (problem) throw convertError(ErrorCode.BAD_CONFIG, file, `${what} ${describeProblem(problem)}`);
}

function describeProblem(problem: JsonShapeProblem): string {
  switch (problem) {
    case 'too-deep':
      return `nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep, which no Keras model does; the file is damaged or crafted`;
    case 'cycle':
      return 'refers to itself (a cycle), which no Keras config does';
    case 'proto-key':
      return "has a key named '__proto__', which no Keras object takes and JavaScript cannot copy as data; the file is damaged or crafted";
  }
}

function isContainer(v: unknown): v is object {
  return typeof v === 'object' && v !== null;
}

function childrenOf(node: object): Iterator<unknown> {
  if (Array.isArray(node)) return node[Symbol.iterator]();
  return (function* () {
    for (const key of Object.keys(node)) yield (node as Record<string, unknown>)[key];
  })();
}
