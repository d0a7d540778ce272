/**
 * JSON from a file, with its nesting bounded. JSON.parse itself takes any depth, but everything
 * that walks the value afterwards (config rewriting, tfjs' deserialization) recurses, and a 6 KB
 * file nested 3,000 deep overflows the stack there ("Maximum call stack size exceeded", far from
 * the file that caused it). So the depth is checked once, right after parsing, without recursion.
 *
 * Real Keras configs nest about 10 levels per nested model (model → config → layers → [i] →
 * config → layer → ...); 200 levels is a model nested some 20 models deep.
 */

import { ErrorCode, convertError } from '../errors.js';

/** The deepest nesting of arrays and objects accepted in a config. */
export const MAX_JSON_DEPTH = 200;

/** Thrown by `parseBoundedJson` for text that parses but nests deeper than the limit. */
export class JsonTooDeepError extends Error {
  constructor(readonly limit: number) {
    super(`nested more than ${limit} levels deep`);
    this.name = 'JsonTooDeepError';
  }
}

/**
 * JSON.parse, then the depth check. Throws SyntaxError (as JSON.parse) or JsonTooDeepError; the
 * caller names the file.
 */
export function parseBoundedJson(text: string, reviver?: (key: string, value: unknown) => unknown): unknown {
  const value = reviver ? JSON.parse(text, reviver) : JSON.parse(text);
  if (jsonTooDeep(value)) throw new JsonTooDeepError(MAX_JSON_DEPTH);
  return value;
}

/**
 * True if `value` nests arrays/objects deeper than `limit`, or refers to itself (an object a
 * caller built, not parsed JSON; a cycle is infinitely deep to anything that walks it). Each
 * object is visited once, so shared sub-objects cost nothing more.
 */
export function jsonTooDeep(value: unknown, limit = MAX_JSON_DEPTH): boolean {
  if (!isContainer(value)) return false;
  const onPath = new Set<object>();
  const done = new Set<object>();
  // Explicit stack of (object, its children iterator): depth-first without recursion.
  const stack: Array<{ node: object; children: Iterator<unknown> }> = [];
  const enter = (node: object): boolean => {
    if (onPath.has(node)) return true; // a cycle
    if (done.has(node)) return false;
    if (stack.length >= limit) return true;
    onPath.add(node);
    stack.push({ node, children: childrenOf(node) });
    return false;
  };
  if (enter(value)) return true;
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const next = top.children.next();
    if (next.done) {
      stack.pop();
      onPath.delete(top.node);
      done.add(top.node);
    } else if (isContainer(next.value) && enter(next.value)) {
      return true;
    }
  }
  return false;
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

/** What is wrong with text that `parseBoundedJson` refused, as a clause after its name. */
export function jsonProblem(e: unknown): string {
  if (e instanceof JsonTooDeepError) return `nests arrays and objects more than ${e.limit} levels deep, which no Keras model does; the file is damaged or crafted`;
  return `is not valid JSON (${e instanceof Error ? e.message : String(e)})`;
}

/**
 * Refuses (BAD_CONFIG, naming `file`) a value that did not come through parseBoundedJson, e.g. an
 * architecture given as a separate file or as an object, when it is too deep or refers to itself.
 */
export function checkJsonDepth(file: string, value: unknown, what: string): void {
  if (jsonTooDeep(value)) {
    throw convertError(ErrorCode.BAD_CONFIG, file, `${what} ${jsonProblem(new JsonTooDeepError(MAX_JSON_DEPTH))} (or refers to itself)`);
  }
}
