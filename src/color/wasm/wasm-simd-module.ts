/**
 * Instantiating the small WebAssembly SIMD modules of src/color (the kernels of lab-bytes-kernel.ts and
 * soft-encode-kernel.ts, stored as base64 by scripts/write-wasm-module.ts): validated first, compiled
 * synchronously, and null wherever WebAssembly or its SIMD proposal is missing, so the caller falls back
 * to its JavaScript twin. Internal to src/color: not re-exported from the barrel; imports nothing, so the
 * colour module stays free of tfjs.
 */

/** The bytes of a base64 string (`atob`, present in browsers and Node ≥ 16). */
function base64Bytes(text: string): Uint8Array<ArrayBuffer> {
  const chars = atob(text);
  const bytes = new Uint8Array(chars.length);
  for (let i = 0; i < chars.length; i++) bytes[i] = chars.charCodeAt(i);
  return bytes;
}

/**
 * The exports of a new instance of the WebAssembly module stored as `base64`, or null where WebAssembly
 * is missing, the runtime rejects the module (e.g. no SIMD: `WebAssembly.validate` is false) or
 * compiling or instantiating it throws. Compiles synchronously: meant for modules of a few KB, far below
 * the browsers' main-thread limit; the module must need no imports. Each call makes a new instance, so
 * callers make theirs once and keep it.
 *
 * @param base64  the module's bytes, base64 (a generated `*-wasm.ts` constant).
 * @returns the instance's exports, typed as `Exports` by the caller (unchecked), or null.
 * @example
 * const exports = instantiateWasmSimd<{ memory: WebAssembly.Memory }>(LAB_BYTES_WASM_BASE64);
 * if (exports === null) useTwin();
 */
export function instantiateWasmSimd<Exports>(base64: string): Exports | null {
  if (typeof WebAssembly !== 'object') return null;
  try {
    const bytes = base64Bytes(base64);
    if (!WebAssembly.validate(bytes)) return null;
    return new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports as unknown as Exports;
  } catch {
    return null;
  }
}
