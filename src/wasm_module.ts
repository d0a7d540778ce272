/**
 * Instantiating the project's own WebAssembly modules (committed as base64 by
 * scripts/build_wasm_kernels.mjs) synchronously, in Node and browsers alike, or reporting that
 * this engine cannot: no WebAssembly, no SIMD (the module fails to compile), or imports it cannot
 * take (e.g. a shared memory where the module declares an ordinary one).
 */

/**
 * The slice of the WebAssembly JS API used here (the project compiles with lib ES2022, which has
 * no WebAssembly types; engines without WebAssembly have no global at all).
 */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}

/** The instance's exports, or null when this engine cannot compile or instantiate the module. */
export function instantiateBase64<T>(base64: string, imports: object = {}): T | null {
  const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (wasm === undefined || typeof wasm.Module !== 'function') return null;
  try {
    const module = new wasm.Module(base64Bytes(base64));
    return new wasm.Instance(module, imports).exports as T;
  } catch {
    return null;
  }
}

function base64Bytes(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
