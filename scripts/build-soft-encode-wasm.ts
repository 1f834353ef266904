/**
 * Build the WebAssembly SIMD kernel of src/color/bins/soft-encode-kernel.ts: writes the module text (below)
 * through wabt's wat2wasm and stores the bytes as base64 in src/color/wasm/soft-encode-wasm.ts. The constants
 * come from SOFT_ENCODE_CONSTANTS, so the kernel and its JavaScript twin (runTwin there) use the same
 * float64 numbers; the operations here must stay in the twin's order (tests check the two bit for bit).
 *
 * Two pixels per step, one per float64 lane; the geometry and the weights are explained in the kernel's
 * file comment (Zhang et al., ECCV 2016, §3.1: k = 5 nearest bins, Gaussian weights).
 *
 * Usage: npx tsx scripts/build-soft-encode-wasm.ts   (deterministic: the same text gives the same file)
 */
import { SOFT_ENCODE_CONSTANTS as K } from '../src/color/bins/soft-encode-kernel.js';
import { createWatConstantPool } from './wat-constant-pool.js';
import { writeWasmModule } from './write-wasm-module.js';

/** Float64 splats, each read from a local set once before the loop (see wat-constant-pool.ts). */
const constants = createWatConstantPool('f64x2');
const splat = constants.splat;

/** i8x16.shuffle picking 32-bit lanes: 0–3 from the first operand, 4–7 from the second. */
function shuffle32(lanes: number[], a: string, b: string): string {
  const bytes = lanes.flatMap((lane) => [0, 1, 2, 3].map((k) => 4 * lane + k));
  return `(i8x16.shuffle ${bytes.join(' ')} ${a} ${b})`;
}
/** i8x16.shuffle picking 64-bit lanes: 0–1 from the first operand, 2–3 from the second. */
function shuffle64(lanes: number[], a: string, b: string): string {
  return shuffle32(
    lanes.flatMap((lane) => [2 * lane, 2 * lane + 1]),
    a,
    b,
  );
}

const get = (name: string): string => `(local.get $${name})`;
const set = (name: string, value: string): string => `(local.set $${name} ${value})`;
const op = (name: string, ...args: string[]): string => `(${name} ${args.join(' ')})`;
const add = (a: string, b: string): string => op('f64x2.add', a, b);
const sub = (a: string, b: string): string => op('f64x2.sub', a, b);
const mul = (a: string, b: string): string => op('f64x2.mul', a, b);
const div = (a: string, b: string): string => op('f64x2.div', a, b);
/** mask ? a : b, lane by lane (mask lanes all ones or all zeros). */
const select = (a: string, b: string, mask: string): string => op('v128.bitselect', a, b, mask);

/** exp(x) for x ∈ [0, 2] into $dest, as expTwin: Taylor polynomial of exp(¼ + t) at t = x/4 − ¼, squared twice. */
function exp(dest: string, x: string): string {
  const c = K.expCoefficients;
  const lines = [set('t', sub(mul(x, splat(0.25)), splat(K.expCentre))), set('p', splat(c[c.length - 1]))];
  for (let n = c.length - 2; n >= 0; n--) lines.push(set('p', add(mul(get('p'), get('t')), splat(c[n]))));
  lines.push(set('p', mul(get('p'), get('p'))), set(dest, mul(get('p'), get('p'))));
  return lines.join('\n      ');
}

/** Lattice position along one axis: nearest node index `n` and offset `d` ∈ [−½, ½] from it, exactly. */
function axis(f: string, n: string, d: string): string {
  return [
    set('low', op('f64x2.floor', get(f))),
    set('rest', sub(get(f), get('low'))),
    set('half', op('v128.and', op('f64x2.ge', get('rest'), splat(0.5)), splat(1))),
    set(n, add(get('low'), get('half'))),
    set(d, sub(get('rest'), get('half'))),
  ].join('\n      ');
}

/** Bins, indices, the rejected list and the weights of the pixel in lane `lane`. */
function lane(lane: number): string {
  const bins = [0, 1, 2, 3, 4].map((k) =>
    set(
      `b${k}`,
      `(i32.load offset=${K.binsOffset} (i32.shl (i32x4.extract_lane ${lane} ${get(`q${k}`)}) (i32.const 2)))`,
    ),
  );
  const stores = [0, 1, 2, 3, 4].map(
    (k) => `(i32.store offset=${K.indexOffset + 20 * lane + 4 * k} ${get('row')} ${get(`b${k}`)})`,
  );
  const anyNegative =
    '(i32.shr_u (i32.or (i32.or (i32.or (i32.or (local.get $b0) (local.get $b1)) (local.get $b2)) (local.get $b3)) (local.get $b4)) (i32.const 31))';
  const refused = `(i32.eqz (i32.wrap_i64 (i64x2.extract_lane ${lane} ${get('ok')})))`;
  return [
    ...bins,
    ...stores,
    // Branch-free append: the pixel is always written at the end of the list, which grows only if it is rejected.
    `(i32.store offset=${K.rejectedOffset} (i32.shl ${get('n')} (i32.const 2)) (i32.add ${get('i')} (i32.const ${lane})))`,
    set('n', `(i32.add ${get('n')} (i32.or ${refused} ${anyNegative}))`),
  ].join('\n      ');
}

const body = `
    (loop $pairs
      (local.set $x0 (v128.load offset=${K.inputOffset} ${get('in')}))
      (local.set $x1 (v128.load offset=${K.inputOffset + 16} ${get('in')}))
      ${set('fa', mul(sub(shuffle64([0, 2], get('x0'), get('x1')), get('aOriginV')), get('invGridV')))}
      ${set('fb', mul(sub(shuffle64([1, 3], get('x0'), get('x1')), get('bOriginV')), get('invGridV')))}
      ${axis('fa', 'na', 'du')}
      ${axis('fb', 'nb', 'dv')}
      ${set('ua', op('f64x2.abs', get('du')))}
      ${set('vb', op('f64x2.abs', get('dv')))}
      ${set('aSmaller', op('f64x2.le', get('ua'), get('vb')))}
      ${set('s', select(get('ua'), get('vb'), get('aSmaller')))}
      ${set('l', select(get('vb'), get('ua'), get('aSmaller')))}
      ${set('stepA', select(get('strideV'), get('negStrideV'), op('f64x2.ge', get('du'), splat(0))))}
      ${set('stepB', select(splat(1), splat(-1), op('f64x2.ge', get('dv'), splat(0))))}
      ${set('stepS', select(get('stepA'), get('stepB'), get('aSmaller')))}
      ${set('stepL', select(get('stepB'), get('stepA'), get('aSmaller')))}
      ${set(
        'valid',
        op(
          'v128.and',
          op('v128.and', op('f64x2.ge', get('na'), splat(0)), op('f64x2.lt', get('na'), get('columnsV'))),
          op('v128.and', op('f64x2.ge', get('nb'), splat(0)), op('f64x2.lt', get('nb'), get('rowsV'))),
        ),
      )}
      ;; Rejected lanes (off the lattice, non-finite) read around a safe node; their rows are not used.
      ${set('node', select(add(mul(add(get('na'), splat(1)), get('strideV')), add(get('nb'), splat(1))), get('safeV'), get('valid')))}
      ${set('twoS', add(get('s'), get('s')))}
      ${set('twoL', add(get('l'), get('l')))}
      ${set('d', sub(sub(splat(2), get('twoS')), get('twoL')))}
      ${set('o', add(splat(1), get('twoL')))}
      ${set('m', sub(add(splat(2), get('twoS')), get('twoL')))}
      ${set('diagonal', op('f64x2.lt', get('d'), get('o')))}
      ;; Gap between the 6th and the 5th nearest node (lattice units²); accepted only beyond the margin.
      ${set('fifth', op('f64x2.pmax', add(splat(1), get('twoS')), select(get('d'), get('o'), get('diagonal'))))}
      ${set('sixth', op('f64x2.pmin', select(get('o'), get('d'), get('diagonal')), get('m')))}
      ${set('ok', op('v128.and', get('valid'), op('f64x2.gt', sub(get('sixth'), get('fifth')), splat(K.margin))))}
      ${exp('ps', mul(get('twoHV'), get('s')))}
      ${exp('pl', mul(get('twoHV'), get('l')))}
      ${set('ts', mul(get('e1V'), get('ps')))}
      ${set('tl', mul(get('e1V'), get('pl')))}
      ${set('os', div(get('e1V'), get('ps')))}
      ${set('last', select(mul(mul(get('e2V'), get('ps')), get('pl')), div(get('e1V'), get('pl')), get('diagonal')))}
      ${set('inv', div(splat(1), add(add(add(add(splat(1), get('ts')), get('tl')), get('os')), get('last'))))}
      ${set('q0', op('i32x4.trunc_sat_f64x2_s_zero', get('node')))}
      ${set('q1', op('i32x4.trunc_sat_f64x2_s_zero', add(get('node'), get('stepS'))))}
      ${set('q2', op('i32x4.trunc_sat_f64x2_s_zero', add(get('node'), get('stepL'))))}
      ${set('q3', op('i32x4.trunc_sat_f64x2_s_zero', sub(get('node'), get('stepS'))))}
      ${set(
        'q4',
        op(
          'i32x4.trunc_sat_f64x2_s_zero',
          select(add(add(get('node'), get('stepS')), get('stepL')), sub(get('node'), get('stepL')), get('diagonal')),
        ),
      )}
      ${lane(0)}
      ${lane(1)}
      ;; Weights rounded to float32 once; rows of 5: [w0..w3 of pixel 0] w4, [w0..w3 of pixel 1] w4.
      ${set('d0', op('f32x4.demote_f64x2_zero', get('inv')))}
      ${set('d1', op('f32x4.demote_f64x2_zero', mul(get('ts'), get('inv'))))}
      ${set('d2', op('f32x4.demote_f64x2_zero', mul(get('tl'), get('inv'))))}
      ${set('d3', op('f32x4.demote_f64x2_zero', mul(get('os'), get('inv'))))}
      ${set('d4', op('f32x4.demote_f64x2_zero', mul(get('last'), get('inv'))))}
      ${set('w01', shuffle32([0, 4, 1, 5], get('d0'), get('d1')))}
      ${set('w23', shuffle32([0, 4, 1, 5], get('d2'), get('d3')))}
      (v128.store offset=${K.weightOffset} align=4 ${get('row')} ${shuffle32([0, 1, 4, 5], get('w01'), get('w23'))})
      (f32.store offset=${K.weightOffset + 16} ${get('row')} (f32x4.extract_lane 0 ${get('d4')}))
      (v128.store offset=${K.weightOffset + 20} align=4 ${get('row')} ${shuffle32([2, 3, 6, 7], get('w01'), get('w23'))})
      (f32.store offset=${K.weightOffset + 36} ${get('row')} (f32x4.extract_lane 1 ${get('d4')}))
      (local.set $in (i32.add ${get('in')} (i32.const 32)))
      (local.set $row (i32.add ${get('row')} (i32.const 40)))
      (local.set $i (i32.add ${get('i')} (i32.const 2)))
      (br_if $pairs (i32.lt_u ${get('i')} ${get('count')})))`;

const vectors = [
  'x0',
  'x1',
  'fa',
  'fb',
  'low',
  'rest',
  'half',
  'na',
  'nb',
  'du',
  'dv',
  'ua',
  'vb',
  'aSmaller',
  's',
  'l',
  'stepA',
  'stepB',
  'stepS',
  'stepL',
  'valid',
  'node',
  'twoS',
  'twoL',
  'd',
  'o',
  'm',
  'diagonal',
  'fifth',
  'sixth',
  'ok',
  't',
  'p',
  'ps',
  'pl',
  'ts',
  'tl',
  'os',
  'last',
  'inv',
  'q0',
  'q1',
  'q2',
  'q3',
  'q4',
  'd0',
  'd1',
  'd2',
  'd3',
  'd4',
  'w01',
  'w23',
  'aOriginV',
  'bOriginV',
  'invGridV',
  'columnsV',
  'rowsV',
  'strideV',
  'negStrideV',
  'safeV',
  'twoHV',
  'e1V',
  'e2V',
];
const params = ['aOrigin', 'bOrigin', 'invGrid', 'columns', 'rows', 'stride', 'twoH', 'e1', 'e2'];
const text = `(module
  ;; Regions (bytes): input pairs (float64), indices [block, 5] (int32), weights [block, 5] (float32),
  ;; rejected pixels (int32), padded lattice lookup (int32, written by the host).
  (memory (export "memory") ${K.pages})
  (func (export "encode") (param $count i32) ${params.map((p) => `(param $${p} f64)`).join(' ')} (result i32)
    (local $i i32) (local $in i32) (local $row i32) (local $n i32)
    ${[0, 1, 2, 3, 4].map((k) => `(local $b${k} i32)`).join(' ')}
    ${vectors.map((v) => `(local $${v} v128)`).join(' ')}
    ${constants.locals()}
    ${constants.setup()}
    ${params.map((p) => `(local.set $${p}V (f64x2.splat (local.get $${p})))`).join('\n    ')}
    (local.set $negStrideV (f64x2.neg ${get('strideV')}))
    (local.set $safeV (f64x2.add ${get('strideV')} ${splat(1)}))
    (if (i32.eqz ${get('count')}) (then (return (i32.const 0))))
    ${body}
    ${get('n')}))
`;

await writeWasmModule('soft-encode', text);
