// A production bundle that uses only the colour module: it must not carry tfjs-layers (tree-shaking).
import { rgbToLab } from 'tfjs-colorization';

const lab = rgbToLab(new Uint8Array([255, 0, 0, 0, 128, 255]));
document.body.dataset.result = JSON.stringify(Array.from(lab, (v) => Math.round(v * 1000) / 1000));
