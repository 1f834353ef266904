/**
 * Build the WebAssembly SIMD kernel of src/color/lab/lab-bytes-kernel.ts: writes the module text (below) through
 * wabt's wat2wasm and stores the bytes as base64 in src/color/wasm/lab-bytes-wasm.ts. The constants come from
 * LAB_BYTES_CONSTANTS, so the kernel and its JavaScript twin use the same float32 numbers; the operations
 * here must stay in the twin's order (tests check the two bit for bit).
 *
 * Usage: npx tsx scripts/build-lab-bytes-wasm.ts   (deterministic: the same text gives the same file)
 */
import { LAB_BYTES_BLOCK, LAB_BYTES_CONSTANTS as K } from '../src/color/lab/lab-bytes-kernel.js';
import { createWatConstantPool } from './wat-constant-pool.js';
import { writeWasmModule } from './write-wasm-module.js';

/** Float32 splats, each read from a local set once before the loop (see wat-constant-pool.ts). */
const constants = createWatConstantPool('f32x4');
const splat = constants.splat;

/** i8x16.shuffle picking float lanes: 0–3 from the first operand, 4–7 from the second. */
function shuffle(lanes: number[], a: string, b: string): string {
  const bytes = lanes.flatMap((lane) => [0, 1, 2, 3].map((k) => 4 * lane + k));
  return `(i8x16.shuffle ${bytes.join(' ')} ${a} ${b})`;
}

/** CIELAB's f of the float32x4 in $t into $dest (order of operations as labFTwin). */
function labF(dest: string): string {
  const cube = `(local.set $y (f32x4.mul (f32x4.mul (local.get $c) (local.get $c)) (local.get $c)))`;
  return `
    ;; The cube root is taken of max(t, epsilon) (pmax: one instruction): lanes at or below epsilon use
    ;; the linear segment, and t = 0 (black) would otherwise iterate on subnormals, very slow on x86.
    (local.set $u (f32x4.pmax (local.get $t) ${splat(K.epsilon)}))
    ;; Start: bits(c) ≈ bits(u) / 3 + magic, computed in float; adding 2^23 leaves round(value / 256) in
    ;; the low mantissa bits, and the shift by 8 puts it back in place (the exponent bits of 2^23 shift out).
    (local.set $c (i32x4.shl (f32x4.add (f32x4.mul (f32x4.convert_i32x4_s (local.get $u)) ${splat(K.guessScale)})
      ${splat(K.guessOffset)}) (i32.const 8)))
    ;; Newton: c ← (2c + u/c²)/3 (3.2 % → about 1e-3).
    (local.set $c (f32x4.mul (f32x4.add (f32x4.add (local.get $c) (local.get $c))
      (f32x4.div (local.get $u) (f32x4.mul (local.get $c) (local.get $c)))) ${splat(K.third)}))
    ;; Halley, as a correction to c: c ← c + c·(u − c³)/(2c³ + u) (cubic: down to float32 rounding).
    ${cube}
    (local.set $c (f32x4.add (local.get $c) (f32x4.div (f32x4.mul (local.get $c) (f32x4.sub (local.get $u) (local.get $y)))
      (f32x4.add (f32x4.add (local.get $y) (local.get $y)) (local.get $u)))))
    (local.set ${dest} (v128.bitselect (local.get $c)
      (f32x4.add (f32x4.mul (local.get $t) ${splat(K.slope)}) ${splat(K.offset)})
      (f32x4.gt (local.get $t) ${splat(K.epsilon)})))`;
}

/** Decoded channel of 4 pixels at $ptr, $ptr + step, + 2 step, + 3 step into $dest. */
function gather(dest: string, ptr: string): string {
  const decode = (address: string): string => `(f32.load (i32.shl (i32.load8_u ${address}) (i32.const 2)))`;
  return `
    (local.set ${dest} (f32x4.splat ${decode(`(local.get ${ptr})`)}))
    (local.set ${dest} (f32x4.replace_lane 1 (local.get ${dest}) ${decode(`(i32.add (local.get ${ptr}) (local.get $step))`)}))
    (local.set ${dest} (f32x4.replace_lane 2 (local.get ${dest}) ${decode(`(i32.add (local.get ${ptr}) (local.get $step2))`)}))
    (local.set ${dest} (f32x4.replace_lane 3 (local.get ${dest}) ${decode(`(i32.add (local.get ${ptr}) (local.get $step3))`)}))`;
}

function row(m0: number, m1: number, m2: number): string {
  return `(f32x4.add (f32x4.add (f32x4.mul ${splat(m0)} (local.get $r)) (f32x4.mul ${splat(m1)} (local.get $g)))
      (f32x4.mul ${splat(m2)} (local.get $b)))`;
}

const planeBytes = 4 * LAB_BYTES_BLOCK;
const L = '(local.get $L)',
  A = '(local.get $A)',
  B = '(local.get $B)';
const body = `
    (loop $pixels
      ${gather('$r', '$rp')}
      ${gather('$g', '$gp')}
      ${gather('$b', '$bp')}
      (local.set $t ${row(K.mx0, K.mx1, K.mx2)})
      ${labF('$fx')}
      (local.set $t ${row(K.my0, K.my1, K.my2)})
      ${labF('$fy')}
      (local.set $t ${row(K.mz0, K.mz1, K.mz2)})
      ${labF('$fz')}
      (local.set $L (f32x4.sub (f32x4.mul ${splat(116)} (local.get $fy)) ${splat(16)}))
      (local.set $A (f32x4.mul ${splat(500)} (f32x4.sub (local.get $fx) (local.get $fy))))
      (local.set $B (f32x4.mul ${splat(200)} (f32x4.sub (local.get $fy) (local.get $fz))))
      (if (local.get $planar)
        (then
          (v128.store (local.get $out) (local.get $L))
          (v128.store offset=${planeBytes} (local.get $out) (local.get $A))
          (v128.store offset=${2 * planeBytes} (local.get $out) (local.get $B))
          (local.set $out (i32.add (local.get $out) (i32.const 16))))
        (else
          ;; L0 a0 b0 L1 | a1 b1 L2 a2 | b2 L3 a3 b3, each from two lanes of one vector and two of another:
          ;; V8 emits every shuffle here as one instruction (unpcklps, unpckhps, shufps).
          (v128.store (local.get $out) ${shuffle([0, 1, 4, 6], shuffle([0, 4, 1, 5], L, A), shuffle([0, 0, 5, 5], B, L))})
          (v128.store offset=16 (local.get $out) ${shuffle([2, 3, 4, 6], shuffle([0, 4, 1, 5], A, B), shuffle([2, 2, 6, 6], L, A))})
          (v128.store offset=32 (local.get $out) ${shuffle([0, 2, 6, 7], shuffle([2, 2, 7, 7], B, L), shuffle([2, 6, 3, 7], A, B))})
          (local.set $out (i32.add (local.get $out) (i32.const 48)))))
      (local.set $rp (i32.add (local.get $rp) (local.get $step4)))
      (local.set $gp (i32.add (local.get $gp) (local.get $step4)))
      (local.set $bp (i32.add (local.get $bp) (local.get $step4)))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br_if $pixels (i32.lt_u (local.get $i) (local.get $count))))`;
const text = `(module
  ;; bytes 0–1023: float32 sRGB decode table (written by the host); then the input and output blocks.
  (memory (export "memory") 2)
  (func (export "forward") (param $rp i32) (param $gp i32) (param $bp i32) (param $step i32) (param $count i32)
    (param $out i32) (param $planar i32)
    (local $i i32) (local $step2 i32) (local $step3 i32) (local $step4 i32)
    (local $r v128) (local $g v128) (local $b v128) (local $t v128) (local $y v128) (local $c v128)
    (local $fx v128) (local $fy v128) (local $fz v128) (local $L v128) (local $A v128) (local $B v128) (local $u v128)
    ${constants.locals()}
    ${constants.setup()}
    (local.set $step2 (i32.shl (local.get $step) (i32.const 1)))
    (local.set $step3 (i32.add (local.get $step2) (local.get $step)))
    (local.set $step4 (i32.shl (local.get $step) (i32.const 2)))
    ${body}))
`;

await writeWasmModule('lab-bytes', text);
