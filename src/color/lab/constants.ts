/**
 * Named constants of the colour module: the Lab normalization the models see, and the sRGB / CIE
 * numbers behind every Lab conversion. The colour-science values are exactly the ones scikit-image 0.19
 * uses in `rgb2lab` / `lab2rgb`, so results agree with the Python tools the papers' code was built on.
 *
 * References:
 * - IEC 61966-2-1:1999, "Multimedia systems and equipment – Colour measurement and management –
 *   Part 2-1: Default RGB colour space – sRGB" (transfer function, §4.2; primaries and D65 white, §3).
 * - CIE 15:2004, "Colorimetry", 3rd ed. (CIELAB, §8.2.1; D65 tristimulus values for the 2° observer, Table T.3).
 */

/**
 * Lightness subtracted before a model sees L: model input is `(L − LIGHTNESS_CENTRE) / LIGHTNESS_SCALE`,
 * which maps L ∈ [0, 100] to [−0.5, 0.5] (Zhang et al. 2016, ECCV, §2 and their released preprocessing).
 * @example const l01 = (L - LIGHTNESS_CENTRE) / LIGHTNESS_SCALE;
 */
export const LIGHTNESS_CENTRE = 50;

/**
 * Divisor of centred lightness in the model input (see {@link LIGHTNESS_CENTRE}).
 * @example const L = lNormalized * LIGHTNESS_SCALE + LIGHTNESS_CENTRE;
 */
export const LIGHTNESS_SCALE = 100;

/**
 * Divisor of a and b for regression targets and outputs: `ab / AB_SCALE` lies in about [−1, 1] for the
 * sRGB gamut (Zhang et al. 2016, ECCV, released code `ab_norm = 110`; Iizuka et al. 2016 use the same range).
 * @example const abTarget = ab.div(AB_SCALE);
 */
export const AB_SCALE = 110;

/**
 * CIE XYZ of the D65 white for the 2° observer, normalized to Y = 1: `[Xn, Yn, Zn]`
 * (CIE 15:2004 Table T.3 rounded to 5 decimals, the values scikit-image uses).
 * @example const [xn, yn, zn] = D65_WHITE;
 */
export const D65_WHITE: readonly [number, number, number] = Object.freeze([0.95047, 1.0, 1.08883]) as readonly [
  number,
  number,
  number,
];

/**
 * Linear sRGB → CIE XYZ (D65), row-major `[X; Y; Z] = M · [R; G; B]` (IEC 61966-2-1 §5.2, with the
 * 6-decimal coefficients scikit-image uses).
 * @example const y = XYZ_FROM_LINEAR_RGB[1][0] * r + XYZ_FROM_LINEAR_RGB[1][1] * g + XYZ_FROM_LINEAR_RGB[1][2] * b;
 */
export const XYZ_FROM_LINEAR_RGB: readonly (readonly [number, number, number])[] = Object.freeze([
  Object.freeze([0.412453, 0.35758, 0.180423]) as readonly [number, number, number],
  Object.freeze([0.212671, 0.71516, 0.072169]) as readonly [number, number, number],
  Object.freeze([0.019334, 0.119193, 0.950227]) as readonly [number, number, number],
]);

/**
 * CIE XYZ (D65) → linear sRGB: the inverse of {@link XYZ_FROM_LINEAR_RGB} computed in float64
 * (what scikit-image gets from `scipy.linalg.inv`), row-major.
 * @example const r = LINEAR_RGB_FROM_XYZ[0][0] * x + LINEAR_RGB_FROM_XYZ[0][1] * y + LINEAR_RGB_FROM_XYZ[0][2] * z;
 */
export const LINEAR_RGB_FROM_XYZ: readonly (readonly [number, number, number])[] = Object.freeze([
  Object.freeze([3.2404813432005266, -1.5371515162713183, -0.4985363261688878]) as readonly [number, number, number],
  Object.freeze([-0.9692549499965682, 1.8759900014898907, 0.04155592655829284]) as readonly [number, number, number],
  Object.freeze([0.055646639135177166, -0.20404133836651123, 1.0573110696453443]) as readonly [number, number, number],
]);

/**
 * sRGB transfer function (IEC 61966-2-1 §4.2, eq. for R'sRGB): encoded values at or below this
 * threshold decode linearly (÷ {@link SRGB_LINEAR_SLOPE}); above it, `((v + 0.055) / 1.055) ^ 2.4`.
 * @example const lin = v <= SRGB_DECODE_THRESHOLD ? v / SRGB_LINEAR_SLOPE : ((v + SRGB_OFFSET) / (1 + SRGB_OFFSET)) ** SRGB_GAMMA;
 */
export const SRGB_DECODE_THRESHOLD = 0.04045;

/**
 * Linear values at or below this threshold encode linearly (× {@link SRGB_LINEAR_SLOPE}); above it,
 * `1.055 · v^(1/2.4) − 0.055` (IEC 61966-2-1 §5.2).
 * @example const v = lin <= SRGB_ENCODE_THRESHOLD ? lin * SRGB_LINEAR_SLOPE : 1.055 * lin ** (1 / SRGB_GAMMA) - 0.055;
 */
export const SRGB_ENCODE_THRESHOLD = 0.0031308;

/** Slope of the linear toe of the sRGB transfer function (IEC 61966-2-1 §4.2). @example const v = lin <= SRGB_ENCODE_THRESHOLD ? lin * SRGB_LINEAR_SLOPE : (1 + SRGB_OFFSET) * lin ** (1 / SRGB_GAMMA) - SRGB_OFFSET; */
export const SRGB_LINEAR_SLOPE = 12.92;

/** Offset of the power segment of the sRGB transfer function (IEC 61966-2-1 §4.2). @example const lin = ((v + SRGB_OFFSET) / (1 + SRGB_OFFSET)) ** SRGB_GAMMA; // v above SRGB_DECODE_THRESHOLD */
export const SRGB_OFFSET = 0.055;

/** Exponent of the power segment of the sRGB transfer function (IEC 61966-2-1 §4.2). @example const v = (1 + SRGB_OFFSET) * lin ** (1 / SRGB_GAMMA) - SRGB_OFFSET; // lin above SRGB_ENCODE_THRESHOLD */
export const SRGB_GAMMA = 2.4;

/**
 * CIELAB: ratios `t = X/Xn` above this use `t^(1/3)`, below it the linear segment
 * `LAB_LINEAR_SLOPE · t + 16/116` (CIE 15:2004 §8.2.1; (6/29)³ rounded as in scikit-image).
 * @example const f = t > LAB_EPSILON ? Math.cbrt(t) : LAB_LINEAR_SLOPE * t + LAB_OFFSET;
 */
export const LAB_EPSILON = 0.008856;

/** Slope of CIELAB's linear segment, (29/6)²/3 rounded as in scikit-image (CIE 15:2004 §8.2.1). @example const f = LAB_LINEAR_SLOPE * t + LAB_OFFSET; // t at or below LAB_EPSILON */
export const LAB_LINEAR_SLOPE = 7.787;

/** Offset of CIELAB's linear segment, 16/116 (CIE 15:2004 §8.2.1). @example const L = 116 * (f - LAB_OFFSET); // 116 f − 16 */
export const LAB_OFFSET = 16 / 116;

/**
 * Inverse CIELAB: `f` values above this are cubed, below it `(f − 16/116) / LAB_LINEAR_SLOPE`
 * (6/29 rounded as in scikit-image `lab2xyz`).
 * @example const t = f > LAB_INVERSE_THRESHOLD ? f ** 3 : (f - LAB_OFFSET) / LAB_LINEAR_SLOPE;
 */
export const LAB_INVERSE_THRESHOLD = 0.2068966;
