/**
 * The constant pool of the WebAssembly text generators (build-lab-bytes-wasm.ts, build-soft-encode-wasm.ts):
 * each distinct float splat becomes one v128 local, set once before the loop and read where it is used,
 * because V8 rebuilds a `v128.const` on every use, several instructions each. Values are written by their
 * exact bit pattern, so no decimal parsing can change them.
 */

/** The float lanes of a pool's splats: four float32 or two float64 per v128. */
export type WatFloatLanes = 'f32x4' | 'f64x2';

/** The splats one module uses, collected while its text is written. */
export interface WatConstantPool {
  /** `(local.get $kN)` reading `value` in every lane; the first use of a value adds its local. */
  splat(value: number): string;
  /** The declarations of the locals used so far, for the function header. */
  locals(): string;
  /** The `local.set`s that fill them, one per line (indented for the function body). */
  setup(): string;
}

/**
 * An empty pool for splats of `lanes`. Locals are named `$k0`, `$k1`, … in order of first use, so the same
 * module text always comes out the same.
 *
 * @param lanes  `'f32x4'` (values rounded to float32) or `'f64x2'`.
 * @example
 * const pool = createWatConstantPool('f32x4');
 * const body = `(f32x4.mul (local.get $x) ${pool.splat(1 / 3)})`;
 * const text = `(func ${pool.locals()} ${pool.setup()} ${body})`;
 */
export function createWatConstantPool(lanes: WatFloatLanes): WatConstantPool {
  const names = new Map<string, string>();
  // The lane's bits as an integer literal, and v128.const of the matching integer shape.
  const bitsOf =
    lanes === 'f32x4'
      ? (value: number) => `0x${new Uint32Array(new Float32Array([value]).buffer)[0].toString(16).padStart(8, '0')}`
      : (value: number) =>
          `0x${new BigUint64Array(new Float64Array([value]).buffer)[0].toString(16).padStart(16, '0')}`;
  const vector =
    lanes === 'f32x4'
      ? (bits: string) => `i32x4 ${bits} ${bits} ${bits} ${bits}`
      : (bits: string) => `i64x2 ${bits} ${bits}`;
  return {
    splat(value) {
      const bits = bitsOf(value);
      let name = names.get(bits);
      if (name === undefined) {
        name = `$k${names.size}`;
        names.set(bits, name);
      }
      return `(local.get ${name})`;
    },
    locals: () => [...names.values()].map((name) => `(local ${name} v128)`).join(' '),
    setup: () => [...names].map(([bits, name]) => `(local.set ${name} (v128.const ${vector(bits)}))`).join('\n    '),
  };
}
